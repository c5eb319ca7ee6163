//! Snapshots of JavaScript values for the engine's validation rules.
//!
//! The rules need `typeof`, truthiness and `String(x)` of whatever a caller passed,
//! so the snapshot keeps exactly that. It is bounded in depth: a config may carry
//! a logger or an HTTP handler whose object graph is large or cyclic, and the rules
//! never look deeper than a model's fields. It is bounded in size too
//! (`engine::limits`): an array longer than the limit keeps only its length, and a
//! value with more members or text than the budget is refused.

use engine::jsval::JsValue;
use engine::limits::{Budget, TooLarge, MAX_ARRAY_LENGTH};
use napi::bindgen_prelude::*;
use napi::{JsString, JsValue as _, ValueType};

const MAX_DEPTH: u32 = 4;

pub fn snapshot(value: Unknown<'_>) -> Result<JsValue> {
    copy_within_budget("The value passed", |budget| snapshot_at(value, 0, budget))
}

/// Runs `copy` against a fresh budget that has counted the root value; a refusal becomes
/// the error JavaScript sees, `what` naming the value copied (`Refused::into_error`).
pub fn copy_within_budget<T>(
    what: &str,
    copy: impl FnOnce(&mut Budget) -> std::result::Result<T, Refused>,
) -> Result<T> {
    let mut budget = Budget::default();
    let root = budget.value().map_err(Refused::from);
    root.and_then(|()| copy(&mut budget))
        .map_err(|refused| refused.into_error(what))
}

/// Why a copy of a caller's value stopped: JavaScript threw (a getter, a Proxy trap),
/// or a bound was broken at `path` (built as the error travels back up:
/// `messages[3].content`).
pub enum Refused {
    Js(Error),
    TooLarge { path: String, bound: TooLarge },
}

impl From<Error> for Refused {
    fn from(error: Error) -> Self {
        Refused::Js(error)
    }
}

impl From<TooLarge> for Refused {
    fn from(bound: TooLarge) -> Self {
        Refused::TooLarge {
            path: String::new(),
            bound,
        }
    }
}

impl Refused {
    /// The same refusal, seen from the object holding `key`.
    pub fn within_key(self, key: &str) -> Self {
        self.within(key)
    }

    /// The same refusal, seen from the array holding it at `index`.
    pub fn within_index(self, index: u32) -> Self {
        self.within(&format!("[{index}]"))
    }

    fn within(self, segment: &str) -> Self {
        match self {
            Refused::TooLarge { path, bound } if path.is_empty() || path.starts_with('[') => {
                Refused::TooLarge {
                    path: format!("{segment}{path}"),
                    bound,
                }
            }
            Refused::TooLarge { path, bound } => Refused::TooLarge {
                path: format!("{segment}.{path}"),
                bound,
            },
            js => js,
        }
    }

    /// The error JavaScript sees, `what` naming the value copied: `Converse input:
    /// messages has 4294967295 elements, more than the 100000 accepted`.
    pub fn into_error(self, what: &str) -> Error {
        match self {
            Refused::Js(error) => error,
            Refused::TooLarge { path, bound } if path.is_empty() => {
                Error::new(Status::InvalidArg, format!("{what} {bound}"))
            }
            Refused::TooLarge { path, bound } => {
                Error::new(Status::InvalidArg, format!("{what}: {path} {bound}"))
            }
        }
    }
}

/// Each value is counted against the budget once, as its parent's member (or as the root).
fn snapshot_at(
    value: Unknown<'_>,
    depth: u32,
    budget: &mut Budget,
) -> std::result::Result<JsValue, Refused> {
    Ok(match value.get_type()? {
        ValueType::Undefined => JsValue::Undefined,
        ValueType::Null => JsValue::Null,
        ValueType::Boolean => JsValue::Bool(unsafe { value.cast::<bool>() }?),
        ValueType::Number => JsValue::Number(unsafe { value.cast::<f64>() }?),
        ValueType::String => JsValue::String(counted(unsafe { value.cast::<String>() }?, budget)?),
        ValueType::BigInt => JsValue::BigInt(counted(text_of(value)?, budget)?),
        ValueType::Symbol => JsValue::Symbol(counted(symbol_description(value)?, budget)?),
        ValueType::Function => JsValue::Function(counted(text_of(value)?, budget)?),
        ValueType::Object if value.is_array()? => {
            let array = unsafe { value.cast::<Array>() }?;
            if array.len() > MAX_ARRAY_LENGTH {
                return Ok(JsValue::LongArray(array.len()));
            }
            let mut items = Vec::new();
            if depth < MAX_DEPTH {
                budget.array(array.len())?;
                for index in 0..array.len() {
                    let item: Unknown = array.get_element(index)?;
                    items.push(
                        snapshot_at(item, depth + 1, budget)
                            .map_err(|refused| refused.within_index(index))?,
                    );
                }
            }
            JsValue::Array(items)
        }
        ValueType::Object => {
            let object = unsafe { value.cast::<Object>() }?;
            let mut fields = Vec::new();
            if depth < MAX_DEPTH {
                let keys = Object::keys(&object)?;
                budget.members(keys.len())?;
                for key in keys {
                    budget.bytes(key.len())?;
                    let field: Unknown = object.get_named_property(&key)?;
                    let field = snapshot_at(field, depth + 1, budget)
                        .map_err(|refused| refused.within_key(&key))?;
                    fields.push((key, field));
                }
            }
            JsValue::Object(fields)
        }
        _ => JsValue::Undefined,
    })
}

/// Throws, naming `field` and the limit, when an array of `length` elements is longer
/// than the addon reads: JavaScript asks before walking a caller's array, so a sparse
/// array of length 2³² − 1 is refused instead of iterated.
#[napi(catch_unwind)]
pub fn check_array_length(field: String, length: u32) -> Result<()> {
    Budget::default()
        .array(length)
        .map_err(|bound| Error::new(Status::InvalidArg, format!("{field} {bound}")))
}

/// `String(array)`, once the array and the arrays nested in it are known to be within
/// the bounds: JavaScript joins element by element, holes included, so a sparse array
/// of length 2³² − 1 (or one nested in it) would take minutes.
#[napi(catch_unwind)]
pub fn array_text(field: String, array: Unknown) -> Result<String> {
    check_joinable(array, 0, &mut Budget::default())
        .map_err(|refused| refused.into_error(&field))?;
    array.coerce_to_string()?.into_utf8()?.into_owned()
}

/// Arrays nested deeper than this are refused (an array holding itself included).
const MAX_JOIN_DEPTH: u32 = 32;

fn check_joinable(
    value: Unknown<'_>,
    depth: u32,
    budget: &mut Budget,
) -> std::result::Result<(), Refused> {
    if value.get_type()? != ValueType::Object || !value.is_array()? {
        return Ok(());
    }
    if depth >= MAX_JOIN_DEPTH {
        return Err(TooLarge::Depth {
            limit: MAX_JOIN_DEPTH,
        }
        .into());
    }
    let array = unsafe { value.cast::<Array>() }?;
    budget.array(array.len())?;
    for index in 0..array.len() {
        check_joinable(array.get_element::<Unknown>(index)?, depth + 1, budget)
            .map_err(|refused| refused.within_index(index))?;
    }
    Ok(())
}

/// `text`, once its bytes are counted against the budget.
fn counted(text: String, budget: &mut Budget) -> std::result::Result<String, TooLarge> {
    budget.bytes(text.len())?;
    Ok(text)
}

/// `String(value)` computed by JavaScript itself.
fn text_of(value: Unknown<'_>) -> Result<String> {
    let text: JsString = value.coerce_to_string()?;
    text.into_utf8()?.into_owned()
}

fn symbol_description(value: Unknown<'_>) -> Result<String> {
    let symbol = value.coerce_to_object()?;
    let description: Option<String> = symbol.get("description").ok().flatten();
    Ok(description.unwrap_or_default())
}
