//! What this crate adds per call: input/output conversion in isolation, and whole calls
//! against an in-process emulator (client + emulator CPU together, so compare runs, not
//! absolute numbers). Run: cargo run -p bmm-transport --release --example overhead

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
