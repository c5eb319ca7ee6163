//! What a call hands back to JavaScript: an answer as JSON text or a tree, the settled
//! `{ ok, ... }` object, and a failure as the object from which `js/transport/sdk-error.js`
//! rebuilds the JS SDK's error.

use crate::doc::{from_doc, js_string, set_own};
use crate::memory;
use bmm_transport::{CallError, Doc, JsJson};
use napi::bindgen_prelude::*;

/// A value for JavaScript, made ready off its thread: JSON text for `JSON.parse` when
/// plain JSON can carry it (one napi string instead of a property set per member),
/// else the tree, built property by property.
pub(super) enum Output {
    Json(JsJson),
    Tree(Doc),
}

impl From<Doc> for Output {
    fn from(doc: Doc) -> Output {
        let output = doc.to_js_json().map_or(Output::Tree(doc), Output::Json);
        if matches!(&output, Output::Json(json) if json.text.len() >= memory::LARGE_ANSWER_BYTES) {
            memory::release_freed(); // the body and the tree, freed on this worker thread
        }
        output
    }
}

impl Output {
    /// `json` (and `undefinedMembers` when any), or `value`: see `nativeOutput` in
    /// `js/transport/native.js`.
    pub(super) fn set_on(env: &Env, out: &mut Object, output: Output) -> Result<()> {
        match output {
            Output::Json(json) => {
                let large = json.text.len() >= memory::LARGE_ANSWER_BYTES;
                out.set("json", json.text)?;
                if large {
                    memory::release_freed(); // the text, now a JavaScript string
                }
                if !json.undefined_members.is_empty() {
                    out.set("undefinedMembers", json.undefined_members)?;
                }
                Ok(())
            }
            Output::Tree(doc) => out.set("value", from_doc(env, &doc)?),
        }
    }
}

/// `{ ok: true, ...what `answer` sets }`, `{ ok: false, error }`, or
/// `{ ok: false, cancelled: true }`.
pub(super) fn settle<'env, T>(
    env: &'env Env,
    result: Option<std::result::Result<T, CallError>>,
    answer: impl FnOnce(&'env Env, &mut Object<'env>, T) -> Result<()>,
) -> Result<Object<'env>> {
    let mut out = Object::new(env)?;
    match result {
        Some(Ok(value)) => {
            out.set("ok", true)?;
            answer(env, &mut out, value)?;
        }
        Some(Err(error)) => {
            out.set("ok", false)?;
            out.set("error", error_object(env, &error)?)?;
        }
        None => {
            out.set("ok", false)?;
            out.set("cancelled", true)?;
        }
    }
    Ok(out)
}

/// What the JavaScript side needs to rebuild the JS SDK's error.
pub(super) fn error_object<'env>(env: &'env Env, error: &CallError) -> Result<Object<'env>> {
    let mut out = Object::new(env)?;
    out.set("name", js_string(env, &error.name)?)?;
    out.set("message", js_string(env, &error.message)?)?;
    out.set("kind", format!("{:?}", error.kind))?;
    out.set("fault", error.fault)?;
    out.set("code", error.code.as_deref())?;
    out.set("metadata", from_doc(env, &error.metadata())?)?;
    let mut fields = Object::new(env)?;
    for (key, value) in &error.fields {
        set_own(env, &mut fields, key, from_doc(env, value)?)?;
    }
    out.set("fields", fields)?;
    if let Some(cause) = &error.cause {
        out.set("cause", error_object(env, cause)?)?;
    }
    if let Some(body) = &error.response_body {
        out.set("responseBody", Uint8Array::new(body.clone()))?;
    }
    out.set("detail", error.detail.as_str())?;
    if !error.retry_after_headers.is_empty() {
        let mut headers = Object::new(env)?;
        for (name, value) in &error.retry_after_headers {
            headers.set(*name, value.as_str())?;
        }
        out.set("responseHeaders", headers)?;
    }
    Ok(out)
}
