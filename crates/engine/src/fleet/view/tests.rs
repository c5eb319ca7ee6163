use super::*;
use crate::fleet::record::Stamp;

fn transition(model_id: &str, at: u64, origin: u64, fact: Fact) -> Transition {
    Transition {
        model_id: model_id.to_owned(),
        stamp: Stamp { at, origin, seq: 1 },
        fact,
    }
}

fn opened(at: u64, origin: u64, open_until: u64) -> Transition {
    transition(
        "m",
        at,
        origin,
        Fact::Breaker(BreakerFact::Opened { open_until }),
    )
}

fn closed(at: u64, origin: u64) -> Transition {
    transition("m", at, origin, Fact::Breaker(BreakerFact::Closed))
}

#[test]
fn merging_is_idempotent_and_order_independent() {
    let all = [opened(10, 1, 100), closed(20, 2), opened(20, 3, 200)];
    let mut forward = FleetView::new(DEFAULT_STALENESS_MS);
    let mut backward = FleetView::new(DEFAULT_STALENESS_MS);
    for t in all.iter().cloned() {
        forward.merge(t);
    }
    for t in all.iter().rev().cloned() {
        backward.merge(t);
    }
    assert!(!forward.merge(all[2].clone()), "a repeat changes nothing");
    assert!(
        !forward.merge(all[0].clone()),
        "an older one changes nothing"
    );
    for view in [&forward, &backward] {
        // At the same time, the higher origin wins: opened by 3.
        assert_eq!(view.skip("m", 50), Some(Skip::CircuitOpen { until: 200 }));
    }
}

#[test]
fn an_opened_breaker_reads_as_half_open_once_its_time_is_up() {
    let mut view = FleetView::new(DEFAULT_STALENESS_MS);
    view.merge(opened(10, 1, 100));
    let open = view.breaker("m", 99).unwrap();
    assert_eq!(open.state, BreakerState::Open);
    assert_eq!(open.opened_at, Some(10));
    assert_eq!(
        view.breaker("m", 100).unwrap().state,
        BreakerState::HalfOpen
    );
    assert_eq!(view.skip("m", 100), None);
    view.merge(closed(150, 2));
    assert_eq!(view.breaker("m", 150).unwrap().state, BreakerState::Closed);
}

#[test]
fn a_throttle_is_skipped_until_its_cooldown_ends() {
    let mut view = FleetView::new(DEFAULT_STALENESS_MS);
    view.merge(transition("m", 5, 1, Fact::Throttled { until: 60 }));
    assert_eq!(view.skip("m", 59), Some(Skip::Throttled { until: 60 }));
    assert_eq!(view.skip("m", 60), None);
    assert_eq!(view.skip("other", 10), None);
}

#[test]
fn a_snapshot_merges_transitions_and_replaces_counters() {
    let mut view = FleetView::new(1000);
    assert!(!view.is_fresh(0), "never refreshed");
    let local = closed(500, 9);
    view.merge(local);
    let remote = opened(400, 1, 10_000).encode();
    let dead = transition("n", 1, 1, Fact::Throttled { until: 2 }).encode();
    view.apply_snapshot(
        [remote.as_str(), dead.as_str(), "garbage"],
        [("requests m", 12), ("throttles m", 3), ("bogus", 1)],
        1000,
    );
    assert_eq!(view.skip("m", 1000), None, "the newer local close is kept");
    assert_eq!(view.counter("m", Counter::Requests), 12);
    assert_eq!(view.counter("m", Counter::Throttles), 3);
    view.apply_snapshot([], [("requests m", 20)], 1200);
    assert_eq!(view.counter("m", Counter::Requests), 20);
    assert_eq!(view.counter("m", Counter::Throttles), 0);
}

#[test]
fn a_view_is_trusted_only_within_its_staleness_bound() {
    let mut view = FleetView::new(1000);
    view.apply_snapshot([], [], 5000);
    assert!(view.is_fresh(6000));
    assert!(!view.is_fresh(6001));
    assert_eq!(view.refresh_due_at(), 5500);
}
