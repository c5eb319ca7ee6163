//! Beyond the original (issue 14): the `failover` section.

use super::rules::{check_optional_booleans, IntegerRule};
use super::ValidationError;
use crate::jsval::JsValue;

/// `failover`: `{ serverErrors?, connectionErrors?, attemptTimeoutMs?, backoff? }`.
pub(super) fn validate_failover(section: &JsValue, errors: &mut Vec<ValidationError>) {
    check_optional_booleans(
        "failover",
        section,
        &["serverErrors", "connectionErrors"],
        errors,
    );
    IntegerRule {
        field: "failover.attemptTimeoutMs",
        min: 100.0,
        too_small: "failover.attemptTimeoutMs must be at least 100ms",
        max: 300000.0,
        too_large: "failover.attemptTimeoutMs must not exceed 300000ms (5 minutes)",
    }
    .check_optional(section.get("attemptTimeoutMs"), errors);
    super::validate_section(
        section.get("backoff"),
        "failover.backoff",
        errors,
        validate_backoff,
    );
}

/// `failover.backoff`: `{ baseMs, maxMs }`, both required, the cap at least the base.
fn validate_backoff(section: &JsValue, errors: &mut Vec<ValidationError>) {
    let base = section.get("baseMs");
    let max = section.get("maxMs");
    let errors_before = errors.len();
    IntegerRule {
        field: "failover.backoff.baseMs",
        min: 1.0,
        too_small: "failover.backoff.baseMs must be at least 1ms",
        max: 60000.0,
        too_large: "failover.backoff.baseMs must not exceed 60000ms",
    }
    .check_required(base, errors);
    IntegerRule {
        field: "failover.backoff.maxMs",
        min: 1.0,
        too_small: "failover.backoff.maxMs must be at least 1ms",
        max: 300000.0,
        too_large: "failover.backoff.maxMs must not exceed 300000ms (5 minutes)",
    }
    .check_required(max, errors);
    if errors.len() > errors_before {
        return;
    }
    if let (Some(base), Some(max)) = (base.as_number(), max.as_number()) {
        if max < base {
            errors.push(ValidationError::bare(
                "failover.backoff.maxMs",
                "failover.backoff.maxMs must be at least failover.backoff.baseMs",
            ));
        }
    }
}
