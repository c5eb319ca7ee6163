//! A snapshot of a JavaScript value, so the original's checks can run in Rust.
//!
//! The validators judge untyped input with `typeof`, truthiness and
//! `String(x)`; this module answers those questions exactly as JavaScript
//! does, for values the addon copied out of the JavaScript heap.

use crate::number::number_to_js_string;

/// A JavaScript value as the addon copied it.
///
/// Objects are their own enumerable properties in `Object.entries` order;
/// functions keep their source text (`String(fn)`), symbols their
/// description, BigInts their decimal digits. An array longer than the
/// copier's limit (`bmm_engine::limits::MAX_ARRAY_LENGTH`) keeps only its length
/// (`LongArray`): no rule reads the elements of such an array, and walking them
/// could take minutes.
#[derive(Debug, Clone, PartialEq)]
pub enum JsValue {
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    BigInt(String),
    Symbol(String),
    Function(String),
    Array(Vec<JsValue>),
    LongArray(u32),
    Object(Vec<(String, JsValue)>),
}

static UNDEFINED: JsValue = JsValue::Undefined;

impl JsValue {
    /// The `typeof` operator.
    pub fn type_of(&self) -> &'static str {
        match self {
            JsValue::Undefined => "undefined",
            JsValue::Bool(_) => "boolean",
            JsValue::Number(_) => "number",
            JsValue::String(_) => "string",
            JsValue::BigInt(_) => "bigint",
            JsValue::Symbol(_) => "symbol",
            JsValue::Function(_) => "function",
            JsValue::Null | JsValue::Array(_) | JsValue::LongArray(_) | JsValue::Object(_) => {
                "object"
            }
        }
    }

    /// What `if (x)` decides.
    pub fn is_truthy(&self) -> bool {
        match self {
            JsValue::Undefined | JsValue::Null => false,
            JsValue::Bool(b) => *b,
            JsValue::Number(n) => !(*n == 0.0 || n.is_nan()),
            JsValue::String(s) => !s.is_empty(),
            JsValue::BigInt(digits) => digits.trim_start_matches('-').chars().any(|c| c != '0'),
            JsValue::Symbol(_)
            | JsValue::Function(_)
            | JsValue::Array(_)
            | JsValue::LongArray(_)
            | JsValue::Object(_) => true,
        }
    }

    /// `x === undefined || x === null`.
    pub fn is_nullish(&self) -> bool {
        matches!(self, JsValue::Undefined | JsValue::Null)
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            JsValue::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            JsValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            JsValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements, when `Array.isArray(x)`.
    pub fn as_array(&self) -> Option<&[JsValue]> {
        match self {
            JsValue::Array(items) => Some(items),
            _ => None,
        }
    }

    /// `Array.isArray(x)`, whether or not its elements were read.
    pub fn is_array(&self) -> bool {
        matches!(self, JsValue::Array(_) | JsValue::LongArray(_))
    }

    /// `Number.isInteger(x)`: a finite number without a fractional part.
    pub fn is_integer(&self) -> bool {
        matches!(self, JsValue::Number(n) if n.is_finite() && n.trunc() == *n)
    }

    /// `x[key]` for an object's own property; `undefined` for anything else.
    pub fn get(&self, key: &str) -> &JsValue {
        match self {
            JsValue::Object(entries) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map_or(&UNDEFINED, |(_, v)| v),
            _ => &UNDEFINED,
        }
    }

    /// `Number(x)` for the values a number-valued setting may hold. Objects
    /// other than arrays read as NaN (no `valueOf` to consult in a snapshot).
    pub fn to_number(&self) -> f64 {
        match self {
            // A long array joins to text with commas, which is never a number.
            JsValue::Undefined
            | JsValue::Symbol(_)
            | JsValue::Function(_)
            | JsValue::Object(_)
            | JsValue::LongArray(_) => f64::NAN,
            JsValue::Null => 0.0,
            JsValue::Bool(b) => f64::from(u8::from(*b)),
            JsValue::Number(n) => *n,
            JsValue::String(s) => string_to_number(s),
            JsValue::BigInt(digits) => digits.parse().unwrap_or(f64::NAN),
            JsValue::Array(items) => match items.as_slice() {
                [] => 0.0,
                [only] => JsValue::String(only.to_js_string()).to_number(),
                _ => f64::NAN,
            },
        }
    }

    /// `String(x)`.
    pub fn to_js_string(&self) -> String {
        match self {
            JsValue::Undefined => "undefined".to_owned(),
            JsValue::Null => "null".to_owned(),
            JsValue::Bool(b) => b.to_string(),
            JsValue::Number(n) => number_to_js_string(*n),
            JsValue::String(s) => s.clone(),
            JsValue::BigInt(digits) => digits.clone(),
            JsValue::Symbol(description) => format!("Symbol({description})"),
            JsValue::Function(source) => source.clone(),
            // `Array.prototype.join`: holes, null and undefined become empty.
            JsValue::Array(items) => items
                .iter()
                .map(|item| {
                    if item.is_nullish() {
                        String::new()
                    } else {
                        item.to_js_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(","),
            // Not the join itself: that text could be gigabytes of commas.
            JsValue::LongArray(length) => format!("[an array of {length} elements]"),
            JsValue::Object(_) => "[object Object]".to_owned(),
        }
    }
}

/// `Number(text)`: blank is 0, decimal and hex/octal/binary literals parse,
/// anything else is NaN.
fn string_to_number(text: &str) -> f64 {
    let text = text.trim();
    if text.is_empty() {
        return 0.0;
    }
    let radix = |prefix: &[&str], radix: u32| {
        prefix
            .iter()
            .find_map(|p| text.strip_prefix(p))
            .map(|digits| u64::from_str_radix(digits, radix).map_or(f64::NAN, |n| n as f64))
    };
    if let Some(n) = radix(&["0x", "0X"], 16)
        .or_else(|| radix(&["0o", "0O"], 8))
        .or_else(|| radix(&["0b", "0B"], 2))
    {
        return n;
    }
    match text {
        "Infinity" | "+Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        _ if text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')) =>
        {
            text.parse().unwrap_or(f64::NAN)
        }
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests;
