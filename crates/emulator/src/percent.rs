//! `%XX` decoding of model ids in request paths: strict for Bedrock's routes, lossy for
//! the control API.

/// `s` with its escapes decoded; `None` if an escape is malformed or the result is not
/// UTF-8, so the path names no model.
pub(crate) fn decode(s: &str) -> Option<String> {
    String::from_utf8(decode_bytes(s, false)?).ok()
}

/// `s` with its escapes decoded; a malformed escape stays as written and bytes that are not
/// UTF-8 become U+FFFD.
pub(crate) fn decode_lossy(s: &str) -> String {
    let bytes = decode_bytes(s, true).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Decodes every `%XX`; a malformed escape is kept as written when `keep_malformed`, and
/// otherwise fails the whole decoding.
fn decode_bytes(s: &str, keep_malformed: bool) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3);
            match hex.and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                    continue;
                }
                None if !keep_malformed => return None,
                None => {}
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_refuses_what_lossy_keeps() {
        assert_eq!(decode("a%3Ab%2Fc").as_deref(), Some("a:b/c"));
        assert_eq!(decode_lossy("a%3Ab%2Fc"), "a:b/c");
        for malformed in ["bad%zz", "end%4", "end%"] {
            assert_eq!(decode(malformed), None, "{malformed}");
            assert_eq!(decode_lossy(malformed), malformed);
        }
        assert_eq!(decode("%FF"), None);
        assert_eq!(decode_lossy("x%FFy"), "x\u{FFFD}y");
    }
}
