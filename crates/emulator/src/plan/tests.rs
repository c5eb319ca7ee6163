use super::*;

fn plan(json: &str) -> ModelPlan {
    ModelPlan::new(Behavior::from_json(json).unwrap(), false).unwrap()
}

fn outcomes(plan: &ModelPlan, n: usize, tier: Option<&str>) -> Vec<&'static str> {
    (0..n)
        .map(|_| {
            let (d, f) = plan.decide(Operation::Converse, tier);
            d.label(f)
        })
        .collect()
}

#[test]
fn fail_first_then_succeed() {
    let p = plan(r#"{"fault":"throttle","failFirst":2}"#);
    assert_eq!(outcomes(&p, 4, None), ["throttle", "throttle", "ok", "ok"]);
}

#[test]
fn fault_every_nth() {
    let p = plan(r#"{"fault":"unavailable","faultEvery":3}"#);
    assert_eq!(
        outcomes(&p, 6, None),
        ["ok", "ok", "unavailable", "ok", "ok", "unavailable"]
    );
}

#[test]
fn probability_is_reproducible_and_roughly_right() {
    let a = plan(r#"{"fault":"internalError","faultProbability":0.3,"seed":42}"#);
    let b = plan(r#"{"fault":"internalError","faultProbability":0.3,"seed":42}"#);
    let xs = outcomes(&a, 2000, None);
    assert_eq!(xs, outcomes(&b, 2000, None));
    let faults = xs.iter().filter(|o| **o != "ok").count();
    assert!((500..700).contains(&faults), "{faults}");
    let c = plan(r#"{"fault":"internalError","faultProbability":0.3,"seed":43}"#);
    assert_ne!(xs, outcomes(&c, 2000, None));
}

#[test]
fn tiers_filter_and_do_not_count() {
    let p = plan(r#"{"fault":"throttle","failFirst":1,"faultTiers":["default"]}"#);
    assert_eq!(outcomes(&p, 2, Some("priority")), ["ok", "ok"]);
    assert_eq!(outcomes(&p, 2, None), ["throttle", "ok"]);
}

#[test]
fn sequence_then_ok() {
    let p = plan(r#"{"sequence":["ok","modelNotReady","truncatedBody"]}"#);
    assert_eq!(
        outcomes(&p, 5, None),
        ["ok", "modelNotReady", "truncatedBody", "ok", "ok"]
    );
}

#[test]
fn stream_error_only_counts_streams() {
    let p = plan(
        r#"{"streamErrorAfter":{"events":2,"exception":"throttlingException"},"failFirst":1}"#,
    );
    assert_eq!(p.decide(Operation::Converse, None).0, Decision::Serve);
    assert!(matches!(
        p.decide(Operation::ConverseStream, None).0,
        Decision::StreamBreak { events: 2, .. }
    ));
    assert_eq!(p.decide(Operation::ConverseStream, None).0, Decision::Serve);
}

#[test]
fn custom_message_and_default_stop_reason() {
    let p = plan(r#"{"fault":"accessDenied","faultMessage":"nope"}"#);
    assert_eq!(
        p.decide(Operation::Converse, None).0,
        Decision::Error(ErrorKind::AccessDeniedException, "nope".into())
    );
    let t = plan(r#"{"content":[{"toolUse":{"toolUseId":"a","name":"b","input":{}}}]}"#);
    assert_eq!(t.stop_reason_json(), "\"tool_use\"");
}
