use super::*;
use aws_smithy_types::Number;

fn user(content: Doc) -> Doc {
    Doc::object([(
        "messages",
        Doc::Array(vec![Doc::object([
            ("role", Doc::from("user")),
            ("content", Doc::Array(vec![content])),
        ])]),
    )])
}

fn err(input: &Doc) -> InputError {
    converse_input(input, None).unwrap_err()
}

#[test]
fn errors_name_the_path() {
    let bad_format = user(Doc::object([(
        "image",
        Doc::object([
            ("format", Doc::Number(1.0)),
            ("source", Doc::object([("bytes", Doc::Bytes(vec![1]))])),
        ]),
    )]));
    let e = err(&bad_format);
    assert_eq!(e.path, "messages[0].content[0].image.format");
    assert_eq!(e.message, "expected a string, got a number");

    let e = err(&user(Doc::object([("txt", Doc::from("x"))])));
    assert_eq!(e.path, "messages[0].content[0].txt");
    assert!(e.message.starts_with("unknown member"), "{e}");

    let e = err(&user(Doc::object([
        ("text", Doc::from("x")),
        ("cachePoint", Doc::object([("type", Doc::from("default"))])),
    ])));
    assert_eq!(e.path, "messages[0].content[0]");
    assert!(e.message.contains("`text` and `cachePoint`"), "{e}");

    let e = err(&user(Doc::object([(
        "$unknown",
        Doc::Array(vec![Doc::from("newBlock"), Doc::Null]),
    )])));
    assert!(e.message.contains("newBlock"), "{e}");

    let e = err(&user(Doc::object([(
        "toolUse",
        Doc::object([("toolUseId", Doc::from("t")), ("name", Doc::from("n"))]),
    )])));
    assert_eq!(
        (e.path.as_str(), e.message.as_str()),
        (
            "messages[0].content[0].toolUse.input",
            "required member is missing"
        )
    );

    let e = err(&Doc::object([(
        "inferenceConfig",
        Doc::object([("maxTokens", Doc::Number(1.5))]),
    )]));
    assert_eq!(e.path, "inferenceConfig.maxTokens");
    assert_eq!(err(&Doc::Array(vec![])).path, "");
    assert!(err(&Doc::object([(
        "guardrailConfig",
        Doc::object([
            ("guardrailIdentifier", Doc::from("g")),
            ("guardrailVersion", Doc::from("1")),
            ("streamProcessingMode", Doc::from("sync"))
        ])
    )]))
    .message
    .contains("ConverseStream"));
}

#[test]
fn nullish_members_are_absent_and_model_id_is_ignored() {
    let input = Doc::object([
        ("modelId", Doc::from("x")),
        ("system", Doc::Undefined),
        ("unknownButNull", Doc::Null),
        ("messages", Doc::Array(vec![])),
    ]);
    let request = converse_input(&input, None).unwrap();
    assert_eq!(request.messages, Some(vec![]));
    assert_eq!(request.system, None);
}

#[test]
fn service_tier_argument_overrides() {
    let input = Doc::object([("serviceTier", Doc::object([("type", Doc::from("flex"))]))]);
    let tier = |r: ConverseRequest| r.service_tier.map(|t| t.r#type().as_str().to_string());
    assert_eq!(
        tier(converse_input(&input, None).unwrap()).as_deref(),
        Some("flex")
    );
    assert_eq!(
        tier(converse_input(&input, Some("priority")).unwrap()).as_deref(),
        Some("priority")
    );
}

#[test]
fn document_numbers_stay_exact() {
    let n = |x: f64| to_document(&Doc::Number(x)).unwrap();
    assert_eq!(n(1.0), Document::Number(Number::PosInt(1)));
    assert_eq!(n(-0.0), Document::Number(Number::PosInt(0)));
    assert_eq!(n(-3.0), Document::Number(Number::NegInt(-3)));
    assert_eq!(n(1.5), Document::Number(Number::Float(1.5)));
    assert_eq!(
        n(9007199254740993.0),
        Document::Number(Number::PosInt(9007199254740992))
    );
    assert_eq!(n(1e20), Document::Number(Number::Float(1e20)));
    assert!(to_document(&Doc::Number(f64::NAN)).is_err());
    let obj = to_document(&Doc::object([
        ("a", Doc::Undefined),
        ("b", Doc::Array(vec![Doc::Undefined])),
    ]))
    .unwrap();
    assert_eq!(
        obj,
        Document::Object([("b".to_string(), Document::Array(vec![Document::Null]))].into())
    );
    assert_eq!(
        to_document(&Doc::Timestamp(1_700_000_000_123.0)).unwrap(),
        Document::String("2023-11-14T22:13:20.123Z".into())
    );
}
