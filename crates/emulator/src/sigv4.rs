//! SigV4 verification: parses the `Authorization` header, rebuilds the canonical request
//! over exactly the headers the client says it signed, recomputes the signature with the
//! `aws-sigv4` crate's key derivation and HMAC (what the Rust SDK signs with), and answers
//! failures the way AWS does.
//!
//! The canonical request is built here rather than by `aws_sigv4::http_request::sign`
//! because the JS SDK, over HTTP/2, signs the `:authority` pseudo-header, which that
//! signer cannot express (its header names must be valid HTTP/1 names).

use crate::error_kind::ErrorKind;
use aws_sigv4::sign::v4;
use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod amz_date;
mod canonical;
#[cfg(test)]
mod tests;

use amz_date::{format_amz_date, parse_amz_date};
use canonical::{canonical_request, hex_sha256};

/// The signing name of Bedrock Runtime (`bedrock`, not `bedrock-runtime`).
pub(crate) const SERVICE: &str = "bedrock";

/// Why a request's signature was refused: the AWS error type and message to answer with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AuthFailure {
    pub kind: ErrorKind,
    pub message: String,
}

impl AuthFailure {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        AuthFailure {
            kind,
            message: message.into(),
        }
    }
}

/// The parsed `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
#[derive(Debug)]
pub(crate) struct Authorization<'a> {
    pub access_key_id: &'a str,
    pub date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    pub signed_headers: Vec<&'a str>,
    pub signature: &'a str,
}

/// Extracts the access key id without validating anything else (for the request log).
pub(crate) fn access_key_id(authorization: &str) -> Option<&str> {
    let credential = authorization.split("Credential=").nth(1)?;
    credential.split('/').next().filter(|id| !id.is_empty())
}

pub(crate) fn parse_authorization(header: &str) -> Result<Authorization<'_>, AuthFailure> {
    let (algorithm, params) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
    if algorithm != "AWS4-HMAC-SHA256" {
        return Err(AuthFailure::new(
            ErrorKind::IncompleteSignatureException,
            format!("Unsupported AWS 'algorithm': '{algorithm}'"),
        ));
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in params.split(',') {
        match part.trim().split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    let mut missing = String::new();
    for (name, value) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ] {
        if value.is_none_or(str::is_empty) {
            missing.push_str(&format!(
                "Authorization header requires '{name}' parameter. "
            ));
        }
    }
    if !missing.is_empty() {
        return Err(AuthFailure::new(
            ErrorKind::IncompleteSignatureException,
            format!("{missing}Authorization={header}"),
        ));
    }
    let (credential, signed_headers, signature) = (
        credential.unwrap_or_default(),
        signed_headers.unwrap_or_default(),
        signature.unwrap_or_default(),
    );

    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = scope[..] else {
        return Err(AuthFailure::new(
            ErrorKind::IncompleteSignatureException,
            format!("Credential should have exactly 5 slash-separated components: '{credential}'"),
        ));
    };
    if terminator != "aws4_request" {
        return Err(AuthFailure::new(
            ErrorKind::InvalidSignatureException,
            format!("Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."),
        ));
    }
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed_headers.split(';').collect(),
        signature,
    })
}

/// Checks request signatures against a fixed set of credentials.
pub(crate) struct Verifier {
    /// Access key id -> secret access key.
    secrets: HashMap<String, String>,
    max_skew: Option<Duration>,
}

impl Verifier {
    pub fn new(credentials: &[(String, String)], max_skew: Option<Duration>) -> Verifier {
        Verifier {
            secrets: credentials.iter().cloned().collect(),
            max_skew,
        }
    }

    /// Verifies one request. `now` is the emulator's clock, used only for the expiry check.
    pub fn verify(
        &self,
        parts: &http::request::Parts,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), AuthFailure> {
        let Some(header) = parts.headers.get(http::header::AUTHORIZATION) else {
            return Err(AuthFailure::new(
                ErrorKind::MissingAuthenticationTokenException,
                ErrorKind::MissingAuthenticationTokenException.default_message(),
            ));
        };
        let header = header.to_str().map_err(|_| {
            AuthFailure::new(
                ErrorKind::IncompleteSignatureException,
                "Authorization header is not ASCII.",
            )
        })?;
        let auth = parse_authorization(header)?;
        let Some(secret) = self.secrets.get(auth.access_key_id) else {
            return Err(AuthFailure::new(
                ErrorKind::UnrecognizedClientException,
                ErrorKind::UnrecognizedClientException.default_message(),
            ));
        };
        if auth.service != SERVICE {
            return Err(AuthFailure::new(
                ErrorKind::InvalidSignatureException,
                format!("Credential should be scoped to correct service: '{SERVICE}'. "),
            ));
        }
        let amz_date = parts.headers.get("x-amz-date").and_then(|v| v.to_str().ok()).ok_or_else(|| {
            AuthFailure::new(
                ErrorKind::IncompleteSignatureException,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            )
        })?;
        let signed_at = parse_amz_date(amz_date).ok_or_else(|| {
            AuthFailure::new(
                ErrorKind::IncompleteSignatureException,
                format!("Date must be in ISO-8601 'basic format'. Got '{amz_date}'."),
            )
        })?;
        if auth.date != &amz_date[..8] {
            return Err(AuthFailure::new(
                ErrorKind::InvalidSignatureException,
                format!(
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{amz_date}'.",
                    auth.date,
                    &amz_date[..8]
                ),
            ));
        }
        self.check_skew(amz_date, signed_at, now)?;

        let expected = expected_signature(parts, &auth, amz_date, signed_at, secret, body)
            .ok_or_else(mismatch)?;
        if constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
            Ok(())
        } else {
            Err(mismatch())
        }
    }

    fn check_skew(
        &self,
        amz_date: &str,
        signed_at: SystemTime,
        now: SystemTime,
    ) -> Result<(), AuthFailure> {
        let Some(max) = self.max_skew else {
            return Ok(());
        };
        let minutes = max.as_secs() / 60;
        // Checked arithmetic: a huge configured skew must not overflow SystemTime.
        let earliest = now.checked_sub(max).unwrap_or(UNIX_EPOCH);
        let latest = now.checked_add(max);
        if signed_at < earliest {
            return Err(AuthFailure::new(
                ErrorKind::InvalidSignatureException,
                format!(
                    "Signature expired: {amz_date} is now earlier than {} ({} - {minutes} min.)",
                    format_amz_date(earliest),
                    format_amz_date(now)
                ),
            ));
        }
        if let Some(latest) = latest.filter(|latest| signed_at > *latest) {
            return Err(AuthFailure::new(
                ErrorKind::InvalidSignatureException,
                format!(
                    "Signature not yet current: {amz_date} is still later than {} ({} + {minutes} min.)",
                    format_amz_date(latest),
                    format_amz_date(now)
                ),
            ));
        }
        Ok(())
    }
}

fn mismatch() -> AuthFailure {
    AuthFailure::new(
        ErrorKind::InvalidSignatureException,
        ErrorKind::InvalidSignatureException.default_message(),
    )
}

/// The signature the client should have sent, from the canonical request, the string to
/// sign and the `aws-sigv4` signing key. `None` if the request cannot be canonicalised.
fn expected_signature(
    parts: &http::request::Parts,
    auth: &Authorization<'_>,
    amz_date: &str,
    signed_at: SystemTime,
    secret: &str,
    body: &[u8],
) -> Option<String> {
    let canonical = canonical_request(parts, &auth.signed_headers, body)?;
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{}/{}/{}/aws4_request\n{}",
        auth.date,
        auth.region,
        auth.service,
        hex_sha256(canonical.as_bytes())
    );
    let key = v4::generate_signing_key(secret, signed_at, auth.region, auth.service);
    Some(v4::calculate_signature(key, string_to_sign.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
