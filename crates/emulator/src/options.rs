//! How an emulator is started: address, HTTPS, signature checking, credentials, default
//! behaviour.

use crate::behavior::Behavior;
use crate::tls::TlsIdentity;
use std::time::Duration;

/// The access key id of the credential pair every emulator accepts unless told otherwise.
pub const DEFAULT_ACCESS_KEY_ID: &str = "AKIDEMULATOR";
/// Its secret.
pub const DEFAULT_SECRET_ACCESS_KEY: &str = "emulator-secret";

#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    /// Port to listen on; 0 picks a free ephemeral port.
    pub port: u16,
    /// Address to listen on (default 127.0.0.1).
    pub host: String,
    /// Serve HTTPS with this identity instead of plain HTTP/1.1 and h2c (default `None`).
    pub tls: Option<TlsIdentity>,
    /// Check each request's SigV4 `Authorization` header (default true).
    pub verify_signatures: bool,
    /// Accepted credentials: (access key id, secret access key).
    pub credentials: Vec<(String, String)>,
    /// How far `X-Amz-Date` may be from the emulator's clock before the signature counts
    /// as expired (AWS allows 15 minutes); `None` turns the check off.
    pub max_clock_skew: Option<Duration>,
    /// The behaviour of every model without one of its own.
    pub default_behavior: Behavior,
    /// How many requests `requests()` keeps (oldest dropped first); 0 keeps none.
    pub max_recorded_requests: usize,
    /// Worker threads of the emulator's own tokio runtime (0 = 2, or 1 on a 1-core box).
    pub worker_threads: usize,
    /// How long `stop()` lets in-flight requests finish before closing connections.
    pub shutdown_grace: Duration,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            port: 0,
            host: "127.0.0.1".to_string(),
            tls: None,
            verify_signatures: true,
            credentials: vec![(
                DEFAULT_ACCESS_KEY_ID.to_string(),
                DEFAULT_SECRET_ACCESS_KEY.to_string(),
            )],
            max_clock_skew: Some(Duration::from_secs(15 * 60)),
            default_behavior: Behavior::default(),
            max_recorded_requests: 10_000,
            worker_threads: 0,
            shutdown_grace: Duration::from_secs(1),
        }
    }
}

impl EmulatorOptions {
    pub(crate) fn effective_worker_threads(&self) -> usize {
        if self.worker_threads > 0 {
            return self.worker_threads;
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cores.clamp(1, 2)
    }
}
