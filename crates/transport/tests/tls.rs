//! The native transport over HTTPS to the emulator: HTTP/2 negotiated by ALPN, one TLS
//! connection kept for calls in a row. The transport trusts what Node trusts, including
//! the bundle NODE_EXTRA_CA_CERTS names, here the emulator's test CA.

mod common;

use bmm_emulator::testing::{start_with, MODEL};
use bmm_emulator::{EmulatorOptions, TlsIdentity};
use bmm_transport::{ClientSettings, NodeTrust, Transport};
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converse_over_https_negotiates_h2_and_reuses_one_connection() {
    let emu = start_with(EmulatorOptions {
        tls: Some(TlsIdentity::Generate),
        ..EmulatorOptions::default()
    });
    let dir = std::env::temp_dir().join(format!("bmm-transport-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, emu.ca_pem().expect("generated CA")).expect("CA file");
    let transport = Transport::new(ClientSettings {
        trust: NodeTrust {
            system_store: false,
            extra_certs_file: Some(ca_file),
        },
        ..settings(&emu)
    })
    .expect("transport");
    for text in ["one", "two", "three"] {
        let out = transport
            .converse(MODEL, &user_input(text), None)
            .await
            .unwrap_or_else(|e| panic!("Converse over HTTPS failed: {e:?}"));
        assert!(out.to_tagged_json().contains(&format!("echo: {text}")));
    }

    let recorded = emu.requests();
    assert_eq!(recorded.len(), 3);
    assert!(
        recorded.iter().all(|r| r.tls && r.protocol == "h2"),
        "{:?}",
        recorded
            .iter()
            .map(|r| (r.tls, r.protocol))
            .collect::<Vec<_>>()
    );
    assert_eq!(emu.stats().tls_handshakes, 1, "one pooled TLS connection");
    let _ = std::fs::remove_dir_all(&dir);
}
