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

/// The `name` of the error `invoke` throws when the model's breaker refuses calls.
pub const CIRCUIT_OPEN_ERROR_NAME: &str = "CircuitOpenError";

/// Whether an error named `name` is an open circuit's refusal: the request handler
/// moves on to another model for it, as for a throttle.
pub fn is_circuit_open_error(name: &str) -> bool {
    name == CIRCUIT_OPEN_ERROR_NAME
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
    } else if is_circuit_open_error(name) || mentions(&["circuit breaker"]) {
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
        CIRCUIT_OPEN_ERROR_NAME => "Circuit breaker is open. The model is temporarily unavailable due to repeated failures.",
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

/// Beyond the original: how a stream's failure after its call began counts (a read of
/// `invokeStream`'s stream, or a served stream failing mid-way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamFailure {
    /// Against the model's breaker, unless `destroy()` closed the stream: that is the
    /// caller's doing, not the model's.
    pub records_breaker_failure: bool,
    /// The outcome reported for it, as [`outcome_for_error`] names it.
    pub outcome_type: OutcomeType,
}

/// Classifies a stream's failure from the error's name (`None` for no error object) and
/// whether `destroy()` closed the stream.
pub fn classify_stream_failure(error_name: Option<&str>, closed_by_destroy: bool) -> StreamFailure {
    StreamFailure {
        records_breaker_failure: !closed_by_destroy,
        outcome_type: outcome_for_error(error_name),
    }
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
mod tests;
