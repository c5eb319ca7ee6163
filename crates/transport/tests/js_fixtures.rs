//! The Rust side against what the installed JS SDK actually did (tests/fixtures/js-sdk.json,
//! recorded by scripts/gen-fixtures.js): output objects, thrown errors and request bodies.

mod common;

use bmm_transport::{converse_input, converse_output, Doc, ResponseMeta};
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

/// Converts a recorded JSON body (serde_json) into a Doc for comparison.
fn json_to_doc(value: &serde_json::Value) -> Doc {
    Doc::from_json(value.to_string().as_bytes()).unwrap()
}

/// Compares two JSON trees ignoring object key order; numbers by value.
fn same_json(a: &Doc, b: &Doc, path: &str) -> Result<(), String> {
    match (a, b) {
        (Doc::Object(x), Doc::Object(y)) => {
            let mut xk: Vec<&String> = x.iter().map(|(k, _)| k).collect();
            let mut yk: Vec<&String> = y.iter().map(|(k, _)| k).collect();
            xk.sort();
            yk.sort();
            if xk != yk {
                return Err(format!("{path}: keys {xk:?} != {yk:?}"));
            }
            for (k, v) in x {
                same_json(v, b.get(k).unwrap(), &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Doc::Array(x), Doc::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .try_for_each(|(i, (v, w))| same_json(v, w, &format!("{path}[{i}]"))),
        _ if a == b => Ok(()),
        _ => Err(format!(
            "{path}: {} != {}",
            a.to_tagged_json(),
            b.to_tagged_json()
        )),
    }
}

/// Each fixture input, sent by the Rust SDK to the emulator, arrives as the same JSON the
/// JS SDK sent for it (member order aside: the Rust SDK writes documents from HashMaps).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_bodies_match_what_the_js_sdk_sends() {
    let emu = emulator();
    let transport = transport(&emu);
    let fixtures = fixtures();
    for case in fixtures.get("inputs").and_then(Doc::as_array).unwrap() {
        let name = text(case, "name");
        emu.clear_requests();
        let input = untag(case.get("input").unwrap().clone());
        transport
            .converse(MODEL, &input, None)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let sent = json_to_doc(&emu.requests()[0].body);
        let js = case.get("wire").unwrap();
        same_json(&sent, js, name).unwrap_or_else(|e| panic!("{e}"));
    }
}
