//! The life of one request, as a sans-IO state machine.
//!
//! The machine decides; a driver acts. It says what to do next ([`Action`]),
//! the driver does it (asks a delegate to select a model, invokes it, emits an
//! event, reports an outcome) and feeds back what happened. The driver keeps
//! the heavy objects (the input, the response, the error); the machine keeps
//! the request's bookkeeping: the retry budget, the models skipped so far, the
//! models already escalated to a higher service tier, and where in the request
//! an error was raised, because that decides what happens to it.
//!
//! The order of actions is the original library's order, including its less
//! obvious corners, because callers observe it through events and delegates:
//! an error raised after an invocation started emits `model-invocation-complete`
//! before it is handled (so an error in the success path after the first
//! `model-invocation-complete` emits it a second time); an error raised while
//! handling an error (reporting its outcome, preparing a tier escalation) ends
//! the request with that new error; a tier escalation is tried at most once per
//! model per request and does not spend the retry budget.

pub use facts::{ErrorFacts, ErrorOutcome, LastError, ReportedOutcome};

use crate::backoff::{RetryRounds, WaitReason};
use crate::outcome::OutcomeType;
use crate::Millis;

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Ask for a model, skipping these ids (in the order they were skipped).
    /// Feed [`RequestMachine::selected`].
    Select { skipped: Vec<String> },
    /// Look the model up by id. Feed [`RequestMachine::model_found`].
    GetModel { model_id: String },
    /// `failover.backoff`: every eligible model failed and retries remain. Feed
    /// [`RequestMachine::retry_round`] the time and a draw.
    StartRetryRound,
    /// `failover.backoff`: emit `backoff`, then wait `delay_ms` before trying the model
    /// again. Feed `done`.
    Wait {
        model_id: String,
        delay_ms: f64,
        reason: WaitReason,
    },
    /// Emit `model-invocation-start`. Feed [`RequestMachine::done`].
    EmitInvocationStart { model_id: String },
    /// Note the start time, then invoke the model at its default tier.
    /// Feed [`RequestMachine::invoked`].
    Invoke { model_id: String },
    /// Emit `model-invocation-complete` with the latency since `Invoke`.
    /// Feed [`RequestMachine::done`].
    EmitInvocationComplete { model_id: String },
    /// Classify the text of the latest response for refusal.
    /// Feed [`RequestMachine::classified`].
    Classify { model_id: String },
    /// Emit `refusal-classification` for the latest classification. Feed `done`.
    EmitRefusalClassification { model_id: String },
    /// Emit `refusal-detected` for the latest classification. Feed `done`.
    EmitRefusalDetected { model_id: String },
    /// Report an outcome to the delegate. Feed [`RequestMachine::done`].
    Report { outcome: ReportedOutcome },
    /// Read the delegate's tier-escalation setting.
    /// Feed [`RequestMachine::escalation_tier`].
    ConsultEscalation { model_id: String },
    /// Emit `tier-escalation` (`from` is always `default`). Feed `done`.
    EmitTierEscalation {
        model_id: String,
        from: &'static str,
        to: String,
    },
    /// Invoke the model again at `tier`. Feed [`RequestMachine::invoked`].
    InvokeEscalated { model_id: String, tier: String },
    /// Emit `tier-escalation-success`. Feed `done`.
    EmitEscalationSuccess { model_id: String, tier: String },
    /// Emit `tier-escalation-failure` with the latest error's message. Feed `done`.
    EmitEscalationFailure { model_id: String, tier: String },
    /// Resolve the request with the latest response. Final.
    Return,
    /// Reject the request with the latest error, as it is. Final.
    Rethrow,
    /// Reject with `MultiplexerError` `NO_MODELS_AVAILABLE`. Final.
    FailNoModels { skipped: Vec<String> },
    /// Reject with `MultiplexerError` `RETRIES_EXHAUSTED`. Final.
    FailRetriesExhausted { retries: u32, skipped: Vec<String> },
}

impl Action {
    /// Whether the request has ended.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Action::Return
                | Action::Rethrow
                | Action::FailNoModels { .. }
                | Action::FailRetriesExhausted { .. }
        )
    }
}

/// Where the request stands; decides what an error raised now leads to.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// Selecting, looking up, announcing: an error goes to the request's catch.
    Attempt,
    /// Between the start of an invocation and its result being returned.
    Invocation {
        model_id: String,
    },
    /// Emitting `model-invocation-complete` for an error; then the catch.
    InvocationUnwind,
    /// Handling a caught error; an error here ends the request.
    Handling,
    /// Announcing and looking up a tier escalation; an error ends the request.
    EscalationSetup {
        model_id: String,
        tier: String,
    },
    /// Inside a tier escalation's attempt; an error emits a failure event.
    Escalation {
        model_id: String,
        tier: String,
    },
    /// Reporting a failed escalation; an error here ends the request.
    EscalationUnwind {
        model_id: String,
    },
    Finished,
}

/// The bookkeeping of one request. See the module documentation.
#[derive(Debug)]
pub struct RequestMachine {
    max_retries: f64,
    retries: u32,
    skipped: Vec<String>,
    escalated: Vec<String>,
    phase: Phase,
    /// The error being handled by the request's catch.
    caught: ErrorFacts,
    /// Whether the latest response must be classified before it counts.
    check_refusal: bool,
    /// Whether the latest classification found a refusal.
    refused: bool,
    /// Whether the error raised inside a tier escalation carries an outcome.
    escalation_error_has_outcome: bool,
    /// `failover.backoff`'s rounds; `None` without it (the original's single pass).
    rounds: Option<RetryRounds>,
    /// The model the request holds in flight, for its driver (`registry::in_flight`).
    held: Option<String>,
    next: Action,
}

impl RequestMachine {
    /// A new request with a retry budget of `max_retries` (compared as
    /// JavaScript compares numbers, so NaN allows no attempt at all).
    pub fn new(max_retries: f64) -> Self {
        let mut machine = RequestMachine {
            max_retries,
            retries: 0,
            skipped: Vec::new(),
            escalated: Vec::new(),
            phase: Phase::Attempt,
            caught: ErrorFacts::default(),
            check_refusal: false,
            refused: false,
            escalation_error_has_outcome: false,
            rounds: None,
            held: None,
            next: Action::Return,
        };
        machine.next_attempt();
        machine
    }

    /// What to do next.
    pub fn action(&self) -> &Action {
        &self.next
    }

    /// How many retries the request has spent so far.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// The selection came back at `now` with `model_id` (`None` for none or empty).
    pub fn selected(&mut self, model_id: Option<String>, now: Millis) {
        self.next = match model_id.filter(|id| !id.is_empty()) {
            Some(model_id) => self.before_attempt(model_id, now),
            None => self.no_model_left(),
        };
    }

    /// The model lookup answered; `found` is false when it gave nothing.
    pub fn model_found(&mut self, found: bool) {
        let Action::GetModel { model_id } = &self.next else {
            return;
        };
        let model_id = model_id.clone();
        self.next = match (&self.phase, found) {
            (Phase::Attempt, true) => Action::EmitInvocationStart { model_id },
            (Phase::Attempt, false) => {
                self.skip(model_id);
                return self.next_attempt();
            }
            (Phase::EscalationSetup { tier, .. }, true) => {
                let tier = tier.clone();
                self.phase = Phase::Escalation {
                    model_id: model_id.clone(),
                    tier: tier.clone(),
                };
                Action::InvokeEscalated { model_id, tier }
            }
            (Phase::EscalationSetup { .. }, false) => return self.skip_and_retry(model_id),
            _ => return,
        };
    }

    /// The latest invocation returned a response. `check_refusal` is the
    /// delegate's `refusalRetryEnabled`, read now.
    pub fn invoked(&mut self, check_refusal: bool) {
        self.check_refusal = check_refusal;
        self.next = match (&self.phase, &self.next) {
            (Phase::Invocation { model_id }, Action::Invoke { .. }) => {
                Action::EmitInvocationComplete {
                    model_id: model_id.clone(),
                }
            }
            (Phase::Escalation { model_id, tier }, Action::InvokeEscalated { .. }) => {
                Action::EmitEscalationSuccess {
                    model_id: model_id.clone(),
                    tier: tier.clone(),
                }
            }
            _ => return,
        };
    }

    /// Beyond the original (`hedging`): the invocation was answered by a hedge sent to
    /// `model_id`, so the steps that follow (completion event, refusal check) name it.
    /// Otherwise as [`RequestMachine::invoked`].
    pub fn answered_by(&mut self, model_id: String, check_refusal: bool) {
        if let Phase::Invocation { .. } = self.phase {
            self.phase = Phase::Invocation { model_id };
        }
        self.invoked(check_refusal);
    }

    /// The refusal classifier answered: `None` when it gave no classification
    /// (detection off or unavailable), else whether the text is a refusal.
    pub fn classified(&mut self, is_refusal: Option<bool>) {
        let Some(model_id) = self.invocation_model().map(str::to_owned) else {
            return;
        };
        self.next = match is_refusal {
            None => Action::Report {
                outcome: ReportedOutcome::FromResponse,
            },
            Some(is_refusal) => {
                self.refused = is_refusal;
                Action::EmitRefusalClassification { model_id }
            }
        };
    }

    /// The tier-escalation setting, read now: `Some(tier)` when enabled.
    pub fn escalation_tier(&mut self, tier: Option<String>) {
        let Action::ConsultEscalation { model_id } = &self.next else {
            return;
        };
        let model_id = model_id.clone();
        match tier {
            Some(tier) if !self.escalated.contains(&model_id) => {
                self.escalated.push(model_id.clone());
                self.phase = Phase::EscalationSetup {
                    model_id: model_id.clone(),
                    tier: tier.clone(),
                };
                self.next = Action::EmitTierEscalation {
                    model_id,
                    from: "default",
                    to: tier,
                };
            }
            _ => self.skip_and_retry(model_id),
        }
    }

    /// The latest action (an emit or a report) completed.
    pub fn done(&mut self) {
        let next = match (&self.next, &self.phase) {
            (Action::Wait { model_id, .. }, _) => Action::GetModel {
                model_id: model_id.clone(),
            },
            (Action::EmitInvocationStart { model_id }, _) => {
                if let Some(rounds) = self.rounds.as_mut() {
                    rounds.attempted();
                }
                self.phase = Phase::Invocation {
                    model_id: model_id.clone(),
                };
                Action::Invoke {
                    model_id: model_id.clone(),
                }
            }
            (Action::EmitInvocationComplete { model_id }, Phase::Invocation { .. }) => {
                self.after_answer(model_id)
            }
            (Action::EmitInvocationComplete { .. }, Phase::InvocationUnwind) => {
                return self.handle_caught();
            }
            (Action::EmitEscalationSuccess { model_id, .. }, _) => self.after_answer(model_id),
            (Action::EmitRefusalClassification { model_id }, _) => {
                if self.refused {
                    Action::EmitRefusalDetected {
                        model_id: model_id.clone(),
                    }
                } else {
                    Action::Report {
                        outcome: ReportedOutcome::FromResponse,
                    }
                }
            }
            (Action::EmitRefusalDetected { model_id }, _) => Action::Report {
                outcome: ReportedOutcome::Refusal {
                    model_id: model_id.clone(),
                },
            },
            (Action::EmitTierEscalation { model_id, .. }, _) => Action::GetModel {
                model_id: model_id.clone(),
            },
            (Action::EmitEscalationFailure { model_id, .. }, Phase::EscalationUnwind { .. }) => {
                if self.escalation_error_has_outcome {
                    Action::Report {
                        outcome: ReportedOutcome::FromError,
                    }
                } else {
                    return self.skip_and_retry(model_id.clone());
                }
            }
            (Action::Report { outcome }, phase) => {
                let outcome = outcome.clone();
                let phase = phase.clone();
                return self.reported(outcome, phase);
            }
            _ => return,
        };
        self.next = next;
    }

    /// The latest action threw. Returns whether the driver should keep this
    /// error as the request's last error.
    pub fn failed(&mut self, facts: ErrorFacts) -> LastError {
        if let (Some(rounds), Some(outcome), Some(until)) = (
            self.rounds.as_mut(),
            &facts.outcome,
            facts.retry_after_until,
        ) {
            rounds.note_retry_after(&outcome.model_id, until);
        }
        match self.phase.clone() {
            Phase::Attempt => {
                self.caught = facts;
                self.handle_caught();
                LastError::Remember
            }
            Phase::Invocation { model_id } => {
                self.caught = facts;
                self.phase = Phase::InvocationUnwind;
                self.next = Action::EmitInvocationComplete { model_id };
                LastError::Remember
            }
            Phase::InvocationUnwind => {
                self.caught = facts;
                self.phase = Phase::Attempt;
                self.handle_caught();
                LastError::Remember
            }
            Phase::Escalation { model_id, tier } => {
                self.escalation_error_has_outcome = facts.outcome.is_some();
                self.phase = Phase::EscalationUnwind {
                    model_id: model_id.clone(),
                };
                self.next = Action::EmitEscalationFailure { model_id, tier };
                LastError::Ignore
            }
            Phase::Handling
            | Phase::EscalationSetup { .. }
            | Phase::EscalationUnwind { .. }
            | Phase::Finished => {
                self.finish(Action::Rethrow);
                LastError::Ignore
            }
        }
    }

    // ---- internals ----

    fn invocation_model(&self) -> Option<&str> {
        match &self.phase {
            Phase::Invocation { model_id } | Phase::Escalation { model_id, .. } => Some(model_id),
            _ => None,
        }
    }

    /// After an answer: the refusal classifier when it is on, else the success report.
    fn after_answer(&self, model_id: &str) -> Action {
        if self.check_refusal {
            Action::Classify {
                model_id: model_id.to_owned(),
            }
        } else {
            Action::Report {
                outcome: ReportedOutcome::FromResponse,
            }
        }
    }

    /// The request's catch: decide what the caught error leads to.
    fn handle_caught(&mut self) {
        if self.caught.is_multiplexer_error {
            return self.finish(Action::Rethrow);
        }
        match &self.caught.outcome {
            Some(_) => {
                self.phase = Phase::Handling;
                self.next = Action::Report {
                    outcome: ReportedOutcome::FromError,
                };
            }
            None => self.finish(Action::Rethrow),
        }
    }

    fn reported(&mut self, outcome: ReportedOutcome, phase: Phase) {
        match (outcome, phase) {
            (ReportedOutcome::FromResponse, _) => self.finish(Action::Return),
            (ReportedOutcome::Refusal { model_id }, Phase::Invocation { .. }) => {
                self.phase = Phase::Attempt;
                self.skip(model_id);
                self.next_attempt();
            }
            (ReportedOutcome::Refusal { model_id }, Phase::Escalation { .. }) => {
                self.skip_and_retry(model_id)
            }
            (ReportedOutcome::FromError, Phase::Handling) => {
                let Some(caught) = self.caught.outcome.clone() else {
                    return self.finish(Action::Rethrow);
                };
                if caught.kind == Some(OutcomeType::RateLimit) {
                    self.next = Action::ConsultEscalation {
                        model_id: caught.model_id,
                    };
                } else if self.caught.is_circuit_open || self.caught.fails_over {
                    self.skip_and_retry(caught.model_id);
                } else {
                    self.finish(Action::Rethrow);
                }
            }
            (ReportedOutcome::FromError, Phase::EscalationUnwind { model_id }) => {
                self.skip_and_retry(model_id)
            }
            _ => self.finish(Action::Rethrow),
        }
    }

    fn skip_and_retry(&mut self, model_id: String) {
        self.phase = Phase::Attempt;
        self.skip(model_id);
        self.next_attempt();
    }

    fn skip(&mut self, model_id: String) {
        if !self.skipped.contains(&model_id) {
            self.skipped.push(model_id);
        }
        self.retries += 1;
    }

    fn next_attempt(&mut self) {
        self.phase = Phase::Attempt;
        // `retryCount <= maxRetries` as JavaScript evaluates it: false for NaN.
        if f64::from(self.retries) <= self.max_retries {
            self.next = Action::Select {
                skipped: self.skipped.clone(),
            };
        } else {
            let skipped = self.all_skipped();
            self.finish(Action::FailRetriesExhausted {
                retries: self.retries,
                skipped,
            });
        }
    }

    fn finish(&mut self, action: Action) {
        self.phase = Phase::Finished;
        self.next = action;
    }
}

mod facts;
mod rounds;
#[cfg(test)]
mod tests;
