//! A behaviour made ready to serve: its answer pre-rendered where it does not depend on
//! the request, plus the per-model counter that decides, deterministically, which
//! requests a fault strikes.

use crate::behavior::{
    AnswerMode, Behavior, ContentBlock, Fault, SequenceStep, StreamErrorAfter, StreamException,
};
use crate::error::Error;
use crate::error_kind::ErrorKind;
use crate::record::Operation;
use crate::wire::{self, RequestFacts, Usage};
use bytes::Bytes;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A rendered answer: the Converse `content` JSON and the ConverseStream frames up to
/// `messageStop`.
pub(crate) struct Rendered {
    pub content_json: String,
    pub output_chars: usize,
    pub frames: Vec<Bytes>,
}

enum Answer {
    /// Depends on the request: rendered per request.
    Echo { prefix: String },
    /// Same for every request: rendered once.
    Fixed(Rendered),
}

/// One model's behaviour, ready to serve, with its fault counter.
pub(crate) struct ModelPlan {
    pub behavior: Behavior,
    /// Made from the default behaviour rather than set for this model.
    pub inherited: bool,
    answer: Answer,
    stop_reason: String,
    stop_reason_json: String,
    amrf_json: Option<String>,
    pub latency: Duration,
    pub slow_latency: Duration,
    pub event_delay: Duration,
    /// Requests that were subject to this behaviour's fault schedule so far.
    counter: AtomicU64,
}

/// What to do with one request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decision {
    Serve,
    /// Served normally, after the behaviour's slow latency (the `slow` fault).
    Slow,
    Error(ErrorKind, String),
    Malformed,
    Truncated,
    Reset,
    StreamBreak {
        events: usize,
        exception: StreamException,
        message: String,
    },
}

impl Decision {
    /// How `requests()` names the outcome: `"ok"`, a fault name, or `"streamError"`.
    pub fn label(&self, fault: Option<Fault>) -> &'static str {
        match (self, fault) {
            (Decision::Serve, _) => "ok",
            (Decision::StreamBreak { .. }, _) => "streamError",
            (_, Some(fault)) => fault.name(),
            (Decision::Malformed, None) => "malformedBody",
            (Decision::Truncated, None) => "truncatedBody",
            (Decision::Reset, None) => "connectionReset",
            (Decision::Slow, None) => "slow",
            (Decision::Error(..), None) => "error",
        }
    }
}

/// The fault a request is a candidate for, before the schedule says whether it strikes.
enum Candidate<'a> {
    Fault(Fault),
    StreamBreak(&'a StreamErrorAfter),
}

impl ModelPlan {
    pub fn new(behavior: Behavior, inherited: bool) -> Result<ModelPlan, Error> {
        behavior.validate()?;
        let blocks: Option<Vec<ContentBlock>> = match behavior.answer_mode() {
            AnswerMode::Echo => None,
            AnswerMode::Fixed => Some(vec![ContentBlock::Text(
                behavior.text.clone().unwrap_or_default(),
            )]),
            AnswerMode::Content => Some(behavior.content.clone().unwrap_or_default()),
        };
        let has_tool_use = blocks
            .iter()
            .flatten()
            .any(|block| matches!(block, ContentBlock::ToolUse(_)));
        let stop_reason = behavior
            .stop_reason
            .clone()
            .unwrap_or_else(|| if has_tool_use { "tool_use" } else { "end_turn" }.to_string());
        let amrf = behavior.additional_model_response_fields.as_ref();
        let answer = match blocks {
            None => Answer::Echo {
                prefix: behavior
                    .echo_prefix
                    .clone()
                    .unwrap_or_else(|| "echo: ".to_string()),
            },
            Some(blocks) => Answer::Fixed(
                render(&blocks, &stop_reason, amrf, &behavior)
                    .map_err(|e| Error::Invalid(format!("behavior: {e}")))?,
            ),
        };
        Ok(ModelPlan {
            stop_reason_json: bmm_js::json::json_string(&stop_reason),
            amrf_json: amrf.map(|v| v.to_string()),
            latency: Duration::from_millis(behavior.latency_ms),
            slow_latency: behavior.slow_latency(),
            event_delay: Duration::from_millis(behavior.stream.event_delay_ms),
            inherited,
            answer,
            stop_reason,
            counter: AtomicU64::new(0),
            behavior,
        })
    }

    /// Decides this request's fate and advances the schedule. Requests outside
    /// `faultTiers`, and requests no fault could apply to, leave the counter alone so
    /// `failFirst: N` means N faulted requests of the kind the behaviour targets.
    pub fn decide(
        &self,
        operation: Operation,
        service_tier: Option<&str>,
    ) -> (Decision, Option<Fault>) {
        let b = &self.behavior;
        if let Some(tiers) = &b.fault_tiers {
            let tier = service_tier.unwrap_or("default");
            if !tiers.iter().any(|t| t == tier) {
                return (Decision::Serve, None);
            }
        }
        let candidate = if let Some(sequence) = &b.sequence {
            let n = self.counter.fetch_add(1, Ordering::Relaxed);
            match usize::try_from(n).ok().and_then(|i| sequence.get(i)) {
                Some(SequenceStep::Fault(fault)) => Candidate::Fault(*fault),
                Some(SequenceStep::Ok) | None => return (Decision::Serve, None),
            }
        } else {
            let candidate = match (b.fault, &b.stream_error_after, operation) {
                (Some(fault), _, _) => Candidate::Fault(fault),
                (None, Some(after), Operation::ConverseStream) => Candidate::StreamBreak(after),
                _ => return (Decision::Serve, None),
            };
            let n = self.counter.fetch_add(1, Ordering::Relaxed);
            if !self.strikes(n) {
                return (Decision::Serve, None);
            }
            candidate
        };
        match candidate {
            Candidate::StreamBreak(after) => (
                Decision::StreamBreak {
                    events: after.events,
                    exception: after.exception,
                    message: after
                        .message
                        .clone()
                        .unwrap_or_else(|| after.exception.default_message().to_string()),
                },
                None,
            ),
            Candidate::Fault(fault) => {
                let decision = match fault.error_kind() {
                    Some(kind) => Decision::Error(
                        kind,
                        b.fault_message
                            .clone()
                            .unwrap_or_else(|| kind.default_message().to_string()),
                    ),
                    None => match fault {
                        Fault::MalformedBody => Decision::Malformed,
                        Fault::TruncatedBody => Decision::Truncated,
                        Fault::Slow => Decision::Slow,
                        _ => Decision::Reset,
                    },
                };
                (decision, Some(fault))
            }
        }
    }

    /// Whether the fault strikes the `n`th (0-based) counted request.
    fn strikes(&self, n: u64) -> bool {
        let b = &self.behavior;
        if let Some(first) = b.fail_first {
            n < first
        } else if let Some(every) = b.fault_every {
            (n + 1).is_multiple_of(every.max(1))
        } else if let Some(p) = b.fault_probability {
            unit_interval(splitmix64(b.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15))) < p
        } else {
            true
        }
    }

    pub fn stop_reason_json(&self) -> &str {
        &self.stop_reason_json
    }

    pub fn amrf_json(&self) -> Option<&str> {
        self.amrf_json.as_deref()
    }

    /// The Converse `content` JSON and the characters it "generated".
    pub fn converse_content(&self, facts: &RequestFacts) -> (Cow<'_, str>, usize) {
        match &self.answer {
            Answer::Fixed(rendered) => {
                (Cow::Borrowed(&rendered.content_json), rendered.output_chars)
            }
            Answer::Echo { prefix } => {
                let blocks = [ContentBlock::Text(format!(
                    "{prefix}{}",
                    facts.last_user_text
                ))];
                (
                    Cow::Owned(wire::content_json(&blocks)),
                    wire::output_chars(&blocks),
                )
            }
        }
    }

    /// The ConverseStream frames up to `messageStop`, and the characters they carry.
    pub fn stream_frames(&self, facts: &RequestFacts) -> Result<(Cow<'_, [Bytes]>, usize), String> {
        match &self.answer {
            Answer::Fixed(rendered) => Ok((Cow::Borrowed(&rendered.frames), rendered.output_chars)),
            Answer::Echo { prefix } => {
                let blocks = [ContentBlock::Text(format!(
                    "{prefix}{}",
                    facts.last_user_text
                ))];
                let frames = wire::stream_frames(
                    &blocks,
                    &self.stop_reason,
                    self.behavior.additional_model_response_fields.as_ref(),
                    &self.behavior.stream,
                )?;
                Ok((Cow::Owned(frames), wire::output_chars(&blocks)))
            }
        }
    }

    /// Token usage: the behaviour's override, else counts from text lengths (a request
    /// always costs at least one input token, as on Bedrock).
    pub fn usage(&self, facts: &RequestFacts, output_chars: usize) -> Usage {
        let fixed = self.behavior.usage.unwrap_or_default();
        Usage {
            input: fixed
                .input_tokens
                .unwrap_or_else(|| wire::tokens_for_chars(facts.input_chars).max(1)),
            output: fixed
                .output_tokens
                .unwrap_or_else(|| wire::tokens_for_chars(output_chars)),
        }
    }
}

fn render(
    blocks: &[ContentBlock],
    stop_reason: &str,
    amrf: Option<&serde_json::Value>,
    behavior: &Behavior,
) -> Result<Rendered, String> {
    Ok(Rendered {
        content_json: wire::content_json(blocks),
        output_chars: wire::output_chars(blocks),
        frames: wire::stream_frames(blocks, stop_reason, amrf, &behavior.stream)?,
    })
}

/// SplitMix64: a tiny, well-mixed, stateless generator step, so the nth draw depends
/// only on (seed, n) and concurrent requests need no shared RNG state.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn unit_interval(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests;
