//! Any `SdkError` of a Bedrock operation mapped to a `CallError`: what the Rust SDK reports,
//! sorted into the failures the JS SDK would throw.

use super::network::network_error;
use super::service::{deserialization_error, service_error};
use crate::bounds::TooLarge;
use crate::call_error::{CallError, ErrorKind};
use crate::json;
use crate::observe::Attempt;
use crate::output::ResponseMeta;
use crate::source_chain::{chain, find_source};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use std::error::Error as StdError;
use std::time::Duration;

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
pub(super) fn timeout_message(attempt_timeout: Option<Duration>) -> String {
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
