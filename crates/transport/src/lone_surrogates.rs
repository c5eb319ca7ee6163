//! Answers whose JSON escapes a lone UTF-16 surrogate (`"a\ud800b"`): `JSON.parse` accepts
//! them and the JS SDK hands the lone surrogate on in the string; serde_json refuses them.
//!
//! Only when a parse has failed and the body holds a surrogate's escape is it parsed again,
//! with each such escape written as a stand-in character of its own (U+10F800 + the
//! surrogate's offset, in a private-use plane an answer never holds otherwise); the
//! stand-ins are then turned back into UTF-16 code units. A string left with a lone
//! surrogate becomes `Doc::IllFormedString`, an object key a `JsText` holding its code units.

use crate::doc::{Doc, JsText};

/// The stand-in of surrogate `0xD800 + n` is `STAND_IN_BASE + n`: U+10F800..=U+10FFFF.
const STAND_IN_BASE: u32 = 0x10_F800;

/// `parse(body)`, or, when that fails on a surrogate's escape, the value `JSON.parse` reads
/// (see the module doc). Any other failure is `parse`'s own error.
pub(crate) fn parse_tolerating_lone_surrogates<E>(
    body: &[u8],
    parse: impl Fn(&[u8]) -> Result<Doc, E>,
) -> Result<Doc, E> {
    let error = match parse(body) {
        Ok(doc) => return Ok(doc),
        Err(error) => error,
    };
    match with_stand_ins(body).map(|text| parse(&text)) {
        Some(Ok(doc)) => Ok(restore(doc)),
        _ => Err(error),
    }
}

/// `body` with each `\uXXXX` escape of a surrogate (paired or not) written as its stand-in;
/// `None` when it has no such escape, or already holds a stand-in's bytes.
fn with_stand_ins(body: &[u8]) -> Option<Vec<u8>> {
    // UTF-8 of U+10F800..=U+10FFFF: F4 8F A0..=BF xx.
    let holds_stand_in = body
        .windows(3)
        .any(|w| w[0] == 0xF4 && w[1] == 0x8F && (0xA0..=0xBF).contains(&w[2]));
    if holds_stand_in {
        return None;
    }
    let mut out = Vec::with_capacity(body.len());
    let mut replaced = false;
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'\\' {
            out.push(body[i]);
            i += 1;
        } else if let Some(unit) = surrogate_escape(&body[i..]) {
            let stand_in = char::from_u32(STAND_IN_BASE + u32::from(unit - 0xD800))?;
            out.extend_from_slice(stand_in.encode_utf8(&mut [0; 4]).as_bytes());
            replaced = true;
            i += 6;
        } else {
            // Any other escape is copied whole, so that `\\ud800` (a backslash, then text)
            // stays as it is.
            let end = (i + 2).min(body.len());
            out.extend_from_slice(&body[i..end]);
            i = end;
        }
    }
    replaced.then_some(out)
}

/// The code unit of a `\uXXXX` escape at the start of `text`, if it is a surrogate.
fn surrogate_escape(text: &[u8]) -> Option<u16> {
    let hex = text.strip_prefix(b"\\u")?.get(..4)?;
    if !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let unit = u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
    (0xD800..=0xDFFF).contains(&unit).then_some(unit)
}

fn is_stand_in(c: char) -> bool {
    u32::from(c) >= STAND_IN_BASE
}

/// `text` as UTF-16 code units, each stand-in as its surrogate.
fn code_units(text: &str) -> Vec<u16> {
    let mut units = Vec::with_capacity(text.len());
    for c in text.chars() {
        if is_stand_in(c) {
            // Stand-ins span 0x800 code points, so the offset fits below 0xE000.
            units.push(0xD800 + (u32::from(c) - STAND_IN_BASE) as u16);
        } else {
            units.extend_from_slice(c.encode_utf16(&mut [0; 2]));
        }
    }
    units
}

/// `doc` with every stand-in turned back into its surrogate.
fn restore(doc: Doc) -> Doc {
    match doc {
        Doc::String(text) if text.chars().any(is_stand_in) => {
            let units = code_units(&text);
            // Two escapes that form a valid pair are just text.
            String::from_utf16(&units).map_or(Doc::IllFormedString(units), Doc::String)
        }
        Doc::Array(items) => Doc::Array(items.into_iter().map(restore).collect()),
        Doc::Object(entries) => Doc::Object(
            entries
                .into_iter()
                .map(|(key, value)| (restore_key(key), restore(value)))
                .collect(),
        ),
        other => other,
    }
}

fn restore_key(key: JsText) -> JsText {
    if key.chars().any(is_stand_in) {
        JsText::from_utf16(&code_units(&key))
    } else {
        key
    }
}

#[cfg(test)]
mod tests;
