//! `Transport`: one `aws_sdk_bedrockruntime::Client` (one HTTP connection pool for every
//! model) configured like the JavaScript SDK's defaults, and the Converse call over it.

mod build;
mod settings;

pub use settings::{ClientSettings, ConfigError, Credentials, NodeTrust};

use crate::bounds;
use crate::call_error::CallError;
use crate::doc::Doc;
use crate::error;
use crate::input::Operation;
use crate::observe::{self, CallState, Capture};
use crate::output;
use crate::request_writer::request_body;
use crate::send_body;
use crate::stream::EventStream;
use aws_sdk_bedrockruntime::error::SdkError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::body::SdkBody;
use build::{build_client, Built};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Sends Converse / ConverseStream requests for any model over one shared client.
///
/// The client itself is built at the first call, as the JS SDK resolves its settings at the
/// first `send`: what `ClientSettings` leaves out is read from the environment and the
/// shared config files then (see `config.rs`), and a setting found nowhere (no region)
/// fails that call, not the construction.
#[derive(Clone, Debug)]
pub struct Transport {
    shared: Arc<Shared>,
    /// The most a response body the SDK buffers may hold (event streams are bounded per frame).
    max_response_bytes: u64,
}

#[derive(Debug)]
struct Shared {
    settings: ClientSettings,
    /// Not set after a failed build: the next call tries again (JS does not memoise a
    /// failed provider either).
    client: tokio::sync::OnceCell<Built>,
}

/// One SDK call, boxed, with or without the caller's user-agent interceptor. Boxed also
/// because the SDK's future is ~5 KB: every move of an unboxed one (into the caller's
/// future, into napi's task, into tokio's) would be a memcpy per call.
type SdkCall<T, E> = Pin<Box<dyn Future<Output = Result<T, SdkError<E, HttpResponse>>> + Send>>;

/// Sends a fluent Converse / ConverseStream `request` as an [`SdkCall`], adding the caller's
/// user-agent interceptor per operation when there is one (`user_agent.rs` says why per
/// operation); without one the request is sent as it is, with no config override to merge.
/// A macro because the two operations' builders share no trait nameable outside the SDK.
macro_rules! sdk_call {
    ($request:expr, $user_agent:expr) => {{
        let request = $request;
        let call: SdkCall<_, _> = match $user_agent {
            Some(ua) => Box::pin(request.customize().interceptor(ua.clone()).send()),
            None => Box::pin(request.send()),
        };
        call
    }};
}

impl Transport {
    /// Checks the explicit settings; the client is built at the first call.
    pub fn new(settings: ClientSettings) -> Result<Transport, ConfigError> {
        settings.check()?;
        Ok(Transport {
            shared: Arc::new(Shared {
                settings,
                client: tokio::sync::OnceCell::new(),
            }),
            max_response_bytes: bounds::DEFAULT_MAX_RESPONSE_BYTES,
        })
    }

    /// This transport (the same client and pool) with another bound on response bodies; a
    /// body declared or read beyond it fails the call with `ResponseTooLargeError`.
    pub fn with_max_response_bytes(&self, max_response_bytes: u64) -> Transport {
        Transport {
            shared: Arc::clone(&self.shared),
            max_response_bytes,
        }
    }

    /// The client, built on first use.
    async fn client(&self) -> Result<&Built, CallError> {
        self.shared
            .client
            .get_or_try_init(|| build_client(&self.shared.settings))
            .await
    }

    /// One SDK call for `input`: its body written as the JS SDK writes it (and sent in place
    /// of the Rust SDK's), the client built on first use, the call `request` makes of it
    /// sent, and what the operation's answer needs recorded.
    async fn send<T, E>(
        &self,
        input: &Doc,
        service_tier: Option<&str>,
        op: Operation,
        request: impl FnOnce(&Built) -> SdkCall<T, E>,
    ) -> Result<(CallState, Result<T, SdkError<E, HttpResponse>>), CallError> {
        let body = request_body(input, service_tier, op).map_err(CallError::input)?;
        let built = self.client().await?;
        let capture = match op {
            Operation::Converse => Capture::ConverseBody,
            Operation::ConverseStream => Capture::StreamBody,
        };
        let call = send_body::sending(body.into(), request(built));
        Ok(observe::observed(CallState::new(capture, self.max_response_bytes), call).await)
    }

    /// One Converse call: `input` is a JS `ConverseCommandInput` (its `modelId` is ignored),
    /// the result the JS `ConverseCommandOutput`, the error what the JS SDK would throw.
    pub async fn converse(
        &self,
        model_id: &str,
        input: &Doc,
        service_tier: Option<&str>,
    ) -> Result<Doc, CallError> {
        let (state, result) = self
            .send(input, service_tier, Operation::Converse, |built| {
                sdk_call!(
                    built.client.converse().model_id(model_id),
                    &built.user_agent
                )
            })
            .await?;
        let meta = state.response_meta();
        match result {
            Ok(typed) => {
                // Answered from the raw body: free the SDK's typed copy before converting.
                drop(typed);
                let body = state.take_body();
                let body = body.as_ref().and_then(SdkBody::bytes).unwrap_or_default();
                output::converse_output(body, &meta)
                    .map_err(|e| error::deserialization_error(&e, body, &meta))
            }
            Err(err) => {
                // The Rust SDK rejects some 2xx bodies the JS SDK accepts (a member it
                // requires is missing); answer from the body like JS would.
                if let Some(body) = error::success_status_body(&err).and_then(|r| r.body().bytes())
                {
                    if let Ok(doc) = output::converse_output(body, &meta) {
                        return Ok(doc);
                    }
                }
                Err(error::from_sdk(err, &meta, state.attempt().as_ref()))
            }
        }
    }

    /// One ConverseStream call. Like the JS SDK, it returns once the first event has arrived
    /// (an exception as first event is this call's error). Gives the output's `$metadata`
    /// and the event stream (`{ stream, $metadata }` in JS); dropping the stream closes the
    /// HTTP response.
    pub async fn converse_stream(
        &self,
        model_id: &str,
        input: &Doc,
        service_tier: Option<&str>,
    ) -> Result<(Doc, EventStream), CallError> {
        let (state, result) = self
            .send(input, service_tier, Operation::ConverseStream, |built| {
                sdk_call!(
                    built.client.converse_stream().model_id(model_id),
                    &built.user_agent
                )
            })
            .await?;
        let meta = state.response_meta();
        match result {
            Ok(_typed) => {
                let body = state.take_stream().unwrap_or_else(SdkBody::empty);
                let mut events = EventStream::new(body, meta.clone());
                events.prefetch().await?;
                Ok((meta.to_doc(), events))
            }
            Err(err) => Err(error::from_sdk(err, &meta, state.attempt().as_ref())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::build::{retry_config, timeout_config};
    use super::settings::retry_mode;
    use super::*;
    use aws_smithy_types::retry::RetrySpec;
    use std::time::Duration;

    fn settings() -> ClientSettings {
        ClientSettings {
            region: Some("us-east-1".into()),
            credentials: Credentials::Static {
                access_key_id: "AKID".into(),
                secret_access_key: "secret".into(),
                session_token: None,
                expiration: None,
            },
            ..Default::default()
        }
    }

    #[test]
    fn bad_settings_fail_at_construction() {
        let check = |s: ClientSettings, setting: &str| {
            assert_eq!(Transport::new(s).map(|_| ()).unwrap_err().setting, setting);
        };
        check(
            ClientSettings {
                max_attempts: Some(0),
                ..settings()
            },
            "maxAttempts",
        );
        check(
            ClientSettings {
                retry_mode: Some("eager".into()),
                ..settings()
            },
            "retryMode",
        );
        check(
            ClientSettings {
                endpoint: Some("localhost:80".into()),
                ..settings()
            },
            "endpoint",
        );
        check(
            ClientSettings {
                region: Some("us east".into()),
                ..settings()
            },
            "region",
        );
        assert!(Transport::new(settings()).is_ok());
    }

    #[test]
    fn js_defaults() {
        let retry = retry_config(false, 3);
        assert_eq!(retry.max_attempts(), 3);
        assert_eq!(retry.retry_spec(), Some(&RetrySpec::v2_1()));
        assert_eq!(retry_mode(None), Ok(false));
        assert_eq!(retry_mode(Some("legacy")), Ok(false));
        assert_eq!(retry_mode(Some("adaptive")), Ok(true));
        let timeouts = timeout_config(&settings());
        assert_eq!(timeouts.connect_timeout(), None);
        assert_eq!(timeouts.operation_attempt_timeout(), None);
        let timeouts = timeout_config(&ClientSettings {
            connect_timeout: Some(Duration::from_secs(1)),
            request_timeout: Some(Duration::from_secs(2)),
            ..settings()
        });
        assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(1)));
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(Duration::from_secs(2))
        );
    }
}
