//! `CallError` and its `ErrorKind`: a failed call in the terms of the error the JS SDK throws.

use crate::doc::{Doc, JsText};
use crate::output::ResponseMeta;
use std::error::Error as StdError;
use std::fmt;

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
    /// `Error` (network errors), `CredentialsProviderError`. A `JsText`: a service's error
    /// code holding a lone surrogate is the name as the JS SDK reads it.
    pub name: JsText,
    /// A `JsText`, as the JS SDK's message is the body's string as `JSON.parse` read it,
    /// lone surrogates included.
    pub message: JsText,
    /// `$fault`: `"client"` / `"server"` for service errors, `None` otherwise.
    pub fault: Option<&'static str>,
    /// What the error's `$metadata` says ([`CallError::metadata`] renders it).
    pub meta: ResponseMeta,
    pub kind: ErrorKind,
    /// Node's `code` for network errors (`ECONNRESET`, `ECONNREFUSED`, ...).
    pub code: Option<String>,
    /// Other own properties the JS error carries, in order: modelled members other than
    /// `message` (e.g. `originalStatusCode`, `resourceName`, `undefined` when absent), other
    /// body fields (`decorateServiceException`), or `errno`/`code`/`syscall` for network errors.
    pub fields: Vec<(JsText, Doc)>,
    /// The error's `cause` (own property after `code`): for a host that could not be
    /// reached, Node's socket error (`name`/`message`/`fields` only, no `$metadata`).
    pub cause: Option<Box<CallError>>,
    /// The raw body of a response that could not be parsed, so the JS side can reproduce
    /// its exact `SyntaxError` message with `JSON.parse` (and expose `$response`).
    pub response_body: Option<Vec<u8>>,
    /// The Rust SDK's own description of the failure, for logs.
    pub detail: String,
    /// The error answer's back-off headers (`retry-after`, `x-amz-retry-after`) as sent,
    /// for the hidden `$response.headers` a caller (or `failover.backoff`) reads them from.
    pub retry_after_headers: Vec<(&'static str, String)>,
}

impl CallError {
    pub(crate) fn bare(
        kind: ErrorKind,
        name: impl Into<JsText>,
        message: impl Into<JsText>,
        meta: &ResponseMeta,
    ) -> CallError {
        CallError {
            name: name.into(),
            message: message.into(),
            fault: None,
            meta: meta.clone(),
            kind,
            code: None,
            fields: Vec::new(),
            cause: None,
            response_body: None,
            detail: String::new(),
            retry_after_headers: Vec::new(),
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
        self.meta.to_doc()
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
        ) || self.meta.http_status_code == Some(429)
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
        e.fields.push(("path".into(), Doc::String(error.path)));
        e
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl StdError for CallError {}
