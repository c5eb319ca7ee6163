use super::*;
use crate::schema::{CONVERSE_RESPONSE, CONVERSE_STREAM_OUTPUT};

fn shaped(json: &str, id: ShapeId) -> String {
    parse_shaped(json.as_bytes(), id).unwrap().to_tagged_json()
}

#[test]
fn documents_keep_special_keys_as_the_js_sdk_does() {
    assert_eq!(
        shaped(
            r#"{"additionalModelResponseFields":{"__proto__":{"p":1},"toString":"x","list":[{"__proto__":2}]}}"#,
            CONVERSE_RESPONSE
        ),
        r#"{"additionalModelResponseFields":{"__proto__":{"$undefined":true},"toString":"x","list":[{"__proto__":{"$undefined":true}}]}}"#
    );
}

#[test]
fn structures_follow_schema_order_and_drop_nulls() {
    assert_eq!(
        shaped(
            r#"{"usage":{"totalTokens":3,"outputTokens":2,"inputTokens":1,"cacheReadInputTokens":null},"stopReason":"end_turn","extra":{"x":1}}"#,
            CONVERSE_RESPONSE
        ),
        r#"{"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3}}"#
    );
}

#[test]
fn unions_blobs_documents_and_unknown_members() {
    let json = r#"{"output":{"message":{"role":"assistant","content":[
        {"text":"hi"},
        {"reasoningContent":{"redactedContent":"AAEC"}},
        {"newThing":{"a":1}},
        {"text":null},
        {"newThing":1,"other":2},
        {"toolUse":{"name":"n","toolUseId":"t","input":{"b":1,"a":[1.5,null],"b":2}}}
    ]}}}"#;
    assert_eq!(
        shaped(json, CONVERSE_RESPONSE),
        concat!(
            r#"{"output":{"message":{"role":"assistant","content":["#,
            r#"{"text":"hi"},"#,
            r#"{"reasoningContent":{"redactedContent":{"$bytes":"AAEC"}}},"#,
            r#"{"$unknown":["newThing",{"a":1}]},"#,
            r#"{},"#,
            r#"{},"#,
            r#"{"toolUse":{"toolUseId":"t","name":"n","input":{"b":2,"a":[1.5,null]}}}"#,
            r#"]}}}"#
        )
    );
}

#[test]
fn unexpected_json_types_pass_through() {
    assert_eq!(
        shaped(
            r#"{"usage":"lots","metrics":{"latencyMs":"NaN"},"output":[1]}"#,
            CONVERSE_RESPONSE
        ),
        r#"{"output":[1],"usage":"lots","metrics":{"latencyMs":null}}"#
    );
    assert!(parse_shaped(
        br#"{"output":{"message":{"content":[{"reasoningContent":{"redactedContent":"A"}}]}}}"#,
        CONVERSE_RESPONSE
    )
    .is_err());
}

#[test]
fn stream_events_and_the_type_rule() {
    assert_eq!(
        shaped(
            r#"{"contentBlockDelta":{"delta":{"text":"x"},"contentBlockIndex":0}}"#,
            CONVERSE_STREAM_OUTPUT
        ),
        r#"{"contentBlockDelta":{"delta":{"text":"x"},"contentBlockIndex":0}}"#
    );
    let (_, id) = crate::schema::modelled_error("ValidationException").unwrap();
    assert_eq!(
        shaped(r#"{"__type":"x","message":null,"z":1}"#, id),
        r#"{"message":null,"__type":"x","z":1}"#
    );
}

#[test]
fn an_answer_with_a_lone_surrogate_escape_parses_as_in_the_js_sdk() {
    let body = r#"{"output":{"message":{"role":"assistant","content":[{"text":"a\ud800b"}]}},"stopReason":"end_turn"}"#;
    let doc = parse_shaped(body.as_bytes(), CONVERSE_RESPONSE).unwrap();
    let text = doc
        .get("output")
        .and_then(|o| o.get("message"))
        .and_then(|m| m.get("content"))
        .and_then(Doc::as_array)
        .and_then(|content| content[0].get("text"));
    assert_eq!(text, Some(&Doc::IllFormedString(vec![0x61, 0xd800, 0x62])));
    assert_eq!(
        doc.to_tagged_json(),
        r#"{"output":{"message":{"role":"assistant","content":[{"text":"a\ud800b"}]}},"stopReason":"end_turn"}"#
    );
}
