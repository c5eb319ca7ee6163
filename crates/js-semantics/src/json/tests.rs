use super::*;

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
