//! `Transport`: one `aws_sdk_bedrockruntime::Client` (one HTTP connection pool for every
//! model) configured like the JavaScript SDK's defaults, and the Converse call over it.

use crate::bounds::{self, NoRetryWhenTooLarge};
use crate::doc::Doc;
use crate::error::{self, CallError};
use crate::input;
use crate::observe::{self, CallState, Capture, CountingSleep, Recorder};
use crate::output;
use crate::stream::EventStream;
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::{future, ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_bedrockruntime::config::{
    AppName, BehaviorVersion, IdentityCache, Region, SharedHttpClient,
    StalledStreamProtectionConfig,
};
use aws_sdk_bedrockruntime::Client;
use aws_smithy_http_client::tls;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::{RetryConfig, RetrySpec};
use aws_smithy_types::timeout::TimeoutConfig;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Where credentials come from.
#[derive(Clone, Default)]
pub enum Credentials {
    /// Fixed keys (`expiration` only informs the SDK's identity cache).
    Static {
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
        expiration: Option<SystemTime>,
    },
    /// A provider (the napi layer bridges async JS credential providers through this). The
    /// client's identity cache calls it once and again only when the credentials it returned
    /// are about to expire.
    Provider(Arc<dyn ProvideCredentials>),
    /// The standard chain (environment, profile/SSO/process, web identity, ECS, IMDS), like
    /// the JS SDK's `fromNodeProviderChain`. Built on first use.
    #[default]
    DefaultChain,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Static { access_key_id, .. } => {
                write!(f, "Static {{ access_key_id: {access_key_id:?}, .. }}")
            }
            Credentials::Provider(_) => f.write_str("Provider(..)"),
            Credentials::DefaultChain => f.write_str("DefaultChain"),
        }
    }
}

/// The client settings the multiplexer exposes (the JS `BedrockRuntimeClientConfig`
/// subset). `None` means the JS SDK's default.
#[derive(Debug, Clone, Default)]
pub struct ClientSettings {
    pub region: Option<String>,
    pub credentials: Credentials,
    /// e.g. `http://127.0.0.1:4010`; default: the regional Bedrock Runtime endpoint.
    pub endpoint: Option<String>,
    /// Total attempts per call including the first (JS default 3).
    pub max_attempts: Option<u32>,
    /// `standard` (default), `adaptive` or `legacy` (treated as `standard`).
    pub retry_mode: Option<String>,
    /// Default none, as in the JS SDK's Node handler (the Rust SDK's own default is 3.1 s).
    pub connect_timeout: Option<Duration>,
    /// Per attempt (JS `requestTimeout`); default none.
    pub request_timeout: Option<Duration>,
    /// Added to the User-Agent as `app/<suffix>` (letters, digits and `!#$%&'*+-.^_`|~`).
    pub user_agent_suffix: Option<String>,
    /// The Rust SDK aborts bodies that stall (no bytes for 5 s); the JS SDK has no such
    /// guard. `Some(false)` turns it off (saves ~10 µs of CPU per call); default on.
    pub stalled_stream_protection: Option<bool>,
}

/// A setting that cannot be used; reported by `Transport::new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub setting: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.setting, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn config_error(setting: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        message: message.into(),
    }
}

/// Sends Converse / ConverseStream requests for any model over one shared client.
#[derive(Clone, Debug)]
pub struct Transport {
    client: Client,
    /// The most a response body the SDK buffers may hold (event streams are bounded per frame).
    max_response_bytes: u64,
}

impl Transport {
    /// Builds the client. The region is `settings.region`, else `AWS_REGION` /
    /// `AWS_DEFAULT_REGION`; use [`Transport::load`] to also consult profile files.
    pub fn new(settings: ClientSettings) -> Result<Transport, ConfigError> {
        let region = settings
            .region
            .clone()
            .or_else(|| std::env::var("AWS_REGION").ok())
            .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
            .filter(|r| !r.is_empty())
            .ok_or_else(|| config_error("region", "Region is missing"))?;
        Transport::with_region(settings, region)
    }

    /// Like [`Transport::new`], resolving a missing region through the SDKs' default region
    /// chain (environment, shared config profile, IMDS).
    pub async fn load(settings: ClientSettings) -> Result<Transport, ConfigError> {
        if settings.region.is_some() {
            return Transport::new(settings);
        }
        // Environment and profile files; IMDS would need the SDK's default HTTP client.
        let region = aws_config::default_provider::region::DefaultRegionChain::builder()
            .build()
            .region()
            .await
            .ok_or_else(|| config_error("region", "Region is missing"))?;
        Transport::with_region(settings, region.to_string())
    }

    fn with_region(settings: ClientSettings, region: String) -> Result<Transport, ConfigError> {
        if region.is_empty()
            || !region
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(config_error(
                "region",
                format!("{region:?} is not a region name"),
            ));
        }
        let http = http_client();
        let mut config = aws_sdk_bedrockruntime::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.clone()))
            .http_client(http.clone())
            .retry_config(retry_config(&settings)?)
            .timeout_config(timeout_config(&settings))
            .sleep_impl(CountingSleep)
            // The JS SDK refreshes credentials 5 minutes before they expire; the Rust
            // default is 10 s (both jittered the same way: 50-100% of the buffer).
            .identity_cache(
                IdentityCache::lazy()
                    .buffer_time(Duration::from_secs(300))
                    .build(),
            )
            .interceptor(Recorder)
            .retry_classifier(NoRetryWhenTooLarge);
        config = match settings.credentials {
            Credentials::Static {
                access_key_id,
                secret_access_key,
                session_token,
                expiration,
            } => {
                if access_key_id.is_empty() || secret_access_key.is_empty() {
                    return Err(config_error(
                        "credentials",
                        "accessKeyId and secretAccessKey must not be empty",
                    ));
                }
                config.credentials_provider(aws_credential_types::Credentials::new(
                    access_key_id,
                    secret_access_key,
                    session_token,
                    expiration,
                    "bmm-transport",
                ))
            }
            Credentials::Provider(provider) => config.credentials_provider(provider),
            Credentials::DefaultChain => {
                config.credentials_provider(DefaultChain::shared(http, region))
            }
        };
        if let Some(endpoint) = &settings.endpoint {
            validate_endpoint(endpoint)?;
            config = config.endpoint_url(endpoint.clone());
        }
        if let Some(suffix) = &settings.user_agent_suffix {
            let name = AppName::new(suffix.clone())
                .map_err(|e| config_error("userAgentSuffix", e.to_string()))?;
            config = config.app_name(name);
        }
        if settings.stalled_stream_protection == Some(false) {
            config = config.stalled_stream_protection(StalledStreamProtectionConfig::disabled());
        }
        Ok(Transport {
            client: Client::from_conf(config.build()),
            max_response_bytes: bounds::DEFAULT_MAX_RESPONSE_BYTES,
        })
    }

    /// This transport (the same client and pool) with another bound on response bodies; a
    /// body declared or read beyond it fails the call with `ResponseTooLargeError`.
    pub fn with_max_response_bytes(&self, max_response_bytes: u64) -> Transport {
        Transport {
            client: self.client.clone(),
            max_response_bytes,
        }
    }

    /// The underlying SDK client (shared pool, interceptors included).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// One Converse call: `input` is a JS `ConverseCommandInput` (its `modelId` is ignored),
    /// the result the JS `ConverseCommandOutput`, the error what the JS SDK would throw.
    pub async fn converse(
        &self,
        model_id: &str,
        input: &Doc,
        service_tier: Option<&str>,
    ) -> Result<Doc, CallError> {
        let request = input::converse_input(input, service_tier).map_err(CallError::input)?;
        // Boxed: the SDK's future is ~7 KB, and every move of an unboxed one (into
        // this future, into napi's task, into tokio's) is a memcpy per call.
        let call = Box::pin(request.apply(self.client.converse().model_id(model_id)).send());
        let state = CallState::new(Capture::ConverseBody, self.max_response_bytes);
        let (state, result) = observe::observed(state, call).await;
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
                Err(error::from_sdk(err, &meta))
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
        let request =
            input::converse_stream_input(input, service_tier).map_err(CallError::input)?;
        let call = Box::pin(
            request
                .apply_stream(self.client.converse_stream().model_id(model_id))
                .send(),
        );
        let state = CallState::new(Capture::StreamBody, self.max_response_bytes);
        let (state, result) = observe::observed(state, call).await;
        let meta = state.response_meta();
        match result {
            Ok(_typed) => {
                let body = state.take_stream().unwrap_or_else(SdkBody::empty);
                let mut events = EventStream::new(body, meta.clone());
                events.prefetch().await?;
                Ok((meta.to_doc(), events))
            }
            Err(err) => Err(error::from_sdk(err, &meta)),
        }
    }
}

fn http_client() -> SharedHttpClient {
    // rustls with ring (no aws-lc C build); offers h2 and http/1.1 over TLS, plain
    // HTTP/1.1 for `http://` endpoints.
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

fn retry_config(settings: &ClientSettings) -> Result<RetryConfig, ConfigError> {
    let base = match settings.retry_mode.as_deref().unwrap_or("standard") {
        "standard" | "legacy" => RetryConfig::standard(),
        "adaptive" => RetryConfig::adaptive(),
        other => {
            return Err(config_error(
                "retryMode",
                format!("{other:?} is not standard, adaptive or legacy"),
            ))
        }
    };
    let attempts = settings.max_attempts.unwrap_or(3);
    if attempts == 0 {
        return Err(config_error("maxAttempts", "must be at least 1"));
    }
    // Retry behaviour 2.1 is what the JS SDK implements now: 50 ms base backoff (1 s for
    // throttling), full jitter, 20 s cap, retry cost 14 (5 for throttling).
    Ok(base
        .with_max_attempts(attempts)
        .with_retry_spec(RetrySpec::v2_1()))
}

fn timeout_config(settings: &ClientSettings) -> TimeoutConfig {
    let mut builder = TimeoutConfig::builder();
    builder = match settings.connect_timeout {
        Some(timeout) => builder.connect_timeout(timeout),
        // Explicitly off: overrides the behaviour version's 3.1 s connect timeout.
        None => builder.disable_connect_timeout(),
    };
    builder.set_operation_attempt_timeout(settings.request_timeout);
    builder.build()
}

fn validate_endpoint(endpoint: &str) -> Result<(), ConfigError> {
    let rest = endpoint
        .strip_prefix("https://")
        .or_else(|| endpoint.strip_prefix("http://"))
        .ok_or_else(|| {
            config_error(
                "endpoint",
                format!("{endpoint:?} must start with http:// or https://"),
            )
        })?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(config_error(
            "endpoint",
            format!("{endpoint:?} has no host"),
        ));
    }
    Ok(())
}

/// The default credential chain, built on first use (building it is async and reads files).
#[derive(Debug)]
struct DefaultChain {
    http: SharedHttpClient,
    region: String,
    chain:
        tokio::sync::OnceCell<aws_config::default_provider::credentials::DefaultCredentialsChain>,
}

impl DefaultChain {
    fn shared(http: SharedHttpClient, region: String) -> SharedCredentialsProvider {
        SharedCredentialsProvider::new(DefaultChain {
            http,
            region,
            chain: tokio::sync::OnceCell::new(),
        })
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let chain = self
                .chain
                .get_or_init(|| async {
                    let config = ProviderConfig::default()
                        .with_http_client(self.http.clone())
                        .with_region(Some(Region::new(self.region.clone())));
                    aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
                        .configure(config)
                        .build()
                        .await
                })
                .await;
            chain.provide_credentials().await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        check(
            ClientSettings {
                user_agent_suffix: Some("bad suffix\n".into()),
                ..settings()
            },
            "userAgentSuffix",
        );
        assert!(Transport::new(settings()).is_ok());
    }

    #[test]
    fn js_defaults() {
        let retry = retry_config(&settings()).unwrap();
        assert_eq!(retry.max_attempts(), 3);
        assert_eq!(retry.retry_spec(), Some(&RetrySpec::v2_1()));
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
