use super::*;

#[test]
fn js_json_is_json_parse_input_with_undefined_members_listed() {
    let doc = Doc::object([
        (
            "$metadata",
            Doc::object([
                ("httpStatusCode", Doc::from(200.0)),
                ("cfId", Doc::Undefined),
            ]),
        ),
        (
            "list",
            Doc::Array(vec![Doc::object([
                ("gone", Doc::Undefined),
                ("n", Doc::from(-0.0)),
            ])]),
        ),
        ("s", Doc::from("a\"b\n\u{1}é")),
        ("x", Doc::from(0.1)),
    ]);
    let json = doc.to_js_json().expect("plain JSON");
    assert_eq!(
        json.text,
        r#"{"$metadata":{"httpStatusCode":200,"cfId":null},"list":[{"gone":null,"n":-0}],"s":"a\"b\n\u0001é","x":0.1}"#
    );
    assert_eq!(
        json.undefined_members,
        r#"[["$metadata","cfId"],["list",0,"gone"]]"#
    );
    let plain = Doc::object([("a", Doc::from(1.0))]).to_js_json().unwrap();
    assert_eq!(plain.undefined_members, "");
    let special = Doc::object([("__proto__", Doc::object([("x", Doc::from(1.0))]))]);
    assert_eq!(
        special.to_js_json().unwrap().text,
        r#"{"__proto__":{"x":1}}"#
    );
}

#[test]
fn js_json_writes_keys_with_lone_surrogates_as_escapes_for_json_parse() {
    let lone = JsText::from_utf16(&[0x6b, 0xd800]);
    let doc = Doc::Object(vec![(
        lone.clone(),
        Doc::object([("gone", Doc::Undefined)]),
    )]);
    let json = doc.to_js_json().unwrap();
    assert_eq!(json.text, r#"{"k\ud800":{"gone":null}}"#);
    assert_eq!(json.undefined_members, r#"[["k\ud800","gone"]]"#);
    assert_eq!(
        doc.to_tagged_json(),
        r#"{"k\ud800":{"gone":{"$undefined":true}}}"#
    );
}

#[test]
fn js_json_declines_what_json_cannot_carry() {
    for doc in [
        Doc::Bytes(vec![1]),
        Doc::Timestamp(0.0),
        Doc::Number(f64::NAN),
        Doc::Undefined,
        Doc::Array(vec![Doc::Undefined]),
        Doc::object([("deep", Doc::Array(vec![Doc::Bytes(vec![])]))]),
    ] {
        assert_eq!(doc.to_js_json(), None, "{doc:?}");
    }
}

#[test]
fn tagged_json_uses_js_enumeration_order() {
    let d = Doc::object([
        ("b", Doc::from(1.0)),
        ("2", Doc::from(2.0)),
        ("10", Doc::from(3.0)),
        ("01", Doc::from(4.0)),
        ("a", Doc::Bytes(vec![0, 1, 2])),
        ("t", Doc::Timestamp(1.5e12)),
        ("u", Doc::Undefined),
    ]);
    assert_eq!(
        d.to_tagged_json(),
        r#"{"2":2,"10":3,"b":1,"01":4,"a":{"$bytes":"AAEC"},"t":{"$date":1500000000000},"u":{"$undefined":true}}"#
    );
    assert_eq!(Doc::Number(-0.0).to_tagged_json(), "0");
    assert_eq!(Doc::Number(1.5).to_tagged_json(), "1.5");
}

#[test]
fn documents_parse_like_json_parse() {
    let doc = parse(br#"{"a":1,"b":{"c":[true,"x",1e400]},"a":2}"#);
    assert!(doc.is_err(), "1e400 is out of range for serde_json");
    let doc = parse(br#"{"a":1,"b":{"c":[true,"x",0.1]},"a":2}"#).unwrap();
    assert_eq!(doc.to_tagged_json(), r#"{"a":2,"b":{"c":[true,"x",0.1]}}"#);
    let many: String = (0..40).map(|i| format!(r#""k{}":{i},"#, i % 20)).collect();
    let doc = parse(format!("{{{}\"z\":0}}", many).as_bytes()).unwrap();
    assert_eq!(doc.as_object().unwrap().len(), 21);
    assert_eq!(doc.get("k3"), Some(&Doc::Number(23.0)));
}
