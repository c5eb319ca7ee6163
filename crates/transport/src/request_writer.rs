//! Converse / ConverseStream request bodies written byte for byte as the JS SDK writes them
//! for the same input (restJson1 through `JsonShapeSerializer2` of `@smithy/core`): members
//! in the order of the SDK's schema, numbers as JS spells them (`0.7`, `1e+21`), blobs in
//! base64, documents as given, nothing added.
//!
//! The walk follows that serialiser's rules, driven by the schema table generated from the
//! same SDK (`schema_gen.rs`):
//! - structure and union members: in schema order; `undefined`/`null` ones left out;
//! - lists and maps: `undefined`/`null` items left out; map keys in the input's order (the
//!   napi layer reads objects with `Object.keys`, JS enumeration order, as `for…in` does);
//! - documents: written as given, except that `undefined` items and members are left out
//!   (`null` stays), `Uint8Array` is base64 and `Date` is epoch seconds;
//! - NaN and ±Infinity as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
//!
//! Input is validated first (`input.rs`), so every value has the kind its shape expects;
//! the writer itself cannot fail.

use crate::base64::base64_encode;
use crate::doc::{Doc, JsText};
use crate::input::{self, InputError, Operation};
use crate::schema::{self, Shape, ShapeId};
use bmm_js::json::{write_json_string, write_json_utf16};
use bmm_js::number::write_js_number;

/// The body of a Converse (or ConverseStream) request for `input`, or why it cannot be
/// sent. `service_tier`, when given, replaces `serviceTier` with `{ type }` (the
/// multiplexer stamps it on tier escalation, as its JS path does).
pub fn request_body(
    input: &Doc,
    service_tier: Option<&str>,
    op: Operation,
) -> Result<String, InputError> {
    input::request(input, service_tier, op)?;
    let root = match op {
        Operation::Converse => schema::CONVERSE_REQUEST,
        Operation::ConverseStream => schema::CONVERSE_STREAM_REQUEST,
    };
    let tier = service_tier.map(|t| Doc::object([("type", Doc::string(t))]));
    let mut out = String::with_capacity(256);
    write_struct(&mut out, schema::members(root), |name| {
        match (name, &tier) {
            // The model id travels in the URI (an HTTP label), not in the body.
            ("modelId", _) => None,
            ("serviceTier", Some(tier)) => Some(tier),
            _ => input.get(name),
        }
    });
    Ok(out)
}

/// `{members}` in schema order, each with the value `member` gives for its name, unless
/// that is absent, `undefined` or `null`.
fn write_struct<'d>(
    out: &mut String,
    members: &[(&str, ShapeId)],
    member: impl Fn(&str) -> Option<&'d Doc>,
) {
    out.push('{');
    let mut first = true;
    for (name, shape) in members {
        if let Some(value) = member(name).filter(|v| !v.is_nullish()) {
            write_member(out, &mut first, name, *shape, value);
        }
    }
    out.push('}');
}

fn write_member(out: &mut String, first: &mut bool, name: &str, shape: ShapeId, value: &Doc) {
    separate(out, first);
    write_json_string(out, name);
    out.push(':');
    write_value(out, shape, value);
}

/// A comma before every member or item but the first.
fn separate(out: &mut String, first: &mut bool) {
    if !std::mem::take(first) {
        out.push(',');
    }
}

fn write_value(out: &mut String, shape: ShapeId, value: &Doc) {
    let kind = schema::shape(shape);
    match (kind, value) {
        (_, Doc::Undefined | Doc::Null) => out.push_str("null"),
        (Shape::Struct(_, members) | Shape::Union(_, members), Doc::Object(_)) => {
            write_struct(out, members, |name| value.get(name))
        }
        (Shape::List(item), Doc::Array(items)) => write_list(out, items, Doc::is_nullish, *item),
        (Shape::Map(item), Doc::Object(entries)) => write_map(out, entries, Doc::is_nullish, *item),
        (Shape::Document, Doc::Array(items)) => write_list(out, items, is_undefined, shape),
        (Shape::Document, Doc::Object(entries)) => write_map(out, entries, is_undefined, shape),
        (_, Doc::Bytes(bytes)) => {
            out.push('"');
            out.push_str(&base64_encode(bytes));
            out.push('"');
        }
        // No request member is a timestamp; a `Date` in a document gets restJson1's
        // default format, epoch seconds, spelled as a JS number.
        (_, Doc::Timestamp(ms)) => write_js_number(out, ms / 1000.0),
        // The JS SDK sends a string given for a blob as the base64 of its UTF-8 bytes (a lone
        // surrogate encoded as U+FFFD).
        (Shape::Blob, Doc::String(_) | Doc::IllFormedString(_)) => {
            out.push('"');
            out.push_str(&base64_encode(value.text().unwrap_or_default().as_bytes()));
            out.push('"');
        }
        (_, Doc::String(s)) => write_json_string(out, s),
        (_, Doc::IllFormedString(units)) => write_json_utf16(out, units),
        (_, Doc::Number(n)) if n.is_finite() => write_js_number(out, *n),
        (_, Doc::Number(n)) => {
            out.push('"');
            write_js_number(out, *n);
            out.push('"');
        }
        (_, Doc::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        // An array or object where the shape takes neither: validation rejects these
        // before anything is written; written as a document, never dropped silently.
        (_, Doc::Array(_) | Doc::Object(_)) => write_value(out, schema::DOCUMENT, value),
    }
}

fn is_undefined(value: &Doc) -> bool {
    matches!(value, Doc::Undefined)
}

/// `[items]` without those `skip` says to leave out.
fn write_list(out: &mut String, items: &[Doc], skip: fn(&Doc) -> bool, item: ShapeId) {
    out.push('[');
    let mut first = true;
    for value in items.iter().filter(|v| !skip(v)) {
        separate(out, &mut first);
        write_value(out, item, value);
    }
    out.push(']');
}

/// `{entries}` in the given order, without those `skip` says to leave out.
/// A key holding a lone surrogate is written as the JS SDK writes it (`"\ud800"`).
fn write_map(out: &mut String, entries: &[(JsText, Doc)], skip: fn(&Doc) -> bool, item: ShapeId) {
    out.push('{');
    let mut first = true;
    for (key, value) in entries.iter().filter(|(_, v)| !skip(v)) {
        separate(out, &mut first);
        key.write_json(out);
        out.push(':');
        write_value(out, item, value);
    }
    out.push('}');
}

#[cfg(test)]
mod tests;
