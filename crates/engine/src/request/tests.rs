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
/// After an answer from `model_id`: its completion is announced, the response reported,
/// and the request returns.
fn completes_with_the_answer_of(m: &mut RequestMachine, model_id: &str) {
    assert_eq!(
        m.action(),
        &Action::EmitInvocationComplete {
            model_id: model_id.into()
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
}

fn start_invocation(m: &mut RequestMachine, model_id: &str) {
    assert!(
        matches!(m.action(), Action::Select { .. }),
        "expected Select, got {:?}",
        m.action()
    );
    m.selected(Some(model_id.into()), 0.0);
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
    completes_with_the_answer_of(&mut m, "a");
    assert!(m.action().is_final());
}

#[test]
fn no_selection_fails_with_no_models_and_the_skipped_list() {
    let mut m = RequestMachine::new(3.0);
    m.selected(None, 0.0);
    assert_eq!(m.action(), &Action::FailNoModels { skipped: vec![] });
    let mut m = RequestMachine::new(3.0);
    m.selected(Some(String::new()), 0.0);
    assert_eq!(m.action(), &Action::FailNoModels { skipped: vec![] });
}

#[test]
fn a_missing_model_is_skipped_and_costs_a_retry() {
    let mut m = RequestMachine::new(3.0);
    m.selected(Some("gone".into()), 0.0);
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

#[test]
fn a_hedge_answering_makes_the_following_steps_name_its_model() {
    let mut m = RequestMachine::new(3.0);
    start_invocation(&mut m, "slow");
    m.answered_by("hedge".into(), false);
    completes_with_the_answer_of(&mut m, "hedge");
}
