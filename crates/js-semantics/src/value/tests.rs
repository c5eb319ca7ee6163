use super::*;

#[test]
fn number_coercion_follows_javascript() {
    assert_eq!(JsValue::Null.to_number(), 0.0);
    assert!(JsValue::Undefined.to_number().is_nan());
    assert_eq!(JsValue::Bool(true).to_number(), 1.0);
    assert_eq!(JsValue::String(" 42 ".into()).to_number(), 42.0);
    assert_eq!(JsValue::String("".into()).to_number(), 0.0);
    assert_eq!(JsValue::String("0x1f".into()).to_number(), 31.0);
    assert_eq!(JsValue::String("1e3".into()).to_number(), 1000.0);
    assert!(JsValue::String("12px".into()).to_number().is_nan());
    assert_eq!(JsValue::Array(vec![JsValue::Number(7.0)]).to_number(), 7.0);
    assert!(JsValue::Object(vec![]).to_number().is_nan());
}

fn s(text: &str) -> JsValue {
    JsValue::String(text.to_owned())
}

fn n(value: f64) -> JsValue {
    JsValue::Number(value)
}

#[test]
fn typeof_reports_object_for_null_arrays_and_objects() {
    assert_eq!(JsValue::Undefined.type_of(), "undefined");
    assert_eq!(JsValue::Null.type_of(), "object");
    assert_eq!(JsValue::Array(vec![]).type_of(), "object");
    assert_eq!(JsValue::Object(vec![]).type_of(), "object");
    assert_eq!(JsValue::Bool(true).type_of(), "boolean");
    assert_eq!(n(1.0).type_of(), "number");
    assert_eq!(s("x").type_of(), "string");
    assert_eq!(JsValue::BigInt("1".into()).type_of(), "bigint");
    assert_eq!(JsValue::Symbol("x".into()).type_of(), "symbol");
    assert_eq!(JsValue::Function("() => 1".into()).type_of(), "function");
}

#[test]
fn falsy_values_are_exactly_javascripts() {
    for falsy in [
        JsValue::Undefined,
        JsValue::Null,
        JsValue::Bool(false),
        n(0.0),
        n(-0.0),
        n(f64::NAN),
        s(""),
        JsValue::BigInt("0".into()),
    ] {
        assert!(!falsy.is_truthy(), "{falsy:?} should be falsy");
    }
    for truthy in [
        JsValue::Bool(true),
        n(-1.0),
        n(f64::INFINITY),
        s("0"),
        s("false"),
        JsValue::BigInt("-3".into()),
        JsValue::Symbol(String::new()),
        JsValue::Function(String::new()),
        JsValue::Array(vec![]),
        JsValue::Object(vec![]),
    ] {
        assert!(truthy.is_truthy(), "{truthy:?} should be truthy");
    }
}

#[test]
fn numbers_print_as_javascript_prints_them() {
    let cases = [
        (f64::NAN, "NaN"),
        (f64::INFINITY, "Infinity"),
        (f64::NEG_INFINITY, "-Infinity"),
        (-0.0, "0"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (0.1, "0.1"),
        (1e-7, "1e-7"),
        (-5.0, "-5"),
        (1.5, "1.5"),
    ];
    for (value, text) in cases {
        assert_eq!(n(value).to_js_string(), text);
    }
}

#[test]
fn string_conversion_covers_every_kind() {
    assert_eq!(JsValue::Undefined.to_js_string(), "undefined");
    assert_eq!(JsValue::Null.to_js_string(), "null");
    assert_eq!(JsValue::Bool(false).to_js_string(), "false");
    assert_eq!(s("abc").to_js_string(), "abc");
    assert_eq!(
        JsValue::BigInt("12345678901234567890".into()).to_js_string(),
        "12345678901234567890"
    );
    assert_eq!(JsValue::Symbol("tag".into()).to_js_string(), "Symbol(tag)");
    assert_eq!(
        JsValue::Function("function f() {}".into()).to_js_string(),
        "function f() {}"
    );
    assert_eq!(
        JsValue::Object(vec![("a".into(), n(1.0))]).to_js_string(),
        "[object Object]"
    );
}

#[test]
fn arrays_join_with_commas_and_blank_out_null_and_undefined() {
    let array = JsValue::Array(vec![
        n(1.0),
        JsValue::Null,
        JsValue::Undefined,
        s("x"),
        JsValue::Array(vec![n(2.0), n(3.0)]),
        JsValue::Object(vec![]),
    ]);
    assert_eq!(array.to_js_string(), "1,,,x,2,3,[object Object]");
    assert_eq!(JsValue::Array(vec![]).to_js_string(), "");
}

#[test]
fn a_long_array_answers_as_an_array_without_its_elements() {
    let long = JsValue::LongArray(u32::MAX);
    assert_eq!(long.type_of(), "object");
    assert!(long.is_truthy());
    assert!(long.is_array());
    assert_eq!(long.as_array(), None);
    assert!(long.to_number().is_nan());
    assert_eq!(long.to_js_string(), "[an array of 4294967295 elements]");
    assert_eq!(long.get("length"), &JsValue::Undefined);
}

#[test]
fn is_integer_rejects_fractions_non_finite_and_non_numbers() {
    assert!(n(3.0).is_integer());
    assert!(n(-0.0).is_integer());
    assert!(n(1e300).is_integer());
    assert!(!n(3.5).is_integer());
    assert!(!n(f64::NAN).is_integer());
    assert!(!n(f64::INFINITY).is_integer());
    assert!(!s("3").is_integer());
}

#[test]
fn get_reads_own_properties_and_is_undefined_otherwise() {
    let object = JsValue::Object(vec![("a".into(), n(1.0)), ("b".into(), JsValue::Null)]);
    assert_eq!(object.get("a"), &n(1.0));
    assert_eq!(object.get("b"), &JsValue::Null);
    assert_eq!(object.get("c"), &JsValue::Undefined);
    assert_eq!(JsValue::Array(vec![n(1.0)]).get("0"), &JsValue::Undefined);
    assert_eq!(s("abc").get("length"), &JsValue::Undefined);
    assert!(object.get("b").is_nullish());
    assert!(!object.get("a").is_nullish());
}
