//! Beyond the original (issue 15): the `openTelemetry` section.

use super::rules::{check_optional_booleans, is_plain_object, object_kind};
use super::ValidationError;
use crate::jsval::JsValue;

/// `openTelemetry`: `{ enabled?, tracerProvider?, meterProvider?, captureContent? }`. A
/// provider is only checked to be an object: its methods live on its prototype, which
/// the copied value does not carry, so `getTracer`/`getMeter` are the API's to call.
pub(super) fn validate_open_telemetry(section: &JsValue, errors: &mut Vec<ValidationError>) {
    check_optional_booleans(
        "openTelemetry",
        section,
        &["enabled", "captureContent"],
        errors,
    );
    for field in ["tracerProvider", "meterProvider"] {
        let value = section.get(field);
        if !value.is_nullish() && !is_plain_object(value) {
            errors.push(ValidationError::mismatch(
                format!("openTelemetry.{field}"),
                format!("openTelemetry.{field} must be an object (an OpenTelemetry provider)"),
                "object",
                object_kind(value),
            ));
        }
    }
}
