//! The original library's error names, codes, messages and fields, in one place.
//!
//! The engine says *what* went wrong as data; this module says how the original
//! library spelled it, so that callers who match on `name`, `code` or `message`
//! keep working.

use bmm_js::date::iso_string;
use engine::breaker::{CircuitOpenInfo, CIRCUIT_OPEN_CODE, CIRCUIT_OPEN_SUGGESTIONS};
use engine::classify::{ErrorType, InvokeFailure};
use engine::jsval::JsValue;
use engine::request::Action;
use napi::bindgen_prelude::*;

use crate::js_value::snapshot;

/// A `MultiplexerError` as the engine describes it: `js/errors.js` makes the error,
/// adding the `details` only JavaScript holds (the `maxRetries` given, the last error).
#[napi(object, object_from_js = false)]
pub struct MultiplexerFailure {
    pub code: String,
    pub message: String,
    /// The retries spent, for `RETRIES_EXHAUSTED` only (its details say more).
    pub retries: Option<u32>,
}

/// The `MultiplexerError` a request that ended in failure rejects with.
pub fn multiplexer_failure(action: &Action) -> Option<MultiplexerFailure> {
    let failure = |code: &str, message: String, retries| MultiplexerFailure {
        code: code.to_owned(),
        message,
        retries,
    };
    match action {
        Action::FailNoModels { .. } => Some(failure(
            "NO_MODELS_AVAILABLE",
            "No models available to process the request".to_owned(),
            None,
        )),
        Action::FailRetriesExhausted { retries, .. } => Some(failure(
            "RETRIES_EXHAUSTED",
            format!("All retry attempts exhausted ({retries} retries)"),
            Some(*retries),
        )),
        _ => None,
    }
}

/// The message of the error a model's own timeout throws (`js/errors.js` asks for it),
/// the timeout written as a template literal writes any value.
#[napi(catch_unwind)]
pub fn timeout_message(timeout_ms: Unknown) -> Result<String> {
    Ok(timeout_text(&snapshot(timeout_ms)?))
}

fn timeout_text(timeout_ms: &JsValue) -> String {
    format!("Request timed out after {}ms", timeout_ms.to_js_string())
}

/// How `BedrockModel.invoke` presents a failed send of its own: the thrown error's
/// name and message, and the enhanced error response it carries.
#[napi(object, object_from_js = false)]
pub struct InvokeFailureFacts {
    pub name: String,
    /// The thrown error's message, when not the error response's.
    pub message: Option<String>,
    /// The error response's `errorType` and message, when enhanced.
    pub error_type: Option<String>,
    pub response_message: Option<String>,
    pub records_breaker_failure: bool,
    pub outcome_type: u32,
    /// The original attaches `errorResponse` to every invoke failure but throttling.
    pub attach_error_response: bool,
}

pub fn describe_invoke_failure(failure: InvokeFailure, timeout_ms: f64) -> InvokeFailureFacts {
    let (message, error_type, response_message) = match failure {
        InvokeFailure::Cancelled => (
            Some("Request cancelled".to_owned()),
            Some(ErrorType::Cancelled),
            Some("Request was cancelled".to_owned()),
        ),
        InvokeFailure::Timeout => (
            None,
            Some(ErrorType::Timeout),
            Some(timeout_text(&JsValue::Number(timeout_ms))),
        ),
        InvokeFailure::RateLimit => (Some("Model rate limited".to_owned()), None, None),
        InvokeFailure::FailFast | InvokeFailure::LocalExhaustion => (None, None, None),
    };
    InvokeFailureFacts {
        name: failure.error_name().to_owned(),
        message,
        error_type: error_type.map(|t| t.as_str().to_owned()),
        response_message,
        records_breaker_failure: failure.records_breaker_failure(),
        outcome_type: failure.outcome_type().code(),
        attach_error_response: failure != InvokeFailure::RateLimit,
    }
}

/// What a circuit breaker's `getCircuitOpenError()` returns: the original's
/// `EnhancedErrorResponse` for an open circuit, keys in its order.
#[napi(object, object_from_js = false)]
pub struct CircuitOpenResponse {
    pub code: u32,
    pub message: String,
    pub error_type: &'static str,
    pub retryable: bool,
    pub retry_after_ms: f64,
    pub recovery_suggestions: Vec<&'static str>,
    pub model_id: String,
    pub details: CircuitOpenDetails,
}

/// The breaker's state in a [`CircuitOpenResponse`]. The two times are ISO strings,
/// present but `undefined` when unknown, as the original's object literal leaves them.
#[napi(object, object_from_js = false)]
pub struct CircuitOpenDetails {
    pub circuit_state: &'static str,
    pub failure_count: f64,
    pub last_opened_at: Either<String, Undefined>,
    pub next_retry_at: Either<String, Undefined>,
}

pub fn circuit_open_response(open: CircuitOpenInfo) -> CircuitOpenResponse {
    let iso_or_undefined = |ms: Option<f64>| match ms.and_then(iso_string) {
        Some(iso) => Either::A(iso),
        None => Either::B(()),
    };
    CircuitOpenResponse {
        code: u32::from(CIRCUIT_OPEN_CODE),
        message: open.message,
        error_type: ErrorType::CircuitOpen.as_str(),
        retryable: true,
        retry_after_ms: open.retry_after_ms,
        recovery_suggestions: CIRCUIT_OPEN_SUGGESTIONS.to_vec(),
        model_id: open.model_id,
        details: CircuitOpenDetails {
            circuit_state: open.state.as_str(),
            failure_count: open.failure_count as f64,
            last_opened_at: iso_or_undefined(open.last_opened_at),
            next_retry_at: iso_or_undefined(open.next_retry_at),
        },
    }
}

/// Sets `key` to the value, or to `undefined` (present, as the original's object
/// literals leave it) when there is none.
pub fn set_or_undefined<V: ToNapiValue>(
    object: &mut Object,
    key: &str,
    value: Option<V>,
) -> Result<()> {
    match value {
        Some(value) => object.set(key, value),
        None => object.set(key, ()),
    }
}
