//! The handle the request path uses: the local view, outbox and quota gates behind one mutex.

use std::collections::HashMap;
use std::sync::Arc;

use engine::fleet::quota::{Admission, QuotaConfig, QuotaGate};
use engine::fleet::record::whole_ms;
use engine::fleet::view::FleetBreaker;
use engine::fleet::{Counter, Fact, FleetView, Link, LinkEvent, Outbox, Skip};
use engine::Millis;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::config::{FleetConfig, StartError};
use crate::driver::{self, Io};
use crate::state::{Inner, State};

/// One instance's membership in a fleet. Its methods never wait for Redis.
pub struct Fleet {
    inner: Arc<Inner>,
    io: Io,
    /// Held by the one `catch_up` refreshing, so concurrent requests do not each refresh.
    catching_up: tokio::sync::Mutex<()>,
    /// Dropping it (with the `Fleet`) stops the background tasks.
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Fleet {
    /// Starts the background tasks on the current tokio runtime and returns at once, before
    /// anything is connected: until the first refresh succeeds the instance decides alone.
    /// `origin` is this instance's random id: unique in the fleet, new at every start (the
    /// publish script remembers the last batch applied per id). Reachability changes arrive
    /// on the receiver.
    pub fn start(
        config: FleetConfig,
        origin: u64,
    ) -> Result<(Self, mpsc::UnboundedReceiver<LinkEvent>), StartError> {
        // Spawning outside a runtime would panic: say so instead.
        tokio::runtime::Handle::try_current().map_err(|_| StartError::NoRuntime)?;
        let client = config.client()?;
        let (events, receiver) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner::new(
            State {
                view: FleetView::new(config.staleness_ms),
                outbox: Outbox::new(origin, config.outbox),
                quotas: HashMap::new(),
                link: Link::default(),
                resubscribed: false,
            },
            events,
        ));
        let (stop, stopped) = watch::channel(false);
        let (tasks, io) = driver::spawn(client, config, inner.clone(), stopped)?;
        let fleet = Self {
            inner,
            io,
            catching_up: tokio::sync::Mutex::new(()),
            stop,
            tasks,
        };
        Ok((fleet, receiver))
    }

    /// Whether the fleet view is used at `now`: Redis reachable and the view fresh.
    pub fn is_shared(&self, now: Millis) -> bool {
        let state = self.inner.lock();
        shared(&state, whole_ms(now))
    }

    /// Whether [`Fleet::catch_up`] would call Redis at `now`: the view is stale and Redis is
    /// not known unreachable. Lets a caller skip the async call in steady state.
    pub fn needs_catch_up(&self, now: Millis) -> bool {
        let state = self.inner.lock();
        !shared(&state, whole_ms(now)) && !state.link.is_degraded()
    }

    /// Brings a stale view up to date before a selection, as an instance just started or
    /// frozen in between (a Lambda between invocations) must: no Redis call while the view is
    /// fresh or Redis is known unreachable (the driver reconnects with backoff), else one
    /// refresh bounded by the call timeout, made by one caller at a time (the others decide
    /// alone meanwhile rather than wait). Returns whether the fleet view is used now; when
    /// not, the instance decides alone.
    pub async fn catch_up(&self, now: Millis) -> bool {
        {
            let state = self.inner.lock();
            if shared(&state, whole_ms(now)) {
                return true;
            }
            if state.link.is_degraded() {
                return false;
            }
        }
        let Ok(_refreshing) = self.catching_up.try_lock() else {
            return false;
        };
        self.io.refresh().await && self.is_shared(now)
    }

    /// When the view's last full refresh (the background one's or a catch-up's) was applied.
    pub fn refreshed_at(&self) -> Option<u64> {
        self.inner.lock().view.refreshed_at()
    }

    /// Whether the fleet says to skip `model_id`; always `None` while not shared.
    pub fn skip(&self, model_id: &str, now: Millis) -> Option<Skip> {
        let now = whole_ms(now);
        let state = self.inner.lock();
        shared(&state, now)
            .then(|| state.view.skip(model_id, now))
            .flatten()
    }

    /// The fleet's breaker for `model_id`, while shared.
    pub fn breaker(&self, model_id: &str, now: Millis) -> Option<FleetBreaker> {
        let now = whole_ms(now);
        let state = self.inner.lock();
        shared(&state, now)
            .then(|| state.view.breaker(model_id, now))
            .flatten()
    }

    /// A fleet total as of the last refresh, while shared.
    pub fn counter(&self, model_id: &str, counter: Counter, now: Millis) -> Option<i64> {
        let state = self.inner.lock();
        shared(&state, whole_ms(now)).then(|| state.view.counter(model_id, counter))
    }

    /// A local transition: acted on locally at once, published with the next batch.
    pub fn record(&self, model_id: &str, fact: Fact, now: Millis) {
        let mut state = self.inner.lock();
        let transition = state.outbox.record(model_id, fact, now);
        state.view.merge(transition);
        drop(state);
        self.inner.wake.notify_one();
    }

    /// Adds to a fleet counter with the next batch.
    pub fn count(&self, model_id: &str, counter: Counter, delta: i64, now: Millis) {
        let mut state = self.inner.lock();
        let first = state.outbox.is_empty();
        state.outbox.count(model_id, counter, delta, now);
        drop(state);
        // Only the first pending item sets a new deadline for the driver.
        if first {
            self.inner.wake.notify_one();
        }
    }

    /// Sets a model's fleet quota (from its `ModelConfig`); one without limits removes it.
    pub fn set_quota(&self, model_id: &str, config: QuotaConfig, now: Millis) {
        let mut state = self.inner.lock();
        if config == QuotaConfig::default() {
            state.quotas.remove(model_id);
            return;
        }
        state
            .quotas
            .insert(model_id.to_owned(), QuotaGate::new(config, now));
        drop(state);
        self.inner.wake.notify_one();
    }

    /// Admission of one request to `model_id`: shared leases while Redis is reachable,
    /// local buckets while it is not (before the first refresh, or degraded); a model
    /// without a quota is always admitted. Unlike a skip, admission does not ask for a fresh
    /// view: a lease is good on its own until it lapses, so an instance whose refresh runs
    /// late (a starved driver, a thaw) stays within the fleet's quota instead of spending
    /// its local buckets' full quota on top of it.
    pub fn admit(&self, model_id: &str, now: Millis) -> Admission {
        let mut state = self.inner.lock();
        let is_shared = state.link.is_up();
        let Some(gate) = state.quotas.get_mut(model_id) else {
            return Admission::Admit;
        };
        let admission = gate.admit(is_shared, now);
        let top_up = is_shared && gate.lease_wanted(now).is_some();
        drop(state);
        // The driver tops up the lease ahead of need.
        if top_up {
            self.inner.wake.notify_one();
        }
        admission
    }

    /// Charges the tokens of a response's `usage` to `model_id`'s token quota.
    pub fn charge_tokens(&self, model_id: &str, tokens: f64, now: Millis) {
        if let Some(gate) = self.inner.lock().quotas.get_mut(model_id) {
            gate.charge_tokens(tokens, now);
        }
        // The driver's tick sends the debit: it runs every 25 ms while any quota is set.
    }

    /// Stops the background tasks after one last bounded publish, and closes the connections.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in self.tasks.drain(..) {
            // A task that panicked is over all the same.
            let _ = task.await;
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn shared(state: &State, now: u64) -> bool {
    state.link.is_up() && state.view.is_fresh(now)
}
