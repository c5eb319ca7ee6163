//! The local copy of the fleet state: merged from the subscription and refreshes, read by selection.
//!
//! Merging is last-writer-wins per register by [`Stamp`](super::Stamp), so it is idempotent
//! (a transition seen twice, by message and by refresh, changes nothing the second time) and
//! does not depend on arrival order. The view trusts itself only while fresh: refreshed
//! within its staleness bound.

use std::collections::HashMap;

use super::record::{split_field, BreakerFact, Counter, Fact, Transition};
use crate::breaker::BreakerState;

/// How long a view stays trusted after its last full refresh, in milliseconds.
pub const DEFAULT_STALENESS_MS: u64 = 1000;

/// Why the fleet says not to send to a model now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Some instance's breaker opened it until then (the original's circuit-open skip).
    CircuitOpen { until: u64 },
    /// Some instance saw it throttle; its cooldown ends then.
    Throttled { until: u64 },
}

/// A model's breaker as the fleet last saw it, for `getCircuitBreakerStatus()`'s fleet view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FleetBreaker {
    pub state: BreakerState,
    pub opened_at: Option<u64>,
    pub next_retry_at: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct FleetView {
    staleness_ms: u64,
    /// The latest transition per `{prefix}state` field.
    registers: HashMap<String, Transition>,
    /// Fleet totals as of the last refresh.
    counters: HashMap<(String, Counter), i64>,
    synced_at: Option<u64>,
}

impl FleetView {
    pub fn new(staleness_ms: u64) -> Self {
        Self {
            staleness_ms,
            registers: HashMap::new(),
            counters: HashMap::new(),
            synced_at: None,
        }
    }

    pub fn staleness_ms(&self) -> u64 {
        self.staleness_ms
    }

    /// Takes in one transition, local or remote. Returns whether the view changed.
    pub fn merge(&mut self, transition: Transition) -> bool {
        let field = transition.field();
        match self.registers.get(&field) {
            Some(current) if !transition.supersedes(current) => false,
            _ => {
                self.registers.insert(field, transition);
                true
            }
        }
    }

    /// Takes in a full read of `{prefix}state` and `{prefix}counters` made at `now`. The
    /// transitions are merged (a local one not yet published is kept if newer); the counters
    /// are the fleet's totals and replace the previous ones. Values that do not parse are
    /// ignored. Facts no longer live are dropped.
    pub fn apply_snapshot<'a>(
        &mut self,
        state: impl IntoIterator<Item = &'a str>,
        counters: impl IntoIterator<Item = (&'a str, i64)>,
        now: u64,
    ) {
        for transition in state.into_iter().filter_map(Transition::decode) {
            self.merge(transition);
        }
        self.registers.retain(|_, t| t.fact.is_live(now));
        self.counters = counters
            .into_iter()
            .filter_map(|(field, value)| {
                let (name, model_id) = split_field(field)?;
                Some(((model_id.to_owned(), Counter::from_name(name)?), value))
            })
            .collect();
        self.synced_at = Some(now);
    }

    /// When the last full refresh was applied (ms since the epoch), if one was.
    pub fn refreshed_at(&self) -> Option<u64> {
        self.synced_at
    }

    /// Whether the view may be used at `now`: refreshed within the staleness bound.
    pub fn is_fresh(&self, now: u64) -> bool {
        self.synced_at
            .is_some_and(|at| now.saturating_sub(at) <= self.staleness_ms)
    }

    /// When the background refresh should next run: at half the bound, so a live instance
    /// never goes stale.
    pub fn refresh_due_at(&self) -> u64 {
        self.synced_at.map_or(0, |at| at + self.staleness_ms / 2)
    }

    /// Whether the fleet says to skip `model_id` at `now`, and until when.
    pub fn skip(&self, model_id: &str, now: u64) -> Option<Skip> {
        if let Some(breaker) = self.breaker(model_id, now) {
            if let (BreakerState::Open, Some(until)) = (breaker.state, breaker.next_retry_at) {
                return Some(Skip::CircuitOpen { until });
            }
        }
        match self.fact(model_id, "throttle") {
            Some(Fact::Throttled { until }) if *until > now => {
                Some(Skip::Throttled { until: *until })
            }
            _ => None,
        }
    }

    /// The fleet's breaker for `model_id` at `now`, evaluated lazily like a local one: an
    /// opening whose time has passed reads as half-open.
    pub fn breaker(&self, model_id: &str, now: u64) -> Option<FleetBreaker> {
        let transition = self
            .registers
            .get(&super::record::field("breaker", model_id))?;
        let at = transition.stamp.at;
        Some(match transition.fact {
            Fact::Breaker(BreakerFact::Opened { open_until }) => FleetBreaker {
                state: if now < open_until {
                    BreakerState::Open
                } else {
                    BreakerState::HalfOpen
                },
                opened_at: Some(at),
                next_retry_at: Some(open_until),
            },
            Fact::Breaker(BreakerFact::HalfOpen) => FleetBreaker {
                state: BreakerState::HalfOpen,
                opened_at: None,
                next_retry_at: None,
            },
            _ => FleetBreaker {
                state: BreakerState::Closed,
                opened_at: None,
                next_retry_at: None,
            },
        })
    }

    /// A fleet total as of the last refresh (0 when never counted).
    pub fn counter(&self, model_id: &str, counter: Counter) -> i64 {
        self.counters
            .get(&(model_id.to_owned(), counter))
            .copied()
            .unwrap_or(0)
    }

    fn fact(&self, model_id: &str, register: &str) -> Option<&Fact> {
        self.registers
            .get(&super::record::field(register, model_id))
            .map(|t| &t.fact)
    }
}

#[cfg(test)]
mod tests;
