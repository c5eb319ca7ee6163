use super::JsText;

#[test]
fn well_formed_code_units_make_a_plain_string() {
    let text = JsText::from_utf16(&[0x61, 0xD83D, 0xDE00]);
    assert_eq!(text, JsText::from("a😀"));
    assert_eq!(text.ill_formed_units(), None);
}

#[test]
fn a_lone_surrogate_keeps_its_code_units_and_reads_as_replacement_text() {
    let text = JsText::from_utf16(&[0x61, 0xD800]);
    assert_eq!(text.ill_formed_units(), Some(&[0x61, 0xD800][..]));
    assert_eq!(text.as_str(), "a\u{FFFD}");
    // Its text is not the string itself: a real U+FFFD is another JS string.
    assert_ne!(text, "a\u{FFFD}");
    assert_ne!(text, JsText::from("a\u{FFFD}"));
    assert_ne!(text, JsText::from_utf16(&[0x61, 0xD801]));
}

#[test]
fn json_keeps_a_lone_surrogate_as_its_escape() {
    let mut out = String::new();
    JsText::from_utf16(&[0xDC00, 0x22]).write_json(&mut out);
    JsText::from("\u{FFFD}").write_json(&mut out);
    assert_eq!(out, "\"\\udc00\\\"\"\"\u{FFFD}\"");
}

#[test]
fn is_the_size_of_a_string() {
    assert_eq!(size_of::<JsText>(), size_of::<String>());
}
