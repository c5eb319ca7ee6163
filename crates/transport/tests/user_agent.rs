//! The caller's user-agent sections on the wire: appended once per attempt after the Rust
//! SDK's own, the app id in `user-agent` only, and both headers still signed correctly.

mod common;

use bmm_emulator::testing::{behavior, start, MODEL};
use bmm_emulator::EmulatorHandle;
use bmm_transport::{ClientSettings, Transport, UserAgentPair};
use common::*;

fn transport_with_caller_sections(emu: &EmulatorHandle) -> Transport {
    Transport::new(ClientSettings {
        app_id: Some("my app".into()),
        custom_user_agent: vec![
            UserAgentPair {
                name: "tool".into(),
                version: Some("1.0 beta".into()),
            },
            UserAgentPair {
                name: "api/Extra".into(),
                version: None,
            },
        ],
        ..settings(emu)
    })
    .expect("transport")
}

/// Every recorded request carries the sections once, after the SDK's, with a valid signature.
fn assert_caller_sections(emu: &EmulatorHandle, attempts: usize) {
    let requests = emu.requests();
    assert_eq!(requests.len(), attempts);
    for request in &requests {
        assert!(request.signature_verified, "{:?}", request.signature_error);
        let signed = request.header("authorization").unwrap_or_default();
        assert!(signed.contains("x-amz-user-agent"), "{signed}");
        let user_agent = request.header("user-agent").unwrap_or_default();
        let x_amz = request.header("x-amz-user-agent").unwrap_or_default();
        assert!(user_agent.starts_with("aws-sdk-rust/"), "{user_agent}");
        assert!(
            user_agent.ends_with(" app/my-app tool/1.0-beta api/extra"),
            "{user_agent}"
        );
        assert_eq!(user_agent.matches("app/").count(), 1, "{user_agent}");
        assert!(x_amz.starts_with("aws-sdk-rust/"), "{x_amz}");
        assert!(x_amz.ends_with(" tool/1.0-beta api/extra"), "{x_amz}");
        assert!(!x_amz.contains("app/"), "{x_amz}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converse_appends_the_caller_sections_on_every_attempt() {
    let emu = start();
    emu.set_behavior(
        MODEL,
        behavior(r#"{"fault": "internalError", "failFirst": 1}"#),
    )
    .expect("behavior set");
    transport_with_caller_sections(&emu)
        .converse(MODEL, &user_input("ua"), None)
        .await
        .expect("converse succeeds on the retry");
    assert_caller_sections(&emu, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converse_stream_appends_the_caller_sections() {
    let emu = start();
    let (_meta, _events) = transport_with_caller_sections(&emu)
        .converse_stream(MODEL, &user_input("ua"), None)
        .await
        .expect("converse_stream");
    assert_caller_sections(&emu, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_caller_sections_the_headers_are_the_sdks() {
    let emu = start();
    transport(&emu)
        .converse(MODEL, &user_input("ua"), None)
        .await
        .expect("converse");
    let request = &emu.requests()[0];
    let user_agent = request.header("user-agent").unwrap_or_default();
    assert!(user_agent.starts_with("aws-sdk-rust/"), "{user_agent}");
    assert!(!user_agent.contains("app/"), "{user_agent}");
    assert_eq!(request.header("x-amz-user-agent"), Some(user_agent));
}
