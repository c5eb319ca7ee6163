//! Plain JSON and `Doc`: reading as `JSON.parse` does, writing for `JSON.parse` on the JS
//! side (`Doc::to_js_json`) and as tagged JSON for tests and logs (`Doc::to_tagged_json`).

use crate::base64::base64_encode;
use crate::doc::{Doc, JsText};
use crate::lone_surrogates::parse_tolerating_lone_surrogates;
use bmm_js::json::{write_json_number, write_json_string, write_json_utf16};
use bmm_js::keys::order_like_object_keys;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashMap;
use std::fmt;
use std::fmt::Write as _;

/// Parses `body` like `JSON.parse`, also where it escapes a lone surrogate (`"\ud800"`),
/// which serde_json alone refuses (`lone_surrogates`).
pub(crate) fn parse(body: &[u8]) -> Result<Doc, serde_json::Error> {
    parse_tolerating_lone_surrogates(body, parse_well_formed)
}

fn parse_well_formed(body: &[u8]) -> Result<Doc, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let doc = Raw.deserialize(&mut de)?;
    de.end()?;
    Ok(doc)
}

impl Doc {
    /// Parses JSON the way `JSON.parse` does (numbers as doubles, the last of repeated
    /// keys wins at the first one's position). `None` if it is not valid JSON.
    pub fn from_json(text: &[u8]) -> Option<Doc> {
        parse(text).ok()
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
                    write_json_number(out, *n);
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
                    k.write_json(&mut json.text);
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
            Doc::Number(n) => write_json_number(out, *n),
            Doc::String(s) => write_json_string(out, s),
            Doc::IllFormedString(units) => write_json_utf16(out, units),
            Doc::Bytes(b) => {
                out.push_str(r#"{"$bytes":""#);
                out.push_str(&base64_encode(b));
                out.push_str("\"}");
            }
            Doc::Timestamp(ms) => {
                out.push_str(r#"{"$date":"#);
                write_json_number(out, *ms);
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
                let mut in_js_order: Vec<&(JsText, Doc)> = entries.iter().collect();
                order_like_object_keys(&mut in_js_order, |(key, _)| key);
                for (i, (k, v)) in in_js_order.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    k.write_json(out);
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
    Key(&'a JsText),
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
                PathStep::Key(key) => key.write_json(list),
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

/// Builds a JSON object's entries in wire order with `JSON.parse`'s repeated-key rule;
/// an index keeps big objects linear.
pub(crate) struct ObjectEntries {
    entries: Vec<(JsText, Doc)>,
    index: Option<HashMap<JsText, usize>>,
}

impl ObjectEntries {
    const INDEX_FROM: usize = 16;

    pub(crate) fn new() -> Self {
        ObjectEntries {
            entries: Vec::new(),
            index: None,
        }
    }

    pub(crate) fn insert(&mut self, key: JsText, value: Doc) {
        if let Some(index) = &mut self.index {
            match index.get(&key) {
                Some(&i) => self.entries[i].1 = value,
                None => {
                    index.insert(key.clone(), self.entries.len());
                    self.entries.push((key, value));
                }
            }
            return;
        }
        if let Some(slot) = self.entries.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = value;
            return;
        }
        self.entries.push((key, value));
        if self.entries.len() >= Self::INDEX_FROM {
            self.index = Some(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.clone(), i))
                    .collect(),
            );
        }
    }

    /// The object, keys in first-seen order.
    pub(crate) fn into_doc(self) -> Doc {
        Doc::Object(self.entries)
    }
}

/// A plain JSON value (`JSON.parse`).
pub(crate) struct Raw;

impl<'de> DeserializeSeed<'de> for Raw {
    type Value = Doc;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Doc, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

pub(crate) struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Doc;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Doc, E> {
        Ok(Doc::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Doc, E> {
        Ok(Doc::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Doc, E> {
        Ok(Doc::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Doc, E> {
        Ok(Doc::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Doc, E> {
        Ok(Doc::Number(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Doc, E> {
        Ok(Doc::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Doc, E> {
        Ok(Doc::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Doc, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Raw)? {
            items.push(item);
        }
        Ok(Doc::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc, A::Error> {
        let mut entries = ObjectEntries::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Raw)?;
            entries.insert(key.into(), value);
        }
        Ok(entries.into_doc())
    }
}

#[cfg(test)]
mod tests;
