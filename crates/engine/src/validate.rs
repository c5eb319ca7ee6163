//! The original's configuration validators, and the settings a valid multiplexer configuration yields.
//!
//! Callers see these errors field by field (`field`, `message`, `expected`,
//! `actual`) and as the text of the thrown "Validation failed" error, so the
//! rules, their order and every string follow the original to the letter,
//! including where it leans on `typeof`, truthiness and `String(x)`.

use crate::jsval::{number_to_js_string, JsValue};
use crate::limits::MAX_ARRAY_LENGTH;

/// One broken rule. `expected`/`actual` are `None` where the original leaves the key out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub field: String,
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl ValidationError {
    fn bare(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            expected: None,
            actual: None,
        }
    }

    fn expecting(
        field: impl Into<String>,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Self {
            expected: Some(expected.into()),
            ..Self::bare(field, message)
        }
    }

    fn mismatch(
        field: impl Into<String>,
        message: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Self {
            actual: Some(actual.into()),
            ..Self::expecting(field, message, expected)
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationResult {
    pub errors: Vec<ValidationError>,
}

impl ValidationResult {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// The guard every validator opens with: a truthy value of type `object`.
fn non_null_object(config: &JsValue, what: &str) -> Option<ValidationResult> {
    if config.is_truthy() && config.type_of() == "object" {
        return None;
    }
    let error = ValidationError::mismatch(
        "config",
        format!("{what} configuration must be a non-null object"),
        "object",
        config.type_of(),
    );
    Some(ValidationResult {
        errors: vec![error],
    })
}

/// An integer setting with inclusive bounds, as the original checks
/// `defaultTimeoutMs`, `maxRetries` and the circuit-breaker settings.
struct IntegerRule {
    field: &'static str,
    min: f64,
    too_small: &'static str,
    max: f64,
    too_large: &'static str,
}

impl IntegerRule {
    fn check(&self, value: &JsValue, errors: &mut Vec<ValidationError>) {
        let field = self.field;
        let Some(n) = value.as_number().filter(|_| value.is_integer()) else {
            let message = format!("{field} must be an integer");
            errors.push(ValidationError::mismatch(
                field,
                message,
                "integer",
                value.to_js_string(),
            ));
            return;
        };
        if n < self.min {
            let expected = format!(">= {}", number_to_js_string(self.min));
            errors.push(ValidationError::mismatch(
                field,
                self.too_small,
                expected,
                value.to_js_string(),
            ));
        } else if n > self.max {
            let expected = format!("<= {}", number_to_js_string(self.max));
            errors.push(ValidationError::mismatch(
                field,
                self.too_large,
                expected,
                value.to_js_string(),
            ));
        }
    }

    /// A setting the configuration must carry.
    fn check_required(&self, value: &JsValue, errors: &mut Vec<ValidationError>) {
        if value.is_nullish() {
            errors.push(ValidationError::bare(
                self.field,
                format!("{} is required", self.field),
            ));
        } else {
            self.check(value, errors);
        }
    }

    /// A setting the configuration may leave out (undefined or null).
    fn check_optional(&self, value: &JsValue, errors: &mut Vec<ValidationError>) {
        if !value.is_nullish() {
            self.check(value, errors);
        }
    }
}

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

    ValidationResult { errors }
}

/// `"array"` for arrays, else `typeof`: what the original reports for a non-plain object.
fn object_kind(value: &JsValue) -> &'static str {
    if value.is_array() {
        "array"
    } else {
        value.type_of()
    }
}

/// A value that is `typeof "object"` and not an array (null is excluded by the callers).
fn is_plain_object(value: &JsValue) -> bool {
    value.type_of() == "object" && !value.is_array()
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

    ValidationResult { errors }
}

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

/// `formatValidationErrors`: empty when valid; `expected`/`actual` shown only when non-empty.
pub fn format_validation_errors(is_valid: bool, errors: &[ValidationError]) -> String {
    if is_valid {
        return String::new();
    }
    errors
        .iter()
        .map(|error| {
            let mut line = format!("{}: {}", error.field, error.message);
            if let Some(expected) = error.expected.as_deref().filter(|e| !e.is_empty()) {
                line.push_str(&format!(" (expected: {expected})"));
            }
            if let Some(actual) = error.actual.as_deref().filter(|a| !a.is_empty()) {
                line.push_str(&format!(" (got: {actual})"));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The message `assertValid` throws, or `None` when the result is valid.
pub fn assertion_message(result: &ValidationResult) -> Option<String> {
    (!result.is_valid()).then(|| {
        format!(
            "Validation failed: {}",
            format_validation_errors(false, &result.errors)
        )
    })
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
mod tests {
    use super::*;

    fn n(value: f64) -> JsValue {
        JsValue::Number(value)
    }

    fn s(text: &str) -> JsValue {
        JsValue::String(text.to_owned())
    }

    fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
        JsValue::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn model(id: &str, weight: f64, is_fallback: bool) -> JsValue {
        obj(&[
            ("modelId", s(id)),
            ("weight", n(weight)),
            ("isFallback", JsValue::Bool(is_fallback)),
        ])
    }

    fn valid_config() -> Vec<(&'static str, JsValue)> {
        vec![
            (
                "models",
                JsValue::Array(vec![model("a", 1.0, false), model("b", 2.0, true)]),
            ),
            ("defaultTimeoutMs", n(30000.0)),
            ("maxRetries", n(3.0)),
        ]
    }

    fn config_with(changes: &[(&'static str, JsValue)]) -> JsValue {
        let mut pairs = valid_config();
        for (key, value) in changes {
            match pairs.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value.clone(),
                None => pairs.push((key, value.clone())),
            }
        }
        obj(&pairs)
    }

    fn error(
        field: &str,
        message: &str,
        expected: Option<&str>,
        actual: Option<&str>,
    ) -> ValidationError {
        ValidationError {
            field: field.into(),
            message: message.into(),
            expected: expected.map(Into::into),
            actual: actual.map(Into::into),
        }
    }

    fn only_error(result: ValidationResult) -> ValidationError {
        assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
        result.errors.into_iter().next().unwrap()
    }

    #[test]
    fn a_models_array_too_long_to_read_is_refused_with_the_limit() {
        let result =
            validate_multiplexer_config(&config_with(&[("models", JsValue::LongArray(u32::MAX))]));
        assert_eq!(
            only_error(result),
            error(
                "models",
                "models array must not have more than 100000 elements",
                Some("<= 100000"),
                Some("4294967295")
            )
        );
    }

    #[test]
    fn a_long_array_where_an_object_belongs_is_reported_as_an_array() {
        let result = validate_multiplexer_config(&config_with(&[(
            "clientConfig",
            JsValue::LongArray(200_000),
        )]));
        let message = "clientConfig must be a plain object (BedrockRuntimeClient config overrides)";
        assert_eq!(
            only_error(result),
            error("clientConfig", message, Some("object"), Some("array"))
        );
    }

    #[test]
    fn a_complete_model_config_is_valid() {
        let result = validate_model_config(&model("amazon.nova", 5.0, false));
        assert!(result.is_valid());
        assert!(validate_model_config(&model("m", 0.0, true)).is_valid());
        assert!(validate_model_config(&model("m", 10000.0, true)).is_valid());
    }

    #[test]
    fn a_model_config_that_is_not_an_object_reports_its_type() {
        for (value, actual) in [
            (JsValue::Null, "object"),
            (JsValue::Undefined, "undefined"),
            (s("x"), "string"),
            (n(0.0), "number"),
            (JsValue::Function("f".into()), "function"),
        ] {
            assert_eq!(
                only_error(validate_model_config(&value)),
                error(
                    "config",
                    "Model configuration must be a non-null object",
                    Some("object"),
                    Some(actual)
                )
            );
        }
    }

    #[test]
    fn an_empty_model_config_reports_every_field_in_order() {
        let result = validate_model_config(&obj(&[]));
        assert_eq!(
            result.errors,
            vec![
                error("modelId", "modelId is required", None, None),
                error("weight", "weight is required", None, None),
                error("isFallback", "isFallback is required", None, None),
            ]
        );
        // An array passes the object guard and simply has no such fields.
        assert_eq!(
            validate_model_config(&JsValue::Array(vec![])).errors.len(),
            3
        );
    }

    #[test]
    fn model_id_must_be_a_truthy_string() {
        let with_id = |id: JsValue| {
            obj(&[
                ("modelId", id),
                ("weight", n(1.0)),
                ("isFallback", JsValue::Bool(false)),
            ])
        };
        assert_eq!(
            only_error(validate_model_config(&with_id(s("")))),
            error("modelId", "modelId is required", None, None)
        );
        assert_eq!(
            only_error(validate_model_config(&with_id(n(0.0)))),
            error("modelId", "modelId is required", None, None)
        );
        assert_eq!(
            only_error(validate_model_config(&with_id(n(42.0)))),
            error(
                "modelId",
                "modelId must be a string",
                Some("string"),
                Some("number")
            )
        );
        assert_eq!(
            only_error(validate_model_config(&with_id(JsValue::Array(vec![])))),
            error(
                "modelId",
                "modelId must be a string",
                Some("string"),
                Some("object")
            )
        );
    }

    #[test]
    fn weight_must_be_a_number_within_range() {
        let with_weight = |w: JsValue| {
            obj(&[
                ("modelId", s("m")),
                ("weight", w),
                ("isFallback", JsValue::Bool(false)),
            ])
        };
        assert_eq!(
            only_error(validate_model_config(&with_weight(JsValue::Null))),
            error("weight", "weight is required", None, None)
        );
        assert_eq!(
            only_error(validate_model_config(&with_weight(s("5")))),
            error(
                "weight",
                "weight must be a number",
                Some("number"),
                Some("string")
            )
        );
        assert_eq!(
            only_error(validate_model_config(&with_weight(n(-0.5)))),
            error(
                "weight",
                "weight must be non-negative",
                Some(">= 0"),
                Some("-0.5")
            )
        );
        assert_eq!(
            only_error(validate_model_config(&with_weight(n(10000.5)))),
            error(
                "weight",
                "weight exceeds maximum allowed value",
                Some("<= 10000"),
                Some("10000.5")
            )
        );
        assert_eq!(
            only_error(validate_model_config(&with_weight(n(f64::INFINITY)))),
            error(
                "weight",
                "weight exceeds maximum allowed value",
                Some("<= 10000"),
                Some("Infinity")
            )
        );
        assert_eq!(
            only_error(validate_model_config(&with_weight(n(f64::NAN)))),
            error(
                "weight",
                "weight must be a finite number",
                Some("finite number"),
                Some("NaN")
            )
        );
        assert!(validate_model_config(&with_weight(n(-0.0))).is_valid());
    }

    #[test]
    fn is_fallback_must_be_a_boolean() {
        let with_flag =
            |f: JsValue| obj(&[("modelId", s("m")), ("weight", n(1.0)), ("isFallback", f)]);
        assert_eq!(
            only_error(validate_model_config(&with_flag(s("true")))),
            error(
                "isFallback",
                "isFallback must be a boolean",
                Some("boolean"),
                Some("string")
            )
        );
        assert_eq!(
            only_error(validate_model_config(&with_flag(n(0.0)))),
            error(
                "isFallback",
                "isFallback must be a boolean",
                Some("boolean"),
                Some("number")
            )
        );
    }

    #[test]
    fn a_complete_multiplexer_config_is_valid() {
        assert!(validate_multiplexer_config(&config_with(&[])).is_valid());
    }

    #[test]
    fn a_multiplexer_config_that_is_not_an_object_reports_its_type() {
        assert_eq!(
            only_error(validate_multiplexer_config(&JsValue::Bool(false))),
            error(
                "config",
                "Multiplexer configuration must be a non-null object",
                Some("object"),
                Some("boolean")
            )
        );
    }

    #[test]
    fn an_empty_multiplexer_config_reports_the_required_fields_in_order() {
        assert_eq!(
            validate_multiplexer_config(&obj(&[])).errors,
            vec![
                error("models", "models array is required", None, None),
                error(
                    "defaultTimeoutMs",
                    "defaultTimeoutMs is required",
                    None,
                    None
                ),
                error("maxRetries", "maxRetries is required", None, None),
            ]
        );
    }

    #[test]
    fn models_must_be_a_non_empty_array() {
        let first = |models: JsValue| {
            validate_multiplexer_config(&config_with(&[("models", models)]))
                .errors
                .remove(0)
        };
        assert_eq!(
            first(n(0.0)),
            error("models", "models array is required", None, None)
        );
        assert_eq!(
            first(s("a")),
            error(
                "models",
                "models must be an array",
                Some("array"),
                Some("string")
            )
        );
        assert_eq!(
            first(obj(&[])),
            error(
                "models",
                "models must be an array",
                Some("array"),
                Some("object")
            )
        );
        assert_eq!(
            first(JsValue::Array(vec![])),
            error(
                "models",
                "models array must contain at least one model",
                None,
                None
            )
        );
    }

    #[test]
    fn model_errors_are_prefixed_with_their_index() {
        let models = JsValue::Array(vec![
            model("a", 1.0, false),
            obj(&[("modelId", n(7.0)), ("weight", n(-1.0))]),
            JsValue::Null,
        ]);
        assert_eq!(
            validate_multiplexer_config(&config_with(&[("models", models)])).errors,
            vec![
                error(
                    "models[1].modelId",
                    "modelId must be a string",
                    Some("string"),
                    Some("number")
                ),
                error(
                    "models[1].weight",
                    "weight must be non-negative",
                    Some(">= 0"),
                    Some("-1")
                ),
                error("models[1].isFallback", "isFallback is required", None, None),
                error(
                    "models[2].config",
                    "Model configuration must be a non-null object",
                    Some("object"),
                    Some("object")
                ),
            ]
        );
    }

    #[test]
    fn duplicate_ids_are_reported_after_the_model_own_errors() {
        let models = JsValue::Array(vec![
            model("a", 1.0, false),
            model("a", 1.0, false),
            obj(&[
                ("modelId", s("")),
                ("weight", n(1.0)),
                ("isFallback", JsValue::Bool(true)),
            ]),
            obj(&[
                ("modelId", s("")),
                ("weight", n(1.0)),
                ("isFallback", JsValue::Bool(true)),
            ]),
            model("a", 1.0, true),
        ]);
        assert_eq!(
            validate_multiplexer_config(&config_with(&[("models", models)])).errors,
            vec![
                error(
                    "models[1].modelId",
                    "Duplicate modelId found",
                    None,
                    Some("a")
                ),
                error("models[2].modelId", "modelId is required", None, None),
                error("models[3].modelId", "modelId is required", None, None),
                error(
                    "models[3].modelId",
                    "Duplicate modelId found",
                    None,
                    Some("")
                ),
                error(
                    "models[4].modelId",
                    "Duplicate modelId found",
                    None,
                    Some("a")
                ),
            ]
        );
    }

    #[test]
    fn at_least_one_model_must_be_strictly_primary() {
        let models = JsValue::Array(vec![
            model("a", 1.0, true),
            obj(&[
                ("modelId", s("b")),
                ("weight", n(1.0)),
                ("isFallback", n(0.0)),
            ]),
        ]);
        assert_eq!(
            validate_multiplexer_config(&config_with(&[("models", models)])).errors,
            vec![
                error(
                    "models[1].isFallback",
                    "isFallback must be a boolean",
                    Some("boolean"),
                    Some("number")
                ),
                error(
                    "models",
                    "At least one primary (non-fallback) model is required",
                    None,
                    None
                ),
            ]
        );
    }

    #[test]
    fn max_response_bytes_is_optional_and_bounded() {
        let errors = |v: JsValue| {
            validate_multiplexer_config(&config_with(&[("maxResponseBytes", v)])).errors
        };
        assert!(errors(JsValue::Undefined).is_empty());
        assert!(errors(n(1024.0)).is_empty());
        assert!(errors(n(536870912.0)).is_empty());
        assert_eq!(
            errors(n(1023.0)),
            vec![error(
                "maxResponseBytes",
                "maxResponseBytes must be at least 1024 bytes",
                Some(">= 1024"),
                Some("1023")
            )]
        );
        assert_eq!(
            errors(n(536870913.0)),
            vec![error(
                "maxResponseBytes",
                "maxResponseBytes must not exceed 536870912 bytes (512 MiB)",
                Some("<= 536870912"),
                Some("536870913")
            )]
        );
        assert_eq!(
            errors(n(f64::INFINITY)),
            vec![error(
                "maxResponseBytes",
                "maxResponseBytes must be an integer",
                Some("integer"),
                Some("Infinity")
            )]
        );
    }

    #[test]
    fn default_timeout_must_be_an_integer_within_range() {
        let only = |v: JsValue| {
            only_error(validate_multiplexer_config(&config_with(&[(
                "defaultTimeoutMs",
                v,
            )])))
        };
        assert_eq!(
            only(n(1500.5)),
            error(
                "defaultTimeoutMs",
                "defaultTimeoutMs must be an integer",
                Some("integer"),
                Some("1500.5")
            )
        );
        assert_eq!(
            only(s("30000")),
            error(
                "defaultTimeoutMs",
                "defaultTimeoutMs must be an integer",
                Some("integer"),
                Some("30000")
            )
        );
        assert_eq!(
            only(n(f64::NAN)),
            error(
                "defaultTimeoutMs",
                "defaultTimeoutMs must be an integer",
                Some("integer"),
                Some("NaN")
            )
        );
        assert_eq!(
            only(n(999.0)),
            error(
                "defaultTimeoutMs",
                "defaultTimeoutMs must be at least 1000ms",
                Some(">= 1000"),
                Some("999")
            )
        );
        assert_eq!(
            only(n(300001.0)),
            error(
                "defaultTimeoutMs",
                "defaultTimeoutMs must not exceed 300000ms (5 minutes)",
                Some("<= 300000"),
                Some("300001")
            )
        );
        assert_eq!(
            only(JsValue::Null),
            error(
                "defaultTimeoutMs",
                "defaultTimeoutMs is required",
                None,
                None
            )
        );
        assert!(
            validate_multiplexer_config(&config_with(&[("defaultTimeoutMs", n(1000.0))]))
                .is_valid()
        );
        assert!(
            validate_multiplexer_config(&config_with(&[("defaultTimeoutMs", n(300000.0))]))
                .is_valid()
        );
    }

    #[test]
    fn max_retries_must_be_an_integer_within_range() {
        let only = |v: JsValue| {
            only_error(validate_multiplexer_config(&config_with(&[(
                "maxRetries",
                v,
            )])))
        };
        assert_eq!(
            only(n(-1.0)),
            error(
                "maxRetries",
                "maxRetries must be non-negative",
                Some(">= 0"),
                Some("-1")
            )
        );
        assert_eq!(
            only(n(11.0)),
            error(
                "maxRetries",
                "maxRetries must not exceed 10",
                Some("<= 10"),
                Some("11")
            )
        );
        assert_eq!(
            only(n(2.5)),
            error(
                "maxRetries",
                "maxRetries must be an integer",
                Some("integer"),
                Some("2.5")
            )
        );
        assert_eq!(
            only(JsValue::Array(vec![n(1.0), n(2.0)])),
            error(
                "maxRetries",
                "maxRetries must be an integer",
                Some("integer"),
                Some("1,2")
            )
        );
        assert_eq!(
            only(JsValue::Undefined),
            error("maxRetries", "maxRetries is required", None, None)
        );
        assert!(validate_multiplexer_config(&config_with(&[("maxRetries", n(-0.0))])).is_valid());
    }

    #[test]
    fn client_config_must_be_a_plain_object_when_given() {
        let only = |v: JsValue| {
            only_error(validate_multiplexer_config(&config_with(&[(
                "clientConfig",
                v,
            )])))
        };
        let message = "clientConfig must be a plain object (BedrockRuntimeClient config overrides)";
        assert_eq!(
            only(JsValue::Array(vec![])),
            error("clientConfig", message, Some("object"), Some("array"))
        );
        assert_eq!(
            only(s("us-east-1")),
            error("clientConfig", message, Some("object"), Some("string"))
        );
        assert_eq!(
            only(JsValue::Function("f".into())),
            error("clientConfig", message, Some("object"), Some("function"))
        );
        assert!(
            validate_multiplexer_config(&config_with(&[("clientConfig", JsValue::Null)]))
                .is_valid()
        );
        assert!(
            validate_multiplexer_config(&config_with(&[("clientConfig", obj(&[]))])).is_valid()
        );
    }

    #[test]
    fn refusal_detection_fields_are_checked_in_order() {
        let rd = obj(&[
            ("enabled", s("yes")),
            ("confidenceThreshold", s("high")),
            ("retryOnRefusal", n(1.0)),
        ]);
        assert_eq!(
            validate_multiplexer_config(&config_with(&[("refusalDetection", rd)])).errors,
            vec![
                error(
                    "refusalDetection.enabled",
                    "enabled must be a boolean",
                    Some("boolean"),
                    Some("string")
                ),
                error(
                    "refusalDetection.confidenceThreshold",
                    "confidenceThreshold must be a number",
                    Some("number"),
                    Some("string")
                ),
                error(
                    "refusalDetection.retryOnRefusal",
                    "retryOnRefusal must be a boolean",
                    Some("boolean"),
                    Some("number")
                ),
            ]
        );
    }

    #[test]
    fn enabled_refusal_detection_needs_a_model_path_and_a_threshold_in_range() {
        let rd = obj(&[
            ("enabled", JsValue::Bool(true)),
            ("modelPath", s("")),
            ("confidenceThreshold", n(1.5)),
        ]);
        assert_eq!(
            validate_multiplexer_config(&config_with(&[("refusalDetection", rd)])).errors,
            vec![
                error(
                    "refusalDetection.modelPath",
                    "modelPath is required when refusal detection is enabled",
                    Some("string"),
                    None
                ),
                error(
                    "refusalDetection.confidenceThreshold",
                    "confidenceThreshold must be between 0 and 1",
                    Some("0\u{2013}1"),
                    Some("1.5")
                ),
            ]
        );
        let disabled_without_path = obj(&[("enabled", JsValue::Bool(false))]);
        assert!(validate_multiplexer_config(&config_with(&[(
            "refusalDetection",
            disabled_without_path
        )]))
        .is_valid());
    }

    #[test]
    fn a_nan_threshold_passes_the_range_check() {
        let rd = obj(&[("confidenceThreshold", n(f64::NAN))]);
        assert!(validate_multiplexer_config(&config_with(&[("refusalDetection", rd)])).is_valid());
        let rd = obj(&[("confidenceThreshold", n(-0.1))]);
        assert_eq!(
            only_error(validate_multiplexer_config(&config_with(&[(
                "refusalDetection",
                rd
            )])))
            .actual
            .as_deref(),
            Some("-0.1")
        );
    }

    #[test]
    fn null_refusal_flags_are_not_booleans_but_a_null_threshold_is_absent() {
        let rd = obj(&[
            ("enabled", JsValue::Null),
            ("confidenceThreshold", JsValue::Null),
            ("retryOnRefusal", JsValue::Null),
        ]);
        assert_eq!(
            validate_multiplexer_config(&config_with(&[("refusalDetection", rd)])).errors,
            vec![
                error(
                    "refusalDetection.enabled",
                    "enabled must be a boolean",
                    Some("boolean"),
                    Some("object")
                ),
                error(
                    "refusalDetection.retryOnRefusal",
                    "retryOnRefusal must be a boolean",
                    Some("boolean"),
                    Some("object")
                ),
            ]
        );
    }

    #[test]
    fn a_section_that_is_not_a_plain_object_is_rejected_whole() {
        let errors = validate_multiplexer_config(&config_with(&[
            ("refusalDetection", JsValue::Array(vec![])),
            ("tierEscalation", JsValue::Bool(true)),
        ]))
        .errors;
        assert_eq!(
            errors,
            vec![
                error(
                    "refusalDetection",
                    "refusalDetection must be an object",
                    Some("object"),
                    Some("array")
                ),
                error(
                    "tierEscalation",
                    "tierEscalation must be an object",
                    Some("object"),
                    Some("boolean")
                ),
            ]
        );
    }

    #[test]
    fn enabled_tier_escalation_needs_a_known_tier() {
        let only = |te: JsValue| {
            only_error(validate_multiplexer_config(&config_with(&[(
                "tierEscalation",
                te,
            )])))
        };
        let required = "escalationTier is required when tier escalation is enabled";
        let tiers = "\"reserved\" | \"priority\"";
        assert_eq!(
            only(obj(&[("enabled", JsValue::Bool(true))])),
            error("tierEscalation.escalationTier", required, Some(tiers), None)
        );
        assert_eq!(
            only(obj(&[
                ("enabled", JsValue::Bool(true)),
                ("escalationTier", n(1.0))
            ])),
            error("tierEscalation.escalationTier", required, Some(tiers), None)
        );
        assert_eq!(
            only(obj(&[
                ("enabled", JsValue::Bool(true)),
                ("escalationTier", s("flex"))
            ])),
            error(
                "tierEscalation.escalationTier",
                "escalationTier must be \"reserved\" or \"priority\"",
                Some(tiers),
                Some("flex")
            )
        );
        assert_eq!(
            only(obj(&[("enabled", n(1.0)), ("escalationTier", s("flex"))])),
            error(
                "tierEscalation.enabled",
                "enabled must be a boolean",
                Some("boolean"),
                Some("number")
            )
        );
        assert!(validate_multiplexer_config(&config_with(&[(
            "tierEscalation",
            obj(&[
                ("enabled", JsValue::Bool(false)),
                ("escalationTier", s("nonsense"))
            ])
        )]))
        .is_valid());
    }

    #[test]
    fn circuit_breaker_settings_are_optional_integers_within_range() {
        assert!(validate_circuit_breaker_config(&obj(&[])).is_valid());
        assert!(
            validate_circuit_breaker_config(&obj(&[("failureThreshold", JsValue::Null)]))
                .is_valid()
        );
        let config = obj(&[
            ("failureThreshold", n(0.0)),
            ("recoveryTimeMs", n(300001.0)),
            ("successThreshold", n(1.5)),
            ("failureWindowMs", n(999.0)),
        ]);
        assert_eq!(
            validate_circuit_breaker_config(&config).errors,
            vec![
                error(
                    "failureThreshold",
                    "failureThreshold must be at least 1",
                    Some(">= 1"),
                    Some("0")
                ),
                error(
                    "recoveryTimeMs",
                    "recoveryTimeMs must not exceed 300000ms (5 minutes)",
                    Some("<= 300000"),
                    Some("300001")
                ),
                error(
                    "successThreshold",
                    "successThreshold must be an integer",
                    Some("integer"),
                    Some("1.5")
                ),
                error(
                    "failureWindowMs",
                    "failureWindowMs must be at least 1000ms",
                    Some(">= 1000"),
                    Some("999")
                ),
            ]
        );
        let config = obj(&[
            ("failureThreshold", n(101.0)),
            ("recoveryTimeMs", n(999.0)),
            ("successThreshold", n(21.0)),
            ("failureWindowMs", n(600001.0)),
        ]);
        assert_eq!(
            validate_circuit_breaker_config(&config).errors,
            vec![
                error(
                    "failureThreshold",
                    "failureThreshold must not exceed 100",
                    Some("<= 100"),
                    Some("101")
                ),
                error(
                    "recoveryTimeMs",
                    "recoveryTimeMs must be at least 1000ms",
                    Some(">= 1000"),
                    Some("999")
                ),
                error(
                    "successThreshold",
                    "successThreshold must not exceed 20",
                    Some("<= 20"),
                    Some("21")
                ),
                error(
                    "failureWindowMs",
                    "failureWindowMs must not exceed 600000ms (10 minutes)",
                    Some("<= 600000"),
                    Some("600001")
                ),
            ]
        );
        assert_eq!(
            only_error(validate_circuit_breaker_config(&obj(&[(
                "recoveryTimeMs",
                s("1000")
            )]))),
            error(
                "recoveryTimeMs",
                "recoveryTimeMs must be an integer",
                Some("integer"),
                Some("1000")
            )
        );
        assert_eq!(
            only_error(validate_circuit_breaker_config(&JsValue::Undefined)),
            error(
                "config",
                "Circuit breaker configuration must be a non-null object",
                Some("object"),
                Some("undefined")
            )
        );
    }

    #[test]
    fn formatting_joins_errors_and_shows_only_non_empty_details() {
        let errors = vec![
            error("a", "first", Some("x"), Some("y")),
            error("b", "second", None, None),
            error("c", "third", Some(""), Some("")),
        ];
        assert_eq!(
            format_validation_errors(false, &errors),
            "a: first (expected: x) (got: y); b: second; c: third"
        );
        assert_eq!(format_validation_errors(true, &errors), "");
        assert_eq!(format_validation_errors(false, &[]), "");
    }

    #[test]
    fn assertion_message_prefixes_the_formatted_errors() {
        let result = validate_multiplexer_config(&config_with(&[("maxRetries", n(11.0))]));
        assert_eq!(
            assertion_message(&result).as_deref(),
            Some("Validation failed: maxRetries: maxRetries must not exceed 10 (expected: <= 10) (got: 11)")
        );
        assert_eq!(assertion_message(&ValidationResult::default()), None);
    }

    #[test]
    fn refusal_retry_needs_detection_enabled_and_retry_not_turned_off() {
        let section = |pairs: &[(&str, JsValue)]| obj(pairs);
        assert!(refusal_retry_enabled(&section(&[(
            "enabled",
            JsValue::Bool(true)
        )])));
        assert!(!refusal_retry_enabled(&section(&[
            ("enabled", JsValue::Bool(true)),
            ("retryOnRefusal", JsValue::Bool(false))
        ])));
        assert!(
            !refusal_retry_enabled(&section(&[("enabled", n(1.0))])),
            "enabled must be exactly true"
        );
        assert!(!refusal_retry_enabled(&JsValue::Undefined));
    }

    #[test]
    fn tier_escalation_follows_the_truthiness_of_enabled() {
        assert!(tier_escalation_enabled(&obj(&[(
            "enabled",
            JsValue::Bool(true)
        )])));
        assert!(tier_escalation_enabled(&obj(&[("enabled", n(1.0))])));
        assert!(!tier_escalation_enabled(&obj(&[(
            "enabled",
            JsValue::Bool(false)
        )])));
        assert!(!tier_escalation_enabled(&JsValue::Undefined));
    }
}
