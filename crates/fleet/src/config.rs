//! The `sharedState` option: where Redis is, under which prefix, and the time bounds.

use std::time::Duration;

use engine::fleet::view::DEFAULT_STALENESS_MS;
use engine::fleet::OutboxConfig;

#[derive(Debug, Clone)]
pub struct FleetConfig {
    /// `redis://[[user]:password@]host[:port][/db]` or `rediss://` (TLS); Redis ≥ 6 or Valkey.
    pub url: String,
    /// Every key and the channel start with it, so fleets can share one Redis.
    pub key_prefix: String,
    /// How old the local view may get before it is not trusted.
    pub staleness_ms: u64,
    /// The bound on any one Redis call (connect, script, read).
    pub op_timeout: Duration,
    /// The longest wait between reconnection attempts (backoff doubles up to it).
    pub max_backoff: Duration,
    pub outbox: OutboxConfig,
    /// For `rediss://` to a server whose certificate a private CA signed: trust that CA's PEM
    /// certificate instead of the platform's roots.
    pub tls_ca_pem: Option<Vec<u8>>,
}

impl FleetConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            key_prefix: "bmm:".to_owned(),
            staleness_ms: DEFAULT_STALENESS_MS,
            op_timeout: Duration::from_millis(250),
            max_backoff: Duration::from_secs(2),
            outbox: OutboxConfig::default(),
            tls_ca_pem: None,
        }
    }

    /// The client for the URL, or why it cannot be one.
    pub(crate) fn client(&self) -> Result<redis::Client, StartError> {
        if !(self.url.starts_with("redis://") || self.url.starts_with("rediss://")) {
            return Err(StartError::Config(format!(
                "sharedState.url must start with redis:// or rediss://, got {:?}",
                self.url
            )));
        }
        if self.staleness_ms == 0 || self.op_timeout.is_zero() {
            return Err(StartError::Config(
                "sharedState time bounds must be positive".to_owned(),
            ));
        }
        let client = match &self.tls_ca_pem {
            None => redis::Client::open(self.url.as_str()),
            Some(ca) => redis::Client::build_with_tls(
                self.url.as_str(),
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(ca.clone()),
                },
            ),
        };
        client.map_err(|e| StartError::Config(format!("sharedState.url is not a Redis URL: {e}")))
    }
}

/// Why a [`crate::Fleet`] could not start. Nothing has connected yet when this is returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    /// The `sharedState` option cannot work: the message says why.
    Config(String),
    /// `Fleet::start` was called outside a tokio runtime.
    NoRuntime,
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Config(message) => f.write_str(message),
            Self::NoRuntime => f.write_str("sharedState needs a tokio runtime to run on"),
        }
    }
}

impl std::error::Error for StartError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_tls_credentials_and_database_are_accepted() {
        for url in [
            "redis://127.0.0.1:6379",
            "redis://user:secret@cache.example:6380/3",
            "rediss://:token@cache.example:6380/0",
        ] {
            assert!(FleetConfig::new(url).client().is_ok(), "{url}");
        }
    }

    #[test]
    fn starting_outside_a_runtime_is_an_error_not_a_panic() {
        let started = crate::Fleet::start(FleetConfig::new("redis://127.0.0.1:1"), 1);
        assert_eq!(started.err(), Some(StartError::NoRuntime));
    }

    #[test]
    fn other_schemes_and_zero_bounds_are_refused() {
        assert!(FleetConfig::new("http://127.0.0.1:6379").client().is_err());
        let mut config = FleetConfig::new("redis://127.0.0.1");
        config.op_timeout = Duration::ZERO;
        assert!(config.client().is_err());
    }
}
