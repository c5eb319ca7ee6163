//! What this crate adds per call: input/output conversion in isolation, and whole calls
//! against an in-process emulator (client + emulator CPU together, so compare runs, not
//! absolute numbers). Run: cargo run -p bmm-transport --release --example overhead

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bmm_emulator::{Emulator, EmulatorOptions};
use bmm_transport::input::Operation;
use bmm_transport::{
    converse_input, converse_output, request_body, ClientSettings, Credentials, Doc, ResponseMeta,
    Transport, UserAgentPair,
};
use std::time::{Duration, Instant};

fn input() -> Doc {
    let text = |t: &str| Doc::object([("text", Doc::from(t))]);
    Doc::object([
        ("modelId", Doc::from("m")),
        ("system", Doc::Array(vec![text("You are terse.")])),
        (
            "messages",
            Doc::Array(vec![
                Doc::object([
                    ("role", Doc::from("user")),
                    ("content", Doc::Array(vec![text(&"question ".repeat(40))])),
                ]),
                Doc::object([
                    ("role", Doc::from("assistant")),
                    ("content", Doc::Array(vec![text("answer")])),
                ]),
                Doc::object([
                    ("role", Doc::from("user")),
                    ("content", Doc::Array(vec![text("and then?")])),
                ]),
            ]),
        ),
        (
            "inferenceConfig",
            Doc::object([
                ("maxTokens", Doc::from(256.0)),
                ("temperature", Doc::from(0.5)),
            ]),
        ),
    ])
}

const BODY: &[u8] = br#"{"output":{"message":{"role":"assistant","content":[{"text":"A short answer of a few dozen characters, like most."}]}},"stopReason":"end_turn","usage":{"inputTokens":120,"outputTokens":14,"totalTokens":134},"metrics":{"latencyMs":412}}"#;

fn per_call(label: &str, n: u32, mut f: impl FnMut()) {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    println!(
        "{label}: {:.2} µs",
        start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
    );
}

/// utime + stime of this process, from /proc (clock ticks of 10 ms).
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// SigV4 signing of one Converse request as the SDK's signer does it on every call, and the
/// part of it that derives the signing key (4 HMACs that the JS SDK caches per day, region
/// and service; the Rust SDK offers no hook to cache it: issue 16). The headers are the ones
/// the SDK sends with a Converse call, with values of typical length.
fn signing(body: &[u8]) {
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let identity = Identity::from(AwsCredentials::new(
        "AKIDEXAMPLE",
        SECRET,
        Some("session-token-of-a-few-hundred-characters ".repeat(8)),
        None,
        "overhead",
    ));
    let uri = "https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-20250514-v1%3A0/converse";
    let content_length = body.len().to_string();
    let headers = [
        ("content-type", "application/json"),
        ("content-length", content_length.as_str()),
        ("x-amz-user-agent", "aws-sdk-js/3.936.0 ua/2.1 os/linux#6.8 lang/js md/nodejs#22.11.0 api/bedrock-runtime#3.936.0 m/E,N"),
        ("user-agent", "aws-sdk-js/3.936.0 ua/2.1 os/linux#6.8 lang/js md/nodejs#22.11.0 api/bedrock-runtime#3.936.0 m/E,N"),
        ("amz-sdk-invocation-id", "4f8bd1d2-4a3e-4c77-9a51-2b9f7a0c6d3e"),
        ("amz-sdk-request", "attempt=1; max=3"),
    ];
    let now = std::time::SystemTime::now();
    per_call("sigv4 sign (the SDK's signer, per call)", 100_000, || {
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("bedrock")
            .time(std::hint::black_box(now))
            .settings(SigningSettings::default())
            .build()
            .expect("signing params");
        let request = SignableRequest::new(
            "POST",
            uri,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .expect("signable request");
        std::hint::black_box(sign(request, &params.into()).ok());
    });
    per_call("sigv4 signing key alone (cacheable)", 100_000, || {
        // Inputs through black_box too, so the derivation is not hoisted out of the loop.
        std::hint::black_box(v4::generate_signing_key(
            std::hint::black_box(SECRET),
            std::hint::black_box(now),
            "us-east-1",
            "bedrock",
        ));
    });
}

fn main() {
    let doc = input();
    per_call("converse_input", 100_000, || {
        std::hint::black_box(converse_input(&doc, Some("priority")).ok());
    });
    // Validation (converse_input) plus writing the JS SDK's bytes: what a call now pays
    // before the SDK, which no longer serialises the members itself.
    per_call("request_body", 100_000, || {
        std::hint::black_box(request_body(&doc, Some("priority"), Operation::Converse).ok());
    });
    let meta = ResponseMeta {
        attempts: 1,
        ..ResponseMeta::from_response(200, |_| Some("id".into()))
    };
    per_call("converse_output", 100_000, || {
        std::hint::black_box(converse_output(BODY, &meta).ok());
    });
    let body = request_body(&doc, None, Operation::Converse).expect("request body");
    signing(body.as_bytes());

    let emu = Emulator::start(EmulatorOptions {
        max_recorded_requests: 0,
        ..Default::default()
    })
    .expect("emulator");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    // The caller's user-agent sections add an interceptor per operation (user_agent.rs).
    let caller_sections = (
        Some("app".to_owned()),
        vec![UserAgentPair {
            name: "tool".into(),
            version: Some("1".into()),
        }],
    );
    let variants = [
        ("stalled-stream protection on", true, (None, vec![])),
        ("stalled-stream protection off", false, (None, vec![])),
        ("off, app id and customUserAgent", false, caller_sections),
    ];
    for (label, stalled, (app_id, custom_user_agent)) in variants {
        let transport = Transport::new(ClientSettings {
            region: Some("us-east-1".into()),
            endpoint: Some(emu.endpoint()),
            credentials: Credentials::Static {
                access_key_id: bmm_emulator::DEFAULT_ACCESS_KEY_ID.into(),
                secret_access_key: bmm_emulator::DEFAULT_SECRET_ACCESS_KEY.into(),
                session_token: None,
                expiration: None,
            },
            stalled_stream_protection: Some(stalled),
            app_id,
            custom_user_agent,
            ..Default::default()
        })
        .expect("transport");
        runtime.block_on(async {
            for _ in 0..300 {
                transport.converse("m", &doc, None).await.expect("warm-up");
            }
            let n = 5_000u32;
            let (wall, cpu0) = (Instant::now(), cpu());
            for _ in 0..n {
                transport.converse("m", &doc, None).await.expect("call");
            }
            let per = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(n);
            println!(
                "converse C=1 ({label}): {:.0} µs wall, {:.0} µs CPU (client + emulator)",
                per(wall.elapsed()),
                per(cpu() - cpu0)
            );
        });
    }
}
