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
mod tests {
    use super::*;

    fn js_number(n: f64) -> String {
        let mut out = String::new();
        write_js_number(&mut out, n);
        out
    }

    #[test]
    fn spells_numbers_like_javascript() {
        for (n, js) in [
            (0.7, "0.7"),
            (-0.0, "0"),
            (1.0, "1"),
            (-42.0, "-42"),
            (1.5, "1.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (2f64.powi(64), "18446744073709552000"),
            (-(2f64.powi(63)), "-9223372036854776000"),
            (2f64.powi(53) + 2.0, "9007199254740994"),
            (1.5e300, "1.5e+300"),
            (5e-324, "5e-324"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.2345e-7, "1.2345e-7"),
            (0.000123, "0.000123"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(js_number(n), js, "{n:?}");
        }
    }

    /// 4,000 doubles (edges, powers of ten, random bit patterns, short decimals) and what
    /// `String(n)` gave for each in Node (tests/fixtures/js-sdk.json, scripts/gen-fixtures.js).
    #[test]
    fn spells_every_fixture_number_as_node_did() {
        let fixtures = crate::Doc::from_json(include_bytes!("../tests/fixtures/js-sdk.json"))
            .expect("fixture is JSON");
        let cases = fixtures
            .get("numbers")
            .and_then(crate::Doc::as_array)
            .expect("numbers");
        assert!(cases.len() >= 4000);
        for case in cases {
            let pair = case.as_array().expect("[bits, text]");
            let bits = u64::from_str_radix(pair[0].as_str().expect("hex"), 16).expect("hex");
            let js = pair[1].as_str().expect("text");
            assert_eq!(js_number(f64::from_bits(bits)), js, "bits {bits:016x}");
        }
    }

    #[test]
    fn escapes_strings_like_json_stringify() {
        let mut out = String::new();
        write_json_string(
            &mut out,
            "a\"b\\c\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}\u{2028}/ü😀",
        );
        assert_eq!(
            out,
            "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}\u{2028}/ü😀\""
        );
    }

    /// What `JSON.stringify` gave in Node for strings with lone surrogates, a valid pair
    /// and U+FFFD itself.
    #[test]
    fn escapes_lone_surrogates_like_json_stringify() {
        let utf16 = |s: &[u16]| {
            let mut out = String::new();
            write_json_utf16(&mut out, s);
            out
        };
        // JSON.stringify('\ud800') === '"\\ud800"', and so on.
        assert_eq!(utf16(&[0xd800]), r#""\ud800""#);
        assert_eq!(utf16(&[0xdfff, 0x61]), r#""\udfffa""#);
        assert_eq!(utf16(&[0x61, 0xdbff, 0x0a]), r#""a\udbff\n""#);
        // High then high: the first is lone; low then high: both lone.
        assert_eq!(utf16(&[0xd83d, 0xd83d, 0xde00]), "\"\\ud83d\u{1f600}\"");
        assert_eq!(utf16(&[0xde00, 0xd83d, 0x22]), r#""\ude00\ud83d\"""#);
        // Well-formed runs are escaped as `write_json_string` escapes them.
        assert_eq!(
            utf16(&[0xfffd, 0xd800, 0x5c, 0x1]),
            "\"\u{fffd}\\ud800\\\\\\u0001\""
        );
    }
}
