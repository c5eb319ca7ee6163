//! The log of requests the emulator received, so tests can check what the client sent
//! (bodies, SDK headers, retries, signatures) and what each request was answered with.

use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::SystemTime;

/// The Bedrock Runtime operation a request called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Operation {
    Converse,
    ConverseStream,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::Converse => "Converse",
            Operation::ConverseStream => "ConverseStream",
        }
    }
}

/// One request as received, with what it was answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedRequest {
    /// Order of arrival among all model requests (0-based).
    pub seq: u64,
    /// The model id, URL-decoded (`us.anthropic.claude-3-haiku-20240307-v1:0`).
    pub model_id: String,
    pub operation: Operation,
    /// The JSON body (`null` if it was not JSON).
    pub body: serde_json::Value,
    /// The body exactly as received, as UTF-8 text (invalid bytes as U+FFFD), so tests can
    /// compare what two clients wrote byte for byte: `body` has lost key order and
    /// number spelling.
    pub body_text: String,
    /// Request headers, lower-case names; repeated headers joined with `", "`.
    pub headers: BTreeMap<String, String>,
    /// `"HTTP/1.1"` or `"HTTP/2.0"`.
    pub http_version: String,
    /// The same as its ALPN name: `"h2"` or `"http/1.1"` (over TLS, what ALPN negotiated).
    pub protocol: &'static str,
    /// The request came over TLS (HTTPS).
    pub tls: bool,
    /// The SigV4 signature was checked and matched.
    pub signature_verified: bool,
    /// The error type the signature check answered with, if it failed.
    pub signature_error: Option<String>,
    /// The access key id from the `Authorization` header, if any.
    pub access_key_id: Option<String>,
    /// `serviceTier.type` of the request.
    pub service_tier: Option<String>,
    /// `"ok"`, the injected fault's name, or `"streamError"`.
    pub outcome: String,
    /// The HTTP status answered (0 when the connection was reset without a response).
    pub status: u16,
    /// Arrival time in milliseconds since the Unix epoch.
    pub received_at_ms: u64,
    #[serde(skip)]
    pub received_at: SystemTime,
}

impl RecordedRequest {
    /// The value of a header (lower-case name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// A bounded ring of recorded requests: benchmarks push millions through, so only the
/// newest `capacity` are kept.
pub(crate) struct Recorder {
    capacity: usize,
    entries: Mutex<VecDeque<RecordedRequest>>,
}

impl Recorder {
    pub fn new(capacity: usize) -> Recorder {
        Recorder {
            capacity,
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
        }
    }

    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    pub fn push(&self, request: RecordedRequest) {
        if self.capacity == 0 {
            return;
        }
        // A poisoned lock only means another thread panicked mid-push; the ring is still
        // structurally sound, so keep recording.
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        entries.push_back(request);
    }

    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.iter().cloned().collect()
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
