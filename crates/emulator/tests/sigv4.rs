//! Signature checking over real HTTP: accepted, rejected with AWS's error types, and off.

use bmm_emulator::testing::*;
use bmm_emulator::EmulatorOptions;
use std::time::{Duration, SystemTime};

fn assert_error(reply: &Reply, status: u16, name: &str) {
    assert_eq!(reply.status, status, "{:?}", reply.body);
    assert_eq!(
        reply.header("x-amzn-errortype").split(':').next(),
        Some(name)
    );
    assert!(reply.json()["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn wrong_secret_is_invalid_signature() {
    let emu = start();
    let reply = send(
        &emu,
        signed(
            &emu,
            &path("converse"),
            &user_body("x"),
            "wrong",
            SystemTime::now(),
        ),
    )
    .await;
    assert_error(&reply, 403, "InvalidSignatureException");
    assert!(reply.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("The request signature we calculated does not match"));
    let r = &emu.requests()[0];
    assert!(!r.signature_verified);
    assert_eq!(
        r.signature_error.as_deref(),
        Some("InvalidSignatureException")
    );
}

#[tokio::test]
async fn unknown_key_is_unrecognized_client() {
    let emu = start();
    let request = signed_with_key(
        &emu,
        &path("converse"),
        &user_body("x"),
        "AKIDNOBODY",
        "s",
        SystemTime::now(),
    );
    let reply = send(&emu, request).await;
    assert_error(&reply, 403, "UnrecognizedClientException");
    assert_eq!(
        reply.json()["message"],
        "The security token included in the request is invalid."
    );
}

#[tokio::test]
async fn missing_authorization_is_rejected() {
    let emu = start();
    let mut request = post(&emu, "converse", &user_body("x"));
    request.headers_mut().remove("authorization");
    assert_error(
        &send(&emu, request).await,
        403,
        "MissingAuthenticationTokenException",
    );
}

#[tokio::test]
async fn tampered_body_and_expired_date_are_rejected() {
    let emu = start();
    let mut request = post(&emu, "converse", &user_body("x"));
    *request.body_mut() = http_body_util::Full::new(bytes::Bytes::from(user_body("y").to_string()));
    assert_error(&send(&emu, request).await, 403, "InvalidSignatureException");

    let old = SystemTime::now() - Duration::from_secs(3600);
    let reply = send(
        &emu,
        signed(
            &emu,
            &path("converse"),
            &user_body("x"),
            "emulator-secret",
            old,
        ),
    )
    .await;
    assert_error(&reply, 403, "InvalidSignatureException");
    assert!(reply.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("Signature expired: "));
}

#[tokio::test]
async fn other_credentials_and_disabled_checking() {
    let emu = start_with(EmulatorOptions {
        credentials: vec![("AKIDOTHER".into(), "other-secret".into())],
        ..Default::default()
    });
    let request = signed_with_key(
        &emu,
        &path("converse"),
        &user_body("x"),
        "AKIDOTHER",
        "other-secret",
        SystemTime::now(),
    );
    assert_eq!(send(&emu, request).await.status, 200);
    // The default pair is not accepted when credentials are replaced.
    assert_error(
        &send(&emu, post(&emu, "converse", &user_body("x"))).await,
        403,
        "UnrecognizedClientException",
    );

    let emu = start_with(EmulatorOptions {
        verify_signatures: false,
        ..Default::default()
    });
    let mut request = post(&emu, "converse", &user_body("x"));
    request.headers_mut().remove("authorization");
    assert_eq!(send(&emu, request).await.status, 200);
    let r = &emu.requests()[0];
    assert!(!r.signature_verified && r.signature_error.is_none());
}
