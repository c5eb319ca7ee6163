use super::*;

fn policy(after: HedgeAfter) -> HedgePolicy {
    HedgePolicy {
        after,
        max_hedges: 1,
    }
}

#[test]
fn a_fixed_delay_hedges_from_the_first_request() {
    let hedger = Hedger::new(policy(HedgeAfter::Fixed(250.0)));
    assert_eq!(hedger.delay("a"), Some(250.0));
}

#[test]
fn a_percentile_does_not_hedge_before_enough_samples() {
    let mut hedger = Hedger::new(policy(HedgeAfter::Percentile(0.95)));
    for _ in 0..MIN_SAMPLES - 1 {
        hedger.record_latency("a", 10.0);
    }
    assert_eq!(hedger.delay("a"), None);
    hedger.record_latency("a", 10.0);
    assert_eq!(hedger.delay("a"), Some(10.0));
    assert_eq!(hedger.delay("b"), None, "samples are per model");
}

#[test]
fn the_percentile_is_the_nearest_rank_of_the_recent_samples() {
    let mut hedger = Hedger::new(policy(HedgeAfter::Percentile(0.95)));
    // 1..=100 in a shuffled order: p95 by nearest rank is 95, p90 90, p99 99.
    for i in 0..100u32 {
        hedger.record_latency("a", f64::from((i * 37) % 100 + 1));
    }
    assert_eq!(hedger.delay("a"), Some(95.0));
    let mut p99 = Hedger::new(policy(HedgeAfter::Percentile(0.99)));
    for i in 1..=100u32 {
        p99.record_latency("a", f64::from(i));
    }
    assert_eq!(p99.delay("a"), Some(99.0));
}

#[test]
fn a_five_percent_tail_leaves_p95_in_the_body() {
    let mut hedger = Hedger::new(policy(HedgeAfter::Percentile(0.95)));
    for i in 0..SAMPLE_WINDOW {
        hedger.record_latency("a", if i % 20 == 19 { 1000.0 } else { 50.0 });
    }
    assert_eq!(hedger.delay("a"), Some(50.0));
}

#[test]
fn old_samples_leave_the_window() {
    let mut hedger = Hedger::new(policy(HedgeAfter::Percentile(0.90)));
    for _ in 0..SAMPLE_WINDOW {
        hedger.record_latency("a", 500.0);
    }
    for _ in 0..SAMPLE_WINDOW {
        hedger.record_latency("a", 20.0);
    }
    assert_eq!(hedger.delay("a"), Some(20.0));
}

#[test]
fn latencies_that_are_no_number_are_no_samples() {
    let mut hedger = Hedger::new(policy(HedgeAfter::Percentile(0.90)));
    for _ in 0..MIN_SAMPLES {
        hedger.record_latency("a", f64::NAN);
        hedger.record_latency("a", -1.0);
    }
    assert_eq!(hedger.delay("a"), None);
}

#[test]
fn percentile_names_are_p90_p95_p99() {
    assert_eq!(
        HedgeAfter::percentile_named("p95"),
        Some(HedgeAfter::Percentile(0.95))
    );
    assert_eq!(HedgeAfter::percentile_named("p50"), None);
}

#[test]
fn a_hedge_that_answers_first_wins_and_the_first_attempt_is_cancelled() {
    let mut race = Race::new(1);
    assert!(race.should_hedge());
    let hedge = race.hedge_started();
    assert!(!race.should_hedge(), "maxHedges reached");
    assert_eq!(
        race.succeeded(hedge),
        Settled::Won {
            winner: 1,
            cancel: vec![0],
            by_hedge: true
        }
    );
    assert_eq!(
        race.succeeded(0),
        Settled::Over,
        "the loser's late answer is ignored"
    );
    assert_eq!(race.failed(0), Settled::Over);
}

#[test]
fn the_first_attempt_answering_first_cancels_the_hedges() {
    let mut race = Race::new(2);
    race.hedge_started();
    assert!(race.should_hedge());
    race.hedge_started();
    assert_eq!(
        race.succeeded(0),
        Settled::Won {
            winner: 0,
            cancel: vec![1, 2],
            by_hedge: false
        }
    );
    assert!(!race.should_hedge(), "no hedge once decided");
}

#[test]
fn a_failure_while_another_racer_runs_keeps_waiting() {
    let mut race = Race::new(1);
    race.hedge_started();
    assert_eq!(race.failed(0), Settled::KeepWaiting);
    assert!(!race.should_hedge());
    assert_eq!(
        race.succeeded(1),
        Settled::Won {
            winner: 1,
            cancel: vec![],
            by_hedge: true
        }
    );
}

#[test]
fn every_racer_failing_ends_the_race_as_a_failure() {
    let mut race = Race::new(1);
    assert_eq!(race.failed(0), Settled::AllFailed);
    assert!(
        !race.should_hedge(),
        "no hedge after the first attempt failed alone"
    );
    let mut race = Race::new(1);
    race.hedge_started();
    assert_eq!(race.failed(1), Settled::KeepWaiting);
    assert_eq!(race.failed(0), Settled::AllFailed);
}

#[test]
fn counters_add_up_races() {
    let mut hedger = Hedger::new(policy(HedgeAfter::Fixed(1.0)));
    hedger.count_race(0, false, 0);
    hedger.count_race(1, true, 1);
    hedger.count_race(2, false, 2);
    assert_eq!(
        hedger.counters(),
        HedgeCounters {
            hedged: 2,
            hedges_sent: 3,
            won_by_hedge: 1,
            cancelled: 3
        }
    );
    hedger.reset_counters();
    assert_eq!(hedger.counters(), HedgeCounters::default());
}

#[test]
fn a_stream_race_is_decided_by_content_not_by_opening_or_metadata() {
    assert!(!decides_stream_race("messageStart"));
    assert!(!decides_stream_race("metadata"));
    assert!(decides_stream_race("contentBlockDelta"));
    assert!(decides_stream_race("contentBlockStart"));
    assert!(decides_stream_race("messageStop"));
}
