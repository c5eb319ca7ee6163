//! `CircuitBreaker`: a JavaScript handle on one engine breaker.
//!
//! The multiplexer's breaker table and the handle a `BedrockModel` holds share the
//! same breaker, so forcing it open through either is seen by both.

use engine::breaker::{lock, Breaker, BreakerConfig, BreakerStatus, SharedBreaker};
use napi::bindgen_prelude::*;
use std::sync::{Arc, Mutex};

use crate::clock;
use crate::error::{circuit_open_error, set_or_undefined};
use crate::js_value;

#[napi]
pub struct CircuitBreaker {
    shared: SharedBreaker,
}

impl CircuitBreaker {
    pub fn wrap(shared: SharedBreaker) -> Self {
        CircuitBreaker { shared }
    }
}

#[napi]
impl CircuitBreaker {
    /// `new CircuitBreaker(modelId, config?)`: `config` overrides the defaults key by key.
    #[napi(constructor)]
    pub fn new(model_id: String, config: Option<Unknown>) -> Result<Self> {
        let config = match config {
            Some(config) => breaker_config(config)?,
            None => BreakerConfig::default(),
        };
        Ok(Self::wrap(Arc::new(Mutex::new(Breaker::new(model_id, config)))))
    }

    #[napi]
    pub fn get_state(&self, env: Env) -> Result<&'static str> {
        let now = clock::now(&env)?;
        Ok(lock(&self.shared).state(now).as_str())
    }

    #[napi]
    pub fn get_status<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let now = clock::now(env)?;
        let status = lock(&self.shared).status(now);
        status_object(env, &status)
    }

    #[napi]
    pub fn can_execute(&self, env: Env) -> Result<bool> {
        let now = clock::now(&env)?;
        Ok(lock(&self.shared).can_execute(now))
    }

    #[napi]
    pub fn record_success(&self, env: Env) -> Result<()> {
        let now = clock::now(&env)?;
        lock(&self.shared).record_success(now);
        Ok(())
    }

    /// The error is accepted for the original's signature; the breaker only counts.
    #[napi]
    pub fn record_failure(&self, env: Env, _error: Option<Unknown>) -> Result<()> {
        let now = clock::now(&env)?;
        lock(&self.shared).record_failure(now);
        Ok(())
    }

    #[napi]
    pub fn get_circuit_open_error<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let now = clock::now(env)?;
        let info = lock(&self.shared).open_error(now);
        circuit_open_error(env, info)
    }

    #[napi]
    pub fn force_open(&self, env: Env) -> Result<()> {
        let now = clock::now(&env)?;
        lock(&self.shared).force_open(now);
        Ok(())
    }

    #[napi]
    pub fn force_close(&self) {
        lock(&self.shared).force_close();
    }

    #[napi]
    pub fn reset(&self) {
        lock(&self.shared).reset();
    }
}

/// `CircuitBreakerStatus` with `Date`s, keys present even when undefined.
pub fn status_object<'env>(env: &'env Env, status: &BreakerStatus) -> Result<Object<'env>> {
    let mut out = Object::new(env)?;
    out.set("state", status.state.as_str())?;
    out.set("failureCount", status.failure_count as f64)?;
    out.set("successCount", f64::from(status.success_count))?;
    set_or_undefined(&mut out, "lastOpenedAt", status.last_opened_at.map(|ms| clock::date(env, ms)).transpose()?)?;
    set_or_undefined(&mut out, "nextRetryAt", status.next_retry_at.map(|ms| clock::date(env, ms)).transpose()?)?;
    Ok(out)
}

/// `{ ...DEFAULT_CIRCUIT_BREAKER_CONFIG, ...config }`: each key the caller set wins,
/// compared as JavaScript compares (so it is read as a number).
pub fn breaker_config(config: Unknown) -> Result<BreakerConfig> {
    let snapshot = js_value::snapshot(config)?;
    let mut merged = BreakerConfig::default();
    let read = |key: &str, default: f64| match snapshot.get(key) {
        engine::jsval::JsValue::Undefined => default,
        value => value.to_number(),
    };
    merged.failure_threshold = read("failureThreshold", merged.failure_threshold);
    merged.recovery_time_ms = read("recoveryTimeMs", merged.recovery_time_ms);
    merged.success_threshold = read("successThreshold", merged.success_threshold);
    merged.failure_window_ms = read("failureWindowMs", merged.failure_window_ms);
    Ok(merged)
}
