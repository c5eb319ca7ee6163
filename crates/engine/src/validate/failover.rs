//! Beyond the original (issue 14): the `failover` section.

use super::rules::{check_optional_booleans, IntegerRule};
use super::ValidationError;
use crate::jsval::JsValue;

/// `failover`: `{ serverErrors?, connectionErrors?, attemptTimeoutMs? }`.
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
}
