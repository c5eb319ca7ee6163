//! Transport against the Bedrock emulator: real HTTP, SigV4, retries and faults.

mod common;

use bmm_emulator::testing::{behavior, start, MODEL};
use bmm_transport::{
    AwsCredentials, CallError, ClientSettings, Credentials, Doc, ErrorKind, ProvideCredentials,
    Transport,
};
use common::*;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

fn content(out: &Doc) -> &[Doc] {
    out.get("output")
        .and_then(|o| o.get("message"))
        .and_then(|m| m.get("content"))
        .and_then(Doc::as_array)
        .unwrap_or_else(|| panic!("no content in {}", out.to_tagged_json()))
}

fn keys(doc: &Doc) -> Vec<&str> {
    doc.as_object()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect()
}

async fn fail(transport: &Transport, input: &Doc) -> CallError {
    match transport.converse(MODEL, input, None).await {
        Ok(out) => panic!("expected an error, got {}", out.to_tagged_json()),
        Err(e) => e,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converse_success_in_js_shape() {
    let emu = start();
    let out = transport(&emu)
        .converse(MODEL, &user_input("hello"), None)
        .await
        .expect("converse");
    assert_eq!(
        keys(&out),
        ["output", "stopReason", "usage", "metrics", "$metadata"]
    );
    assert_eq!(
        content(&out)[0].to_tagged_json(),
        r#"{"text":"echo: hello"}"#
    );
    assert_eq!(text(&out, "stopReason"), "end_turn");
    assert_eq!(
        out.get("usage").unwrap().to_tagged_json(),
        r#"{"inputTokens":2,"outputTokens":3,"totalTokens":5}"#
    );
    assert_eq!(
        out.get("metrics").unwrap().to_tagged_json(),
        r#"{"latencyMs":0}"#
    );
    let meta = out.get("$metadata").unwrap();
    assert_eq!(
        keys(meta),
        [
            "httpStatusCode",
            "requestId",
            "extendedRequestId",
            "cfId",
            "attempts",
            "totalRetryDelay"
        ]
    );
    assert_eq!(meta.get("httpStatusCode"), Some(&Doc::Number(200.0)));
    assert_eq!(meta.get("extendedRequestId"), Some(&Doc::Undefined));
    assert_eq!(meta.get("attempts"), Some(&Doc::Number(1.0)));
    assert_eq!(meta.get("totalRetryDelay"), Some(&Doc::Number(0.0)));
    let record = &emu.requests()[0];
    assert!(record.signature_verified, "{:?}", record.signature_error);
    assert_eq!(record.model_id, MODEL);
    assert_eq!(
        text(meta, "requestId").len(),
        36,
        "a UUID from x-amzn-requestid"
    );
    assert_eq!(record.header("amz-sdk-request"), Some("attempt=1; max=3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stamped_service_tier_is_sent_and_echoed() {
    let emu = start();
    let mut input = user_input("tier");
    input.set("serviceTier", Doc::object([("type", Doc::from("default"))]));
    let out = transport(&emu)
        .converse(MODEL, &input, Some("priority"))
        .await
        .expect("converse");
    assert_eq!(emu.requests()[0].service_tier.as_deref(), Some("priority"));
    assert_eq!(
        out.get("serviceTier").unwrap().to_tagged_json(),
        r#"{"type":"priority"}"#
    );
    assert_eq!(keys(&out).last(), Some(&"$metadata"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_use_and_reasoning_answers() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(
            r#"{"content": [
                {"reasoningContent": {"reasoningText": {"text": "hmm", "signature": "s1"}}},
                {"reasoningContent": {"redactedContent": "AAEC"}},
                {"text": "calling"},
                {"toolUse": {"toolUseId": "t-1", "name": "calc", "input": {"b": 2, "a": [1, 2.5]}}}
            ]}"#,
        ),
    )
    .unwrap();
    let out = transport(&emu)
        .converse(MODEL, &user_input("x"), None)
        .await
        .expect("converse");
    let blocks: Vec<String> = content(&out).iter().map(Doc::to_tagged_json).collect();
    assert_eq!(
        blocks,
        [
            r#"{"reasoningContent":{"reasoningText":{"text":"hmm","signature":"s1"}}}"#,
            r#"{"reasoningContent":{"redactedContent":{"$bytes":"AAEC"}}}"#,
            r#"{"text":"calling"}"#,
            // Wire order is kept; the emulator itself sends `input` keys sorted (serde_json).
            r#"{"toolUse":{"toolUseId":"t-1","name":"calc","input":{"a":[1,2.5],"b":2}}}"#,
        ]
    );
    assert_eq!(text(&out, "stopReason"), "tool_use");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_errors_map_to_js_names_and_faults() {
    let emu = start();
    let transport = Transport::new(ClientSettings {
        max_attempts: Some(1),
        ..settings(&emu)
    })
    .unwrap();
    let cases = [
        ("throttle", "ThrottlingException", 429, "client"),
        ("unavailable", "ServiceUnavailableException", 503, "server"),
        ("modelNotReady", "ModelNotReadyException", 429, "client"),
        ("validationError", "ValidationException", 400, "client"),
        ("accessDenied", "AccessDeniedException", 403, "client"),
        (
            "resourceNotFound",
            "ResourceNotFoundException",
            404,
            "client",
        ),
        ("internalError", "InternalServerException", 500, "server"),
        ("modelTimeout", "ModelTimeoutException", 408, "client"),
        ("modelError", "ModelErrorException", 424, "client"),
        (
            "serviceQuotaExceeded",
            "ServiceQuotaExceededException",
            400,
            "client",
        ),
    ];
    for (fault, name, status, js_fault) in cases {
        emu.set_behavior(
            MODEL,
            behavior(&format!(
                r#"{{"fault":"{fault}","faultMessage":"m-{fault}"}}"#
            )),
        )
        .unwrap();
        let e = fail(&transport, &user_input("x")).await;
        assert_eq!(
            (
                e.name.as_str(),
                e.meta.http_status_code,
                e.fault,
                e.kind,
                e.message.as_str()
            ),
            (
                name,
                Some(status),
                Some(js_fault),
                ErrorKind::Service,
                format!("m-{fault}").as_str()
            ),
            "{fault}"
        );
        assert_eq!(e.meta.attempts, 1);
        assert!(
            e.meta
                .request_id
                .as_deref()
                .is_some_and(|id| id.len() == 36),
            "{e:?}"
        );
        if name == "ModelErrorException" {
            // Modelled members other than `message` are own properties, undefined if absent.
            assert_eq!(
                Doc::Object(e.fields.clone()).to_tagged_json(),
                r#"{"originalStatusCode":{"$undefined":true},"resourceName":{"$undefined":true}}"#
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_follow_max_attempts() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(r#"{"fault":"internalError","failFirst":2}"#),
    )
    .unwrap();
    // Default: 3 attempts, the third succeeds; the backoff (v2.1: up to 50 ms, then 100 ms)
    // is reported like the JS SDK's totalRetryDelay.
    let out = transport(&emu)
        .converse(MODEL, &user_input("x"), None)
        .await
        .expect("third attempt");
    let meta = out.get("$metadata").unwrap();
    assert_eq!(meta.get("attempts"), Some(&Doc::Number(3.0)));
    let delay = meta.get("totalRetryDelay").and_then(Doc::as_f64).unwrap();
    assert!((0.0..150.0).contains(&delay), "{delay}");
    let attempts: Vec<String> = emu
        .requests()
        .iter()
        .filter_map(|r| r.header("amz-sdk-request").map(str::to_owned))
        .collect();
    assert_eq!(attempts[0], "attempt=1; max=3");
    assert!(attempts[2].starts_with("attempt=3;"), "{attempts:?}");

    // Two attempts allowed: the error after the second, with the counts.
    emu.set_behavior(MODEL, behavior(r#"{"fault":"throttle","failFirst":5}"#))
        .unwrap();
    let two = Transport::new(ClientSettings {
        max_attempts: Some(2),
        ..settings(&emu)
    })
    .unwrap();
    let e = fail(&two, &user_input("x")).await;
    assert_eq!(
        (e.name.as_str(), e.meta.attempts),
        ("ThrottlingException", 2)
    );
    assert!(e.is_throttling());
    assert!((0.0..1000.0).contains(&e.meta.total_retry_delay_ms));
    assert_eq!(e.metadata().get("attempts"), Some(&Doc::Number(2.0)));

    // Not retryable: one attempt.
    emu.set_behavior(MODEL, behavior(r#"{"fault":"validationError"}"#))
        .unwrap();
    assert_eq!(
        fail(&transport(&emu), &user_input("x")).await.meta.attempts,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_is_an_invalid_signature() {
    let emu = start();
    let transport = Transport::new(ClientSettings {
        credentials: Credentials::Static {
            access_key_id: bmm_emulator::DEFAULT_ACCESS_KEY_ID.into(),
            secret_access_key: "wrong-secret".into(),
            session_token: None,
            expiration: None,
        },
        ..settings(&emu)
    })
    .unwrap();
    let e = fail(&transport, &user_input("x")).await;
    assert_eq!(
        (
            e.name.as_str(),
            e.meta.http_status_code,
            e.fault,
            e.meta.attempts
        ),
        ("InvalidSignatureException", Some(403), Some("client"), 1)
    );
    assert!(e.message.contains("signature"), "{}", e.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_reset_is_a_node_style_network_error() {
    let emu = start();
    emu.set_behavior(MODEL, behavior(r#"{"fault":"connectionReset"}"#))
        .unwrap();
    let e = fail(&transport(&emu), &user_input("x")).await;
    assert_eq!(
        (e.name.as_str(), e.kind, e.code.as_deref()),
        ("Error", ErrorKind::Network, Some("ECONNRESET"))
    );
    // Retried like the JS SDK does (transient), with $metadata holding only the counts.
    assert_eq!(e.meta.attempts, 3, "{e:?}");
    assert_eq!(e.meta.http_status_code, None);
    assert_eq!(keys(&e.metadata()), ["attempts", "totalRetryDelay"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connection() {
    let emu = start();
    let endpoint = emu.endpoint();
    emu.stop();
    let port = endpoint.rsplit(':').next().unwrap().to_string();
    let transport = Transport::new(ClientSettings {
        endpoint: Some(endpoint),
        max_attempts: Some(1),
        ..settings(&start())
    })
    .unwrap();
    let e = fail(&transport, &user_input("x")).await;
    assert_eq!(
        (e.name.as_str(), e.code.as_deref(), e.meta.attempts),
        ("Error", Some("ERR_HTTP2_STREAM_CANCEL"), 1),
        "{e:?}"
    );
    // Named as Node names it: the address and port the connection went to.
    let cause = e.cause.as_deref().expect("the socket error as cause");
    assert_eq!(
        cause.message,
        format!("connect ECONNREFUSED 127.0.0.1:{port}")
    );
    assert_eq!(
        e.message,
        format!(
            "The pending stream has been canceled (caused by: {})",
            cause.message
        )
    );
    assert_eq!(
        Doc::Object(cause.fields.clone()).to_tagged_json(),
        format!(
            r#"{{"errno":-111,"code":"ECONNREFUSED","syscall":"connect","address":"127.0.0.1","port":{port}}}"#
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unresolvable_host_is_named() {
    let transport = Transport::new(ClientSettings {
        // The .invalid TLD never resolves (RFC 6761), with or without a network.
        endpoint: Some("http://bedrock.invalid:1".to_string()),
        max_attempts: Some(1),
        ..settings(&start())
    })
    .unwrap();
    let e = fail(&transport, &user_input("x")).await;
    assert_eq!(
        (e.name.as_str(), e.code.as_deref(), e.kind),
        ("Error", Some("ERR_HTTP2_STREAM_CANCEL"), ErrorKind::Network),
        "{e:?}"
    );
    assert_eq!(
        e.message,
        "The pending stream has been canceled (caused by: getaddrinfo ENOTFOUND bedrock.invalid)"
    );
    let cause = e.cause.as_deref().expect("the socket error as cause");
    assert_eq!(
        Doc::Object(cause.fields.clone()).to_tagged_json(),
        r#"{"errno":-3008,"code":"ENOTFOUND","syscall":"getaddrinfo","hostname":"bedrock.invalid"}"#
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_truncated_bodies() {
    let emu = start();
    emu.set_behavior(MODEL, behavior(r#"{"fault":"malformedBody"}"#))
        .unwrap();
    let e = fail(&transport(&emu), &user_input("x")).await;
    assert_eq!(
        (e.name.as_str(), e.kind, e.fault, e.meta.http_status_code),
        ("SyntaxError", ErrorKind::Deserialization, None, Some(200)),
        "{e:?}"
    );
    assert!(e.message.contains("Deserialization error"), "{}", e.message);
    assert!(e
        .response_body
        .as_ref()
        .is_some_and(|b| b.starts_with(b"{\"output\"")));
    assert_eq!(e.meta.attempts, 1);

    emu.set_behavior(MODEL, behavior(r#"{"fault":"truncatedBody"}"#))
        .unwrap();
    let e = fail(&transport(&emu), &user_input("x")).await;
    assert_eq!(
        (e.name.as_str(), e.kind),
        ("Error", ErrorKind::Network),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_timeout() {
    let emu = start();
    emu.set_behavior(MODEL, behavior(r#"{"latencyMs":2000}"#))
        .unwrap();
    let transport = Transport::new(ClientSettings {
        request_timeout: Some(Duration::from_millis(100)),
        max_attempts: Some(1),
        ..settings(&emu)
    })
    .unwrap();
    let e = fail(&transport, &user_input("x")).await;
    assert_eq!(
        (e.name.as_str(), e.kind),
        ("TimeoutError", ErrorKind::Timeout),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_is_reported_before_sending() {
    let emu = start();
    let mut input = user_input("x");
    input.set(
        "inferenceConfig",
        Doc::object([("maxTokens", Doc::from("ten"))]),
    );
    let e = fail(&transport(&emu), &input).await;
    assert_eq!(
        (e.kind, e.name.as_str()),
        (ErrorKind::Input, "ValidationException")
    );
    assert!(
        e.message.contains("inferenceConfig.maxTokens"),
        "{}",
        e.message
    );
    assert!(emu.requests().is_empty());
}

/// Counts calls; hands out credentials expiring `ttl` from now.
#[derive(Debug)]
struct Counting {
    calls: AtomicU32,
    ttl: Duration,
}

impl ProvideCredentials for Counting {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        self.calls.fetch_add(1, Ordering::SeqCst);
        aws_credential_types::provider::future::ProvideCredentials::ready(Ok(AwsCredentials::new(
            bmm_emulator::DEFAULT_ACCESS_KEY_ID,
            bmm_emulator::DEFAULT_SECRET_ACCESS_KEY,
            Some("token".into()),
            Some(SystemTime::now() + self.ttl),
            "test",
        )))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_provider_is_cached_until_expiry() {
    let emu = start();
    for (ttl, expected_calls) in [(Duration::from_secs(3600), 1), (Duration::from_secs(60), 3)] {
        let provider = Arc::new(Counting {
            calls: AtomicU32::new(0),
            ttl,
        });
        let transport = Transport::new(ClientSettings {
            credentials: Credentials::Provider(provider.clone()),
            ..settings(&emu)
        })
        .unwrap();
        for _ in 0..3 {
            transport
                .converse(MODEL, &user_input("x"), None)
                .await
                .expect("converse");
        }
        // 1 h: fetched once. 60 s: inside the 5-minute refresh window the JS SDK also uses,
        // so every call fetches again.
        assert_eq!(
            provider.calls.load(Ordering::SeqCst),
            expected_calls,
            "ttl {ttl:?}"
        );
    }
    assert!(emu.requests().iter().all(|r| r.signature_verified));
    assert!(emu
        .requests()
        .iter()
        .all(|r| r.header("x-amz-security-token") == Some("token")));
}

#[derive(Debug)]
struct Failing;

impl ProvideCredentials for Failing {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::ready(Err(
            aws_credential_types::provider::error::CredentialsError::not_loaded("no profile"),
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_credential_provider() {
    let emu = start();
    let transport = Transport::new(ClientSettings {
        credentials: Credentials::Provider(Arc::new(Failing)),
        ..settings(&emu)
    })
    .unwrap();
    let e = fail(&transport, &user_input("x")).await;
    assert_eq!(
        (e.name.as_str(), e.kind),
        ("CredentialsProviderError", ErrorKind::Credentials),
        "{e:?}"
    );
    assert!(emu.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_serves_many_models_concurrently() {
    let emu = start();
    let transport = transport(&emu);
    let input = user_input("many");
    let calls = (0..16).map(|i| {
        let transport = transport.clone();
        let input = input.clone();
        tokio::spawn(async move {
            transport
                .converse(&format!("model-{}", i % 4), &input, None)
                .await
        })
    });
    for call in calls {
        call.await.unwrap().expect("converse");
    }
    assert_eq!(emu.requests().len(), 16);
}
