//! Wire JSON → `Doc`, in one pass, following the JavaScript SDK's `JsonShapeDeserializer`:
//! members in schema order, `null` members dropped, blobs base64-decoded, unknown union
//! members as `{ $unknown: [name, value] }`, values of an unexpected JSON type passed
//! through as plain JSON, documents exactly as `JSON.parse` gives them.

use crate::base64::base64_decode;
use crate::doc::{Doc, JsText};
use crate::json::{ObjectEntries, Raw, RawVisitor};
use crate::lone_surrogates::parse_tolerating_lone_surrogates;
use crate::schema::{self, Shape, ShapeId, TimestampFormat};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Parses `body` as the shape `id`; a lone surrogate's escape in it is read as
/// `JSON.parse` reads it (`lone_surrogates`).
pub(crate) fn parse_shaped(body: &[u8], id: ShapeId) -> Result<Doc, serde_json::Error> {
    parse_tolerating_lone_surrogates(body, |body| {
        let mut de = serde_json::Deserializer::from_slice(body);
        let doc = Shaped(id).deserialize(&mut de)?;
        de.end()?;
        Ok(doc)
    })
}

/// Re-reads an already parsed plain value as shape `id` (the JS SDK does this for error
/// members and union values it parsed as documents first).
pub(crate) fn reshape(value: Doc, id: ShapeId) -> Result<Doc, String> {
    match (schema::shape(id), value) {
        (Shape::Blob, Doc::String(s)) => base64_decode(&s).map(Doc::Bytes),
        (Shape::Number, Doc::String(s)) => {
            Ok(special_number(&s).map_or(Doc::String(s), Doc::Number))
        }
        (Shape::Timestamp(format), v) if !v.is_nullish() => timestamp(*format, v),
        (Shape::Struct(..) | Shape::Union(..), Doc::Object(entries)) => {
            let union = matches!(schema::shape(id), Shape::Union(..));
            let mut builder = StructBuilder::new(id, union);
            for (key, value) in entries {
                match builder.member_index(&key) {
                    Some(i) => {
                        let shaped = if value.is_nullish() {
                            Doc::Null
                        } else {
                            reshape(value, builder.members[i].1)?
                        };
                        builder.set(i, shaped)
                    }
                    None => builder.other(key, value),
                }
            }
            Ok(builder.finish())
        }
        (Shape::List(item), Doc::Array(items)) => items
            .into_iter()
            .map(|v| reshape(v, *item))
            .collect::<Result<Vec<_>, _>>()
            .map(Doc::Array),
        (Shape::Map(value_shape), Doc::Object(entries)) => entries
            .into_iter()
            .map(|(k, v)| reshape(v, *value_shape).map(|v| (k, v)))
            .collect::<Result<Vec<_>, _>>()
            .map(Doc::Object),
        (_, v) => Ok(v),
    }
}

/// `"NaN"`, `"Infinity"`, `"-Infinity"`: how numbers that JSON cannot hold are sent.
fn special_number(s: &str) -> Option<f64> {
    match s {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

fn timestamp(format: TimestampFormat, value: Doc) -> Result<Doc, String> {
    let seconds = match (format, &value) {
        (TimestampFormat::EpochSeconds, Doc::Number(n)) => *n,
        (TimestampFormat::EpochSeconds, Doc::String(s)) => s
            .parse::<f64>()
            .map_err(|_| format!("Expected real number, got implicit NaN: {s}"))?,
        // No Bedrock response member uses the string formats; keep such a value as sent
        // rather than guess at a date parser the JS SDK would differ from.
        _ => return Ok(value),
    };
    if !seconds.is_finite() {
        return Err("Epoch timestamps must be valid, non-Infinite, non-NaN numerics".into());
    }
    // Math.round(seconds * 1000): halves round towards +Infinity.
    Ok(Doc::Timestamp((seconds * 1000.0 + 0.5).floor()))
}

/// Collects one structure's members, then lays them out in schema order.
struct StructBuilder {
    union: bool,
    members: &'static [(&'static str, ShapeId)],
    slots: Vec<Option<Doc>>,
    /// Keys that are not members, with their plain values (for `$unknown` / `__type`).
    others: Vec<(JsText, Doc)>,
    /// Members that were present but null (JS keeps them only under the `__type` rule).
    nulls: Vec<&'static str>,
}

impl StructBuilder {
    fn new(id: ShapeId, union: bool) -> Self {
        let members = schema::members(id);
        StructBuilder {
            union,
            members,
            slots: vec![None; members.len()],
            others: Vec::new(),
            nulls: Vec::new(),
        }
    }

    fn member_index(&self, key: &str) -> Option<usize> {
        self.members.iter().position(|(name, _)| *name == key)
    }

    fn set(&mut self, i: usize, value: Doc) {
        if value.is_nullish() {
            self.slots[i] = None;
            self.nulls.push(self.members[i].0);
        } else {
            self.slots[i] = Some(value);
        }
    }

    fn other(&mut self, key: JsText, value: Doc) {
        insert_last_wins(&mut self.others, key, value);
    }

    fn finish(self) -> Doc {
        let mut out: Vec<(JsText, Doc)> = Vec::with_capacity(self.members.len().min(8));
        for ((name, _), slot) in self.members.iter().zip(self.slots) {
            if let Some(value) = slot {
                out.push(((*name).into(), value));
            }
        }
        if self.union {
            // UnionSerde.writeUnknown: exactly one key that is neither a member nor
            // `__type`, and no member set.
            let mut unknown = self.others.into_iter().filter(|(k, _)| k != "__type");
            if let (Some((name, value)), None) = (unknown.next(), unknown.next()) {
                if out.is_empty() {
                    out.push(("$unknown".into(), Doc::Array(vec![Doc::from(name), value])));
                }
            }
        } else if matches!(
            self.others.iter().find(|(k, _)| k == "__type"),
            Some((_, Doc::String(_)))
        ) {
            // A `__type`-tagged record keeps every key the schema did not consume.
            for name in self.nulls {
                if !out.iter().any(|(k, _)| k == name) {
                    out.push((name.into(), Doc::Null));
                }
            }
            for (k, v) in self.others {
                if !out.iter().any(|(existing, _)| *existing == k) {
                    out.push((k, v));
                }
            }
        }
        Doc::Object(out)
    }
}

/// `JSON.parse` semantics for a repeated key: the last value, at the first position.
fn insert_last_wins(entries: &mut Vec<(JsText, Doc)>, key: JsText, value: Doc) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => entries.push((key, value)),
    }
}

/// A value of shape `.0`.
#[derive(Clone, Copy)]
struct Shaped(ShapeId);

impl<'de> DeserializeSeed<'de> for Shaped {
    type Value = Doc;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Doc, D::Error> {
        d.deserialize_any(ShapedVisitor(self.0))
    }
}

struct ShapedVisitor(ShapeId);

impl<'de> Visitor<'de> for ShapedVisitor {
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
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Doc, E> {
        self.visit_f64(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Doc, E> {
        self.visit_f64(v as f64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Doc, E> {
        match schema::shape(self.0) {
            Shape::Timestamp(format) => timestamp(*format, Doc::Number(v)).map_err(E::custom),
            _ => Ok(Doc::Number(v)),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Doc, E> {
        match schema::shape(self.0) {
            Shape::Blob => base64_decode(v).map(Doc::Bytes).map_err(E::custom),
            Shape::Number => {
                Ok(special_number(v).map_or_else(|| Doc::String(v.to_string()), Doc::Number))
            }
            Shape::Timestamp(format) => {
                timestamp(*format, Doc::String(v.to_string())).map_err(E::custom)
            }
            _ => Ok(Doc::String(v.to_string())),
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Doc, A::Error> {
        match schema::shape(self.0) {
            Shape::List(item) => {
                let mut seq = seq;
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(value) = seq.next_element_seed(Shaped(*item))? {
                    items.push(value);
                }
                Ok(Doc::Array(items))
            }
            Shape::Document => RawVisitor.visit_seq(seq).map(as_js_sdk_document),
            _ => RawVisitor.visit_seq(seq),
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc, A::Error> {
        match schema::shape(self.0) {
            Shape::Struct(..) | Shape::Union(..) => {
                let union = matches!(schema::shape(self.0), Shape::Union(..));
                let mut builder = StructBuilder::new(self.0, union);
                while let Some(key) = map.next_key_seed(MemberKey(builder.members))? {
                    match key {
                        Key::Member(i) => {
                            let value = map.next_value_seed(Shaped(builder.members[i].1))?;
                            builder.set(i, value);
                        }
                        Key::Other(name) => {
                            let value = map.next_value_seed(Raw)?;
                            builder.other(name.into(), value);
                        }
                    }
                }
                Ok(builder.finish())
            }
            Shape::Map(value_shape) => {
                let mut entries = ObjectEntries::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value_seed(Shaped(*value_shape))?;
                    entries.insert(key.into(), value);
                }
                Ok(entries.into_doc())
            }
            Shape::Document => RawVisitor.visit_map(map).map(as_js_sdk_document),
            _ => RawVisitor.visit_map(map),
        }
    }
}

/// A document as the JS SDK's deserializer leaves it: it walks each object in place and,
/// to keep a `__proto__` key an own property, redefines it as `undefined` before reading
/// its value back, so the key stays (own, enumerable) and its value is lost.
fn as_js_sdk_document(mut doc: Doc) -> Doc {
    fn walk(doc: &mut Doc) {
        match doc {
            Doc::Array(items) => items.iter_mut().for_each(walk),
            Doc::Object(entries) => {
                for (key, value) in entries.iter_mut() {
                    if key == "__proto__" {
                        *value = Doc::Undefined;
                    } else {
                        walk(value);
                    }
                }
            }
            _ => {}
        }
    }
    walk(&mut doc);
    doc
}

/// A structure's key: a member's index (no allocation) or another key's text.
enum Key {
    Member(usize),
    Other(String),
}

struct MemberKey(&'static [(&'static str, ShapeId)]);

impl<'de> DeserializeSeed<'de> for MemberKey {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for MemberKey {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E>(self, v: &str) -> Result<Key, E> {
        Ok(match self.0.iter().position(|(name, _)| *name == v) {
            Some(i) => Key::Member(i),
            None => Key::Other(v.to_string()),
        })
    }
}

#[cfg(test)]
mod tests;
