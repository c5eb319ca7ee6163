//! Wire-level tests: real HTTP requests against a started emulator, checking status
//! codes, headers, JSON bodies and event-stream frames for each behaviour.

use bmm_emulator::testing::*;
use bmm_emulator::EmulatorHandle;
use serde_json::{json, Value};

/// The statuses of `count` Converse requests saying `text`, sent one after another.
async fn converse_statuses(emu: &EmulatorHandle, text: &str, count: usize) -> Vec<u16> {
    let mut statuses = Vec::with_capacity(count);
    for _ in 0..count {
        let reply = send(emu, post(emu, "converse", &user_body(text))).await;
        statuses.push(reply.status);
    }
    statuses
}

#[tokio::test]
async fn converse_echoes_with_bedrock_shape() {
    let emu = start();
    let reply = send(&emu, post(&emu, "converse", &user_body("hello world"))).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), "application/json");
    assert_eq!(reply.header("x-amzn-requestid").len(), 36);
    let v = reply.json();
    assert_eq!(v["output"]["message"]["role"], "assistant");
    assert_eq!(
        v["output"]["message"]["content"][0]["text"],
        "echo: hello world"
    );
    assert_eq!(v["stopReason"], "end_turn");
    // 11 input chars -> 3 tokens; "echo: hello world" is 17 chars -> 5 tokens.
    assert_eq!(
        v["usage"],
        json!({"inputTokens": 3, "outputTokens": 5, "totalTokens": 8})
    );
    assert_eq!(v["metrics"]["latencyMs"], 0);
    assert!(v.get("serviceTier").is_none());
}

#[tokio::test]
async fn fixed_text_content_blocks_and_extras() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(
            r#"{"content": [
                {"reasoningContent": {"reasoningText": {"text": "thinking", "signature": "sig"}}},
                {"text": "the answer"},
                {"toolUse": {"toolUseId": "tu-1", "name": "lookup", "input": {"q": "x"}}}
              ],
              "additionalModelResponseFields": {"stop_sequence": null},
              "usage": {"inputTokens": 100}}"#,
        ),
    )
    .unwrap();
    let body = json!({
        "messages": [{"role": "user", "content": [{"text": "q"}]}],
        "serviceTier": {"type": "priority"},
        "performanceConfig": {"latency": "optimized"}
    });
    let v = send(&emu, post(&emu, "converse", &body)).await.json();
    let content = &v["output"]["message"]["content"];
    assert_eq!(
        content[0]["reasoningContent"]["reasoningText"]["text"],
        "thinking"
    );
    assert_eq!(content[1]["text"], "the answer");
    assert_eq!(
        content[2]["toolUse"],
        json!({"toolUseId": "tu-1", "name": "lookup", "input": {"q": "x"}})
    );
    assert_eq!(v["stopReason"], "tool_use");
    assert_eq!(v["usage"]["inputTokens"], 100);
    assert_eq!(v["serviceTier"], json!({"type": "priority"}));
    assert_eq!(v["performanceConfig"], json!({"latency": "optimized"}));
    assert_eq!(
        v["additionalModelResponseFields"],
        json!({"stop_sequence": null})
    );

    emu.set_behavior(
        MODEL,
        behavior(r#"{"text": "fixed!", "stopReason": "max_tokens"}"#),
    )
    .unwrap();
    let v = send(&emu, post(&emu, "converse", &user_body("ignored")))
        .await
        .json();
    assert_eq!(v["output"]["message"]["content"][0]["text"], "fixed!");
    assert_eq!(v["stopReason"], "max_tokens");
}

#[tokio::test]
async fn converse_stream_frames() {
    let emu = start();
    emu.set_behavior(MODEL, behavior(r#"{"stream": {"chunkSize": 4}}"#))
        .unwrap();
    let mut body = user_body("abcdef");
    body["serviceTier"] = json!({"type": "flex"});
    let reply = send(&emu, post(&emu, "converse-stream", &body)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        "application/vnd.amazon.eventstream"
    );
    assert!(!reply.header("x-amzn-requestid").is_empty());
    let frames = decode_frames(&reply.body);
    let types = event_types(&frames);
    // "echo: abcdef" = 12 chars -> 3 deltas of 4.
    assert_eq!(
        types,
        [
            "messageStart",
            "contentBlockDelta",
            "contentBlockDelta",
            "contentBlockDelta",
            "contentBlockStop",
            "messageStop",
            "metadata"
        ]
    );
    for frame in &frames {
        assert_eq!(header_str(frame, ":message-type"), "event");
        assert_eq!(header_str(frame, ":content-type"), "application/json");
    }
    assert_eq!(payload_json(&frames[0])["role"], "assistant");
    let text: String = frames[1..4]
        .iter()
        .map(|f| {
            payload_json(f)["delta"]["text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(text, "echo: abcdef");
    assert_eq!(payload_json(&frames[1])["contentBlockIndex"], 0);
    assert_eq!(payload_json(&frames[5])["stopReason"], "end_turn");
    let meta = payload_json(&frames[6]);
    assert_eq!(
        meta["usage"],
        json!({"inputTokens": 2, "outputTokens": 3, "totalTokens": 5})
    );
    assert_eq!(meta["serviceTier"], json!({"type": "flex"}));
    assert!(meta["metrics"]["latencyMs"].is_number());
}

#[tokio::test]
async fn stream_tool_use_and_pacing() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(
            r#"{"content": [{"toolUse": {"toolUseId": "t", "name": "f", "input": {"city": "Paris"}}}],
                "stream": {"chunks": 2, "eventDelayMs": 20}}"#,
        ),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let reply = send(&emu, post(&emu, "converse-stream", &user_body("x"))).await;
    let frames = decode_frames(&reply.body);
    let types = event_types(&frames);
    assert_eq!(
        types,
        [
            "messageStart",
            "contentBlockStart",
            "contentBlockDelta",
            "contentBlockDelta",
            "contentBlockStop",
            "messageStop",
            "metadata"
        ]
    );
    assert_eq!(
        payload_json(&frames[1])["start"]["toolUse"],
        json!({"toolUseId": "t", "name": "f"})
    );
    let input: String = frames[2..4]
        .iter()
        .map(|f| {
            payload_json(f)["delta"]["toolUse"]["input"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        serde_json::from_str::<Value>(&input).unwrap(),
        json!({"city": "Paris"})
    );
    assert_eq!(payload_json(&frames[5])["stopReason"], "tool_use");
    // Six gaps of 20 ms between seven events.
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(120),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn error_faults_answer_with_status_header_and_message() {
    let emu = start();
    let cases = [
        ("throttle", 429, "ThrottlingException"),
        ("unavailable", 503, "ServiceUnavailableException"),
        ("modelNotReady", 429, "ModelNotReadyException"),
        ("validationError", 400, "ValidationException"),
        ("accessDenied", 403, "AccessDeniedException"),
        ("resourceNotFound", 404, "ResourceNotFoundException"),
        ("internalError", 500, "InternalServerException"),
        ("modelTimeout", 408, "ModelTimeoutException"),
        ("modelError", 424, "ModelErrorException"),
        ("serviceQuotaExceeded", 400, "ServiceQuotaExceededException"),
    ];
    for (fault, status, name) in cases {
        emu.set_behavior(MODEL, behavior(&format!(r#"{{"fault": "{fault}"}}"#)))
            .unwrap();
        for op in ["converse", "converse-stream"] {
            let reply = send(&emu, post(&emu, op, &user_body("hi"))).await;
            assert_eq!(reply.status, status, "{fault} {op}");
            assert_eq!(
                reply.header("x-amzn-errortype"),
                format!("{name}:http://internal.amazon.com/coral/com.amazon.bedrock/"),
            );
            assert_eq!(reply.header("content-type"), "application/json");
            assert!(reply.json()["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()));
        }
    }
    emu.set_behavior(
        MODEL,
        behavior(r#"{"fault": "throttle", "faultMessage": "slow down"}"#),
    )
    .unwrap();
    let reply = send(&emu, post(&emu, "converse", &user_body("hi"))).await;
    assert_eq!(reply.json(), json!({"message": "slow down"}));
    assert_eq!(reply.json()["message"], "slow down");
}

#[tokio::test]
async fn a_fault_carries_the_behaviors_retry_after_header() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(r#"{"fault": "unavailable", "retryAfter": "2", "failFirst": 1}"#),
    )
    .unwrap();
    let reply = send(&emu, post(&emu, "converse", &user_body("hi"))).await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.header("retry-after"), "2");
    // Only error answers carry it.
    let reply = send(&emu, post(&emu, "converse", &user_body("hi"))).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.headers.get("retry-after"), None);
    assert!(bmm_emulator::Behavior::from_json(r#"{"retryAfter": "1\n2"}"#).is_err());
}

#[tokio::test]
async fn fail_first_then_recover_and_tier_filter() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(r#"{"fault": "throttle", "failFirst": 2, "faultTiers": ["default"]}"#),
    )
    .unwrap();
    let mut priority = user_body("p");
    priority["serviceTier"] = json!({"type": "priority"});
    // Priority traffic is served and does not use up the failures.
    let reply = send(&emu, post(&emu, "converse", &priority)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["serviceTier"], json!({"type": "priority"}));
    assert_eq!(converse_statuses(&emu, "d", 3).await, [429, 429, 200]);
    let outcomes: Vec<String> = emu.requests().iter().map(|r| r.outcome.clone()).collect();
    assert_eq!(outcomes, ["ok", "throttle", "throttle", "ok"]);
}

#[tokio::test]
async fn probability_faults_are_reproducible() {
    async fn run() -> Vec<u16> {
        let emu = start();
        emu.set_behavior(
            MODEL,
            behavior(r#"{"fault": "unavailable", "faultProbability": 0.5, "seed": 7}"#),
        )
        .unwrap();
        converse_statuses(&emu, "x", 20).await
    }
    let first = run().await;
    assert_eq!(first, run().await);
    assert!(first.contains(&503) && first.contains(&200), "{first:?}");
}

#[tokio::test]
async fn malformed_body_is_a_200_that_is_not_json() {
    let emu = start();
    emu.set_behavior(MODEL, behavior(r#"{"fault": "malformedBody"}"#))
        .unwrap();
    let reply = send(&emu, post(&emu, "converse", &user_body("x"))).await;
    assert_eq!(reply.status, 200);
    assert!(serde_json::from_slice::<Value>(&reply.body).is_err());
    assert!(reply.body.starts_with(br#"{"output""#));

    let reply = send(&emu, post(&emu, "converse-stream", &user_body("x"))).await;
    assert_eq!(reply.status, 200);
    let frames = decode_frames(&reply.body);
    assert_eq!(frames.len(), 2);
    assert_eq!(header_str(&frames[1], ":event-type"), "contentBlockDelta");
    assert!(serde_json::from_slice::<Value>(frames[1].payload()).is_err());
}

#[tokio::test]
async fn truncated_body_promises_more_than_it_sends() {
    let emu = start();
    emu.set_behavior(MODEL, behavior(r#"{"fault": "truncatedBody"}"#))
        .unwrap();
    let outcome = send_raw(
        &emu,
        post(&emu, "converse", &user_body("some text to answer")),
    )
    .await;
    let (head, body) = split_head(&outcome.bytes);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let promised: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .expect("content-length")
        .trim()
        .parse()
        .unwrap();
    assert!(
        !body.is_empty() && body.len() < promised,
        "{} of {promised}",
        body.len()
    );

    // Streams stop inside a frame.
    let outcome = send_raw(&emu, post(&emu, "converse-stream", &user_body("some text"))).await;
    let (head, body) = split_head(&outcome.bytes);
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    assert!(!head.contains("content-length"));
    // The chunked body never reaches its terminating zero-length chunk.
    assert!(!body.ends_with(b"0\r\n\r\n"));
}

#[tokio::test]
async fn connection_reset_sends_nothing_and_resets() {
    let emu = start();
    emu.set_behavior(MODEL, behavior(r#"{"fault": "connectionReset"}"#))
        .unwrap();
    for op in ["converse", "converse-stream"] {
        let outcome = send_raw(&emu, post(&emu, op, &user_body("x"))).await;
        assert!(
            outcome.bytes.is_empty(),
            "{:?}",
            String::from_utf8_lossy(&outcome.bytes)
        );
        assert!(outcome.reset, "expected RST for {op}");
    }
    let records = emu.requests();
    assert_eq!(records.len(), 2);
    assert!(records
        .iter()
        .all(|r| r.outcome == "connectionReset" && r.status == 0));
    assert!(eventually(|| emu.connections_open() == 0).await);
}

#[tokio::test]
async fn stream_error_after_n_events() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(r#"{"streamErrorAfter": {"events": 2, "exception": "throttlingException", "message": "mid-stream"}}"#),
    )
    .unwrap();
    // Converse is not affected by a stream-only fault.
    assert_eq!(
        send(&emu, post(&emu, "converse", &user_body("x")))
            .await
            .status,
        200
    );
    let reply = send(&emu, post(&emu, "converse-stream", &user_body("x"))).await;
    assert_eq!(reply.status, 200);
    let frames = decode_frames(&reply.body);
    assert_eq!(frames.len(), 3);
    assert_eq!(header_str(&frames[0], ":event-type"), "messageStart");
    let exception = &frames[2];
    assert_eq!(header_str(exception, ":message-type"), "exception");
    assert_eq!(
        header_str(exception, ":exception-type"),
        "throttlingException"
    );
    assert_eq!(header_str(exception, ":content-type"), "application/json");
    assert_eq!(payload_json(exception), json!({"message": "mid-stream"}));
    assert_eq!(emu.requests()[1].outcome, "streamError");
}

#[tokio::test]
async fn sequence_of_outcomes() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(r#"{"sequence": ["unavailable", "ok", "modelTimeout"]}"#),
    )
    .unwrap();
    assert_eq!(converse_statuses(&emu, "x", 4).await, [503, 200, 408, 200]);
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let emu = start();
    emu.set_behavior(MODEL, behavior(r#"{"latencyMs": 150}"#))
        .unwrap();
    let started = std::time::Instant::now();
    let v = send(&emu, post(&emu, "converse", &user_body("x")))
        .await
        .json();
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
    assert_eq!(v["metrics"]["latencyMs"], 150);
}

#[tokio::test]
async fn h2c_prior_knowledge_is_served() {
    let emu = start();
    let reply = send_h2(&emu, post(&emu, "converse", &user_body("over h2"))).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(
        reply.json()["output"]["message"]["content"][0]["text"],
        "echo: over h2"
    );
    let stream = send_h2(&emu, post(&emu, "converse-stream", &user_body("s"))).await;
    assert_eq!(
        decode_frames(&stream.body)
            .last()
            .map(|f| header_str(f, ":event-type").to_string())
            .as_deref(),
        Some("metadata")
    );
    let records = emu.requests();
    assert_eq!(records[0].http_version, "HTTP/2.0");
    assert!(records.iter().all(|r| r.signature_verified));
}

#[tokio::test]
async fn keep_alive_serves_many_requests_on_one_connection() {
    let emu = start();
    let stream = tokio::net::TcpStream::connect(emu.local_addr())
        .await
        .unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    for i in 0..5 {
        let response = sender
            .send_request(post(&emu, "converse", &user_body(&format!("n{i}"))))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap();
    }
    assert_eq!(emu.stats().connections_total, 1);
    assert_eq!(emu.stats().requests, 5);
}

#[tokio::test]
async fn records_requests_with_headers_and_body() {
    let emu = start();
    let mut body = user_body("record me");
    body["serviceTier"] = json!({"type": "reserved"});
    send(&emu, post(&emu, "converse", &body)).await;
    let records = emu.requests();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r.model_id, MODEL);
    assert_eq!(r.operation, bmm_emulator::Operation::Converse);
    assert_eq!(r.body, body);
    assert_eq!(r.header("user-agent"), Some("bmm-emulator-tests"));
    assert!(r.header("authorization").is_some());
    assert_eq!(r.http_version, "HTTP/1.1");
    assert!(r.signature_verified);
    assert_eq!(r.access_key_id.as_deref(), Some("AKIDEMULATOR"));
    assert_eq!(r.service_tier.as_deref(), Some("reserved"));
    assert_eq!((r.outcome.as_str(), r.status), ("ok", 200));
    let as_json = serde_json::to_value(r).unwrap();
    assert_eq!(as_json["modelId"], MODEL);
    assert_eq!(as_json["operation"], "Converse");
    emu.clear_requests();
    assert!(emu.requests().is_empty());
}

#[tokio::test]
async fn bad_requests_get_error_responses() {
    let emu = start();
    // Not JSON.
    let mut request = post(&emu, "converse", &json!({}));
    *request.body_mut() = http_body_util::Full::new(bytes::Bytes::from_static(b"not json"));
    let reply = send(&emu, request).await;
    // The body no longer matches the signature, which is checked first.
    assert_eq!(reply.status, 403);
    let opts = bmm_emulator::EmulatorOptions {
        verify_signatures: false,
        ..Default::default()
    };
    let emu = start_with(opts);
    let mut request = post(&emu, "converse", &json!({}));
    *request.body_mut() = http_body_util::Full::new(bytes::Bytes::from_static(b"not json"));
    let reply = send(&emu, request).await;
    assert_eq!(reply.status, 400);
    assert!(reply
        .header("x-amzn-errortype")
        .starts_with("ValidationException:"));
    // Unknown operation.
    let reply = send(
        &emu,
        signed(
            &emu,
            &format!("/model/{MODEL_PATH}/invoke"),
            &json!({}),
            "emulator-secret",
            std::time::SystemTime::now(),
        ),
    )
    .await;
    assert_eq!(reply.status, 404);
    assert!(reply
        .header("x-amzn-errortype")
        .starts_with("UnknownOperationException:"));
}

#[tokio::test]
async fn abandoned_stream_closes_its_connection() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(r#"{"stream": {"chunkSize": 1, "eventDelayMs": 50}}"#),
    )
    .unwrap();
    let stream = tokio::net::TcpStream::connect(emu.local_addr())
        .await
        .unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    let conn_task = tokio::spawn(conn);
    let response = sender
        .send_request(post(&emu, "converse-stream", &user_body("a long answer")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(eventually(|| emu.connections_open() == 1).await);
    // Walk away mid-stream: drop the response and the connection.
    drop(response);
    drop(sender);
    conn_task.abort();
    assert!(
        eventually(|| emu.connections_open() == 0).await,
        "open: {}",
        emu.connections_open()
    );
    assert!(eventually(|| emu.stats().abandoned == 1).await);
}

#[tokio::test]
async fn slow_fault_answers_normally_after_its_long_latency() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(r#"{"fault": "slow", "faultEvery": 3, "slowLatencyMs": 200}"#),
    )
    .unwrap();
    let mut slow_took = std::time::Duration::ZERO;
    for i in 0..3 {
        let started = std::time::Instant::now();
        let reply = send(&emu, post(&emu, "converse", &user_body("x"))).await;
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.json()["output"]["message"]["content"][0]["text"],
            "echo: x"
        );
        if i == 2 {
            slow_took = started.elapsed();
        }
    }
    let outcomes: Vec<String> = emu.requests().into_iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, ["ok", "ok", "slow"]);
    assert!(slow_took >= std::time::Duration::from_millis(200));
    assert_eq!(
        emu.stats().abandoned,
        0,
        "answered requests are not abandoned"
    );
}

#[tokio::test]
async fn a_request_dropped_while_waiting_counts_as_abandoned() {
    let emu = start();
    emu.set_behavior(MODEL, behavior(r#"{"latencyMs": 5000}"#))
        .unwrap();
    let pending = tokio::spawn({
        let request = post(&emu, "converse", &user_body("x"));
        let addr = emu.local_addr();
        async move {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let io = hyper_util::rt::TokioIo::new(stream);
            let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
            tokio::spawn(conn);
            sender.send_request(request).await
        }
    });
    assert!(eventually(|| emu.stats().requests == 1).await);
    pending.abort();
    assert!(eventually(|| emu.stats().abandoned == 1).await);
}

#[tokio::test]
async fn control_api_changes_behaviour_and_reads_the_log() {
    let emu = start();
    let control = |method: &str, path: &str, body: &str| {
        http::Request::builder()
            .method(method)
            .uri(format!("/__emulator/{path}"))
            .header("host", emu.local_addr().to_string())
            .body(http_body_util::Full::new(bytes::Bytes::from(
                body.to_string(),
            )))
            .unwrap()
    };
    let reply = send(
        &emu,
        control(
            "PUT",
            &format!("behaviors/{MODEL_PATH}"),
            r#"{"fault":"throttle"}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        send(&emu, post(&emu, "converse", &user_body("x")))
            .await
            .status,
        429
    );
    let reply = send(
        &emu,
        control(
            "PUT",
            "behaviors",
            r#"{"default":{"text":"d"},"models":{}}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, 204);
    let v = send(&emu, post(&emu, "converse", &user_body("x")))
        .await
        .json();
    assert_eq!(v["output"]["message"]["content"][0]["text"], "d");
    let log = send(&emu, control("GET", "requests", "")).await.json();
    assert_eq!(log.as_array().unwrap().len(), 2);
    assert_eq!(log[0]["outcome"], "throttle");
    let stats = send(&emu, control("GET", "stats", "")).await.json();
    assert_eq!(stats["requests"], 2);
    let reply = send(
        &emu,
        control("PUT", "default-behavior", r#"{"fault":"nope"}"#),
    )
    .await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn stop_releases_the_port() {
    let emu = start();
    let addr = emu.local_addr();
    assert_eq!(
        send(&emu, post(&emu, "converse", &user_body("x")))
            .await
            .status,
        200
    );
    emu.stop();
    emu.stop(); // idempotent
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    // The same port can be bound again.
    let again = start_with(bmm_emulator::EmulatorOptions {
        port: addr.port(),
        ..Default::default()
    });
    assert_eq!(again.port(), addr.port());
}
