use super::*;
use crate::json;

/// `json::parse` reads every plain JSON body through `parse_tolerating_lone_surrogates`.
fn parse(body: &str) -> Result<Doc, serde_json::Error> {
    json::parse(body.as_bytes())
}

#[test]
fn a_lone_surrogate_escape_is_read_as_json_parse_reads_it() {
    // JSON.parse('"a\\ud800b"') is 'a\ud800b'; lower or upper case hex alike.
    assert_eq!(
        parse(r#""a\ud800b""#).unwrap(),
        Doc::IllFormedString(vec![0x61, 0xd800, 0x62])
    );
    assert_eq!(
        parse(r#"["\uDFFF", "\udbff\n"]"#).unwrap(),
        Doc::Array(vec![
            Doc::IllFormedString(vec![0xdfff]),
            Doc::IllFormedString(vec![0xdbff, 0x0a]),
        ])
    );
    // High then high: the first is lone; low then high: both lone.
    assert_eq!(
        parse(r#"{"t":"\ud83d\ud83d\ude00","u":"\ude00\ud83d"}"#).unwrap(),
        Doc::object([
            ("t", Doc::IllFormedString(vec![0xd83d, 0xd83d, 0xde00])),
            ("u", Doc::IllFormedString(vec![0xde00, 0xd83d])),
        ])
    );
}

#[test]
fn pairs_and_other_strings_of_such_a_body_stay_text() {
    assert_eq!(
        parse(r#"{"pair":"\ud83d\ude00","lone":"\ud800","text":"\\ud800 \u00e9","n":1}"#).unwrap(),
        Doc::object([
            ("pair", Doc::from("\u{1f600}")),
            ("lone", Doc::IllFormedString(vec![0xd800])),
            ("text", Doc::from("\\ud800 \u{e9}")),
            ("n", Doc::from(1.0)),
        ])
    );
}

#[test]
fn a_key_with_a_lone_surrogate_keeps_it_as_json_parse_does() {
    // JSON.parse: three keys, none of them '\ufffd' (a real one is a fourth); the pair is text.
    assert_eq!(
        parse(r#"{"k\udc00":true,"\ud800":1,"\ud801":2,"\ufffd":3,"\ud83d\ude00":4}"#).unwrap(),
        Doc::object([
            (JsText::from_utf16(&[0x6b, 0xdc00]), Doc::Bool(true)),
            (JsText::from_utf16(&[0xd800]), Doc::from(1.0)),
            (JsText::from_utf16(&[0xd801]), Doc::from(2.0)),
            (JsText::from("\u{fffd}"), Doc::from(3.0)),
            (JsText::from("\u{1f600}"), Doc::from(4.0)),
        ])
    );
    // The last of repeated keys wins, as for any key.
    assert_eq!(
        parse(r#"{"\ud800":1,"\ud800":2}"#).unwrap(),
        Doc::object([(JsText::from_utf16(&[0xd800]), Doc::from(2.0))])
    );
}

#[test]
fn other_failures_keep_the_parsers_error() {
    let plain = serde_json::from_str::<serde_json::Value>(r#"{"a":"\ud800""#)
        .unwrap_err()
        .to_string();
    assert_eq!(parse(r#"{"a":"\ud800""#).unwrap_err().to_string(), plain);
    assert!(parse(r#""\u12""#).is_err());
    // A body that already holds a stand-in (U+10F800) is not rewritten.
    assert!(parse("[\"\u{10f800}\", \"\\ud800\"]").is_err());
    // Without a surrogate's escape the parse is the plain one.
    assert_eq!(parse(r#""\u00e9""#).unwrap(), Doc::from("\u{e9}"));
}
