//! `Doc`: the neutral value tree exchanged with the napi layer, one variant per kind of JS
//! value the JavaScript SDK takes or returns (`Uint8Array` and `Date` included).

use std::borrow::Cow;

pub use bmm_js::text::JsText;

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
    /// Keys are `JsText`: a key may hold a lone surrogate too (`{ '\ud800': 1 }`).
    Object(Vec<(JsText, Doc)>),
}
impl Doc {
    /// An object from `(key, value)` pairs.
    pub fn object<K: Into<JsText>>(entries: impl IntoIterator<Item = (K, Doc)>) -> Doc {
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
    pub fn set(&mut self, key: impl Into<JsText>, value: Doc) {
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

    /// Either kind of string exactly, lone surrogates kept.
    pub fn js_text(&self) -> Option<JsText> {
        match self {
            Doc::String(s) => Some(s.as_str().into()),
            Doc::IllFormedString(units) => Some(JsText::from_utf16(units)),
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

    pub fn as_object(&self) -> Option<&[(JsText, Doc)]> {
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
}

impl From<&str> for Doc {
    fn from(s: &str) -> Doc {
        Doc::String(s.to_string())
    }
}

/// A string of either kind.
impl From<JsText> for Doc {
    fn from(text: JsText) -> Doc {
        text.into_well_formed()
            .map_or_else(Doc::IllFormedString, Doc::String)
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

#[cfg(test)]
mod tests;
