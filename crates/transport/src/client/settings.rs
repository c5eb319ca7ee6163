//! What a `Transport` is configured with: the settings the multiplexer exposes (the JS
//! `BedrockRuntimeClientConfig` subset), where credentials come from, and the checks that
//! reject a setting at construction.

use crate::user_agent::UserAgentPair;
use aws_credential_types::provider::ProvideCredentials;
use std::fmt;
use std::path::PathBuf;
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
    /// What Node trusts besides the Mozilla roots it bundles (which are always trusted).
    pub trust: NodeTrust,
}

/// What the Node process trusts besides its bundled roots, as the JavaScript side reads it
/// from how Node runs (`nodeTrust` in `js/transport/settings.js`): the native client
/// trusts the same, so that a CA works on both transports or on neither.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeTrust {
    /// The system's certificate store (`--use-system-ca`).
    pub system_store: bool,
    /// The PEM bundle `NODE_EXTRA_CA_CERTS` names.
    pub extra_certs_file: Option<PathBuf>,
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

impl ClientSettings {
    /// The explicit settings' own checks (what the environment adds is checked when the
    /// client is built).
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        if let Some(region) = &self.region {
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
        } = &self.credentials
        {
            if access_key_id.is_empty() || secret_access_key.is_empty() {
                return Err(config_error(
                    "credentials",
                    "accessKeyId and secretAccessKey must not be empty",
                ));
            }
        }
        if let Some(endpoint) = &self.endpoint {
            validate_endpoint(endpoint)?;
        }
        retry_mode(self.retry_mode.as_deref())?;
        if self.max_attempts == Some(0) {
            return Err(config_error("maxAttempts", "must be at least 1"));
        }
        Ok(())
    }
}

fn config_error(setting: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        message: message.into(),
    }
}

/// Whether a retry mode means adaptive retries; an unknown one is an error.
pub(super) fn retry_mode(mode: Option<&str>) -> Result<bool, ConfigError> {
    match mode.unwrap_or("standard") {
        "standard" | "legacy" => Ok(false),
        "adaptive" => Ok(true),
        other => Err(config_error(
            "retryMode",
            format!("{other:?} is not standard, adaptive or legacy"),
        )),
    }
}

pub(super) fn validate_endpoint(endpoint: &str) -> Result<(), ConfigError> {
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
