//! The original's configuration validators, and the settings a valid multiplexer configuration yields.
//!
//! Callers see these errors field by field (`field`, `message`, `expected`,
//! `actual`) and as the text of the thrown "Validation failed" error, so the
//! rules, their order and every string follow the original to the letter,
//! including where it leans on `typeof`, truthiness and `String(x)`.

use crate::jsval::JsValue;
use crate::limits::MAX_ARRAY_LENGTH;

mod failover;
mod hedging;
mod open_telemetry;
mod report;
mod routing;
mod rules;
mod shared_state;
pub use hedging::hedge_policy;
pub use report::{failure_message, format_validation_errors, ValidationError, ValidationResult};
use rules::{is_plain_object, non_null_object, object_kind, IntegerRule};
pub use shared_state::DEFAULT_THROTTLE_COOLDOWN_MS;

/// `ModelConfigValidator.validate`.
pub fn validate_model_config(config: &JsValue) -> ValidationResult {
    if let Some(rejected) = non_null_object(config, "Model") {
        return rejected;
    }
    let mut errors = Vec::new();

    let model_id = config.get("modelId");
    if !model_id.is_truthy() {
        errors.push(ValidationError::bare("modelId", "modelId is required"));
    } else if model_id.type_of() != "string" {
        errors.push(ValidationError::mismatch(
            "modelId",
            "modelId must be a string",
            "string",
            model_id.type_of(),
        ));
    }

    let weight = config.get("weight");
    if weight.is_nullish() {
        errors.push(ValidationError::bare("weight", "weight is required"));
    } else if let Some(w) = weight.as_number() {
        // The original lets NaN through (it fails both bounds) and then always
        // routes to the pool's last model; a NaN weight is a caller's bug, so say so.
        if w.is_nan() {
            errors.push(ValidationError::mismatch(
                "weight",
                "weight must be a finite number",
                "finite number",
                "NaN",
            ));
        } else if w < 0.0 {
            errors.push(ValidationError::mismatch(
                "weight",
                "weight must be non-negative",
                ">= 0",
                weight.to_js_string(),
            ));
        } else if w > 10000.0 {
            let message = "weight exceeds maximum allowed value";
            errors.push(ValidationError::mismatch(
                "weight",
                message,
                "<= 10000",
                weight.to_js_string(),
            ));
        }
    } else {
        errors.push(ValidationError::mismatch(
            "weight",
            "weight must be a number",
            "number",
            weight.type_of(),
        ));
    }

    let is_fallback = config.get("isFallback");
    if is_fallback.is_nullish() {
        errors.push(ValidationError::bare(
            "isFallback",
            "isFallback is required",
        ));
    } else if is_fallback.type_of() != "boolean" {
        errors.push(ValidationError::mismatch(
            "isFallback",
            "isFallback must be a boolean",
            "boolean",
            is_fallback.type_of(),
        ));
    }

    shared_state::validate_quotas(config, &mut errors);

    ValidationResult { errors }
}

fn validate_models(models: &JsValue, errors: &mut Vec<ValidationError>) {
    if !models.is_truthy() {
        errors.push(ValidationError::bare("models", "models array is required"));
        return;
    }
    if let JsValue::LongArray(length) = models {
        // Beyond the original, which would validate each of them (and each hole) in turn.
        let message = format!("models array must not have more than {MAX_ARRAY_LENGTH} elements");
        errors.push(ValidationError::mismatch(
            "models",
            message,
            format!("<= {MAX_ARRAY_LENGTH}"),
            length.to_string(),
        ));
        return;
    }
    let Some(list) = models.as_array() else {
        errors.push(ValidationError::mismatch(
            "models",
            "models must be an array",
            "array",
            models.type_of(),
        ));
        return;
    };
    if list.is_empty() {
        errors.push(ValidationError::bare(
            "models",
            "models array must contain at least one model",
        ));
        return;
    }

    let mut seen_ids: Vec<&str> = Vec::new();
    for (index, model) in list.iter().enumerate() {
        for error in validate_model_config(model).errors {
            errors.push(ValidationError {
                field: format!("models[{index}].{}", error.field),
                ..error
            });
        }
        // Duplicates are judged on any string id, the empty string included.
        if model.is_truthy() && model.type_of() == "object" {
            if let Some(id) = model.get("modelId").as_str() {
                if seen_ids.contains(&id) {
                    errors.push(ValidationError {
                        actual: Some(id.to_owned()),
                        ..ValidationError::bare(
                            format!("models[{index}].modelId"),
                            "Duplicate modelId found",
                        )
                    });
                } else {
                    seen_ids.push(id);
                }
            }
        }
    }

    let has_primary = list.iter().any(|model| {
        model.is_truthy()
            && model.type_of() == "object"
            && model.get("isFallback") == &JsValue::Bool(false)
    });
    if !has_primary {
        errors.push(ValidationError::bare(
            "models",
            "At least one primary (non-fallback) model is required",
        ));
    }
}

// `!(0.0..=1.0).contains(&t)` would reject NaN, which the original's two comparisons let through.
#[allow(clippy::manual_range_contains)]
fn validate_refusal_detection(rd: &JsValue, errors: &mut Vec<ValidationError>) {
    let enabled = rd.get("enabled");
    if *enabled != JsValue::Undefined && enabled.type_of() != "boolean" {
        errors.push(ValidationError::mismatch(
            "refusalDetection.enabled",
            "enabled must be a boolean",
            "boolean",
            enabled.type_of(),
        ));
    }

    if *enabled == JsValue::Bool(true) {
        let model_path = rd.get("modelPath");
        if !model_path.is_truthy() || model_path.type_of() != "string" {
            errors.push(ValidationError::expecting(
                "refusalDetection.modelPath",
                "modelPath is required when refusal detection is enabled",
                "string",
            ));
        }
    }

    let threshold = rd.get("confidenceThreshold");
    if !threshold.is_nullish() {
        match threshold.as_number() {
            None => errors.push(ValidationError::mismatch(
                "refusalDetection.confidenceThreshold",
                "confidenceThreshold must be a number",
                "number",
                threshold.type_of(),
            )),
            Some(t) if t < 0.0 || t > 1.0 => errors.push(ValidationError::mismatch(
                "refusalDetection.confidenceThreshold",
                "confidenceThreshold must be between 0 and 1",
                "0\u{2013}1",
                threshold.to_js_string(),
            )),
            Some(_) => {}
        }
    }

    let retry = rd.get("retryOnRefusal");
    if *retry != JsValue::Undefined && retry.type_of() != "boolean" {
        errors.push(ValidationError::mismatch(
            "refusalDetection.retryOnRefusal",
            "retryOnRefusal must be a boolean",
            "boolean",
            retry.type_of(),
        ));
    }
}

const VALID_TIERS: &str = "\"reserved\" | \"priority\"";

fn validate_tier_escalation(te: &JsValue, errors: &mut Vec<ValidationError>) {
    let enabled = te.get("enabled");
    if *enabled != JsValue::Undefined && enabled.type_of() != "boolean" {
        errors.push(ValidationError::mismatch(
            "tierEscalation.enabled",
            "enabled must be a boolean",
            "boolean",
            enabled.type_of(),
        ));
    }

    if *enabled == JsValue::Bool(true) {
        let tier = te.get("escalationTier");
        match tier.as_str() {
            Some(name) if !name.is_empty() => {
                if name != "reserved" && name != "priority" {
                    errors.push(ValidationError::mismatch(
                        "tierEscalation.escalationTier",
                        "escalationTier must be \"reserved\" or \"priority\"",
                        VALID_TIERS,
                        name,
                    ));
                }
            }
            _ => errors.push(ValidationError::expecting(
                "tierEscalation.escalationTier",
                "escalationTier is required when tier escalation is enabled",
                VALID_TIERS,
            )),
        }
    }
}

/// An optional nested settings object: absent, or a plain object handed to `check`.
fn validate_section(
    section: &JsValue,
    field: &str,
    errors: &mut Vec<ValidationError>,
    check: fn(&JsValue, &mut Vec<ValidationError>),
) {
    if section.is_nullish() {
        return;
    }
    if is_plain_object(section) {
        check(section, errors);
    } else {
        errors.push(ValidationError::mismatch(
            field,
            format!("{field} must be an object"),
            "object",
            object_kind(section),
        ));
    }
}

/// `MultiplexerConfigValidator.validate`.
pub fn validate_multiplexer_config(config: &JsValue) -> ValidationResult {
    if let Some(rejected) = non_null_object(config, "Multiplexer") {
        return rejected;
    }
    let mut errors = Vec::new();

    validate_models(config.get("models"), &mut errors);

    IntegerRule {
        field: "defaultTimeoutMs",
        min: 1000.0,
        too_small: "defaultTimeoutMs must be at least 1000ms",
        max: 300000.0,
        too_large: "defaultTimeoutMs must not exceed 300000ms (5 minutes)",
    }
    .check_required(config.get("defaultTimeoutMs"), &mut errors);

    let client_config = config.get("clientConfig");
    if !client_config.is_nullish() && !is_plain_object(client_config) {
        errors.push(ValidationError::mismatch(
            "clientConfig",
            "clientConfig must be a plain object (BedrockRuntimeClient config overrides)",
            "object",
            object_kind(client_config),
        ));
    }

    validate_section(
        config.get("refusalDetection"),
        "refusalDetection",
        &mut errors,
        validate_refusal_detection,
    );
    validate_section(
        config.get("tierEscalation"),
        "tierEscalation",
        &mut errors,
        validate_tier_escalation,
    );
    validate_section(
        config.get("sharedState"),
        "sharedState",
        &mut errors,
        shared_state::validate_shared_state,
    );
    routing::validate_routing(config.get("routing"), &mut errors);
    validate_section(
        config.get("failover"),
        "failover",
        &mut errors,
        failover::validate_failover,
    );
    validate_section(
        config.get("hedging"),
        "hedging",
        &mut errors,
        hedging::validate_hedging,
    );
    validate_section(
        config.get("openTelemetry"),
        "openTelemetry",
        &mut errors,
        open_telemetry::validate_open_telemetry,
    );

    IntegerRule {
        field: "maxRetries",
        min: 0.0,
        too_small: "maxRetries must be non-negative",
        max: 10.0,
        too_large: "maxRetries must not exceed 10",
    }
    .check_required(config.get("maxRetries"), &mut errors);

    // Beyond the original: the bound on a response body (the native client's default when
    // absent). At most what a V8 string can hold, since the output reaches JS as JSON text.
    IntegerRule {
        field: "maxResponseBytes",
        min: 1024.0,
        too_small: "maxResponseBytes must be at least 1024 bytes",
        max: MAX_RESPONSE_BYTES_CEILING,
        too_large: "maxResponseBytes must not exceed 536870912 bytes (512 MiB)",
    }
    .check_optional(config.get("maxResponseBytes"), &mut errors);

    // Beyond the original: which client sends the calls (`auto` when left out).
    let transport = config.get("transport");
    if *transport != JsValue::Undefined
        && !transport.as_str().is_some_and(|t| TRANSPORTS.contains(&t))
    {
        errors.push(ValidationError {
            actual: Some(transport.to_js_string()),
            ..ValidationError::bare(
                "transport",
                r#"transport must be "auto", "native" or "js-sdk""#,
            )
        });
    }

    ValidationResult { errors }
}

/// The values of the `transport` option.
const TRANSPORTS: [&str; 3] = ["auto", "native", "js-sdk"];

/// The largest `maxResponseBytes`: 512 MiB, about V8's longest string.
const MAX_RESPONSE_BYTES_CEILING: f64 = 536870912.0;

/// `CircuitBreakerConfigValidator.validate`.
pub fn validate_circuit_breaker_config(config: &JsValue) -> ValidationResult {
    if let Some(rejected) = non_null_object(config, "Circuit breaker") {
        return rejected;
    }
    let mut errors = Vec::new();
    let rules = [
        IntegerRule {
            field: "failureThreshold",
            min: 1.0,
            too_small: "failureThreshold must be at least 1",
            max: 100.0,
            too_large: "failureThreshold must not exceed 100",
        },
        IntegerRule {
            field: "recoveryTimeMs",
            min: 1000.0,
            too_small: "recoveryTimeMs must be at least 1000ms",
            max: 300000.0,
            too_large: "recoveryTimeMs must not exceed 300000ms (5 minutes)",
        },
        IntegerRule {
            field: "successThreshold",
            min: 1.0,
            too_small: "successThreshold must be at least 1",
            max: 20.0,
            too_large: "successThreshold must not exceed 20",
        },
        IntegerRule {
            field: "failureWindowMs",
            min: 1000.0,
            too_small: "failureWindowMs must be at least 1000ms",
            max: 600000.0,
            too_large: "failureWindowMs must not exceed 600000ms (10 minutes)",
        },
    ];
    for rule in &rules {
        rule.check_optional(config.get(rule.field), &mut errors);
    }
    ValidationResult { errors }
}

/// One model of a validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    pub model_id: String,
    pub weight: f64,
    pub is_fallback: bool,
}

/// `refusalRetryEnabled` read from a live `refusalDetection` section: callers may
/// change their config object after construction, and the original reads it anew.
pub fn refusal_retry_enabled(refusal_detection: &JsValue) -> bool {
    *refusal_detection.get("enabled") == JsValue::Bool(true)
        && *refusal_detection.get("retryOnRefusal") != JsValue::Bool(false)
}

/// Whether a live `tierEscalation` section turns escalation on (`enabled` truthy).
pub fn tier_escalation_enabled(tier_escalation: &JsValue) -> bool {
    tier_escalation.get("enabled").is_truthy()
}

#[cfg(test)]
mod tests;
