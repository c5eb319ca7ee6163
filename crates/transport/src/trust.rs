//! The certificates the native client trusts: the system store plus the PEM bundle named
//! by `NODE_EXTRA_CA_CERTS`, as Node adds it to its own, so that a CA a caller gave Node
//! (a TLS-inspecting proxy's, a test server's) works the same on both transports.

use aws_smithy_http_client::tls::TrustStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

/// The system roots plus every usable certificate of `extra_pem` (the contents of
/// `NODE_EXTRA_CA_CERTS`). Like Node, certificates that do not parse are skipped rather
/// than failing the client; they must be, since the TLS layer panics on them.
pub(crate) fn trust_store(extra_pem: Option<&[u8]>) -> TrustStore {
    let mut store = TrustStore::default();
    for certificate in extra_pem.map(usable_certificates).unwrap_or_default() {
        store.add_pem_certificate(certificate);
    }
    store
}

/// The `CERTIFICATE` blocks of a PEM bundle that rustls accepts as trust anchors, each
/// as PEM text of its own.
fn usable_certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    const END: &[u8] = b"-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = find(rest, BEGIN) {
        let Some(len) = find(&rest[start..], END) else {
            break;
        };
        let block = &rest[start..start + len + END.len()];
        let anchor_ok = CertificateDer::from_pem_slice(block)
            .is_ok_and(|der| rustls::RootCertStore::empty().add(der).is_ok());
        if anchor_ok {
            out.push(block.to_vec());
        }
        rest = &rest[start + len + END.len()..];
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The bundle `NODE_EXTRA_CA_CERTS` names, if it is set and readable (Node warns and
/// goes on without it otherwise).
pub(crate) fn node_extra_ca_certs() -> Option<Vec<u8>> {
    let path = std::env::var_os("NODE_EXTRA_CA_CERTS").filter(|p| !p.is_empty())?;
    std::fs::read(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed CA certificate (P-256, made with the openssl CLI).
    const TEST_CA: &[u8] = include_bytes!("../tests/fixtures/test-ca.pem");

    #[test]
    fn every_usable_certificate_of_a_bundle_is_kept() {
        let mut bundle = b"# a comment line, as bundles have\n".to_vec();
        bundle.extend_from_slice(TEST_CA);
        bundle.extend_from_slice(
            b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
        );
        bundle.extend_from_slice(TEST_CA);
        let kept = usable_certificates(&bundle);
        assert_eq!(kept.len(), 2);
        assert!(TEST_CA.starts_with(&kept[0]));
    }

    #[test]
    fn damaged_certificates_are_skipped_not_fatal() {
        let garbage =
            b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
        assert!(usable_certificates(garbage).is_empty());
        assert!(usable_certificates(b"no pem here").is_empty());
        assert!(usable_certificates(b"-----BEGIN CERTIFICATE-----\nunterminated").is_empty());
    }
}
