//! Wire compatibility proven with the real Rust SDK: `aws-sdk-bedrockruntime` signs,
//! sends and parses Converse / ConverseStream against the emulator, including errors,
//! retries and mid-stream exceptions.

use aws_sdk_bedrockruntime::config::retry::RetryConfig;
use aws_sdk_bedrockruntime::error::ProvideErrorMetadata;
use aws_sdk_bedrockruntime::operation::converse::ConverseError;
use aws_sdk_bedrockruntime::operation::RequestId;
use aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ConversationRole, ConverseOutput, ConverseStreamOutput,
    Message, ServiceTier, ServiceTierType, StopReason,
};
use aws_sdk_bedrockruntime::Client;
use bmm_emulator::testing::*;
use bmm_emulator::EmulatorHandle;
use std::time::Duration;

fn client(emu: &EmulatorHandle, secret: &str, max_attempts: u32) -> Client {
    let config = sdk_config(emu, secret)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(max_attempts)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .build();
    Client::from_conf(config)
}

fn user(text: &str) -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(text.to_string()))
        .build()
        .expect("message")
}

fn reply_text(output: Option<&ConverseOutput>) -> String {
    match output {
        Some(ConverseOutput::Message(message)) => message
            .content()
            .iter()
            .filter_map(|block| block.as_text().ok().cloned())
            .collect(),
        _ => panic!("no message in {output:?}"),
    }
}

#[tokio::test]
async fn converse_round_trip_with_service_tier() {
    let emu = start();
    let sdk = client(&emu, "emulator-secret", 1);
    let output = sdk
        .converse()
        .model_id(MODEL)
        .messages(user("hello sdk"))
        .service_tier(
            ServiceTier::builder()
                .r#type(ServiceTierType::Priority)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("converse succeeds");
    assert_eq!(reply_text(output.output()), "echo: hello sdk");
    assert_eq!(output.stop_reason(), &StopReason::EndTurn);
    let usage = output.usage().expect("usage");
    assert_eq!(
        (
            usage.input_tokens(),
            usage.output_tokens(),
            usage.total_tokens()
        ),
        (3, 4, 7)
    );
    assert_eq!(
        output.service_tier().map(|t| t.r#type()),
        Some(&ServiceTierType::Priority)
    );

    let record = &emu.requests()[0];
    assert!(record.signature_verified, "{:?}", record.signature_error);
    assert_eq!(record.model_id, MODEL);
    assert_eq!(record.service_tier.as_deref(), Some("priority"));
    assert!(record
        .header("user-agent")
        .unwrap_or("")
        .contains("aws-sdk-rust"));
    assert_eq!(record.header("amz-sdk-request"), Some("attempt=1; max=1"));
}

#[tokio::test]
async fn converse_stream_round_trip() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(
            r#"{"content": [
                {"reasoningContent": {"reasoningText": {"text": "let me think", "signature": "s1g"}}},
                {"text": "streamed answer"},
                {"toolUse": {"toolUseId": "tool-1", "name": "weather", "input": {"city": "Oslo"}}}
               ],
               "stream": {"chunkSize": 5}}"#,
        ),
    )
    .unwrap();
    let sdk = client(&emu, "emulator-secret", 1);
    let mut output = sdk
        .converse_stream()
        .model_id(MODEL)
        .messages(user("go"))
        .send()
        .await
        .expect("stream starts");
    let (mut text, mut reasoning, mut tool_input, mut signature) =
        (String::new(), String::new(), String::new(), None);
    let (mut tool_name, mut stop, mut total_tokens) = (None, None, None);
    while let Some(event) = output.stream.recv().await.expect("event") {
        match event {
            ConverseStreamOutput::ContentBlockStart(start) => {
                if let Some(Ok(tool)) = start.start().map(|s| s.as_tool_use()) {
                    tool_name = Some(tool.name().to_string());
                }
            }
            ConverseStreamOutput::ContentBlockDelta(delta) => match delta.delta() {
                Some(ContentBlockDelta::Text(t)) => text.push_str(t),
                Some(ContentBlockDelta::ToolUse(t)) => tool_input.push_str(t.input()),
                Some(ContentBlockDelta::ReasoningContent(r)) => {
                    if let Ok(t) = r.as_text() {
                        reasoning.push_str(t);
                    }
                    if let Ok(s) = r.as_signature() {
                        signature = Some(s.clone());
                    }
                }
                other => panic!("unexpected delta {other:?}"),
            },
            ConverseStreamOutput::MessageStop(m) => stop = Some(m.stop_reason().clone()),
            ConverseStreamOutput::Metadata(m) => total_tokens = m.usage().map(|u| u.total_tokens()),
            _ => {}
        }
    }
    assert_eq!(text, "streamed answer");
    assert_eq!(reasoning, "let me think");
    assert_eq!(signature.as_deref(), Some("s1g"));
    assert_eq!(tool_name.as_deref(), Some("weather"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&tool_input).unwrap(),
        serde_json::json!({"city": "Oslo"})
    );
    assert_eq!(stop, Some(StopReason::ToolUse));
    assert!(total_tokens.is_some_and(|t| t > 0));
}

#[tokio::test]
async fn throttling_is_a_modelled_error() {
    let emu = start();
    emu.set_behavior(MODEL, behavior(r#"{"fault": "throttle"}"#))
        .unwrap();
    let sdk = client(&emu, "emulator-secret", 1);
    let err = sdk
        .converse()
        .model_id(MODEL)
        .messages(user("x"))
        .send()
        .await
        .expect_err("throttled");
    let service_error = err.into_service_error();
    assert!(
        matches!(service_error, ConverseError::ThrottlingException(_)),
        "{service_error:?}"
    );
    assert_eq!(service_error.code(), Some("ThrottlingException"));
    assert_eq!(
        service_error.message(),
        Some("Too many requests, please wait before trying again.")
    );
    assert_eq!(service_error.request_id().map(str::len), Some(36));
}

#[tokio::test]
async fn sdk_retries_through_fail_first() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(r#"{"fault": "unavailable", "failFirst": 2}"#),
    )
    .unwrap();
    let sdk = client(&emu, "emulator-secret", 3);
    let output = sdk
        .converse()
        .model_id(MODEL)
        .messages(user("retry me"))
        .send()
        .await
        .expect("third attempt succeeds");
    assert_eq!(reply_text(output.output()), "echo: retry me");
    let attempts: Vec<String> = emu
        .requests()
        .iter()
        .map(|r| r.header("amz-sdk-request").unwrap_or("").to_string())
        .collect();
    assert_eq!(
        attempts,
        ["attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"]
    );
    let outcomes: Vec<String> = emu.requests().iter().map(|r| r.outcome.clone()).collect();
    assert_eq!(outcomes, ["unavailable", "unavailable", "ok"]);
}

#[tokio::test]
async fn other_errors_parse_to_their_variants() {
    let emu = start();
    let sdk = client(&emu, "emulator-secret", 1);
    for (fault, check) in [
        (
            "modelNotReady",
            (|e: &ConverseError| matches!(e, ConverseError::ModelNotReadyException(_)))
                as fn(&ConverseError) -> bool,
        ),
        ("accessDenied", |e| {
            matches!(e, ConverseError::AccessDeniedException(_))
        }),
        ("modelTimeout", |e| {
            matches!(e, ConverseError::ModelTimeoutException(_))
        }),
        ("modelError", |e| {
            matches!(e, ConverseError::ModelErrorException(_))
        }),
        ("validationError", |e| {
            matches!(e, ConverseError::ValidationException(_))
        }),
        ("resourceNotFound", |e| {
            matches!(e, ConverseError::ResourceNotFoundException(_))
        }),
        ("internalError", |e| {
            matches!(e, ConverseError::InternalServerException(_))
        }),
        ("unavailable", |e| {
            matches!(e, ConverseError::ServiceUnavailableException(_))
        }),
    ] {
        emu.set_behavior(MODEL, behavior(&format!(r#"{{"fault": "{fault}"}}"#)))
            .unwrap();
        let err = sdk
            .converse()
            .model_id(MODEL)
            .messages(user("x"))
            .send()
            .await
            .expect_err(fault);
        let service_error = err.into_service_error();
        assert!(check(&service_error), "{fault}: {service_error:?}");
    }
}

#[tokio::test]
async fn mid_stream_exception_reaches_the_sdk() {
    let emu = start();
    emu.set_behavior(MODEL, behavior(r#"{"streamErrorAfter": {"events": 2}}"#))
        .unwrap();
    let sdk = client(&emu, "emulator-secret", 1);
    let mut output = sdk
        .converse_stream()
        .model_id(MODEL)
        .messages(user("x"))
        .send()
        .await
        .expect("stream starts");
    let mut events = 0;
    let err = loop {
        match output.stream.recv().await {
            Ok(Some(_)) => events += 1,
            Ok(None) => panic!("stream ended without the exception"),
            Err(e) => break e,
        }
    };
    assert_eq!(events, 2);
    let service_error = err.into_service_error();
    assert!(
        matches!(
            service_error,
            ConverseStreamOutputError::ModelStreamErrorException(_)
        ),
        "{service_error:?}"
    );
}

#[tokio::test]
async fn bad_credentials_surface_aws_error_codes() {
    let emu = start();
    let sdk = client(&emu, "not-the-secret", 1);
    let err = sdk
        .converse()
        .model_id(MODEL)
        .messages(user("x"))
        .send()
        .await
        .expect_err("rejected");
    assert_eq!(err.code(), Some("InvalidSignatureException"));
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(403));
}

#[tokio::test]
async fn broken_responses_are_errors_not_hangs() {
    let emu = start();
    let sdk = client(&emu, "emulator-secret", 1);
    for fault in ["malformedBody", "truncatedBody", "connectionReset"] {
        emu.set_behavior(MODEL, behavior(&format!(r#"{{"fault": "{fault}"}}"#)))
            .unwrap();
        let result = tokio::time::timeout(
            Duration::from_secs(10),
            sdk.converse().model_id(MODEL).messages(user("x")).send(),
        )
        .await
        .expect("no hang");
        assert!(result.is_err(), "{fault} should fail");
    }
}

#[tokio::test]
async fn broken_streams_are_errors_not_hangs() {
    let emu = start();
    let sdk = client(&emu, "emulator-secret", 1);
    for fault in ["malformedBody", "truncatedBody"] {
        emu.set_behavior(MODEL, behavior(&format!(r#"{{"fault": "{fault}"}}"#)))
            .unwrap();
        let drained = tokio::time::timeout(Duration::from_secs(10), async {
            let mut output = sdk
                .converse_stream()
                .model_id(MODEL)
                .messages(user("x"))
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            loop {
                match output.stream.recv().await {
                    Ok(Some(_)) => continue,
                    Ok(None) => return Ok(()),
                    Err(e) => return Err(format!("{e:?}")),
                }
            }
        })
        .await
        .expect("no hang");
        assert!(drained.is_err(), "{fault} stream should fail");
    }
}
