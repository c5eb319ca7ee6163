//! ConverseStream against the emulator: JS-shaped events, exceptions, early drop.

mod common;

use bmm_emulator::testing::{behavior, start, MODEL};
use bmm_transport::{Doc, ErrorKind};
use common::*;
use std::time::Duration;

async fn collect(
    stream: &mut bmm_transport::EventStream,
) -> (Vec<Doc>, Option<bmm_transport::CallError>) {
    let mut events = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(event) => events.push(event),
            Err(e) => return (events, Some(e)),
        }
    }
    (events, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_have_the_js_shape() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(
            r#"{"content": [
                {"reasoningContent": {"reasoningText": {"text": "think", "signature": "sg"}}},
                {"text": "streamed answer"},
                {"toolUse": {"toolUseId": "t-1", "name": "weather", "input": {"city": "Oslo"}}}
               ],
               "stream": {"chunkSize": 8}}"#,
        ),
    )
    .unwrap();
    let (meta, mut stream) = transport(&emu)
        .converse_stream(MODEL, &user_input("hi"), Some("flex"))
        .await
        .expect("stream starts");
    assert_eq!(meta.get("httpStatusCode"), Some(&Doc::Number(200.0)));
    assert_eq!(meta.get("attempts"), Some(&Doc::Number(1.0)));
    let (events, error) = collect(&mut stream).await;
    assert!(error.is_none(), "{error:?}");
    let names: Vec<&str> = events
        .iter()
        .map(|e| e.as_object().unwrap()[0].0.as_str())
        .collect();
    assert_eq!(names.first(), Some(&"messageStart"));
    assert_eq!(names.last(), Some(&"metadata"));
    assert_eq!(
        events[0].to_tagged_json(),
        r#"{"messageStart":{"role":"assistant"}}"#
    );
    let text: String = events
        .iter()
        .filter_map(|e| e.get("contentBlockDelta"))
        .filter_map(|d| {
            d.get("delta")
                .and_then(|d| d.get("text"))
                .and_then(Doc::as_str)
        })
        .collect();
    assert_eq!(text, "streamed answer");
    let tool_start = events
        .iter()
        .find_map(|e| e.get("contentBlockStart"))
        .unwrap();
    assert_eq!(
        tool_start.to_tagged_json(),
        r#"{"start":{"toolUse":{"toolUseId":"t-1","name":"weather"}},"contentBlockIndex":2}"#
    );
    let tool_input: String = events
        .iter()
        .filter_map(|e| e.get("contentBlockDelta"))
        .filter_map(|d| {
            d.get("delta")
                .and_then(|d| d.get("toolUse"))
                .and_then(|t| t.get("input"))
                .and_then(Doc::as_str)
        })
        .collect();
    assert_eq!(tool_input, r#"{"city":"Oslo"}"#);
    let reasoning = events
        .iter()
        .find_map(|e| e.get("contentBlockDelta"))
        .unwrap();
    assert_eq!(
        reasoning.to_tagged_json(),
        r#"{"delta":{"reasoningContent":{"text":"think"}},"contentBlockIndex":0}"#
    );
    let stop = events.iter().find_map(|e| e.get("messageStop")).unwrap();
    assert_eq!(stop.to_tagged_json(), r#"{"stopReason":"tool_use"}"#);
    let metadata = events.last().unwrap().get("metadata").unwrap();
    let keys: Vec<&str> = metadata
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(keys, ["usage", "metrics", "serviceTier"]);
    assert_eq!(emu.requests()[0].service_tier.as_deref(), Some("flex"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exception_events_become_errors() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(r#"{"text": "a long enough answer", "stream": {"chunkSize": 2}, "streamErrorAfter": {"events": 3, "exception": "throttlingException", "message": "slow"}}"#),
    )
    .unwrap();
    let (_, mut stream) = transport(&emu)
        .converse_stream(MODEL, &user_input("x"), None)
        .await
        .expect("starts");
    let (events, error) = collect(&mut stream).await;
    assert_eq!(events.len(), 3);
    let e = error.expect("an exception event");
    assert_eq!(
        (e.name.as_str(), e.message.as_str(), e.fault, e.kind),
        (
            "ThrottlingException",
            "slow",
            Some("client"),
            ErrorKind::Stream
        )
    );
    assert!(
        stream.next().await.is_none(),
        "the stream ends after an error"
    );

    emu.set_behavior(
        MODEL,
        behavior(r#"{"text": "x", "streamErrorAfter": {"events": 0}}"#),
    )
    .unwrap();
    // As in the JS SDK, an exception as first event fails the call itself.
    let e = transport(&emu)
        .converse_stream(MODEL, &user_input("x"), None)
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        (e.name.as_str(), e.kind),
        ("ModelStreamErrorException", ErrorKind::Stream)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_errors_and_broken_streams() {
    let emu = start();
    emu.set_behavior(MODEL, behavior(r#"{"fault": "validationError"}"#))
        .unwrap();
    let e = transport(&emu)
        .converse_stream(MODEL, &user_input("x"), None)
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        (e.name.as_str(), e.meta.http_status_code, e.kind),
        ("ValidationException", Some(400), ErrorKind::Service)
    );

    emu.set_behavior(
        MODEL,
        behavior(r#"{"fault": "malformedBody", "text": "abcdefgh", "stream": {"chunkSize": 2}}"#),
    )
    .unwrap();
    let (_, mut stream) = transport(&emu)
        .converse_stream(MODEL, &user_input("x"), None)
        .await
        .expect("starts");
    let (_, error) = collect(&mut stream).await;
    assert_eq!(error.map(|e| e.kind), Some(ErrorKind::Deserialization));

    emu.set_behavior(
        MODEL,
        behavior(r#"{"fault": "truncatedBody", "text": "abcdefgh", "stream": {"chunkSize": 2}}"#),
    )
    .unwrap();
    let (_, mut stream) = transport(&emu)
        .converse_stream(MODEL, &user_input("x"), None)
        .await
        .expect("starts");
    let (_, error) = collect(&mut stream).await;
    let e = error.expect("broken stream");
    assert_eq!(
        (e.kind, e.code.as_deref()),
        (ErrorKind::Network, Some("ECONNRESET"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_stream_closes_the_connection() {
    let emu = start();
    emu.set_behavior(MODEL, behavior(r#"{"text": "slow stream of many words", "stream": {"chunkSize": 1, "eventDelayMs": 50}}"#)).unwrap();
    let transport = transport(&emu);
    let (_, mut stream) = transport
        .converse_stream(MODEL, &user_input("x"), None)
        .await
        .expect("starts");
    assert!(stream.next().await.is_some());
    assert_eq!(emu.connections_open(), 1);
    drop(stream);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while emu.connections_open() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(emu.connections_open(), 0, "the HTTP stream was closed");
}
