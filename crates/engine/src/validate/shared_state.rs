//! Beyond the original: the `sharedState` section and the per-model fleet quotas (issue 13).

use super::rules::IntegerRule;
use super::ValidationError;
use crate::jsval::JsValue;

/// The throttle cooldown when `sharedState.throttleCooldownMs` is left out: how long the
/// fleet skips a model after one instance saw it throttle.
pub const DEFAULT_THROTTLE_COOLDOWN_MS: f64 = 5000.0;

/// `sharedState`: `{ url, keyPrefix?, throttleCooldownMs? }`.
pub(super) fn validate_shared_state(section: &JsValue, errors: &mut Vec<ValidationError>) {
    let url = section.get("url");
    match url.as_str() {
        None => errors.push(ValidationError::mismatch(
            "sharedState.url",
            "sharedState.url must be a redis:// or rediss:// URL",
            "string",
            url.type_of(),
        )),
        Some(text) if !(text.starts_with("redis://") || text.starts_with("rediss://")) => errors
            .push(ValidationError::mismatch(
                "sharedState.url",
                "sharedState.url must be a redis:// or rediss:// URL",
                "redis:// or rediss://",
                url.to_js_string(),
            )),
        Some(_) => {}
    }
    let prefix = section.get("keyPrefix");
    if !prefix.is_nullish() && prefix.as_str().is_none_or(str::is_empty) {
        errors.push(ValidationError::mismatch(
            "sharedState.keyPrefix",
            "sharedState.keyPrefix must be a non-empty string",
            "string",
            prefix.type_of(),
        ));
    }
    IntegerRule {
        field: "sharedState.throttleCooldownMs",
        min: 100.0,
        too_small: "sharedState.throttleCooldownMs must be at least 100ms",
        max: 3_600_000.0,
        too_large: "sharedState.throttleCooldownMs must not exceed 3600000ms (1 hour)",
    }
    .check_optional(section.get("throttleCooldownMs"), errors);
}

/// A model's optional `requestsPerMinute` and `tokensPerMinute`: positive finite numbers.
pub(super) fn validate_quotas(model: &JsValue, errors: &mut Vec<ValidationError>) {
    for field in ["requestsPerMinute", "tokensPerMinute"] {
        let value = model.get(field);
        if value.is_nullish() {
            continue;
        }
        if !value.as_number().is_some_and(|n| n.is_finite() && n > 0.0) {
            errors.push(ValidationError::mismatch(
                field,
                format!("{field} must be a positive number"),
                "> 0",
                value.to_js_string(),
            ));
        }
    }
}
