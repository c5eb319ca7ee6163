//! Health checks: per-model request history, and the model and system health reports built from it.
//!
//! Mirrors the original's `HealthCheckManager` and `HealthCheckEndpoint`.
//! Windowed values (requests in the last minute, their mean response time)
//! are computed in one pass over the bounded history; the system p99 uses a
//! linear-time selection, which picks the same element a full sort would.

use std::collections::VecDeque;

use crate::breaker::{lock, BreakerManager, BreakerState};
use crate::jsval::{object_entries, order_like_object_keys};
use crate::ordered::JsMap;
use crate::stats::js_numeric_order;
use crate::Millis;

/// One model's request history and lifetime counts.
#[derive(Debug, Clone, Default)]
struct ModelMetrics {
    /// (time, response time) of the latest requests, oldest first.
    requests: VecDeque<(Millis, f64)>,
    success_count: u64,
    failure_count: u64,
    last_success_at: Option<Millis>,
    last_failure_at: Option<Millis>,
}

/// `ModelHealthStatus`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelHealth {
    pub model_id: String,
    pub is_healthy: bool,
    pub circuit_state: BreakerState,
    pub last_success_at: Option<Millis>,
    pub last_failure_at: Option<Millis>,
    pub avg_response_time_ms: f64,
    pub error_rate: f64,
    pub requests_per_minute: usize,
}

/// `SystemHealthStatus`, its `metrics` flattened. `models` is in the key
/// order of the original's `models` object.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemHealth {
    pub is_healthy: bool,
    pub timestamp: Millis,
    pub total_models: usize,
    pub healthy_models: usize,
    pub degraded_models: usize,
    pub unhealthy_models: usize,
    pub models: Vec<ModelHealth>,
    pub total_requests: u64,
    pub success_rate: f64,
    pub average_latency_ms: f64,
    pub p99_latency_ms: f64,
}

/// `HealthCheckEndpoint.getSimpleHealth()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimpleHealth {
    pub healthy: bool,
}

impl SimpleHealth {
    pub fn status(self) -> &'static str {
        if self.healthy {
            "healthy"
        } else {
            "unhealthy"
        }
    }

    pub fn code(self) -> u16 {
        if self.healthy {
            200
        } else {
            503
        }
    }
}

/// The in-window part of one model's history.
struct Recent {
    count: usize,
    /// Response times summed from zero in arrival order, as `reduce` does.
    sum: f64,
}

/// Per-model counts the system report aggregates.
struct Lifetime {
    requests: u64,
    successes: u64,
}

/// `HealthCheckManager`.
#[derive(Debug, Clone)]
pub struct HealthManager {
    window_ms: f64,
    max_history: f64,
    metrics: JsMap<ModelMetrics>,
}

impl Default for HealthManager {
    fn default() -> Self {
        Self::new(60000.0, 1000.0)
    }
}

impl HealthManager {
    /// `window_ms` bounds "recent"; `max_history` caps the requests kept per
    /// model. Both are JavaScript numbers and compared as such.
    pub fn new(window_ms: f64, max_history: f64) -> Self {
        Self {
            window_ms,
            max_history,
            metrics: JsMap::new(),
        }
    }

    pub fn record_success(&mut self, model_id: &str, response_time_ms: f64, now: Millis) {
        let max_history = self.max_history;
        let metrics = self
            .metrics
            .get_or_insert_with(model_id, ModelMetrics::default);
        metrics.requests.push_back((now, response_time_ms));
        metrics.success_count += 1;
        metrics.last_success_at = Some(now);
        trim(&mut metrics.requests, max_history);
    }

    pub fn record_failure(&mut self, model_id: &str, response_time_ms: f64, now: Millis) {
        let max_history = self.max_history;
        let metrics = self
            .metrics
            .get_or_insert_with(model_id, ModelMetrics::default);
        metrics.requests.push_back((now, response_time_ms));
        metrics.failure_count += 1;
        metrics.last_failure_at = Some(now);
        trim(&mut metrics.requests, max_history);
    }

    /// Starts tracking a model; keeps any history it already has.
    pub fn register(&mut self, model_id: &str) {
        self.metrics
            .get_or_insert_with(model_id, ModelMetrics::default);
    }

    pub fn unregister(&mut self, model_id: &str) {
        self.metrics.remove(model_id);
    }

    pub fn reset_model(&mut self, model_id: &str) {
        self.metrics.remove(model_id);
    }

    pub fn reset_all(&mut self) {
        self.metrics.clear();
    }

    /// `getModelHealth(id, stats)`, where `average_latency` is the stats'
    /// mean latency, used when the model has no recent requests. Like the
    /// original it creates a breaker for a model that has none.
    pub fn model_health(
        &self,
        model_id: &str,
        average_latency: Option<f64>,
        breakers: &mut BreakerManager,
        now: Millis,
    ) -> ModelHealth {
        self.evaluate(model_id, average_latency, breakers, now, None)
            .0
    }

    /// `getSystemHealth(statsMap)`. `stats` are the (id, mean latency) pairs
    /// as they were assigned to the stats object; the models reported are its
    /// keys, then any other model with history, in registration order.
    pub fn system_health(
        &self,
        stats: &[(String, Option<f64>)],
        breakers: &mut BreakerManager,
        now: Millis,
    ) -> SystemHealth {
        let mut models: Vec<(String, Option<f64>)> = object_entries(stats.iter().cloned());
        for (model_id, _) in self.metrics.iter() {
            if !models.iter().any(|(id, _)| id == model_id) {
                models.push((model_id.to_owned(), None));
            }
        }

        let (mut healthy, mut degraded, mut unhealthy) = (0, 0, 0);
        let (mut total_requests, mut total_successes) = (0u64, 0u64);
        let (mut latency_sum, mut latency_count) = (0.0, 0usize);
        let mut response_times = Vec::new();
        let mut reports = Vec::with_capacity(models.len());

        for (model_id, average_latency) in &models {
            let (health, window, lifetime) = self.evaluate(
                model_id,
                *average_latency,
                breakers,
                now,
                Some(&mut response_times),
            );
            match (health.is_healthy, health.circuit_state) {
                (true, BreakerState::Closed) => healthy += 1,
                (true, _) => degraded += 1,
                (false, _) => unhealthy += 1,
            }
            if let Some(lifetime) = lifetime {
                total_requests += lifetime.requests;
                total_successes += lifetime.successes;
                latency_sum += window.sum;
                latency_count += window.count;
            }
            reports.push(health);
        }
        order_like_object_keys(&mut reports, |health| &health.model_id);

        let total_models = models.len();
        // A lone model counts: max(1, ...) makes "0 unhealthy of 1" pass.
        let unhealthy_limit = (total_models / 2).max(1);
        SystemHealth {
            is_healthy: unhealthy < unhealthy_limit && healthy > 0,
            timestamp: now,
            total_models,
            healthy_models: healthy,
            degraded_models: degraded,
            unhealthy_models: unhealthy,
            models: reports,
            total_requests,
            success_rate: if total_requests > 0 {
                total_successes as f64 / total_requests as f64
            } else {
                1.0
            },
            average_latency_ms: if latency_count > 0 {
                latency_sum / latency_count as f64
            } else {
                0.0
            },
            p99_latency_ms: p99(&mut response_times),
        }
    }

    /// `isSystemAcceptingRequests(statsMap)`.
    pub fn is_accepting_requests(
        &self,
        stats: &[(String, Option<f64>)],
        breakers: &mut BreakerManager,
        now: Millis,
    ) -> bool {
        let health = self.system_health(stats, breakers, now);
        health.is_healthy && health.healthy_models > 0
    }

    /// `HealthCheckEndpoint.getSimpleHealth(statsMap)`.
    pub fn simple_health(
        &self,
        stats: &[(String, Option<f64>)],
        breakers: &mut BreakerManager,
        now: Millis,
    ) -> SimpleHealth {
        SimpleHealth {
            healthy: self.is_accepting_requests(stats, breakers, now),
        }
    }

    /// One model's report, its in-window totals, and its lifetime counts
    /// when it has history; in-window response times are appended to `sink`.
    fn evaluate(
        &self,
        model_id: &str,
        average_latency: Option<f64>,
        breakers: &mut BreakerManager,
        now: Millis,
        mut sink: Option<&mut Vec<f64>>,
    ) -> (ModelHealth, Recent, Option<Lifetime>) {
        let circuit_state = lock(&breakers.get_or_create(model_id, None))
            .status(now)
            .state;
        let metrics = self.metrics.get(model_id);

        let cutoff = now - self.window_ms;
        let mut recent = Recent { count: 0, sum: 0.0 };
        for &(at, response_time) in metrics.into_iter().flat_map(|m| m.requests.iter()) {
            if at > cutoff {
                recent.count += 1;
                recent.sum += response_time;
                if let Some(sink) = sink.as_deref_mut() {
                    sink.push(response_time);
                }
            }
        }

        let lifetime = metrics.map(|m| Lifetime {
            requests: m.success_count + m.failure_count,
            successes: m.success_count,
        });
        let error_rate = match (metrics, &lifetime) {
            (Some(m), Some(l)) if l.requests > 0 => m.failure_count as f64 / l.requests as f64,
            _ => 0.0,
        };
        let avg_response_time_ms = if recent.count > 0 {
            recent.sum / recent.count as f64
        } else {
            average_latency.unwrap_or(0.0)
        };

        let health = ModelHealth {
            model_id: model_id.to_owned(),
            is_healthy: circuit_state != BreakerState::Open && error_rate < 0.5,
            circuit_state,
            last_success_at: metrics.and_then(|m| m.last_success_at),
            last_failure_at: metrics.and_then(|m| m.last_failure_at),
            avg_response_time_ms,
            error_rate,
            requests_per_minute: recent.count,
        };
        (health, recent, lifetime)
    }
}

/// Drops the oldest requests beyond `max_history`, as `slice(length - max)`
/// does (a fractional excess truncates; a negative maximum empties it).
fn trim(requests: &mut VecDeque<(Millis, f64)>, max_history: f64) {
    let len = requests.len() as f64;
    if len > max_history {
        let excess = ((len - max_history).trunc() as usize).min(requests.len());
        requests.drain(..excess);
    }
}

/// The sorted sample at `floor(len * 0.99)`, or the largest when that one is
/// 0 (the original's `|| last`); 0 with no samples. Selection instead of a
/// sort keeps this linear; the chosen value is the same.
fn p99(samples: &mut [f64]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    // The last of equal maxima, which the stable sort would put last
    // (it only matters for telling -0 from 0).
    let largest = samples
        .iter()
        .copied()
        .fold(None, |best: Option<f64>, x| match best {
            Some(b) if js_numeric_order(&x, &b).is_lt() => Some(b),
            _ => Some(x),
        });
    let index = ((samples.len() as f64 * 0.99).floor() as usize).min(samples.len() - 1);
    let (_, &mut at_index, _) = samples.select_nth_unstable_by(index, js_numeric_order);
    if at_index == 0.0 || at_index.is_nan() {
        largest.unwrap_or(at_index)
    } else {
        at_index
    }
}

#[cfg(test)]
mod tests {
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
}
