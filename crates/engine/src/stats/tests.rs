use super::*;

#[test]
fn outcomes_count_by_kind() {
    let mut stats = ModelStats::default();
    stats.record(OutcomeType::Success, 10.0);
    stats.record(OutcomeType::RateLimit, 10.0);
    stats.record(OutcomeType::FailFast, 10.0);
    stats.record(OutcomeType::Refusal, 10.0);
    stats.record(OutcomeType::Success, 10.0);
    assert_eq!(
        (
            stats.success_count,
            stats.rate_limit_count,
            stats.fail_fast_count,
            stats.refusal_count
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(stats.total(), 5);
}

#[test]
fn the_mean_latency_is_the_original_running_mean() {
    let mut stats = ModelStats::default();
    let latencies = [1.0, 2.0, 0.1, 0.7, 0.3];
    let mut expected = 0.0;
    for (i, &latency) in latencies.iter().enumerate() {
        stats.record(OutcomeType::Success, latency);
        let n = (i + 1) as f64;
        expected = (expected * (n - 1.0) + latency) / n;
        assert_eq!(stats.average_latency.to_bits(), f64::to_bits(expected));
    }
    // The running mean rounds differently from the plain mean (0.82).
    assert_eq!(stats.average_latency, 0.8200000000000001);
}

#[test]
fn an_unknown_outcome_counts_nowhere_but_moves_the_mean() {
    let mut stats = ModelStats::default();
    stats.record_kind(None, 100.0);
    assert_eq!(
        stats.average_latency, 0.0,
        "nothing counted yet: the mean is left alone"
    );
    stats.record(OutcomeType::Success, 10.0);
    stats.record_kind(None, 30.0);
    // n stays 1: (10 * 0 + 30) / 1.
    assert_eq!(stats.average_latency, 30.0);
    assert_eq!(stats.total(), 1);
}

#[test]
fn reset_zeroes_everything() {
    let mut stats = ModelStats::default();
    stats.record(OutcomeType::FailFast, 5.0);
    stats.reset();
    assert_eq!(stats, ModelStats::default());
}

#[test]
fn an_empty_window_reports_zeros() {
    assert_eq!(LatencyWindow::new().metrics(), LatencyMetrics::default());
}

#[test]
fn percentiles_index_the_sorted_samples_at_floor_of_len_times_q() {
    let mut window = LatencyWindow::new();
    for latency in (1..=20).rev() {
        window.record(f64::from(latency));
    }
    let m = window.metrics();
    // len 20: p50 index 10, p95 index 19 (20 * 0.95 rounds to exactly 19), p99 index 19.
    assert_eq!(m.p50, 11.0);
    assert_eq!(m.p95, 20.0);
    assert_eq!(m.p99, 20.0);
    assert_eq!(m.min, 1.0);
    assert_eq!(m.max, 20.0);
    assert_eq!(m.average, 10.5);
}

#[test]
fn a_single_sample_is_every_statistic() {
    let mut window = LatencyWindow::new();
    window.record(42.5);
    let m = window.metrics();
    assert_eq!(
        m,
        LatencyMetrics {
            average: 42.5,
            p50: 42.5,
            p95: 42.5,
            p99: 42.5,
            min: 42.5,
            max: 42.5
        }
    );
}

#[test]
fn the_average_sums_in_ascending_order() {
    let mut window = LatencyWindow::new();
    let samples = [1e16, 1.0, -1e16, 1.0];
    for s in samples {
        window.record(s);
    }
    // Ascending: -1e16 + 1 + 1 + 1e16 = 0 in floating point (the ones are absorbed).
    let ascending = [-1e16, 1.0, 1.0, 1e16].iter().fold(0.0, |a, b| a + b) / 4.0;
    let arrival = samples.iter().fold(0.0, |a, b| a + b) / 4.0;
    assert_ne!(ascending, arrival);
    assert_eq!(window.metrics().average, ascending);
}

#[test]
fn the_window_keeps_only_the_last_thousand() {
    let mut window = LatencyWindow::new();
    for i in 0..1500 {
        window.record(f64::from(i));
    }
    assert_eq!(window.len(), LATENCY_HISTORY);
    let m = window.metrics();
    assert_eq!(m.min, 500.0);
    assert_eq!(m.max, 1499.0);
    assert_eq!(m.p50, 1000.0);
    assert_eq!(m.p95, 1450.0);
    assert_eq!(m.p99, 1490.0);
}

#[test]
fn clearing_empties_the_window() {
    let mut window = LatencyWindow::new();
    for i in 0..1200 {
        window.record(f64::from(i));
    }
    window.clear();
    assert!(window.is_empty());
    assert_eq!(window.metrics(), LatencyMetrics::default());
    window.record(7.0);
    assert_eq!(window.metrics().max, 7.0);
}

#[test]
fn nan_samples_do_not_break_sorting() {
    let mut window = LatencyWindow::new();
    for s in [3.0, f64::NAN, 1.0, 2.0] {
        window.record(s);
    }
    let m = window.metrics();
    assert_eq!(m.min, 1.0);
    assert!(m.max.is_nan());
    assert!(m.average.is_nan());
}

#[test]
fn numeric_order_ties_signed_zeros_and_puts_nan_last() {
    assert_eq!(js_numeric_order(&-0.0, &0.0), Ordering::Equal);
    assert_eq!(js_numeric_order(&1.0, &2.0), Ordering::Less);
    assert_eq!(
        js_numeric_order(&f64::NAN, &f64::INFINITY),
        Ordering::Greater
    );
    assert_eq!(js_numeric_order(&f64::NAN, &f64::NAN), Ordering::Equal);
}
