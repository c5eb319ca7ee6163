use super::*;

/// A draw source replaying `values`, counting its calls.
struct Draws {
    values: Vec<f64>,
    calls: usize,
}

impl Draws {
    fn new(values: &[f64]) -> Self {
        Self {
            values: values.to_vec(),
            calls: 0,
        }
    }

    fn pick(&mut self, weights: &[f64]) -> Option<usize> {
        let values = self.values.clone();
        let calls = &mut self.calls;
        weighted_pick(weights, &mut || {
            let value = values[*calls];
            *calls += 1;
            value
        })
    }
}

#[test]
fn no_candidates_pick_nothing_without_drawing() {
    let mut draws = Draws::new(&[]);
    assert_eq!(draws.pick(&[]), None);
    assert_eq!(draws.calls, 0);
}

#[test]
fn a_non_positive_total_picks_nothing_without_drawing() {
    let mut draws = Draws::new(&[]);
    assert_eq!(draws.pick(&[0.0, 0.0]), None);
    assert_eq!(draws.pick(&[-1.0, 0.5]), None);
    assert_eq!(draws.calls, 0);
}

#[test]
fn the_draw_lands_in_the_first_band_reaching_it() {
    // Bands for weights [1, 3]: total 4, first band [0, 1], second (1, 4].
    let cases = [(0.0, 0), (0.2, 0), (0.25, 0), (0.26, 1), (0.99, 1)];
    for (draw, expected) in cases {
        let mut draws = Draws::new(&[draw]);
        assert_eq!(draws.pick(&[1.0, 3.0]), Some(expected), "draw {draw}");
        assert_eq!(draws.calls, 1);
    }
}

#[test]
fn zero_weight_candidates_are_reachable_only_at_a_band_edge() {
    let mut draws = Draws::new(&[0.0, 0.5]);
    // r = 0 is <= the first running sum 0.
    assert_eq!(draws.pick(&[0.0, 1.0]), Some(0));
    assert_eq!(draws.pick(&[0.0, 1.0]), Some(1));
}

#[test]
fn a_nan_weight_still_draws_once_and_picks_the_last() {
    let mut draws = Draws::new(&[0.1]);
    assert_eq!(draws.pick(&[1.0, f64::NAN, 2.0]), Some(2));
    assert_eq!(draws.calls, 1);
}

#[test]
fn a_draw_past_every_band_falls_back_to_the_last() {
    // Math.random() stays below 1, so only a draw outside [0, 1) gets here.
    let mut draws = Draws::new(&[f64::INFINITY]);
    assert_eq!(draws.pick(&[1.0, 1.0]), Some(1));
}

#[test]
fn a_negative_weight_shrinks_the_running_sum() {
    // Total 2: r = 1.2. Running sums 3 (hit).
    let mut draws = Draws::new(&[0.6]);
    assert_eq!(draws.pick(&[3.0, -1.0]), Some(0));
    // Total 2: r = 1.8 with running sums 1, -1, 2.
    let mut draws = Draws::new(&[0.9]);
    assert_eq!(draws.pick(&[1.0, -2.0, 3.0]), Some(2));
}
