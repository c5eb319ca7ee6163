//! Snapshots of JavaScript values for the engine's validation rules.
//!
//! The rules need `typeof`, truthiness and `String(x)` of whatever a caller passed,
//! so the snapshot keeps exactly that. It is bounded in depth: a config may carry
//! a logger or an HTTP handler whose object graph is large or cyclic, and the rules
//! never look deeper than a model's fields.

use engine::jsval::JsValue;
use napi::bindgen_prelude::*;
use napi::{JsString, JsValue as _, ValueType};

const MAX_DEPTH: u32 = 4;

pub fn snapshot(value: Unknown<'_>) -> Result<JsValue> {
    snapshot_at(value, 0)
}

fn snapshot_at(value: Unknown<'_>, depth: u32) -> Result<JsValue> {
    Ok(match value.get_type()? {
        ValueType::Undefined => JsValue::Undefined,
        ValueType::Null => JsValue::Null,
        ValueType::Boolean => JsValue::Bool(unsafe { value.cast::<bool>() }?),
        ValueType::Number => JsValue::Number(unsafe { value.cast::<f64>() }?),
        ValueType::String => JsValue::String(unsafe { value.cast::<String>() }?),
        ValueType::BigInt => JsValue::BigInt(text_of(value)?),
        ValueType::Symbol => JsValue::Symbol(symbol_description(value)?),
        ValueType::Function => JsValue::Function(text_of(value)?),
        ValueType::Object if value.is_array()? => {
            let array = unsafe { value.cast::<Array>() }?;
            let mut items = Vec::new();
            if depth < MAX_DEPTH {
                for index in 0..array.len() {
                    let item: Unknown = array.get_element(index)?;
                    items.push(snapshot_at(item, depth + 1)?);
                }
            }
            JsValue::Array(items)
        }
        ValueType::Object => {
            let object = unsafe { value.cast::<Object>() }?;
            let mut fields = Vec::new();
            if depth < MAX_DEPTH {
                for key in Object::keys(&object)? {
                    let field: Unknown = object.get_named_property(&key)?;
                    fields.push((key, snapshot_at(field, depth + 1)?));
                }
            }
            JsValue::Object(fields)
        }
        _ => JsValue::Undefined,
    })
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
