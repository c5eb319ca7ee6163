use super::*;

const T0: Millis = 1_700_000_000_000.0;

fn spec(id: &str, weight: f64, is_fallback: bool) -> ModelSpec {
    ModelSpec {
        model_id: id.into(),
        weight,
        is_fallback,
    }
}

fn registry(specs: &[ModelSpec]) -> Registry {
    let mut registry = Registry::new();
    for spec in specs {
        registry.add_model(spec);
    }
    registry
}

/// Replays `values` as draws and counts them.
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

    fn select(&mut self, registry: &mut Registry, skipped: &[&str], now: Millis) -> Selection {
        let values = self.values.clone();
        let calls = &mut self.calls;
        let skipped: Vec<String> = skipped.iter().map(|s| s.to_string()).collect();
        registry.select(&|id| skipped.iter().any(|s| s == id), now, &mut || {
            let value = values[*calls];
            *calls += 1;
            value
        })
    }
}

fn open(registry: &Registry, id: &str) {
    let breaker = registry.breaker(id).unwrap();
    lock(&breaker).force_open(T0);
}

#[test]
fn primary_models_are_drawn_by_weight() {
    let mut r = registry(&[
        spec("a", 1.0, false),
        spec("b", 3.0, false),
        spec("f", 1.0, true),
    ]);
    let mut draws = Draws::new(&[0.2, 0.3]);
    assert_eq!(
        draws.select(&mut r, &[], T0),
        Selection {
            model_id: Some("a".into()),
            is_fallback: false,
            circuit_open_skipped: vec![]
        }
    );
    assert_eq!(draws.select(&mut r, &[], T0).model_id.as_deref(), Some("b"));
    assert_eq!(draws.calls, 2);
}

#[test]
fn fallback_models_are_drawn_once_the_primaries_are_skipped() {
    let mut r = registry(&[
        spec("a", 1.0, false),
        spec("f", 1.0, true),
        spec("g", 1.0, true),
    ]);
    let mut draws = Draws::new(&[0.9]);
    let selection = draws.select(&mut r, &["a"], T0);
    assert_eq!(selection.model_id.as_deref(), Some("g"));
    assert!(selection.is_fallback);
    assert_eq!(draws.calls, 1, "an empty primary pool costs no draw");
}

#[test]
fn open_circuits_are_passed_over_and_reported_in_pool_order() {
    let mut r = registry(&[
        spec("a", 1.0, false),
        spec("b", 1.0, false),
        spec("f", 1.0, true),
        spec("g", 1.0, true),
    ]);
    open(&r, "b");
    open(&r, "a");
    open(&r, "f");
    let mut draws = Draws::new(&[0.1]);
    let selection = draws.select(&mut r, &[], T0);
    assert_eq!(
        selection,
        Selection {
            model_id: Some("g".into()),
            is_fallback: true,
            circuit_open_skipped: vec!["a".into(), "b".into(), "f".into()]
        }
    );
    // A skipped model is not reported even when its circuit is open.
    let mut draws = Draws::new(&[]);
    let selection = draws.select(&mut r, &["a", "g"], T0);
    assert_eq!(selection.model_id, None);
    assert!(!selection.is_fallback);
    assert_eq!(
        selection.circuit_open_skipped,
        vec!["b".to_string(), "f".to_string()]
    );
}

#[test]
fn a_circuit_recovers_into_selection_after_its_recovery_time() {
    let mut r = registry(&[spec("a", 1.0, false)]);
    open(&r, "a");
    let mut draws = Draws::new(&[0.5]);
    assert_eq!(draws.select(&mut r, &[], T0 + 29999.0).model_id, None);
    assert_eq!(
        draws.select(&mut r, &[], T0 + 30000.0).model_id.as_deref(),
        Some("a")
    );
}

#[test]
fn zero_weight_pools_draw_nothing_and_fall_through() {
    let mut r = registry(&[spec("a", 0.0, false), spec("f", 2.0, true)]);
    let mut draws = Draws::new(&[0.5]);
    let selection = draws.select(&mut r, &[], T0);
    assert_eq!(selection.model_id.as_deref(), Some("f"));
    assert_eq!(draws.calls, 1);
}

#[test]
fn an_empty_id_picked_counts_as_no_pick_but_its_draw_is_spent() {
    let mut r = registry(&[spec("", 1.0, false), spec("f", 1.0, true)]);
    let mut draws = Draws::new(&[0.5, 0.5]);
    let selection = draws.select(&mut r, &[], T0);
    assert_eq!(selection.model_id.as_deref(), Some("f"));
    assert_eq!(draws.calls, 2);
}

#[test]
fn re_adding_a_model_keeps_its_place_and_breaker_but_resets_its_stats() {
    let mut r = registry(&[spec("a", 1.0, false), spec("b", 1.0, false)]);
    let first = r.breaker("a").unwrap();
    r.report_outcome("a", OutcomeType::Success, 10.0, T0);
    let again = r.add_model(&spec("a", 5.0, false));
    assert!(std::sync::Arc::ptr_eq(&first, &again.breaker));
    assert_eq!(r.entry("a").unwrap().weight, 5.0);
    assert_eq!(r.entry("a").unwrap().stats, ModelStats::default());
    let ids: Vec<String> = r
        .stats()
        .model_stats
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids, ["a", "b"]);
}

#[test]
fn an_id_in_both_pools_resolves_to_the_primary_entry() {
    let mut r = registry(&[spec("a", 1.0, false), spec("a", 1.0, true)]);
    assert_eq!((r.primary_count(), r.fallback_count()), (1, 1));
    assert!(!r.entry("a").unwrap().is_fallback);
    r.report_outcome("a", OutcomeType::Success, 10.0, T0);
    let stats = r.stats();
    assert_eq!(stats.success_count, 1);
    // The stats object is assigned primary then fallback: the fallback's values win.
    assert_eq!(stats.model_stats.len(), 1);
    assert_eq!(stats.model_stats[0].1.success_count, 0);
    assert!(stats.model_stats[0].1.is_fallback);
    // Health reads the same object: the fallback's mean latency (0) wins over the primary's.
    let health = r.system_health(T0 + 120000.0);
    assert_eq!(health.total_models, 1);
    assert_eq!(health.models[0].avg_response_time_ms, 0.0);
    // Looking the model up finds the primary entry's mean latency.
    assert_eq!(
        r.model_health("a", T0 + 120000.0)
            .unwrap()
            .avg_response_time_ms,
        10.0
    );
}

#[test]
fn each_pool_entry_gets_a_slot_kept_until_it_is_removed() {
    let mut r = Registry::new();
    let added = |r: &mut Registry, id, is_fallback| r.add_model(&spec(id, 1.0, is_fallback)).slot;
    assert_eq!(added(&mut r, "a", false), Slot(0));
    assert_eq!(added(&mut r, "a", true), Slot(1));
    assert_eq!(added(&mut r, "b", false), Slot(2));
    // Re-adding to the same pool replaces the entry in its slot; the primary entry is the one looked up.
    assert_eq!(added(&mut r, "a", false), Slot(0));
    assert_eq!(r.slot("a"), Some(Slot(0)));
    assert_eq!(r.slot("b"), Some(Slot(2)));
    assert_eq!(r.slot("missing"), None);

    let mut freed = r.remove_model("a");
    freed.sort_by_key(|slot| slot.0);
    assert_eq!(freed, [Slot(0), Slot(1)]);
    assert!(r.remove_model("a").is_empty());
    // Freed slots are handed out again before new ones.
    let mut reused = [added(&mut r, "c", false), added(&mut r, "d", true)];
    reused.sort_by_key(|slot| slot.0);
    assert_eq!(reused, [Slot(0), Slot(1)]);
    assert_eq!(added(&mut r, "e", false), Slot(3));

    r.destroy();
    assert_eq!(
        added(&mut r, "a", false),
        Slot(0),
        "destroy frees every slot"
    );
}

#[test]
fn outcomes_update_stats_latency_and_health() {
    let mut r = registry(&[spec("a", 1.0, false), spec("f", 1.0, true)]);
    assert!(r.report_outcome("a", OutcomeType::Success, 100.0, T0));
    assert!(r.report_outcome("a", OutcomeType::RateLimit, 300.0, T0));
    assert!(r.report_outcome("f", OutcomeType::Refusal, 50.0, T0));
    assert!(!r.report_outcome("zzz", OutcomeType::Success, 1.0, T0));
    let stats = r.stats();
    assert_eq!(
        (
            stats.success_count,
            stats.rate_limit_count,
            stats.fail_fast_count,
            stats.refusal_count
        ),
        (1, 1, 0, 1)
    );
    assert_eq!(
        stats.model_stats[0],
        (
            "a".to_string(),
            ModelStatsView {
                model_id: "a".into(),
                success_count: 1,
                rate_limit_count: 1,
                fail_fast_count: 0,
                refusal_count: 0,
                average_latency: 200.0,
                is_fallback: false
            }
        )
    );
    assert_eq!(stats.latency.min, 50.0);
    assert_eq!(stats.latency.max, 300.0);
    assert_eq!(stats.latency.p50, 100.0);
    let health = r.model_health("a", T0).unwrap();
    assert_eq!(health.requests_per_minute, 2);
    assert_eq!(health.error_rate, 0.5);
    assert!(r.model_health("zzz", T0).is_none());
}

#[test]
fn an_unknown_outcome_type_counts_as_a_health_failure() {
    let mut r = registry(&[spec("a", 1.0, false)]);
    assert!(r.report_outcome_kind("a", None, 10.0, T0));
    assert_eq!(r.stats().success_count + r.stats().fail_fast_count, 0);
    assert_eq!(r.model_health("a", T0).unwrap().error_rate, 1.0);
    assert_eq!(r.stats().latency.max, 10.0);
}

#[test]
fn reset_stats_zeroes_models_and_latency() {
    let mut r = registry(&[spec("a", 1.0, false)]);
    r.report_outcome("a", OutcomeType::FailFast, 10.0, T0);
    r.reset_stats();
    let stats = r.stats();
    assert_eq!(stats.fail_fast_count, 0);
    assert_eq!(stats.model_stats[0].1.average_latency, 0.0);
    assert_eq!(stats.latency, LatencyMetrics::default());
    // Health history is not statistics: it stays.
    assert_eq!(r.model_health("a", T0).unwrap().requests_per_minute, 1);
}

#[test]
fn model_stats_are_listed_in_object_key_order() {
    let r = registry(&[
        spec("b", 1.0, false),
        spec("10", 1.0, false),
        spec("a", 1.0, true),
        spec("2", 1.0, true),
    ]);
    let ids: Vec<String> = r
        .stats()
        .model_stats
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids, ["2", "10", "b", "a"]);
}

#[test]
fn removing_a_model_resets_its_breaker_and_forgets_it() {
    let mut r = registry(&[
        spec("a", 1.0, false),
        spec("a", 1.0, true),
        spec("b", 1.0, false),
    ]);
    let breaker = r.breaker("a").unwrap();
    lock(&breaker).force_open(T0);
    r.report_outcome("a", OutcomeType::Success, 1.0, T0);
    r.remove_model("a");
    assert_eq!(r.slot("a"), None);
    assert!(
        lock(&breaker).can_execute(T0),
        "the removed model's breaker was reset"
    );
    let status = r.circuit_breaker_status(T0);
    assert_eq!(status, vec![("b".to_string(), BreakerState::Closed, 0)]);
    assert_eq!(r.system_health(T0).total_models, 1);
    r.remove_model("never-added");
    // Adding it back starts a fresh breaker.
    let fresh = r.add_model(&spec("a", 1.0, false));
    assert!(!std::sync::Arc::ptr_eq(&breaker, &fresh.breaker));
}

#[test]
fn health_reports_cover_every_model() {
    let mut r = registry(&[
        spec("a", 1.0, false),
        spec("b", 1.0, false),
        spec("f", 1.0, true),
    ]);
    assert!(r.is_healthy(T0));
    let health = r.system_health(T0);
    assert_eq!((health.total_models, health.healthy_models), (3, 3));
    open(&r, "a");
    open(&r, "b");
    // Two unhealthy of three is not below max(1, floor(3 / 2)) = 1.
    assert!(!r.is_healthy(T0));
    let simple = r.simple_health(T0);
    assert_eq!((simple.status(), simple.code()), ("unhealthy", 503));
}

#[test]
fn circuit_breaker_status_reports_state_and_recent_failures() {
    let r = registry(&[spec("a", 1.0, false), spec("b", 1.0, false)]);
    for _ in 0..5 {
        lock(&r.breaker("b").unwrap()).record_failure(T0);
    }
    assert_eq!(
        r.circuit_breaker_status(T0),
        vec![
            ("a".to_string(), BreakerState::Closed, 0),
            ("b".to_string(), BreakerState::Open, 5)
        ]
    );
    assert_eq!(
        r.circuit_breaker_status(T0 + 30000.0)[1].1,
        BreakerState::HalfOpen
    );
}

#[test]
fn destroy_resets_breakers_and_empties_the_table_but_keeps_latencies() {
    let mut r = registry(&[spec("a", 1.0, false), spec("f", 1.0, true)]);
    let breaker = r.breaker("f").unwrap();
    lock(&breaker).force_open(T0);
    r.report_outcome("a", OutcomeType::Success, 25.0, T0);
    r.destroy();
    assert!(lock(&breaker).can_execute(T0));
    assert_eq!(r.slot("a"), None);
    assert!(r.circuit_breaker_status(T0).is_empty());
    assert_eq!(r.system_health(T0).total_models, 0);
    let stats = r.stats();
    assert!(stats.model_stats.is_empty());
    assert_eq!(stats.latency.max, 25.0);
}

/// A fleet that skips the listed models and admits a model only while it has permits.
#[derive(Debug)]
struct StubFleet {
    skipped: Vec<&'static str>,
    permits: std::sync::Mutex<Vec<(&'static str, u32)>>,
}

impl crate::fleet::FleetGate for StubFleet {
    fn skips(&self, model_id: &str, _: Millis) -> bool {
        self.skipped.contains(&model_id)
    }
    fn admits(&self, model_id: &str, _: Millis) -> bool {
        let mut permits = self.permits.lock().unwrap();
        match permits.iter_mut().find(|(id, _)| *id == model_id) {
            Some((_, 0)) => false,
            Some((_, left)) => {
                *left -= 1;
                true
            }
            None => true,
        }
    }
    fn record(&self, _: &str, _: crate::fleet::Fact, _: Millis) {}
    fn count(&self, _: &str, _: crate::fleet::Counter, _: i64, _: Millis) {}
    fn charge_tokens(&self, _: &str, _: f64, _: Millis) {}
}

fn in_fleet(
    registry: &mut Registry,
    skipped: Vec<&'static str>,
    permits: Vec<(&'static str, u32)>,
) {
    let fleet = StubFleet {
        skipped,
        permits: std::sync::Mutex::new(permits),
    };
    registry.join_fleet(crate::fleet::FleetHook::new(Box::new(fleet), 5000));
}

#[test]
fn a_model_the_fleet_skips_is_passed_over_like_an_open_circuit() {
    let mut registry = registry(&[spec("a", 1.0, false), spec("b", 1.0, false)]);
    in_fleet(&mut registry, vec!["a"], vec![]);
    let selection = Draws::new(&[0.0]).select(&mut registry, &[], T0);
    assert_eq!(selection.model_id.as_deref(), Some("b"));
    assert_eq!(selection.circuit_open_skipped, vec!["a".to_owned()]);
}

#[test]
fn a_pick_over_its_quota_is_passed_over_and_the_rest_drawn_again() {
    let mut registry = registry(&[
        spec("a", 1.0, false),
        spec("b", 1.0, false),
        spec("f", 1.0, true),
    ]);
    in_fleet(&mut registry, vec![], vec![("a", 0), ("b", 1)]);
    let mut draws = Draws::new(&[0.0; 5]);
    let first = draws.select(&mut registry, &[], T0);
    assert_eq!(first.model_id.as_deref(), Some("b"));
    assert_eq!(first.circuit_open_skipped, vec!["a".to_owned()]);
    assert_eq!(
        draws.calls, 2,
        "one draw for the pool, one more after the refusal"
    );
    let second = draws.select(&mut registry, &[], T0);
    assert_eq!(second.model_id.as_deref(), Some("f"));
    assert!(second.is_fallback);
    assert_eq!(
        second.circuit_open_skipped,
        vec!["a".to_owned(), "b".to_owned()]
    );
}

#[test]
fn without_a_fleet_selection_draws_once_per_pool_as_before() {
    let mut registry = registry(&[spec("a", 1.0, false), spec("b", 1.0, false)]);
    let mut draws = Draws::new(&[0.0]);
    assert_eq!(
        draws.select(&mut registry, &[], T0).model_id.as_deref(),
        Some("a")
    );
    assert_eq!(draws.calls, 1);
}
