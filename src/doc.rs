//! JavaScript values to and from the transport's document tree (`bmm_transport::Doc`).
//!
//! The JavaScript SDK's shapes carry bytes as `Uint8Array` and timestamps as
//! `Date`; everything else is plain JSON-like data. Values made here belong to the
//! addon's realm: `js/realm.js` moves results into the caller's.

use bmm_js::text::JsText;
use bmm_transport::Doc;
use engine::limits::Budget;
use napi::bindgen_prelude::*;
use napi::{JsString, Property, ValueType};

use crate::js_value::{copy_within_budget, Refused};

/// Deeper than any real Converse input; guards against cycles.
const MAX_DEPTH: u32 = 128;

/// The caller's Converse input, copied within `engine::limits`: an array is refused by
/// its length before any element is read, and the whole copy by its count of values
/// and bytes, with the path of the member that broke the bound.
pub fn to_doc(value: Unknown<'_>) -> Result<Doc> {
    copy_within_budget("Converse input", |budget| to_doc_at(value, 0, budget))
}

/// Each value is counted against the budget once, as its parent's member (or as the root).
fn to_doc_at(
    value: Unknown<'_>,
    depth: u32,
    budget: &mut Budget,
) -> std::result::Result<Doc, Refused> {
    if depth > MAX_DEPTH {
        return Err(Error::from_reason(
            "Converse input is nested too deeply (or contains a cycle)",
        )
        .into());
    }
    Ok(match value.get_type()? {
        ValueType::Undefined => Doc::Undefined,
        ValueType::Null => Doc::Null,
        ValueType::Boolean => Doc::Bool(unsafe { value.cast::<bool>() }?),
        ValueType::Number => Doc::Number(unsafe { value.cast::<f64>() }?),
        ValueType::String => {
            let text = unsafe { value.cast::<String>() }?;
            budget.bytes(text.len())?;
            Doc::from(js_text(value, text)?)
        }
        ValueType::Object if value.is_typedarray()? || value.is_buffer()? => {
            Doc::Bytes(bytes_of(value, budget)?)
        }
        ValueType::Object if value.is_date()? => {
            Doc::Timestamp(unsafe { value.cast::<Date>() }?.value_of()?)
        }
        ValueType::Object if value.is_array()? => {
            let array = unsafe { value.cast::<Array>() }?;
            budget.array(array.len())?;
            let mut items = Vec::with_capacity(array.len() as usize);
            for index in 0..array.len() {
                let item = to_doc_at(array.get_element::<Unknown>(index)?, depth + 1, budget);
                items.push(item.map_err(|refused| refused.within_index(index))?);
            }
            Doc::Array(items)
        }
        ValueType::Object => {
            let object = unsafe { value.cast::<Object>() }?;
            // The keys `Object::keys` reads (`for…in`'s), kept as JS strings to look each
            // member up by: a key holding a lone surrogate is then found as itself, and
            // no key is made again from its UTF-8 text (which could not carry the surrogate).
            let names = object.get_property_names()?;
            let count = names.get_array_length()?;
            budget.members(count as usize)?;
            let mut fields = Vec::with_capacity(count as usize);
            for index in 0..count {
                let name = names.get_element::<Unknown>(index)?;
                let key = js_text(name, unsafe { name.cast::<String>() }?)?;
                budget.bytes(key.len())?;
                let field = object.get_property_unchecked::<_, Unknown>(name)?;
                let field = to_doc_at(field, depth + 1, budget)
                    .map_err(|refused| refused.within_key(&key))?;
                fields.push((key, field));
            }
            Doc::Object(fields)
        }
        other => {
            return Err(
                Error::from_reason(format!("Converse input cannot carry a {other} value")).into(),
            )
        }
    })
}

/// The string `value` (a value or a key), given `text`, what napi read of it as UTF-8: that
/// has each lone UTF-16 surrogate replaced by U+FFFD, which the JS SDK would send as
/// `\udxxx`. Only when `text` holds U+FFFD (rare) is the value read again as UTF-16, to tell
/// a lone surrogate from a real U+FFFD; otherwise `text` is kept as it is.
fn js_text(value: Unknown<'_>, text: String) -> Result<JsText> {
    if !text.contains('\u{FFFD}') {
        return Ok(text.into());
    }
    let utf16 = unsafe { value.cast::<JsString>() }?.into_utf16()?;
    // napi's copy ends with a NUL terminator of its own.
    let units = utf16
        .as_slice()
        .strip_suffix(&[0])
        .unwrap_or(utf16.as_slice());
    Ok(JsText::from_utf16(units))
}

/// The bytes of a `Buffer` or typed array, counted before they are copied.
fn bytes_of(value: Unknown<'_>, budget: &mut Budget) -> std::result::Result<Vec<u8>, Refused> {
    let copy = |bytes: &[u8], budget: &mut Budget| -> std::result::Result<Vec<u8>, Refused> {
        budget.bytes(bytes.len())?;
        Ok(bytes.to_vec())
    };
    if value.is_buffer()? {
        return copy(&unsafe { value.cast::<BufferSlice>() }?, budget);
    }
    copy(&unsafe { value.cast::<Uint8ArraySlice>() }?, budget)
}

pub fn from_doc<'env>(env: &'env Env, doc: &Doc) -> Result<Unknown<'env>> {
    Ok(match doc {
        Doc::Undefined => ().into_unknown(env)?,
        Doc::Null => Null.into_unknown(env)?,
        Doc::Bool(b) => b.into_unknown(env)?,
        Doc::Number(n) => n.into_unknown(env)?,
        Doc::String(s) => s.as_str().into_unknown(env)?,
        Doc::IllFormedString(units) => env.create_string_utf16(units)?.to_unknown(),
        Doc::Bytes(bytes) => Uint8Array::new(bytes.clone()).into_unknown(env)?,
        Doc::Timestamp(ms) => env.create_date(*ms)?.to_unknown(),
        Doc::Array(items) => {
            let mut array = env.create_array(items.len() as u32)?;
            for (index, item) in items.iter().enumerate() {
                array.set(index as u32, from_doc(env, item)?)?;
            }
            array.to_unknown()
        }
        Doc::Object(fields) => {
            let mut object = Object::new(env)?;
            for (key, value) in fields {
                set_own(env, &mut object, key, from_doc(env, value)?)?;
            }
            object.to_unknown()
        }
    })
}

/// `text` as a JS string, a lone surrogate included.
pub fn js_string<'env>(env: &'env Env, text: &JsText) -> Result<Unknown<'env>> {
    match text.ill_formed_units() {
        Some(units) => Ok(env.create_string_utf16(units)?.to_unknown()),
        None => text.as_str().into_unknown(env),
    }
}

/// `object[key] = value` as an own data property, as `JSON.parse` makes it, also for
/// `__proto__`: a plain set of that key would replace the object's prototype instead. A key
/// holding a lone surrogate is made from its UTF-16 code units.
pub fn set_own(env: &Env, object: &mut Object, key: &JsText, value: Unknown) -> Result<()> {
    if let Some(units) = key.ill_formed_units() {
        object.set_property(env.create_string_utf16(units)?, value)
    } else if *key == "__proto__" {
        object.define_properties(&[Property::new().with_utf8_name(key)?.with_value(&value)])
    } else {
        object.set(key.as_str(), value)
    }
}
