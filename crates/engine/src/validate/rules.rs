//! The building blocks the validators share: the opening guard, integer bounds, optional
//! booleans, object kinds.

use super::{ValidationError, ValidationResult};
use crate::jsval::JsValue;
use bmm_js::number::number_to_js_string;

/// The guard every validator opens with: a truthy value of type `object`.
pub(super) fn non_null_object(config: &JsValue, what: &str) -> Option<ValidationResult> {
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
pub(super) struct IntegerRule {
    pub(super) field: &'static str,
    pub(super) min: f64,
    pub(super) too_small: &'static str,
    pub(super) max: f64,
    pub(super) too_large: &'static str,
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
    pub(super) fn check_required(&self, value: &JsValue, errors: &mut Vec<ValidationError>) {
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
    pub(super) fn check_optional(&self, value: &JsValue, errors: &mut Vec<ValidationError>) {
        if !value.is_nullish() {
            self.check(value, errors);
        }
    }
}

/// `"array"` for arrays, else `typeof`: what the original reports for a non-plain object.
pub(super) fn object_kind(value: &JsValue) -> &'static str {
    if value.is_array() {
        "array"
    } else {
        value.type_of()
    }
}

/// A value that is `typeof "object"` and not an array (null is excluded by the callers).
pub(super) fn is_plain_object(value: &JsValue) -> bool {
    value.type_of() == "object" && !value.is_array()
}

/// Each of `section`'s `fields`, when set, must be a boolean; errors name `{section}.{field}`.
pub(super) fn check_optional_booleans(
    section_name: &str,
    section: &JsValue,
    fields: &[&str],
    errors: &mut Vec<ValidationError>,
) {
    for field in fields {
        let value = section.get(field);
        if !value.is_nullish() && value.as_bool().is_none() {
            errors.push(ValidationError::mismatch(
                format!("{section_name}.{field}"),
                format!("{section_name}.{field} must be a boolean"),
                "boolean",
                value.type_of(),
            ));
        }
    }
}
