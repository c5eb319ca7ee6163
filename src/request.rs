//! `RequestMachine`: the engine's request machine for the JavaScript driver
//! (`js/request-handler.js`). Every feed, quiet or not, returns the next [`Step`], a
//! typed plain object, so one call per step crosses the boundary.

use engine::classify::is_circuit_open_error;
use engine::outcome::OutcomeType;
use engine::quiet::{self, ResponseOutcome};
use engine::request::{Action, ErrorFacts, ErrorOutcome, LastError, ReportedOutcome};
use napi::bindgen_prelude::*;

use crate::classify::text_or_empty;
use crate::clock::Dice;
use crate::core::MultiplexerCore;
use crate::error::{multiplexer_failure, MultiplexerFailure};

/// What the driver does next (one per `engine::request::Action`).
#[napi(string_enum = "camelCase")]
pub enum StepKind {
    Select,
    GetModel,
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
}

#[napi(js_name = "RequestMachine")]
pub struct JsRequestMachine {
    inner: engine::request::RequestMachine,
}

#[napi]
impl JsRequestMachine {
    #[napi(constructor, catch_unwind)]
    pub fn new(max_retries: f64) -> Self {
        JsRequestMachine {
            inner: engine::request::RequestMachine::new(max_retries),
        }
    }

    /// Starts a new request on this machine (drivers reuse machines: making a napi
    /// object costs more than a whole quiet request's steps) and returns its first step.
    #[napi(catch_unwind)]
    pub fn start(&mut self, max_retries: f64) -> Step {
        self.inner = engine::request::RequestMachine::new(max_retries);
        self.step()
    }

    #[napi(catch_unwind)]
    pub fn action(&self) -> Step {
        self.step()
    }

    #[napi(catch_unwind)]
    pub fn selected(&mut self, model_id: Option<String>) -> Step {
        self.inner.selected(model_id);
        self.step()
    }

    #[napi(catch_unwind)]
    pub fn model_found(&mut self, found: bool) -> Step {
        self.inner.model_found(found);
        self.step()
    }

    #[napi(catch_unwind)]
    pub fn invoked(&mut self, check_refusal: bool) -> Step {
        self.inner.invoked(check_refusal);
        self.step()
    }

    #[napi(catch_unwind)]
    pub fn classified(&mut self, is_refusal: Option<bool>) -> Step {
        self.inner.classified(is_refusal);
        self.step()
    }

    #[napi(catch_unwind)]
    pub fn escalation_tier(&mut self, tier: Option<String>) -> Step {
        self.inner.escalation_tier(tier);
        self.step()
    }

    #[napi(catch_unwind)]
    pub fn done(&mut self) -> Step {
        self.inner.done();
        self.step()
    }

    /// `start`, then, while nobody watches the multiplexer (`js/multiplexer.js`
    /// decides), performs the steps that are `core`'s own work (see `engine::quiet`):
    /// in the common case the step returned is the `invoke` of a model already looked up.
    #[napi(catch_unwind)]
    pub fn start_quietly(
        &mut self,
        max_retries: f64,
        core: &mut MultiplexerCore,
        now: f64,
        random: Function<(), f64>,
    ) -> Result<Step> {
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
        Ok(Step {
            slot: looked_up.map(|slot| slot.0),
            ..self.step()
        })
    }

    /// `invoked`, then the quiet steps with the response's outcome to report: in the
    /// common case the step returned is `return`.
    #[napi(catch_unwind)]
    pub fn invoked_quietly(
        &mut self,
        core: &mut MultiplexerCore,
        check_refusal: bool,
        model_id: String,
        latency: f64,
        now: f64,
    ) -> Step {
        self.inner.invoked(check_refusal);
        let response = Some(ResponseOutcome { model_id, latency });
        quiet::advance(&mut self.inner, &mut core.registry, now, None, response);
        self.step()
    }

    /// The step threw: what only JavaScript can tell of the error (its `name` as it is,
    /// its class, its outcome, whether a caller marked it to fail over), then the
    /// next step, which says whether the error becomes the request's last error.
    #[napi(catch_unwind)]
    pub fn failed(
        &mut self,
        name: Unknown,
        is_multiplexer_error: bool,
        outcome_model_id: Option<String>,
        outcome_type: Option<f64>,
        fails_over: bool,
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
        };
        let last_error = self.inner.failed(facts);
        Ok(Step {
            is_last_error: Some(last_error == LastError::Remember),
            ..self.step()
        })
    }

    fn step(&self) -> Step {
        step_of(self.inner.action())
    }
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
        Action::EmitInvocationStart { model_id } => step(StepKind::EmitInvocationStart, model_id),
        Action::Invoke { model_id } => step(StepKind::Invoke, model_id),
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
        }
    }
}
