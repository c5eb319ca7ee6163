//! `Doc`: the neutral value tree exchanged with the napi layer, one variant per kind of JS
//! value the JavaScript SDK takes or returns (`Uint8Array` and `Date` included).

use crate::js_text::{write_json_string, write_json_utf16};
use std::borrow::Cow;
use std::fmt::Write as _;

/// A JS value. Objects keep insertion order; the JS engine itself puts integer-like keys
/// first when the napi layer creates the object, exactly as `JSON.parse` would have.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Doc {
    #[default]
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    /// A string holding a lone UTF-16 surrogate (`'\ud800'`), which a Rust `String` cannot
    /// hold: its UTF-16 code units, so that it is sent as the JS SDK sends it (`"\ud800"`).
    /// Only such strings take this form; every well-formed string is a `String`.
    IllFormedString(Vec<u16>),
    /// A `Uint8Array`.
    Bytes(Vec<u8>),
    /// A `Date`: milliseconds since the Unix epoch.
    Timestamp(f64),
    Array(Vec<Doc>),
    Object(Vec<(String, Doc)>),
}

impl Doc {
    /// An object from `(key, value)` pairs.
    pub fn object<K: Into<String>>(entries: impl IntoIterator<Item = (K, Doc)>) -> Doc {
        Doc::Object(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn string(s: impl Into<String>) -> Doc {
        Doc::String(s.into())
    }

    /// The value of an object's own property `key` (the last one if repeated, like JS).
    pub fn get(&self, key: &str) -> Option<&Doc> {
        match self {
            Doc::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets `key` (replacing an existing property in place, appending otherwise).
    pub fn set(&mut self, key: impl Into<String>, value: Doc) {
        if let Doc::Object(entries) = self {
            let key = key.into();
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => entries.push((key, value)),
            }
        }
    }

    /// `undefined` or `null`: what the JS SDK's serialiser skips.
    pub fn is_nullish(&self) -> bool {
        matches!(self, Doc::Undefined | Doc::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Doc::String(s) => Some(s),
            _ => None,
        }
    }

    /// Either kind of string as text, each lone surrogate replaced by U+FFFD, as a UTF-8
    /// encoder (`TextEncoder`, `Buffer.from`) makes of it.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Doc::String(s) => Some(Cow::Borrowed(s)),
            Doc::IllFormedString(units) => Some(Cow::Owned(String::from_utf16_lossy(units))),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Doc::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Doc::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Doc]> {
        match self {
            Doc::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Doc)]> {
        match self {
            Doc::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// How error messages name the kind of value found ("a string", "an array", ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Doc::Undefined => "undefined",
            Doc::Null => "null",
            Doc::Bool(_) => "a boolean",
            Doc::Number(_) => "a number",
            Doc::String(_) | Doc::IllFormedString(_) => "a string",
            Doc::Bytes(_) => "a Uint8Array",
            Doc::Timestamp(_) => "a Date",
            Doc::Array(_) => "an array",
            Doc::Object(_) => "an object",
        }
    }

    /// Parses JSON the way `JSON.parse` does (numbers as doubles, the last of repeated
    /// keys wins at the first one's position). `None` if it is not valid JSON.
    pub fn from_json(text: &[u8]) -> Option<Doc> {
        crate::wire::parse_document(text).ok()
    }

    /// The value as text for `JSON.parse`, so that the JS side builds it in one call
    /// instead of property by property across napi. `None` when plain JSON cannot carry
    /// it: bytes, a date, a non-finite number, `undefined` anywhere but as an object
    /// member's value. A `__proto__` key stays an own data key in `JSON.parse`'s result, as
    /// the JS SDK keeps it in documents and maps.
    pub fn to_js_json(&self) -> Option<JsJson> {
        let mut json = JsJson {
            text: String::new(),
            undefined_members: String::new(),
        };
        let mut path = Vec::new();
        self.write_js_json(&mut json, &mut path)
            .then(|| json.finish())
    }

    fn write_js_json<'a>(&'a self, json: &mut JsJson, path: &mut Vec<PathStep<'a>>) -> bool {
        let out = &mut json.text;
        match self {
            Doc::Null => out.push_str("null"),
            Doc::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Doc::Number(n) if n.is_finite() => {
                if *n == 0.0 && n.is_sign_negative() {
                    out.push_str("-0");
                } else {
                    write_js_number(out, *n);
                }
            }
            Doc::String(s) => write_json_string(out, s),
            Doc::IllFormedString(units) => write_json_utf16(out, units),
            Doc::Array(items) => {
                json.text.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        json.text.push(',');
                    }
                    path.push(PathStep::Index(i));
                    let ok = !matches!(item, Doc::Undefined) && item.write_js_json(json, path);
                    path.pop();
                    if !ok {
                        return false;
                    }
                }
                json.text.push(']');
            }
            Doc::Object(entries) => {
                json.text.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        json.text.push(',');
                    }
                    write_json_string(&mut json.text, k);
                    json.text.push(':');
                    path.push(PathStep::Key(k));
                    let ok = match v {
                        Doc::Undefined => {
                            json.text.push_str("null");
                            json.note_undefined(path);
                            true
                        }
                        v => v.write_js_json(json, path),
                    };
                    path.pop();
                    if !ok {
                        return false;
                    }
                }
                json.text.push('}');
            }
            Doc::Undefined | Doc::Number(_) | Doc::Bytes(_) | Doc::Timestamp(_) => return false,
        }
        true
    }

    /// A JSON rendering for tests and logs that keeps what plain JSON loses:
    /// `{"$undefined":true}`, `{"$bytes":"<base64>"}`, `{"$date":<ms>}`. Object keys are
    /// listed in the order JS enumerates them (integer-like keys first, ascending), so two
    /// values render alike exactly when JS code could not tell them apart by enumeration.
    pub fn to_tagged_json(&self) -> String {
        let mut out = String::new();
        self.write_tagged(&mut out);
        out
    }

    fn write_tagged(&self, out: &mut String) {
        match self {
            Doc::Undefined => out.push_str(r#"{"$undefined":true}"#),
            Doc::Null => out.push_str("null"),
            Doc::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Doc::Number(n) => write_js_number(out, *n),
            Doc::String(s) => write_json_string(out, s),
            Doc::IllFormedString(units) => write_json_utf16(out, units),
            Doc::Bytes(b) => {
                out.push_str(r#"{"$bytes":""#);
                out.push_str(&crate::wire::base64_encode(b));
                out.push_str("\"}");
            }
            Doc::Timestamp(ms) => {
                out.push_str(r#"{"$date":"#);
                write_js_number(out, *ms);
                out.push('}');
            }
            Doc::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_tagged(out);
                }
                out.push(']');
            }
            Doc::Object(entries) => {
                out.push('{');
                for (i, (k, v)) in js_enumeration_order(entries).into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(out, k);
                    out.push(':');
                    v.write_tagged(out);
                }
                out.push('}');
            }
        }
    }
}

/// [`Doc::to_js_json`]'s answer: `JSON.parse(text)`, then set to `undefined` each member
/// listed in `undefined_members` (a JSON array of paths, each an array of keys and
/// indices; empty text when there are none).
#[derive(Debug, Clone, PartialEq)]
pub struct JsJson {
    pub text: String,
    pub undefined_members: String,
}

enum PathStep<'a> {
    Key(&'a str),
    Index(usize),
}

impl JsJson {
    fn note_undefined(&mut self, path: &[PathStep<'_>]) {
        let list = &mut self.undefined_members;
        list.push(if list.is_empty() { '[' } else { ',' });
        list.push('[');
        for (i, step) in path.iter().enumerate() {
            if i > 0 {
                list.push(',');
            }
            match step {
                PathStep::Key(key) => write_json_string(list, key),
                PathStep::Index(index) => {
                    let _ = write!(list, "{index}");
                }
            }
        }
        list.push(']');
    }

    /// Closes the path list; call once, after the value has been written.
    fn finish(mut self) -> JsJson {
        if !self.undefined_members.is_empty() {
            self.undefined_members.push(']');
        }
        self
    }
}

impl From<&str> for Doc {
    fn from(s: &str) -> Doc {
        Doc::String(s.to_string())
    }
}

impl From<String> for Doc {
    fn from(s: String) -> Doc {
        Doc::String(s)
    }
}

impl From<f64> for Doc {
    fn from(n: f64) -> Doc {
        Doc::Number(n)
    }
}

impl From<bool> for Doc {
    fn from(b: bool) -> Doc {
        Doc::Bool(b)
    }
}

/// A key JS treats as an array index (canonical decimal below 2^32 - 1): such keys are
/// enumerated first, in ascending order.
fn array_index(key: &str) -> Option<u32> {
    if key.is_empty() || key.len() > 10 || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    if !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u64>()
        .ok()
        .filter(|n| *n < u32::MAX as u64)
        .map(|n| n as u32)
}

fn js_enumeration_order(entries: &[(String, Doc)]) -> Vec<(&str, &Doc)> {
    let mut indexed: Vec<(u32, &str, &Doc)> = Vec::new();
    let mut named: Vec<(&str, &Doc)> = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        match array_index(k) {
            Some(i) => indexed.push((i, k, v)),
            None => named.push((k, v)),
        }
    }
    indexed.sort_by_key(|(i, _, _)| *i);
    indexed
        .into_iter()
        .map(|(_, k, v)| (k, v))
        .chain(named)
        .collect()
}

/// A number as `JSON.stringify` writes it (`null` when not finite, `0` for -0).
fn write_js_number(out: &mut String, n: f64) {
    if n.is_finite() {
        crate::js_text::write_js_number(out, n);
    } else {
        out.push_str("null");
    }
}

#[cfg(test)]
mod tests;
