//! The SigV4 canonical request: the path, query and signed headers in the exact form
//! AWS hashes them, and the hex SHA-256 of it.

use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The SigV4 canonical request: method, canonical URI (the path as received, encoded
/// once more, as AWS does for every service but S3), canonical query, the signed headers
/// with their values (trimmed, repeated spaces collapsed, repeats joined by `,`), the
/// signed-header list and the payload hash. `None` if a header value is not text.
pub(super) fn canonical_request(
    parts: &http::request::Parts,
    signed_headers: &[&str],
    body: &[u8],
) -> Option<String> {
    let mut names: Vec<&str> = signed_headers.to_vec();
    names.sort_unstable();
    let mut out = String::with_capacity(512);
    out.push_str(parts.method.as_str());
    out.push('\n');
    out.push_str(&uri_encode(&normalize_path(parts.uri.path()), true));
    out.push('\n');
    out.push_str(&canonical_query(parts.uri.query().unwrap_or("")));
    out.push('\n');
    // HTTP/2 carries the host as `:authority`, which hyper moves into the URI.
    let authority = parts.uri.authority().map(|a| a.as_str());
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok());
    for name in &names {
        out.push_str(name);
        out.push(':');
        match *name {
            ":authority" | "host" if !parts.headers.contains_key(*name) => {
                out.push_str(authority.or(host).unwrap_or_default());
            }
            _ => {
                let mut first = true;
                for value in parts.headers.get_all(*name) {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(&trim_all(value.to_str().ok()?));
                }
            }
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&names.join(";"));
    out.push('\n');
    match parts
        .headers
        .get("x-amz-content-sha256")
        .map(|v| v.as_bytes())
    {
        Some(b"UNSIGNED-PAYLOAD") => out.push_str("UNSIGNED-PAYLOAD"),
        _ => out.push_str(&hex_sha256(body)),
    }
    Some(out)
}

/// Removes `.`/`..` segments and empty segments, as the SigV4 spec asks for every
/// service but S3.
fn normalize_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_string();
    }
    if !(path.contains('.') || path.contains("//")) {
        return path.to_string();
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut normalized = format!("/{}", segments.join("/"));
    if path.ends_with('/') && normalized.len() > 1 {
        normalized.push('/');
    }
    normalized
}

/// Percent-encodes every byte but the unreserved characters (and `/` in paths).
fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~')
            || (keep_slash && byte == b'/')
        {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn canonical_query(query: &str) -> String {
    if query.is_empty() {
        return String::new();
    }
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                uri_encode(&form_decode(k), false),
                uri_encode(&form_decode(v), false),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space), as the signers parse queries.
fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(byte) => {
                    out.push(byte);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Trims spaces and collapses runs of spaces (only spaces, as the signers do).
fn trim_all(value: &str) -> std::borrow::Cow<'_, str> {
    let value = value.trim_matches(' ');
    if !value.contains("  ") {
        return std::borrow::Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut previous_space = false;
    for c in value.chars() {
        if c == ' ' && previous_space {
            continue;
        }
        previous_space = c == ' ';
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

pub(super) fn hex_sha256(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    let mut out = String::with_capacity(64);
    for byte in digest.iter() {
        let _ = write!(out, "{byte:02x}");
    }
    out
}
