use super::*;

#[test]
fn streams_fail_over_on_timeouts_and_unavailability_before_the_first_event() {
    assert!(fails_over_before_first_event("TimeoutError", ""));
    assert!(fails_over_before_first_event(
        "FailFastError",
        "ServiceUnavailableException"
    ));
    assert!(fails_over_before_first_event(
        "FailFastError",
        "ModelNotReadyException"
    ));
    assert!(!fails_over_before_first_event(
        "FailFastError",
        "ValidationException"
    ));
    assert!(!fails_over_before_first_event(
        "FailFastError",
        "AccessDeniedException"
    ));
}

const ALL_TYPES: [ErrorType; 10] = [
    ErrorType::Validation,
    ErrorType::Throttling,
    ErrorType::ModelUnavailable,
    ErrorType::Timeout,
    ErrorType::Cancelled,
    ErrorType::CircuitOpen,
    ErrorType::Internal,
    ErrorType::Authentication,
    ErrorType::Network,
    ErrorType::Unknown,
];

#[test]
fn error_types_round_trip_through_their_strings() {
    for t in ALL_TYPES {
        assert_eq!(ErrorType::parse(t.as_str()), Some(t));
    }
    assert_eq!(ErrorType::CircuitOpen.as_str(), "CIRCUIT_OPEN");
    assert_eq!(ErrorType::ModelUnavailable.as_str(), "MODEL_UNAVAILABLE");
    assert_eq!(ErrorType::parse("validation"), None);
}

#[test]
fn exactly_six_names_mean_throttling() {
    for name in THROTTLING_NAMES {
        assert!(is_throttling_name(name));
        assert_eq!(outcome_for_error(Some(name)), OutcomeType::RateLimit);
    }
    for name in [
        "throttlingexception",
        "ThrottlingError",
        "",
        "RateLimitError",
    ] {
        assert!(!is_throttling_name(name));
        assert_eq!(outcome_for_error(Some(name)), OutcomeType::FailFast);
    }
    assert_eq!(outcome_for_error(None), OutcomeType::FailFast);
}

#[test]
fn error_names_map_to_types() {
    let table = [
        ("ThrottlingException", ErrorType::Throttling),
        ("ValidationException", ErrorType::Validation),
        ("ValidationError", ErrorType::Validation),
        ("AccessDeniedException", ErrorType::Authentication),
        ("UnauthorizedException", ErrorType::Authentication),
        ("CredentialsProviderError", ErrorType::Authentication),
        ("TimeoutError", ErrorType::Timeout),
        ("ModelTimeoutException", ErrorType::Timeout),
        ("AbortError", ErrorType::Cancelled),
        ("CancelledError", ErrorType::Cancelled),
        ("CircuitOpenError", ErrorType::CircuitOpen),
        ("ModelNotReadyException", ErrorType::ModelUnavailable),
        ("ServiceUnavailableException", ErrorType::ModelUnavailable),
        ("ResourceNotFoundException", ErrorType::ModelUnavailable),
        ("NetworkError", ErrorType::Network),
        ("NetworkingError", ErrorType::Network),
        ("InternalServerException", ErrorType::Internal),
        ("SomethingElse", ErrorType::Unknown),
        ("", ErrorType::Unknown),
    ];
    for (name, expected) in table {
        assert_eq!(classify_error_type(name, "", None), expected, "{name}");
    }
}

#[test]
fn messages_map_to_types_case_insensitively() {
    let table = [
        ("Missing CREDENTIALS", ErrorType::Authentication),
        ("Access Denied for user", ErrorType::Authentication),
        ("Socket TIMEOUT", ErrorType::Timeout),
        ("request timed out", ErrorType::Timeout),
        ("Operation Aborted", ErrorType::Cancelled),
        ("was cancelled", ErrorType::Cancelled),
        ("Circuit Breaker tripped", ErrorType::CircuitOpen),
        ("Model not found", ErrorType::ModelUnavailable),
        ("Temporarily UNAVAILABLE", ErrorType::ModelUnavailable),
        ("network down", ErrorType::Network),
        ("connect ECONNREFUSED", ErrorType::Network),
        ("getaddrinfo ENOTFOUND", ErrorType::Network),
        ("something odd", ErrorType::Unknown),
    ];
    for (message, expected) in table {
        assert_eq!(
            classify_error_type("Error", message, None),
            expected,
            "{message}"
        );
    }
}

#[test]
fn earlier_rules_win() {
    // A validation name beats a message about credentials.
    assert_eq!(
        classify_error_type("ValidationException", "bad credentials", None),
        ErrorType::Validation
    );
    // "credentials" is checked before "timeout".
    assert_eq!(
        classify_error_type("Error", "credentials timeout", None),
        ErrorType::Authentication
    );
    // A timeout message beats a cancel name.
    assert_eq!(
        classify_error_type("AbortError", "timed out", None),
        ErrorType::Timeout
    );
    // "cancel" beats "circuit breaker", which beats "not found".
    assert_eq!(
        classify_error_type("Error", "circuit breaker cancel", None),
        ErrorType::Cancelled
    );
    assert_eq!(
        classify_error_type("Error", "circuit breaker not found", None),
        ErrorType::CircuitOpen
    );
    // "enotfound" has no space, so it is not "not found" but a network error.
    assert_eq!(
        classify_error_type("Error", "enotfound", None),
        ErrorType::Network
    );
    // The message rules beat the server fault.
    assert_eq!(
        classify_error_type("Error", "network", Some("server")),
        ErrorType::Network
    );
}

#[test]
fn a_server_fault_is_internal_and_a_client_fault_is_not() {
    assert_eq!(
        classify_error_type("Weird", "", Some("server")),
        ErrorType::Internal
    );
    assert_eq!(
        classify_error_type("Weird", "", Some("client")),
        ErrorType::Unknown
    );
}

#[test]
fn retryable_types_are_the_transient_ones() {
    let retryable: Vec<ErrorType> = ALL_TYPES.into_iter().filter(|t| is_retryable(*t)).collect();
    assert_eq!(
        retryable,
        [
            ErrorType::Throttling,
            ErrorType::ModelUnavailable,
            ErrorType::Timeout,
            ErrorType::Internal,
            ErrorType::Network
        ]
    );
}

#[test]
fn every_type_has_its_recovery_suggestions() {
    assert_eq!(
        recovery_suggestions(ErrorType::Cancelled),
        [
            "Request was intentionally cancelled",
            "Resubmit the request if needed"
        ]
    );
    assert_eq!(
        recovery_suggestions(ErrorType::Throttling)[3],
        "Request a quota increase from AWS"
    );
    assert_eq!(
        recovery_suggestions(ErrorType::CircuitOpen)[0],
        "Wait for the circuit breaker to recover"
    );
    assert_eq!(recovery_suggestions(ErrorType::Unknown).len(), 3);
    assert_eq!(recovery_suggestions(ErrorType::Internal).len(), 3);
    for t in ALL_TYPES {
        assert!(!recovery_suggestions(t).is_empty());
    }
}

#[test]
fn known_names_have_friendly_messages() {
    assert_eq!(
        friendly_message("AbortError"),
        Some("Request was cancelled.")
    );
    assert_eq!(
        friendly_message("CancelledError"),
        Some("Request was cancelled.")
    );
    assert_eq!(
        friendly_message("ThrottlingException"),
        Some("Request was throttled due to rate limiting. Please retry after some time.")
    );
    assert_eq!(friendly_message("TooManyRequestsException"), None);
    assert_eq!(friendly_message(""), None);
}

#[test]
fn a_retry_after_hint_wins_without_drawing() {
    let mut calls = 0;
    let delay = retry_delay(Some(2.5), 1000.0, 3.0, &mut || {
        calls += 1;
        0.5
    });
    assert_eq!(delay, 2500.0);
    assert_eq!(calls, 0);
}

#[test]
fn backoff_doubles_per_attempt_with_jitter_and_a_cap() {
    let mut calls = 0;
    let mut draw = || {
        calls += 1;
        0.5
    };
    assert_eq!(
        retry_delay(None, 1000.0, 1.0, &mut draw),
        1000.0 + 0.5 * 0.3 * 1000.0
    );
    assert_eq!(
        retry_delay(None, 1000.0, 3.0, &mut draw),
        4000.0 + 0.5 * 0.3 * 4000.0
    );
    assert_eq!(retry_delay(None, 1000.0, 10.0, &mut draw), 60000.0);
    assert!(retry_delay(None, f64::NAN, 1.0, &mut draw).is_nan());
    assert_eq!(calls, 4);
}

#[test]
fn invocation_failures_are_classified_in_order() {
    assert_eq!(
        classify_invoke_failure("AbortError", &[], false),
        InvokeFailure::Cancelled
    );
    assert_eq!(
        classify_invoke_failure("ThrottlingException", &[], true),
        InvokeFailure::Cancelled
    );
    assert_eq!(
        classify_invoke_failure("TimeoutError", &["EMFILE"], false),
        InvokeFailure::Timeout
    );
    assert_eq!(
        classify_invoke_failure("ModelTimeoutException", &[], false),
        InvokeFailure::FailFast
    );
    assert_eq!(
        classify_invoke_failure("ServiceQuotaExceededException", &[], false),
        InvokeFailure::RateLimit
    );
    assert_eq!(
        classify_invoke_failure("ValidationException", &[], false),
        InvokeFailure::FailFast
    );
    assert_eq!(
        classify_invoke_failure("Error", &["EMFILE"], false),
        InvokeFailure::LocalExhaustion
    );
    assert_eq!(
        classify_invoke_failure("Error", &["ERR_HTTP2_STREAM_CANCEL", "ENFILE"], false),
        InvokeFailure::LocalExhaustion
    );
    assert_eq!(
        classify_invoke_failure("Error", &["ECONNRESET"], false),
        InvokeFailure::FailFast
    );
}

#[test]
fn local_exhaustion_codes_are_the_processs_own_shortages() {
    for code in ["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM", "EADDRNOTAVAIL"] {
        assert!(is_local_exhaustion(code), "{code}");
    }
    for code in ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "emfile", ""] {
        assert!(!is_local_exhaustion(code), "{code}");
    }
}

#[test]
fn every_invocation_failure_but_a_cancellation_or_local_exhaustion_trips_the_breaker() {
    assert!(!InvokeFailure::Cancelled.records_breaker_failure());
    assert!(!InvokeFailure::LocalExhaustion.records_breaker_failure());
    for f in [
        InvokeFailure::Timeout,
        InvokeFailure::RateLimit,
        InvokeFailure::FailFast,
    ] {
        assert!(f.records_breaker_failure());
    }
}

#[test]
fn invocation_failures_carry_their_outcome_and_error_name() {
    let table = [
        (
            InvokeFailure::Cancelled,
            OutcomeType::FailFast,
            "CancelledError",
        ),
        (
            InvokeFailure::Timeout,
            OutcomeType::FailFast,
            "TimeoutError",
        ),
        (
            InvokeFailure::RateLimit,
            OutcomeType::RateLimit,
            "RateLimitError",
        ),
        (
            InvokeFailure::FailFast,
            OutcomeType::FailFast,
            "FailFastError",
        ),
        (
            InvokeFailure::LocalExhaustion,
            OutcomeType::FailFast,
            "FailFastError",
        ),
    ];
    for (failure, outcome, name) in table {
        assert_eq!(failure.outcome_type(), outcome);
        assert_eq!(failure.error_name(), name);
    }
}

#[test]
fn a_stream_failure_counts_against_the_breaker_unless_destroy_closed_it() {
    let throttled = classify_stream_failure(Some("ThrottlingException"), false);
    assert!(throttled.records_breaker_failure);
    assert_eq!(throttled.outcome_type, OutcomeType::RateLimit);
    let failed = classify_stream_failure(None, false);
    assert!(failed.records_breaker_failure);
    assert_eq!(failed.outcome_type, OutcomeType::FailFast);
    let destroyed = classify_stream_failure(Some("AbortError"), true);
    assert!(!destroyed.records_breaker_failure);
    assert_eq!(destroyed.outcome_type, OutcomeType::FailFast);
}

#[test]
fn only_the_exact_name_is_an_open_circuit() {
    assert!(is_circuit_open_error(CIRCUIT_OPEN_ERROR_NAME));
    for other in [
        "circuitopenerror",
        "CircuitOpenError ",
        "",
        "CircuitBreakerError",
    ] {
        assert!(!is_circuit_open_error(other), "{other:?}");
    }
}
