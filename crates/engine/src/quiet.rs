//! The steps of a request that need nothing of the driver while nobody is watching.
//!
//! When a multiplexer has no event listeners and its delegate methods are its own,
//! four kinds of step are pure registry work: selecting a model, looking it up,
//! emitting an event (to no one) and reporting the outcome of the response just
//! received. [`advance`] performs them in one go and stops at the first step that
//! needs the driver (an invocation, a classification, an error's report, the end),
//! which saves the driver one boundary crossing per step. Nothing is reordered: the
//! machine's steps run in its order, some here and the rest in the driver.

use crate::fleet::Usage;
use crate::outcome::OutcomeType;
use crate::registry::{Registry, Slot};
use crate::request::{Action, ReportedOutcome, RequestMachine};
use crate::Millis;

/// The outcome of the response the driver just received, for a `Report` of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseOutcome {
    pub model_id: String,
    pub latency: f64,
    /// The response's `usage`, read only in a fleet (for its token quota).
    pub usage: Option<Usage>,
}

/// Performs the machine's next steps on `registry` while they need no driver.
/// `draw` is JavaScript's `Math.random` for a selection (without it, a selection is
/// left to the driver); `response` is consumed by the first report of the latest
/// response's outcome. Returns the slot of the model it looked up last, if it did:
/// the one an `Invoke` it stopped at invokes.
pub fn advance(
    machine: &mut RequestMachine,
    registry: &mut Registry,
    now: Millis,
    mut draw: Option<&mut dyn FnMut() -> f64>,
    mut response: Option<ResponseOutcome>,
) -> Option<Slot> {
    let mut looked_up = None;
    loop {
        match machine.action() {
            Action::Select { skipped } => {
                let Some(draw) = draw.as_mut() else {
                    return looked_up;
                };
                let skipped = skipped.clone();
                let selection =
                    registry.select(&|id: &str| skipped.iter().any(|s| s == id), now, draw);
                if let Some(model_id) = &selection.model_id {
                    registry.hold_selection(model_id);
                }
                if let Some(previous) = machine.hold_in_flight(selection.model_id.clone()) {
                    registry.release_selection(&previous);
                }
                machine.selected(selection.model_id, now);
            }
            Action::GetModel { model_id } => {
                looked_up = registry.slot(model_id);
                machine.model_found(looked_up.is_some());
            }
            Action::EmitInvocationStart { .. } | Action::EmitInvocationComplete { .. } => {
                machine.done()
            }
            Action::Report {
                outcome: ReportedOutcome::FromResponse,
            } => {
                let Some(outcome) = response.take() else {
                    return looked_up;
                };
                registry.report_outcome(
                    &outcome.model_id,
                    OutcomeType::Success,
                    outcome.latency,
                    now,
                );
                if let Some(usage) = outcome.usage {
                    registry.charge_usage(&outcome.model_id, usage, now);
                }
                // The request ends here (`return`): its attempt no longer holds the model.
                if let Some(held) = machine.hold_in_flight(None) {
                    registry.release_selection(&held);
                }
                machine.done();
            }
            _ => return looked_up,
        }
    }
}

#[cfg(test)]
mod tests;
