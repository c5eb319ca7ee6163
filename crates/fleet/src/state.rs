//! What the request path (`Fleet`) and the background task (`driver`)
//! share: the local view, outbox and quota gates behind one mutex, the driver's wake-up and
//! the reachability events.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use engine::fleet::quota::QuotaGate;
use engine::fleet::{FleetView, Link, LinkEvent, Outbox};
use tokio::sync::{mpsc, Notify};

/// What the request path and the background task share.
pub(crate) struct State {
    pub view: FleetView,
    pub outbox: Outbox,
    pub quotas: HashMap<String, QuotaGate>,
    pub link: Link,
    /// The subscription was (re)made: messages may have been missed, refresh now.
    pub resubscribed: bool,
}

pub(crate) struct Inner {
    state: Mutex<State>,
    /// Work for the driver: a batch or a quota lease may be due.
    pub wake: Notify,
    events: mpsc::UnboundedSender<LinkEvent>,
}

impl Inner {
    pub fn new(state: State, events: mpsc::UnboundedSender<LinkEvent>) -> Self {
        Self {
            state: Mutex::new(state),
            wake: Notify::new(),
            events,
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        // State stays consistent between statements, so a panic elsewhere leaves it usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reports a reachability change, if the link says there is one.
    pub fn report(&self, event: Option<LinkEvent>) {
        if let Some(event) = event {
            // A closed receiver means nobody listens any more: nothing to report to.
            let _ = self.events.send(event);
        }
    }
}
