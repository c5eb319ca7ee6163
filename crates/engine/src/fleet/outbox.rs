//! What a local instance publishes: its transitions and counter deltas, off the request path.
//!
//! Recording is a map insert. A transition (a breaker or a throttle changing) is news the
//! others act on, so a batch holding one is due at once; counter deltas are bookkeeping and
//! wait up to `counter_delay_ms` to ride along. While one batch is being published the next
//! accumulates, so a burst of transitions still goes out in few round trips. Only the latest
//! transition per register is kept, so a batch held back while Redis is away stays as small
//! as the number of models, and what is published on return is the latest state, not history.
//!
//! Counters are added exactly once: every batch carries an id (this instance's own
//! sequence), and a batch whose publish failed may still have run on the server (a reply
//! lost to a timeout), so it is sent again as it was, same id, before anything newer; the
//! publish script skips an id it has already applied for this instance.

use std::collections::HashMap;

use super::record::{whole_ms, Counter, Fact, Stamp, Transition};
use crate::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxConfig {
    /// The longest a counter delta waits for a batch to ride with.
    pub counter_delay_ms: u64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            counter_delay_ms: 50,
        }
    }
}

/// One publish: transitions to write (if newer) and announce, counter deltas to add.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// This instance's batch sequence, from 1: the publish script applies each id once.
    pub id: u64,
    pub transitions: Vec<Transition>,
    /// `(model id, counter, delta)`.
    pub counters: Vec<(String, Counter, i64)>,
}

#[derive(Debug, Clone)]
pub struct Outbox {
    origin: u64,
    seq: u64,
    config: OutboxConfig,
    transitions: HashMap<String, Transition>,
    counters: HashMap<(String, Counter), i64>,
    oldest_at: Option<u64>,
    batches: u64,
    /// A batch whose publish failed, to send again as it is before anything newer.
    in_doubt: Option<Batch>,
}

impl Outbox {
    /// `origin` is this instance's random id (the shell draws it).
    pub fn new(origin: u64, config: OutboxConfig) -> Self {
        Self {
            origin,
            seq: 0,
            config,
            transitions: HashMap::new(),
            counters: HashMap::new(),
            oldest_at: None,
            batches: 0,
            in_doubt: None,
        }
    }

    pub fn origin(&self) -> u64 {
        self.origin
    }

    /// Stamps a local transition and queues it. The caller merges the returned transition
    /// into its own view too, so the local instance acts on it at once.
    pub fn record(&mut self, model_id: &str, fact: Fact, now: Millis) -> Transition {
        self.seq += 1;
        let transition = Transition {
            model_id: model_id.to_owned(),
            stamp: Stamp {
                at: whole_ms(now),
                origin: self.origin,
                seq: self.seq,
            },
            fact,
        };
        self.transitions
            .insert(transition.field(), transition.clone());
        self.touch(transition.stamp.at);
        transition
    }

    /// Adds to a fleet counter.
    pub fn count(&mut self, model_id: &str, counter: Counter, delta: i64, now: Millis) {
        if delta == 0 {
            return;
        }
        *self
            .counters
            .entry((model_id.to_owned(), counter))
            .or_default() += delta;
        self.touch(whole_ms(now));
    }

    fn touch(&mut self, now: u64) {
        self.oldest_at.get_or_insert(now);
    }

    /// Whether nothing waits to be published.
    pub fn is_empty(&self) -> bool {
        self.oldest_at.is_none() && self.in_doubt.is_none()
    }

    /// When the next batch is due, if anything is pending: at once with a transition or a
    /// batch to send again.
    pub fn due_at(&self) -> Option<u64> {
        if self.in_doubt.is_some() {
            return Some(0);
        }
        let oldest = self.oldest_at?;
        if self.transitions.is_empty() {
            Some(oldest + self.config.counter_delay_ms)
        } else {
            Some(oldest)
        }
    }

    /// The batch to publish at `now`, if one is due. Transitions whose fact no longer matters
    /// (a cooldown already over) are dropped instead of sent.
    pub fn take_due(&mut self, now: Millis) -> Option<Batch> {
        if self.due_at()? > whole_ms(now) {
            return None;
        }
        self.take_all(now)
    }

    /// The next batch, due or not (the last publishes before shutting down): a batch to send
    /// again first, then everything pending.
    pub fn take_all(&mut self, now: Millis) -> Option<Batch> {
        if let Some(batch) = self.in_doubt.take() {
            return Some(batch);
        }
        let now = whole_ms(now);
        self.oldest_at.take()?;
        let mut transitions: Vec<Transition> = self
            .transitions
            .drain()
            .map(|(_, t)| t)
            .filter(|t| t.fact.is_live(now))
            .collect();
        transitions.sort_by_key(|t| t.stamp);
        let counters = self
            .counters
            .drain()
            .map(|((model_id, counter), delta)| (model_id, counter, delta))
            .collect();
        self.batches += 1;
        Some(Batch {
            id: self.batches,
            transitions,
            counters,
        })
    }

    /// Keeps a batch whose publish failed, to send again as it is, before anything newer.
    pub fn failed(&mut self, batch: Batch) {
        self.in_doubt = Some(batch);
    }
}

#[cfg(test)]
mod tests;
