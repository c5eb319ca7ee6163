use super::*;
use crate::behavior::{ReasoningText, ToolUse};

#[test]
fn reads_last_user_text_tier_and_counts() {
    let body = json!({
        "system": [{"text": "be brief"}],
        "messages": [
            {"role": "user", "content": [{"text": "first"}]},
            {"role": "assistant", "content": [{"text": "ok"}]},
            {"role": "user", "content": [{"text": "héllo"}, {"image": {}}, {"text": "there"}]}
        ],
        "serviceTier": {"type": "priority"},
        "performanceConfig": {"latency": "optimized"}
    });
    let facts = read_request(&body);
    assert_eq!(facts.last_user_text, "héllo\nthere");
    assert_eq!(facts.input_chars, 8 + 5 + 2 + 5 + 5);
    assert_eq!(facts.service_tier.as_deref(), Some("priority"));
    assert!(facts.performance_config.is_some());
}

#[test]
fn converse_body_is_valid_json_of_the_right_shape() {
    let blocks = vec![ContentBlock::Text("hi \"you\"".into())];
    let body = converse_body(
        &content_json(&blocks),
        &json_string("end_turn"),
        Some(r#"{"k":1}"#),
        &ResponseExtras {
            usage: Usage {
                input: 3,
                output: 2,
            },
            latency_ms: 7,
            service_tier: Some("flex"),
            performance_config: Some(&json!({"latency": "standard"})),
        },
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["output"]["message"]["content"][0]["text"], "hi \"you\"");
    assert_eq!(v["stopReason"], "end_turn");
    assert_eq!(v["usage"]["totalTokens"], 5);
    assert_eq!(v["metrics"]["latencyMs"], 7);
    assert_eq!(v["serviceTier"]["type"], "flex");
    assert_eq!(v["performanceConfig"]["latency"], "standard");
    assert_eq!(v["additionalModelResponseFields"]["k"], 1);
}

#[test]
fn split_text_respects_sizes_and_utf8() {
    let opts = |chunk_size, chunks| StreamOptions {
        chunk_size,
        chunks,
        event_delay_ms: 0,
    };
    assert_eq!(
        split_text("abcdefg", &opts(Some(3), None)),
        ["abc", "def", "g"]
    );
    assert_eq!(split_text("abcdefg", &opts(None, Some(2))), ["abcd", "efg"]);
    assert_eq!(split_text("ééé", &opts(Some(2), None)), ["éé", "é"]);
    assert_eq!(split_text("", &opts(None, None)), [""]);
    assert_eq!(split_text("ab", &opts(None, Some(5))), ["a", "b"]);
}

#[test]
fn stream_frames_cover_every_block_kind() {
    let blocks = vec![
        ContentBlock::ReasoningContent(ReasoningContent::ReasoningText(ReasoningText {
            text: "think".into(),
            signature: Some("sig".into()),
        })),
        ContentBlock::Text("hello".into()),
        ContentBlock::ToolUse(ToolUse {
            tool_use_id: "t".into(),
            name: "f".into(),
            input: json!({"a": 1}),
        }),
    ];
    let frames = stream_frames(&blocks, "tool_use", None, &StreamOptions::default()).unwrap();
    // start, (delta, sig, stop), (delta, stop), (start, delta, stop), messageStop
    assert_eq!(frames.len(), 1 + 3 + 2 + 3 + 1);
    let meta = metadata_frame(&ResponseExtras {
        usage: Usage {
            input: 1,
            output: 2,
        },
        latency_ms: 0,
        service_tier: None,
        performance_config: None,
    })
    .unwrap();
    let message = aws_smithy_eventstream::frame::read_message_from(&meta[..]).unwrap();
    let v: Value = serde_json::from_slice(message.payload()).unwrap();
    assert_eq!(v["usage"]["totalTokens"], 3);
}
