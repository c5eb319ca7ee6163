use super::*;
use crate::request::{ErrorFacts, ErrorOutcome};
use crate::validate::ModelSpec;

fn registry(models: &[(&str, f64, bool)]) -> Registry {
    let mut registry = Registry::new();
    for &(model_id, weight, is_fallback) in models {
        registry.add_model(&ModelSpec {
            model_id: model_id.into(),
            weight,
            is_fallback,
        });
    }
    registry
}

fn draws(values: &[f64]) -> (impl FnMut() -> f64, std::rc::Rc<std::cell::Cell<usize>>) {
    let values = values.to_vec();
    let count = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = std::rc::Rc::clone(&count);
    let draw = move || {
        let i = counter.get();
        counter.set(i + 1);
        values[i % values.len()]
    };
    (draw, count)
}

#[test]
fn runs_from_the_start_to_the_invocation_with_the_same_draws_as_a_select() {
    let mut reg = registry(&[("a", 1.0, false), ("b", 3.0, false)]);
    let mut machine = RequestMachine::new(3.0);
    let (mut draw, count) = draws(&[0.5]);
    let looked_up = advance(&mut machine, &mut reg, 1_000.0, Some(&mut draw), None);
    // 0.5 of a total weight 4 falls in b's share (1..4).
    assert_eq!(looked_up, reg.slot("b"));
    assert_eq!(looked_up, Some(Slot(1)));
    assert_eq!(
        machine.action(),
        &Action::Invoke {
            model_id: "b".into()
        }
    );
    assert_eq!(count.get(), 1);
}

/// A one-model request driven to its invocation, then answered (42 ms, at 1,050).
fn answered(check_refusal: bool) -> (Registry, RequestMachine) {
    let mut reg = registry(&[("a", 1.0, false)]);
    let mut machine = RequestMachine::new(3.0);
    let (mut draw, _) = draws(&[0.1]);
    advance(&mut machine, &mut reg, 1_000.0, Some(&mut draw), None);
    machine.invoked(check_refusal);
    let response = ResponseOutcome {
        model_id: "a".into(),
        latency: 42.0,
        usage: None,
    };
    advance(
        &mut machine,
        &mut reg,
        1_050.0,
        Some(&mut draw),
        Some(response),
    );
    (reg, machine)
}

#[test]
fn reports_the_response_and_ends_the_request() {
    let (mut reg, machine) = answered(false);
    assert_eq!(machine.action(), &Action::Return);
    let stats = reg.stats();
    assert_eq!(stats.success_count, 1);
    assert_eq!(stats.latency.max, 42.0);
    assert_eq!(
        reg.model_health("a", 1_050.0).unwrap().last_success_at,
        Some(1_050.0)
    );
}

#[test]
fn leaves_refusal_checks_to_the_driver() {
    let (reg, machine) = answered(true);
    assert_eq!(
        machine.action(),
        &Action::Classify {
            model_id: "a".into()
        }
    );
    assert_eq!(
        reg.stats().success_count,
        0,
        "a response counts once it is classified"
    );
}

#[test]
fn stops_at_a_report_it_has_no_response_for() {
    let mut reg = registry(&[("a", 1.0, false)]);
    let mut machine = RequestMachine::new(3.0);
    let (mut draw, _) = draws(&[0.1]);
    advance(&mut machine, &mut reg, 1_000.0, Some(&mut draw), None);
    machine.invoked(false);
    advance(&mut machine, &mut reg, 1_000.0, Some(&mut draw), None);
    assert_eq!(
        machine.action(),
        &Action::Report {
            outcome: ReportedOutcome::FromResponse
        }
    );
    assert_eq!(reg.stats().success_count, 0);
}

#[test]
fn skips_open_circuits_and_fails_when_nothing_is_left() {
    let mut reg = registry(&[("a", 1.0, false), ("b", 1.0, true)]);
    reg.breaker("a")
        .unwrap()
        .lock()
        .unwrap()
        .force_open(1_000.0);
    let mut machine = RequestMachine::new(3.0);
    let (mut draw, count) = draws(&[0.9]);
    let looked_up = advance(&mut machine, &mut reg, 1_000.0, Some(&mut draw), None);
    assert_eq!(
        machine.action(),
        &Action::Invoke {
            model_id: "b".into()
        }
    );
    assert_eq!(looked_up, reg.slot("b"));
    assert_eq!(count.get(), 1, "the empty primary pool costs no draw");

    // b fails with an outcome that moves on: nothing is left to select.
    machine.failed(ErrorFacts {
        outcome: Some(ErrorOutcome {
            model_id: "b".into(),
            kind: Some(OutcomeType::RateLimit),
        }),
        ..ErrorFacts::default()
    });
    assert_eq!(
        machine.action(),
        &Action::EmitInvocationComplete {
            model_id: "b".into()
        }
    );
    machine.done();
    assert!(matches!(
        machine.action(),
        Action::Report {
            outcome: ReportedOutcome::FromError
        }
    ));
    machine.done();
    advance(&mut machine, &mut reg, 1_000.0, Some(&mut draw), None);
    assert_eq!(
        machine.action(),
        &Action::ConsultEscalation {
            model_id: "b".into()
        },
        "the driver reads the setting"
    );
    machine.escalation_tier(None);
    advance(&mut machine, &mut reg, 1_000.0, Some(&mut draw), None);
    assert_eq!(
        machine.action(),
        &Action::FailNoModels {
            skipped: vec!["b".into()]
        }
    );
}

#[test]
fn leaves_a_selection_without_draws_to_the_driver() {
    let mut reg = registry(&[("a", 1.0, false)]);
    let mut machine = RequestMachine::new(3.0);
    let looked_up = advance(&mut machine, &mut reg, 1_000.0, None, None);
    assert!(matches!(machine.action(), Action::Select { .. }));
    assert_eq!(looked_up, None);
}

#[test]
fn a_model_removed_meanwhile_is_skipped_and_another_selected() {
    let mut reg = registry(&[("a", 1.0, false), ("b", 1.0, false)]);
    let mut machine = RequestMachine::new(3.0);
    machine.selected(Some("gone".into()), 0.0);
    let (mut draw, _) = draws(&[0.1]);
    let looked_up = advance(&mut machine, &mut reg, 1_000.0, Some(&mut draw), None);
    assert_eq!(
        machine.action(),
        &Action::Invoke {
            model_id: "a".into()
        }
    );
    assert_eq!(
        looked_up,
        reg.slot("a"),
        "the model found, not the one missing"
    );
}

#[test]
fn a_quiet_request_holds_its_model_in_flight_until_its_success_is_reported() {
    let mut registry = Registry::new();
    registry.set_routing(crate::routing::Routing::LeastBusy);
    registry.add_model(&ModelSpec {
        model_id: "a".into(),
        weight: 1.0,
        is_fallback: false,
    });
    let mut machine = RequestMachine::new(3.0);
    let mut zero = || 0.0;
    advance(&mut machine, &mut registry, 0.0, Some(&mut zero), None);
    assert_eq!(registry.entry("a").unwrap().load.in_flight, 1);
    machine.invoked(false);
    let response = ResponseOutcome {
        model_id: "a".into(),
        latency: 5.0,
        usage: None,
    };
    advance(&mut machine, &mut registry, 0.0, None, Some(response));
    assert_eq!(machine.action(), &Action::Return);
    assert_eq!(registry.entry("a").unwrap().load.in_flight, 0);
    // Released exactly once: nothing is left for the driver to release.
    assert_eq!(machine.hold_in_flight(None), None);
}
