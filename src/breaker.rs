//! Breakers for JavaScript: a handle on one engine breaker (`BreakerHandle`, behind
//! the public `CircuitBreaker` of `js/breakers.js`) and a shared breaker table
//! (`BreakerTable`, behind `CircuitBreakerManager`).
//!
//! The multiplexer's breaker table and the handle a `BedrockModel` holds share the
//! same breaker, so forcing it open through either is seen by both.

use engine::breaker::{lock, Breaker, BreakerConfig, BreakerManager, BreakerStatus, SharedBreaker};
use napi::bindgen_prelude::*;
use std::sync::{Arc, Mutex};

use crate::clock;
use crate::error::{circuit_open_response, set_or_undefined, CircuitOpenResponse};
use crate::js_value;

#[napi]
pub struct BreakerHandle {
    shared: SharedBreaker,
}

impl BreakerHandle {
    pub fn wrap(shared: SharedBreaker) -> Self {
        BreakerHandle { shared }
    }
}

#[napi]
impl BreakerHandle {
    /// A breaker for `model_id` with a complete config (the caller has already merged
    /// its overrides over the live defaults, as the original does).
    #[napi(constructor, catch_unwind)]
    pub fn new(model_id: String, config: Unknown) -> Result<Self> {
        Ok(Self::wrap(Arc::new(Mutex::new(Breaker::new(
            model_id,
            breaker_config(config)?,
        )))))
    }

    #[napi(catch_unwind)]
    pub fn get_state(&self, now: f64) -> &'static str {
        lock(&self.shared).state(now).as_str()
    }

    #[napi(catch_unwind)]
    pub fn get_status<'env>(&self, env: &'env Env, now: f64) -> Result<Object<'env>> {
        let status = lock(&self.shared).status(now);
        status_object(env, &status)
    }

    #[napi(catch_unwind)]
    pub fn can_execute(&self, now: f64) -> bool {
        lock(&self.shared).can_execute(now)
    }

    #[napi(catch_unwind)]
    pub fn record_success(&self, now: f64) {
        lock(&self.shared).record_success(now);
    }

    #[napi(catch_unwind)]
    pub fn record_failure(&self, now: f64) {
        lock(&self.shared).record_failure(now);
    }

    #[napi(catch_unwind)]
    pub fn get_circuit_open_error(&self, now: f64) -> CircuitOpenResponse {
        circuit_open_response(lock(&self.shared).open_error(now))
    }

    #[napi(catch_unwind)]
    pub fn force_open(&self, now: f64) {
        lock(&self.shared).force_open(now);
    }

    #[napi(catch_unwind)]
    pub fn force_close(&self) {
        lock(&self.shared).force_close();
    }

    #[napi(catch_unwind)]
    pub fn reset(&self) {
        lock(&self.shared).reset();
    }
}

/// The shared table of a `CircuitBreakerManager`; a `HealthCheckManager` built on
/// the manager reads (and, like the original, fills) the same table.
#[napi]
pub struct BreakerTable {
    pub(crate) shared: Arc<Mutex<BreakerManager>>,
}

#[napi]
impl BreakerTable {
    /// A table whose breakers default to `config` (complete, already merged).
    #[napi(constructor, catch_unwind)]
    pub fn new(config: Unknown) -> Result<Self> {
        Ok(BreakerTable {
            shared: Arc::new(Mutex::new(BreakerManager::new(breaker_config(config)?))),
        })
    }

    /// The breaker of `model_id`, created with `config` (complete) or else the
    /// table's default when there is none.
    #[napi(catch_unwind)]
    pub fn get_breaker(&self, model_id: String, config: Option<Unknown>) -> Result<BreakerHandle> {
        let config = config.map(breaker_config).transpose()?;
        Ok(BreakerHandle::wrap(
            table(&self.shared).get_or_create(&model_id, config),
        ))
    }

    #[napi(catch_unwind)]
    pub fn can_execute(&self, model_id: String, now: f64) -> bool {
        table(&self.shared).can_execute(&model_id, now)
    }

    #[napi(catch_unwind)]
    pub fn record_success(&self, model_id: String, now: f64) -> BreakerHandle {
        let mut table = table(&self.shared);
        table.record_success(&model_id, now);
        BreakerHandle::wrap(table.get_or_create(&model_id, None))
    }

    #[napi(catch_unwind)]
    pub fn record_failure(&self, model_id: String, now: f64) -> BreakerHandle {
        let mut table = table(&self.shared);
        table.record_failure(&model_id, now);
        BreakerHandle::wrap(table.get_or_create(&model_id, None))
    }

    #[napi(catch_unwind)]
    pub fn all_status<'env>(&self, env: &'env Env, now: f64) -> Result<Object<'env>> {
        let mut out = Object::new(env)?;
        for (model_id, status) in table(&self.shared).all_status(now) {
            out.set(model_id, status_object(env, &status)?)?;
        }
        Ok(out)
    }

    #[napi(catch_unwind)]
    pub fn reset_all(&self) {
        table(&self.shared).reset_all();
    }

    #[napi(catch_unwind)]
    pub fn remove_breaker(&self, model_id: String) {
        table(&self.shared).remove(&model_id);
    }

    #[napi(catch_unwind)]
    pub fn clear(&self) {
        table(&self.shared).clear();
    }
}

/// Locks a breaker table; a panic elsewhere cannot leave it unusable.
pub fn table(shared: &Mutex<BreakerManager>) -> std::sync::MutexGuard<'_, BreakerManager> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[napi(catch_unwind)]
pub fn default_circuit_breaker_config(env: &Env) -> Result<Object<'_>> {
    let config = BreakerConfig::default();
    let mut out = Object::new(env)?;
    out.set("failureThreshold", config.failure_threshold)?;
    out.set("recoveryTimeMs", config.recovery_time_ms)?;
    out.set("successThreshold", config.success_threshold)?;
    out.set("failureWindowMs", config.failure_window_ms)?;
    Ok(out)
}

/// `CircuitBreakerStatus` with `Date`s, keys present even when undefined.
pub fn status_object<'env>(env: &'env Env, status: &BreakerStatus) -> Result<Object<'env>> {
    let mut out = Object::new(env)?;
    out.set("state", status.state.as_str())?;
    out.set("failureCount", status.failure_count as f64)?;
    out.set("successCount", f64::from(status.success_count))?;
    set_or_undefined(
        &mut out,
        "lastOpenedAt",
        status
            .last_opened_at
            .map(|ms| clock::date(env, ms))
            .transpose()?,
    )?;
    set_or_undefined(
        &mut out,
        "nextRetryAt",
        status
            .next_retry_at
            .map(|ms| clock::date(env, ms))
            .transpose()?,
    )?;
    Ok(out)
}

/// A complete breaker config object, each setting read as JavaScript compares it
/// (as a number: an `undefined` setting is NaN and never trips, as in the original).
pub fn breaker_config(config: Unknown) -> Result<BreakerConfig> {
    let config = js_value::snapshot(config)?;
    Ok(BreakerConfig {
        failure_threshold: config.get("failureThreshold").to_number(),
        recovery_time_ms: config.get("recoveryTimeMs").to_number(),
        success_threshold: config.get("successThreshold").to_number(),
        failure_window_ms: config.get("failureWindowMs").to_number(),
    })
}
