//! JSON text as `JSON.stringify` writes it: string literals with its escapes (lone
//! surrogates included), numbers as `String(n)` or `null`.

use std::fmt::Write as _;

/// Appends `s` as a JSON string literal, escaped exactly as `JSON.stringify` does: `"` and
/// `\\`, the short escapes `\b \t \n \f \r`, other control characters as `\u00xx`;
/// everything else (`/`, DEL, U+2028, non-ASCII) as it is.
pub fn write_json_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    write_escaped(out, s);
    out.push('"');
}

/// Appends a string holding lone surrogates (as UTF-16 code units) as a JSON string literal,
/// as `JSON.stringify` and the JS SDK's serialiser write it: well-formed text as
/// [`write_json_string`] does, each lone surrogate as `\udxxx` (lower-case hex).
pub fn write_json_utf16(out: &mut String, units: &[u16]) {
    out.reserve(units.len() + 2);
    out.push('"');
    let mut run = String::new();
    for decoded in char::decode_utf16(units.iter().copied()) {
        match decoded {
            Ok(c) => run.push(c),
            Err(lone) => {
                write_escaped(out, &run);
                run.clear();
                let _ = write!(out, "\\u{:04x}", lone.unpaired_surrogate());
            }
        }
    }
    write_escaped(out, &run);
    out.push('"');
}

/// The inside of a JSON string literal: `s` with `JSON.stringify`'s escapes.
fn write_escaped(out: &mut String, s: &str) {
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0c => "\\f",
            b'\r' => "\\r",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        plain = i + 1;
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&s[plain..]);
}

/// `s` as a JSON string literal ([`write_json_string`] into a new string).
pub fn json_string(s: &str) -> String {
    let mut out = String::new();
    write_json_string(&mut out, s);
    out
}

/// Appends `n` as `JSON.stringify` writes it: `null` when not finite, `0` for -0.
pub fn write_json_number(out: &mut String, n: f64) {
    if n.is_finite() {
        crate::number::write_js_number(out, n);
    } else {
        out.push_str("null");
    }
}

#[cfg(test)]
mod tests;
