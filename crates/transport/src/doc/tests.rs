use super::*;

#[test]
fn get_and_set_follow_js_semantics() {
    let mut d = Doc::object([("a", Doc::from(1.0)), ("b", Doc::Null)]);
    assert_eq!(d.get("a"), Some(&Doc::Number(1.0)));
    d.set("a", Doc::from("x"));
    d.set("c", Doc::Bool(true));
    assert_eq!(d.to_tagged_json(), r#"{"a":"x","b":null,"c":true}"#);
    assert!(Doc::Undefined.is_nullish() && Doc::Null.is_nullish());
}
