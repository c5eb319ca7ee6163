//! The Rust side against what the installed JS SDK actually did (tests/fixtures/js-sdk.json,
//! recorded by scripts/gen-fixtures.js): output objects, thrown errors and request bodies.

mod common;

use bmm_emulator::testing::{start, MODEL};
use bmm_transport::input::Operation;
use bmm_transport::{converse_input, converse_output, request_body, Doc, ResponseMeta};
use common::*;

fn meta(status: u16, request_id: &str) -> ResponseMeta {
    ResponseMeta {
        attempts: 1,
        ..ResponseMeta::from_response(status, |h| {
            (h == "x-amzn-requestid").then(|| request_id.to_string())
        })
    }
}

#[test]
fn fixtures_come_from_the_js_sdk_the_schema_was_generated_from() {
    assert_eq!(
        text(&fixtures(), "jsSdkVersion"),
        bmm_transport::JS_SDK_VERSION
    );
}

#[test]
fn outputs_match_the_js_sdk_exactly() {
    let fixtures = fixtures();
    let cases = fixtures.get("outputs").and_then(Doc::as_array).unwrap();
    assert!(cases.len() >= 5);
    for case in cases {
        let name = text(case, "name");
        let body = text(case, "body");
        let ours = converse_output(body.as_bytes(), &meta(200, "req-1"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let theirs = untag(case.get("js").unwrap().clone());
        assert_eq!(
            ours.to_tagged_json(),
            theirs.to_tagged_json(),
            "output case {name}"
        );
    }
}

#[test]
fn inputs_convert_without_error() {
    let fixtures = fixtures();
    for case in fixtures.get("inputs").and_then(Doc::as_array).unwrap() {
        let input = untag(case.get("input").unwrap().clone());
        converse_input(&input, None).unwrap_or_else(|e| panic!("{}: {e}", text(case, "name")));
    }
}

/// Each fixture input, as (operation, name, input, the exact body the JS SDK sent).
fn request_cases() -> Vec<(Operation, String, Doc, String)> {
    let fixtures = fixtures();
    let mut cases = Vec::new();
    for (list, op) in [
        ("inputs", Operation::Converse),
        ("streamInputs", Operation::ConverseStream),
    ] {
        for case in fixtures.get(list).and_then(Doc::as_array).unwrap() {
            let input = untag(case.get("input").unwrap().clone());
            cases.push((
                op,
                text(case, "name").to_string(),
                input,
                text(case, "wire").to_string(),
            ));
        }
    }
    assert!(cases.len() >= 9 && cases.iter().any(|c| c.0 == Operation::ConverseStream));
    cases
}

#[test]
fn request_bodies_are_the_bytes_the_js_sdk_writes() {
    for (op, name, input, wire) in request_cases() {
        let ours = request_body(&input, None, op).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ours, wire, "request body of {name}");
    }
}

/// Each fixture input, sent by the Rust SDK to the emulator, arrives as the very bytes
/// the JS SDK sent for it, with a matching Content-Length and a valid signature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_bodies_arrive_as_the_js_sdk_sends_them() {
    let emu = start();
    let transport = transport(&emu);
    for (op, name, input, wire) in request_cases() {
        emu.clear_requests();
        match op {
            Operation::Converse => {
                // Some inputs have no messages; the emulator's answer does not matter here.
                let _ = transport.converse(MODEL, &input, None).await;
            }
            Operation::ConverseStream => {
                let _ = transport.converse_stream(MODEL, &input, None).await;
            }
        }
        let received = &emu.requests()[0];
        assert_eq!(received.body_text, wire, "{name}");
        assert_eq!(
            received.header("content-length"),
            Some(wire.len().to_string().as_str()),
            "{name}"
        );
        assert!(
            received.signature_verified,
            "{name}: {:?}",
            received.signature_error
        );
    }
}
