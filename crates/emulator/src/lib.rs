//! A local Amazon Bedrock Runtime emulator: a real HTTP server (HTTP/1.1 and h2c on one
//! port, or HTTPS with ALPN `h2` and `http/1.1` when asked) that speaks the Converse / ConverseStream wire protocol the AWS SDKs expect,
//! checks SigV4 signatures, records what it was sent and injects faults on demand.
//!
//! ```no_run
//! use bmm_emulator::{Behavior, Emulator, EmulatorOptions};
//!
//! let emulator = Emulator::start(EmulatorOptions::default()).unwrap();
//! emulator
//!     .set_behavior("us.anthropic.claude-3-haiku-20240307-v1:0", Behavior::from_json(r#"{"fault":"throttle"}"#).unwrap())
//!     .unwrap();
//! println!("{}", emulator.endpoint());
//! emulator.stop();
//! ```

mod behavior;
mod body;
mod control;
mod error;
mod error_kind;
mod eventstream;
mod options;
mod percent;
mod plan;
mod record;
mod server;
mod service;
mod sigv4;
mod state;
#[cfg(feature = "test-harness")]
pub mod testing;
mod tls;
mod wire;

pub use behavior::{
    AnswerMode, Behavior, BehaviorSet, ContentBlock, Fault, ReasoningContent, ReasoningText,
    SequenceStep, StreamErrorAfter, StreamException, StreamOptions, ToolUse, UsageOverride,
};
pub use error::Error;
pub use error_kind::ErrorKind;
pub use options::{EmulatorOptions, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY};
pub use record::{Operation, RecordedRequest};
pub use server::{Emulator, EmulatorHandle};
pub use state::Stats;
pub use tls::{generate_test_certificates, TestCertificates, TlsIdentity};
