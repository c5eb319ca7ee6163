//! A service's error answer (or an unparseable body), read as the JS SDK's restJson1
//! error handler reads it.

use crate::call_error::{CallError, ErrorKind};
use crate::doc::{Doc, JsText};
use crate::json;
use crate::output::ResponseMeta;
use crate::schema;
use crate::wire;
use aws_smithy_runtime_api::http::Headers;

/// What the JS SDK appends to the message of an unparseable response.
const DESERIALIZATION_HINT: &str =
    "\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.";

/// A body that did not parse (JS: `SyntaxError` for bad JSON, `TypeError` for a bad value
/// such as invalid base64), with `$metadata` but no `$fault`.
pub(crate) fn deserialization_error(
    error: &serde_json::Error,
    body: &[u8],
    meta: &ResponseMeta,
) -> CallError {
    let name = if error.is_data() {
        "TypeError"
    } else {
        "SyntaxError"
    };
    let mut e = CallError::bare(
        ErrorKind::Deserialization,
        name,
        format!("{error}{DESERIALIZATION_HINT}"),
        meta,
    );
    e.response_body = Some(body.to_vec());
    e.detail = error.to_string();
    e
}

/// `sanitizeErrorCode`: what comes before `,`, then before `:`, then between the first `#`
/// and the next, if any. Over UTF-8 bytes or UTF-16 code units alike (the separators are
/// ASCII, so a cut never splits a character).
fn sanitize<T: Copy + PartialEq + From<u8>>(raw: &[T]) -> &[T] {
    let before = |text: &'_ [T], separator: u8| -> usize {
        text.iter()
            .position(|c| *c == T::from(separator))
            .unwrap_or(text.len())
    };
    let mut v = &raw[..before(raw, b',')];
    v = &v[..before(v, b':')];
    match v.iter().position(|c| *c == T::from(b'#')) {
        Some(hash) => {
            let after = &v[hash + 1..];
            &after[..before(after, b'#')]
        }
        None => v,
    }
}

fn sanitize_str(raw: &str) -> JsText {
    String::from_utf8_lossy(sanitize(raw.as_bytes()))
        .into_owned()
        .into()
}

/// `loadRestJsonErrorCode` + `sanitizeErrorCode`; a code holding a lone surrogate keeps it.
fn error_code(headers: &Headers, data: &Doc) -> Option<JsText> {
    let as_code = |d: &Doc| match d {
        Doc::String(s) => Some(sanitize_str(s)),
        Doc::IllFormedString(units) => Some(JsText::from_utf16(sanitize(units))),
        Doc::Number(n) => Some(sanitize_str(&Doc::Number(*n).to_tagged_json())),
        _ => None,
    };
    if let Some(v) = headers.get("x-amzn-errortype") {
        return Some(sanitize_str(v));
    }
    if let Some(entries) = data.as_object() {
        if let Some((_, v)) = entries.iter().find(|(k, _)| k.eq_ignore_ascii_case("code")) {
            if !matches!(v, Doc::Undefined) {
                if let Some(code) = as_code(v) {
                    return Some(code);
                }
            }
        }
    }
    data.get("__type").and_then(as_code)
}

/// `String(x)` of a truthy `x` that is a string, number or `true`.
fn js_truthy_string(d: Option<&Doc>) -> Option<JsText> {
    match d {
        Some(text @ (Doc::String(_) | Doc::IllFormedString(_))) => {
            text.js_text().filter(|t| !t.is_empty())
        }
        Some(Doc::Number(n)) if *n != 0.0 && !n.is_nan() => {
            Some(Doc::Number(*n).to_tagged_json().into())
        }
        Some(Doc::Bool(true)) => Some("true".into()),
        _ => None,
    }
}

/// The headers a service error may say how long to back off in (the JS SDK's retry
/// strategy reads both: delay-seconds or an HTTP date, and milliseconds).
const RETRY_AFTER_HEADERS: [&str; 2] = ["retry-after", "x-amz-retry-after"];

/// An error status answered by the service.
pub(crate) fn service_error(
    status: u16,
    headers: &Headers,
    body: &[u8],
    meta: &ResponseMeta,
) -> CallError {
    let data = if body.is_empty() {
        Doc::Object(Vec::new())
    } else {
        match json::parse(body) {
            Ok(d) => d,
            Err(e) => return deserialization_error(&e, body, meta),
        }
    };
    let identifier = error_code(headers, &data).unwrap_or_else(|| "Unknown".into());
    let name = match identifier.split_once('#') {
        Some((_, n)) => n.into(),
        None => identifier,
    };
    let message = js_truthy_string(data.get("message"))
        .or_else(|| js_truthy_string(data.get("Message")))
        .unwrap_or_else(|| "UnknownError".into());
    let mut e = CallError::bare(ErrorKind::Service, name.clone(), message, meta);
    e.detail = format!("HTTP {status} {name}");
    e.retry_after_headers = RETRY_AFTER_HEADERS
        .iter()
        .filter_map(|&header| Some((header, headers.get(header)?.to_owned())))
        .collect();

    match schema::modelled_error(&name) {
        Some((fault, shape)) => {
            e.fault = Some(fault);
            for (member, member_shape) in schema::members(shape) {
                if *member == "message" {
                    continue;
                }
                let value = match data.get(member) {
                    Some(v) if !v.is_nullish() => {
                        wire::reshape(v.clone(), *member_shape).unwrap_or_else(|_| v.clone())
                    }
                    Some(v) => v.clone(),
                    None => Doc::Undefined,
                };
                e.fields.push(((*member).into(), value));
            }
        }
        None => e.fault = Some(if status < 500 { "client" } else { "server" }),
    }
    decorate(&mut e, &data);
    e
}

/// `decorateServiceException`: body fields the error does not have yet (or has empty).
fn decorate(e: &mut CallError, data: &Doc) {
    let Some(entries) = data.as_object() else {
        return;
    };
    for (k, v) in entries {
        if matches!(v, Doc::Undefined)
            || matches!(
                k.as_str(),
                "message" | "Message" | "name" | "$fault" | "$metadata" | "stack"
            )
        {
            continue;
        }
        match e.fields.iter_mut().find(|(existing, _)| existing == k) {
            Some((_, slot)) => {
                if slot.is_nullish() || matches!(slot, Doc::String(s) if s.is_empty()) {
                    *slot = v.clone();
                }
            }
            None => e.fields.push((k.clone(), v.clone())),
        }
    }
}
