use super::*;

const POLICY: BackoffPolicy = BackoffPolicy {
    base_ms: 100.0,
    max_ms: 1000.0,
};

#[test]
fn the_jittered_delay_is_the_draw_times_a_doubling_capped_bound() {
    assert_eq!(POLICY.jittered_delay(1, 0.5), 50.0);
    assert_eq!(POLICY.jittered_delay(2, 0.5), 100.0);
    assert_eq!(POLICY.jittered_delay(3, 0.25), 100.0);
    // 100 × 2^4 = 1600, capped at 1000.
    assert_eq!(POLICY.jittered_delay(5, 0.5), 500.0);
    assert_eq!(POLICY.jittered_delay(u32::MAX, 0.5), 500.0);
    assert_eq!(POLICY.jittered_delay(1, 0.0), 0.0);
}

#[test]
fn a_draw_outside_the_unit_interval_cannot_stretch_the_delay() {
    assert_eq!(POLICY.jittered_delay(1, 7.0), 100.0);
    assert_eq!(POLICY.jittered_delay(1, -1.0), 0.0);
    assert_eq!(POLICY.jittered_delay(1, f64::NAN), 0.0);
}

#[test]
fn a_model_is_tried_again_after_the_later_of_the_round_delay_and_its_retry_after() {
    assert_eq!(
        retry_at(1000.0, 1050.0, None, f64::INFINITY),
        Retry::After {
            delay_ms: 50.0,
            reason: WaitReason::Exponential
        }
    );
    assert_eq!(
        retry_at(1000.0, 1050.0, Some(3000.0), f64::INFINITY),
        Retry::After {
            delay_ms: 2000.0,
            reason: WaitReason::RetryAfter
        }
    );
    assert_eq!(
        retry_at(1000.0, 1050.0, Some(1020.0), f64::INFINITY),
        Retry::After {
            delay_ms: 50.0,
            reason: WaitReason::Exponential
        }
    );
    assert_eq!(retry_at(2000.0, 1050.0, Some(1500.0), 9000.0), Retry::Now);
}

#[test]
fn a_wait_that_would_reach_the_deadline_passes_the_model_over() {
    assert_eq!(
        retry_at(1000.0, 1050.0, Some(5000.0), 5000.0),
        Retry::PastDeadline
    );
    assert_eq!(retry_at(1000.0, 1050.0, None, 1040.0), Retry::PastDeadline);
    assert!(matches!(
        retry_at(1000.0, 1050.0, Some(4999.0), 5000.0),
        Retry::After { .. }
    ));
}

#[test]
fn retry_after_reads_seconds_dates_milliseconds_and_the_error_field() {
    let now = 10_000.0;
    let seconds = RetryAfterHints {
        retry_after: Some(" 2 "),
        retry_after_date: Some(f64::NAN),
        ..Default::default()
    };
    assert_eq!(retry_after_until(seconds, now), Some(12_000.0));
    let fraction = RetryAfterHints {
        retry_after: Some("0.5"),
        ..Default::default()
    };
    assert_eq!(retry_after_until(fraction, now), Some(10_500.0));
    let date = RetryAfterHints {
        retry_after: Some("Wed, 21 Oct 2015 07:28:00 GMT"),
        retry_after_date: Some(13_000.0),
        ..Default::default()
    };
    assert_eq!(retry_after_until(date, now), Some(13_000.0));
    let amz = RetryAfterHints {
        amz_retry_after: Some("1500"),
        ..Default::default()
    };
    assert_eq!(retry_after_until(amz, now), Some(11_500.0));
    let field = RetryAfterHints {
        retry_after_seconds: Some(3.0),
        ..Default::default()
    };
    assert_eq!(retry_after_until(field, now), Some(13_000.0));
}

#[test]
fn the_latest_hint_wins_and_nonsense_or_past_times_are_no_hint() {
    let now = 10_000.0;
    let both = RetryAfterHints {
        retry_after: Some("1"),
        amz_retry_after: Some("4000"),
        ..Default::default()
    };
    assert_eq!(retry_after_until(both, now), Some(14_000.0));
    let nonsense = RetryAfterHints {
        retry_after: Some("soon"),
        retry_after_date: Some(f64::NAN),
        amz_retry_after: Some("x"),
        retry_after_seconds: Some(f64::INFINITY),
    };
    assert_eq!(retry_after_until(nonsense, now), None);
    let past = RetryAfterHints {
        retry_after: Some("0"),
        retry_after_date: Some(5_000.0),
        ..Default::default()
    };
    assert_eq!(retry_after_until(past, now), None);
    assert_eq!(retry_after_until(RetryAfterHints::default(), now), None);
}

mod in_the_request_machine {
    use super::POLICY;
    use crate::backoff::WaitReason;
    use crate::outcome::OutcomeType;
    use crate::request::{Action, ErrorFacts, ErrorOutcome, RequestMachine};

    fn unavailable(model_id: &str, retry_after_until: Option<f64>) -> ErrorFacts {
        ErrorFacts {
            outcome: Some(ErrorOutcome {
                model_id: model_id.into(),
                kind: Some(OutcomeType::FailFast),
            }),
            fails_over: true,
            retry_after_until,
            ..ErrorFacts::default()
        }
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|id| id.to_string()).collect()
    }

    /// From a `Select` (or `Wait`'s end) through a failed attempt on `model_id`, to the
    /// action after the failure's report.
    fn fail_attempt(m: &mut RequestMachine, model_id: &str, retry_after_until: Option<f64>) {
        assert_eq!(
            m.action(),
            &Action::GetModel {
                model_id: model_id.into()
            }
        );
        m.model_found(true);
        m.done(); // model-invocation-start
        assert!(matches!(m.action(), Action::Invoke { .. }));
        m.failed(unavailable(model_id, retry_after_until));
        m.done(); // model-invocation-complete
        assert!(matches!(m.action(), Action::Report { .. }));
        m.done();
    }

    #[test]
    fn without_backoff_a_request_ends_once_every_model_failed() {
        let mut m = RequestMachine::new(5.0);
        m.selected(Some("a".into()), 0.0);
        fail_attempt(&mut m, "a", None);
        m.selected(None, 0.0);
        assert_eq!(
            m.action(),
            &Action::FailNoModels {
                skipped: ids(&["a"])
            }
        );
    }

    #[test]
    fn with_backoff_every_failed_model_is_tried_again_after_a_jittered_wait() {
        let mut m = RequestMachine::new(5.0);
        m.set_backoff(POLICY, f64::INFINITY);
        m.selected(Some("a".into()), 1000.0);
        fail_attempt(&mut m, "a", None);
        m.selected(Some("b".into()), 1000.0);
        fail_attempt(&mut m, "b", None);
        m.selected(None, 1000.0);
        assert_eq!(m.action(), &Action::StartRetryRound);
        m.retry_round(1000.0, 0.5);
        // The skipped models are eligible again.
        assert_eq!(m.action(), &Action::Select { skipped: vec![] });
        m.selected(Some("b".into()), 1000.0);
        assert_eq!(
            m.action(),
            &Action::Wait {
                model_id: "b".into(),
                delay_ms: 50.0,
                reason: WaitReason::Exponential,
            }
        );
        m.done();
        fail_attempt(&mut m, "b", None);
        // The round's delay has passed for the next model: no second wait.
        m.selected(Some("a".into()), 1060.0);
        fail_attempt(&mut m, "a", None);
        m.selected(None, 1100.0);
        m.retry_round(1100.0, 0.5);
        m.selected(Some("a".into()), 1100.0);
        // Round 2 doubles the bound: 0.5 × 200.
        assert!(matches!(
            m.action(),
            Action::Wait { delay_ms, .. } if *delay_ms == 100.0
        ));
    }

    #[test]
    fn a_retry_after_holds_its_model_back_at_least_that_long() {
        let mut m = RequestMachine::new(5.0);
        m.set_backoff(POLICY, f64::INFINITY);
        m.selected(Some("a".into()), 1000.0);
        fail_attempt(&mut m, "a", Some(3000.0));
        m.selected(None, 1200.0);
        m.retry_round(1200.0, 0.1);
        m.selected(Some("a".into()), 1200.0);
        assert_eq!(
            m.action(),
            &Action::Wait {
                model_id: "a".into(),
                delay_ms: 1800.0,
                reason: WaitReason::RetryAfter,
            }
        );
    }

    #[test]
    fn a_model_that_could_only_be_retried_past_the_deadline_is_passed_over_then_the_request_fails()
    {
        let mut m = RequestMachine::new(5.0);
        m.set_backoff(POLICY, 2000.0);
        m.selected(Some("a".into()), 1000.0);
        fail_attempt(&mut m, "a", Some(5000.0));
        m.selected(None, 1000.0);
        m.retry_round(1000.0, 0.5);
        m.selected(Some("a".into()), 1000.0);
        assert_eq!(
            m.action(),
            &Action::Select {
                skipped: ids(&["a"])
            }
        );
        // Nothing attempted in this round: no further round, the request fails.
        m.selected(None, 1000.0);
        assert_eq!(
            m.action(),
            &Action::FailNoModels {
                skipped: ids(&["a"])
            }
        );
        assert_eq!(m.retries(), 1);
    }

    #[test]
    fn rounds_end_when_the_retry_budget_is_spent() {
        let mut m = RequestMachine::new(1.0);
        m.set_backoff(POLICY, f64::INFINITY);
        m.selected(Some("a".into()), 0.0);
        fail_attempt(&mut m, "a", None);
        m.selected(None, 0.0);
        m.retry_round(0.0, 0.0);
        m.selected(Some("a".into()), 0.0);
        fail_attempt(&mut m, "a", None);
        assert_eq!(
            m.action(),
            &Action::FailRetriesExhausted {
                retries: 2,
                skipped: ids(&["a"])
            }
        );
    }
}
