//! HTTPS for the emulator (opt-in): the rustls server configuration Bedrock's endpoints
//! resemble (TLS 1.3 and 1.2, ALPN `h2` and `http/1.1`, ring as the crypto provider), from a
//! caller's PEM certificate chain and key or from a throwaway test CA made at start.

use crate::error::Error;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// What certificate an HTTPS emulator presents.
#[derive(Debug, Clone)]
pub enum TlsIdentity {
    /// A fresh test CA and a leaf it signs for `localhost`, `127.0.0.1` and `::1`; the CA's
    /// certificate is `EmulatorHandle::ca_pem`, for clients to trust.
    Generate,
    /// The caller's own: a PEM certificate chain (leaf first) and its PEM private key.
    Pem {
        cert_chain: String,
        private_key: String,
    },
}

/// A test CA and a server identity it vouches for, all PEM.
#[derive(Debug, Clone)]
pub struct TestCertificates {
    /// The CA's certificate: what clients are told to trust (`NODE_EXTRA_CA_CERTS`, ...).
    pub ca_pem: String,
    /// The leaf certificate for `localhost`, `127.0.0.1` and `::1`, signed by the CA.
    pub cert_chain_pem: String,
    /// The leaf's private key.
    pub private_key_pem: String,
}

/// Makes a new CA (its key lives only in this call) and a leaf signed by it. Each call gives
/// a different CA, so a client trusting one does not trust another's emulator.
pub fn generate_test_certificates() -> Result<TestCertificates, Error> {
    let now = OffsetDateTime::now_utc();
    // Back-dated a day against clock skew; a year outlives any test or benchmark run.
    let validity = |params: &mut CertificateParams| {
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(365);
    };

    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // A name of its own: clients look issuers up by name, so two test CAs sharing one would
    // turn "not trusted" into a misleading "bad signature".
    let tag = now.unix_timestamp_nanos() ^ i128::from(std::process::id());
    ca.distinguished_name.push(
        DnType::CommonName,
        format!("bedrock-emulator test CA {tag:x}"),
    );
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    validity(&mut ca);
    let ca_key = KeyPair::generate().map_err(tls_error)?;
    let ca_cert = ca.self_signed(&ca_key).map_err(tls_error)?;
    let issuer = Issuer::new(ca, ca_key);

    let names = ["localhost", "127.0.0.1", "::1"].map(String::from).to_vec();
    let mut leaf = CertificateParams::new(names).map_err(tls_error)?;
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.use_authority_key_identifier_extension = true;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    validity(&mut leaf);
    let leaf_key = KeyPair::generate().map_err(tls_error)?;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(tls_error)?;

    Ok(TestCertificates {
        ca_pem: ca_cert.pem(),
        cert_chain_pem: leaf_cert.pem(),
        private_key_pem: leaf_key.serialize_pem(),
    })
}

/// The server side of an HTTPS emulator.
pub(crate) struct ServerTls {
    pub config: Arc<ServerConfig>,
    /// The generated CA's certificate; `None` when the caller brought the identity.
    pub ca_pem: Option<String>,
}

impl ServerTls {
    pub fn new(identity: &TlsIdentity) -> Result<ServerTls, Error> {
        match identity {
            TlsIdentity::Generate => {
                let generated = generate_test_certificates()?;
                Ok(ServerTls {
                    config: server_config(&generated.cert_chain_pem, &generated.private_key_pem)?,
                    ca_pem: Some(generated.ca_pem),
                })
            }
            TlsIdentity::Pem {
                cert_chain,
                private_key,
            } => Ok(ServerTls {
                config: server_config(cert_chain, private_key)?,
                ca_pem: None,
            }),
        }
    }
}

fn server_config(cert_chain_pem: &str, private_key_pem: &str) -> Result<Arc<ServerConfig>, Error> {
    let chain = CertificateDer::pem_slice_iter(cert_chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Tls(format!("certificate chain: {e}")))?;
    if chain.is_empty() {
        return Err(Error::Tls(
            "certificate chain: no CERTIFICATE in the PEM".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(private_key_pem.as_bytes())
        .map_err(|e| Error::Tls(format!("private key: {e}")))?;
    // The provider is named rather than taken from the process default, so an addon that
    // links another provider elsewhere cannot make this ambiguous.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(tls_error)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(tls_error)?;
    // rustls picks by the server's order: HTTP/2 whenever the client offers it.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn tls_error(error: impl std::fmt::Display) -> Error {
    Error::Tls(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_identities_differ_and_load() {
        let a = generate_test_certificates().unwrap();
        let b = generate_test_certificates().unwrap();
        assert_ne!(a.ca_pem, b.ca_pem);
        assert!(a.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        server_config(&a.cert_chain_pem, &a.private_key_pem).unwrap();
    }

    #[test]
    fn a_chain_without_certificates_is_refused() {
        let a = generate_test_certificates().unwrap();
        let error = server_config("not a pem", &a.private_key_pem)
            .err()
            .unwrap();
        assert!(error.to_string().contains("certificate chain"), "{error}");
    }

    #[test]
    fn a_key_that_does_not_match_the_leaf_is_refused() {
        let a = generate_test_certificates().unwrap();
        let b = generate_test_certificates().unwrap();
        assert!(server_config(&a.cert_chain_pem, &b.private_key_pem).is_err());
    }
}
