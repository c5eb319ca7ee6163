//! `MultiplexerCore`: the engine's model table behind one `BedrockMultiplexer`.
//!
//! Holds the ids, order, weights, pools, breakers, statistics and health of the
//! models; the JavaScript class around it keeps each model's object at the slot this
//! table hands out for it, and emits the events.

use engine::health::{ModelHealth, SimpleHealth, SystemHealth};
use engine::outcome::OutcomeType;
use engine::registry::Registry;
use engine::routing::Routing;
use engine::stats::LatencyMetrics;
use engine::stream_stats::StreamStats;
use engine::validate::ModelSpec;
use napi::bindgen_prelude::*;
use napi::ValueType;

use crate::breaker::{breaker_config, BreakerHandle};
use crate::clock::{self, Dice};
use crate::error::set_or_undefined;
use crate::fleet;
use crate::js_value;

#[napi]
pub struct MultiplexerCore {
    pub(crate) registry: Registry,
    streams: StreamStats,
}

#[napi(object, use_nullable = true)]
pub struct Selection {
    pub model_id: Option<String>,
    pub is_fallback: bool,
    pub circuit_open_skipped: Vec<String>,
}

/// A model just added: its breaker, and where the caller keeps the model's object.
#[napi(object, object_from_js = false)]
pub struct AddedModel {
    pub breaker: BreakerHandle,
    pub slot: u32,
}

#[napi(object)]
pub struct PoolSizes {
    pub primary: u32,
    pub fallback: u32,
}

#[napi]
impl MultiplexerCore {
    /// An empty table whose breakers start from `breaker_defaults`; the caller adds
    /// the models one by one (so that each gets its `model-added` event).
    #[napi(constructor, catch_unwind)]
    pub fn new(breaker_defaults: Unknown) -> Result<Self> {
        Ok(MultiplexerCore {
            registry: Registry::with_breaker_config(breaker_config(breaker_defaults)?),
            streams: StreamStats::default(),
        })
    }

    /// Beyond the original: the validated `routing` option's name.
    #[napi(catch_unwind)]
    pub fn set_routing(&mut self, name: String) -> Result<()> {
        let routing = Routing::from_name(&name)
            .ok_or_else(|| Error::new(Status::InvalidArg, format!("unknown routing {name}")))?;
        self.registry.set_routing(routing);
        Ok(())
    }

    /// Adds (or replaces) a model: its breaker's handle and the slot for its object.
    #[napi(catch_unwind)]
    pub fn add_model(&mut self, model: Unknown) -> Result<AddedModel> {
        let config = js_value::snapshot(model)?;
        let spec = ModelSpec {
            model_id: config.get("modelId").to_js_string(),
            weight: config.get("weight").to_number(),
            is_fallback: config.get("isFallback").is_truthy(),
        };
        let added = self.registry.add_model(&spec);
        Ok(AddedModel {
            breaker: BreakerHandle::wrap(added.breaker),
            slot: added.slot.0,
        })
    }

    /// Removes a model from both pools; returns the slots whose objects to let go.
    #[napi(catch_unwind)]
    pub fn remove_model(&mut self, model_id: String) -> Vec<u32> {
        let freed = self.registry.remove_model(&model_id);
        freed.into_iter().map(|slot| slot.0).collect()
    }

    /// The slot of the model `getModel(id)` answers with (the primary entry's, else
    /// the fallback one's), or null when there is none.
    #[napi(catch_unwind)]
    pub fn model_slot(&self, model_id: String) -> Option<u32> {
        self.registry.slot(&model_id).map(|slot| slot.0)
    }

    #[napi(catch_unwind)]
    pub fn select(
        &mut self,
        skipped: Vec<String>,
        now: f64,
        random: Function<(), f64>,
    ) -> Result<Selection> {
        let mut dice = Dice::new(&random);
        let selection = self.registry.select(
            &|id: &str| skipped.iter().any(|s| s == id),
            now,
            &mut || dice.draw(),
        );
        dice.finish()?;
        Ok(Selection {
            model_id: selection.model_id,
            is_fallback: selection.is_fallback,
            circuit_open_skipped: selection.circuit_open_skipped,
        })
    }

    /// Records an outcome; false when the model is unknown. `kind` is whatever the
    /// caller put in `outcome.type`: one the original does not know counts in no
    /// counter, as there.
    #[napi(catch_unwind)]
    pub fn report_outcome(
        &mut self,
        model_id: String,
        kind: Unknown,
        latency: Unknown,
        now: f64,
    ) -> Result<bool> {
        let kind = match kind.get_type()? {
            ValueType::Number => OutcomeType::from_code(unsafe { kind.cast::<f64>() }?),
            _ => None,
        };
        let latency = js_value::snapshot(latency)?.to_number();
        Ok(self
            .registry
            .report_outcome_kind(&model_id, kind, latency, now))
    }

    /// A served response's or finished stream's `usage`, charged to the model's fleet
    /// token quota (with `sharedState` only; otherwise not even read).
    #[napi(catch_unwind)]
    pub fn charge_usage(&self, model_id: String, usage: Option<Unknown>, now: f64) -> Result<()> {
        if self.registry.in_fleet() {
            if let Some(usage) = fleet::usage_of(usage)? {
                self.registry.charge_usage(&model_id, usage, now);
            }
        }
        Ok(())
    }

    #[napi(catch_unwind)]
    pub fn stats<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let stats = self.registry.stats();
        let mut out = Object::new(env)?;
        out.set("successCount", stats.success_count as f64)?;
        out.set("rateLimitCount", stats.rate_limit_count as f64)?;
        out.set("failFastCount", stats.fail_fast_count as f64)?;
        out.set("refusalCount", stats.refusal_count as f64)?;
        let mut per_model = Object::new(env)?;
        for (model_id, model) in &stats.model_stats {
            let mut entry = Object::new(env)?;
            entry.set("modelId", model.model_id.as_str())?;
            entry.set("successCount", model.success_count as f64)?;
            entry.set("rateLimitCount", model.rate_limit_count as f64)?;
            entry.set("failFastCount", model.fail_fast_count as f64)?;
            entry.set("refusalCount", model.refusal_count as f64)?;
            entry.set("averageLatency", model.average_latency)?;
            entry.set("isFallback", model.is_fallback)?;
            per_model.set(model_id, entry)?;
        }
        out.set("modelStats", per_model)?;
        out.set("latencyMetrics", latency_object(env, &stats.latency)?)?;
        Ok(out)
    }

    /// Beyond the original, with `routing` `'latency'` or `'least-busy'`: per model, its
    /// latency estimate (ms, null before its first success) and requests in flight;
    /// `null` with the default `'weighted'`.
    #[napi(catch_unwind)]
    pub fn routing_stats<'env>(&self, env: &'env Env) -> Result<Option<Object<'env>>> {
        let Some(loads) = self.registry.routing_loads() else {
            return Ok(None);
        };
        let mut out = Object::new(env)?;
        for (model_id, load) in loads {
            let mut entry = Object::new(env)?;
            entry.set("latencyEstimateMs", load.latency_estimate)?;
            entry.set("inFlight", load.in_flight)?;
            out.set(model_id, entry)?;
        }
        Ok(Some(out))
    }

    /// A request's hold in flight moves: `release` (the model its ended attempt held)
    /// has one fewer, `hold` (the model it goes on with) one more.
    #[napi(catch_unwind)]
    pub fn move_in_flight(&mut self, hold: Option<String>, release: Option<String>) {
        if let Some(model_id) = release {
            self.registry.release_selection(&model_id);
        }
        if let Some(model_id) = hold {
            self.registry.hold_selection(&model_id);
        }
    }

    #[napi(catch_unwind)]
    pub fn reset_stats(&mut self) {
        self.registry.reset_stats();
        self.streams.reset();
    }

    /// A stream that ended (see `StreamStats::record`).
    #[napi(catch_unwind)]
    pub fn record_stream(
        &mut self,
        model_id: String,
        first_event_ms: f64,
        output_tokens: f64,
        streaming_ms: f64,
    ) {
        self.streams
            .record(&model_id, first_event_ms, output_tokens, streaming_ms);
    }

    /// `getStreamStats()`: `{ [modelId]: { streams, timeToFirstEvent, outputTokensPerSecond } }`.
    #[napi(catch_unwind)]
    pub fn stream_stats<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let mut out = Object::new(env)?;
        for model in self.streams.view() {
            let mut entry = Object::new(env)?;
            entry.set("streams", model.streams as f64)?;
            entry.set(
                "timeToFirstEvent",
                latency_object(env, &model.time_to_first_event)?,
            )?;
            entry.set("outputTokensPerSecond", model.output_tokens_per_second)?;
            out.set(&model.model_id, entry)?;
        }
        Ok(out)
    }

    #[napi(catch_unwind)]
    pub fn health_status<'env>(&mut self, env: &'env Env, now: f64) -> Result<Object<'env>> {
        system_health_object(env, &self.registry.system_health(now))
    }

    #[napi(catch_unwind)]
    pub fn model_health_status<'env>(
        &mut self,
        env: &'env Env,
        model_id: String,
        now: f64,
    ) -> Result<Option<Object<'env>>> {
        self.registry
            .model_health(&model_id, now)
            .map(|health| model_health_object(env, &health))
            .transpose()
    }

    /// The load-balancer check: `{ status, code }`.
    #[napi(catch_unwind)]
    pub fn simple_health_check<'env>(&mut self, env: &'env Env, now: f64) -> Result<Object<'env>> {
        simple_health_object(env, self.registry.simple_health(now))
    }

    #[napi(catch_unwind)]
    pub fn circuit_breaker_status<'env>(&self, env: &'env Env, now: f64) -> Result<Object<'env>> {
        let mut out = Object::new(env)?;
        for (model_id, state, failure_count) in self.registry.circuit_breaker_status(now) {
            let mut entry = Object::new(env)?;
            entry.set("state", state.as_str())?;
            entry.set("failureCount", failure_count as f64)?;
            out.set(model_id, entry)?;
        }
        Ok(out)
    }

    #[napi(catch_unwind)]
    pub fn pool_sizes(&self) -> PoolSizes {
        PoolSizes {
            primary: self.registry.primary_count() as u32,
            fallback: self.registry.fallback_count() as u32,
        }
    }

    #[napi(catch_unwind)]
    pub fn destroy(&mut self) {
        self.registry.destroy();
    }
}

/// `LatencyMetrics`: `{ average, p50, p95, p99, min, max }`.
fn latency_object<'env>(env: &'env Env, latency: &LatencyMetrics) -> Result<Object<'env>> {
    let mut out = Object::new(env)?;
    out.set("average", latency.average)?;
    out.set("p50", latency.p50)?;
    out.set("p95", latency.p95)?;
    out.set("p99", latency.p99)?;
    out.set("min", latency.min)?;
    out.set("max", latency.max)?;
    Ok(out)
}

/// The load-balancer answer: `{ status, code }`.
pub fn simple_health_object(env: &Env, health: SimpleHealth) -> Result<Object<'_>> {
    let mut out = Object::new(env)?;
    out.set("status", health.status())?;
    out.set("code", u32::from(health.code()))?;
    Ok(out)
}

pub fn model_health_object<'env>(env: &'env Env, health: &ModelHealth) -> Result<Object<'env>> {
    let mut out = Object::new(env)?;
    out.set("modelId", health.model_id.as_str())?;
    out.set("isHealthy", health.is_healthy)?;
    out.set("circuitState", health.circuit_state.as_str())?;
    set_or_undefined(
        &mut out,
        "lastSuccessAt",
        health
            .last_success_at
            .map(|ms| clock::date(env, ms))
            .transpose()?,
    )?;
    set_or_undefined(
        &mut out,
        "lastFailureAt",
        health
            .last_failure_at
            .map(|ms| clock::date(env, ms))
            .transpose()?,
    )?;
    out.set("avgResponseTimeMs", health.avg_response_time_ms)?;
    out.set("errorRate", health.error_rate)?;
    out.set("requestsPerMinute", health.requests_per_minute as f64)?;
    Ok(out)
}

pub fn system_health_object<'env>(env: &'env Env, health: &SystemHealth) -> Result<Object<'env>> {
    let mut out = Object::new(env)?;
    out.set("isHealthy", health.is_healthy)?;
    out.set("timestamp", clock::date(env, health.timestamp)?)?;
    out.set("totalModels", health.total_models as f64)?;
    out.set("healthyModels", health.healthy_models as f64)?;
    out.set("degradedModels", health.degraded_models as f64)?;
    out.set("unhealthyModels", health.unhealthy_models as f64)?;
    let mut models = Object::new(env)?;
    for model in &health.models {
        models.set(&model.model_id, model_health_object(env, model)?)?;
    }
    out.set("models", models)?;
    let mut metrics = Object::new(env)?;
    metrics.set("totalRequests", health.total_requests as f64)?;
    metrics.set("successRate", health.success_rate)?;
    metrics.set("averageLatencyMs", health.average_latency_ms)?;
    metrics.set("p99LatencyMs", health.p99_latency_ms)?;
    out.set("metrics", metrics)?;
    Ok(out)
}
