//! The error-classification rules, for the JavaScript functions that read error objects.

use engine::classify::{self, ErrorType};
use engine::failover;
use napi::bindgen_prelude::*;

use crate::clock::Dice;
use crate::error;

/// The name of the error `invoke` throws when a model's breaker refuses calls.
#[napi]
pub const CIRCUIT_OPEN_ERROR_NAME: &str = classify::CIRCUIT_OPEN_ERROR_NAME;

#[napi(catch_unwind)]
pub fn outcome_for_error(name: Option<String>) -> u32 {
    classify::outcome_for_error(name.as_deref()).code()
}

#[napi(catch_unwind)]
pub fn classify_error_type(name: String, message: String, fault: Option<String>) -> &'static str {
    classify::classify_error_type(&name, &message, fault.as_deref()).as_str()
}

#[napi(catch_unwind)]
pub fn is_throttling_name(name: String) -> bool {
    classify::is_throttling_name(&name)
}

#[napi(catch_unwind)]
pub fn is_retryable_error_type(error_type: String) -> bool {
    ErrorType::parse(&error_type).is_some_and(classify::is_retryable)
}

#[napi(catch_unwind)]
pub fn recovery_suggestions(error_type: String) -> Vec<&'static str> {
    let error_type = ErrorType::parse(&error_type).unwrap_or(ErrorType::Unknown);
    classify::recovery_suggestions(error_type).to_vec()
}

#[napi(catch_unwind)]
pub fn friendly_error_message(name: String) -> Option<&'static str> {
    classify::friendly_message(&name)
}

/// `getRetryDelay`: draws `Math.random()` only on the backoff branch, as the original.
#[napi(catch_unwind)]
pub fn retry_delay(
    retry_after_seconds: Option<f64>,
    base_delay_ms: f64,
    attempt: f64,
    random: Function<(), f64>,
) -> Result<f64> {
    let mut dice = Dice::new(&random);
    let delay = classify::retry_delay(retry_after_seconds, base_delay_ms, attempt, &mut || {
        dice.draw()
    });
    dice.finish()?;
    Ok(delay)
}

/// How `BedrockModel.invoke` treats a failed send, from the error's name and codes (its
/// own `code` and its `cause`'s; values that are not strings count as absent).
#[napi(catch_unwind)]
pub fn describe_invoke_failure(
    name: Unknown,
    code: Unknown,
    cause_code: Unknown,
    aborted: bool,
    timeout_ms: f64,
) -> Result<error::InvokeFailureFacts> {
    let (name, code, cause_code) = (
        text_or_empty(name)?,
        text_or_empty(code)?,
        text_or_empty(cause_code)?,
    );
    let failure = classify::classify_invoke_failure(&name, &[&code, &cause_code], aborted);
    Ok(error::describe_invoke_failure(failure, timeout_ms))
}

/// `value` when it is a string, else the empty string (which no rule matches).
pub fn text_or_empty(value: Unknown) -> Result<String> {
    match value.get_type()? {
        napi::ValueType::String => unsafe { value.cast::<String>() },
        _ => Ok(String::new()),
    }
}

/// Whether a stream that failed before its first event moves on to another model.
#[napi(catch_unwind)]
pub fn fails_over_before_first_event(thrown_name: String, service_error_name: String) -> bool {
    classify::fails_over_before_first_event(&thrown_name, &service_error_name)
}

/// How a stream's failure counts: against the breaker or not, and as which outcome.
#[napi(object, object_from_js = false)]
pub struct StreamFailureFacts {
    pub records_breaker_failure: bool,
    pub outcome_type: u32,
}

#[napi(catch_unwind)]
pub fn describe_stream_failure(
    name: Option<String>,
    closed_by_destroy: bool,
) -> StreamFailureFacts {
    let failure = classify::classify_stream_failure(name.as_deref(), closed_by_destroy);
    StreamFailureFacts {
        records_breaker_failure: failure.records_breaker_failure,
        outcome_type: failure.outcome_type.code(),
    }
}

/// Beyond the original (issue 14): whether a failed send moves on to another model under
/// the caller's `failover` option, from what the error says of itself (`name`, `message`,
/// `$fault`, `$metadata.httpStatusCode`, `code`, `cause.code`; values of the wrong type
/// count as absent).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn fails_over_under_policy(
    server_errors: bool,
    connection_errors: bool,
    attempt_timeout: bool,
    name: Unknown,
    message: Unknown,
    fault: Unknown,
    status: Unknown,
    code: Unknown,
    cause_code: Unknown,
) -> Result<bool> {
    let (name, message, fault) = (
        text_or_empty(name)?,
        text_or_empty(message)?,
        text_or_empty(fault)?,
    );
    let (code, cause_code) = (text_or_empty(code)?, text_or_empty(cause_code)?);
    let status = match status.get_type()? {
        napi::ValueType::Number => Some(unsafe { status.cast::<f64>() }?),
        _ => None,
    };
    let policy = failover::FailoverPolicy {
        server_errors,
        connection_errors,
        attempt_timeout,
    };
    let send = failover::FailedSend {
        name: &name,
        message: &message,
        fault: Some(fault.as_str()).filter(|fault| !fault.is_empty()),
        status,
        codes: [&code, &cause_code],
    };
    Ok(failover::fails_over(policy, send))
}
