//! What the request machine's driver reports back to it, and which outcome a report
//! carries.

use crate::outcome::OutcomeType;
use crate::Millis;

/// Which outcome a [`Action::Report`] carries.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportedOutcome {
    /// The outcome that came with the latest successful invocation.
    FromResponse,
    /// A refusal of `model_id`, with the latest response's latency.
    Refusal { model_id: String },
    /// The outcome attached to the latest error.
    FromError,
}

/// What the driver could tell about an error it caught.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorFacts {
    /// It is a `MultiplexerError`: passed through untouched.
    pub is_multiplexer_error: bool,
    /// The outcome the error carries (`error.outcome`), if any.
    pub outcome: Option<ErrorOutcome>,
    /// It is an open circuit's refusal (`classify::is_circuit_open_error`).
    pub is_circuit_open: bool,
    /// The caller's policy says this failure moves on to another model, as an open
    /// circuit does (a stream that failed before its first event: see
    /// `classify::fails_over_before_first_event`).
    pub fails_over: bool,
    /// Under `failover.backoff`: until when the model asked not to be called again
    /// (`backoff::retry_after_until`).
    pub retry_after_until: Option<Millis>,
}

/// The parts of an error's attached outcome that steer the request.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorOutcome {
    pub model_id: String,
    pub kind: Option<OutcomeType>,
}

/// Whether a caught error should be remembered as the request's last error
/// (the one `RETRIES_EXHAUSTED` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastError {
    Remember,
    Ignore,
}
