//! Beyond the original (issue 14): the `routing` option, one of the names [`Routing`] knows.

use super::ValidationError;
use crate::jsval::JsValue;
use crate::routing::Routing;

/// `routing`: absent, or `'weighted'`, `'latency'` or `'least-busy'`.
pub(super) fn validate_routing(routing: &JsValue, errors: &mut Vec<ValidationError>) {
    if routing.is_nullish() || routing.as_str().and_then(Routing::from_name).is_some() {
        return;
    }
    errors.push(ValidationError::mismatch(
        "routing",
        "routing must be 'weighted', 'latency' or 'least-busy'",
        "'weighted' | 'latency' | 'least-busy'",
        routing.to_js_string(),
    ));
}
