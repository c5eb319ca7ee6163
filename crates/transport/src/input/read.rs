//! Generic readers: a `Doc` member as an object's fields, a union's one member, a list, a map
//! or a scalar, each failing with the path it was read at.

use super::path::{expected, InputError, Path};
use crate::doc::Doc;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_smithy_types::error::operation::BuildError;
use std::collections::HashMap;

/// The members `names` of an object (nullish = absent); any other non-nullish key is an error.
pub(super) fn fields<'d, const N: usize>(
    doc: &'d Doc,
    path: &Path,
    names: [&str; N],
) -> Result<[Option<&'d Doc>; N], InputError> {
    let Doc::Object(entries) = doc else {
        return Err(expected(path, "an object", doc));
    };
    let mut out = [None; N];
    for (key, value) in entries {
        match names.iter().position(|n| key == n) {
            Some(i) => out[i] = (!value.is_nullish()).then_some(value),
            None if value.is_nullish() => {}
            None => {
                return Err(path.key(key).error(format!(
                    "unknown member (expected one of: {})",
                    names.join(", ")
                )))
            }
        }
    }
    Ok(out)
}

/// The single member set in a union object: its index and value.
pub(super) fn union<'d, const N: usize>(
    doc: &'d Doc,
    path: &Path,
    names: [&str; N],
) -> Result<(usize, &'d Doc), InputError> {
    if let Some(unknown) = doc.get("$unknown").filter(|v| !v.is_nullish()) {
        let name = unknown
            .as_array()
            .and_then(|a| a.first())
            .and_then(Doc::as_str)
            .unwrap_or("?");
        return Err(path.key("$unknown").error(format!(
            "union member `{name}` is not in this SDK's model and cannot be sent"
        )));
    }
    let set = fields(doc, path, names)?;
    let mut found = set
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)));
    match (found.next(), found.next()) {
        (Some(one), None) => Ok(one),
        (None, _) => Err(path.error(format!(
            "exactly one member must be set (one of: {})",
            names.join(", ")
        ))),
        (Some((a, _)), Some((b, _))) => Err(path.error(format!(
            "only one member may be set, got both `{}` and `{}`",
            names[a], names[b]
        ))),
    }
}

pub(super) fn opt<T>(
    doc: Option<&Doc>,
    path: &Path,
    f: impl FnOnce(&Doc, &Path) -> Result<T, InputError>,
) -> Result<Option<T>, InputError> {
    doc.map(|d| f(d, path)).transpose()
}

pub(super) fn required<'d>(doc: Option<&'d Doc>, path: &Path) -> Result<&'d Doc, InputError> {
    doc.ok_or_else(|| path.error("required member is missing"))
}

pub(super) fn list<T>(
    doc: &Doc,
    path: &Path,
    f: impl Fn(&Doc, &Path) -> Result<T, InputError>,
) -> Result<Vec<T>, InputError> {
    let Doc::Array(items) = doc else {
        return Err(expected(path, "an array", doc));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| f(item, &path.index(i)))
        .collect()
}

pub(super) fn map<T>(
    doc: &Doc,
    path: &Path,
    f: impl Fn(&Doc, &Path) -> Result<T, InputError>,
) -> Result<HashMap<String, T>, InputError> {
    let Doc::Object(entries) = doc else {
        return Err(expected(path, "an object", doc));
    };
    let mut out = HashMap::with_capacity(entries.len());
    for (key, value) in entries {
        // The JS serialiser drops nullish map values too.
        if value.is_nullish() {
            continue;
        }
        out.insert(key.to_string(), f(value, &path.key(key))?);
    }
    Ok(out)
}

/// A string member; one holding a lone surrogate is checked in its U+FFFD form (the body
/// itself carries it as the JS SDK does, `request_writer`).
pub(super) fn string(doc: &Doc, path: &Path) -> Result<String, InputError> {
    doc.text()
        .map(String::from)
        .ok_or_else(|| expected(path, "a string", doc))
}

/// An enum member: any string (the SDK keeps unknown values as they are, like JS).
pub(super) fn enum_value<T: for<'a> From<&'a str>>(
    doc: &Doc,
    path: &Path,
) -> Result<T, InputError> {
    doc.text()
        .map(|s| T::from(&s))
        .ok_or_else(|| expected(path, "a string", doc))
}

pub(super) fn boolean(doc: &Doc, path: &Path) -> Result<bool, InputError> {
    doc.as_bool()
        .ok_or_else(|| expected(path, "a boolean", doc))
}

pub(super) fn int(doc: &Doc, path: &Path) -> Result<i32, InputError> {
    match doc {
        Doc::Number(n)
            if n.fract() == 0.0 && *n >= f64::from(i32::MIN) && *n <= f64::from(i32::MAX) =>
        {
            Ok(*n as i32)
        }
        Doc::Number(n) => Err(path.error(format!("expected a 32-bit integer, got {n}"))),
        other => Err(expected(path, "a number", other)),
    }
}

pub(super) fn float(doc: &Doc, path: &Path) -> Result<f32, InputError> {
    match doc {
        Doc::Number(n) if n.is_finite() => Ok(*n as f32),
        Doc::Number(n) => Err(path.error(format!("expected a finite number, got {n}"))),
        other => Err(expected(path, "a number", other)),
    }
}

/// A blob: a `Uint8Array`, or a string (the JS serialiser sends its UTF-8 bytes).
pub(super) fn blob(doc: &Doc, path: &Path) -> Result<Blob, InputError> {
    match doc {
        Doc::Bytes(b) => Ok(Blob::new(b.clone())),
        other => other
            .text()
            .map(|s| Blob::new(s.as_bytes()))
            .ok_or_else(|| expected(path, "a Uint8Array", other)),
    }
}

pub(super) fn built<T>(result: Result<T, BuildError>, path: &Path) -> Result<T, InputError> {
    result.map_err(|e| path.error(e.to_string()))
}
