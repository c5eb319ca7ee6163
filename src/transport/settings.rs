//! `clientConfig` as `js/transport/settings.js` hands it over, turned into the transport's
//! `ClientSettings`; an async JavaScript credentials provider bridged into the SDK's.

use crate::credentials::CheckedCredentials;
use bmm_transport::{
    AwsCredentials, ClientSettings, Credentials, NodeTrust, ProvideCredentials, UserAgentPair,
};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `clientConfig` as `js/transport/settings.js` normalises it.
#[napi(object, object_to_js = false)]
pub struct NativeSettings {
    pub region: Option<String>,
    /// A static credentials object.
    #[napi(
        ts_type = "{ accessKeyId: unknown, secretAccessKey: unknown, sessionToken?: unknown, expirationMs?: unknown }"
    )]
    pub credentials: Option<CheckedCredentials>,
    /// An async credentials provider, wrapped so that it resolves to credentials as above.
    #[napi(
        ts_type = "() => Promise<{ accessKeyId: unknown, secretAccessKey: unknown, sessionToken?: unknown, expirationMs?: unknown }>"
    )]
    pub credentials_provider:
        Option<ThreadsafeFunction<(), Promise<CheckedCredentials>, (), Status, false, true>>,
    pub endpoint: Option<String>,
    pub max_attempts: Option<u32>,
    pub retry_mode: Option<String>,
    pub connection_timeout_ms: Option<f64>,
    pub request_timeout_ms: Option<f64>,
    /// `customUserAgent`, one entry per `[name, version]` section (a string is one without a version).
    pub custom_user_agent: Option<Vec<NativeUserAgentPair>>,
    pub profile: Option<String>,
    pub use_fips_endpoint: Option<bool>,
    pub use_dualstack_endpoint: Option<bool>,
    pub user_agent_app_id: Option<String>,
    pub ignore_configured_endpoint_urls: Option<bool>,
    /// Whether Node was told to trust the system's certificate store (`--use-system-ca`).
    pub use_system_ca: Option<bool>,
    /// The PEM bundle `NODE_EXTRA_CA_CERTS` names, if set.
    pub extra_ca_certs_file: Option<String>,
}

/// One `customUserAgent` section.
#[napi(object, object_to_js = false)]
pub struct NativeUserAgentPair {
    pub name: String,
    pub version: Option<String>,
}

impl NativeSettings {
    /// The transport's settings; static credentials that cannot be used are an error.
    pub(super) fn into_client_settings(self) -> Result<ClientSettings> {
        let credentials = match (self.credentials, self.credentials_provider) {
            (_, Some(provider)) => Credentials::Provider(Arc::new(JsCredentialsProvider {
                provider: Arc::new(provider),
            })),
            (Some(keys), None) => {
                let keys = keys
                    .usable("clientConfig.credentials")
                    .map_err(|message| Error::new(Status::InvalidArg, message))?;
                Credentials::Static {
                    access_key_id: keys.access_key_id,
                    secret_access_key: keys.secret_access_key,
                    session_token: keys.session_token,
                    expiration: keys.expiration_ms.map(system_time),
                }
            }
            (None, None) => Credentials::DefaultChain,
        };
        Ok(ClientSettings {
            region: self.region,
            credentials,
            endpoint: self.endpoint,
            max_attempts: self.max_attempts,
            retry_mode: self.retry_mode,
            connect_timeout: self.connection_timeout_ms.and_then(duration),
            request_timeout: self.request_timeout_ms.and_then(duration),
            custom_user_agent: self
                .custom_user_agent
                .unwrap_or_default()
                .into_iter()
                .map(|pair| UserAgentPair {
                    name: pair.name,
                    version: pair.version,
                })
                .collect(),
            profile: self.profile,
            use_fips: self.use_fips_endpoint,
            use_dual_stack: self.use_dualstack_endpoint,
            app_id: self.user_agent_app_id,
            ignore_configured_endpoint_urls: self.ignore_configured_endpoint_urls,
            // The JS SDK has no stalled-stream guard (processStreamRequest has idleTimeoutMs);
            // the Rust SDK's costs ~10 µs of CPU per call.
            stalled_stream_protection: Some(false),
            trust: NodeTrust {
                system_store: self.use_system_ca.unwrap_or(false),
                extra_certs_file: self.extra_ca_certs_file.map(PathBuf::from),
            },
        })
    }
}

/// An async JavaScript credentials provider, called from the SDK's identity cache
/// (which calls again only when the credentials it returned are about to expire).
struct JsCredentialsProvider {
    provider: Arc<ThreadsafeFunction<(), Promise<CheckedCredentials>, (), Status, false, true>>,
}

impl std::fmt::Debug for JsCredentialsProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsCredentialsProvider")
    }
}

impl ProvideCredentials for JsCredentialsProvider {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let provider = Arc::clone(&self.provider);
        aws_credential_types::provider::future::ProvideCredentials::new(async move {
            let failed = |error: Error| {
                aws_credential_types::provider::error::CredentialsError::provider_error(
                    error.reason,
                )
            };
            let keys = provider
                .call_async(())
                .await
                .map_err(failed)?
                .await
                .map_err(failed)?;
            let keys = keys
                .usable("clientConfig.credentials()")
                .map_err(|message| failed(Error::from_reason(message)))?;
            Ok(AwsCredentials::new(
                keys.access_key_id,
                keys.secret_access_key,
                keys.session_token,
                keys.expiration_ms.map(system_time),
                "clientConfig.credentials",
            ))
        })
    }
}

fn system_time(ms: f64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms.max(0.0) as u64)
}

pub(super) fn duration(ms: f64) -> Option<Duration> {
    (ms.is_finite() && ms > 0.0).then(|| Duration::from_secs_f64(ms / 1000.0))
}
