use super::*;

fn section(pairs: &[(&str, JsValue)]) -> JsValue {
    JsValue::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn error_fields(section: &JsValue) -> Vec<String> {
    let mut errors = Vec::new();
    validate_hedging(section, &mut errors);
    errors.into_iter().map(|e| e.field).collect()
}

#[test]
fn a_fixed_delay_or_a_named_percentile_is_accepted() {
    let fixed = section(&[("afterMs", JsValue::Number(250.0))]);
    assert_eq!(error_fields(&fixed), Vec::<String>::new());
    assert_eq!(
        hedge_policy(&fixed),
        Some(HedgePolicy {
            after: HedgeAfter::Fixed(250.0),
            max_hedges: 1
        })
    );
    let p95 = section(&[
        ("afterMs", JsValue::String("p95".into())),
        ("maxHedges", JsValue::Number(2.0)),
    ]);
    assert_eq!(
        hedge_policy(&p95),
        Some(HedgePolicy {
            after: HedgeAfter::Percentile(0.95),
            max_hedges: 2
        })
    );
}

#[test]
fn each_bad_setting_is_named_by_its_path() {
    assert_eq!(error_fields(&section(&[])), ["hedging.afterMs"]);
    for bad in [
        JsValue::String("p50".into()),
        JsValue::Number(0.0),
        JsValue::Number(1.5),
        JsValue::Number(400000.0),
        JsValue::Bool(true),
    ] {
        assert_eq!(
            error_fields(&section(&[("afterMs", bad.clone())])),
            ["hedging.afterMs"],
            "{bad:?}"
        );
        assert_eq!(hedge_policy(&section(&[("afterMs", bad)])), None);
    }
    for bad in [
        JsValue::Number(0.0),
        JsValue::Number(4.0),
        JsValue::String("1".into()),
    ] {
        let config = section(&[("afterMs", JsValue::Number(10.0)), ("maxHedges", bad)]);
        assert_eq!(error_fields(&config), ["hedging.maxHedges"]);
    }
}

#[test]
fn the_message_names_what_afterms_may_be() {
    let mut errors = Vec::new();
    validate_hedging(
        &section(&[("afterMs", JsValue::String("p50".into()))]),
        &mut errors,
    );
    assert_eq!(
        errors[0].message,
        "hedging.afterMs must be a number of milliseconds or 'p90', 'p95' or 'p99'"
    );
    assert_eq!(errors[0].actual.as_deref(), Some("p50"));
}
