//! The test harness shared by this crate's tests and the transport's (cargo feature
//! `test-harness`): start an emulator, build requests signed the way the SDKs sign them,
//! send them over HTTP/1.1, h2c, TLS or raw TCP, decode event streams, and point the Rust
//! SDK at an emulator. Helpers panic on anything unexpected: they serve tests only.

mod frames;
mod request;
mod sdk;
mod send;
mod tls;

pub use frames::{decode_frames, event_types, header_str, payload_json};
pub use request::{path, post, raw_bytes, sign_like_the_sdks, signed, signed_with_key, MODEL_PATH};
pub use sdk::sdk_config;
pub use send::{send, send_h2, send_raw, split_head, RawOutcome, Reply};
pub use tls::{connect_tls, send_tls, tls_client, TlsReply};

use crate::behavior::Behavior;
use crate::options::EmulatorOptions;
use crate::server::{Emulator, EmulatorHandle};
use serde_json::{json, Value};
use std::time::Duration;

/// The model id most tests address.
pub const MODEL: &str = "us.anthropic.claude-3-haiku-20240307-v1:0";

/// An emulator with the default options (plain HTTP, signatures checked).
pub fn start() -> EmulatorHandle {
    start_with(EmulatorOptions::default())
}

pub fn start_with(options: EmulatorOptions) -> EmulatorHandle {
    Emulator::start(options).expect("emulator starts")
}

pub fn behavior(json: &str) -> Behavior {
    Behavior::from_json(json).expect("valid behavior")
}

/// `{"messages": [{"role": "user", "content": [{"text": text}]}]}`
pub fn user_body(text: &str) -> Value {
    json!({"messages": [{"role": "user", "content": [{"text": text}]}]})
}

/// Polls until `f` holds or a few seconds pass.
pub async fn eventually(mut f: impl FnMut() -> bool) -> bool {
    for _ in 0..300 {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}
