use super::*;

const T0: Millis = 1_700_000_000_000.0;

fn breaker() -> Breaker {
    Breaker::new("model-a", BreakerConfig::default())
}

/// A breaker opened at `T0` by five failures.
fn opened() -> Breaker {
    let mut b = breaker();
    for _ in 0..5 {
        b.record_failure(T0);
    }
    assert_eq!(b.state(T0), BreakerState::Open);
    b
}

#[test]
fn states_spell_as_the_original() {
    assert_eq!(BreakerState::Closed.as_str(), "CLOSED");
    assert_eq!(BreakerState::Open.as_str(), "OPEN");
    assert_eq!(BreakerState::HalfOpen.as_str(), "HALF_OPEN");
}

#[test]
fn a_new_breaker_is_closed_and_allows_requests() {
    let mut b = breaker();
    assert_eq!(
        b.status(T0),
        BreakerStatus {
            state: BreakerState::Closed,
            failure_count: 0,
            success_count: 0,
            last_opened_at: None,
            next_retry_at: None
        }
    );
    assert!(b.can_execute(T0));
    assert_eq!(b.model_id(), "model-a");
    assert_eq!(b.config(), &BreakerConfig::default());
}

#[test]
fn five_failures_in_window_open_the_breaker() {
    let mut b = breaker();
    for i in 0..4 {
        b.record_failure(T0 + f64::from(i) * 1000.0);
        assert!(b.can_execute(T0 + 4000.0));
    }
    b.record_failure(T0 + 5000.0);
    assert!(!b.can_execute(T0 + 5000.0));
    let status = b.status(T0 + 5000.0);
    assert_eq!(status.state, BreakerState::Open);
    assert_eq!(status.failure_count, 5);
    assert_eq!(status.last_opened_at, Some(T0 + 5000.0));
    assert_eq!(status.next_retry_at, Some(T0 + 35000.0));
}

#[test]
fn failures_older_than_the_window_no_longer_count() {
    let mut b = breaker();
    for _ in 0..4 {
        b.record_failure(T0);
    }
    // Exactly one window later the old failures are out (kept only while newer than the cutoff).
    b.record_failure(T0 + 60000.0);
    assert_eq!(b.state(T0 + 60000.0), BreakerState::Closed);
    assert_eq!(b.status(T0 + 60000.0).failure_count, 1);
}

#[test]
fn failures_one_millisecond_inside_the_window_still_count() {
    let mut b = breaker();
    for _ in 0..4 {
        b.record_failure(T0);
    }
    b.record_failure(T0 + 59999.0);
    assert_eq!(b.state(T0 + 59999.0), BreakerState::Open);
}

#[test]
fn a_success_while_closed_forgets_the_failures() {
    let mut b = breaker();
    for _ in 0..4 {
        b.record_failure(T0);
    }
    b.record_success(T0);
    assert_eq!(b.status(T0).failure_count, 0);
    b.record_failure(T0);
    assert_eq!(b.state(T0), BreakerState::Closed);
}

#[test]
fn an_open_breaker_turns_half_open_after_the_recovery_time() {
    let mut b = opened();
    assert_eq!(b.state(T0 + 29999.0), BreakerState::Open);
    assert_eq!(b.state(T0 + 30000.0), BreakerState::HalfOpen);
    assert!(b.can_execute(T0 + 30000.0));
    let status = b.status(T0 + 30000.0);
    assert_eq!(
        status.next_retry_at, None,
        "only an open breaker has a retry time"
    );
    assert_eq!(status.last_opened_at, Some(T0));
}

#[test]
fn half_open_closes_after_the_success_threshold() {
    let mut b = opened();
    let later = T0 + 30000.0;
    b.record_success(later);
    assert_eq!(b.status(later).success_count, 1);
    assert_eq!(b.state(later), BreakerState::HalfOpen);
    b.record_success(later);
    let status = b.status(later);
    assert_eq!(status.state, BreakerState::Closed);
    assert_eq!(status.success_count, 0);
    assert_eq!(status.failure_count, 0);
    assert_eq!(
        status.last_opened_at,
        Some(T0),
        "closing keeps the last opening time"
    );
}

#[test]
fn any_failure_in_half_open_reopens() {
    let mut b = opened();
    let later = T0 + 31000.0;
    b.record_success(later);
    b.record_failure(later);
    let status = b.status(later);
    assert_eq!(status.state, BreakerState::Open);
    assert_eq!(status.success_count, 0);
    assert_eq!(status.last_opened_at, Some(later));
    // The failures from the first opening are still inside the window.
    assert_eq!(status.failure_count, 6);
}

#[test]
fn reports_while_open_are_remembered_but_change_nothing() {
    let mut b = opened();
    b.record_success(T0 + 1.0);
    b.record_failure(T0 + 2.0);
    let status = b.status(T0 + 2.0);
    assert_eq!(status.state, BreakerState::Open);
    assert_eq!(status.failure_count, 6);
    assert_eq!(status.last_opened_at, Some(T0));
}

#[test]
fn the_open_error_says_how_long_to_wait() {
    let mut b = opened();
    let info = b.open_error(T0 + 10000.0);
    assert_eq!(info.message, "Circuit breaker is open for model model-a");
    assert_eq!(info.model_id, "model-a");
    assert_eq!(info.retry_after_ms, 20000.0);
    assert_eq!(info.failure_count, 5);
    assert_eq!(info.state, BreakerState::Open);
    assert_eq!(info.last_opened_at, Some(T0));
    assert_eq!(info.next_retry_at, Some(T0 + 30000.0));
}

#[test]
fn the_open_error_of_a_breaker_not_open_offers_the_recovery_time() {
    let mut b = breaker();
    let info = b.open_error(T0);
    assert_eq!(info.retry_after_ms, 30000.0);
    assert_eq!(info.state, BreakerState::Closed);
    assert_eq!(info.next_retry_at, None);
}

#[test]
fn a_clock_gone_backwards_gives_a_wait_longer_than_the_recovery_time() {
    let mut b = opened();
    assert_eq!(b.open_error(T0 - 5000.0).retry_after_ms, 35000.0);
}

#[test]
fn a_fractional_recovery_time_gives_whole_millisecond_retry_times() {
    let mut b = Breaker::new(
        "m",
        BreakerConfig {
            recovery_time_ms: 1500.7,
            ..BreakerConfig::default()
        },
    );
    b.force_open(T0);
    assert_eq!(b.status(T0).next_retry_at, Some(T0 + 1500.0));
    assert_eq!(b.open_error(T0 + 1000.0).retry_after_ms, 500.0);
    // Past the (truncated) retry time but before the exact recovery time: still open, wait zero.
    assert_eq!(b.open_error(T0 + 1500.5).retry_after_ms, 0.0);
}

#[test]
fn an_infinite_recovery_time_never_recovers_and_has_an_invalid_retry_time() {
    let mut b = Breaker::new(
        "m",
        BreakerConfig {
            recovery_time_ms: f64::INFINITY,
            ..BreakerConfig::default()
        },
    );
    b.force_open(T0);
    assert_eq!(b.state(T0 + 1e12), BreakerState::Open);
    let next = b.status(T0).next_retry_at;
    assert!(next.is_some_and(f64::is_nan));
    assert!(b.open_error(T0).retry_after_ms.is_nan());
}

#[test]
fn nan_thresholds_never_trip() {
    let config = BreakerConfig {
        failure_threshold: f64::NAN,
        success_threshold: f64::NAN,
        ..BreakerConfig::default()
    };
    let mut b = Breaker::new("m", config);
    for _ in 0..50 {
        b.record_failure(T0);
    }
    assert_eq!(b.state(T0), BreakerState::Closed);
    b.force_open(T0);
    for _ in 0..50 {
        b.record_success(T0 + 30000.0);
    }
    assert_eq!(b.state(T0 + 30000.0), BreakerState::HalfOpen);
}

#[test]
fn forcing_and_resetting() {
    let mut b = breaker();
    b.force_open(T0);
    assert_eq!(b.state(T0), BreakerState::Open);
    b.force_close();
    assert_eq!(b.state(T0), BreakerState::Closed);
    assert_eq!(b.status(T0).last_opened_at, Some(T0));
    b.force_open(T0);
    b.reset();
    assert_eq!(
        b.status(T0),
        BreakerStatus {
            state: BreakerState::Closed,
            failure_count: 0,
            success_count: 0,
            last_opened_at: None,
            next_retry_at: None
        }
    );
}

#[test]
fn a_manager_allows_models_it_has_no_breaker_for() {
    let manager = BreakerManager::default();
    assert!(manager.can_execute("unknown", T0));
    assert!(manager.all_status(T0).is_empty());
}

#[test]
fn a_manager_creates_breakers_on_first_report_and_shares_them() {
    let mut manager = BreakerManager::default();
    for _ in 0..5 {
        manager.record_failure("a", T0);
    }
    assert!(!manager.can_execute("a", T0));
    let shared = manager.get_or_create(
        "a",
        Some(BreakerConfig {
            failure_threshold: 1.0,
            ..BreakerConfig::default()
        }),
    );
    assert_eq!(
        lock(&shared).config(),
        &BreakerConfig::default(),
        "an existing breaker keeps its config"
    );
    lock(&shared).reset();
    assert!(manager.can_execute("a", T0));
    manager.record_success("b", T0);
    assert!(manager.get("b").is_some());
}

#[test]
fn a_manager_gives_new_breakers_the_requested_or_default_config() {
    let custom = BreakerConfig {
        failure_threshold: 2.0,
        ..BreakerConfig::default()
    };
    let mut manager = BreakerManager::new(custom);
    assert_eq!(manager.default_config(), &custom);
    assert_eq!(lock(&manager.get_or_create("a", None)).config(), &custom);
    let own = BreakerConfig {
        success_threshold: 7.0,
        ..BreakerConfig::default()
    };
    assert_eq!(lock(&manager.get_or_create("b", Some(own))).config(), &own);
}

#[test]
fn all_status_lists_breakers_in_object_key_order() {
    let mut manager = BreakerManager::default();
    for id in ["b", "7", "a", "3"] {
        manager.get_or_create(id, None);
    }
    manager.record_failure("a", T0);
    let status = manager.all_status(T0);
    let ids: Vec<&str> = status.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["3", "7", "b", "a"]);
    assert_eq!(status[3].1.failure_count, 1);
}

#[test]
fn reset_remove_and_clear() {
    let mut manager = BreakerManager::default();
    let a = manager.get_or_create("a", None);
    lock(&a).force_open(T0);
    manager.get_or_create("b", None);
    manager.reset_all();
    assert!(manager.can_execute("a", T0));
    manager.remove("a");
    assert!(manager.get("a").is_none());
    assert!(manager.get("b").is_some());
    manager.clear();
    assert!(manager.all_status(T0).is_empty());
}

#[test]
fn a_poisoned_breaker_can_still_be_locked() {
    let shared: SharedBreaker = Arc::new(Mutex::new(breaker()));
    let clone = Arc::clone(&shared);
    let _ = std::thread::spawn(move || {
        let _guard = clone.lock();
        panic!("poison the lock");
    })
    .join();
    assert!(shared.is_poisoned());
    assert!(lock(&shared).can_execute(T0));
}
