//! JavaScript values to and from the transport's document tree (`bmm_transport::Doc`).
//!
//! The JavaScript SDK's shapes carry bytes as `Uint8Array` and timestamps as
//! `Date`; everything else is plain JSON-like data. Values made here belong to the
//! addon's realm: `js/realm.js` moves results into the caller's.

use bmm_transport::Doc;
use napi::bindgen_prelude::*;
use napi::{Property, ValueType};

/// Deeper than any real Converse input; guards against cycles.
const MAX_DEPTH: u32 = 128;

pub fn to_doc(value: Unknown<'_>) -> Result<Doc> {
    to_doc_at(value, 0)
}

fn to_doc_at(value: Unknown<'_>, depth: u32) -> Result<Doc> {
    if depth > MAX_DEPTH {
        return Err(Error::from_reason("Converse input is nested too deeply (or contains a cycle)"));
    }
    Ok(match value.get_type()? {
        ValueType::Undefined => Doc::Undefined,
        ValueType::Null => Doc::Null,
        ValueType::Boolean => Doc::Bool(unsafe { value.cast::<bool>() }?),
        ValueType::Number => Doc::Number(unsafe { value.cast::<f64>() }?),
        ValueType::String => Doc::String(unsafe { value.cast::<String>() }?),
        ValueType::Object if value.is_typedarray()? || value.is_buffer()? => Doc::Bytes(bytes_of(value)?),
        ValueType::Object if value.is_date()? => Doc::Timestamp(unsafe { value.cast::<Date>() }?.value_of()?),
        ValueType::Object if value.is_array()? => {
            let array = unsafe { value.cast::<Array>() }?;
            let mut items = Vec::with_capacity(array.len() as usize);
            for index in 0..array.len() {
                items.push(to_doc_at(array.get_element::<Unknown>(index)?, depth + 1)?);
            }
            Doc::Array(items)
        }
        ValueType::Object => {
            let object = unsafe { value.cast::<Object>() }?;
            let keys = Object::keys(&object)?;
            let mut fields = Vec::with_capacity(keys.len());
            for key in keys {
                // `get`, not `get_named_property`: a key may contain NUL, which a C string
                // (the named-property API) cannot carry.
                let field = match object.get::<Unknown>(&key)? {
                    Some(field) => to_doc_at(field, depth + 1)?,
                    None => Doc::Undefined,
                };
                fields.push((key, field));
            }
            Doc::Object(fields)
        }
        other => return Err(Error::from_reason(format!("Converse input cannot carry a {other} value"))),
    })
}

fn bytes_of(value: Unknown<'_>) -> Result<Vec<u8>> {
    if value.is_buffer()? {
        return Ok(unsafe { value.cast::<BufferSlice>() }?.to_vec());
    }
    Ok(unsafe { value.cast::<Uint8ArraySlice>() }?.to_vec())
}

pub fn from_doc<'env>(env: &'env Env, doc: &Doc) -> Result<Unknown<'env>> {
    Ok(match doc {
        Doc::Undefined => ().into_unknown(env)?,
        Doc::Null => Null.into_unknown(env)?,
        Doc::Bool(b) => b.into_unknown(env)?,
        Doc::Number(n) => n.into_unknown(env)?,
        Doc::String(s) => s.as_str().into_unknown(env)?,
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
                set_own(&mut object, key, from_doc(env, value)?)?;
            }
            object.to_unknown()
        }
    })
}

/// `object[key] = value` as an own data property, as `JSON.parse` makes it, also for
/// `__proto__`: a plain set of that key would replace the object's prototype instead.
pub fn set_own(object: &mut Object, key: &str, value: Unknown) -> Result<()> {
    if key == "__proto__" {
        object.define_properties(&[Property::new().with_utf8_name(key)?.with_value(&value)])
    } else {
        object.set(key, value)
    }
}
