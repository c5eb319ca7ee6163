//! The crate's error: why the emulator could not start or a behaviour was refused.

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
