//! Beyond the original (issue 14): the `hedging` section, and the policy it yields.

use super::rules::IntegerRule;
use super::ValidationError;
use crate::hedge::{HedgeAfter, HedgePolicy, MAX_HEDGES};
use crate::jsval::JsValue;

/// The bounds of a fixed `afterMs`.
const MIN_AFTER_MS: f64 = 1.0;
const MAX_AFTER_MS: f64 = 300000.0;

/// `hedging`: `{ afterMs: number | 'p90' | 'p95' | 'p99', maxHedges? }`.
pub(super) fn validate_hedging(section: &JsValue, errors: &mut Vec<ValidationError>) {
    let after = section.get("afterMs");
    if after.is_nullish() {
        errors.push(ValidationError::bare(
            "hedging.afterMs",
            "hedging.afterMs is required",
        ));
    } else if after.as_number().is_some() {
        IntegerRule {
            field: "hedging.afterMs",
            min: MIN_AFTER_MS,
            too_small: "hedging.afterMs must be at least 1ms",
            max: MAX_AFTER_MS,
            too_large: "hedging.afterMs must not exceed 300000ms (5 minutes)",
        }
        .check_optional(after, errors);
    } else if after
        .as_str()
        .and_then(HedgeAfter::percentile_named)
        .is_none()
    {
        errors.push(ValidationError::mismatch(
            "hedging.afterMs",
            "hedging.afterMs must be a number of milliseconds or 'p90', 'p95' or 'p99'",
            "number | 'p90' | 'p95' | 'p99'",
            after.to_js_string(),
        ));
    }
    IntegerRule {
        field: "hedging.maxHedges",
        min: 1.0,
        too_small: "hedging.maxHedges must be at least 1",
        max: f64::from(MAX_HEDGES),
        too_large: "hedging.maxHedges must not exceed 3",
    }
    .check_optional(section.get("maxHedges"), errors);
}

/// The policy of a `hedging` section that passed [`validate_hedging`]; `None` for one
/// that would not.
pub fn hedge_policy(section: &JsValue) -> Option<HedgePolicy> {
    let mut errors = Vec::new();
    validate_hedging(section, &mut errors);
    if !errors.is_empty() {
        return None;
    }
    let after = section.get("afterMs");
    let after = match after.as_number() {
        Some(ms) => HedgeAfter::Fixed(ms),
        None => after.as_str().and_then(HedgeAfter::percentile_named)?,
    };
    let max_hedges = section.get("maxHedges").as_number().unwrap_or(1.0) as u32;
    Some(HedgePolicy { after, max_hedges })
}

#[cfg(test)]
mod tests;
