//! The certificates the native client trusts, as Node decides for its own TLS (and so for
//! the JS SDK): Mozilla's root set, which Node bundles; the system store only when Node
//! was told to use it (`--use-system-ca`); plus the PEM bundle named by
//! `NODE_EXTRA_CA_CERTS`, so that a CA a caller gave Node (a TLS-inspecting proxy's, a
//! test server's) works the same on both transports. Which of those apply is read on the
//! JavaScript side, where Node's flags are visible (`NodeTrust`); this module applies it.
//!
//! The bundled set is compiled in (`webpki-root-certs`, Mozilla's set as published by the
//! rustls project): no file is read for it, where the system store costs a cold start
//! tens of milliseconds of reading and parsing every certificate under /etc/ssl/certs.

use crate::base64::base64_encode;
use crate::client::NodeTrust;
use aws_smithy_http_client::tls::TrustStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

/// Mozilla's roots, the system's when Node uses them, and every usable certificate of the
/// bundle `NODE_EXTRA_CA_CERTS` names. Like Node, a bundle that cannot be read (Node warns
/// and goes on) and certificates that do not parse are skipped rather than failing the
/// client; they must be, since the TLS layer panics on them.
pub(crate) fn trust_store(trust: &NodeTrust) -> TrustStore {
    let extra_pem = trust
        .extra_certs_file
        .as_ref()
        .and_then(|path| std::fs::read(path).ok());
    let mut store = TrustStore::empty().with_native_roots(trust.system_store);
    for root in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        store.add_pem_certificate(pem_certificate(root));
    }
    for certificate in extra_pem
        .as_deref()
        .map(usable_certificates)
        .unwrap_or_default()
    {
        store.add_pem_certificate(certificate);
    }
    store
}

/// A DER certificate as the PEM text the trust store takes.
fn pem_certificate(der: &CertificateDer<'_>) -> Vec<u8> {
    let body = base64_encode(der.as_ref());
    let mut pem = String::with_capacity(body.len() + body.len() / 64 + 64);
    pem.push_str("-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(64) {
        // base64 text is ASCII, so every 64-byte chunk is whole characters.
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem.into_bytes()
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
    fn the_bundled_roots_survive_the_trip_through_pem() {
        assert!(webpki_root_certs::TLS_SERVER_ROOT_CERTS.len() > 100);
        for root in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
            let pem = pem_certificate(root);
            let usable = usable_certificates(&pem);
            assert_eq!(
                usable.len(),
                1,
                "rustls takes every bundled root as a trust anchor"
            );
            assert!(pem.starts_with(&usable[0]));
            let der = CertificateDer::from_pem_slice(&pem).expect("parses back");
            assert_eq!(der.as_ref(), root.as_ref());
        }
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
