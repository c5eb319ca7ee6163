//! Whether the fleet is reachable, and the one event each change of that is reported as.
//!
//! Every Redis call's outcome is fed in; only a change is reported: `FAILURES_TO_DEGRADE`
//! failed calls in a row after being up (or the first failure at start) are `Degraded`, the
//! first full refresh after being degraded is `Restored`. A flapping link therefore reports
//! each transition once, never each error, and one late reply on a loaded machine (a single
//! 250 ms timeout, the next call answered) is not an outage: it takes two calls failing back
//! to back (at least twice the call timeout, or a refused connection retried at once).

/// A change in reachability, reported once per transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// Redis failed or timed out: decide alone (local breakers and quotas) until restored.
    Degraded { reason: String },
    /// A full refresh succeeded again: the fleet view is back and current.
    Restored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Started, nothing known yet: the first success is not a restoration.
    Starting,
    Up,
    Degraded,
}

/// Failed calls in a row that make an instance that was up decide alone.
pub const FAILURES_TO_DEGRADE: u32 = 2;

#[derive(Debug, Clone)]
pub struct Link {
    state: State,
    /// Calls failed since the last one answered.
    failures_in_a_row: u32,
}

impl Default for Link {
    fn default() -> Self {
        Self {
            state: State::Starting,
            failures_in_a_row: 0,
        }
    }
}

impl Link {
    /// Whether the fleet view and shared quotas may be used.
    pub fn is_up(&self) -> bool {
        self.state == State::Up
    }

    /// Whether Redis is known unreachable (not merely not yet reached).
    pub fn is_degraded(&self) -> bool {
        self.state == State::Degraded
    }

    /// A Redis call answered: a failure before it was not the start of an outage.
    pub fn answered(&mut self) {
        self.failures_in_a_row = 0;
    }

    /// A Redis call failed or timed out.
    pub fn failed(&mut self, reason: impl Into<String>) -> Option<LinkEvent> {
        self.failures_in_a_row = self.failures_in_a_row.saturating_add(1);
        let outage = self.state == State::Starting || self.failures_in_a_row >= FAILURES_TO_DEGRADE;
        (self.state != State::Degraded && outage).then(|| {
            self.state = State::Degraded;
            LinkEvent::Degraded {
                reason: reason.into(),
            }
        })
    }

    /// A full refresh succeeded.
    pub fn refreshed(&mut self) -> Option<LinkEvent> {
        self.failures_in_a_row = 0;
        let was = std::mem::replace(&mut self.state, State::Up);
        (was == State::Degraded).then_some(LinkEvent::Restored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_transition_is_reported_once() {
        let mut link = Link::default();
        assert!(!link.is_up() && !link.is_degraded());
        assert_eq!(link.refreshed(), None, "starting up is not a restoration");
        assert!(link.is_up());
        assert_eq!(link.failed("timeout"), None, "one failure is not an outage");
        assert!(link.is_up());
        assert!(matches!(
            link.failed("timeout again"),
            Some(LinkEvent::Degraded { .. })
        ));
        assert_eq!(link.failed("and again"), None);
        assert!(!link.is_up() && link.is_degraded());
        assert_eq!(link.refreshed(), Some(LinkEvent::Restored));
        assert_eq!(link.refreshed(), None);
    }

    #[test]
    fn a_failure_between_answers_never_degrades() {
        let mut link = Link::default();
        link.refreshed();
        for _ in 0..10 {
            assert_eq!(link.failed("one late reply"), None);
            link.answered();
        }
        assert!(link.is_up());
    }

    #[test]
    fn failing_at_start_is_degraded_once() {
        let mut link = Link::default();
        assert!(link.failed("refused").is_some());
        assert!(link.failed("refused").is_none());
        assert_eq!(link.refreshed(), Some(LinkEvent::Restored));
    }
}
