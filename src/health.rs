//! `HealthTable`: the engine's health manager behind a public `HealthCheckManager`,
//! reading the breaker table of the `CircuitBreakerManager` it was built with.

use engine::health::HealthManager;
use engine::jsval::JsValue;
use napi::bindgen_prelude::*;
use std::sync::{Arc, Mutex};

use crate::breaker::{table, BreakerTable};
use crate::core::{model_health_object, simple_health_object, system_health_object};
use crate::js_value;

#[napi]
pub struct HealthTable {
    health: HealthManager,
    breakers: Arc<Mutex<engine::breaker::BreakerManager>>,
}

#[napi]
impl HealthTable {
    #[napi(constructor, catch_unwind)]
    pub fn new(breakers: &BreakerTable, metrics_window_ms: f64, max_metrics_history: f64) -> Self {
        HealthTable {
            health: HealthManager::new(metrics_window_ms, max_metrics_history),
            breakers: Arc::clone(&breakers.shared),
        }
    }

    #[napi(catch_unwind)]
    pub fn record_success(&mut self, model_id: String, response_time_ms: f64, now: f64) {
        self.health.record_success(&model_id, response_time_ms, now);
    }

    #[napi(catch_unwind)]
    pub fn record_failure(&mut self, model_id: String, response_time_ms: f64, now: f64) {
        self.health.record_failure(&model_id, response_time_ms, now);
    }

    /// `getModelHealth(modelId, modelStats?)`.
    #[napi(catch_unwind)]
    pub fn model_health<'env>(
        &self,
        env: &'env Env,
        model_id: String,
        model_stats: Unknown,
        now: f64,
    ) -> Result<Object<'env>> {
        let average_latency = average_latency(&js_value::snapshot(model_stats)?);
        let health =
            self.health
                .model_health(&model_id, average_latency, &mut table(&self.breakers), now);
        model_health_object(env, &health)
    }

    /// `getSystemHealth(modelStatsMap)`.
    #[napi(catch_unwind)]
    pub fn system_health<'env>(
        &self,
        env: &'env Env,
        model_stats_map: Unknown,
        now: f64,
    ) -> Result<Object<'env>> {
        let stats = stats_list(model_stats_map)?;
        let health = self
            .health
            .system_health(&stats, &mut table(&self.breakers), now);
        system_health_object(env, &health)
    }

    #[napi(catch_unwind)]
    pub fn is_accepting_requests(&self, model_stats_map: Unknown, now: f64) -> Result<bool> {
        let stats = stats_list(model_stats_map)?;
        Ok(self
            .health
            .is_accepting_requests(&stats, &mut table(&self.breakers), now))
    }

    /// `HealthCheckEndpoint.getSimpleHealth(modelStatsMap)`.
    #[napi(catch_unwind)]
    pub fn simple_health<'env>(
        &self,
        env: &'env Env,
        model_stats_map: Unknown,
        now: f64,
    ) -> Result<Object<'env>> {
        let stats = stats_list(model_stats_map)?;
        simple_health_object(
            env,
            self.health
                .simple_health(&stats, &mut table(&self.breakers), now),
        )
    }

    #[napi(catch_unwind)]
    pub fn reset_model_metrics(&mut self, model_id: String) {
        self.health.reset_model(&model_id);
    }

    #[napi(catch_unwind)]
    pub fn reset_all_metrics(&mut self) {
        self.health.reset_all();
    }

    #[napi(catch_unwind)]
    pub fn register_model(&mut self, model_id: String) {
        self.health.register(&model_id);
    }

    #[napi(catch_unwind)]
    pub fn unregister_model(&mut self, model_id: String) {
        self.health.unregister(&model_id);
    }
}

/// `modelStats?.averageLatency`, when it is a number.
fn average_latency(model_stats: &JsValue) -> Option<f64> {
    model_stats.get("averageLatency").as_number()
}

/// The `(modelId, averageLatency)` pairs of a `Record<string, ModelStats>`.
fn stats_list(map: Unknown) -> Result<Vec<(String, Option<f64>)>> {
    Ok(match js_value::snapshot(map)? {
        JsValue::Object(entries) => entries
            .iter()
            .map(|(id, stats)| (id.clone(), average_latency(stats)))
            .collect(),
        _ => Vec::new(),
    })
}
