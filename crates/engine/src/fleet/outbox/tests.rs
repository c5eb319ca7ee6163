use super::*;
use crate::fleet::record::BreakerFact;

fn outbox() -> Outbox {
    Outbox::new(
        7,
        OutboxConfig {
            counter_delay_ms: 50,
        },
    )
}

#[test]
fn counters_wait_for_a_batch_and_a_transition_makes_it_due_at_once() {
    let mut out = outbox();
    assert_eq!(out.due_at(), None);
    out.count("m", Counter::Requests, 1, 100.0);
    assert_eq!(out.due_at(), Some(150));
    assert_eq!(out.take_due(149.0), None);
    out.record("m", Fact::Throttled { until: 5000 }, 120.0);
    assert_eq!(out.due_at(), Some(100));
    let batch = out.take_due(120.0).unwrap();
    assert_eq!(batch.transitions.len(), 1);
    assert_eq!(batch.counters, vec![("m".to_owned(), Counter::Requests, 1)]);
    assert_eq!(out.due_at(), None);
    assert!(out.is_empty());
}

#[test]
fn only_the_latest_transition_per_register_is_sent_and_counters_add_up() {
    let mut out = outbox();
    out.record(
        "m",
        Fact::Breaker(BreakerFact::Opened { open_until: 900 }),
        10.0,
    );
    let closed = out.record("m", Fact::Breaker(BreakerFact::Closed), 20.0);
    out.count("m", Counter::Failures, 2, 20.0);
    out.count("m", Counter::Failures, 3, 30.0);
    let batch = out.take_due(60.0).unwrap();
    assert_eq!(batch.transitions, vec![closed]);
    assert_eq!(batch.counters, vec![("m".to_owned(), Counter::Failures, 5)]);
}

#[test]
fn sequences_order_transitions_made_in_one_millisecond() {
    let mut out = outbox();
    let a = out.record("a", Fact::Throttled { until: 500 }, 10.0);
    let b = out.record("a", Fact::Throttled { until: 600 }, 10.0);
    assert!(a.stamp < b.stamp);
    assert_eq!(out.take_due(10.0).unwrap().transitions, vec![b]);
}

#[test]
fn an_expired_cooldown_is_not_sent() {
    let mut out = outbox();
    out.record("m", Fact::Throttled { until: 40 }, 10.0);
    assert_eq!(out.take_due(60.0).unwrap().transitions, vec![]);
}

#[test]
fn a_failed_batch_goes_out_again_as_it_was_before_anything_newer() {
    let mut out = outbox();
    out.record("m", Fact::Throttled { until: 500 }, 10.0);
    out.count("m", Counter::Requests, 4, 10.0);
    let failed = out.take_due(60.0).unwrap();
    assert_eq!(failed.id, 1);
    out.record("m", Fact::Throttled { until: 900 }, 70.0);
    out.count("m", Counter::Requests, 1, 70.0);
    out.failed(failed.clone());
    assert_eq!(out.due_at(), Some(0));
    assert_eq!(out.take_due(80.0), Some(failed));
    let newer = out.take_due(200.0).unwrap();
    assert_eq!(newer.id, 2);
    assert_eq!(newer.counters, vec![("m".to_owned(), Counter::Requests, 1)]);
    assert!(out.is_empty());
}

#[test]
fn everything_pending_can_be_taken_before_it_is_due() {
    let mut out = outbox();
    assert_eq!(out.take_all(0.0), None);
    out.count("m", Counter::Requests, 2, 10.0);
    let batch = out.take_all(11.0).unwrap();
    assert_eq!(batch.counters, vec![("m".to_owned(), Counter::Requests, 2)]);
    assert!(out.is_empty());
}
