//! Requests in flight per model, for `routing: 'least-busy'`, and the load-aware
//! rules' view of every model (`getStats().routing`).
//!
//! A request holds a model from the selection it goes on with until that attempt ends,
//! whatever ends it (an outcome, a failover, a timeout, a cancellation, a throw before
//! any outcome): its driver releases what it holds exactly once. Reporting an outcome
//! does not release, so an escalation's second outcome or a served stream's late failure
//! cannot release another request's hold, and a caller's own `selectModel` holds nothing.

use super::{ModelEntry, Registry};
use crate::routing::{Load, Routing};

impl Registry {
    /// A request goes on with `model_id`: one more in flight.
    pub fn hold_selection(&mut self, model_id: &str) {
        if let Some(entry) = self.entry_mut(model_id) {
            entry.load.started();
        }
    }

    /// The attempt that held `model_id` ended: one fewer in flight.
    pub fn release_selection(&mut self, model_id: &str) {
        if let Some(entry) = self.entry_mut(model_id) {
            entry.load.finished();
        }
    }

    /// Each model's latency estimate and requests in flight, primary pool first, in
    /// insertion order; `None` with the default `'weighted'` routing, which reads neither.
    pub fn routing_loads(&self) -> Option<Vec<(&str, Load)>> {
        if self.routing == Routing::Weighted {
            return None;
        }
        let entries = self.primary.iter().chain(self.fallback.iter());
        Some(
            entries
                .map(|(model_id, entry)| (model_id, entry.load))
                .collect(),
        )
    }

    fn entry_mut(&mut self, model_id: &str) -> Option<&mut ModelEntry> {
        match self.primary.get_mut(model_id) {
            Some(entry) => Some(entry),
            None => self.fallback.get_mut(model_id),
        }
    }
}
