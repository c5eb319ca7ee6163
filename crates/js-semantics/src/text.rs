//! `JsText`: a JavaScript string held in Rust. A JS string is UTF-16 and may hold a lone
//! surrogate (`'\ud800'`), which a Rust `String` cannot; such strings (rare) keep their code
//! units, every other string is a plain `String` at a `String`'s size and cost.

use crate::json::{write_json_string, write_json_utf16};
use std::fmt;
use std::ops::Deref;

/// A JS string. Derefs to its text as a UTF-8 reader (napi, `TextEncoder`) sees it: each lone
/// surrogate as U+FFFD, so lookups and messages work on it as on any text; what must keep
/// the string exactly (JSON for the JS SDK or `JSON.parse`, a JS string made from it) asks
/// [`JsText::ill_formed_units`] or writes it with [`JsText::write_json`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct JsText(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    WellFormed(String),
    /// Boxed, so that `JsText` stays the size of a `String`.
    IllFormed(Box<IllFormed>),
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct IllFormed {
    /// The code units, with at least one lone surrogate.
    units: Box<[u16]>,
    /// `units` with each lone surrogate as U+FFFD.
    lossy: String,
}

impl JsText {
    /// The string of these UTF-16 code units: a plain `String` when they are well-formed.
    pub fn from_utf16(units: &[u16]) -> JsText {
        match String::from_utf16(units) {
            Ok(text) => JsText(Repr::WellFormed(text)),
            Err(_) => JsText(Repr::IllFormed(Box::new(IllFormed {
                units: units.into(),
                lossy: String::from_utf16_lossy(units),
            }))),
        }
    }

    /// The text, each lone surrogate as U+FFFD.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::WellFormed(text) => text,
            Repr::IllFormed(ill) => &ill.lossy,
        }
    }

    /// The code units of a string holding a lone surrogate; `None` for every other string.
    pub fn ill_formed_units(&self) -> Option<&[u16]> {
        match &self.0 {
            Repr::WellFormed(_) => None,
            Repr::IllFormed(ill) => Some(&ill.units),
        }
    }

    /// The string as a `String` when it is well-formed, else its code units.
    pub fn into_well_formed(self) -> Result<String, Vec<u16>> {
        match self.0 {
            Repr::WellFormed(text) => Ok(text),
            Repr::IllFormed(ill) => Err(ill.units.into_vec()),
        }
    }

    /// Appends the string as a JSON string literal, as `JSON.stringify` writes it (a lone
    /// surrogate as `\udxxx`).
    pub fn write_json(&self, out: &mut String) {
        match &self.0 {
            Repr::WellFormed(text) => write_json_string(out, text),
            Repr::IllFormed(ill) => write_json_utf16(out, &ill.units),
        }
    }
}

impl Default for JsText {
    fn default() -> JsText {
        JsText(Repr::WellFormed(String::new()))
    }
}

impl Deref for JsText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for JsText {
    fn from(text: String) -> JsText {
        JsText(Repr::WellFormed(text))
    }
}

impl From<&str> for JsText {
    fn from(text: &str) -> JsText {
        JsText(Repr::WellFormed(text.to_string()))
    }
}

impl PartialEq<str> for JsText {
    fn eq(&self, other: &str) -> bool {
        matches!(&self.0, Repr::WellFormed(text) if text == other)
    }
}

impl PartialEq<&str> for JsText {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq<String> for JsText {
    fn eq(&self, other: &String) -> bool {
        *self == **other
    }
}

impl fmt::Display for JsText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As a JSON literal, so that a lone surrogate shows as `\ud800`.
impl fmt::Debug for JsText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut json = String::new();
        self.write_json(&mut json);
        f.write_str(&json)
    }
}

#[cfg(test)]
mod tests;
