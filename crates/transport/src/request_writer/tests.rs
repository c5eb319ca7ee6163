use super::*;

fn body(input: &Doc, tier: Option<&str>) -> String {
    request_body(input, tier, Operation::Converse).unwrap()
}

#[test]
fn tier_argument_replaces_service_tier_in_its_schema_place() {
    let input = Doc::object([
        ("outputConfig", Doc::object([("effort", Doc::from("low"))])),
        (
            "serviceTier",
            Doc::object([("type", Doc::from("flex")), ("extra", Doc::Null)]),
        ),
        (
            "requestMetadata",
            Doc::object([("b", Doc::from("1")), ("a", Doc::Null)]),
        ),
    ]);
    assert_eq!(
        body(&input, Some("priority")),
        r#"{"requestMetadata":{"b":"1"},"serviceTier":{"type":"priority"},"outputConfig":{"effort":"low"}}"#
    );
    assert_eq!(
        body(&Doc::object::<&str>([]), Some("flex")),
        r#"{"serviceTier":{"type":"flex"}}"#
    );
    assert_eq!(body(&Doc::object::<&str>([]), None), "{}");
}

#[test]
fn invalid_input_is_reported_not_written() {
    let input = Doc::object([(
        "inferenceConfig",
        Doc::object([("maxTokens", Doc::from(1.5))]),
    )]);
    let error = request_body(&input, None, Operation::Converse).unwrap_err();
    assert_eq!(error.path, "inferenceConfig.maxTokens");
    let stream_only = Doc::object([(
        "guardrailConfig",
        Doc::object([
            ("guardrailIdentifier", Doc::from("g")),
            ("guardrailVersion", Doc::from("1")),
            ("streamProcessingMode", Doc::from("async")),
        ]),
    )]);
    assert!(request_body(&stream_only, None, Operation::Converse).is_err());
    assert_eq!(
        request_body(&stream_only, None, Operation::ConverseStream).unwrap(),
        r#"{"guardrailConfig":{"guardrailIdentifier":"g","guardrailVersion":"1","streamProcessingMode":"async"}}"#
    );
}

#[test]
fn lone_surrogates_are_escaped_and_blob_strings_carry_u_fffd() {
    let lone = || Doc::IllFormedString(vec![0x61, 0xd800]);
    let input = Doc::object([
        (
            "messages",
            Doc::Array(vec![Doc::object([
                ("role", Doc::from("user")),
                (
                    "content",
                    Doc::Array(vec![
                        Doc::object([("text", lone())]),
                        Doc::object([(
                            "image",
                            Doc::object([
                                ("format", Doc::from("png")),
                                ("source", Doc::object([("bytes", lone())])),
                            ]),
                        )]),
                    ]),
                ),
            ])]),
        ),
        (
            "additionalModelRequestFields",
            Doc::object([("k", Doc::Array(vec![lone()]))]),
        ),
        ("requestMetadata", Doc::object([("m", lone())])),
    ]);
    // "a\u{fffd}" in UTF-8 is 61 ef bf bd: base64 "Ye+/vQ==".
    assert_eq!(
        body(&input, None),
        r#"{"messages":[{"role":"user","content":[{"text":"a\ud800"},{"image":{"format":"png","source":{"bytes":"Ye+/vQ=="}}}]}],"additionalModelRequestFields":{"k":["a\ud800"]},"requestMetadata":{"m":"a\ud800"}}"#
    );
}

#[test]
fn keys_with_lone_surrogates_are_escaped_in_documents_and_maps() {
    let lone = |units: &[u16]| JsText::from_utf16(units);
    let input = Doc::object([
        (
            "additionalModelRequestFields",
            Doc::Object(vec![
                (lone(&[0xd800]), Doc::from(1.0)),
                (
                    lone(&[0xd801]),
                    Doc::object([(lone(&[0x6b, 0xdc00]), Doc::Null)]),
                ),
                ("\u{fffd}".into(), Doc::from(3.0)),
                (lone(&[0xdbff]), Doc::Undefined),
            ]),
        ),
        (
            "requestMetadata",
            Doc::Object(vec![(lone(&[0x6b, 0xd800]), Doc::from("v"))]),
        ),
    ]);
    assert_eq!(
        body(&input, None),
        "{\"additionalModelRequestFields\":{\"\\ud800\":1,\"\\ud801\":{\"k\\udc00\":null},\"\u{fffd}\":3},\"requestMetadata\":{\"k\\ud800\":\"v\"}}"
    );
}
