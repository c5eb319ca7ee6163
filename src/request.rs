//! `RequestMachine`: the engine's request machine for the JavaScript driver
//! (`js/request-handler.js`). Every feed returns the next step as a plain object
//! `{ kind, ... }`, so one call per step crosses the boundary.

use engine::outcome::OutcomeType;
use engine::quiet::{self, ResponseOutcome};
use engine::request::{Action, ErrorFacts, ErrorOutcome, LastError, ReportedOutcome};
use napi::bindgen_prelude::*;

use crate::clock::Dice;
use crate::core::MultiplexerCore;
use crate::error::multiplexer_failure;

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
    /// object costs more than a whole quiet request's steps).
    #[napi(catch_unwind)]
    pub fn restart(&mut self, max_retries: f64) {
        self.inner = engine::request::RequestMachine::new(max_retries);
    }

    #[napi(catch_unwind)]
    pub fn action<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        step_object(env, self.inner.action())
    }

    #[napi(catch_unwind)]
    pub fn selected<'env>(
        &mut self,
        env: &'env Env,
        model_id: Option<String>,
    ) -> Result<Object<'env>> {
        self.inner.selected(model_id);
        self.action(env)
    }

    #[napi(catch_unwind)]
    pub fn model_found<'env>(&mut self, env: &'env Env, found: bool) -> Result<Object<'env>> {
        self.inner.model_found(found);
        self.action(env)
    }

    #[napi(catch_unwind)]
    pub fn invoked<'env>(&mut self, env: &'env Env, check_refusal: bool) -> Result<Object<'env>> {
        self.inner.invoked(check_refusal);
        self.action(env)
    }

    #[napi(catch_unwind)]
    pub fn classified<'env>(
        &mut self,
        env: &'env Env,
        is_refusal: Option<bool>,
    ) -> Result<Object<'env>> {
        self.inner.classified(is_refusal);
        self.action(env)
    }

    #[napi(catch_unwind)]
    pub fn escalation_tier<'env>(
        &mut self,
        env: &'env Env,
        tier: Option<String>,
    ) -> Result<Object<'env>> {
        self.inner.escalation_tier(tier);
        self.action(env)
    }

    #[napi(catch_unwind)]
    pub fn done<'env>(&mut self, env: &'env Env) -> Result<Object<'env>> {
        self.inner.done();
        self.action(env)
    }

    /// `restart`, then, while nobody watches the multiplexer (`js/multiplexer.js`
    /// decides), performs the steps that are `core`'s own work (see `engine::quiet`).
    /// Returns the model id when the request now waits for its invocation, the common
    /// case, and null otherwise (`action()` then tells the step): no object is built.
    #[napi(catch_unwind)]
    pub fn start_quietly(
        &mut self,
        max_retries: f64,
        core: &mut MultiplexerCore,
        now: f64,
        random: Function<(), f64>,
    ) -> Result<Option<String>> {
        self.restart(max_retries);
        let mut dice = Dice::new(&random);
        quiet::advance(
            &mut self.inner,
            &mut core.registry,
            now,
            Some(&mut || dice.draw()),
            None,
        );
        dice.finish()?;
        Ok(match self.inner.action() {
            Action::Invoke { model_id } => Some(model_id.clone()),
            _ => None,
        })
    }

    /// `invoked`, then the quiet steps with the response's outcome to report. True when
    /// the request is now answered (the common case); otherwise `action()` tells the step.
    #[napi(catch_unwind)]
    pub fn invoked_quietly(
        &mut self,
        core: &mut MultiplexerCore,
        check_refusal: bool,
        model_id: String,
        latency: f64,
        now: f64,
    ) -> bool {
        self.inner.invoked(check_refusal);
        let response = Some(ResponseOutcome { model_id, latency });
        quiet::advance(&mut self.inner, &mut core.registry, now, None, response);
        *self.inner.action() == Action::Return
    }

    /// The step threw. Returns whether the error becomes the request's last error.
    #[napi(catch_unwind)]
    pub fn failed(
        &mut self,
        is_multiplexer_error: bool,
        outcome_model_id: Option<String>,
        outcome_type: Option<f64>,
        is_circuit_open: bool,
        fails_over: bool,
    ) -> bool {
        let outcome = outcome_model_id.map(|model_id| ErrorOutcome {
            model_id,
            kind: outcome_type.and_then(OutcomeType::from_code),
        });
        let facts = ErrorFacts {
            is_multiplexer_error,
            outcome,
            is_circuit_open,
            fails_over,
        };
        self.inner.failed(facts) == LastError::Remember
    }
}

fn step_object<'env>(env: &'env Env, action: &Action) -> Result<Object<'env>> {
    let mut out = Object::new(env)?;
    let kind = match action {
        Action::Select { skipped } => {
            out.set("skipped", skipped.clone())?;
            "select"
        }
        Action::GetModel { model_id } => with_model(&mut out, "getModel", model_id)?,
        Action::EmitInvocationStart { model_id } => {
            with_model(&mut out, "emitInvocationStart", model_id)?
        }
        Action::Invoke { model_id } => with_model(&mut out, "invoke", model_id)?,
        Action::EmitInvocationComplete { model_id } => {
            with_model(&mut out, "emitInvocationComplete", model_id)?
        }
        Action::Classify { model_id } => with_model(&mut out, "classify", model_id)?,
        Action::EmitRefusalClassification { model_id } => {
            with_model(&mut out, "emitRefusalClassification", model_id)?
        }
        Action::EmitRefusalDetected { model_id } => {
            with_model(&mut out, "emitRefusalDetected", model_id)?
        }
        Action::Report { outcome } => {
            let which = match outcome {
                ReportedOutcome::FromResponse => "response",
                ReportedOutcome::Refusal { model_id } => {
                    out.set("modelId", model_id.as_str())?;
                    "refusal"
                }
                ReportedOutcome::FromError => "error",
            };
            out.set("outcome", which)?;
            "report"
        }
        Action::ConsultEscalation { model_id } => {
            with_model(&mut out, "consultEscalation", model_id)?
        }
        Action::EmitTierEscalation { model_id, from, to } => {
            out.set("from", *from)?;
            out.set("to", to.as_str())?;
            with_model(&mut out, "emitTierEscalation", model_id)?
        }
        Action::InvokeEscalated { model_id, tier } => {
            out.set("tier", tier.as_str())?;
            with_model(&mut out, "invokeEscalated", model_id)?
        }
        Action::EmitEscalationSuccess { model_id, tier } => {
            out.set("tier", tier.as_str())?;
            with_model(&mut out, "emitEscalationSuccess", model_id)?
        }
        Action::EmitEscalationFailure { model_id, tier } => {
            out.set("tier", tier.as_str())?;
            with_model(&mut out, "emitEscalationFailure", model_id)?
        }
        Action::Return => "return",
        Action::Rethrow => "rethrow",
        Action::FailNoModels { skipped } | Action::FailRetriesExhausted { skipped, .. } => {
            if let Some((code, message)) = multiplexer_failure(action) {
                out.set("code", code)?;
                out.set("message", message)?;
            }
            out.set("skipped", skipped.clone())?;
            out.set(
                "retries",
                f64::from(match action {
                    Action::FailRetriesExhausted { retries, .. } => *retries,
                    _ => 0,
                }),
            )?;
            "fail"
        }
    };
    out.set("kind", kind)?;
    Ok(out)
}

fn with_model(out: &mut Object, kind: &'static str, model_id: &str) -> Result<&'static str> {
    out.set("modelId", model_id)?;
    Ok(kind)
}
