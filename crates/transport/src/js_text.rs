//! JSON text spelled as JavaScript spells it: numbers as `Number.prototype.toString`
//! (what `JSON.stringify` and the JS SDK's serialiser write for finite numbers) and strings
//! with `JSON.stringify`'s escapes. The one number and string formatter of this crate.
//!
//! Rust's `{}` differs for large and small magnitudes (`1e21` vs `1000000000000000000000`,
//! `1e-7` vs `0.0000001`) and for `-0`; both languages pick the same shortest round-trip
//! digits, so only the layout of those digits is redone here (ECMA-262 Number::toString).

use std::fmt::Write as _;

/// Appends `n` as `String(n)` would give it: `NaN`, `Infinity`, `-Infinity`, `0` for -0.
pub(crate) fn write_js_number(out: &mut String, n: f64) {
    if n.is_nan() {
        out.push_str("NaN");
        return;
    }
    if n.is_infinite() {
        out.push_str(if n > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if n == 0.0 {
        out.push('0');
        return;
    }
    if n < 0.0 {
        out.push('-');
    }
    // `{:e}` gives the shortest round-trip digits as `d[.ddd]e<exp>`.
    let mut scientific = String::with_capacity(32);
    let _ = write!(scientific, "{:e}", n.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i32;
    // ECMA-262's n: the value is 0.d1d2…dk × 10^n.
    let point = exponent.parse::<i32>().unwrap_or(0) + 1;
    if k <= point && point <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (point - k) as usize));
    } else if 0 < point && point <= 21 {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    } else if -6 < point && point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = point - 1;
        let _ = write!(out, "e{}{}", if e < 0 { '-' } else { '+' }, e.abs());
    }
}

/// Appends `s` as a JSON string literal, escaped exactly as `JSON.stringify` does: `"` and
/// `\\`, the short escapes `\b \t \n \f \r`, other control characters as `\u00xx`;
/// everything else (`/`, DEL, U+2028, non-ASCII) as it is.
pub(crate) fn write_json_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    write_escaped(out, s);
    out.push('"');
}

/// Appends a string holding lone surrogates (as UTF-16 code units) as a JSON string literal,
/// as `JSON.stringify` and the JS SDK's serialiser write it: well-formed text as
/// [`write_json_string`] does, each lone surrogate as `\udxxx` (lower-case hex).
pub(crate) fn write_json_utf16(out: &mut String, units: &[u16]) {
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

#[cfg(test)]
mod tests;
