//! Free-form JSON members (`additionalModelRequestFields`, tool input and schemas) as the
//! SDK's `Document`, written as `JSON.stringify` would write them.

use super::path::{InputError, Path};
use crate::doc::Doc;
use aws_smithy_types::{Document, Number};
use std::collections::HashMap;

/// A JSON document as `JSON.stringify` would send it: integral numbers as integers (so `1`
/// is sent as `1`, not `1.0`), others as doubles; `undefined` members dropped and
/// `undefined` array items as `null`; `Date` as its ISO string; `Uint8Array` as an object
/// of its indices.
pub(super) fn document(doc: &Doc, path: &Path) -> Result<Document, InputError> {
    Ok(match doc {
        Doc::Undefined | Doc::Null => Document::Null,
        Doc::Bool(b) => Document::Bool(*b),
        Doc::Number(n) => Document::Number(
            json_number(*n).ok_or_else(|| path.error(format!("{n} cannot be sent in JSON")))?,
        ),
        Doc::String(s) => Document::String(s.clone()),
        Doc::IllFormedString(_) => Document::String(doc.text().unwrap_or_default().into_owned()),
        Doc::Bytes(b) => Document::Object(
            b.iter()
                .enumerate()
                .map(|(i, v)| {
                    (
                        i.to_string(),
                        Document::Number(Number::PosInt(u64::from(*v))),
                    )
                })
                .collect(),
        ),
        Doc::Timestamp(ms) => Document::String(
            bmm_js::date::iso_string(*ms).ok_or_else(|| path.error("invalid Date"))?,
        ),
        Doc::Array(items) => Document::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| document(v, &path.index(i)))
                .collect::<Result<_, _>>()?,
        ),
        Doc::Object(entries) => {
            let mut out = HashMap::with_capacity(entries.len());
            for (k, v) in entries {
                if !matches!(v, Doc::Undefined) {
                    out.insert(k.to_string(), document(v, &path.key(k))?);
                }
            }
            Document::Object(out)
        }
    })
}

/// A `Doc` as a JSON document for the SDK (see `document` for the rules).
pub fn to_document(doc: &Doc) -> Result<Document, InputError> {
    document(doc, &Path::Root)
}

/// `None` for NaN / ±Infinity (JSON.stringify would send `null`; a caller sending those in
/// a document has a bug worth reporting).
fn json_number(n: f64) -> Option<Number> {
    if !n.is_finite() {
        return None;
    }
    // Integral values that u64/i64 hold exactly print as the same digits as in JS.
    if n.fract() == 0.0 {
        if (0.0..18_446_744_073_709_551_616.0).contains(&n) {
            return Some(Number::PosInt(n as u64));
        }
        if (-9_223_372_036_854_775_808.0..0.0).contains(&n) {
            return Some(Number::NegInt(n as i64));
        }
    }
    Some(Number::Float(n))
}
