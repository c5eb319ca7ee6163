//! Bedrock Runtime wire shapes: what is read from a Converse request body and how the
//! Converse JSON response and the ConverseStream events are spelled (restJson1, as the
//! SDKs' generated (de)serialisers expect).

use crate::behavior::{ContentBlock, ReasoningContent, StreamOptions, DEFAULT_CHUNK_SIZE};
use crate::eventstream::event_frame;
use bmm_js::json::{json_string, write_json_string};
use bytes::Bytes;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// What the emulator needs from a Converse / ConverseStream request body.
#[derive(Debug, Default)]
pub(crate) struct RequestFacts {
    /// Text blocks of the last `user` message, joined by newlines.
    pub last_user_text: String,
    /// Characters of all text in `system` and `messages` (drives `inputTokens`).
    pub input_chars: usize,
    /// `serviceTier.type`, when the request names one.
    pub service_tier: Option<String>,
    /// `performanceConfig`, echoed back like Bedrock does.
    pub performance_config: Option<Value>,
}

pub(crate) fn read_request(body: &Value) -> RequestFacts {
    let mut facts = RequestFacts::default();
    let text_of = |block: &Value| block.get("text").and_then(Value::as_str).map(str::to_owned);

    if let Some(system) = body.get("system").and_then(Value::as_array) {
        facts.input_chars += system
            .iter()
            .filter_map(text_of)
            .map(|t| t.chars().count())
            .sum::<usize>();
    }
    if let Some(messages) = body.get("messages").and_then(Value::as_array) {
        for message in messages {
            let Some(content) = message.get("content").and_then(Value::as_array) else {
                continue;
            };
            let texts: Vec<String> = content.iter().filter_map(text_of).collect();
            facts.input_chars += texts.iter().map(|t| t.chars().count()).sum::<usize>();
            if message.get("role").and_then(Value::as_str) == Some("user") {
                facts.last_user_text = texts.join("\n");
            }
        }
    }
    facts.service_tier = body
        .get("serviceTier")
        .and_then(|tier| tier.get("type"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    facts.performance_config = body
        .get("performanceConfig")
        .filter(|v| v.is_object())
        .cloned();
    facts
}

/// Deterministic token count: one token per four characters, rounded up.
pub(crate) fn tokens_for_chars(chars: usize) -> u64 {
    chars.div_ceil(4) as u64
}

/// Characters an answer "generates" (text, reasoning, tool input JSON).
pub(crate) fn output_chars(blocks: &[ContentBlock]) -> usize {
    blocks
        .iter()
        .map(|block| match block {
            ContentBlock::Text(text) => text.chars().count(),
            ContentBlock::ToolUse(tool) => tool.input.to_string().chars().count(),
            ContentBlock::ReasoningContent(ReasoningContent::ReasoningText(r)) => {
                r.text.chars().count()
            }
            ContentBlock::ReasoningContent(ReasoningContent::RedactedContent(_)) => 0,
        })
        .sum()
}

/// The `content` array of the answer message, serialised once.
pub(crate) fn content_json(blocks: &[ContentBlock]) -> String {
    // ContentBlock's serde form is the wire form; serialising plain data cannot fail.
    serde_json::to_string(blocks).unwrap_or_else(|_| "[]".to_string())
}

/// Token usage of one answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Usage {
    pub input: u64,
    pub output: u64,
}

/// The parts of a response that vary per request rather than per behaviour.
pub(crate) struct ResponseExtras<'a> {
    pub usage: Usage,
    pub latency_ms: u64,
    pub service_tier: Option<&'a str>,
    pub performance_config: Option<&'a Value>,
}

/// The Converse response body. `content_json`, `stop_reason_json` and `amrf_json` are
/// pre-serialised JSON so a fixed answer costs one string build per request.
pub(crate) fn converse_body(
    content_json: &str,
    stop_reason_json: &str,
    amrf_json: Option<&str>,
    extras: &ResponseExtras<'_>,
) -> String {
    let mut out = String::with_capacity(content_json.len() + 256);
    out.push_str(r#"{"output":{"message":{"role":"assistant","content":"#);
    out.push_str(content_json);
    out.push_str(r#"}},"stopReason":"#);
    out.push_str(stop_reason_json);
    push_usage_and_metrics(&mut out, extras);
    if let Some(amrf) = amrf_json {
        out.push_str(r#","additionalModelResponseFields":"#);
        out.push_str(amrf);
    }
    out.push('}');
    out
}

fn push_usage_and_metrics(out: &mut String, extras: &ResponseExtras<'_>) {
    let Usage { input, output } = extras.usage;
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        r#","usage":{{"inputTokens":{input},"outputTokens":{output},"totalTokens":{}}},"metrics":{{"latencyMs":{}}}"#,
        input + output,
        extras.latency_ms
    );
    if let Some(perf) = extras.performance_config {
        out.push_str(r#","performanceConfig":"#);
        out.push_str(&perf.to_string());
    }
    if let Some(tier) = extras.service_tier {
        out.push_str(r#","serviceTier":{"type":"#);
        write_json_string(out, tier);
        out.push('}');
    }
}

/// `{"message": "..."}`: the error body shape of every Bedrock error.
pub(crate) fn error_body(message: &str) -> String {
    format!(r#"{{"message":{}}}"#, json_string(message))
}

/// Padding Bedrock adds to each stream event (the `p` member, not in the model, ignored
/// by the SDKs) so that event sizes do not reveal token lengths.
const PADDING: &str = "abcdefghijklmnopqrstuvwxyzABCDEF";

fn padded(mut payload: Value, seed: usize) -> String {
    if let Value::Object(map) = &mut payload {
        let len = 1 + seed % PADDING.len();
        map.insert("p".to_string(), Value::String(PADDING[..len].to_string()));
    }
    payload.to_string()
}

/// Splits `text` into deltas: `chunks` near-equal pieces when given, else pieces of
/// `chunkSize` characters. Never splits inside a UTF-8 character; empty text is one
/// empty delta so every block has at least one.
pub(crate) fn split_text<'a>(text: &'a str, options: &StreamOptions) -> Vec<&'a str> {
    let total = text.chars().count();
    if total == 0 {
        return vec![""];
    }
    let per_chunk = match options.chunks {
        Some(n) => total.div_ceil(n.max(1)),
        None => options.chunk_size.unwrap_or(DEFAULT_CHUNK_SIZE).max(1),
    };
    let mut pieces = Vec::with_capacity(total.div_ceil(per_chunk));
    let mut start = 0;
    let mut count = 0;
    for (index, _) in text.char_indices() {
        if count == per_chunk {
            pieces.push(&text[start..index]);
            start = index;
            count = 0;
        }
        count += 1;
    }
    pieces.push(&text[start..]);
    pieces
}

/// Every frame of a ConverseStream answer up to and including `messageStop`, in the
/// order Bedrock sends them. `metadata` (usage, tier) is per request: see `metadata_frame`.
pub(crate) fn stream_frames(
    blocks: &[ContentBlock],
    stop_reason: &str,
    amrf: Option<&Value>,
    options: &StreamOptions,
) -> Result<Vec<Bytes>, String> {
    let mut frames = Vec::with_capacity(4 + blocks.len() * 3);
    let mut n = 0usize; // drives the padding length, like Bedrock's varying `p`
    let mut push =
        |frames: &mut Vec<Bytes>, event: &'static str, payload: Value| -> Result<(), String> {
            n += 1;
            frames.push(event_frame(event, padded(payload, n * 7))?);
            Ok(())
        };
    push(&mut frames, "messageStart", json!({"role": "assistant"}))?;
    for (index, block) in blocks.iter().enumerate() {
        match block {
            ContentBlock::Text(text) => {
                for piece in split_text(text, options) {
                    push(
                        &mut frames,
                        "contentBlockDelta",
                        json!({"contentBlockIndex": index, "delta": {"text": piece}}),
                    )?;
                }
            }
            ContentBlock::ToolUse(tool) => {
                push(
                    &mut frames,
                    "contentBlockStart",
                    json!({"contentBlockIndex": index, "start": {"toolUse": {"toolUseId": tool.tool_use_id, "name": tool.name}}}),
                )?;
                let input = tool.input.to_string();
                for piece in split_text(&input, options) {
                    push(
                        &mut frames,
                        "contentBlockDelta",
                        json!({"contentBlockIndex": index, "delta": {"toolUse": {"input": piece}}}),
                    )?;
                }
            }
            ContentBlock::ReasoningContent(ReasoningContent::ReasoningText(reasoning)) => {
                for piece in split_text(&reasoning.text, options) {
                    push(
                        &mut frames,
                        "contentBlockDelta",
                        json!({"contentBlockIndex": index, "delta": {"reasoningContent": {"text": piece}}}),
                    )?;
                }
                if let Some(signature) = &reasoning.signature {
                    push(
                        &mut frames,
                        "contentBlockDelta",
                        json!({"contentBlockIndex": index, "delta": {"reasoningContent": {"signature": signature}}}),
                    )?;
                }
            }
            ContentBlock::ReasoningContent(ReasoningContent::RedactedContent(data)) => {
                push(
                    &mut frames,
                    "contentBlockDelta",
                    json!({"contentBlockIndex": index, "delta": {"reasoningContent": {"redactedContent": data}}}),
                )?;
            }
        }
        push(
            &mut frames,
            "contentBlockStop",
            json!({"contentBlockIndex": index}),
        )?;
    }
    let mut stop = json!({"stopReason": stop_reason});
    if let (Some(amrf), Value::Object(map)) = (amrf, &mut stop) {
        map.insert("additionalModelResponseFields".to_string(), amrf.clone());
    }
    push(&mut frames, "messageStop", stop)?;
    Ok(frames)
}

/// The closing `metadata` event: usage, metrics and the tier that served the request.
pub(crate) fn metadata_frame(extras: &ResponseExtras<'_>) -> Result<Bytes, String> {
    let mut payload = String::with_capacity(160);
    payload.push('{');
    push_usage_and_metrics(&mut payload, extras);
    // push_usage_and_metrics starts with a comma (it continues an object elsewhere).
    payload.remove(1);
    payload.push_str(r#","p":"abcdefgh"}"#);
    event_frame("metadata", payload)
}

/// A contentBlockDelta frame whose payload is cut short: valid framing, broken JSON.
pub(crate) fn malformed_delta_frame() -> Result<Bytes, String> {
    event_frame(
        "contentBlockDelta",
        r#"{"contentBlockIndex":0,"delta":{"text":"this payload is cut sh"#,
    )
}

#[cfg(test)]
mod tests;
