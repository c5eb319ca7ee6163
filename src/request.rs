//! `RequestMachine`: the engine's request machine for the JavaScript driver
//! (`js/request-handler.js`). Every feed, quiet or not, returns the next [`Step`], a
//! typed plain object, so one call per step crosses the boundary; the two steps of a
//! quiet request's common case are made once per machine ([`MadeSteps`]).

use engine::backoff::{self, BackoffPolicy};
use engine::classify::is_circuit_open_error;
use engine::outcome::OutcomeType;
use engine::quiet::{self, ResponseOutcome};
use engine::registry::Slot;
use engine::request::{Action, ErrorFacts, ErrorOutcome, LastError, ReportedOutcome};
use napi::bindgen_prelude::*;

use crate::classify::text_or_empty;
use crate::clock::Dice;
use crate::core::MultiplexerCore;
use crate::error::{multiplexer_failure, MultiplexerFailure};
use crate::fleet;

/// What the driver does next (one per `engine::request::Action`).
#[napi(string_enum = "camelCase")]
pub enum StepKind {
    Select,
    GetModel,
    StartRetryRound,
    Wait,
    EmitInvocationStart,
    Invoke,
    EmitInvocationComplete,
    Classify,
    EmitRefusalClassification,
    EmitRefusalDetected,
    Report,
    ConsultEscalation,
    EmitTierEscalation,
    InvokeEscalated,
    EmitEscalationSuccess,
    EmitEscalationFailure,
    Return,
    Rethrow,
    Fail,
}

/// Which outcome a `report` step reports: the response's, a refusal, or the error's.
#[napi(string_enum = "camelCase")]
pub enum ReportSource {
    Response,
    Refusal,
    Error,
}

/// One step of the machine; only the fields its kind needs are present.
#[napi(object, object_from_js = false)]
pub struct Step {
    pub kind: StepKind,
    pub model_id: Option<String>,
    /// `select`: the ids to skip; `fail`: the ids skipped.
    pub skipped: Option<Vec<String>>,
    pub outcome: Option<ReportSource>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub tier: Option<String>,
    pub failure: Option<MultiplexerFailure>,
    /// `invoke` from `startQuietly`: the slot of the model's object (the core's table).
    pub slot: Option<u32>,
    /// The step after `failed`: whether the error becomes the request's last error
    /// (the one a `RETRIES_EXHAUSTED` failure names).
    pub is_last_error: Option<bool>,
    /// `wait`: how long (ms), and why (`exponential` or `retry-after`).
    pub delay_ms: Option<f64>,
    pub reason: Option<String>,
}

#[napi(js_name = "RequestMachine", custom_finalize)]
pub struct JsRequestMachine {
    inner: engine::request::RequestMachine,
    made: MadeSteps,
}

/// The steps of a quiet request's common case, made once per machine and handed out
/// again, frozen: `return`, and `invoke` of the model at each slot. Making a plain object
/// across napi costs more than all the engine work of a quiet request (measured: two made
/// per request took ~1.4 µs of ~4.3; handing out a made one costs a reference lookup).
#[derive(Default)]
struct MadeSteps {
    returned: Option<ObjectRef<false>>,
    invoke_at: Vec<Option<ObjectRef<false>>>,
}

impl ObjectFinalize for JsRequestMachine {
    fn finalize(self, env: Env) -> Result<()> {
        let made = self.made.invoke_at.into_iter().flatten();
        for step in made.chain(self.made.returned) {
            step.unref(&env)?;
        }
        Ok(())
    }
}

#[napi]
impl JsRequestMachine {
    #[napi(constructor, catch_unwind)]
    pub fn new(max_retries: f64) -> Self {
        JsRequestMachine {
            inner: engine::request::RequestMachine::new(max_retries),
            made: MadeSteps::default(),
        }
    }

    /// Starts a new request on this machine (drivers reuse machines, and with them the
    /// steps they made) and returns its first step.
    #[napi(catch_unwind, ts_return_type = "Step")]
    pub fn start<'env>(&mut self, env: &'env Env, max_retries: f64) -> Result<Object<'env>> {
        self.inner = engine::request::RequestMachine::new(max_retries);
        self.next(env, None)
    }

    #[napi(catch_unwind, ts_return_type = "Step")]
    pub fn selected<'env>(
        &mut self,
        env: &'env Env,
        model_id: Option<String>,
        now: f64,
    ) -> Result<Object<'env>> {
        self.inner.selected(model_id, now);
        self.next(env, None)
    }

    /// Beyond the original: `failover.backoff` for the request just started, with its
    /// deadline (Infinity for none).
    #[napi(catch_unwind)]
    pub fn set_backoff(&mut self, base_ms: f64, max_ms: f64, deadline: f64) {
        self.inner
            .set_backoff(BackoffPolicy { base_ms, max_ms }, deadline);
    }

    /// The request now holds `modelId` in flight (null: nothing); returns the model it
    /// held before, for the driver to release.
    #[napi(catch_unwind)]
    pub fn hold_in_flight(&mut self, model_id: Option<String>) -> Option<String> {
        self.inner.hold_in_flight(model_id)
    }

    /// After `startRetryRound`: the time and a `Math.random()` draw for the round's delay.
    #[napi(catch_unwind, ts_return_type = "Step")]
    pub fn retry_round<'env>(
        &mut self,
        env: &'env Env,
        now: f64,
        draw: f64,
    ) -> Result<Object<'env>> {
        self.inner.retry_round(now, draw);
        self.next(env, None)
    }

    #[napi(catch_unwind, ts_return_type = "Step")]
    pub fn model_found<'env>(&mut self, env: &'env Env, found: bool) -> Result<Object<'env>> {
        self.inner.model_found(found);
        self.next(env, None)
    }

    #[napi(catch_unwind, ts_return_type = "Step")]
    pub fn invoked<'env>(&mut self, env: &'env Env, check_refusal: bool) -> Result<Object<'env>> {
        self.inner.invoked(check_refusal);
        self.next(env, None)
    }

    /// Beyond the original (`hedging`): the invocation was answered by a hedge to `model_id`.
    #[napi(catch_unwind, ts_return_type = "Step")]
    pub fn answered_by<'env>(
        &mut self,
        env: &'env Env,
        model_id: String,
        check_refusal: bool,
    ) -> Result<Object<'env>> {
        self.inner.answered_by(model_id, check_refusal);
        self.next(env, None)
    }

    #[napi(catch_unwind, ts_return_type = "Step")]
    pub fn classified<'env>(
        &mut self,
        env: &'env Env,
        is_refusal: Option<bool>,
    ) -> Result<Object<'env>> {
        self.inner.classified(is_refusal);
        self.next(env, None)
    }

    #[napi(catch_unwind, ts_return_type = "Step")]
    pub fn escalation_tier<'env>(
        &mut self,
        env: &'env Env,
        tier: Option<String>,
    ) -> Result<Object<'env>> {
        self.inner.escalation_tier(tier);
        self.next(env, None)
    }

    #[napi(catch_unwind, ts_return_type = "Step")]
    pub fn done<'env>(&mut self, env: &'env Env) -> Result<Object<'env>> {
        self.inner.done();
        self.next(env, None)
    }

    /// `start`, then, while nobody watches the multiplexer (`js/multiplexer.js`
    /// decides), performs the steps that are `core`'s own work (see `engine::quiet`):
    /// in the common case the step returned is the `invoke` of a model already looked
    /// up, with the slot of its object.
    #[napi(catch_unwind, ts_return_type = "Step")]
    pub fn start_quietly<'env>(
        &mut self,
        env: &'env Env,
        max_retries: f64,
        core: &mut MultiplexerCore,
        now: f64,
        random: Function<(), f64>,
    ) -> Result<Object<'env>> {
        self.inner = engine::request::RequestMachine::new(max_retries);
        let mut dice = Dice::new(&random);
        let looked_up = quiet::advance(
            &mut self.inner,
            &mut core.registry,
            now,
            Some(&mut || dice.draw()),
            None,
        );
        dice.finish()?;
        self.next(env, looked_up)
    }

    /// `invoked`, then the quiet steps with the response's outcome (and, in a fleet, its
    /// `usage`) to report: in the common case the step returned is `return`.
    #[napi(catch_unwind, ts_return_type = "Step")]
    // Flat arguments: one crossing per response on the hot path, no object to build.
    #[allow(clippy::too_many_arguments)]
    pub fn invoked_quietly<'env>(
        &mut self,
        env: &'env Env,
        core: &mut MultiplexerCore,
        check_refusal: bool,
        model_id: String,
        latency: f64,
        now: f64,
        usage: Option<Unknown>,
    ) -> Result<Object<'env>> {
        self.inner.invoked(check_refusal);
        let usage = if core.registry.in_fleet() {
            fleet::usage_of(usage)?
        } else {
            None
        };
        let response = Some(ResponseOutcome {
            model_id,
            latency,
            usage,
        });
        quiet::advance(&mut self.inner, &mut core.registry, now, None, response);
        self.next(env, None)
    }

    /// The step threw: what only JavaScript can tell of the error (its `name` as it is,
    /// its class, its outcome, whether a caller marked it to fail over, under
    /// `failover.backoff` its `retryAfterUntil`), then the next step, which says whether
    /// the error becomes the request's last error.
    #[napi(catch_unwind)]
    pub fn failed(
        &mut self,
        name: Unknown,
        is_multiplexer_error: bool,
        outcome_model_id: Option<String>,
        outcome_type: Option<f64>,
        fails_over: bool,
        retry_after_until: Option<f64>,
    ) -> Result<Step> {
        let outcome = outcome_model_id.map(|model_id| ErrorOutcome {
            model_id,
            kind: outcome_type.and_then(OutcomeType::from_code),
        });
        let facts = ErrorFacts {
            is_multiplexer_error,
            outcome,
            is_circuit_open: is_circuit_open_error(&text_or_empty(name)?),
            fails_over,
            retry_after_until,
        };
        let last_error = self.inner.failed(facts);
        Ok(Step {
            is_last_error: Some(last_error == LastError::Remember),
            ..step_of(self.inner.action())
        })
    }

    /// The machine's next step; `looked_up` is the slot of the model an `invoke` invokes,
    /// when the core looked it up. A step of [`MadeSteps`] is handed out again.
    fn next<'env>(&mut self, env: &'env Env, looked_up: Option<Slot>) -> Result<Object<'env>> {
        let (made, step) = match (self.inner.action(), looked_up) {
            (Action::Return, _) => (&mut self.made.returned, Step::bare(StepKind::Return)),
            (Action::Invoke { .. }, Some(Slot(slot))) => {
                let invoke_at = &mut self.made.invoke_at;
                let index = slot as usize;
                if invoke_at.len() <= index {
                    invoke_at.resize_with(index + 1, || None);
                }
                let step = Step {
                    slot: Some(slot),
                    ..Step::bare(StepKind::Invoke)
                };
                (&mut invoke_at[index], step)
            }
            (action, _) => return object_of(env, step_of(action)),
        };
        if let Some(made) = made {
            return made.get_value(env);
        }
        let mut object = object_of(env, step)?;
        object.freeze()?;
        *made = Some(object.create_ref()?);
        Ok(object)
    }
}

fn object_of(env: &Env, step: Step) -> Result<Object<'_>> {
    let raw = unsafe { Step::to_napi_value(env.raw(), step) }?;
    Ok(Object::from_raw(env.raw(), raw))
}

fn step_of(action: &Action) -> Step {
    let step = |kind, model_id: &str| Step {
        model_id: Some(model_id.to_owned()),
        ..Step::bare(kind)
    };
    match action {
        Action::Select { skipped } => Step {
            skipped: Some(skipped.clone()),
            ..Step::bare(StepKind::Select)
        },
        Action::GetModel { model_id } => step(StepKind::GetModel, model_id),
        Action::StartRetryRound => Step::bare(StepKind::StartRetryRound),
        Action::Wait {
            model_id,
            delay_ms,
            reason,
        } => Step {
            delay_ms: Some(*delay_ms),
            reason: Some(reason.name().to_owned()),
            ..step(StepKind::Wait, model_id)
        },
        Action::EmitInvocationStart { model_id } => step(StepKind::EmitInvocationStart, model_id),
        // The driver invokes the model it looked up (`getModel`) or the core did (`slot`).
        Action::Invoke { .. } => Step::bare(StepKind::Invoke),
        Action::EmitInvocationComplete { model_id } => {
            step(StepKind::EmitInvocationComplete, model_id)
        }
        Action::Classify { model_id } => step(StepKind::Classify, model_id),
        Action::EmitRefusalClassification { model_id } => {
            step(StepKind::EmitRefusalClassification, model_id)
        }
        Action::EmitRefusalDetected { model_id } => step(StepKind::EmitRefusalDetected, model_id),
        Action::Report { outcome } => {
            let (source, model_id) = match outcome {
                ReportedOutcome::FromResponse => (ReportSource::Response, None),
                ReportedOutcome::Refusal { model_id } => {
                    (ReportSource::Refusal, Some(model_id.clone()))
                }
                ReportedOutcome::FromError => (ReportSource::Error, None),
            };
            Step {
                model_id,
                outcome: Some(source),
                ..Step::bare(StepKind::Report)
            }
        }
        Action::ConsultEscalation { model_id } => step(StepKind::ConsultEscalation, model_id),
        Action::EmitTierEscalation { model_id, from, to } => Step {
            from: Some((*from).to_owned()),
            to: Some(to.clone()),
            ..step(StepKind::EmitTierEscalation, model_id)
        },
        Action::InvokeEscalated { model_id, tier } => Step {
            tier: Some(tier.clone()),
            ..step(StepKind::InvokeEscalated, model_id)
        },
        Action::EmitEscalationSuccess { model_id, tier } => Step {
            tier: Some(tier.clone()),
            ..step(StepKind::EmitEscalationSuccess, model_id)
        },
        Action::EmitEscalationFailure { model_id, tier } => Step {
            tier: Some(tier.clone()),
            ..step(StepKind::EmitEscalationFailure, model_id)
        },
        Action::Return => Step::bare(StepKind::Return),
        Action::Rethrow => Step::bare(StepKind::Rethrow),
        Action::FailNoModels { skipped } | Action::FailRetriesExhausted { skipped, .. } => Step {
            skipped: Some(skipped.clone()),
            failure: multiplexer_failure(action),
            ..Step::bare(StepKind::Fail)
        },
    }
}

impl Step {
    fn bare(kind: StepKind) -> Step {
        Step {
            kind,
            model_id: None,
            skipped: None,
            outcome: None,
            from: None,
            to: None,
            tier: None,
            failure: None,
            slot: None,
            is_last_error: None,
            delay_ms: None,
            reason: None,
        }
    }
}

/// Beyond the original, for `failover.backoff`: until when (ms since the epoch) a failed
/// model asked not to be called again, from its error's `retry-after` header (and
/// `Date.parse` of it), `x-amz-retry-after` header and `retryAfterSeconds`; values of
/// the wrong type count as absent. `null` when it did not say.
#[napi(catch_unwind)]
pub fn retry_after_until(
    retry_after: Unknown,
    retry_after_date: Unknown,
    amz_retry_after: Unknown,
    retry_after_seconds: Unknown,
    now: f64,
) -> Result<Option<f64>> {
    let (retry_after, amz_retry_after) =
        (text_or_empty(retry_after)?, text_or_empty(amz_retry_after)?);
    let hints = backoff::RetryAfterHints {
        retry_after: Some(retry_after.as_str()).filter(|text| !text.is_empty()),
        retry_after_date: number_or_none(retry_after_date)?,
        amz_retry_after: Some(amz_retry_after.as_str()).filter(|text| !text.is_empty()),
        retry_after_seconds: number_or_none(retry_after_seconds)?,
    };
    Ok(backoff::retry_after_until(hints, now))
}

fn number_or_none(value: Unknown) -> Result<Option<f64>> {
    match value.get_type()? {
        napi::ValueType::Number => Ok(Some(unsafe { value.cast::<f64>() }?)),
        _ => Ok(None),
    }
}
