//! How the multiplexer's model table consults and informs the fleet: which models to pass
//! over at selection, and which facts and counts an outcome yields.
//!
//! The table ([`crate::registry::Registry`]) holds a [`FleetHook`] only when the caller
//! configured `sharedState`; without one, selection and outcomes are exactly the original's.
//! The I/O behind [`FleetGate`] (the `bmm-fleet` crate) never waits for Redis, so the hook
//! adds no round trip to a request.

use std::collections::HashMap;

use super::record::{whole_ms, BreakerFact, Counter, Fact};
use crate::breaker::{BreakerState, BreakerStatus};
use crate::outcome::OutcomeType;
use crate::Millis;

/// The fleet as the model table sees it. Every method reads or writes a local view: none
/// waits for Redis, and while the fleet is unreachable they answer as if it were absent.
pub trait FleetGate: std::fmt::Debug + Send {
    /// Whether the fleet says to pass `model_id` over (its breaker open or its throttle
    /// cooldown running elsewhere in the fleet).
    fn skips(&self, model_id: &str, now: Millis) -> bool;
    /// Whether one request may go to `model_id` under its quota; admitting spends a permit.
    fn admits(&self, model_id: &str, now: Millis) -> bool;
    fn record(&self, model_id: &str, fact: Fact, now: Millis);
    fn count(&self, model_id: &str, counter: Counter, delta: i64, now: Millis);
    /// Spends `tokens` of the model's token quota (after the fact: the bucket may go below zero).
    fn charge_tokens(&self, model_id: &str, tokens: f64, now: Millis);
}

/// A response's `usage`, as JavaScript's `Number()` read its two fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    pub input_tokens: f64,
    pub output_tokens: f64,
}

impl Usage {
    /// What the quota counts: input plus output tokens, a field that is not a number
    /// counting none (the JS SDK leaves a field out when Bedrock does).
    pub fn tokens(&self) -> f64 {
        let known = |n: f64| if n.is_finite() && n > 0.0 { n } else { 0.0 };
        known(self.input_tokens) + known(self.output_tokens)
    }
}

/// The fleet's part in a model table: the gate, and what the table last told it.
#[derive(Debug)]
pub struct FleetHook {
    gate: Box<dyn FleetGate>,
    /// How long a throttled model is skipped fleet-wide.
    throttle_cooldown_ms: u64,
    /// Each model's breaker state as last published, so only transitions are recorded.
    published: HashMap<String, BreakerState>,
}

impl FleetHook {
    pub fn new(gate: Box<dyn FleetGate>, throttle_cooldown_ms: u64) -> Self {
        Self {
            gate,
            throttle_cooldown_ms,
            published: HashMap::new(),
        }
    }

    pub fn skips(&self, model_id: &str, now: Millis) -> bool {
        self.gate.skips(model_id, now)
    }

    pub fn admits(&self, model_id: &str, now: Millis) -> bool {
        self.gate.admits(model_id, now)
    }

    /// An outcome the table recorded, with the model's breaker as it is after it: counts
    /// it, publishes a throttle cooldown for a rate limit, and the breaker's transition if
    /// it made one.
    pub fn outcome(
        &mut self,
        model_id: &str,
        kind: Option<OutcomeType>,
        breaker: BreakerStatus,
        now: Millis,
    ) {
        let gate = &self.gate;
        gate.count(model_id, Counter::Requests, 1, now);
        let counter = match kind {
            Some(OutcomeType::Success) => Counter::Successes,
            Some(OutcomeType::RateLimit) => Counter::Throttles,
            _ => Counter::Failures,
        };
        gate.count(model_id, counter, 1, now);
        if kind == Some(OutcomeType::RateLimit) {
            let until = whole_ms(now) + self.throttle_cooldown_ms;
            gate.record(model_id, Fact::Throttled { until }, now);
        }
        let before = self
            .published
            .insert(model_id.to_owned(), breaker.state)
            .unwrap_or(BreakerState::Closed);
        if before != breaker.state {
            gate.record(model_id, Fact::Breaker(breaker_fact(&breaker)), now);
        }
    }

    /// The `usage` of a response the model served (reported with its outcome, or at the end
    /// of a stream): charged to its token quota and counted fleet-wide.
    pub fn charge_usage(&self, model_id: &str, usage: Usage, now: Millis) {
        let tokens = usage.tokens();
        if tokens > 0.0 {
            self.gate.charge_tokens(model_id, tokens, now);
            self.gate
                .count(model_id, Counter::Tokens, tokens as i64, now);
        }
    }

    /// A model left the table: its breaker starts closed if it comes back.
    pub fn forget(&mut self, model_id: &str) {
        self.published.remove(model_id);
    }
}

fn breaker_fact(breaker: &BreakerStatus) -> BreakerFact {
    match breaker.state {
        BreakerState::Open => BreakerFact::Opened {
            open_until: breaker.next_retry_at.map_or(0, whole_ms),
        },
        BreakerState::HalfOpen => BreakerFact::HalfOpen,
        BreakerState::Closed => BreakerFact::Closed,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Records what the hook sends, skipping and admitting nothing.
    #[derive(Debug, Default, Clone)]
    struct Recorder {
        facts: Arc<Mutex<Vec<(String, Fact)>>>,
        counts: Arc<Mutex<Vec<(Counter, i64)>>>,
        charges: Arc<Mutex<Vec<f64>>>,
    }

    impl FleetGate for Recorder {
        fn skips(&self, _: &str, _: Millis) -> bool {
            false
        }
        fn admits(&self, _: &str, _: Millis) -> bool {
            true
        }
        fn record(&self, model_id: &str, fact: Fact, _: Millis) {
            self.facts.lock().unwrap().push((model_id.to_owned(), fact));
        }
        fn count(&self, _: &str, counter: Counter, delta: i64, _: Millis) {
            self.counts.lock().unwrap().push((counter, delta));
        }
        fn charge_tokens(&self, _: &str, tokens: f64, _: Millis) {
            self.charges.lock().unwrap().push(tokens);
        }
    }

    fn status(state: BreakerState, next_retry_at: Option<Millis>) -> BreakerStatus {
        BreakerStatus {
            state,
            failure_count: 0,
            success_count: 0,
            last_opened_at: None,
            next_retry_at,
        }
    }

    #[test]
    fn a_rate_limit_publishes_a_cooldown_and_counts_a_throttle() {
        let recorder = Recorder::default();
        let mut hook = FleetHook::new(Box::new(recorder.clone()), 5000);
        let closed = status(BreakerState::Closed, None);
        hook.outcome("m", Some(OutcomeType::RateLimit), closed, 1000.0);
        assert_eq!(
            *recorder.facts.lock().unwrap(),
            vec![("m".to_owned(), Fact::Throttled { until: 6000 })]
        );
        assert_eq!(
            *recorder.counts.lock().unwrap(),
            vec![(Counter::Requests, 1), (Counter::Throttles, 1)]
        );
    }

    #[test]
    fn only_breaker_transitions_are_published() {
        let recorder = Recorder::default();
        let mut hook = FleetHook::new(Box::new(recorder.clone()), 5000);
        let open = status(BreakerState::Open, Some(61_000.0));
        hook.outcome("m", Some(OutcomeType::FailFast), open, 1000.0);
        hook.outcome("m", Some(OutcomeType::FailFast), open, 1001.0);
        hook.outcome(
            "m",
            Some(OutcomeType::Success),
            status(BreakerState::Closed, None),
            70_000.0,
        );
        let facts: Vec<Fact> = recorder
            .facts
            .lock()
            .unwrap()
            .iter()
            .map(|(_, f)| f.clone())
            .collect();
        assert_eq!(
            facts,
            vec![
                Fact::Breaker(BreakerFact::Opened { open_until: 61_000 }),
                Fact::Breaker(BreakerFact::Closed),
            ]
        );
    }

    #[test]
    fn usage_charges_input_plus_output_tokens_and_counts_them() {
        let recorder = Recorder::default();
        let hook = FleetHook::new(Box::new(recorder.clone()), 5000);
        let usage = |input_tokens, output_tokens| Usage {
            input_tokens,
            output_tokens,
        };
        hook.charge_usage("m", usage(1000.0, 500.0), 1.0);
        hook.charge_usage("m", usage(f64::NAN, 7.0), 1.0);
        hook.charge_usage("m", usage(0.0, f64::NAN), 1.0);
        assert_eq!(*recorder.charges.lock().unwrap(), vec![1500.0, 7.0]);
        assert_eq!(
            *recorder.counts.lock().unwrap(),
            vec![(Counter::Tokens, 1500), (Counter::Tokens, 7)]
        );
    }
}
