//! What a model does when called: the JSON-shaped `Behavior` (answer, timing, streaming,
//! faults and when they strike), and its validation.

use crate::error::Error;
use crate::error_kind::ErrorKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How one emulated model answers. Every field is optional; `{}` echoes the last user
/// text back as `"echo: <text>"` with no delay and no faults.
///
/// The JSON form uses camelCase names and rejects unknown fields, so a typo in a test's
/// behaviour fails loudly instead of being ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Behavior {
    /// `"echo"`, `"fixed"` or `"content"`. When absent: `content` if `content` is given,
    /// else `fixed` if `text` is given, else `echo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<AnswerMode>,
    /// The answer's text in `fixed` mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// What `echo` puts before the user's text (default `"echo: "`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub echo_prefix: Option<String>,
    /// The answer's content blocks in `content` mode, in Bedrock's wire form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Vec<ContentBlock>>,
    /// The `stopReason` (default `tool_use` when the content has a toolUse block, else
    /// `end_turn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    /// Fixed token counts instead of the ones computed from text lengths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsageOverride>,
    /// Returned as `additionalModelResponseFields` (Converse) / in `messageStop` (stream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_model_response_fields: Option<serde_json::Value>,
    /// Delay before the response starts (headers included), in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
    /// The delay of a request the `slow` fault strikes (default 20 × `latencyMs`): a long
    /// tail of latency under the fault schedule, e.g. `faultProbability: 0.05`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slow_latency_ms: Option<u64>,
    /// How ConverseStream splits the answer into events and paces them.
    #[serde(default)]
    pub stream: StreamOptions,

    /// The fault to inject, subject to the schedule below.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    /// The error message for `fault` (default: the message Bedrock uses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault_message: Option<String>,
    /// Sent as the `Retry-After` header of an error answer (the fault's), as given:
    /// delay-seconds (`"2"`) or an HTTP date. Lets a test see a client honour it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<String>,
    /// ConverseStream only: answer 200, send `events` events, then an exception event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_error_after: Option<StreamErrorAfter>,

    // When the fault strikes. At most one of failFirst / faultEvery / faultProbability /
    // sequence; with none of them the fault strikes every (matching) request.
    /// The first N matching requests fault, later ones succeed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_first: Option<u64>,
    /// Every Nth matching request faults (the Nth, 2Nth, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault_every: Option<u64>,
    /// Each matching request faults with this probability, drawn from a deterministic
    /// generator seeded by `seed` and the request's index (no wall clock involved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault_probability: Option<f64>,
    /// Seed for `faultProbability` (default 0).
    #[serde(default)]
    pub seed: u64,
    /// What the Nth request gets: `"ok"` or a fault name; requests past the end succeed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<Vec<SequenceStep>>,
    /// Only requests at these service tiers are subject to faults (a request without
    /// `serviceTier` counts as `"default"`); other requests are served and not counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault_tiers: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AnswerMode {
    Echo,
    Fixed,
    Content,
}

/// A content block of the answer, spelled as on the wire (`{"text": "..."}`,
/// `{"toolUse": {...}}`, `{"reasoningContent": {...}}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ContentBlock {
    Text(String),
    ToolUse(ToolUse),
    ReasoningContent(ReasoningContent),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToolUse {
    pub tool_use_id: String,
    pub name: String,
    /// Any JSON document; ConverseStream sends it as a JSON string split into deltas.
    #[serde(default)]
    pub input: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReasoningContent {
    ReasoningText(ReasoningText),
    /// Base64 of the encrypted reasoning, passed through as given.
    RedactedContent(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReasoningText {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsageOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
}

/// Streaming shape: text is cut into deltas of `chunkSize` characters, or into `chunks`
/// deltas of near-equal size when given; `eventDelayMs` paces the events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StreamOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_size: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunks: Option<usize>,
    #[serde(default)]
    pub event_delay_ms: u64,
}

/// Characters per text delta when a behaviour sets neither `chunkSize` nor `chunks`.
pub(crate) const DEFAULT_CHUNK_SIZE: usize = 32;

/// A fault injected instead of (or into) the normal answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Fault {
    /// 429 ThrottlingException.
    Throttle,
    /// 503 ServiceUnavailableException.
    Unavailable,
    /// 429 ModelNotReadyException.
    ModelNotReady,
    /// 400 ValidationException.
    ValidationError,
    /// 403 AccessDeniedException.
    AccessDenied,
    /// 404 ResourceNotFoundException.
    ResourceNotFound,
    /// 500 InternalServerException.
    InternalError,
    /// 408 ModelTimeoutException.
    ModelTimeout,
    /// 424 ModelErrorException.
    ModelError,
    /// 400 ServiceQuotaExceededException.
    ServiceQuotaExceeded,
    /// 200 whose body is not valid JSON (stream: an event whose payload is not JSON).
    MalformedBody,
    /// 200 whose Content-Length promises more than is sent before the connection closes
    /// (stream: the stream stops inside a frame and the connection closes).
    TruncatedBody,
    /// The connection is reset (RST) without any response.
    ConnectionReset,
    /// The normal answer, after `slowLatencyMs` instead of `latencyMs`.
    Slow,
}

impl Fault {
    /// The Bedrock error this fault answers with, for the faults that are error responses.
    pub fn error_kind(self) -> Option<ErrorKind> {
        Some(match self {
            Fault::Throttle => ErrorKind::ThrottlingException,
            Fault::Unavailable => ErrorKind::ServiceUnavailableException,
            Fault::ModelNotReady => ErrorKind::ModelNotReadyException,
            Fault::ValidationError => ErrorKind::ValidationException,
            Fault::AccessDenied => ErrorKind::AccessDeniedException,
            Fault::ResourceNotFound => ErrorKind::ResourceNotFoundException,
            Fault::InternalError => ErrorKind::InternalServerException,
            Fault::ModelTimeout => ErrorKind::ModelTimeoutException,
            Fault::ModelError => ErrorKind::ModelErrorException,
            Fault::ServiceQuotaExceeded => ErrorKind::ServiceQuotaExceededException,
            Fault::MalformedBody | Fault::TruncatedBody | Fault::ConnectionReset | Fault::Slow => {
                return None
            }
        })
    }

    /// The camelCase name, as in the JSON form.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Throttle => "throttle",
            Fault::Unavailable => "unavailable",
            Fault::ModelNotReady => "modelNotReady",
            Fault::ValidationError => "validationError",
            Fault::AccessDenied => "accessDenied",
            Fault::ResourceNotFound => "resourceNotFound",
            Fault::InternalError => "internalError",
            Fault::ModelTimeout => "modelTimeout",
            Fault::ModelError => "modelError",
            Fault::ServiceQuotaExceeded => "serviceQuotaExceeded",
            Fault::MalformedBody => "malformedBody",
            Fault::TruncatedBody => "truncatedBody",
            Fault::ConnectionReset => "connectionReset",
            Fault::Slow => "slow",
        }
    }
}

/// One step of a `sequence`: `"ok"` or a fault name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SequenceStep {
    Ok,
    #[serde(untagged)]
    Fault(Fault),
}

/// A ConverseStream that breaks after `events` events with an exception event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StreamErrorAfter {
    pub events: usize,
    #[serde(default = "default_stream_exception")]
    pub exception: StreamException,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

fn default_stream_exception() -> StreamException {
    StreamException::ModelStreamErrorException
}

/// The exception events ConverseStream's model declares (`:exception-type` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StreamException {
    ThrottlingException,
    ModelStreamErrorException,
    InternalServerException,
    ValidationException,
    ServiceUnavailableException,
}

impl StreamException {
    /// The `:exception-type` header value (the event-stream member name, camelCase).
    pub fn event_name(self) -> &'static str {
        match self {
            Self::ThrottlingException => "throttlingException",
            Self::ModelStreamErrorException => "modelStreamErrorException",
            Self::InternalServerException => "internalServerException",
            Self::ValidationException => "validationException",
            Self::ServiceUnavailableException => "serviceUnavailableException",
        }
    }

    pub fn default_message(self) -> &'static str {
        match self {
            Self::ThrottlingException => ErrorKind::ThrottlingException.default_message(),
            Self::ModelStreamErrorException => {
                "The model encountered an error while streaming the response."
            }
            Self::InternalServerException => ErrorKind::InternalServerException.default_message(),
            Self::ValidationException => ErrorKind::ValidationException.default_message(),
            Self::ServiceUnavailableException => {
                ErrorKind::ServiceUnavailableException.default_message()
            }
        }
    }
}

/// The service tiers Bedrock knows (`serviceTier.type`).
pub(crate) const SERVICE_TIERS: [&str; 4] = ["default", "priority", "flex", "reserved"];

impl Behavior {
    /// Parses and validates the JSON form.
    pub fn from_json(json: &str) -> Result<Behavior, Error> {
        let behavior: Behavior =
            serde_json::from_str(json).map_err(|e| Error::Invalid(format!("behavior: {e}")))?;
        behavior.validate()?;
        Ok(behavior)
    }

    /// Converts from an already-parsed JSON value (what a JS object becomes) and validates.
    pub fn from_value(value: serde_json::Value) -> Result<Behavior, Error> {
        let behavior: Behavior =
            serde_json::from_value(value).map_err(|e| Error::Invalid(format!("behavior: {e}")))?;
        behavior.validate()?;
        Ok(behavior)
    }

    /// How long a request the `slow` fault strikes waits before answering.
    pub fn slow_latency(&self) -> std::time::Duration {
        let ms = self
            .slow_latency_ms
            .unwrap_or_else(|| self.latency_ms.saturating_mul(20));
        std::time::Duration::from_millis(ms)
    }

    /// The answer mode, with the inference rule for an absent `mode`.
    pub fn answer_mode(&self) -> AnswerMode {
        match self.mode {
            Some(mode) => mode,
            None if self.content.is_some() => AnswerMode::Content,
            None if self.text.is_some() => AnswerMode::Fixed,
            None => AnswerMode::Echo,
        }
    }

    /// Checks what serde cannot: contradictory or out-of-range settings.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |why: &str| Err(Error::Invalid(format!("behavior: {why}")));
        match self.answer_mode() {
            AnswerMode::Fixed if self.text.is_none() => {
                return invalid("mode \"fixed\" needs `text`")
            }
            AnswerMode::Content if self.content.as_ref().is_none_or(|c| c.is_empty()) => {
                return invalid("mode \"content\" needs a non-empty `content`")
            }
            _ => {}
        }
        let schedules = [
            self.fail_first.is_some(),
            self.fault_every.is_some(),
            self.fault_probability.is_some(),
            self.sequence.is_some(),
        ];
        if schedules.iter().filter(|set| **set).count() > 1 {
            return invalid(
                "give at most one of failFirst, faultEvery, faultProbability, sequence",
            );
        }
        if self.fault_every == Some(0) {
            return invalid("faultEvery must be at least 1");
        }
        let header_text = |text: &str| text.chars().all(|c| c == '\t' || (' '..='~').contains(&c));
        if self
            .retry_after
            .as_deref()
            .is_some_and(|text| !header_text(text))
        {
            return invalid("retryAfter must be printable ASCII (a header value)");
        }
        if let Some(p) = self.fault_probability {
            if !(0.0..=1.0).contains(&p) {
                return invalid("faultProbability must be within 0..=1");
            }
        }
        if self.sequence.is_some() && (self.fault.is_some() || self.stream_error_after.is_some()) {
            return invalid(
                "`sequence` names its faults itself: drop `fault` / `streamErrorAfter`",
            );
        }
        if self.stream.chunk_size == Some(0) || self.stream.chunks == Some(0) {
            return invalid("stream.chunkSize and stream.chunks must be at least 1");
        }
        if let Some(tiers) = &self.fault_tiers {
            if let Some(bad) = tiers.iter().find(|t| !SERVICE_TIERS.contains(&t.as_str())) {
                return Err(Error::Invalid(format!(
                    "behavior: unknown service tier {bad:?} in faultTiers (known: {SERVICE_TIERS:?})"
                )));
            }
        }
        Ok(())
    }
}

/// Behaviours for a whole emulator: a default plus per-model ones (the binary's
/// `--behaviors` file and the control endpoint use this form).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BehaviorSet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Behavior>,
    #[serde(default)]
    pub models: BTreeMap<String, Behavior>,
}

impl BehaviorSet {
    pub fn from_json(json: &str) -> Result<BehaviorSet, Error> {
        let set: BehaviorSet =
            serde_json::from_str(json).map_err(|e| Error::Invalid(format!("behavior set: {e}")))?;
        if let Some(default) = &set.default {
            default.validate()?;
        }
        for (model, behavior) in &set.models {
            behavior
                .validate()
                .map_err(|e| Error::Invalid(format!("model {model}: {e}")))?;
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_object_echoes() {
        let b = Behavior::from_json("{}").unwrap();
        assert_eq!(b.answer_mode(), AnswerMode::Echo);
        assert_eq!(b, Behavior::default());
    }

    #[test]
    fn full_form_parses() {
        let b = Behavior::from_json(
            r#"{
              "content": [
                {"reasoningContent": {"reasoningText": {"text": "hmm", "signature": "sig"}}},
                {"text": "hi"},
                {"toolUse": {"toolUseId": "t1", "name": "calc", "input": {"x": 1}}}
              ],
              "latencyMs": 5,
              "stream": {"chunks": 3, "eventDelayMs": 1},
              "fault": "throttle",
              "failFirst": 2,
              "faultTiers": ["default"],
              "streamErrorAfter": {"events": 2}
            }"#,
        )
        .unwrap();
        assert_eq!(b.answer_mode(), AnswerMode::Content);
        assert_eq!(b.fault, Some(Fault::Throttle));
        assert_eq!(
            b.stream_error_after.unwrap().exception,
            StreamException::ModelStreamErrorException
        );
    }

    #[test]
    fn sequence_steps_parse() {
        let b =
            Behavior::from_json(r#"{"sequence": ["throttle", "ok", "connectionReset"]}"#).unwrap();
        assert_eq!(
            b.sequence.unwrap(),
            vec![
                SequenceStep::Fault(Fault::Throttle),
                SequenceStep::Ok,
                SequenceStep::Fault(Fault::ConnectionReset)
            ]
        );
    }

    #[test]
    fn rejects_typos_and_contradictions() {
        assert!(Behavior::from_json(r#"{"faults": "throttle"}"#).is_err());
        assert!(Behavior::from_json(r#"{"fault": "throttled"}"#).is_err());
        assert!(Behavior::from_json(r#"{"failFirst": 1, "faultEvery": 2}"#).is_err());
        assert!(Behavior::from_json(r#"{"faultProbability": 1.5}"#).is_err());
        assert!(Behavior::from_json(r#"{"mode": "fixed"}"#).is_err());
        assert!(Behavior::from_json(r#"{"faultTiers": ["gold"]}"#).is_err());
    }

    #[test]
    fn the_slow_fault_takes_its_own_latency_or_twenty_times_the_normal_one() {
        let own = Behavior::from_json(
            r#"{"fault": "slow", "latencyMs": 5, "slowLatencyMs": 70, "faultEvery": 20}"#,
        )
        .unwrap();
        assert_eq!(own.slow_latency(), std::time::Duration::from_millis(70));
        let default = Behavior::from_json(r#"{"fault": "slow", "latencyMs": 5}"#).unwrap();
        assert_eq!(
            default.slow_latency(),
            std::time::Duration::from_millis(100)
        );
    }
}
