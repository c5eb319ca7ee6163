//! The background I/O: subscription, refresh, batched publish, quota leases, reconnect with backoff.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use engine::fleet::record::decode_batch;
use futures_util::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{sleep, timeout, Instant};

use crate::config::{FleetConfig, StartError};
use crate::keys::Keys;
use crate::scripts::{self, BucketReply};
use crate::state::Inner;

/// The driver's idle tick when nothing is due sooner: how soon a lease or debit is looked at.
const TICK: Duration = Duration::from_millis(25);
const MIN_BACKOFF: Duration = Duration::from_millis(50);

/// Wall-clock milliseconds, the clock stamps and views use in the background.
fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Starts the driver and the subscriber; returns their tasks and the Redis access the handle
/// uses to catch up.
pub(crate) fn spawn(
    client: redis::Client,
    config: FleetConfig,
    inner: Arc<Inner>,
    stopped: watch::Receiver<bool>,
) -> Result<(Vec<JoinHandle<()>>, Io), StartError> {
    // The manager retries a failed call's reconnection itself with exponential backoff; every
    // call is also bounded here, so a paused Redis costs at most `op_timeout` per call.
    let manager_config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(config.op_timeout))
        .set_response_timeout(Some(config.op_timeout))
        .set_number_of_retries(1)
        .set_max_delay(config.max_backoff);
    let manager = ConnectionManager::new_lazy_with_config(client.clone(), manager_config)
        .map_err(|e| StartError::Config(format!("sharedState: {e}")))?;
    let keys = Keys::new(&config.key_prefix);
    let subscriber = Subscriber {
        client,
        channel: keys.channel.clone(),
        config: config.clone(),
        inner: inner.clone(),
    };
    let io = Io {
        manager,
        keys,
        op_timeout: config.op_timeout,
        inner,
    };
    let driver = Driver {
        io: io.clone(),
        config,
        backoff: MIN_BACKOFF,
        retry_at: Instant::now(),
    };
    let tasks = vec![
        tokio::spawn(subscriber.run(stopped.clone())),
        tokio::spawn(driver.run(stopped)),
    ];
    Ok((tasks, io))
}

/// Resolves when the handle asks to stop or is gone.
async fn stop_requested(stopped: &mut watch::Receiver<bool>) {
    // An error means the sender was dropped: stop too.
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// Bounded Redis calls, and the full refresh both the driver and the handle make.
#[derive(Clone)]
pub(crate) struct Io {
    manager: ConnectionManager,
    keys: Keys,
    op_timeout: Duration,
    inner: Arc<Inner>,
}

impl Io {
    /// Runs one Redis call within the bound; failures in a row degrade the link.
    async fn call<T>(
        &self,
        what: &str,
        call: impl Future<Output = redis::RedisResult<T>>,
    ) -> Option<T> {
        let reason = match timeout(self.op_timeout, call).await {
            Ok(Ok(value)) => {
                self.inner.lock().link.answered();
                return Some(value);
            }
            Ok(Err(e)) => format!("{what}: {e}"),
            Err(_) => format!("{what}: no reply within {:?}", self.op_timeout),
        };
        let event = self.inner.lock().link.failed(reason);
        self.inner.report(event);
        None
    }

    /// Reads the whole fleet state into the view. Returns whether it succeeded.
    pub async fn refresh(&self) -> bool {
        let mut manager = self.manager.clone();
        let mut pipe = redis::pipe();
        pipe.hgetall(&self.keys.state).hgetall(&self.keys.counters);
        let read = self.call(
            "refresh",
            pipe.query_async::<(HashMap<String, String>, HashMap<String, i64>)>(&mut manager),
        );
        let Some((state_hash, counters)) = read.await else {
            return false;
        };
        let now = wall_ms();
        let mut state = self.inner.lock();
        state.view.apply_snapshot(
            state_hash.values().map(String::as_str),
            counters.iter().map(|(k, v)| (k.as_str(), *v)),
            now,
        );
        let event = state.link.refreshed();
        drop(state);
        self.inner.report(event);
        true
    }
}

struct Driver {
    io: Io,
    config: FleetConfig,
    backoff: Duration,
    retry_at: Instant,
}

impl Driver {
    async fn run(mut self, mut stopped: watch::Receiver<bool>) {
        loop {
            let next = self.next_deadline();
            tokio::select! {
                _ = stop_requested(&mut stopped) => break,
                _ = self.io.inner.wake.notified() => {}
                _ = tokio::time::sleep_until(next) => {}
            }
            self.step().await;
        }
        // The last bounded publishes (a batch in doubt, then the rest), so what this
        // instance learned is not lost with it.
        for _ in 0..2 {
            if !self.io.inner.lock().link.is_up() || !self.publish(true).await {
                break;
            }
        }
    }

    fn next_deadline(&self) -> Instant {
        let state = self.io.inner.lock();
        if !state.link.is_up() {
            return self.retry_at;
        }
        let now = wall_ms();
        let mut due = state.view.refresh_due_at();
        if let Some(batch) = state.outbox.due_at() {
            due = due.min(batch);
        }
        let tick = Instant::now() + TICK;
        let due = Instant::now() + Duration::from_millis(due.saturating_sub(now));
        if state.quotas.is_empty() {
            due
        } else {
            due.min(tick)
        }
    }

    async fn step(&mut self) {
        let (up, refresh_due) = {
            let mut state = self.io.inner.lock();
            let refresh =
                std::mem::take(&mut state.resubscribed) || state.view.refresh_due_at() <= wall_ms();
            (state.link.is_up(), refresh)
        };
        if !up {
            // Degraded: only a full refresh brings the fleet view back, after the backoff.
            if Instant::now() >= self.retry_at && !self.io.refresh().await {
                self.backoff = (self.backoff * 2).min(self.config.max_backoff);
                self.retry_at = Instant::now() + self.backoff;
            }
            return;
        }
        self.backoff = MIN_BACKOFF;
        if (refresh_due && !self.io.refresh().await) || !self.publish(false).await {
            self.retry_at = Instant::now() + self.backoff;
            return;
        }
        self.quotas().await;
    }

    /// Publishes the due batch (or any pending one when `flush`). Returns whether nothing failed.
    async fn publish(&mut self, flush: bool) -> bool {
        let now = wall_ms() as f64;
        let (origin, batch) = {
            let mut state = self.io.inner.lock();
            let origin = state.outbox.origin();
            let batch = if flush {
                state.outbox.take_all(now)
            } else {
                state.outbox.take_due(now)
            };
            (origin, batch)
        };
        let Some(batch) = batch else {
            return true;
        };
        if batch.transitions.is_empty() && batch.counters.is_empty() {
            return true;
        }
        let mut manager = self.io.manager.clone();
        let call = scripts::publish(&self.io.keys, origin, &batch);
        if self
            .io
            .call("publish", call.invoke_async::<i64>(&mut manager))
            .await
            .is_some()
        {
            return true;
        }
        self.io.inner.lock().outbox.failed(batch);
        false
    }

    /// Tops up request leases and sends token debits, for every model with a quota.
    async fn quotas(&mut self) {
        let work: Vec<_> = {
            let mut state = self.io.inner.lock();
            let now = wall_ms() as f64;
            state
                .quotas
                .iter_mut()
                .map(|(model_id, gate)| {
                    let lease = gate.lease_request(now).zip(gate.config().requests);
                    let refund = gate.take_refund(now).zip(gate.config().requests);
                    let debit = gate.take_token_debit().zip(gate.config().tokens);
                    (model_id.clone(), lease, refund, debit)
                })
                .collect()
        };
        for (model_id, lease, refund, debit) in work {
            if let Some((permits, rate)) = refund {
                // A refund lost to a failed call only leaves the fleet further under quota.
                let key = self.io.keys.quota("requests", &model_id);
                let refund = scripts::bucket(&key, rate, 0, -f64::from(permits));
                self.bucket(&key, refund).await;
            }
            if let Some((want, rate)) = lease {
                let key = self.io.keys.quota("requests", &model_id);
                let reply = self
                    .bucket(&key, scripts::bucket(&key, rate, want, 0.0))
                    .await;
                let now = wall_ms();
                let mut state = self.io.inner.lock();
                if let Some(gate) = state.quotas.get_mut(&model_id) {
                    match reply {
                        Some((granted, _, ready_in)) => {
                            gate.lease_granted(granted, now + ready_in, now as f64)
                        }
                        None => gate.lease_failed(),
                    }
                }
            }
            if let Some((tokens, rate)) = debit {
                let key = self.io.keys.quota("tokens", &model_id);
                let reply = self
                    .bucket(&key, scripts::bucket(&key, rate, 0, tokens))
                    .await;
                let now = wall_ms() as f64;
                let mut state = self.io.inner.lock();
                if let Some(gate) = state.quotas.get_mut(&model_id) {
                    match reply.and_then(|(_, level, _)| level.parse::<f64>().ok()) {
                        Some(level) => gate.tokens_synced(level, now),
                        None => gate.restore_token_debit(tokens),
                    }
                }
            }
        }
    }

    async fn bucket(
        &self,
        what: &str,
        call: redis::ScriptInvocation<'static>,
    ) -> Option<BucketReply> {
        let mut manager = self.io.manager.clone();
        self.io
            .call(what, call.invoke_async::<BucketReply>(&mut manager))
            .await
    }
}

/// Keeps a subscription to the fleet's channel, merging every batch into the view, and
/// reconnects with backoff when it drops. It does not judge reachability: the driver's calls
/// do, and its refresh keeps the view within the staleness bound even with no subscription
/// (a server whose ACL forbids pub/sub works, only slower to converge).
struct Subscriber {
    client: redis::Client,
    channel: String,
    config: FleetConfig,
    inner: Arc<Inner>,
}

impl Subscriber {
    async fn run(self, mut stopped: watch::Receiver<bool>) {
        let mut backoff = MIN_BACKOFF;
        loop {
            tokio::select! {
                _ = stop_requested(&mut stopped) => return,
                subscribed = self.listen() => {
                    if subscribed {
                        backoff = MIN_BACKOFF;
                    }
                }
            }
            tokio::select! {
                _ = stop_requested(&mut stopped) => return,
                _ = sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(self.config.max_backoff);
        }
    }

    /// Subscribes and merges messages until the connection ends. Returns whether it got as
    /// far as subscribing.
    async fn listen(&self) -> bool {
        let connect = async {
            let mut pubsub = self.client.get_async_pubsub().await?;
            pubsub.subscribe(&self.channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        };
        let Ok(Ok(pubsub)) = timeout(self.config.op_timeout, connect).await else {
            return false;
        };
        // Messages published while unsubscribed were missed: the driver refreshes at once.
        self.inner.lock().resubscribed = true;
        self.inner.wake.notify_one();
        let mut messages = pubsub.into_on_message();
        while let Some(message) = messages.next().await {
            let Ok(payload) = message.get_payload::<String>() else {
                continue;
            };
            let mut state = self.inner.lock();
            for transition in decode_batch(&payload) {
                state.view.merge(transition);
            }
        }
        true
    }
}
