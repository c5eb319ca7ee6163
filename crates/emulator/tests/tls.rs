//! The emulator over HTTPS: a client trusting the generated test CA negotiates h2 or
//! http/1.1 by ALPN over TLS 1.3 or 1.2, a client trusting another CA is refused, a caller's
//! own PEM identity works, and the recorder and counters say what each connection was.

use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
use aws_smithy_http_client::tls::{self as smithy_tls, TlsContext, TrustStore};
use bmm_emulator::testing::*;
use bmm_emulator::{generate_test_certificates, EmulatorHandle, EmulatorOptions, TlsIdentity};
use rustls::ClientConfig;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

fn start_tls() -> EmulatorHandle {
    start_with(EmulatorOptions {
        tls: Some(TlsIdentity::Generate),
        ..EmulatorOptions::default()
    })
}

fn modern(ca_pem: &str, alpn: &[&str]) -> Arc<ClientConfig> {
    tls_client(ca_pem, alpn, rustls::DEFAULT_VERSIONS)
}

async fn handshake(
    emu: &EmulatorHandle,
    config: Arc<ClientConfig>,
    server_name: &str,
) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    connect_tls(emu.local_addr(), config, server_name).await
}

fn ca_pem(emu: &EmulatorHandle) -> String {
    emu.ca_pem().expect("a generated CA").to_string()
}

#[test]
fn a_tls_emulator_has_an_https_endpoint_and_a_ca() {
    let emu = start_tls();
    assert_eq!(emu.endpoint(), format!("https://{}", emu.local_addr()));
    assert!(ca_pem(&emu).starts_with("-----BEGIN CERTIFICATE-----"));

    let plain = start();
    assert!(plain.endpoint().starts_with("http://"));
    assert_eq!(plain.ca_pem(), None);
}

#[tokio::test]
async fn a_client_offering_h2_gets_h2_over_tls_13() {
    let emu = start_tls();
    let config = modern(&ca_pem(&emu), &["h2", "http/1.1"]);
    let sent = send_tls(&emu, config, post(&emu, "converse", &user_body("hi"))).await;
    assert_eq!(sent.alpn.as_deref(), Some("h2"));
    assert_eq!(sent.version, rustls::ProtocolVersion::TLSv1_3);
    assert_eq!(sent.reply.status, 200, "{:?}", sent.reply.body);
    assert_eq!(
        sent.reply.json()["output"]["message"]["content"][0]["text"],
        "echo: hi"
    );

    let recorded = emu.requests();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].protocol, "h2");
    assert!(recorded[0].tls);
    assert!(recorded[0].signature_verified);
    let stats = emu.stats();
    assert_eq!(stats.tls_handshakes, 1);
    assert_eq!(stats.tls_resumed_handshakes, 0);
}

#[tokio::test]
async fn a_client_offering_only_http1_gets_http1_over_tls() {
    let emu = start_tls();
    let config = modern(&ca_pem(&emu), &["http/1.1"]);
    let sent = send_tls(&emu, config, post(&emu, "converse", &user_body("one"))).await;
    assert_eq!(sent.alpn.as_deref(), Some("http/1.1"));
    assert_eq!(sent.reply.status, 200, "{:?}", sent.reply.body);
    let recorded = emu.requests();
    assert_eq!(recorded[0].protocol, "http/1.1");
    assert_eq!(recorded[0].http_version, "HTTP/1.1");
    assert!(recorded[0].tls);
}

#[tokio::test]
async fn tls_12_is_served_too() {
    let emu = start_tls();
    let config = tls_client(&ca_pem(&emu), &["h2"], &[&rustls::version::TLS12]);
    let sent = send_tls(&emu, config, post(&emu, "converse", &user_body("old"))).await;
    assert_eq!(sent.version, rustls::ProtocolVersion::TLSv1_2);
    assert_eq!(sent.alpn.as_deref(), Some("h2"));
    assert_eq!(sent.reply.status, 200);
}

#[tokio::test]
async fn the_leaf_is_valid_for_localhost_and_the_loopback_addresses() {
    let emu = start_tls();
    let ca = ca_pem(&emu);
    // Names are checked against the leaf, whatever address the socket went to.
    for name in ["localhost", "127.0.0.1", "::1"] {
        let stream = handshake(&emu, modern(&ca, &["h2"]), name).await;
        assert!(stream.is_ok(), "{name}: {:?}", stream.err());
    }
    let stream = handshake(&emu, modern(&ca, &["h2"]), "example.com").await;
    assert!(stream.is_err(), "a name the leaf does not carry must fail");
}

#[tokio::test]
async fn a_client_trusting_another_ca_is_refused() {
    let emu = start_tls();
    let other = generate_test_certificates().expect("another CA");
    let error = handshake(
        &emu,
        modern(&other.ca_pem, &["h2", "http/1.1"]),
        "127.0.0.1",
    )
    .await
    .expect_err("the handshake fails");
    assert!(
        error.to_string().contains("UnknownIssuer"),
        "unexpected error: {error}"
    );
    assert!(emu.requests().is_empty());
    assert_eq!(emu.stats().tls_handshakes, 0);
}

#[tokio::test]
async fn a_plain_client_gets_no_answer_from_a_tls_emulator() {
    let emu = start_tls();
    let outcome = send_raw(&emu, post(&emu, "converse", &user_body("plain"))).await;
    assert!(
        !String::from_utf8_lossy(&outcome.bytes).contains("HTTP/1.1 200"),
        "plain HTTP must not be served on a TLS port"
    );
    assert!(emu.requests().is_empty());
}

#[tokio::test]
async fn a_callers_own_pem_identity_is_served() {
    let certs = generate_test_certificates().expect("certificates");
    let emu = start_with(EmulatorOptions {
        tls: Some(TlsIdentity::Pem {
            cert_chain: certs.cert_chain_pem.clone(),
            private_key: certs.private_key_pem.clone(),
        }),
        ..EmulatorOptions::default()
    });
    assert!(emu.endpoint().starts_with("https://"));
    assert_eq!(emu.ca_pem(), None, "the caller already has its CA");
    let config = modern(&certs.ca_pem, &["h2", "http/1.1"]);
    let sent = send_tls(&emu, config, post(&emu, "converse", &user_body("own"))).await;
    assert_eq!(sent.reply.status, 200);
}

#[test]
fn a_bad_pem_identity_fails_start() {
    let certs = generate_test_certificates().expect("certificates");
    let error = bmm_emulator::Emulator::start(EmulatorOptions {
        tls: Some(TlsIdentity::Pem {
            cert_chain: "no certificate here".into(),
            private_key: certs.private_key_pem,
        }),
        ..EmulatorOptions::default()
    })
    .expect_err("start fails");
    assert!(
        matches!(error, bmm_emulator::Error::Tls(_)),
        "unexpected error: {error}"
    );
}

#[tokio::test]
async fn a_second_connection_with_the_same_client_resumes_its_session() {
    let emu = start_tls();
    // One config: rustls keeps its session cache there, as a client's pool would.
    let config = modern(&ca_pem(&emu), &["h2"]);
    for text in ["first", "second"] {
        let sent = send_tls(
            &emu,
            config.clone(),
            post(&emu, "converse", &user_body(text)),
        )
        .await;
        assert_eq!(sent.reply.status, 200);
    }
    let stats = emu.stats();
    assert_eq!(stats.tls_handshakes, 2);
    assert_eq!(stats.tls_resumed_handshakes, 1);
    assert_eq!(stats.connections_total, 2);
}

#[tokio::test]
async fn the_rust_sdk_trusting_the_test_ca_reuses_one_tls_connection() {
    let emu = start_tls();
    let trust = TrustStore::empty().with_pem_certificate(ca_pem(&emu).into_bytes());
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(smithy_tls::Provider::Rustls(
            smithy_tls::rustls_provider::CryptoMode::Ring,
        ))
        .tls_context(
            TlsContext::builder()
                .with_trust_store(trust)
                .build()
                .expect("TLS context"),
        )
        .build_https();
    let config = sdk_config(&emu, "emulator-secret")
        .http_client(http_client)
        .build();
    let client = aws_sdk_bedrockruntime::Client::from_conf(config);
    for n in 0..3 {
        let message = Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::Text(format!("request {n}")))
            .build()
            .expect("message");
        client
            .converse()
            .model_id(MODEL)
            .messages(message)
            .send()
            .await
            .expect("Converse over HTTPS");
    }
    let recorded = emu.requests();
    assert_eq!(recorded.len(), 3);
    assert!(recorded.iter().all(|r| r.tls && r.protocol == "h2"));
    assert_eq!(emu.stats().tls_handshakes, 1, "one pooled connection");
}

#[tokio::test]
async fn plain_emulators_record_no_tls() {
    let emu = start();
    send_h2(&emu, post(&emu, "converse", &user_body("h2c"))).await;
    send(&emu, post(&emu, "converse", &user_body("h1"))).await;
    let recorded = emu.requests();
    assert_eq!(
        recorded
            .iter()
            .map(|r| (r.protocol, r.tls))
            .collect::<Vec<_>>(),
        [("h2", false), ("http/1.1", false)]
    );
    assert_eq!(emu.stats().tls_handshakes, 0);
}

#[test]
fn stop_does_not_wait_for_a_client_that_never_says_hello() {
    let emu = start_tls();
    // A TCP connection that never sends a ClientHello: the handshake is pending when stop
    // is called, and stop must still return (within the grace period, not the handshake
    // timeout).
    let _silent = std::net::TcpStream::connect(emu.local_addr()).expect("connect");
    let deadline = Instant::now() + Duration::from_secs(5);
    while emu.connections_open() == 0 {
        assert!(Instant::now() < deadline, "connection never accepted");
        std::thread::sleep(Duration::from_millis(5));
    }
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        emu.stop();
        let _ = done_tx.send(());
    });
    done_rx
        .recv_timeout(Duration::from_secs(5))
        .expect("stop returns while a handshake is pending");
}

#[tokio::test]
async fn connection_reset_cuts_a_tls_connection_with_an_rst() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emu = start_tls();
    emu.set_behavior(MODEL, behavior(r#"{"fault":"connectionReset"}"#))
        .expect("behaviour");
    let mut stream = handshake(&emu, modern(&ca_pem(&emu), &["http/1.1"]), "127.0.0.1")
        .await
        .expect("TLS handshake");
    stream
        .write_all(&raw_bytes(post(&emu, "converse", &user_body("cut"))))
        .await
        .expect("write");
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut buf))
        .await
        .expect("the server ends the connection");
    let error = read.expect_err("no clean TLS close");
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset, "{error}");
    assert!(buf.is_empty(), "no response bytes before the reset");
    assert_eq!(emu.requests()[0].outcome, "connectionReset");
}
