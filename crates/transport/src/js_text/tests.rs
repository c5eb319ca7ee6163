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
    let fixtures = crate::Doc::from_json(include_bytes!("../../tests/fixtures/js-sdk.json"))
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
