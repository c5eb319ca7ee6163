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
mod errors;
mod eventstream;
mod options;
mod plan;
mod record;
mod server;
mod service;
mod sigv4;
mod state;
mod tls;
mod wire;

pub use behavior::{
    AnswerMode, Behavior, BehaviorSet, ContentBlock, Fault, ReasoningContent, ReasoningText,
    SequenceStep, StreamErrorAfter, StreamException, StreamOptions, ToolUse, UsageOverride,
};
pub use errors::ErrorKind;
pub use options::{EmulatorOptions, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY};
pub use record::{Operation, RecordedRequest};
pub use server::{Emulator, EmulatorHandle, Stats};
pub use tls::{generate_test_certificates, TestCertificates, TlsIdentity};

use std::fmt;

/// Why the emulator could not start or a behaviour was refused.
#[derive(Debug)]
pub enum Error {
    /// The listening socket could not be bound (port in use, bad host, ...).
    Bind(std::io::Error),
    /// The tokio runtime or a thread could not be created.
    Runtime(std::io::Error),
    /// An option or a behaviour is not valid; the text says which and why.
    Invalid(String),
    /// The TLS identity could not be made or loaded (bad PEM, key not matching the leaf).
    Tls(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Bind(e) => write!(f, "cannot bind the emulator's socket: {e}"),
            Error::Runtime(e) => write!(f, "cannot start the emulator's runtime: {e}"),
            Error::Invalid(why) => write!(f, "invalid emulator configuration: {why}"),
            Error::Tls(why) => write!(f, "cannot set up the emulator's TLS: {why}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Bind(e) | Error::Runtime(e) => Some(e),
            Error::Invalid(_) | Error::Tls(_) => None,
        }
    }
}
