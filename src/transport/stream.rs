//! `NativeStream`: a ConverseStream response's events, pulled by JavaScript one at a time.

use super::cancel::CancelFlag;
use super::output::{error_object, Output};
use bmm_transport::{CallError, Doc, EventStream};
use napi::bindgen_prelude::*;
use std::sync::Arc;

/// The events of one ConverseStream response, pulled one at a time: nothing is read
/// from the connection ahead of what JavaScript asked for (beyond the socket's own
/// buffers), so a slow consumer holds memory still. `close()` drops the response,
/// which closes its HTTP stream, at once: a pull waiting for data gives way to it.
#[napi]
pub struct NativeStream {
    events: Arc<tokio::sync::Mutex<Option<EventStream>>>,
    closed: Arc<CancelFlag>,
}

impl NativeStream {
    pub(super) fn new(events: EventStream) -> NativeStream {
        NativeStream {
            events: Arc::new(tokio::sync::Mutex::new(Some(events))),
            closed: Arc::default(),
        }
    }
}

#[napi]
impl NativeStream {
    /// `{ done: true }`, `{ done: false, ... }` with the event as `Output::set_on` sets it, or
    /// `{ done: true, error }`; `{ done: true }` too once `close()` is called, even while
    /// this pull waits.
    #[napi(
        catch_unwind,
        ts_return_type = "Promise<{ done: boolean, json?: string, undefinedMembers?: string, value?: unknown, error?: unknown }>"
    )]
    pub fn next<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Object<'env>>> {
        let (events, closed) = (Arc::clone(&self.events), Arc::clone(&self.closed));
        let pull = async move {
            // Dropping the pull when `close()` wins also releases the lock it holds.
            let event = tokio::select! {
                biased;
                () = closed.cancelled() => None,
                event = pull(&events) => event,
            };
            if closed.is_cancelled() {
                // `close()` found the lock held (by this pull or another): the stream
                // is dropped here, now that nothing holds the lock.
                events.lock().await.take();
                return Ok(None);
            }
            Ok(event.map(|event| event.map(Output::from)))
        };
        env.spawn_future_with_callback(pull, |env, event| {
            let mut out = Object::new(env)?;
            match event {
                Some(Ok(value)) => {
                    out.set("done", false)?;
                    Output::set_on(env, &mut out, value)?;
                }
                Some(Err(error)) => {
                    out.set("done", true)?;
                    out.set("error", error_object(env, &error)?)?;
                }
                None => out.set("done", true)?,
            }
            Ok(out)
        })
    }

    /// Stops reading and closes the HTTP stream; a pending `next()` settles `{ done: true }`.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.closed.cancel();
        if let Ok(mut events) = self.events.try_lock() {
            events.take();
        }
    }
}

/// The next event of the stream, if it is still open.
async fn pull(
    events: &tokio::sync::Mutex<Option<EventStream>>,
) -> Option<std::result::Result<Doc, CallError>> {
    let mut guard = events.lock().await;
    let event = guard.as_mut()?.next().await;
    if !matches!(event, Some(Ok(_))) {
        *guard = None; // ended or failed: release the connection now
    }
    event
}
