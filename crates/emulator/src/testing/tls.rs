//! TLS clients for an HTTPS emulator: a rustls client trusting a given CA, a connection,
//! and one request over it with the ALPN and TLS version it negotiated.

use super::send::{exchange, Reply};
use crate::server::EmulatorHandle;
use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ProtocolVersion, RootCertStore, SupportedProtocolVersion};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

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

/// A reply over TLS, with the protocol ALPN chose and the TLS version.
pub struct TlsReply {
    pub reply: Reply,
    pub alpn: Option<String>,
    pub version: ProtocolVersion,
}

/// Sends `request` over a fresh TLS connection to the emulator (verified as `127.0.0.1`),
/// HTTP/2 or HTTP/1.1 as ALPN decided.
pub async fn send_tls(
    emu: &EmulatorHandle,
    config: Arc<ClientConfig>,
    request: Request<Full<Bytes>>,
) -> TlsReply {
    let stream = connect_tls(emu.local_addr(), config, "127.0.0.1")
        .await
        .expect("TLS handshake");
    let (_, session) = stream.get_ref();
    let alpn = session
        .alpn_protocol()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let version = session.protocol_version().expect("negotiated version");
    let h2 = alpn.as_deref() == Some("h2");
    let reply = exchange(stream, h2, "https", emu.local_addr(), request).await;
    TlsReply {
        reply,
        alpn,
        version,
    }
}
