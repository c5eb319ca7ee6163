//! Beyond the original (issue 14): which failed attempts move on to another model under the `failover` option.
//!
//! The original fails fast on everything but throttling. With `failover` set, a failure
//! the service or the connection caused (not the request itself) counts against the
//! model's breaker as before and the request tries the next model, within `maxRetries`
//! and the overall `defaultTimeoutMs` deadline. Validation errors, access denied and
//! other client faults still fail fast: another model would refuse them too.

/// The caller's `failover` option, as read by the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailoverPolicy {
    /// 5xx answers and Bedrock's server-side exceptions (`serverErrors`, default on).
    pub server_errors: bool,
    /// Resets, refused connections, truncated or unparseable bodies, the SDK's own
    /// timeouts (`connectionErrors`, default on).
    pub connection_errors: bool,
    /// `attemptTimeoutMs` is set: an attempt cut by it moves on whatever the rest says.
    pub attempt_timeout: bool,
}

/// What the driver could read off the error a send threw.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FailedSend<'a> {
    /// `error.name`.
    pub name: &'a str,
    /// `error.message`.
    pub message: &'a str,
    /// `error.$fault` (`"server"` or `"client"` on a service error).
    pub fault: Option<&'a str>,
    /// `error.$metadata.httpStatusCode`.
    pub status: Option<f64>,
    /// `error.code` and `error.cause.code`.
    pub codes: [&'a str; 2],
}

/// Bedrock's exceptions that say the service, not the request, failed; they fail over
/// whatever status they arrive with (`ModelNotReadyException` comes as a 429).
const SERVER_FAILURE_NAMES: [&str; 4] = [
    "ServiceUnavailableException",
    "ModelNotReadyException",
    "InternalServerException",
    "ModelErrorException",
];

/// Errors about the request or the caller: never a failover, whatever else they carry.
const REQUEST_FAULT_NAMES: [&str; 5] = [
    "ValidationException",
    "ValidationError",
    "AccessDeniedException",
    "UnauthorizedException",
    "CredentialsProviderError",
];

/// Node's socket and HTTP/2 codes for a connection that broke or never opened.
const CONNECTION_CODES: [&str; 11] = [
    "ECONNRESET",
    "ECONNREFUSED",
    "ECONNABORTED",
    "EPIPE",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "ERR_HTTP2_STREAM_CANCEL",
    "ERR_HTTP2_STREAM_ERROR",
    "ERR_HTTP2_SESSION_ERROR",
    "ERR_HTTP2_GOAWAY_SESSION",
];

/// Message fragments of a broken transfer when no code says it: a reset read
/// (`read ECONNRESET`), a body cut short (`socket hang up`, an HTTP/2 stream reset), a
/// body that did not parse (the SDK's `Deserialization error`).
const BROKEN_TRANSFER_TEXTS: [&str; 5] = [
    "econnreset",
    "econnrefused",
    "socket hang up",
    "nghttp2",
    "deserialization error",
];

/// Whether the failed send moves on to another model under `policy`.
pub fn fails_over(policy: FailoverPolicy, send: FailedSend) -> bool {
    if REQUEST_FAULT_NAMES.contains(&send.name) {
        return false;
    }
    if send.name == "TimeoutError" {
        return policy.attempt_timeout || policy.connection_errors;
    }
    (policy.server_errors && is_server_failure(send))
        || (policy.connection_errors && is_connection_failure(send))
}

fn is_server_failure(send: FailedSend) -> bool {
    SERVER_FAILURE_NAMES.contains(&send.name)
        || send.fault == Some("server")
        || send.status.is_some_and(|status| status >= 500.0)
}

fn is_connection_failure(send: FailedSend) -> bool {
    if send
        .codes
        .iter()
        .any(|code| CONNECTION_CODES.contains(code))
    {
        return true;
    }
    let message = send.message.to_lowercase();
    BROKEN_TRANSFER_TEXTS
        .iter()
        .any(|text| message.contains(text))
}

#[cfg(test)]
mod tests;
