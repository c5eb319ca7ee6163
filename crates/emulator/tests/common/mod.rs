//! Test helpers: start an emulator, sign requests the way the SDKs do, send them over
//! real HTTP/1.1, h2c, TLS or raw TCP, and decode event streams.
#![allow(dead_code)]

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
use aws_smithy_runtime_api::client::identity::Identity;
use aws_smithy_types::event_stream::{HeaderValue as EsHeaderValue, Message};
use bmm_emulator::{Behavior, Emulator, EmulatorHandle, EmulatorOptions};
use bytes::{Bytes, BytesMut};
use http::{HeaderMap, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore, SupportedProtocolVersion};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

pub const MODEL: &str = "us.anthropic.claude-3-haiku-20240307-v1:0";
pub const MODEL_PATH: &str = "us.anthropic.claude-3-haiku-20240307-v1%3A0";

pub fn start() -> EmulatorHandle {
    Emulator::start(EmulatorOptions::default()).expect("emulator starts")
}

pub fn start_with(options: EmulatorOptions) -> EmulatorHandle {
    Emulator::start(options).expect("emulator starts")
}

pub fn behavior(json: &str) -> Behavior {
    Behavior::from_json(json).expect("valid behavior")
}

pub fn user_body(text: &str) -> Value {
    json!({"messages": [{"role": "user", "content": [{"text": text}]}]})
}

pub fn path(op: &str) -> String {
    format!("/model/{MODEL_PATH}/{op}")
}

/// A request signed like the SDKs sign it (aws-sigv4 with its default settings).
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
    let uri = format!("http://{host}{path}");
    let headers: Vec<(&str, &str)> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str(), v.to_str().expect("ascii")))
        .collect();
    let signable =
        SignableRequest::new("POST", uri, headers.into_iter(), SignableBody::Bytes(&body))
            .expect("signable");
    let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
    instructions.apply_to_request_http1x(&mut request);
    request
}

pub fn post(emu: &EmulatorHandle, op: &str, body: &Value) -> Request<Full<Bytes>> {
    signed(emu, &path(op), body, "emulator-secret", SystemTime::now())
}

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// One request over a fresh HTTP/1.1 connection.
pub async fn send(emu: &EmulatorHandle, request: Request<Full<Bytes>>) -> Reply {
    let stream = TcpStream::connect(emu.local_addr()).await.expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let response = sender.send_request(request).await.expect("response");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Reply {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    }
}

/// One request over a fresh h2c (prior knowledge) connection, as the JS SDK sends them.
pub async fn send_h2(emu: &EmulatorHandle, request: Request<Full<Bytes>>) -> Reply {
    let stream = TcpStream::connect(emu.local_addr()).await.expect("connect");
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .expect("h2 handshake");
    tokio::spawn(conn);
    // HTTP/2 carries the host as :authority, in an absolute URI.
    let (mut parts, body) = request.into_parts();
    parts.uri = format!("http://{}{}", emu.local_addr(), parts.uri)
        .parse()
        .expect("uri");
    parts.headers.remove("host");
    let response = sender
        .send_request(Request::from_parts(parts, body))
        .await
        .expect("response");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Reply {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    }
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
    let body = futures_body(body);
    out.extend_from_slice(&body);
    out
}

fn futures_body(body: Full<Bytes>) -> Bytes {
    // Full yields its single chunk immediately; poll it without a runtime.
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut body = std::pin::pin!(body);
    match http_body::Body::poll_frame(body.as_mut(), &mut cx) {
        std::task::Poll::Ready(Some(Ok(frame))) => frame.into_data().unwrap_or_default(),
        _ => Bytes::new(),
    }
}

/// What a raw socket saw: all bytes until the server closed, and how it closed.
pub struct RawOutcome {
    pub bytes: Vec<u8>,
    pub reset: bool,
}

pub async fn send_raw(emu: &EmulatorHandle, request: Request<Full<Bytes>>) -> RawOutcome {
    let mut stream = TcpStream::connect(emu.local_addr()).await.expect("connect");
    stream.write_all(&raw_bytes(request)).await.expect("write");
    let mut bytes = Vec::new();
    let mut buf = [0u8; 8192];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) => return false,
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
                Err(e) => panic!("unexpected read error {e}"),
            }
        }
    };
    let reset = tokio::time::timeout(Duration::from_secs(10), read_all)
        .await
        .expect("server closes the connection");
    RawOutcome { bytes, reset }
}

/// Splits an HTTP/1.1 response into head (lower-cased) and body bytes.
pub fn split_head(raw: &[u8]) -> (String, Vec<u8>) {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("complete head");
    (
        String::from_utf8_lossy(&raw[..end]).to_lowercase(),
        raw[end + 4..].to_vec(),
    )
}

/// Decodes an event stream into messages; panics on a malformed or incomplete frame.
pub fn decode_frames(bytes: &[u8]) -> Vec<Message> {
    let mut decoder = MessageFrameDecoder::new();
    let mut buf = BytesMut::from(bytes);
    let mut out = Vec::new();
    while !buf.is_empty() {
        match decoder.decode_frame(&mut buf).expect("valid frame") {
            DecodedFrame::Complete(message) => out.push(message),
            DecodedFrame::Incomplete => panic!("incomplete frame at end of stream"),
        }
    }
    out
}

pub fn header_str<'a>(message: &'a Message, name: &str) -> &'a str {
    message
        .headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| match h.value() {
            EsHeaderValue::String(s) => Some(s.as_str()),
            _ => None,
        })
        .unwrap_or("")
}

pub fn payload_json(message: &Message) -> Value {
    serde_json::from_slice(message.payload()).expect("JSON payload")
}

/// Polls until `f` holds or a few seconds pass.
pub async fn eventually(mut f: impl FnMut() -> bool) -> bool {
    for _ in 0..300 {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// A rustls client that trusts only `ca_pem`, speaks `versions` and offers `alpn` (most
/// preferred first).
pub fn tls_client(
    ca_pem: &str,
    alpn: &[&str],
    versions: &[&'static SupportedProtocolVersion],
) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.expect("CA PEM")).expect("CA accepted");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    Arc::new(config)
}

/// A TLS connection to `addr`, verifying the server as `server_name`.
pub async fn connect_tls(
    addr: SocketAddr,
    config: Arc<ClientConfig>,
    server_name: &str,
) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from(server_name.to_string()).expect("server name");
    tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
}
