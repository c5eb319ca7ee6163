//! Whether the fleet is reachable, and the one event each change of that is reported as.
//!
//! Every Redis call's outcome is fed in; only a change is reported: the first failure after
//! being up (or at start) is `Degraded`, the first full refresh after being degraded is
//! `Restored`. A flapping link therefore reports each transition once, never each error.

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

#[derive(Debug, Clone)]
pub struct Link {
    state: State,
}

impl Default for Link {
    fn default() -> Self {
        Self {
            state: State::Starting,
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

    /// A Redis call failed or timed out.
    pub fn failed(&mut self, reason: impl Into<String>) -> Option<LinkEvent> {
        (self.state != State::Degraded).then(|| {
            self.state = State::Degraded;
            LinkEvent::Degraded {
                reason: reason.into(),
            }
        })
    }

    /// A full refresh succeeded.
    pub fn refreshed(&mut self) -> Option<LinkEvent> {
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
        assert!(matches!(
            link.failed("timeout"),
            Some(LinkEvent::Degraded { .. })
        ));
        assert_eq!(link.failed("timeout again"), None);
        assert!(!link.is_up() && link.is_degraded());
        assert_eq!(link.refreshed(), Some(LinkEvent::Restored));
        assert_eq!(link.refreshed(), None);
    }

    #[test]
    fn failing_at_start_is_degraded_once() {
        let mut link = Link::default();
        assert!(link.failed("refused").is_some());
        assert!(link.failed("refused").is_none());
        assert_eq!(link.refreshed(), Some(LinkEvent::Restored));
    }
}
