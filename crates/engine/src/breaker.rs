//! The circuit breaker: stops sending traffic to a model that keeps failing, and lets it back gradually.
//!
//! A breaker is CLOSED (traffic flows), OPEN (traffic refused) or HALF_OPEN
//! (trial traffic after the recovery time). Time only moves when the caller
//! says so: every operation that reads the clock in the original takes `now`.
//! The state is re-evaluated lazily on each read, as in the original, so an
//! OPEN breaker becomes HALF_OPEN the first time anyone looks after the
//! recovery time, not at the moment it elapses.
//!
//! A breaker knows the model id it guards, so it can word its own
//! circuit-open error.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::jsval::object_entries;
use crate::ordered::JsMap;
use crate::Millis;

/// The settings of one breaker. Numbers stay `f64` because the original
/// compares them as JavaScript numbers; a setting JavaScript left `undefined`
/// behaves as NaN does here (every comparison with it is false).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerConfig {
    /// Failures within the window that open a closed breaker.
    pub failure_threshold: f64,
    /// How long an open breaker refuses traffic before trying again.
    pub recovery_time_ms: f64,
    /// Successes in HALF_OPEN that close the breaker.
    pub success_threshold: f64,
    /// How far back failures count.
    pub failure_window_ms: f64,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failure_threshold: 5.0,
            recovery_time_ms: 30000.0,
            success_threshold: 2.0,
            failure_window_ms: 60000.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    /// The original's `CircuitBreakerState` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "CLOSED",
            Self::Open => "OPEN",
            Self::HalfOpen => "HALF_OPEN",
        }
    }
}

/// `getStatus()`. Times are milliseconds since the epoch; `next_retry_at`
/// may be NaN, JavaScript's Invalid Date, when the recovery time is not a
/// finite number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerStatus {
    pub state: BreakerState,
    pub failure_count: usize,
    pub success_count: u32,
    pub last_opened_at: Option<Millis>,
    pub next_retry_at: Option<Millis>,
}

/// HTTP-like status the original puts on a circuit-open error response.
pub const CIRCUIT_OPEN_CODE: u16 = 503;

/// The recovery suggestions of a breaker's own circuit-open error (they
/// differ from the error classifier's list for `CIRCUIT_OPEN`).
pub const CIRCUIT_OPEN_SUGGESTIONS: [&str; 3] = [
    "Wait for the circuit to transition to half-open state",
    "Check model health status",
    "Use an alternative model if available",
];

/// The data of `getCircuitOpenError()`: code 503, error type `CIRCUIT_OPEN`,
/// retryable, with [`CIRCUIT_OPEN_SUGGESTIONS`].
#[derive(Debug, Clone, PartialEq)]
pub struct CircuitOpenInfo {
    /// "Circuit breaker is open for model {id}".
    pub message: String,
    pub model_id: String,
    pub retry_after_ms: f64,
    pub failure_count: usize,
    pub state: BreakerState,
    pub last_opened_at: Option<Millis>,
    pub next_retry_at: Option<Millis>,
}

/// What `new Date(ms)` keeps of a time value: whole milliseconds, or NaN
/// (an Invalid Date) outside the representable range.
fn date_value(ms: f64) -> f64 {
    if !ms.is_finite() || ms.abs() > 8.64e15 {
        return f64::NAN;
    }
    // Adding zero turns -0 into +0, as TimeClip does.
    ms.trunc() + 0.0
}

/// One model's circuit breaker. See the module documentation.
#[derive(Debug, Clone)]
pub struct Breaker {
    model_id: String,
    config: BreakerConfig,
    state: BreakerState,
    /// Times of the failures still remembered, oldest first.
    failures: VecDeque<Millis>,
    success_count: u32,
    last_opened_at: Option<Millis>,
}

impl Breaker {
    pub fn new(model_id: impl Into<String>, config: BreakerConfig) -> Self {
        Self {
            model_id: model_id.into(),
            config,
            state: BreakerState::Closed,
            failures: VecDeque::new(),
            success_count: 0,
            last_opened_at: None,
        }
    }

    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    pub fn config(&self) -> &BreakerConfig {
        &self.config
    }

    pub fn state(&mut self, now: Millis) -> BreakerState {
        self.refresh(now);
        self.state
    }

    pub fn status(&mut self, now: Millis) -> BreakerStatus {
        self.refresh(now);
        BreakerStatus {
            state: self.state,
            failure_count: self.recent_failure_count(now),
            success_count: self.success_count,
            last_opened_at: self.last_opened_at,
            next_retry_at: self.next_retry_at(),
        }
    }

    /// Whether a request may go through: anything but OPEN.
    pub fn can_execute(&mut self, now: Millis) -> bool {
        self.state(now) != BreakerState::Open
    }

    pub fn record_success(&mut self, now: Millis) {
        self.refresh(now);
        match self.state {
            BreakerState::HalfOpen => {
                self.success_count += 1;
                if f64::from(self.success_count) >= self.config.success_threshold {
                    self.close();
                }
            }
            BreakerState::Closed => self.failures.clear(),
            // A success reported while open (a request started before it
            // opened) changes nothing.
            BreakerState::Open => {}
        }
    }

    pub fn record_failure(&mut self, now: Millis) {
        self.refresh(now);
        self.failures.push_back(now);
        self.forget_old_failures(now);
        match self.state {
            BreakerState::HalfOpen => self.open(now),
            BreakerState::Closed => {
                if self.recent_failure_count(now) as f64 >= self.config.failure_threshold {
                    self.open(now);
                }
            }
            BreakerState::Open => {}
        }
    }

    /// `getCircuitOpenError()`'s data, read at `now`.
    pub fn open_error(&mut self, now: Millis) -> CircuitOpenInfo {
        let status = self.status(now);
        let retry_after_ms = match status.next_retry_at {
            // Math.max(0, x): NaN stays NaN, -0 becomes 0.
            Some(next) => {
                let remaining = next - now;
                if remaining.is_nan() || remaining > 0.0 {
                    remaining
                } else {
                    0.0
                }
            }
            None => self.config.recovery_time_ms,
        };
        CircuitOpenInfo {
            message: format!("Circuit breaker is open for model {}", self.model_id),
            model_id: self.model_id.clone(),
            retry_after_ms,
            failure_count: self.recent_failure_count(now),
            state: self.state,
            last_opened_at: self.last_opened_at,
            next_retry_at: status.next_retry_at,
        }
    }

    pub fn force_open(&mut self, now: Millis) {
        self.open(now);
    }

    pub fn force_close(&mut self) {
        self.close();
    }

    /// Back to a new breaker's state, forgetting when it last opened.
    pub fn reset(&mut self) {
        self.state = BreakerState::Closed;
        self.failures.clear();
        self.success_count = 0;
        self.last_opened_at = None;
    }

    fn open(&mut self, now: Millis) {
        self.state = BreakerState::Open;
        self.last_opened_at = Some(now);
        self.success_count = 0;
    }

    /// Closing keeps `last_opened_at`, as the original does.
    fn close(&mut self) {
        self.state = BreakerState::Closed;
        self.failures.clear();
        self.success_count = 0;
    }

    /// OPEN turns HALF_OPEN once the recovery time has passed.
    fn refresh(&mut self, now: Millis) {
        if let (BreakerState::Open, Some(opened_at)) = (self.state, self.last_opened_at) {
            if now - opened_at >= self.config.recovery_time_ms {
                self.state = BreakerState::HalfOpen;
                self.success_count = 0;
            }
        }
    }

    fn next_retry_at(&self) -> Option<Millis> {
        match (self.state, self.last_opened_at) {
            (BreakerState::Open, Some(opened_at)) => {
                Some(date_value(opened_at + self.config.recovery_time_ms))
            }
            _ => None,
        }
    }

    fn recent_failure_count(&mut self, now: Millis) -> usize {
        self.forget_old_failures(now);
        self.failures.len()
    }

    /// Keeps failures strictly newer than `now - window`. Not a pop from the
    /// front: the clock may have gone backwards, and the original filters all.
    fn forget_old_failures(&mut self, now: Millis) {
        let cutoff = now - self.config.failure_window_ms;
        self.failures.retain(|&at| at > cutoff);
    }
}

/// A breaker shared between the registry and the model that records into it.
pub type SharedBreaker = Arc<Mutex<Breaker>>;

/// Locks a shared breaker. A panic while it was held cannot leave it
/// half-updated in a way that matters more than crashing Node would, so a
/// poisoned lock is simply taken over.
pub fn lock(breaker: &SharedBreaker) -> MutexGuard<'_, Breaker> {
    breaker.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `CircuitBreakerManager`: one breaker per model id, in creation order.
#[derive(Debug)]
pub struct BreakerManager {
    default_config: BreakerConfig,
    breakers: JsMap<SharedBreaker>,
}

impl Default for BreakerManager {
    fn default() -> Self {
        Self::new(BreakerConfig::default())
    }
}

impl BreakerManager {
    /// `default_config` is already merged over the defaults by the caller.
    pub fn new(default_config: BreakerConfig) -> Self {
        Self {
            default_config,
            breakers: JsMap::new(),
        }
    }

    pub fn default_config(&self) -> &BreakerConfig {
        &self.default_config
    }

    /// The breaker for `model_id`, created with `config` (else the default
    /// configuration) when there is none; an existing breaker keeps its own.
    pub fn get_or_create(
        &mut self,
        model_id: &str,
        config: Option<BreakerConfig>,
    ) -> SharedBreaker {
        let config = config.unwrap_or(self.default_config);
        Arc::clone(self.breakers.get_or_insert_with(model_id, || {
            Arc::new(Mutex::new(Breaker::new(model_id, config)))
        }))
    }

    pub fn get(&self, model_id: &str) -> Option<SharedBreaker> {
        self.breakers.get(model_id).map(Arc::clone)
    }

    /// True for a model without a breaker.
    pub fn can_execute(&self, model_id: &str, now: Millis) -> bool {
        self.breakers
            .get(model_id)
            .is_none_or(|breaker| lock(breaker).can_execute(now))
    }

    pub fn record_success(&mut self, model_id: &str, now: Millis) {
        lock(&self.get_or_create(model_id, None)).record_success(now);
    }

    pub fn record_failure(&mut self, model_id: &str, now: Millis) {
        lock(&self.get_or_create(model_id, None)).record_failure(now);
    }

    /// `getAllStatus()`, in the key order of the object the original returns.
    pub fn all_status(&self, now: Millis) -> Vec<(String, BreakerStatus)> {
        object_entries(
            self.breakers
                .iter()
                .map(|(id, breaker)| (id.to_owned(), lock(breaker).status(now))),
        )
    }

    pub fn reset_all(&self) {
        for breaker in self.breakers.values() {
            lock(breaker).reset();
        }
    }

    pub fn remove(&mut self, model_id: &str) {
        self.breakers.remove(model_id);
    }

    pub fn clear(&mut self) {
        self.breakers.clear();
    }
}

#[cfg(test)]
mod tests;
