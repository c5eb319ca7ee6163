//! Requests to an emulator, signed the way the SDKs sign them (aws-sigv4 with its default
//! settings), and their HTTP/1.1 bytes for raw-socket tests.

use crate::server::EmulatorHandle;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use serde_json::Value;
use std::time::SystemTime;

/// [`MODEL`](super::MODEL) as it appears in a request path.
pub const MODEL_PATH: &str = "us.anthropic.claude-3-haiku-20240307-v1%3A0";

/// The path of `op` (`converse`, `converse-stream`) on the test model.
pub fn path(op: &str) -> String {
    format!("/model/{MODEL_PATH}/{op}")
}

/// A signed `POST path` with `body`, from the emulator's default access key.
pub fn signed(
    emu: &EmulatorHandle,
    path: &str,
    body: &Value,
    secret: &str,
    time: SystemTime,
) -> Request<Full<Bytes>> {
    signed_with_key(emu, path, body, "AKIDEMULATOR", secret, time)
}

pub fn signed_with_key(
    emu: &EmulatorHandle,
    path: &str,
    body: &Value,
    key: &str,
    secret: &str,
    time: SystemTime,
) -> Request<Full<Bytes>> {
    let body = Bytes::from(body.to_string());
    let host = emu.local_addr().to_string();
    let mut request = Request::builder()
        .method("POST")
        .uri(path)
        .header("host", &host)
        .header("content-type", "application/json")
        .header("content-length", body.len())
        .header("user-agent", "bmm-emulator-tests")
        .body(Full::new(body.clone()))
        .expect("request");
    sign_like_the_sdks(
        &mut request,
        &format!("http://{host}{path}"),
        &body,
        key,
        secret,
        time,
    );
    request
}

/// A request for `op` on the test model, signed with the default credentials now.
pub fn post(emu: &EmulatorHandle, op: &str, body: &Value) -> Request<Full<Bytes>> {
    signed(emu, &path(op), body, "emulator-secret", SystemTime::now())
}

/// Signs `request` (POST `uri`, an absolute URI, with `body`) for Bedrock in us-east-1,
/// adding the headers aws-sigv4 asks for.
pub fn sign_like_the_sdks<B>(
    request: &mut Request<B>,
    uri: &str,
    body: &[u8],
    key: &str,
    secret: &str,
    time: SystemTime,
) {
    let identity: Identity = Credentials::new(key, secret, None, None, "tests").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("bedrock")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .expect("params")
        .into();
    let headers: Vec<(&str, &str)> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str(), v.to_str().expect("ascii")))
        .collect();
    let signable =
        SignableRequest::new("POST", uri, headers.into_iter(), SignableBody::Bytes(body))
            .expect("signable");
    let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
    instructions.apply_to_request_http1x(request);
}

/// The request serialised as HTTP/1.1 bytes, for raw-socket tests.
pub fn raw_bytes(request: Request<Full<Bytes>>) -> Vec<u8> {
    let (parts, body) = request.into_parts();
    let mut out = format!("{} {} HTTP/1.1\r\n", parts.method, parts.uri).into_bytes();
    for (name, value) in &parts.headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&full_body(body));
    out
}

fn full_body(body: Full<Bytes>) -> Bytes {
    // Full yields its single chunk immediately; poll it without a runtime.
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut body = std::pin::pin!(body);
    match http_body::Body::poll_frame(body.as_mut(), &mut cx) {
        std::task::Poll::Ready(Some(Ok(frame))) => frame.into_data().unwrap_or_default(),
        _ => Bytes::new(),
    }
}
