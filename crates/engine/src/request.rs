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

use crate::outcome::OutcomeType;

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Ask for a model, skipping these ids (in the order they were skipped).
    /// Feed [`RequestMachine::selected`].
    Select { skipped: Vec<String> },
    /// Look the model up by id. Feed [`RequestMachine::model_found`].
    GetModel { model_id: String },
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

/// Which outcome a [`Action::Report`] carries.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportedOutcome {
    /// The outcome that came with the latest successful invocation.
    FromResponse,
    /// A refusal of `model_id`, with the latest response's latency.
    Refusal { model_id: String },
    /// The outcome attached to the latest error.
    FromError,
}

/// What the driver could tell about an error it caught.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorFacts {
    /// It is a `MultiplexerError`: passed through untouched.
    pub is_multiplexer_error: bool,
    /// The outcome the error carries (`error.outcome`), if any.
    pub outcome: Option<ErrorOutcome>,
    /// Its name is `CircuitOpenError`.
    pub is_circuit_open: bool,
    /// The caller's policy says this failure moves on to another model, as an open
    /// circuit does (a stream that failed before its first event: see
    /// `classify::fails_over_before_first_event`).
    pub fails_over: bool,
}

/// The parts of an error's attached outcome that steer the request.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorOutcome {
    pub model_id: String,
    pub kind: Option<OutcomeType>,
}

/// Whether a caught error should be remembered as the request's last error
/// (the one `RETRIES_EXHAUSTED` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastError {
    Remember,
    Ignore,
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

    /// The selection came back with `model_id` (`None` for none or empty).
    pub fn selected(&mut self, model_id: Option<String>) {
        self.next = match model_id {
            Some(model_id) if !model_id.is_empty() => Action::GetModel { model_id },
            _ => {
                self.phase = Phase::Finished;
                Action::FailNoModels {
                    skipped: self.skipped.clone(),
                }
            }
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
            (Action::EmitInvocationStart { model_id }, _) => {
                self.phase = Phase::Invocation {
                    model_id: model_id.clone(),
                };
                Action::Invoke {
                    model_id: model_id.clone(),
                }
            }
            (Action::EmitInvocationComplete { model_id }, Phase::Invocation { .. }) => {
                if self.check_refusal {
                    Action::Classify {
                        model_id: model_id.clone(),
                    }
                } else {
                    Action::Report {
                        outcome: ReportedOutcome::FromResponse,
                    }
                }
            }
            (Action::EmitInvocationComplete { .. }, Phase::InvocationUnwind) => {
                return self.handle_caught();
            }
            (Action::EmitEscalationSuccess { model_id, .. }, _) => {
                if self.check_refusal {
                    Action::Classify {
                        model_id: model_id.clone(),
                    }
                } else {
                    Action::Report {
                        outcome: ReportedOutcome::FromResponse,
                    }
                }
            }
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
            let skipped = self.skipped.clone();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rate_limited(model_id: &str) -> ErrorFacts {
        ErrorFacts {
            outcome: Some(ErrorOutcome {
                model_id: model_id.into(),
                kind: Some(OutcomeType::RateLimit),
            }),
            ..ErrorFacts::default()
        }
    }

    fn failed_fast(model_id: &str) -> ErrorFacts {
        ErrorFacts {
            outcome: Some(ErrorOutcome {
                model_id: model_id.into(),
                kind: Some(OutcomeType::FailFast),
            }),
            ..ErrorFacts::default()
        }
    }

    fn select(id: &str, skipped: &[&str]) -> Action {
        let _ = id;
        Action::Select {
            skipped: skipped.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Drives the machine from `Select` to `Invoke` for `model_id`.
    fn start_invocation(m: &mut RequestMachine, model_id: &str) {
        assert!(
            matches!(m.action(), Action::Select { .. }),
            "expected Select, got {:?}",
            m.action()
        );
        m.selected(Some(model_id.into()));
        assert_eq!(
            m.action(),
            &Action::GetModel {
                model_id: model_id.into()
            }
        );
        m.model_found(true);
        assert_eq!(
            m.action(),
            &Action::EmitInvocationStart {
                model_id: model_id.into()
            }
        );
        m.done();
        assert_eq!(
            m.action(),
            &Action::Invoke {
                model_id: model_id.into()
            }
        );
    }

    #[test]
    fn a_successful_invocation_is_announced_reported_and_returned() {
        let mut m = RequestMachine::new(3.0);
        assert_eq!(m.action(), &select("", &[]));
        start_invocation(&mut m, "a");
        m.invoked(false);
        assert_eq!(
            m.action(),
            &Action::EmitInvocationComplete {
                model_id: "a".into()
            }
        );
        m.done();
        assert_eq!(
            m.action(),
            &Action::Report {
                outcome: ReportedOutcome::FromResponse
            }
        );
        m.done();
        assert_eq!(m.action(), &Action::Return);
        assert!(m.action().is_final());
    }

    #[test]
    fn no_selection_fails_with_no_models_and_the_skipped_list() {
        let mut m = RequestMachine::new(3.0);
        m.selected(None);
        assert_eq!(m.action(), &Action::FailNoModels { skipped: vec![] });
        let mut m = RequestMachine::new(3.0);
        m.selected(Some(String::new()));
        assert_eq!(m.action(), &Action::FailNoModels { skipped: vec![] });
    }

    #[test]
    fn a_missing_model_is_skipped_and_costs_a_retry() {
        let mut m = RequestMachine::new(3.0);
        m.selected(Some("gone".into()));
        m.model_found(false);
        assert_eq!(m.action(), &select("", &["gone"]));
        assert_eq!(m.retries(), 1);
    }

    #[test]
    fn throttling_reports_then_fails_over_to_another_model() {
        let mut m = RequestMachine::new(3.0);
        start_invocation(&mut m, "a");
        assert_eq!(m.failed(rate_limited("a")), LastError::Remember);
        assert_eq!(
            m.action(),
            &Action::EmitInvocationComplete {
                model_id: "a".into()
            }
        );
        m.done();
        assert_eq!(
            m.action(),
            &Action::Report {
                outcome: ReportedOutcome::FromError
            }
        );
        m.done();
        assert_eq!(
            m.action(),
            &Action::ConsultEscalation {
                model_id: "a".into()
            }
        );
        m.escalation_tier(None);
        assert_eq!(m.action(), &select("", &["a"]));
        start_invocation(&mut m, "b");
        m.invoked(false);
        m.done();
        m.done();
        assert_eq!(m.action(), &Action::Return);
    }

    #[test]
    fn a_fail_fast_error_is_reported_and_rethrown() {
        let mut m = RequestMachine::new(3.0);
        start_invocation(&mut m, "a");
        m.failed(failed_fast("a"));
        m.done();
        assert_eq!(
            m.action(),
            &Action::Report {
                outcome: ReportedOutcome::FromError
            }
        );
        m.done();
        assert_eq!(m.action(), &Action::Rethrow);
    }

    #[test]
    fn an_error_without_outcome_is_rethrown_without_a_report() {
        let mut m = RequestMachine::new(3.0);
        m.failed(ErrorFacts::default());
        assert_eq!(m.action(), &Action::Rethrow);
    }

    #[test]
    fn a_multiplexer_error_passes_through_untouched() {
        let mut m = RequestMachine::new(3.0);
        start_invocation(&mut m, "a");
        m.failed(ErrorFacts {
            is_multiplexer_error: true,
            outcome: rate_limited("a").outcome,
            ..ErrorFacts::default()
        });
        m.done();
        assert_eq!(m.action(), &Action::Rethrow);
    }

    #[test]
    fn an_open_circuit_skips_the_model() {
        let mut m = RequestMachine::new(3.0);
        start_invocation(&mut m, "a");
        m.failed(ErrorFacts {
            is_circuit_open: true,
            ..failed_fast("a")
        });
        m.done();
        m.done();
        assert_eq!(m.action(), &select("", &["a"]));
    }

    #[test]
    fn a_failure_marked_to_fail_over_skips_the_model() {
        let mut m = RequestMachine::new(3.0);
        start_invocation(&mut m, "a");
        m.failed(ErrorFacts {
            fails_over: true,
            ..failed_fast("a")
        });
        m.done();
        assert_eq!(
            m.action(),
            &Action::Report {
                outcome: ReportedOutcome::FromError
            }
        );
        m.done();
        assert_eq!(m.action(), &select("", &["a"]));
        assert_eq!(m.retries(), 1);
    }

    #[test]
    fn the_budget_allows_max_retries_plus_one_attempts() {
        let mut m = RequestMachine::new(2.0);
        for id in ["a", "b", "c"] {
            start_invocation(&mut m, id);
            m.failed(rate_limited(id));
            m.done();
            m.done();
            m.escalation_tier(None);
        }
        assert_eq!(
            m.action(),
            &Action::FailRetriesExhausted {
                retries: 3,
                skipped: vec!["a".into(), "b".into(), "c".into()]
            }
        );
    }

    #[test]
    fn a_nan_budget_allows_no_attempt() {
        let m = RequestMachine::new(f64::NAN);
        assert_eq!(
            m.action(),
            &Action::FailRetriesExhausted {
                retries: 0,
                skipped: vec![]
            }
        );
    }

    #[test]
    fn an_error_after_the_completion_event_emits_it_again() {
        let mut m = RequestMachine::new(3.0);
        start_invocation(&mut m, "a");
        m.invoked(false);
        m.done(); // invocation-complete emitted
        assert_eq!(
            m.action(),
            &Action::Report {
                outcome: ReportedOutcome::FromResponse
            }
        );
        assert_eq!(m.failed(ErrorFacts::default()), LastError::Remember);
        assert_eq!(
            m.action(),
            &Action::EmitInvocationComplete {
                model_id: "a".into()
            }
        );
        m.done();
        assert_eq!(m.action(), &Action::Rethrow);
    }

    #[test]
    fn an_error_while_reporting_a_caught_error_ends_the_request() {
        let mut m = RequestMachine::new(3.0);
        start_invocation(&mut m, "a");
        m.failed(rate_limited("a"));
        m.done();
        assert_eq!(m.failed(ErrorFacts::default()), LastError::Ignore);
        assert_eq!(m.action(), &Action::Rethrow);
    }

    #[test]
    fn a_refusal_is_reported_and_the_model_skipped() {
        let mut m = RequestMachine::new(3.0);
        start_invocation(&mut m, "a");
        m.invoked(true);
        m.done();
        assert_eq!(
            m.action(),
            &Action::Classify {
                model_id: "a".into()
            }
        );
        m.classified(Some(true));
        assert_eq!(
            m.action(),
            &Action::EmitRefusalClassification {
                model_id: "a".into()
            }
        );
        m.done();
        assert_eq!(
            m.action(),
            &Action::EmitRefusalDetected {
                model_id: "a".into()
            }
        );
        m.done();
        assert_eq!(
            m.action(),
            &Action::Report {
                outcome: ReportedOutcome::Refusal {
                    model_id: "a".into()
                }
            }
        );
        m.done();
        assert_eq!(m.action(), &select("", &["a"]));
        assert_eq!(m.retries(), 1);
    }

    #[test]
    fn a_compliant_answer_or_no_classification_returns() {
        for verdict in [Some(false), None] {
            let mut m = RequestMachine::new(3.0);
            start_invocation(&mut m, "a");
            m.invoked(true);
            m.done();
            m.classified(verdict);
            if verdict.is_some() {
                assert_eq!(
                    m.action(),
                    &Action::EmitRefusalClassification {
                        model_id: "a".into()
                    }
                );
                m.done();
            }
            assert_eq!(
                m.action(),
                &Action::Report {
                    outcome: ReportedOutcome::FromResponse
                }
            );
            m.done();
            assert_eq!(m.action(), &Action::Return);
        }
    }

    /// Throttles `a` and brings the machine to the escalated invocation.
    fn escalate(m: &mut RequestMachine) {
        start_invocation(m, "a");
        m.failed(rate_limited("a"));
        m.done();
        m.done();
        m.escalation_tier(Some("priority".into()));
        assert_eq!(
            m.action(),
            &Action::EmitTierEscalation {
                model_id: "a".into(),
                from: "default",
                to: "priority".into()
            }
        );
        m.done();
        assert_eq!(
            m.action(),
            &Action::GetModel {
                model_id: "a".into()
            }
        );
        m.model_found(true);
        assert_eq!(
            m.action(),
            &Action::InvokeEscalated {
                model_id: "a".into(),
                tier: "priority".into()
            }
        );
    }

    #[test]
    fn a_throttled_model_is_retried_once_at_the_escalation_tier() {
        let mut m = RequestMachine::new(0.0);
        escalate(&mut m);
        m.invoked(false);
        assert_eq!(
            m.action(),
            &Action::EmitEscalationSuccess {
                model_id: "a".into(),
                tier: "priority".into()
            }
        );
        m.done();
        assert_eq!(
            m.action(),
            &Action::Report {
                outcome: ReportedOutcome::FromResponse
            }
        );
        m.done();
        assert_eq!(m.action(), &Action::Return);
        assert_eq!(m.retries(), 0, "escalation does not spend the retry budget");
    }

    #[test]
    fn a_failed_escalation_reports_its_outcome_then_fails_over() {
        let mut m = RequestMachine::new(3.0);
        escalate(&mut m);
        assert_eq!(m.failed(rate_limited("a")), LastError::Ignore);
        assert_eq!(
            m.action(),
            &Action::EmitEscalationFailure {
                model_id: "a".into(),
                tier: "priority".into()
            }
        );
        m.done();
        assert_eq!(
            m.action(),
            &Action::Report {
                outcome: ReportedOutcome::FromError
            }
        );
        m.done();
        assert_eq!(m.action(), &select("", &["a"]));
    }

    #[test]
    fn a_model_escalates_at_most_once_per_request() {
        let mut m = RequestMachine::new(3.0);
        escalate(&mut m);
        m.failed(ErrorFacts::default());
        m.done();
        assert_eq!(m.action(), &select("", &["a"]));
        // The same model selected again and throttled again: no second escalation.
        start_invocation(&mut m, "a");
        m.failed(rate_limited("a"));
        m.done();
        m.done();
        m.escalation_tier(Some("priority".into()));
        assert_eq!(m.action(), &select("", &["a"]));
    }

    #[test]
    fn an_escalated_refusal_fails_over() {
        let mut m = RequestMachine::new(3.0);
        escalate(&mut m);
        m.invoked(true);
        m.done();
        assert_eq!(
            m.action(),
            &Action::Classify {
                model_id: "a".into()
            }
        );
        m.classified(Some(true));
        m.done();
        m.done();
        assert_eq!(
            m.action(),
            &Action::Report {
                outcome: ReportedOutcome::Refusal {
                    model_id: "a".into()
                }
            }
        );
        m.done();
        assert_eq!(m.action(), &select("", &["a"]));
    }

    #[test]
    fn a_missing_model_at_escalation_fails_over() {
        let mut m = RequestMachine::new(3.0);
        start_invocation(&mut m, "a");
        m.failed(rate_limited("a"));
        m.done();
        m.done();
        m.escalation_tier(Some("reserved".into()));
        m.done();
        m.model_found(false);
        assert_eq!(m.action(), &select("", &["a"]));
    }

    #[test]
    fn an_error_announcing_an_escalation_ends_the_request() {
        let mut m = RequestMachine::new(3.0);
        start_invocation(&mut m, "a");
        m.failed(rate_limited("a"));
        m.done();
        m.done();
        m.escalation_tier(Some("reserved".into()));
        m.failed(ErrorFacts::default());
        assert_eq!(m.action(), &Action::Rethrow);
    }
}
