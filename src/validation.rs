//! The validators, for any JavaScript value a caller passes.

use engine::jsval::JsValue;
use engine::limits::TooLarge;
use engine::validate::{self, ValidationError, ValidationResult};
use napi::bindgen_prelude::*;

use crate::js_value::snapshot;

#[napi(object)]
pub struct JsValidationError {
    pub field: String,
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

#[napi(object)]
pub struct JsValidationResult {
    pub is_valid: bool,
    pub errors: Vec<JsValidationError>,
}

fn to_js(result: ValidationResult) -> JsValidationResult {
    JsValidationResult {
        is_valid: result.is_valid(),
        errors: result
            .errors
            .into_iter()
            .map(|e| JsValidationError {
                field: e.field,
                message: e.message,
                expected: e.expected,
                actual: e.actual,
            })
            .collect(),
    }
}

#[napi(catch_unwind)]
pub fn validate_model_config(config: Unknown) -> Result<JsValidationResult> {
    Ok(to_js(validate::validate_model_config(&snapshot(config)?)))
}

#[napi(catch_unwind)]
pub fn validate_multiplexer_config(config: Unknown) -> Result<JsValidationResult> {
    Ok(to_js(validate::validate_multiplexer_config(&snapshot(
        config,
    )?)))
}

#[napi(catch_unwind)]
pub fn validate_circuit_breaker_config(config: Unknown) -> Result<JsValidationResult> {
    Ok(to_js(validate::validate_circuit_breaker_config(&snapshot(
        config,
    )?)))
}

/// `formatValidationErrors(result)` for a result object from anywhere, read as
/// the original reads it (`isValid` by truthiness, each error field by `String()`).
#[napi(catch_unwind)]
pub fn format_validation_errors(result: Unknown) -> Result<String> {
    let (is_valid, errors) = read_result(&snapshot(result)?)?;
    Ok(validate::format_validation_errors(is_valid, &errors))
}

/// The message `assertValid(result)` throws, or null when the result is valid.
#[napi(catch_unwind)]
pub fn validation_failure_message(result: Unknown) -> Result<Option<String>> {
    let (is_valid, errors) = read_result(&snapshot(result)?)?;
    Ok((!is_valid).then(|| validate::failure_message(&errors)))
}

/// `isValid` and, when it is false, the errors (a valid result's are never read).
fn read_result(result: &JsValue) -> Result<(bool, Vec<ValidationError>)> {
    if result.get("isValid").is_truthy() {
        return Ok((true, Vec::new()));
    }
    let errors = match result.get("errors") {
        JsValue::Array(items) => items.iter().map(read_error).collect(),
        // The original would join one line per element (holes included) and overflow
        // V8's string length; this says why instead.
        JsValue::LongArray(length) => {
            let message = format!("result.errors {}", TooLarge::Array { length: *length });
            return Err(Error::new(Status::InvalidArg, message));
        }
        _ => Vec::new(),
    };
    Ok((false, errors))
}

fn read_error(error: &JsValue) -> ValidationError {
    let truthy_text = |key: &str| {
        let value = error.get(key);
        value.is_truthy().then(|| value.to_js_string())
    };
    ValidationError {
        field: error.get("field").to_js_string(),
        message: error.get("message").to_js_string(),
        expected: truthy_text("expected"),
        actual: truthy_text("actual"),
    }
}

/// `refusalRetryEnabled` for the live `refusalDetection` section of a config.
#[napi(catch_unwind)]
pub fn refusal_retry_enabled(refusal_detection: Unknown) -> Result<bool> {
    Ok(validate::refusal_retry_enabled(&snapshot(
        refusal_detection,
    )?))
}

/// Whether the live `tierEscalation` section of a config turns escalation on.
#[napi(catch_unwind)]
pub fn tier_escalation_enabled(tier_escalation: Unknown) -> Result<bool> {
    Ok(validate::tier_escalation_enabled(&snapshot(
        tier_escalation,
    )?))
}
