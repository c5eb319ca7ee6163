//! Health checks: per-model request history, and the model and system health reports built from it.
//!
//! Mirrors the original's `HealthCheckManager` and `HealthCheckEndpoint`.
//! Windowed values (requests in the last minute, their mean response time)
//! are computed in one pass over the bounded history; the system p99 uses a
//! linear-time selection, which picks the same element a full sort would.

use std::collections::VecDeque;

use crate::breaker::{lock, BreakerManager, BreakerState};
use crate::jsval::object_entries;
use crate::ordered::JsMap;
use crate::stats::js_numeric_order;
use crate::Millis;
use bmm_js::keys::order_like_object_keys;

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
mod tests;
