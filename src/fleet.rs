//! `SharedState`: a multiplexer's membership in a fleet (`sharedState`, issue 13), a
//! `bmm_fleet::Fleet` running on napi's tokio runtime.
//!
//! The model table consults the fleet through [`engine::fleet::FleetGate`] at selection and
//! on outcomes, inside the calls JavaScript already makes: no extra crossing on the request
//! path; a response's `usage` reaches the token quota the same way, with its outcome's report
//! (or a stream's end). JavaScript calls in only to catch a stale view up, to set quotas,
//! for the fleet's breakers, and to shut down.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use bmm_fleet::{Admission, Counter, Fact, Fleet, FleetConfig, LinkEvent, QuotaConfig, Rate, Skip};
use engine::fleet::{FleetGate, FleetHook, Usage};
use engine::validate::DEFAULT_THROTTLE_COOLDOWN_MS;
use engine::Millis;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::ValueType;

use crate::core::MultiplexerCore;
use crate::js_value;

/// `sharedState` as the engine's validator accepted it.
#[napi(object, object_to_js = false)]
pub struct SharedStateOptions {
    pub url: String,
    pub key_prefix: Option<String>,
    pub throttle_cooldown_ms: Option<f64>,
}

/// A reachability change: `kind` is `degraded` (with the reason) or `restored`.
#[napi(object, object_from_js = false)]
pub struct SharedStateEvent {
    pub kind: String,
    pub reason: Option<String>,
}

/// A model's breaker as the fleet last saw it (`getCircuitBreakerStatus()`'s `fleet` field).
#[napi(object, object_from_js = false)]
pub struct FleetBreakerStatus {
    pub state: String,
    pub opened_at: Option<f64>,
    pub next_retry_at: Option<f64>,
}

/// Why the fleet passes a model over now (`getHealthStatus().sharedState.skippedModels`).
#[napi(object, object_from_js = false)]
pub struct FleetSkip {
    /// `circuit-open` (another instance's breaker) or `throttled` (a throttle cooldown).
    pub reason: String,
    /// When the skip ends, in ms since the epoch.
    pub until: f64,
}

/// A model's fleet-wide totals as of the last refresh (`getStats().fleet`).
#[napi(object, object_from_js = false)]
pub struct FleetTotals {
    pub requests: f64,
    pub successes: f64,
    pub failures: f64,
    pub throttles: f64,
    pub tokens: f64,
}

/// Weak: a listener waiting for events does not keep the process alive.
type EventListener =
    ThreadsafeFunction<SharedStateEvent, (), SharedStateEvent, Status, false, true>;

#[napi]
pub struct SharedState {
    /// `None` once shut down.
    fleet: Mutex<Option<Arc<Fleet>>>,
    throttle_cooldown_ms: u64,
}

#[napi]
impl SharedState {
    /// Starts the fleet's background I/O and returns at once: until its first refresh the
    /// multiplexer decides alone. `on_event` hears each degraded / restored transition.
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "options: SharedStateOptions, onEvent: (event: SharedStateEvent) => void"
    )]
    pub fn new(options: SharedStateOptions, on_event: EventListener) -> Result<Self> {
        let mut config = FleetConfig::new(options.url);
        if let Some(prefix) = options.key_prefix {
            config.key_prefix = prefix;
        }
        let (fleet, mut events) =
            within_runtime_if_available(|| Fleet::start(config, instance_id()))
                .map_err(|error| Error::new(Status::InvalidArg, error.to_string()))?;
        spawn(async move {
            while let Some(event) = events.recv().await {
                let event = match event {
                    LinkEvent::Degraded { reason } => SharedStateEvent {
                        kind: "degraded".to_owned(),
                        reason: Some(reason),
                    },
                    LinkEvent::Restored => SharedStateEvent {
                        kind: "restored".to_owned(),
                        reason: None,
                    },
                };
                // Non-blocking: a listener that is gone (process exiting) just misses it.
                on_event.call(event, ThreadsafeFunctionCallMode::NonBlocking);
            }
        });
        Ok(Self {
            fleet: Mutex::new(Some(Arc::new(fleet))),
            throttle_cooldown_ms: options
                .throttle_cooldown_ms
                .unwrap_or(DEFAULT_THROTTLE_COOLDOWN_MS) as u64,
        })
    }

    /// Whether the fleet view is used now: Redis reachable and the view fresh.
    #[napi(catch_unwind)]
    pub fn is_shared(&self, now: f64) -> bool {
        self.fleet().is_some_and(|fleet| fleet.is_shared(now))
    }

    /// When the fleet view's last full refresh was applied, in ms since the epoch (null
    /// before the first): how old the view is, and whether a refresh came before a selection.
    #[napi(catch_unwind)]
    pub fn refreshed_at(&self) -> Option<f64> {
        Some(self.fleet()?.refreshed_at()? as f64)
    }

    /// Whether `catchUp` would call Redis now (the view is stale): false in steady state,
    /// so the request path skips the async call.
    #[napi(catch_unwind)]
    pub fn needs_catch_up(&self, now: f64) -> bool {
        self.fleet().is_some_and(|fleet| fleet.needs_catch_up(now))
    }

    /// Refreshes a stale view before a selection, within the fleet's call timeout; resolves
    /// to whether the fleet view is used (never rejects).
    #[napi(catch_unwind)]
    pub fn catch_up<'env>(&self, env: &'env Env, now: f64) -> Result<PromiseRaw<'env, bool>> {
        let fleet = self.fleet();
        env.spawn_future(async move {
            Ok(match fleet {
                Some(fleet) => fleet.catch_up(now).await,
                None => false,
            })
        })
    }

    /// A model's fleet quota, from its `requestsPerMinute` / `tokensPerMinute`.
    #[napi(catch_unwind)]
    pub fn set_quota(
        &self,
        model_id: String,
        requests_per_minute: Option<f64>,
        tokens_per_minute: Option<f64>,
        now: f64,
    ) {
        let config = QuotaConfig {
            requests: requests_per_minute.map(Rate::per_minute),
            tokens: tokens_per_minute.map(Rate::per_minute),
        };
        if let Some(fleet) = self.fleet() {
            fleet.set_quota(&model_id, config, now);
        }
    }

    /// The fleet's breaker for `model_id`, if it knows one and the fleet view is used.
    #[napi(catch_unwind)]
    pub fn breaker(&self, model_id: String, now: f64) -> Option<FleetBreakerStatus> {
        let breaker = self.fleet()?.breaker(&model_id, now)?;
        Some(FleetBreakerStatus {
            state: breaker.state.as_str().to_owned(),
            opened_at: breaker.opened_at.map(|ms| ms as f64),
            next_retry_at: breaker.next_retry_at.map(|ms| ms as f64),
        })
    }

    /// Why the fleet skips `model_id` now, if it does and the fleet view is used.
    #[napi(catch_unwind)]
    pub fn skipping(&self, model_id: String, now: f64) -> Option<FleetSkip> {
        Some(match self.fleet()?.skip(&model_id, now)? {
            Skip::CircuitOpen { until } => FleetSkip {
                reason: "circuit-open".to_owned(),
                until: until as f64,
            },
            Skip::Throttled { until } => FleetSkip {
                reason: "throttled".to_owned(),
                until: until as f64,
            },
        })
    }

    /// The fleet's totals for `model_id`, while the fleet view is used.
    #[napi(catch_unwind)]
    pub fn totals(&self, model_id: String, now: f64) -> Option<FleetTotals> {
        let fleet = self.fleet()?;
        let read = |counter| fleet.counter(&model_id, counter, now).map(|n| n as f64);
        Some(FleetTotals {
            requests: read(Counter::Requests)?,
            successes: read(Counter::Successes)?,
            failures: read(Counter::Failures)?,
            throttles: read(Counter::Throttles)?,
            tokens: read(Counter::Tokens)?,
        })
    }

    /// Joins `core`'s model table to the fleet (see `engine::fleet::gate`).
    #[napi(catch_unwind)]
    pub fn attach(&self, core: &mut MultiplexerCore) {
        if let Some(fleet) = self.fleet() {
            let hook = FleetHook::new(Box::new(Gate(fleet)), self.throttle_cooldown_ms);
            core.registry.join_fleet(hook);
        }
    }

    /// Publishes what is pending (bounded), closes the connections and stops the tasks,
    /// so the process can exit. The model table must have let go of the fleet first
    /// (`core.destroy()`); if it has not, the tasks are stopped without the last publish.
    #[napi(catch_unwind)]
    pub fn shutdown<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, ()>> {
        let fleet = self
            .fleet
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        env.spawn_future(async move {
            if let Some(fleet) = fleet.and_then(|fleet| Arc::try_unwrap(fleet).ok()) {
                fleet.shutdown().await;
            }
            Ok(())
        })
    }
}

impl SharedState {
    fn fleet(&self) -> Option<Arc<Fleet>> {
        self.fleet
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The engine's view of the fleet, over `bmm_fleet::Fleet` (whose methods never wait).
struct Gate(Arc<Fleet>);

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Gate(bmm_fleet::Fleet)")
    }
}

impl FleetGate for Gate {
    fn skips(&self, model_id: &str, now: Millis) -> bool {
        self.0.skip(model_id, now).is_some()
    }

    fn admits(&self, model_id: &str, now: Millis) -> bool {
        self.0.admit(model_id, now) == Admission::Admit
    }

    fn record(&self, model_id: &str, fact: Fact, now: Millis) {
        self.0.record(model_id, fact, now);
    }

    fn count(&self, model_id: &str, counter: Counter, delta: i64, now: Millis) {
        self.0.count(model_id, counter, delta, now);
    }

    fn charge_tokens(&self, model_id: &str, tokens: f64, now: Millis) {
        self.0.charge_tokens(model_id, tokens, now);
    }
}

/// A response's `usage` as the fleet's token quota reads it (`Number()` of `inputTokens`
/// and `outputTokens`), or `None` when it is not an object. Read only in a fleet: without
/// `sharedState` nobody looks at it.
pub(crate) fn usage_of(usage: Option<Unknown>) -> Result<Option<Usage>> {
    let Some(usage) = usage else {
        return Ok(None);
    };
    if usage.get_type()? != ValueType::Object {
        return Ok(None);
    }
    let usage = unsafe { usage.cast::<Object>() }?;
    let field = |name: &str| -> Result<f64> {
        let value: Unknown = usage.get_named_property(name)?;
        Ok(js_value::snapshot(value)?.to_number())
    };
    Ok(Some(Usage {
        input_tokens: field("inputTokens")?,
        output_tokens: field("outputTokens")?,
    }))
}

/// A random id for this instance, new at every start (see `Fleet::start`).
fn instance_id() -> u64 {
    RandomState::new().hash_one((std::process::id(), SystemTime::now()))
}
