//! `Transport`: one `aws_sdk_bedrockruntime::Client` (one HTTP connection pool for every
//! model) configured like the JavaScript SDK's defaults, and the Converse call over it.

use crate::bounds;
use crate::config::{self, Sources};
use crate::doc::Doc;
use crate::error::{self, CallError};
use crate::input::Operation;
use crate::no_retry::NoRetryCanHelp;
use crate::observe::{self, CallState, Capture, CountingSleep, Recorder};
use crate::output;
use crate::request_writer::request_body;
use crate::send_body::{self, SendWrittenBody};
use crate::stream::EventStream;
use crate::trust;
use crate::user_agent::{CallerUserAgent, UserAgentPair};
use aws_config::ecs::EcsCredentialsProvider;
use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::meta::credentials::CredentialsProviderChain;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::web_identity_token::WebIdentityTokenCredentialsProvider;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_bedrockruntime::config::{
    BehaviorVersion, IdentityCache, Region, SharedHttpClient, StalledStreamProtectionConfig, Token,
};
use aws_sdk_bedrockruntime::error::SdkError;
use aws_sdk_bedrockruntime::Client;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::auth::http::HTTP_BEARER_AUTH_SCHEME_ID;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::{RetryConfig, RetrySpec};
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::os_shim_internal::{Env, Fs};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
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
    /// The JS SDK's default chain (environment, profile/SSO/process, web identity,
    /// container endpoints, IMDS; see `default_chain`).
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
/// subset). `None` means what the JS SDK would use: the environment, the shared config
/// files, else its default.
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
    /// JS `customUserAgent`, appended to both user-agent headers as JS appends it.
    pub custom_user_agent: Vec<UserAgentPair>,
    /// The shared-config profile (JS `profile`); default `AWS_PROFILE`, else `default`.
    pub profile: Option<String>,
    /// JS `useFipsEndpoint` / `useDualstackEndpoint`.
    pub use_fips: Option<bool>,
    pub use_dual_stack: Option<bool>,
    /// JS `userAgentAppId`: the user agent's `app/` id.
    pub app_id: Option<String>,
    /// JS `ignoreConfiguredEndpointUrls`: `Some(true)` ignores `AWS_ENDPOINT_URL*` and
    /// profile endpoints.
    pub ignore_configured_endpoint_urls: Option<bool>,
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

/// The SDK client and what each call adds to its requests.
#[derive(Debug)]
struct Built {
    client: Client,
    /// The caller's user-agent sections, when there are any.
    user_agent: Option<CallerUserAgent>,
}

impl Transport {
    /// Checks the explicit settings; the client is built at the first call.
    pub fn new(settings: ClientSettings) -> Result<Transport, ConfigError> {
        if let Some(region) = &settings.region {
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
        }
        if let Credentials::Static {
            access_key_id,
            secret_access_key,
            ..
        } = &settings.credentials
        {
            if access_key_id.is_empty() || secret_access_key.is_empty() {
                return Err(config_error(
                    "credentials",
                    "accessKeyId and secretAccessKey must not be empty",
                ));
            }
        }
        if let Some(endpoint) = &settings.endpoint {
            validate_endpoint(endpoint)?;
        }
        retry_mode(settings.retry_mode.as_deref())?;
        if settings.max_attempts == Some(0) {
            return Err(config_error("maxAttempts", "must be at least 1"));
        }
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

    /// Runs `call` (one SDK call) sending `body`, its bytes as the JS SDK writes them,
    /// and recording what `capture` asks for.
    fn observed<F: Future>(
        &self,
        body: String,
        capture: Capture,
        call: F,
    ) -> impl Future<Output = (CallState, F::Output)> {
        let call = send_body::sending(body.into(), call);
        observe::observed(CallState::new(capture, self.max_response_bytes), call)
    }

    /// One Converse call: `input` is a JS `ConverseCommandInput` (its `modelId` is ignored),
    /// the result the JS `ConverseCommandOutput`, the error what the JS SDK would throw.
    pub async fn converse(
        &self,
        model_id: &str,
        input: &Doc,
        service_tier: Option<&str>,
    ) -> Result<Doc, CallError> {
        let body =
            request_body(input, service_tier, Operation::Converse).map_err(CallError::input)?;
        let built = self.client().await?;
        let request = built.client.converse().model_id(model_id);
        let send: SdkCall<_, _> = match &built.user_agent {
            Some(ua) => Box::pin(request.customize().interceptor(ua.clone()).send()),
            None => Box::pin(request.send()),
        };
        let (state, result) = self.observed(body, Capture::ConverseBody, send).await;
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
        let body = request_body(input, service_tier, Operation::ConverseStream)
            .map_err(CallError::input)?;
        let built = self.client().await?;
        let request = built.client.converse_stream().model_id(model_id);
        let send: SdkCall<_, _> = match &built.user_agent {
            Some(ua) => Box::pin(request.customize().interceptor(ua.clone()).send()),
            None => Box::pin(request.send()),
        };
        let (state, result) = self.observed(body, Capture::StreamBody, send).await;
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

/// One SDK call, boxed, with or without the caller's user-agent interceptor. Boxed also
/// because the SDK's future is ~5 KB: every move of an unboxed one (into the caller's
/// future, into napi's task, into tokio's) would be a memcpy per call.
type SdkCall<T, E> = Pin<Box<dyn Future<Output = Result<T, SdkError<E, HttpResponse>>> + Send>>;

/// Builds the client from the explicit settings, then the environment and shared files.
async fn build_client(settings: &ClientSettings) -> Result<Built, CallError> {
    let sources = Sources::load(Env::real(), Fs::real()).await;
    let profile = sources.profile_name(settings.profile.as_deref());
    let http = http_client(trust::trust_store(trust::node_extra_ca_certs().as_deref()));
    let provider_config = ProviderConfig::default().with_http_client(http.clone());

    let named_region = match settings.region.clone().or_else(|| sources.region(&profile)) {
        Some(region) => region,
        None => imds_region(&sources, &provider_config)
            .await
            .ok_or_else(|| CallError::config("Region is missing"))?,
    };
    let (region, fips_region) = config::real_region(&named_region);
    if !config::is_host_label(&region) {
        return Err(CallError::config(format!(
            "Region not accepted: region=\"{region}\" is not a valid hostname component."
        )));
    }
    let region = Region::new(region);

    let adaptive = match settings.retry_mode.as_deref() {
        Some(mode) => retry_mode(Some(mode)).map_err(|e| CallError::config(e.to_string()))?,
        None => sources.adaptive_retry(&profile),
    };
    let attempts = settings
        .max_attempts
        .or_else(|| sources.max_attempts(&profile))
        .unwrap_or(3);

    let mut config = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region.clone())
        .use_fips(
            settings
                .use_fips
                .unwrap_or_else(|| sources.use_fips(&profile))
                || fips_region,
        )
        .use_dual_stack(
            settings
                .use_dual_stack
                .unwrap_or_else(|| sources.use_dual_stack(&profile)),
        )
        .http_client(http)
        .retry_config(retry_config(adaptive, attempts))
        .timeout_config(timeout_config(settings))
        .sleep_impl(CountingSleep)
        // The JS SDK refreshes credentials 5 minutes before they expire; the Rust
        // default is 10 s (both jittered the same way: 50-100% of the buffer).
        .identity_cache(
            IdentityCache::lazy()
                .buffer_time(Duration::from_secs(300))
                .build(),
        )
        .interceptor(Recorder)
        .interceptor(SendWrittenBody)
        .retry_classifier(NoRetryCanHelp);
    config = match &settings.credentials {
        Credentials::Static {
            access_key_id,
            secret_access_key,
            session_token,
            expiration,
        } => config.credentials_provider(aws_credential_types::Credentials::new(
            access_key_id.clone(),
            secret_access_key.clone(),
            session_token.clone(),
            *expiration,
            "bmm-transport",
        )),
        Credentials::Provider(provider) => config.credentials_provider(provider.clone()),
        Credentials::DefaultChain => config.credentials_provider(default_chain(
            &provider_config.with_region(Some(region)),
            settings.profile.as_deref(),
            &sources,
        )),
    };
    let endpoint = match &settings.endpoint {
        Some(endpoint) => Some(endpoint.clone()),
        None if settings.ignore_configured_endpoint_urls == Some(true) => None,
        None => sources.configured_endpoint(),
    };
    if let Some(endpoint) = endpoint {
        validate_endpoint(&endpoint).map_err(|e| CallError::config(e.to_string()))?;
        config = config.endpoint_url(endpoint);
    }
    if let Some(token) = sources.bearer_token() {
        config = config
            .auth_scheme_preference([HTTP_BEARER_AUTH_SCHEME_ID])
            .token_provider(Token::new(token, None));
    }
    // Not the SDK's `app_name`: that would put the app id in x-amz-user-agent too.
    let app_id = settings.app_id.clone().or_else(|| sources.app_id(&profile));
    let user_agent = CallerUserAgent::new(app_id.as_deref(), &settings.custom_user_agent);
    if settings.stalled_stream_protection == Some(false) {
        config = config.stalled_stream_protection(StalledStreamProtectionConfig::disabled());
    }
    Ok(Built {
        client: Client::from_conf(config.build()),
        user_agent,
    })
}

/// The region IMDS reports, unless `AWS_EC2_METADATA_DISABLED` rules it out (JS asks
/// IMDS last, before "Region is missing").
async fn imds_region(sources: &Sources, provider_config: &ProviderConfig) -> Option<String> {
    if !sources.imds_enabled() {
        return None;
    }
    let provider = aws_config::imds::region::ImdsRegionProvider::builder()
        .configure(provider_config)
        .imds_client(imds_client(provider_config))
        .build();
    provider.region().await.map(|r| r.to_string())
}

/// An IMDS client with the JS SDK's patience: one try, 1 s to connect and 1 s to answer
/// (the Rust default tries 4 times), so that off EC2 the first call gives up as soon.
fn imds_client(provider_config: &ProviderConfig) -> aws_config::imds::Client {
    aws_config::imds::Client::builder()
        .configure(provider_config)
        .max_attempts(1)
        .connect_timeout(Duration::from_secs(1))
        .read_timeout(Duration::from_secs(1))
        .build()
}

/// The JS SDK's default chain (`defaultProvider`): environment keys (skipped when a
/// profile is named by `clientConfig.profile` or `AWS_PROFILE`), the profile (static
/// keys, SSO, assumed roles, `credential_process`, web identity), `AWS_WEB_IDENTITY_TOKEN_FILE`,
/// the ECS / EKS Pod Identity container endpoints, then IMDS.
fn default_chain(
    provider_config: &ProviderConfig,
    explicit_profile: Option<&str>,
    sources: &Sources,
) -> SharedCredentialsProvider {
    let mut profile = ProfileFileCredentialsProvider::builder().configure(provider_config);
    if let Some(name) = explicit_profile.filter(|p| !p.is_empty()) {
        profile = profile.profile_name(name);
    }
    let profile = profile.build();
    let chain = if sources.profile_named(explicit_profile) {
        CredentialsProviderChain::first_try("Profile", profile)
    } else {
        CredentialsProviderChain::first_try(
            "Environment",
            EnvironmentVariableCredentialsProvider::new(),
        )
        .or_else("Profile", profile)
    };
    SharedCredentialsProvider::new(
        chain
            .or_else(
                "WebIdentityToken",
                WebIdentityTokenCredentialsProvider::builder()
                    .configure(provider_config)
                    .build(),
            )
            .or_else(
                "EcsContainer",
                EcsCredentialsProvider::builder()
                    .configure(provider_config)
                    .build(),
            )
            .or_else(
                "Ec2InstanceMetadata",
                ImdsCredentialsProvider::builder()
                    .configure(provider_config)
                    .imds_client(imds_client(provider_config))
                    .build(),
            ),
    )
}

fn http_client(trust_store: TrustStore) -> SharedHttpClient {
    // rustls with ring (no aws-lc C build); offers h2 and http/1.1 over TLS, plain
    // HTTP/1.1 for `http://` endpoints.
    let tls_context = TlsContext::builder()
        .with_trust_store(trust_store)
        .build()
        .unwrap_or_default();
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .tls_context(tls_context)
        .build_https()
}

/// Whether a retry mode means adaptive retries; an unknown one is an error.
fn retry_mode(mode: Option<&str>) -> Result<bool, ConfigError> {
    match mode.unwrap_or("standard") {
        "standard" | "legacy" => Ok(false),
        "adaptive" => Ok(true),
        other => Err(config_error(
            "retryMode",
            format!("{other:?} is not standard, adaptive or legacy"),
        )),
    }
}

fn retry_config(adaptive: bool, attempts: u32) -> RetryConfig {
    let base = if adaptive {
        RetryConfig::adaptive()
    } else {
        RetryConfig::standard()
    };
    // Retry behaviour 2.1 is what the JS SDK implements now: 50 ms base backoff (1 s for
    // throttling), full jitter, 20 s cap, retry cost 14 (5 for throttling).
    base.with_max_attempts(attempts.max(1))
        .with_retry_spec(RetrySpec::v2_1())
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
