//! Sending a request to an emulator over a fresh connection — HTTP/1.1, h2c (prior
//! knowledge, as the JS SDK sends them) or raw TCP bytes — and what came back.

use super::request::raw_bytes;
use crate::server::EmulatorHandle;
use bytes::Bytes;
use http::{HeaderMap, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response, its body collected.
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
    exchange(stream, false, "http", emu.local_addr(), request).await
}

/// One request over a fresh h2c (prior knowledge) connection, as the JS SDK sends them.
pub async fn send_h2(emu: &EmulatorHandle, request: Request<Full<Bytes>>) -> Reply {
    let stream = TcpStream::connect(emu.local_addr()).await.expect("connect");
    exchange(stream, true, "http", emu.local_addr(), request).await
}

/// Sends `request` over the open connection `io`, as HTTP/2 when `h2` (which carries
/// `scheme` and the host `addr` as pseudo-headers, from an absolute URI) or HTTP/1.1, and
/// collects the response.
pub(super) async fn exchange<I>(
    io: I,
    h2: bool,
    scheme: &str,
    addr: SocketAddr,
    request: Request<Full<Bytes>>,
) -> Reply
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(io);
    let response = if h2 {
        let (mut sender, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
            .await
            .expect("h2 handshake");
        tokio::spawn(conn);
        let (mut parts, body) = request.into_parts();
        parts.uri = format!("{scheme}://{addr}{}", parts.uri)
            .parse()
            .expect("uri");
        parts.headers.remove("host");
        sender
            .send_request(Request::from_parts(parts, body))
            .await
            .expect("response")
    } else {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
            .await
            .expect("http1 handshake");
        tokio::spawn(conn);
        sender.send_request(request).await.expect("response")
    };
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Reply {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    }
}

/// What a raw socket saw: all bytes until the server closed, and how it closed.
pub struct RawOutcome {
    pub bytes: Vec<u8>,
    pub reset: bool,
}

/// Writes the request's HTTP/1.1 bytes on a fresh socket and reads until the server closes.
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
