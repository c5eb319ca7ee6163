//! What the Rust SDK does not hand back but the JS SDK reports: attempts, retry delays, the
//! final response's status/headers and its raw body. One client-level interceptor and a
//! sleep wrapper record them into a task-local `CallState` that `Transport` scopes around
//! each call (the orchestrator runs interceptors and the retry sleep inside the caller's
//! task, so a task-local needs no per-request SDK configuration, which would cost far more).

use crate::bounds;
use crate::output::ResponseMeta;
use aws_sdk_bedrockruntime::config::{AsyncSleep, ConfigBag, Intercept, RuntimeComponents, Sleep};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeDeserializationInterceptorContextMut,
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::http::Headers;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::timeout::TimeoutConfig;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::time::Duration;

/// Which raw body the call wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Capture {
    /// Copy the buffered body of a successful Converse response.
    ConverseBody,
    /// Take the event-stream body of a successful ConverseStream response away from the
    /// SDK (which is left an empty one) so that events are decoded straight from the wire.
    StreamBody,
}

/// Per-call records, owned by the calling task.
pub(crate) struct CallState {
    capture: Capture,
    /// `maxResponseBytes`: the most a buffered (non-event-stream) body may hold.
    max_body_bytes: u64,
    attempts: Cell<u32>,
    /// Set after an attempt ends: the next sleep the orchestrator starts is the retry backoff.
    backoff_pending: Cell<bool>,
    retry_delay_ms: Cell<u64>,
    meta: RefCell<Option<ResponseMeta>>,
    /// The buffered body, sharing the SDK's bytes (no copy).
    body: RefCell<Option<SdkBody>>,
    stream: RefCell<Option<SdkBody>>,
    /// How the last attempt was sent: connection and timeout errors name it, as the JS
    /// SDK's do.
    attempt: RefCell<Option<Attempt>>,
}

/// Where an attempt connects to (the resolved endpoint, after any override) and how long
/// it may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attempt {
    /// As written in the URI (an IPv6 literal without its brackets).
    pub(crate) host: String,
    pub(crate) port: u16,
    /// The attempt timeout (`requestHandler.requestTimeout`), when one is set.
    pub(crate) timeout: Option<Duration>,
}

impl Attempt {
    pub(crate) fn new(uri: &str, timeout: Option<Duration>) -> Option<Attempt> {
        let uri: http::Uri = uri.parse().ok()?;
        let default_port = if uri.scheme_str() == Some("http") {
            80
        } else {
            443
        };
        let host = uri.host()?;
        Some(Attempt {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port: uri.port_u16().unwrap_or(default_port),
            timeout,
        })
    }
}

impl CallState {
    pub(crate) fn new(capture: Capture, max_body_bytes: u64) -> Self {
        CallState {
            capture,
            max_body_bytes,
            attempts: Cell::new(0),
            backoff_pending: Cell::new(false),
            retry_delay_ms: Cell::new(0),
            meta: RefCell::new(None),
            body: RefCell::new(None),
            stream: RefCell::new(None),
            attempt: RefCell::new(None),
        }
    }

    pub(crate) fn attempts(&self) -> u32 {
        self.attempts.get()
    }

    /// JS adds `Math.floor`ed backoff delays; so do we.
    pub(crate) fn total_retry_delay_ms(&self) -> f64 {
        self.retry_delay_ms.get() as f64
    }

    /// `$metadata` of the final response (or just the counts if there was none).
    pub(crate) fn response_meta(&self) -> ResponseMeta {
        let mut meta = self.meta.borrow().clone().unwrap_or_default();
        meta.attempts = self.attempts();
        meta.total_retry_delay_ms = self.total_retry_delay_ms();
        meta
    }

    pub(crate) fn take_body(&self) -> Option<SdkBody> {
        self.body.borrow_mut().take()
    }

    pub(crate) fn take_stream(&self) -> Option<SdkBody> {
        self.stream.borrow_mut().take()
    }

    /// How the last attempt went out (`None` if no attempt got as far as sending).
    pub(crate) fn attempt(&self) -> Option<Attempt> {
        self.attempt.borrow().clone()
    }
}

tokio::task_local! {
    static CALL: CallState;
}

/// Runs `future` (one SDK call) with `state` recording it; returns both.
pub(crate) async fn observed<F: Future>(state: CallState, future: F) -> (CallState, F::Output) {
    let (capture, max_body_bytes) = (state.capture, state.max_body_bytes);
    let mut scoped = std::pin::pin!(CALL.scope(state, future));
    let output = scoped.as_mut().await;
    // The value is always there once the future completed; an empty record is the
    // harmless fallback.
    let state = scoped
        .as_mut()
        .take_value()
        .unwrap_or_else(|| CallState::new(capture, max_body_bytes));
    (state, output)
}

fn with_state(f: impl FnOnce(&CallState)) {
    // Outside a Transport call (someone else's use of the client) there is nothing to record.
    let _ = CALL.try_with(f);
}

pub(crate) fn header_string(headers: &Headers, name: &str) -> Option<String> {
    headers.get(name).map(str::to_owned)
}

/// Records attempts and the final response; steals/keeps the raw body on success; bounds
/// the bodies the SDK buffers by `maxResponseBytes`.
#[derive(Debug)]
pub(crate) struct Recorder;

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "bmm-transport::Recorder"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        with_state(|s| {
            s.attempts.set(s.attempts.get() + 1);
            s.backoff_pending.set(false);
        });
        Ok(())
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Read once the endpoint is applied (it is not yet before the attempt starts).
        let timeout = cfg
            .load::<TimeoutConfig>()
            .and_then(TimeoutConfig::operation_attempt_timeout);
        let attempt = Attempt::new(context.request().uri(), timeout);
        with_state(|s| *s.attempt.borrow_mut() = attempt);
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response_mut();
        let status = response.status().as_u16();
        let meta = ResponseMeta::from_response(status, |h| header_string(response.headers(), h));
        let mut steal = false;
        let mut limit = None;
        with_state(|s| {
            *s.meta.borrow_mut() = Some(meta);
            steal = s.capture == Capture::StreamBody && (200..300).contains(&status);
            limit = Some(s.max_body_bytes);
        });
        if steal {
            let body = response.take_body();
            with_state(|s| *s.stream.borrow_mut() = Some(body));
            // The SDK builds its (unused) event receiver over an empty body.
            *response.body_mut() = SdkBody::empty();
        } else if let Some(limit) = limit {
            // The SDK reads this body whole before deserialising it: bounded by `limit`.
            let content_length = header_string(response.headers(), "content-length");
            let body = response.take_body();
            *response.body_mut() = bounds::bounded_whole(body, content_length.as_deref(), limit)?;
        }
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        if !response.status().is_success() {
            return Ok(());
        }
        with_state(|s| {
            if s.capture == Capture::ConverseBody {
                // Non-streaming bodies are buffered before deserialisation.
                *s.body.borrow_mut() = response.body().try_clone();
            }
        });
        Ok(())
    }

    fn read_after_attempt(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        with_state(|s| s.backoff_pending.set(true));
        Ok(())
    }
}

/// Tokio sleeps that count the retry backoff: the orchestrator starts that sleep right after
/// an attempt's `read_after_attempt` and before the next `read_before_attempt`; the only
/// other sleep started in that window (the next attempt's timeout) comes after it.
#[derive(Debug, Default)]
pub(crate) struct CountingSleep;

impl AsyncSleep for CountingSleep {
    fn sleep(&self, duration: Duration) -> Sleep {
        with_state(|s| {
            if s.backoff_pending.replace(false) {
                let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
                s.retry_delay_ms
                    .set(s.retry_delay_ms.get().saturating_add(ms));
            }
        });
        Sleep::new(tokio::time::sleep(duration))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_names_the_host_and_port_of_the_uri() {
        let at = |uri| Attempt::new(uri, None).map(|a| (a.host, a.port));
        assert_eq!(
            at("https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse"),
            Some(("bedrock-runtime.us-east-1.amazonaws.com".to_string(), 443))
        );
        assert_eq!(
            at("http://localhost/model/m/converse"),
            Some(("localhost".to_string(), 80))
        );
        assert_eq!(
            at("http://[::1]:4010/model/m/converse"),
            Some(("::1".to_string(), 4010))
        );
        assert_eq!(at("not a uri"), None);
    }
}
