use super::*;

const RPM_600: Rate = Rate {
    per_minute: 600.0,
    burst_ms: BURST_MS,
};

/// A gate for a quota of 600 requests a minute (no token quota), made at time 0.
fn request_quota_gate() -> QuotaGate {
    QuotaGate::new(
        QuotaConfig {
            requests: Some(RPM_600),
            tokens: None,
        },
        0.0,
    )
}

#[test]
fn a_bucket_holds_one_burst_and_refills_evenly() {
    let mut bucket = TokenBucket::new(RPM_600, 0);
    assert_eq!(
        bucket.take_up_to(100, 0),
        2,
        "a quarter second's worth, 2.5"
    );
    assert_eq!(bucket.take_up_to(1, 0), 0);
    assert_eq!(
        bucket.ready_at(0),
        50,
        "the half unit left needs 50 ms more"
    );
    assert_eq!(bucket.take_up_to(100, 250), 2);
    assert_eq!(bucket.take_up_to(100, 60_000), 2, "never above capacity");
    bucket.charge(-4.0, 60_000);
    bucket.charge(-40.0, 60_000);
    assert_eq!(bucket.level(60_000), 2.5, "refunds stop at capacity");
}

#[test]
fn a_slow_rate_still_holds_one_unit() {
    let mut bucket = TokenBucket::new(Rate::per_minute(1.0), 0);
    assert_eq!(bucket.take_up_to(5, 0), 1);
    assert_eq!(bucket.ready_at(0), 60_000);
}

#[test]
fn local_admission_over_ten_seconds_stays_at_the_rate_plus_one_burst() {
    let mut gate = request_quota_gate();
    let admitted = (0..10_000)
        .filter(|ms| gate.admit(false, f64::from(*ms)) == Admission::Admit)
        .count();
    // 2.5 to start with and 10 s of 10 per second: whole units only.
    assert_eq!(admitted, 102);
}

#[test]
fn shared_admission_spends_only_leased_permits() {
    let mut gate = request_quota_gate();
    assert_eq!(gate.admit(true, 0.0), Admission::OverQuota { until: 0 });
    let want = gate.lease_request(0.0).unwrap();
    assert_eq!(want, 3, "250 ms of 10 per second");
    assert_eq!(gate.lease_request(0.0), None, "one fetch at a time");
    gate.lease_granted(want, 0, 0.0);
    assert!((0..3).all(|_| gate.admit(true, 1.0) == Admission::Admit));
    assert_eq!(gate.admit(true, 1.0), Admission::OverQuota { until: 1 });
    // The shared bucket is empty: no new lease before it says it has one.
    gate.lease_request(2.0).unwrap();
    gate.lease_granted(0, 90, 2.0);
    assert_eq!(gate.admit(true, 3.0), Admission::OverQuota { until: 90 });
    assert_eq!(gate.lease_request(50.0), None);
    assert_eq!(gate.lease_request(90.0), Some(3));
}

#[test]
fn unused_leased_permits_lapse_and_are_refunded_once() {
    let mut gate = request_quota_gate();
    gate.lease_request(0.0).unwrap();
    gate.lease_granted(3, 0, 0.0);
    assert_eq!(gate.admit(true, 1.0), Admission::Admit);
    assert_eq!(gate.take_refund(1.0), None, "the lease still runs");
    assert_eq!(
        gate.admit(true, LEASE_TTL_MS as f64),
        Admission::OverQuota {
            until: LEASE_TTL_MS
        }
    );
    assert_eq!(gate.take_refund(LEASE_TTL_MS as f64), Some(2));
    assert_eq!(gate.take_refund(LEASE_TTL_MS as f64), None);
}

#[test]
fn tokens_from_usage_are_charged_after_the_fact_and_debited_once() {
    let mut gate = QuotaGate::new(
        QuotaConfig {
            requests: None,
            tokens: Some(Rate::per_minute(60_000.0)),
        },
        0.0,
    );
    // Capacity 250 tokens, refilling 1 per ms.
    assert_eq!(gate.admit(true, 0.0), Admission::Admit);
    gate.charge_tokens(1500.0, 0.0);
    assert_eq!(gate.admit(true, 0.0), Admission::OverQuota { until: 1251 });
    assert_eq!(gate.admit(false, 0.0), Admission::OverQuota { until: 1251 });
    assert_eq!(gate.take_token_debit(), Some(1500.0));
    assert_eq!(gate.take_token_debit(), None);
    // The fleet's bucket had less left than ours: its reply wins.
    gate.tokens_synced(-2000.0, 10.0);
    assert_eq!(gate.admit(true, 10.0), Admission::OverQuota { until: 2011 });
    assert_eq!(gate.admit(true, 2011.0), Admission::Admit);
}

#[test]
fn a_top_up_lapses_with_the_permits_already_in_hand() {
    let mut gate = request_quota_gate();
    gate.lease_request(0.0).unwrap();
    gate.lease_granted(3, 0, 0.0);
    assert_eq!(gate.admit(true, 1.0), Admission::Admit);
    assert_eq!(gate.admit(true, 1.0), Admission::Admit);
    assert_eq!(gate.lease_request(100.0), Some(2));
    gate.lease_granted(2, 100, 100.0);
    assert_eq!(gate.take_refund(LEASE_TTL_MS as f64), Some(3));
}

#[test]
fn a_lease_lapses_counted_from_when_it_was_asked_for() {
    let mut gate = request_quota_gate();
    gate.lease_request(0.0).unwrap();
    // The reply comes 40 ms later: the permits left the bucket somewhere in between.
    gate.lease_granted(2, 40, 40.0);
    assert_eq!(
        gate.admit(true, (LEASE_TTL_MS - 1) as f64),
        Admission::Admit
    );
    assert_eq!(
        gate.admit(true, LEASE_TTL_MS as f64),
        Admission::OverQuota {
            until: LEASE_TTL_MS
        }
    );
    assert_eq!(gate.take_refund(LEASE_TTL_MS as f64), Some(1));
}
