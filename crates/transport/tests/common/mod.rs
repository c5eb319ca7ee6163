//! Test helpers of the transport: a Transport pointed at an emulator and the JS SDK
//! fixtures. Starting and steering the emulator is the emulator's shared harness,
//! `bmm_emulator::testing`.
#![allow(dead_code)]

use bmm_emulator::EmulatorHandle;
use bmm_transport::{ClientSettings, Credentials, Doc, Transport};

pub fn settings(emu: &EmulatorHandle) -> ClientSettings {
    ClientSettings {
        region: Some("us-east-1".into()),
        endpoint: Some(emu.endpoint()),
        credentials: Credentials::Static {
            access_key_id: bmm_emulator::DEFAULT_ACCESS_KEY_ID.into(),
            secret_access_key: bmm_emulator::DEFAULT_SECRET_ACCESS_KEY.into(),
            session_token: None,
            expiration: None,
        },
        ..Default::default()
    }
}

pub fn transport(emu: &EmulatorHandle) -> Transport {
    Transport::new(settings(emu)).expect("transport")
}

/// `{ messages: [{ role: "user", content: [{ text }] }] }`
pub fn user_input(text: &str) -> Doc {
    Doc::object([(
        "messages",
        Doc::Array(vec![Doc::object([
            ("role", Doc::from("user")),
            (
                "content",
                Doc::Array(vec![Doc::object([("text", Doc::from(text))])]),
            ),
        ])]),
    )])
}

/// Parses tagged JSON (`{"$bytes":..}`, `{"$date":..}`, `{"$undefined":true}`) into a Doc.
pub fn untag(doc: Doc) -> Doc {
    match doc {
        Doc::Array(items) => Doc::Array(items.into_iter().map(untag).collect()),
        Doc::Object(entries) => {
            if entries.len() == 1 {
                match (&entries[0].0[..], &entries[0].1) {
                    ("$undefined", Doc::Bool(true)) => return Doc::Undefined,
                    ("$bytes", Doc::String(b64)) => return Doc::Bytes(base64(b64)),
                    ("$date", Doc::Number(ms)) => return Doc::Timestamp(*ms),
                    _ => {}
                }
            }
            Doc::Object(entries.into_iter().map(|(k, v)| (k, untag(v))).collect())
        }
        other => other,
    }
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in text.bytes().filter(|c| *c != b'=') {
        acc = (acc << 6) | u32::from(value(c));
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// The fixture file recorded from the JS SDK by scripts/gen-fixtures.js.
pub fn fixtures() -> Doc {
    let text = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/js-sdk.json"
    ))
    .expect("fixture file");
    Doc::from_json(&text).expect("fixture JSON")
}

pub fn text<'a>(doc: &'a Doc, key: &str) -> &'a str {
    doc.get(key)
        .and_then(Doc::as_str)
        .unwrap_or_else(|| panic!("{key} in {doc:?}"))
}
