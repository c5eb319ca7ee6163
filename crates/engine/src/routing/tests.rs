use super::*;
use crate::breaker::lock;
use crate::outcome::OutcomeType;
use crate::registry::Registry;
use crate::validate::ModelSpec;

const T0: f64 = 1_700_000_000_000.0;

/// Replays `values` as draws, counting them.
fn replay(
    values: &[f64],
) -> (
    impl FnMut() -> f64 + '_,
    std::rc::Rc<std::cell::Cell<usize>>,
) {
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = std::rc::Rc::clone(&calls);
    (
        move || {
            let value = values[counter.get()];
            counter.set(counter.get() + 1);
            value
        },
        calls,
    )
}

fn measured(latency: f64) -> Load {
    let mut load = Load::default();
    load.record_latency(latency);
    load
}

fn busy(in_flight: u32) -> Load {
    Load {
        latency_estimate: None,
        in_flight,
    }
}

#[test]
fn routing_names_are_the_options_three() {
    assert_eq!(Routing::from_name("weighted"), Some(Routing::Weighted));
    assert_eq!(Routing::from_name("latency"), Some(Routing::Latency));
    assert_eq!(Routing::from_name("least-busy"), Some(Routing::LeastBusy));
    assert_eq!(Routing::from_name("Latency"), None);
    assert_eq!(Routing::default(), Routing::Weighted);
}

#[test]
fn latency_estimate_moves_half_way_to_each_sample() {
    let mut load = measured(300.0);
    load.record_latency(100.0);
    assert_eq!(load.latency_estimate, Some(200.0));
    load.record_latency(f64::NAN);
    load.record_latency(-1.0);
    assert_eq!(load.latency_estimate, Some(200.0));
}

#[test]
fn latency_routing_keeps_to_the_fast_model_unless_exploring() {
    let weights = [1.0, 1.0];
    let loads = [measured(300.0), measured(100.0)];
    // Not exploring (0.5 >= 0.1): only the fast model is drawn from, whatever the draw.
    for second in [0.0, 0.5, 0.99] {
        let values = [0.5, second];
        let (mut draw, calls) = replay(&values);
        assert_eq!(
            route_pick(Routing::Latency, &weights, &loads, &mut draw),
            Some(1)
        );
        assert_eq!(calls.get(), 2);
    }
    // Exploring (0.05 < 0.1): every model by weight.
    let values = [0.05, 0.2];
    let (mut draw, _) = replay(&values);
    assert_eq!(
        route_pick(Routing::Latency, &weights, &loads, &mut draw),
        Some(0)
    );
}

#[test]
fn latency_routing_shares_by_weight_among_near_equal_and_unmeasured_models() {
    let weights = [1.0, 1.0, 1.0];
    // 140 is within 1.5x of 100; 151 is not; the unmeasured one counts as fast.
    let loads = [measured(140.0), measured(100.0), Load::default()];
    let pick = |second: f64| {
        let values = [0.9, second];
        let (mut draw, _) = replay(&values);
        route_pick(Routing::Latency, &weights, &loads, &mut draw)
    };
    assert_eq!(pick(0.1), Some(0));
    assert_eq!(pick(0.5), Some(1));
    assert_eq!(pick(0.9), Some(2));
    let slow = [measured(151.0), measured(100.0)];
    let values = [0.9, 0.1];
    let (mut draw, _) = replay(&values);
    assert_eq!(
        route_pick(Routing::Latency, &[1.0, 1.0], &slow, &mut draw),
        Some(1)
    );
}

#[test]
fn least_busy_keeps_the_less_loaded_of_two_weighted_draws() {
    let weights = [1.0, 1.0, 1.0];
    let loads = [busy(5), busy(1), busy(3)];
    let pick = |first: f64, second: f64| {
        let values = [first, second];
        let (mut draw, calls) = replay(&values);
        let picked = route_pick(Routing::LeastBusy, &weights, &loads, &mut draw);
        assert_eq!(calls.get(), 2);
        picked
    };
    // Draws land on 0 and 2: 2 has fewer in flight.
    assert_eq!(pick(0.1, 0.9), Some(2));
    assert_eq!(pick(0.9, 0.1), Some(2));
    // 1 is the least busy and wins whenever drawn.
    assert_eq!(pick(0.5, 0.1), Some(1));
    // Both draws on the busiest: it is picked (two choices, not a scan).
    assert_eq!(pick(0.1, 0.2), Some(0));
    // A tie keeps the first draw.
    let even = [busy(2), busy(2)];
    let values = [0.9, 0.1];
    let (mut draw, _) = replay(&values);
    assert_eq!(
        route_pick(Routing::LeastBusy, &[1.0, 1.0], &even, &mut draw),
        Some(1)
    );
}

#[test]
fn load_aware_rules_pick_nothing_where_the_weighted_draw_picks_nothing() {
    for routing in [Routing::Latency, Routing::LeastBusy] {
        let (mut draw, _) = replay(&[]);
        assert_eq!(route_pick(routing, &[], &[], &mut draw), None);
        let values = [0.5, 0.5];
        let (mut draw, _) = replay(&values);
        assert_eq!(
            route_pick(routing, &[0.0, 0.0], &[Load::default(); 2], &mut draw),
            None
        );
    }
}

fn spec(id: &str, weight: f64, is_fallback: bool) -> ModelSpec {
    ModelSpec {
        model_id: id.into(),
        weight,
        is_fallback,
    }
}

#[test]
fn a_held_selection_is_in_flight_until_released_and_an_outcome_releases_nothing() {
    let mut registry = Registry::new();
    registry.set_routing(Routing::LeastBusy);
    registry.add_model(&spec("a", 1.0, false));
    registry.add_model(&spec("b", 1.0, false));
    // Draw a, a; a request goes on with it: a is now busy.
    let mut zero = || 0.0;
    let picked = registry.select(&|_| false, T0, &mut zero).model_id;
    assert_eq!(picked.as_deref(), Some("a"));
    registry.hold_selection("a");
    // Draws a then b: b has fewer in flight.
    let values = [0.0, 0.9];
    let (mut draw, _) = replay(&values);
    let picked = registry.select(&|_| false, T0, &mut draw).model_id;
    assert_eq!(picked.as_deref(), Some("b"));
    // Picking alone holds nothing (a caller's own selectModel).
    assert_eq!(registry.entry("b").unwrap().load.in_flight, 0);
    assert_eq!(registry.entry("a").unwrap().load.in_flight, 1);
    // An outcome is a latency sample but no release: a second outcome of the same
    // attempt (an escalation's, a stream's late failure) cannot undo another's hold.
    registry.report_outcome("a", OutcomeType::Success, 80.0, T0);
    let load = registry.entry("a").unwrap().load;
    assert_eq!((load.in_flight, load.latency_estimate), (1, Some(80.0)));
    registry.release_selection("a");
    assert_eq!(registry.entry("a").unwrap().load.in_flight, 0);
    // A failure is no latency sample; a release of nothing held stays at zero.
    registry.report_outcome("b", OutcomeType::FailFast, 5.0, T0);
    registry.release_selection("b");
    let load = registry.entry("b").unwrap().load;
    assert_eq!((load.in_flight, load.latency_estimate), (0, None));
}

#[test]
fn routing_loads_are_shown_only_for_the_load_aware_rules() {
    let mut registry = Registry::new();
    registry.add_model(&spec("a", 1.0, false));
    registry.add_model(&spec("f", 1.0, true));
    assert_eq!(registry.routing_loads(), None);
    registry.set_routing(Routing::Latency);
    registry.hold_selection("f");
    registry.report_outcome("a", OutcomeType::Success, 40.0, T0);
    let loads = registry.routing_loads().unwrap();
    assert_eq!(
        loads,
        [
            (
                "a",
                Load {
                    latency_estimate: Some(40.0),
                    in_flight: 0
                }
            ),
            (
                "f",
                Load {
                    latency_estimate: None,
                    in_flight: 1
                }
            ),
        ]
    );
}

/// A small seeded generator (xorshift64*), so the fuzz below replays.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The selection as it was before `routing` existed, written from the original's rule:
/// the eligible primaries by weight (one draw), else the eligible fallbacks.
fn selected_before(
    specs: &[ModelSpec],
    skipped: &[String],
    open: &[String],
    draw: &mut dyn FnMut() -> f64,
) -> Option<String> {
    for is_fallback in [false, true] {
        let mut pool: Vec<&ModelSpec> = Vec::new();
        for spec in specs.iter().filter(|s| s.is_fallback == is_fallback) {
            match pool.iter().position(|s| s.model_id == spec.model_id) {
                Some(index) => pool[index] = spec,
                None => pool.push(spec),
            }
        }
        let eligible: Vec<&ModelSpec> = pool
            .into_iter()
            .filter(|s| !skipped.contains(&s.model_id) && !open.contains(&s.model_id))
            .collect();
        let weights: Vec<f64> = eligible.iter().map(|s| s.weight).collect();
        if let Some(index) = crate::select::weighted_pick(&weights, draw) {
            return Some(eligible[index].model_id.clone());
        }
    }
    None
}

#[test]
fn weighted_routing_and_no_routing_pick_as_before_draw_for_draw() {
    let mut rng = Seeded(0x5EED_1234_ABCD_0001);
    let ids = ["a", "b", "c", "d", "e"];
    for _case in 0..2000 {
        let count = 1 + (rng.next() * 6.0) as usize;
        let specs: Vec<ModelSpec> = (0..count)
            .map(|_| {
                let id = ids[(rng.next() * ids.len() as f64) as usize];
                let weight = [0.0, 0.5, 1.0, 2.0, 7.5, f64::NAN][(rng.next() * 6.0) as usize];
                spec(id, weight, rng.next() < 0.4)
            })
            .collect();
        let pick_some = |rng: &mut Seeded| -> Vec<String> {
            ids.iter()
                .filter(|_| rng.next() < 0.2)
                .map(|id| id.to_string())
                .collect()
        };
        let skipped = pick_some(&mut rng);
        let open = pick_some(&mut rng);
        let draws: Vec<f64> = (0..4).map(|_| rng.next()).collect();

        let mut picks = Vec::new();
        for routing in [None, Some(Routing::Weighted)] {
            let mut registry = Registry::new();
            if let Some(routing) = routing {
                registry.set_routing(routing);
            }
            for spec in &specs {
                registry.add_model(spec);
            }
            for id in &open {
                if let Some(breaker) = registry.breaker(id) {
                    lock(&breaker).force_open(T0);
                }
            }
            // Earlier outcomes give the models latency estimates and loads that the
            // weighted rule must ignore.
            for (index, spec) in specs.iter().enumerate() {
                registry.report_outcome(
                    &spec.model_id,
                    OutcomeType::Success,
                    10.0 * index as f64,
                    T0,
                );
            }
            let (mut draw, calls) = replay(&draws);
            let selection = registry.select(&|id| skipped.iter().any(|s| s == id), T0, &mut draw);
            picks.push((selection.model_id, calls.get()));
        }
        let (mut draw, calls) = replay(&draws);
        let before = selected_before(&specs, &skipped, &open, &mut draw);
        picks.push((before, calls.get()));
        assert_eq!(picks[0], picks[1], "absent vs weighted: {specs:?}");
        assert_eq!(picks[0], picks[2], "absent vs before: {specs:?}");
    }
}
