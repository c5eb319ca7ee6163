use super::*;

const T0: Millis = 1_700_000_000_000.0;

fn ids(health: &SystemHealth) -> Vec<&str> {
    health.models.iter().map(|m| m.model_id.as_str()).collect()
}

fn stats(pairs: &[(&str, f64)]) -> Vec<(String, Option<f64>)> {
    pairs
        .iter()
        .map(|(id, avg)| (id.to_string(), Some(*avg)))
        .collect()
}

#[test]
fn an_unknown_model_is_healthy_and_gets_a_breaker() {
    let health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    let report = health.model_health("m", None, &mut breakers, T0);
    assert_eq!(
        report,
        ModelHealth {
            model_id: "m".into(),
            is_healthy: true,
            circuit_state: BreakerState::Closed,
            last_success_at: None,
            last_failure_at: None,
            avg_response_time_ms: 0.0,
            error_rate: 0.0,
            requests_per_minute: 0,
        }
    );
    assert!(breakers.get("m").is_some());
}

#[test]
fn model_health_averages_only_the_recent_window() {
    let mut health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    health.record_success("m", 1000.0, T0);
    health.record_success("m", 100.0, T0 + 30000.0);
    health.record_failure("m", 300.0, T0 + 60000.0);
    let report = health.model_health("m", Some(5.0), &mut breakers, T0 + 60000.0);
    // The request at T0 sits exactly on the cutoff and is out.
    assert_eq!(report.requests_per_minute, 2);
    assert_eq!(report.avg_response_time_ms, 200.0);
    assert_eq!(report.last_success_at, Some(T0 + 30000.0));
    assert_eq!(report.last_failure_at, Some(T0 + 60000.0));
    // The error rate is over all requests, not the window.
    assert_eq!(report.error_rate, 1.0 / 3.0);
    assert!(report.is_healthy);
}

#[test]
fn without_recent_requests_the_stats_mean_latency_is_reported() {
    let mut health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    health.record_success("m", 1000.0, T0);
    let report = health.model_health("m", Some(42.0), &mut breakers, T0 + 120000.0);
    assert_eq!(report.avg_response_time_ms, 42.0);
    assert_eq!(report.requests_per_minute, 0);
    assert_eq!(
        health
            .model_health("m", None, &mut breakers, T0 + 120000.0)
            .avg_response_time_ms,
        0.0
    );
}

#[test]
fn half_the_requests_failing_makes_a_model_unhealthy() {
    let mut health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    health.record_success("m", 1.0, T0);
    health.record_failure("m", 1.0, T0);
    let report = health.model_health("m", None, &mut breakers, T0);
    assert_eq!(report.error_rate, 0.5);
    assert!(!report.is_healthy);
}

#[test]
fn an_open_circuit_makes_a_model_unhealthy() {
    let health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    lock(&breakers.get_or_create("m", None)).force_open(T0);
    let report = health.model_health("m", None, &mut breakers, T0);
    assert_eq!(report.circuit_state, BreakerState::Open);
    assert!(!report.is_healthy);
}

#[test]
fn history_is_capped_at_max_history() {
    let mut health = HealthManager::new(60000.0, 3.0);
    let mut breakers = BreakerManager::default();
    for i in 0..5 {
        health.record_success("m", f64::from(i), T0);
    }
    let report = health.model_health("m", None, &mut breakers, T0);
    assert_eq!(report.requests_per_minute, 3);
    assert_eq!(report.avg_response_time_ms, 3.0);
    assert_eq!(report.error_rate, 0.0);
}

#[test]
fn a_fractional_history_cap_trims_as_slice_does() {
    let mut requests = VecDeque::new();
    for i in 0..3 {
        requests.push_back((T0, f64::from(i)));
    }
    // 3 > 2.5 but slice(0.5) removes nothing.
    trim(&mut requests, 2.5);
    assert_eq!(requests.len(), 3);
    requests.push_back((T0, 3.0));
    trim(&mut requests, 2.5);
    assert_eq!(requests.len(), 3);
    trim(&mut requests, -1.0);
    assert!(requests.is_empty());
    requests.push_back((T0, 3.0));
    trim(&mut requests, f64::NAN);
    assert_eq!(requests.len(), 1);
}

#[test]
fn registering_keeps_history_and_unregistering_drops_it() {
    let mut health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    health.record_failure("m", 5.0, T0);
    health.register("m");
    assert_eq!(
        health
            .model_health("m", None, &mut breakers, T0)
            .requests_per_minute,
        1
    );
    health.unregister("m");
    assert_eq!(
        health
            .model_health("m", None, &mut breakers, T0)
            .requests_per_minute,
        0
    );
    health.record_failure("m", 5.0, T0);
    health.reset_model("m");
    assert_eq!(
        health.model_health("m", None, &mut breakers, T0).error_rate,
        0.0
    );
}

#[test]
fn an_empty_system_is_not_healthy() {
    let health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    let report = health.system_health(&[], &mut breakers, T0);
    assert!(!report.is_healthy);
    assert_eq!(report.total_models, 0);
    assert_eq!(report.success_rate, 1.0);
    assert_eq!(report.average_latency_ms, 0.0);
    assert_eq!(report.p99_latency_ms, 0.0);
    assert_eq!(report.timestamp, T0);
    assert!(!health.is_accepting_requests(&[], &mut breakers, T0));
}

#[test]
fn a_single_healthy_model_makes_a_healthy_system() {
    let mut health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    health.register("a");
    let report = health.system_health(&stats(&[("a", 0.0)]), &mut breakers, T0);
    assert!(report.is_healthy);
    assert_eq!(
        (
            report.healthy_models,
            report.degraded_models,
            report.unhealthy_models
        ),
        (1, 0, 0)
    );
    let simple = health.simple_health(&stats(&[("a", 0.0)]), &mut breakers, T0);
    assert_eq!((simple.status(), simple.code()), ("healthy", 200));
}

#[test]
fn models_are_counted_healthy_degraded_or_unhealthy() {
    let mut health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    for id in ["closed", "half", "open", "failing"] {
        health.register(id);
    }
    lock(&breakers.get_or_create("half", None)).force_open(T0 - 30000.0);
    lock(&breakers.get_or_create("open", None)).force_open(T0);
    health.record_failure("failing", 10.0, T0);
    let report = health.system_health(&[], &mut breakers, T0);
    assert_eq!(
        (
            report.healthy_models,
            report.degraded_models,
            report.unhealthy_models
        ),
        (1, 1, 2)
    );
    // Two unhealthy of four is not below floor(4 / 2).
    assert!(!report.is_healthy);
    let simple = health.simple_health(&[], &mut breakers, T0);
    assert_eq!((simple.status(), simple.code()), ("unhealthy", 503));
}

#[test]
fn a_degraded_only_system_is_not_healthy() {
    let mut health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    health.register("half");
    lock(&breakers.get_or_create("half", None)).force_open(T0 - 30000.0);
    let report = health.system_health(&[], &mut breakers, T0);
    assert_eq!(report.degraded_models, 1);
    assert!(!report.is_healthy);
}

#[test]
fn system_metrics_aggregate_all_models() {
    let mut health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    health.record_success("a", 10.0, T0);
    health.record_success("a", 20.0, T0);
    health.record_failure("b", 60.0, T0);
    health.record_success("b", 0.1, T0 - 70000.0);
    let report = health.system_health(&stats(&[("a", 0.0), ("b", 0.0)]), &mut breakers, T0);
    assert_eq!(report.total_requests, 4);
    assert_eq!(report.success_rate, 0.75);
    // Per-model sums (30, then 60) added in model order, over 3 recent samples.
    assert_eq!(report.average_latency_ms, 90.0 / 3.0);
    assert_eq!(report.p99_latency_ms, 60.0);
}

#[test]
fn a_zero_p99_falls_back_to_the_largest_sample() {
    let mut health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    for rt in [5.0, 0.0, 0.0] {
        health.record_success("a", rt, T0);
    }
    // Sorted [0, 0, 5]: index floor(2.97) = 2 is 5 already.
    assert_eq!(
        health.system_health(&[], &mut breakers, T0).p99_latency_ms,
        5.0
    );
    let mut zeros = vec![0.0; 200];
    zeros.push(-3.0);
    zeros.push(-0.0);
    // Sorted: -3, then zeros; index floor(202 * 0.99) = 199 is a zero: the largest wins.
    assert_eq!(
        p99(&mut zeros).to_bits(),
        (-0.0f64).to_bits(),
        "the last of the tied maxima"
    );
    let mut ordinary: Vec<f64> = (1..=200).map(f64::from).collect();
    assert_eq!(p99(&mut ordinary), 199.0);
}

#[test]
fn model_order_follows_the_stats_object_then_other_histories() {
    let mut health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    for id in ["z", "b", "9"] {
        health.register(id);
    }
    let report = health.system_health(
        &stats(&[("b", 0.0), ("a", 0.0), ("12", 0.0), ("a", 7.0)]),
        &mut breakers,
        T0,
    );
    assert_eq!(report.total_models, 5);
    // The stats keys (array indices first), then unseen histories; the
    // reported object moves index-like ids to the front again.
    assert_eq!(ids(&report), ["9", "12", "b", "a", "z"]);
    let a = report
        .models
        .iter()
        .find(|m| m.model_id == "a")
        .map(|m| m.avg_response_time_ms);
    assert_eq!(a, Some(7.0), "a repeated stats key keeps its last value");
}

#[test]
fn the_system_sum_runs_model_by_model_in_object_order() {
    let mut health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    health.record_success("x", 1e16, T0);
    health.record_success("x", 1.0, T0);
    health.record_success("7", -1e16, T0);
    // "7" comes first: (0 + -1e16) + ((0 + 1e16) + 1).
    let expected = (-1e16 + (1e16 + 1.0)) / 3.0;
    let report = health.system_health(&stats(&[("x", 0.0), ("7", 0.0)]), &mut breakers, T0);
    assert_eq!(report.average_latency_ms, expected);
}

#[test]
fn reset_all_forgets_every_model() {
    let mut health = HealthManager::default();
    let mut breakers = BreakerManager::default();
    health.record_success("a", 1.0, T0);
    health.reset_all();
    assert_eq!(health.system_health(&[], &mut breakers, T0).total_models, 0);
}
