//! A request that got no usable answer: Node's socket errors, and the cancelled HTTP/2
//! stream the JS SDK throws for a host it cannot reach.

use crate::call_error::{CallError, ErrorKind};
use crate::doc::Doc;
use crate::exhaustion;
use crate::observe::Attempt;
use crate::output::ResponseMeta;
use crate::source_chain::{chain, find_source, sources};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use std::error::Error as StdError;

/// Node's view of a socket failure: `Error` with `errno`, `code`, `syscall`; for a host
/// that could not be reached, what the JS SDK's HTTP/2 handler throws ([`unreachable`]).
pub(super) fn network_error<E: StdError + Send + Sync + 'static>(
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
        .push(("errno".into(), Doc::Number(f64::from(errno))));
    e.fields
        .push(("code".into(), Doc::String(code.to_string())));
    if !syscall.is_empty() {
        e.fields
            .push(("syscall".into(), Doc::String(syscall.to_string())));
    }
    e.detail = chain(root);
    e
}

/// The JS SDK sends over HTTP/2 (`NodeHttp2Handler`, for `http://` endpoints too), and
/// when the session cannot be opened Node cancels the pending stream: `Error
/// [ERR_HTTP2_STREAM_CANCEL]: The pending stream has been canceled (caused by: …)`, with
/// `code`, the socket error as `cause`, then `$metadata`.
pub(super) fn unreachable(cause: CallError, meta: &ResponseMeta) -> CallError {
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
        e.fields = fields.into_iter().map(|(k, v)| (k.into(), v)).collect();
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
