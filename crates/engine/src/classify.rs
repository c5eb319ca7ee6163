//! How errors are classified: outcome kinds, detailed error types, retry advice, and how a failed model invocation is handled.
//!
//! Every rule matches on the error's `name`, lower-cased `message` and AWS
//! `$fault` exactly as the original does, in the same order, because the
//! first matching rule wins.

use crate::outcome::OutcomeType;

/// The original's `ErrorType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorType {
    Validation,
    Throttling,
    ModelUnavailable,
    Timeout,
    Cancelled,
    CircuitOpen,
    Internal,
    Authentication,
    Network,
    Unknown,
}

impl ErrorType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Validation => "VALIDATION",
            Self::Throttling => "THROTTLING",
            Self::ModelUnavailable => "MODEL_UNAVAILABLE",
            Self::Timeout => "TIMEOUT",
            Self::Cancelled => "CANCELLED",
            Self::CircuitOpen => "CIRCUIT_OPEN",
            Self::Internal => "INTERNAL",
            Self::Authentication => "AUTHENTICATION",
            Self::Network => "NETWORK",
            Self::Unknown => "UNKNOWN",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "VALIDATION" => Self::Validation,
            "THROTTLING" => Self::Throttling,
            "MODEL_UNAVAILABLE" => Self::ModelUnavailable,
            "TIMEOUT" => Self::Timeout,
            "CANCELLED" => Self::Cancelled,
            "CIRCUIT_OPEN" => Self::CircuitOpen,
            "INTERNAL" => Self::Internal,
            "AUTHENTICATION" => Self::Authentication,
            "NETWORK" => Self::Network,
            "UNKNOWN" => Self::Unknown,
            _ => return None,
        })
    }
}

const THROTTLING_NAMES: [&str; 6] = [
    "ThrottlingException",
    "TooManyRequestsException",
    "ServiceQuotaExceededException",
    "LimitExceededException",
    "RequestLimitExceeded",
    "RateLimitExceeded",
];

/// `isThrottlingError(name)`.
pub fn is_throttling_name(name: &str) -> bool {
    THROTTLING_NAMES.contains(&name)
}

/// `classifyError(error)`: rate limiting for throttling names, fail-fast for
/// everything else, including no error at all (`None`).
pub fn outcome_for_error(name: Option<&str>) -> OutcomeType {
    match name {
        Some(name) if is_throttling_name(name) => OutcomeType::RateLimit,
        _ => OutcomeType::FailFast,
    }
}

/// `classifyErrorType(error)` for an error object: `name` and `message` as
/// `error.name || ''` and `error.message || ''`, `fault` its `$fault`.
/// (No error object at all is `UNKNOWN`, which the caller decides.)
pub fn classify_error_type(name: &str, message: &str, fault: Option<&str>) -> ErrorType {
    let message = message.to_lowercase();
    let mentions = |needles: &[&str]| needles.iter().any(|needle| message.contains(needle));
    let named = |names: &[&str]| names.contains(&name);

    if is_throttling_name(name) {
        ErrorType::Throttling
    } else if named(&["ValidationException", "ValidationError"]) {
        ErrorType::Validation
    } else if named(&[
        "AccessDeniedException",
        "UnauthorizedException",
        "CredentialsProviderError",
    ]) || mentions(&["credentials", "access denied"])
    {
        ErrorType::Authentication
    } else if named(&["TimeoutError", "ModelTimeoutException"])
        || mentions(&["timeout", "timed out"])
    {
        ErrorType::Timeout
    } else if named(&["AbortError", "CancelledError"]) || mentions(&["abort", "cancel"]) {
        ErrorType::Cancelled
    } else if name == "CircuitOpenError" || mentions(&["circuit breaker"]) {
        ErrorType::CircuitOpen
    } else if named(&[
        "ModelNotReadyException",
        "ServiceUnavailableException",
        "ResourceNotFoundException",
    ]) || mentions(&["not found", "unavailable"])
    {
        ErrorType::ModelUnavailable
    } else if named(&["NetworkError", "NetworkingError"])
        || mentions(&["network", "econnrefused", "enotfound"])
    {
        ErrorType::Network
    } else if name == "InternalServerException" || fault == Some("server") {
        ErrorType::Internal
    } else {
        ErrorType::Unknown
    }
}

/// Whether `isRetryableError` holds for an error of this type.
pub fn is_retryable(error_type: ErrorType) -> bool {
    matches!(
        error_type,
        ErrorType::Throttling
            | ErrorType::Timeout
            | ErrorType::Network
            | ErrorType::Internal
            | ErrorType::ModelUnavailable
    )
}

/// `getRecoverySuggestions(type)`.
pub fn recovery_suggestions(error_type: ErrorType) -> &'static [&'static str] {
    match error_type {
        ErrorType::Throttling => &[
            "Reduce request rate",
            "Implement exponential backoff",
            "Consider using a different model",
            "Request a quota increase from AWS",
        ],
        ErrorType::Validation => &[
            "Check request parameters",
            "Verify prompt is not empty",
            "Verify max_tokens is within allowed range",
            "Check temperature is between 0 and 2",
        ],
        ErrorType::Authentication => &[
            "Check AWS credentials configuration",
            "Verify IAM permissions for Amazon Bedrock",
            "Verify the AWS region is correct",
            "Check if the model is available in your region",
        ],
        ErrorType::Timeout => &[
            "Increase timeout duration",
            "Reduce prompt size",
            "Reduce max_tokens",
            "Try a faster model",
        ],
        ErrorType::Cancelled => &[
            "Request was intentionally cancelled",
            "Resubmit the request if needed",
        ],
        ErrorType::CircuitOpen => &[
            "Wait for the circuit breaker to recover",
            "Check model health status",
            "Use an alternative model",
        ],
        ErrorType::ModelUnavailable => &[
            "Check if the model ID is correct",
            "Verify the model is available in your region",
            "Use a fallback model",
            "Wait and retry later",
        ],
        ErrorType::Network => &[
            "Check network connectivity",
            "Verify VPC/endpoint configuration",
            "Check firewall rules",
            "Retry the request",
        ],
        ErrorType::Internal => &[
            "Retry the request with exponential backoff",
            "Contact AWS support if the issue persists",
            "Check AWS service health dashboard",
        ],
        ErrorType::Unknown => &[
            "Check error details for more information",
            "Retry the request",
            "Contact support if the issue persists",
        ],
    }
}

/// `getErrorMessage(error)`'s fixed texts by error name. `None` means the
/// original falls back to `error.message || \`${name} occurred\``.
pub fn friendly_message(name: &str) -> Option<&'static str> {
    Some(match name {
        "ThrottlingException" => "Request was throttled due to rate limiting. Please retry after some time.",
        "ValidationException" => "Request validation failed. Please check your input parameters.",
        "AccessDeniedException" => "Access denied. Please check your AWS credentials and permissions.",
        "InternalServerException" => "Internal server error occurred. Please retry the request.",
        "ModelNotReadyException" => "Model is not ready to serve requests. Please try again later.",
        "ModelTimeoutException" => "Model request timed out. Please try again.",
        "ServiceUnavailableException" => "Service is temporarily unavailable. Please try again later.",
        "ResourceNotFoundException" => "Requested model or resource was not found.",
        "TimeoutError" => "Request timed out. Consider increasing timeout or reducing request size.",
        "AbortError" | "CancelledError" => "Request was cancelled.",
        "CircuitOpenError" => "Circuit breaker is open. The model is temporarily unavailable due to repeated failures.",
        _ => return None,
    })
}

/// The longest delay `getRetryDelay` suggests.
const MAX_RETRY_DELAY_MS: f64 = 60000.0;

/// `getRetryDelay(error, baseDelayMs, attempt)`. `retry_after_seconds` is the
/// error's `retryAfterSeconds` when truthy: it wins outright and nothing is
/// drawn. Otherwise exponential backoff with up to 30% jitter, one draw,
/// capped at a minute (a NaN stays NaN, as `Math.min` keeps it).
pub fn retry_delay(
    retry_after_seconds: Option<f64>,
    base_delay_ms: f64,
    attempt: f64,
    draw: &mut dyn FnMut() -> f64,
) -> f64 {
    if let Some(seconds) = retry_after_seconds {
        return seconds * 1000.0;
    }
    let exponential = base_delay_ms * 2f64.powf(attempt - 1.0);
    let jitter = draw() * 0.3 * exponential;
    let delay = exponential + jitter;
    if delay.is_nan() || delay < MAX_RETRY_DELAY_MS {
        delay
    } else {
        MAX_RETRY_DELAY_MS
    }
}

/// How `BedrockModel.invoke` handles an error from the model call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvokeFailure {
    /// Aborted by the caller: thrown as `CancelledError`, breaker untouched.
    Cancelled,
    /// The invocation's own timeout: thrown as `TimeoutError`.
    Timeout,
    /// Throttled: thrown as `RateLimitError`.
    RateLimit,
    /// Anything else: thrown as `FailFastError`.
    FailFast,
    /// Beyond the original: this process ran out of descriptors, buffers, memory or local
    /// ports before the request left it. Thrown as `FailFastError` like any other failure,
    /// but the breaker is untouched: the model did nothing wrong, and opening its breaker
    /// would keep it out of rotation after the process recovers.
    LocalExhaustion,
}

/// Node's error codes (`code` of the error or of its `cause`) for resources this process
/// ran out of.
const LOCAL_EXHAUSTION_CODES: [&str; 5] =
    ["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM", "EADDRNOTAVAIL"];

/// Whether an error code says this process, not the model, ran out of something.
pub fn is_local_exhaustion(code: &str) -> bool {
    LOCAL_EXHAUSTION_CODES.contains(&code)
}

/// Beyond the original: whether a stream that failed before its first event should
/// move on to another model. Throttling already does (as for any request); so do a
/// first-event timeout and the service saying the model cannot serve now.
pub fn fails_over_before_first_event(thrown_name: &str, service_error_name: &str) -> bool {
    thrown_name == "TimeoutError"
        || matches!(
            service_error_name,
            "ServiceUnavailableException"
                | "ModelNotReadyException"
                | "ModelTimeoutException"
                | "InternalServerException"
        )
}

/// Classifies a failed invocation from the error's name, its codes (its own `code` and its
/// `cause`'s) and whether the caller's abort signal had fired; the original's checks run
/// in its order, local exhaustion before throttling.
pub fn classify_invoke_failure(
    error_name: &str,
    error_codes: &[&str],
    aborted: bool,
) -> InvokeFailure {
    if error_name == "AbortError" || aborted {
        InvokeFailure::Cancelled
    } else if error_name == "TimeoutError" {
        InvokeFailure::Timeout
    } else if error_codes.iter().any(|code| is_local_exhaustion(code)) {
        InvokeFailure::LocalExhaustion
    } else if is_throttling_name(error_name) {
        InvokeFailure::RateLimit
    } else {
        InvokeFailure::FailFast
    }
}

impl InvokeFailure {
    /// Whether the breaker records a failure (exactly once) for it.
    pub fn records_breaker_failure(self) -> bool {
        !matches!(
            self,
            InvokeFailure::Cancelled | InvokeFailure::LocalExhaustion
        )
    }

    /// The kind of the outcome attached to the thrown error.
    pub fn outcome_type(self) -> OutcomeType {
        match self {
            InvokeFailure::RateLimit => OutcomeType::RateLimit,
            _ => OutcomeType::FailFast,
        }
    }

    /// The `name` of the error `invoke` throws.
    pub fn error_name(self) -> &'static str {
        match self {
            InvokeFailure::Cancelled => "CancelledError",
            InvokeFailure::Timeout => "TimeoutError",
            InvokeFailure::RateLimit => "RateLimitError",
            InvokeFailure::FailFast | InvokeFailure::LocalExhaustion => "FailFastError",
        }
    }
}

#[cfg(test)]
mod tests {
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
        let retryable: Vec<ErrorType> =
            ALL_TYPES.into_iter().filter(|t| is_retryable(*t)).collect();
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
}
