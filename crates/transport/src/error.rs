//! `CallError`: every way a call can fail, mapped once into what the JavaScript SDK would
//! throw (its `name`, `message`, `$fault`, `$metadata` and other own properties).
//!
//! Service errors are read from the raw HTTP response exactly as the JS SDK's restJson1
//! error handler reads them (error code from `x-amzn-errortype`, else the body's `code` /
//! `__type`; message from `message` / `Message`), not from the Rust SDK's typed error, so
//! unmodelled errors and odd bodies come out as they would in JS.

use crate::bounds::TooLarge;
use crate::doc::Doc;
use crate::exhaustion;
use crate::json;
use crate::observe::Attempt;
use crate::output::ResponseMeta;
use crate::schema;
use crate::wire;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Headers;
use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

/// What kind of failure, for callers that branch on it (the JS-facing `name` is separate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The service answered with an error status (modelled or not).
    Service,
    /// A response arrived that could not be parsed (JS: `SyntaxError`/`TypeError`).
    Deserialization,
    /// A configured timeout fired (JS: `TimeoutError`).
    Timeout,
    /// No usable response: connection refused/reset/closed, DNS, TLS (JS: `Error` + `code`).
    Network,
    /// Credentials could not be resolved (JS: `CredentialsProviderError`).
    Credentials,
    /// The request could not be built or sent for a local reason.
    Construction,
    /// The input is not a valid `ConverseCommandInput` (no request was sent).
    Input,
    /// A ConverseStream event stream failed after the response started.
    Stream,
    /// The client could not be configured (no region anywhere, say): JS throws a plain
    /// `Error` with only a message (and `name` when it is not `Error`), before any request.
    Config,
    /// The response crossed a size bound (`maxResponseBytes`, the event-stream frame limit).
    TooLarge,
}

/// A failed call, in the terms the JS SDK's thrown error uses.
///
/// To rebuild the JS error: `name`, `message`, then for `Service` errors `$fault`,
/// `$retryable: undefined` (the SDK's `ModelNotReadyException` class sets `{}`) and
/// `$metadata` ([`CallError::metadata`]); other kinds carry `$metadata` too, except `Stream`
/// errors (thrown by the event iterator: `$fault` only, no `$metadata`); then `fields`.
#[derive(Debug, Clone, PartialEq)]
pub struct CallError {
    /// The error's `name`: `ThrottlingException`, `ValidationException`, an unmodelled
    /// service code such as `InvalidSignatureException`, `SyntaxError`, `TimeoutError`,
    /// `Error` (network errors), `CredentialsProviderError`.
    pub name: String,
    pub message: String,
    /// `$fault`: `"client"` / `"server"` for service errors, `None` otherwise.
    pub fault: Option<&'static str>,
    pub http_status_code: Option<u16>,
    pub request_id: Option<String>,
    pub extended_request_id: Option<String>,
    pub cf_id: Option<String>,
    pub attempts: u32,
    pub total_retry_delay_ms: f64,
    pub kind: ErrorKind,
    /// Node's `code` for network errors (`ECONNRESET`, `ECONNREFUSED`, ...).
    pub code: Option<String>,
    /// Other own properties the JS error carries, in order: modelled members other than
    /// `message` (e.g. `originalStatusCode`, `resourceName`, `undefined` when absent), other
    /// body fields (`decorateServiceException`), or `errno`/`code`/`syscall` for network errors.
    pub fields: Vec<(String, Doc)>,
    /// The error's `cause` (own property after `code`): for a host that could not be
    /// reached, Node's socket error (`name`/`message`/`fields` only, no `$metadata`).
    pub cause: Option<Box<CallError>>,
    /// The raw body of a response that could not be parsed, so the JS side can reproduce
    /// its exact `SyntaxError` message with `JSON.parse` (and expose `$response`).
    pub response_body: Option<Vec<u8>>,
    /// The Rust SDK's own description of the failure, for logs.
    pub detail: String,
}

impl CallError {
    pub(crate) fn bare(
        kind: ErrorKind,
        name: &str,
        message: String,
        meta: &ResponseMeta,
    ) -> CallError {
        CallError {
            name: name.to_string(),
            message,
            fault: None,
            http_status_code: meta.http_status_code,
            request_id: meta.request_id.clone(),
            extended_request_id: meta.extended_request_id.clone(),
            cf_id: meta.cf_id.clone(),
            attempts: meta.attempts,
            total_retry_delay_ms: meta.total_retry_delay_ms,
            kind,
            code: None,
            fields: Vec::new(),
            cause: None,
            response_body: None,
            detail: String::new(),
        }
    }

    /// A configuration failure found at the first call.
    pub(crate) fn config(message: impl Into<String>) -> CallError {
        CallError::bare(
            ErrorKind::Config,
            "Error",
            message.into(),
            &ResponseMeta::default(),
        )
    }

    /// The error's `$metadata` object (same shape as a response's).
    pub fn metadata(&self) -> Doc {
        ResponseMeta {
            http_status_code: self.http_status_code,
            request_id: self.request_id.clone(),
            extended_request_id: self.extended_request_id.clone(),
            cf_id: self.cf_id.clone(),
            attempts: self.attempts,
            total_retry_delay_ms: self.total_retry_delay_ms,
        }
        .to_doc()
    }

    /// True for the errors the JS SDK's retry strategy treats as throttling.
    pub fn is_throttling(&self) -> bool {
        matches!(
            self.name.as_str(),
            "ThrottlingException"
                | "Throttling"
                | "TooManyRequestsException"
                | "RequestLimitExceeded"
                | "RequestThrottled"
                | "RequestThrottledException"
                | "ProvisionedThroughputExceededException"
                | "ThrottledException"
                | "SlowDown"
                | "TransactionInProgressException"
                | "BandwidthLimitExceeded"
                | "LimitExceededException"
                | "PriorRequestNotComplete"
                | "EC2ThrottledException"
        ) || self.http_status_code == Some(429)
    }

    /// An invalid input, reported before anything is sent.
    pub fn input(error: crate::input::InputError) -> CallError {
        let mut e = CallError::bare(
            ErrorKind::Input,
            "ValidationException",
            error.to_string(),
            &ResponseMeta::default(),
        );
        e.fault = Some("client");
        e.fields.push(("path".to_string(), Doc::String(error.path)));
        e
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl StdError for CallError {}

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

/// `loadRestJsonErrorCode` + `sanitizeErrorCode`.
fn error_code(headers: &Headers, data: &Doc) -> Option<String> {
    let sanitize = |raw: &str| -> String {
        let mut v = raw.split(',').next().unwrap_or("");
        v = v.split(':').next().unwrap_or("");
        match v.split_once('#') {
            Some((_, after)) => after.split('#').next().unwrap_or("").to_string(),
            None => v.to_string(),
        }
    };
    let as_code = |d: &Doc| match d {
        Doc::String(s) => Some(sanitize(s)),
        Doc::Number(n) => Some(sanitize(&Doc::Number(*n).to_tagged_json())),
        _ => None,
    };
    if let Some(v) = headers.get("x-amzn-errortype") {
        return Some(sanitize(v));
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

fn js_truthy_string(d: Option<&Doc>) -> Option<String> {
    match d {
        Some(Doc::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Doc::Number(n)) if *n != 0.0 && !n.is_nan() => Some(Doc::Number(*n).to_tagged_json()),
        Some(Doc::Bool(true)) => Some("true".into()),
        _ => None,
    }
}

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
    let identifier = error_code(headers, &data).unwrap_or_else(|| "Unknown".to_string());
    let name = match identifier.split_once('#') {
        Some((_, n)) => n.to_string(),
        None => identifier,
    };
    let message = js_truthy_string(data.get("message"))
        .or_else(|| js_truthy_string(data.get("Message")))
        .unwrap_or_else(|| "UnknownError".to_string());
    let mut e = CallError::bare(ErrorKind::Service, &name, message, meta);
    e.detail = format!("HTTP {status} {name}");

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
                e.fields.push((member.to_string(), value));
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

/// Maps any `SdkError` of a Bedrock operation; `meta` is what the call recorded, `attempt`
/// how its last attempt was sent.
pub(crate) fn from_sdk<E>(
    err: SdkError<E, HttpResponse>,
    meta: &ResponseMeta,
    attempt: Option<&Attempt>,
) -> CallError
where
    E: StdError + Send + Sync + 'static,
{
    let detail = format!(
        "{}",
        aws_smithy_types::error::display::DisplayErrorContext(&err)
    );
    // The endpoint rules refused the configuration (FIPS with a custom endpoint, say): JS
    // throws its `EndpointError` with the rule's message before sending.
    if let Some(refused) = find_source::<aws_smithy_http::endpoint::ResolveEndpointError>(&err) {
        let mut e = CallError::bare(
            ErrorKind::Config,
            "EndpointError",
            refused.to_string(),
            meta,
        );
        e.detail = detail;
        return e;
    }
    if let Some(too_large) = find_source::<TooLarge>(&err) {
        return match &err {
            SdkError::ResponseError(ctx) => too_large.call_error(&meta_of(ctx.raw(), meta)),
            _ => too_large.call_error(meta),
        };
    }
    let mut e = match &err {
        SdkError::ServiceError(ctx) => raw_response_error(ctx.raw(), meta),
        SdkError::ResponseError(ctx) => {
            let raw = ctx.raw();
            let meta = meta_of(raw, meta);
            match raw.body().bytes() {
                Some(body) if !body.is_empty() => match json::parse(body) {
                    Err(parse) => deserialization_error(&parse, body, &meta),
                    Ok(_) => network_error(&err, &meta, attempt),
                },
                // The body could not be read to the end (connection closed mid-body).
                _ => network_error(&err, &meta, attempt),
            }
        }
        SdkError::TimeoutError(_) => CallError::bare(
            ErrorKind::Timeout,
            "TimeoutError",
            timeout_message(attempt.and_then(|a| a.timeout)),
            meta,
        ),
        SdkError::DispatchFailure(ctx) => match ctx.as_connector_error() {
            Some(c) if c.is_timeout() => CallError::bare(
                ErrorKind::Timeout,
                "TimeoutError",
                format!(
                    "Socket timed out without establishing a connection: {}",
                    chain(c)
                ),
                meta,
            ),
            _ => network_error(&err, meta, attempt),
        },
        SdkError::ConstructionFailure(_) => construction_error(&err, meta),
        _ => CallError::bare(ErrorKind::Construction, "Error", detail.clone(), meta),
    };
    if e.detail.is_empty() {
        e.detail = detail;
    }
    e
}

/// An attempt that ran out of time. The JS SDK's HTTP/2 handler times out a stream with no
/// activity for `requestTimeout` ms; the native client's attempt timeout is that setting.
fn timeout_message(attempt_timeout: Option<Duration>) -> String {
    match attempt_timeout {
        Some(t) => format!(
            "Stream timed out because of no activity for {} ms",
            t.as_millis()
        ),
        None => "Request timed out".to_string(),
    }
}

fn meta_of(raw: &HttpResponse, recorded: &ResponseMeta) -> ResponseMeta {
    ResponseMeta {
        attempts: recorded.attempts,
        total_retry_delay_ms: recorded.total_retry_delay_ms,
        ..ResponseMeta::from_response(raw.status().as_u16(), |h| {
            raw.headers().get(h).map(str::to_owned)
        })
    }
}

fn raw_response_error(raw: &HttpResponse, recorded: &ResponseMeta) -> CallError {
    let meta = meta_of(raw, recorded);
    let body = raw.body().bytes().unwrap_or(&[]);
    service_error(raw.status().as_u16(), raw.headers(), body, &meta)
}

/// The messages of an error and its sources, joined.
fn chain(e: &(dyn StdError + 'static)) -> String {
    let mut out = e.to_string();
    for source in sources(e).skip(1) {
        let text = source.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

/// `e`, then its sources, outermost first.
pub(crate) fn sources<'a>(
    e: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |&c| c.source())
}

/// The first error of type `T` among `e` and its sources.
pub(crate) fn find_source<'a, T: StdError + 'static>(
    e: &'a (dyn StdError + 'static),
) -> Option<&'a T> {
    sources(e).find_map(|c| c.downcast_ref::<T>())
}

/// Node's view of a socket failure: `Error` with `errno`, `code`, `syscall`; for a host
/// that could not be reached, what the JS SDK's HTTP/2 handler throws ([`unreachable`]).
fn network_error<E: StdError + Send + Sync + 'static>(
    err: &SdkError<E, HttpResponse>,
    meta: &ResponseMeta,
    attempt: Option<&Attempt>,
) -> CallError {
    let root: &(dyn StdError + 'static) = err;
    if find_source::<aws_credential_types::provider::error::CredentialsError>(root).is_some() {
        let mut e = CallError::bare(
            ErrorKind::Credentials,
            "CredentialsProviderError",
            chain(root),
            meta,
        );
        e.detail = chain(root);
        return e;
    }
    if let Some(cause) = unreachable_cause(root, attempt) {
        let mut e = unreachable(cause, meta);
        e.detail = chain(root);
        return e;
    }
    let io_kind = find_source::<std::io::Error>(root).map(std::io::Error::kind);
    let exhausted = exhaustion::find(root);
    use std::io::ErrorKind as Io;
    let (code, errno, syscall, message) = match io_kind {
        // No descriptor (or buffer, or port) left here: Node fails the socket's connect.
        _ if exhausted.is_some() => {
            let (code, errno) = exhausted.unwrap_or_default();
            (code, errno, "connect", format!("connect {code}"))
        }
        Some(Io::ConnectionReset) => ("ECONNRESET", -104, "read", "read ECONNRESET".to_string()),
        Some(Io::BrokenPipe) => ("EPIPE", -32, "write", "write EPIPE".to_string()),
        Some(Io::TimedOut) => ("ETIMEDOUT", -110, "read", "read ETIMEDOUT".to_string()),
        Some(Io::ConnectionAborted) => (
            "ECONNABORTED",
            -103,
            "read",
            "read ECONNABORTED".to_string(),
        ),
        // hyper's "connection closed before message completed" / an incomplete body: Node
        // reports these as "socket hang up" / "aborted", both with code ECONNRESET.
        _ => ("ECONNRESET", -104, "", "socket hang up".to_string()),
    };
    let mut e = CallError::bare(ErrorKind::Network, "Error", message, meta);
    e.code = Some(code.to_string());
    e.fields
        .push(("errno".to_string(), Doc::Number(f64::from(errno))));
    e.fields
        .push(("code".to_string(), Doc::String(code.to_string())));
    if !syscall.is_empty() {
        e.fields
            .push(("syscall".to_string(), Doc::String(syscall.to_string())));
    }
    e.detail = chain(root);
    e
}

/// The JS SDK sends over HTTP/2 (`NodeHttp2Handler`, for `http://` endpoints too), and
/// when the session cannot be opened Node cancels the pending stream: `Error
/// [ERR_HTTP2_STREAM_CANCEL]: The pending stream has been canceled (caused by: …)`, with
/// `code`, the socket error as `cause`, then `$metadata`.
fn unreachable(cause: CallError, meta: &ResponseMeta) -> CallError {
    let message = format!(
        "The pending stream has been canceled (caused by: {})",
        cause.message
    );
    let mut e = CallError::bare(ErrorKind::Network, "Error", message, meta);
    e.code = Some("ERR_HTTP2_STREAM_CANCEL".to_string());
    e.cause = Some(Box::new(cause));
    e
}

/// Node's own error for a host that could not be reached: the name did not resolve
/// (`getaddrinfo ENOTFOUND <hostname>`) or the connection was refused
/// (`connect ECONNREFUSED <address>:<port>`), with the fields Node sets, in its order.
/// `None` for any other failure.
fn unreachable_cause(
    root: &(dyn StdError + 'static),
    attempt: Option<&Attempt>,
) -> Option<CallError> {
    let socket_error = |message: String, fields: Vec<(&str, Doc)>| {
        let mut e = CallError::bare(
            ErrorKind::Network,
            "Error",
            message,
            &ResponseMeta::default(),
        );
        e.fields = fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        e
    };
    let text = chain(root).to_ascii_lowercase();
    if text.contains("dns error") || text.contains("failed to lookup address") {
        // libuv's getaddrinfo codes; Node reports EAI_NONAME and EAI_NODATA as ENOTFOUND.
        let (code, errno) = if text.contains("temporary failure") {
            ("EAI_AGAIN", -3001)
        } else if text.contains("no address associated") {
            ("ENOTFOUND", -3007)
        } else {
            ("ENOTFOUND", -3008)
        };
        let hostname = attempt.map_or(String::new(), |a| a.host.clone());
        return Some(socket_error(
            format!("getaddrinfo {code} {hostname}")
                .trim_end()
                .to_string(),
            vec![
                ("errno", Doc::Number(f64::from(errno))),
                ("code", Doc::String(code.to_string())),
                ("syscall", Doc::String("getaddrinfo".to_string())),
                ("hostname", Doc::String(hostname)),
            ],
        ));
    }
    let refused = find_source::<std::io::Error>(root)
        .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused);
    if !refused {
        return None;
    }
    let (address, port) = match refused_address(root) {
        Some(addr) => (addr.ip().to_string(), addr.port()),
        None => attempt.map_or((String::new(), 0), |a| (a.host.clone(), a.port)),
    };
    Some(socket_error(
        format!("connect ECONNREFUSED {address}:{port}"),
        vec![
            ("errno", Doc::Number(-111.0)),
            ("code", Doc::String("ECONNREFUSED".to_string())),
            ("syscall", Doc::String("connect".to_string())),
            ("address", Doc::String(address)),
            ("port", Doc::Number(f64::from(port))),
        ],
    ))
}

/// The resolved address a refused connection went to. hyper-util's `ConnectError` is not
/// public and keeps it only in its `Debug` text: `ConnectError("tcp connect error",
/// 127.0.0.1:4010, Os { .. })`.
fn refused_address(root: &(dyn StdError + 'static)) -> Option<std::net::SocketAddr> {
    let connect_error = sources(root).find_map(|e| {
        let debug = format!("{e:?}");
        debug.strip_prefix("ConnectError(\"").map(str::to_owned)
    })?;
    connect_error.split(", ").nth(1)?.parse().ok()
}

fn construction_error<E: StdError + Send + Sync + 'static>(
    err: &SdkError<E, HttpResponse>,
    meta: &ResponseMeta,
) -> CallError {
    let root: &(dyn StdError + 'static) = err;
    if find_source::<aws_credential_types::provider::error::CredentialsError>(root).is_some() {
        return CallError::bare(
            ErrorKind::Credentials,
            "CredentialsProviderError",
            chain(root),
            meta,
        );
    }
    CallError::bare(ErrorKind::Construction, "Error", chain(root), meta)
}

/// True when `err` is the Rust SDK failing to parse a 2xx body (e.g. a member it requires
/// is missing) although the JS SDK would have accepted it.
pub(crate) fn success_status_body<E>(err: &SdkError<E, HttpResponse>) -> Option<&HttpResponse> {
    match err {
        SdkError::ServiceError(ctx) if ctx.raw().status().is_success() => Some(ctx.raw()),
        SdkError::ResponseError(ctx) if ctx.raw().status().is_success() => Some(ctx.raw()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
