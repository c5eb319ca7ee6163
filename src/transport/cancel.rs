//! Cancelling a pending call from JavaScript: the table of pending calls by id, the flag a
//! call's future selects on, and the token that takes a call off the table when it ends.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// The pending calls JavaScript may still cancel, by the ids it gave them. An id
/// rather than a canceller object per call: a napi class instance costs more to make
/// and collect than the whole rest of the call's JavaScript side.
#[derive(Default)]
pub(super) struct Cancellable {
    pending: Mutex<HashMap<u32, Arc<CancelFlag>>>,
}

/// A one-way signal that a waiting future selects on, so that cancelling never waits.
#[derive(Default)]
pub(super) struct CancelFlag {
    cancelled: AtomicBool,
    notify: Notify,
}

impl CancelFlag {
    pub(super) fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub(super) fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once `cancel()` has been called, before or after this is awaited.
    pub(super) async fn cancelled(&self) {
        // Registered before the check: a `cancel()` in between still wakes it.
        let notified = self.notify.notified();
        if self.is_cancelled() {
            return;
        }
        notified.await;
    }
}

/// A registered call's flag; leaves the table when the call ends, however it ends.
pub(super) struct CancelToken {
    id: u32,
    flag: Arc<CancelFlag>,
    table: Arc<Cancellable>,
}

impl Drop for CancelToken {
    fn drop(&mut self) {
        let mut pending = lock(&self.table.pending);
        if pending
            .get(&self.id)
            .is_some_and(|flag| Arc::ptr_eq(flag, &self.flag))
        {
            pending.remove(&self.id);
        }
    }
}

impl Cancellable {
    pub(super) fn register(self: &Arc<Self>, call_id: Option<u32>) -> Option<CancelToken> {
        let id = call_id?;
        let flag = Arc::new(CancelFlag::default());
        lock(&self.pending).insert(id, Arc::clone(&flag));
        Some(CancelToken {
            id,
            flag,
            table: Arc::clone(self),
        })
    }

    pub(super) fn cancel(&self, call_id: u32) {
        if let Some(flag) = lock(&self.pending).remove(&call_id) {
            flag.cancel();
        }
    }
}

/// The table stays usable after a panic elsewhere: it holds no invariant a panic breaks.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `call` unless cancelled first; `None` when cancelled.
pub(super) async fn cancellable<T>(
    call: impl std::future::Future<Output = T>,
    cancel: Option<CancelToken>,
) -> Option<T> {
    match cancel {
        None => Some(call.await),
        Some(token) => tokio::select! {
            biased;
            () = token.flag.cancelled() => None,
            result = call => Some(result),
        },
    }
}
