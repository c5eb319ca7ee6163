//! The multiplexer's model table: the primary and fallback pools with their statistics, breakers and health.
//!
//! This is the state of the original's `BedrockMultiplexer` without its I/O
//! and events: the caller invokes models and emits events, and asks this
//! table what to select, what to record and what to report.
//!
//! The two pools behave like the original's two `Map`s: re-adding an id to
//! its pool replaces the entry in place with fresh statistics, and the same
//! id may sit in both pools (added once as primary, once as fallback). Where
//! the original then looks an id up, the primary entry wins; where it builds
//! an object from both pools, the fallback entry's values win.

use crate::breaker::{lock, BreakerConfig, BreakerManager, BreakerState, SharedBreaker};
use crate::health::{HealthManager, ModelHealth, SimpleHealth, SystemHealth};
use crate::jsval::object_entries;
use crate::ordered::JsMap;
use crate::outcome::OutcomeType;
use crate::select::weighted_pick;
use crate::stats::{LatencyMetrics, LatencyWindow, ModelStats};
use crate::validate::ModelSpec;
use crate::Millis;

/// One model in a pool.
#[derive(Debug, Clone)]
pub struct ModelEntry {
    pub model_id: String,
    pub weight: f64,
    pub is_fallback: bool,
    pub stats: ModelStats,
    /// The breaker the model was given when added, which its invocations record into.
    pub breaker: SharedBreaker,
}

/// The answer to a selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub model_id: Option<String>,
    pub is_fallback: bool,
    /// Models passed over because their circuit is open, in the order the
    /// original emits `model-circuit-open-skipped` for them.
    pub circuit_open_skipped: Vec<String>,
}

/// One model's statistics as `getStats()` reports them.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelStatsView {
    pub model_id: String,
    pub success_count: u64,
    pub rate_limit_count: u64,
    pub fail_fast_count: u64,
    pub refusal_count: u64,
    pub average_latency: f64,
    pub is_fallback: bool,
}

/// `getStats()`.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiplexerStats {
    pub success_count: u64,
    pub rate_limit_count: u64,
    pub fail_fast_count: u64,
    pub refusal_count: u64,
    /// Keyed by model id, in the key order of the original's object.
    pub model_stats: Vec<(String, ModelStatsView)>,
    pub latency: LatencyMetrics,
}

/// The multiplexer's model table. See the module documentation.
#[derive(Debug)]
pub struct Registry {
    primary: JsMap<ModelEntry>,
    fallback: JsMap<ModelEntry>,
    breakers: BreakerManager,
    health: HealthManager,
    latency: LatencyWindow,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    pub fn new() -> Self {
        Self::with_breaker_config(BreakerConfig::default())
    }

    /// A registry whose breakers start from `breaker_config` (the original reads the
    /// live `DEFAULT_CIRCUIT_BREAKER_CONFIG` object when a multiplexer is built).
    pub fn with_breaker_config(breaker_config: BreakerConfig) -> Self {
        Self {
            primary: JsMap::new(),
            fallback: JsMap::new(),
            breakers: BreakerManager::new(breaker_config),
            health: HealthManager::default(),
            latency: LatencyWindow::new(),
        }
    }

    /// `addModel(config)`: the model's breaker (created unless it exists),
    /// which the caller hands to the model it builds.
    pub fn add_model(&mut self, spec: &ModelSpec) -> SharedBreaker {
        let breaker = self.breakers.get_or_create(&spec.model_id, None);
        let entry = ModelEntry {
            model_id: spec.model_id.clone(),
            weight: spec.weight,
            is_fallback: spec.is_fallback,
            stats: ModelStats::default(),
            breaker: SharedBreaker::clone(&breaker),
        };
        let pool = if spec.is_fallback {
            &mut self.fallback
        } else {
            &mut self.primary
        };
        pool.set(&spec.model_id, entry);
        self.health.register(&spec.model_id);
        breaker
    }

    /// `removeModel(id)`: destroying the models resets their breakers, which
    /// then leave the manager with the health history. Unknown ids are fine.
    pub fn remove_model(&mut self, model_id: &str) {
        for pool in [&mut self.primary, &mut self.fallback] {
            if let Some(entry) = pool.remove(model_id) {
                lock(&entry.breaker).reset();
            }
        }
        self.health.unregister(model_id);
        self.breakers.remove(model_id);
    }

    pub fn contains(&self, model_id: &str) -> bool {
        self.entry(model_id).is_some()
    }

    /// `getModel(id)`: the primary entry, else the fallback one.
    pub fn entry(&self, model_id: &str) -> Option<&ModelEntry> {
        self.primary
            .get(model_id)
            .or_else(|| self.fallback.get(model_id))
    }

    pub fn breaker(&self, model_id: &str) -> Option<SharedBreaker> {
        self.entry(model_id)
            .map(|entry| SharedBreaker::clone(&entry.breaker))
    }

    pub fn primary_count(&self) -> usize {
        self.primary.len()
    }

    pub fn fallback_count(&self) -> usize {
        self.fallback.len()
    }

    /// `selectModel({ skippedModels })`: a weighted draw among the primary
    /// models neither skipped nor behind an open circuit, else among the
    /// fallback ones. Each pool with a positive total weight costs one draw.
    pub fn select(
        &mut self,
        skipped: &dyn Fn(&str) -> bool,
        now: Millis,
        draw: &mut dyn FnMut() -> f64,
    ) -> Selection {
        let mut circuit_open_skipped = Vec::new();
        for (pool, is_fallback) in [(&self.primary, false), (&self.fallback, true)] {
            let mut candidates: Vec<(&str, f64)> = Vec::new();
            for (model_id, entry) in pool.iter() {
                if skipped(model_id) {
                    continue;
                }
                if !self.breakers.can_execute(model_id, now) {
                    circuit_open_skipped.push(model_id.to_owned());
                    continue;
                }
                candidates.push((model_id, entry.weight));
            }
            let weights: Vec<f64> = candidates.iter().map(|&(_, weight)| weight).collect();
            let picked = weighted_pick(&weights, draw)
                .and_then(|index| candidates.get(index))
                .map(|&(id, _)| id);
            // The original tests the picked id for truthiness: an empty id counts as no pick.
            if let Some(model_id) = picked.filter(|id| !id.is_empty()) {
                return Selection {
                    model_id: Some(model_id.to_owned()),
                    is_fallback,
                    circuit_open_skipped,
                };
            }
        }
        Selection {
            model_id: None,
            is_fallback: false,
            circuit_open_skipped,
        }
    }

    /// `reportOutcome(outcome)`; false (and nothing recorded) for an unknown model.
    pub fn report_outcome(
        &mut self,
        model_id: &str,
        kind: OutcomeType,
        latency: f64,
        now: Millis,
    ) -> bool {
        self.report_outcome_kind(model_id, Some(kind), latency, now)
    }

    /// [`Registry::report_outcome`] for an outcome type that may be one the
    /// original does not know (`None`): see [`ModelStats::record_kind`]. It
    /// is recorded as a failure in the health history.
    pub fn report_outcome_kind(
        &mut self,
        model_id: &str,
        kind: Option<OutcomeType>,
        latency: f64,
        now: Millis,
    ) -> bool {
        let entry = match self.primary.get_mut(model_id) {
            Some(entry) => entry,
            None => match self.fallback.get_mut(model_id) {
                Some(entry) => entry,
                None => return false,
            },
        };
        entry.stats.record_kind(kind, latency);
        self.latency.record(latency);
        if kind == Some(OutcomeType::Success) {
            self.health.record_success(model_id, latency, now);
        } else {
            self.health.record_failure(model_id, latency, now);
        }
        true
    }

    fn entries(&self) -> impl Iterator<Item = &ModelEntry> {
        self.primary.values().chain(self.fallback.values())
    }

    /// `getStats()`.
    pub fn stats(&self) -> MultiplexerStats {
        let sum =
            |count: fn(&ModelStats) -> u64| self.entries().map(|entry| count(&entry.stats)).sum();
        let model_stats = object_entries(self.entries().map(|entry| {
            let stats = &entry.stats;
            let view = ModelStatsView {
                model_id: entry.model_id.clone(),
                success_count: stats.success_count,
                rate_limit_count: stats.rate_limit_count,
                fail_fast_count: stats.fail_fast_count,
                refusal_count: stats.refusal_count,
                average_latency: stats.average_latency,
                is_fallback: entry.is_fallback,
            };
            (entry.model_id.clone(), view)
        }));
        MultiplexerStats {
            success_count: sum(|s| s.success_count),
            rate_limit_count: sum(|s| s.rate_limit_count),
            fail_fast_count: sum(|s| s.fail_fast_count),
            refusal_count: sum(|s| s.refusal_count),
            model_stats,
            latency: self.latency.metrics(),
        }
    }

    /// `resetStats()`: zeroes every model's statistics and the latency window.
    pub fn reset_stats(&mut self) {
        for (_, entry) in self.primary.iter_mut().chain(self.fallback.iter_mut()) {
            entry.stats.reset();
        }
        self.latency.clear();
    }

    /// The (id, mean latency) pairs of the stats object the original hands to health checks.
    fn stats_for_health(&self) -> Vec<(String, Option<f64>)> {
        self.entries()
            .map(|entry| (entry.model_id.clone(), Some(entry.stats.average_latency)))
            .collect()
    }

    /// `getHealthStatus()`.
    pub fn system_health(&mut self, now: Millis) -> SystemHealth {
        let stats = self.stats_for_health();
        self.health.system_health(&stats, &mut self.breakers, now)
    }

    /// `getModelHealthStatus(id)`; `None` for an unknown model.
    pub fn model_health(&mut self, model_id: &str, now: Millis) -> Option<ModelHealth> {
        let average_latency = self.entry(model_id)?.stats.average_latency;
        Some(
            self.health
                .model_health(model_id, Some(average_latency), &mut self.breakers, now),
        )
    }

    /// `getSimpleHealthCheck()`.
    pub fn simple_health(&mut self, now: Millis) -> SimpleHealth {
        let stats = self.stats_for_health();
        self.health.simple_health(&stats, &mut self.breakers, now)
    }

    /// `isHealthy()`.
    pub fn is_healthy(&mut self, now: Millis) -> bool {
        self.simple_health(now).healthy
    }

    /// `getCircuitBreakerStatus()`: (id, state, recent failures) per breaker.
    pub fn circuit_breaker_status(&self, now: Millis) -> Vec<(String, BreakerState, usize)> {
        self.breakers
            .all_status(now)
            .into_iter()
            .map(|(model_id, status)| (model_id, status.state, status.failure_count))
            .collect()
    }

    /// What `destroy()` does to the state: every model's breaker reset, the
    /// pools, breakers and health history cleared. The latency window
    /// survives, as in the original.
    pub fn destroy(&mut self) {
        for entry in self.entries() {
            lock(&entry.breaker).reset();
        }
        self.primary.clear();
        self.fallback.clear();
        self.breakers.clear();
        self.health.reset_all();
    }
}

#[cfg(test)]
mod tests {
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
        assert!(std::sync::Arc::ptr_eq(&first, &again));
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
        assert!(!r.contains("a"));
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
        assert!(!std::sync::Arc::ptr_eq(&breaker, &fresh));
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
        assert!(!r.contains("a"));
        assert!(r.circuit_breaker_status(T0).is_empty());
        assert_eq!(r.system_health(T0).total_models, 0);
        let stats = r.stats();
        assert!(stats.model_stats.is_empty());
        assert_eq!(stats.latency.max, 25.0);
    }
}
