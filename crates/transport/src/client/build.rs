//! Building the SDK client at the first call, as the JS SDK resolves its settings at the
//! first `send`: explicit settings first, then the environment and the shared config files.

use super::settings::{retry_mode, validate_endpoint, ClientSettings, Credentials};
use crate::call_error::CallError;
use crate::config::{self, Sources};
use crate::no_retry::NoRetryCanHelp;
use crate::observe::{CountingSleep, Recorder};
use crate::send_body::SendWrittenBody;
use crate::trust;
use crate::user_agent::CallerUserAgent;
use aws_config::ecs::EcsCredentialsProvider;
use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::meta::credentials::CredentialsProviderChain;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::web_identity_token::WebIdentityTokenCredentialsProvider;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_bedrockruntime::config::{
    BehaviorVersion, IdentityCache, Region, SharedHttpClient, StalledStreamProtectionConfig, Token,
};
use aws_sdk_bedrockruntime::Client;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::auth::http::HTTP_BEARER_AUTH_SCHEME_ID;
use aws_smithy_types::retry::{RetryConfig, RetrySpec};
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::os_shim_internal::{Env, Fs};
use std::time::Duration;

/// The SDK client and what each call adds to its requests.
#[derive(Debug)]
pub(super) struct Built {
    pub(super) client: Client,
    /// The caller's user-agent sections, when there are any.
    pub(super) user_agent: Option<CallerUserAgent>,
}

/// Builds the client from the explicit settings, then the environment and shared files.
pub(super) async fn build_client(settings: &ClientSettings) -> Result<Built, CallError> {
    let sources = Sources::load(Env::real(), Fs::real()).await;
    let profile = sources.profile_name(settings.profile.as_deref());
    let http = http_client(trust::trust_store(&settings.trust));
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

pub(super) fn retry_config(adaptive: bool, attempts: u32) -> RetryConfig {
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

pub(super) fn timeout_config(settings: &ClientSettings) -> TimeoutConfig {
    let mut builder = TimeoutConfig::builder();
    builder = match settings.connect_timeout {
        Some(timeout) => builder.connect_timeout(timeout),
        // Explicitly off: overrides the behaviour version's 3.1 s connect timeout.
        None => builder.disable_connect_timeout(),
    };
    builder.set_operation_attempt_timeout(settings.request_timeout);
    builder.build()
}
