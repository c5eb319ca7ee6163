//! `NativeTransport`: Converse through the Rust aws-sdk-bedrockruntime client, for
//! `js/transport.js`. The call runs on napi's tokio runtime, off the event loop; the
//! input is read and the output built on the JavaScript thread.
//!
//! A call settles with `{ ok: true, value }` or `{ ok: false, error }`, never a
//! rejection: the JavaScript side turns `error` into the very exception class the
//! JavaScript SDK would throw, which only it can construct.

// A failed call's `CallError` is large, but it is built once and moved straight into a
// JS error; boxing it would add an allocation to no one's benefit.
#![allow(clippy::result_large_err)]

mod cancel;
mod output;
mod settings;
mod stream;

use crate::doc::{from_doc, to_doc};
use bmm_transport::{ClientSettings, Doc, Transport};
use cancel::{cancellable, lock, CancelToken, Cancellable};
use napi::bindgen_prelude::*;
use output::{settle, Output};
use settings::NativeSettings;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use stream::NativeStream;

#[napi]
pub struct NativeTransport {
    /// What the client is built from again after `close()`.
    settings: ClientSettings,
    /// The client and its connection pool; `None` once closed, until the next call.
    client: Mutex<Option<Transport>>,
    cancellable: Arc<Cancellable>,
}

#[napi]
impl NativeTransport {
    /// Builds the client; a setting it cannot use is an error now, not at the first call.
    #[napi(constructor, catch_unwind)]
    pub fn new(settings: NativeSettings) -> Result<Self> {
        let settings = settings.into_client_settings()?;
        let transport = build(&settings)?;
        Ok(NativeTransport {
            settings,
            client: Mutex::new(Some(transport)),
            cancellable: Arc::default(),
        })
    }

    /// The client, built anew when `close()` dropped it (the settings built one before).
    fn transport(&self) -> Result<Transport> {
        let mut client = lock(&self.client);
        if let Some(transport) = client.as_ref() {
            return Ok(transport.clone());
        }
        let transport = build(&self.settings)?;
        *client = Some(transport.clone());
        Ok(transport)
    }

    /// Drops the client, so that its idle keep-alive connections close now; calls in
    /// flight keep their own handle and finish, and the next call builds a new client.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        lock(&self.client).take();
    }

    /// Sends one Converse call for `model_id`; `service_tier` overrides the input's.
    /// A `call_id` (unique among this transport's pending calls) lets `cancel` end it;
    /// `max_response_bytes` (validated by the caller) bounds the response body.
    #[napi(
        catch_unwind,
        ts_return_type = "Promise<{ ok: boolean, json?: string, undefinedMembers?: string, value?: unknown, error?: unknown, cancelled?: boolean, answeredMsAgo: number }>"
    )]
    pub fn converse<'env>(
        &self,
        env: &'env Env,
        model_id: String,
        input: Unknown,
        service_tier: Option<String>,
        call_id: Option<u32>,
        max_response_bytes: Option<f64>,
    ) -> Result<PromiseRaw<'env, Object<'env>>> {
        let (input, transport, cancel) = self.prepare(input, call_id, max_response_bytes)?;
        let call = async move {
            let send = transport.converse(&model_id, &input, service_tier.as_deref());
            let result = cancellable(send, cancel).await;
            Ok((
                result.map(|result| result.map(Output::from)),
                Instant::now(),
            ))
        };
        env.spawn_future_with_callback(call, |env, (result, answered)| {
            let mut out = settle(env, result, Output::set_on)?;
            // How long ago the answer arrived, for the end of a telemetry attempt span
            // (`js/telemetry/observer.js`): the event loop may reach it later. An age, not
            // a time, so JavaScript places it on its own clock.
            out.set("answeredMsAgo", answered.elapsed().as_secs_f64() * 1000.0)?;
            Ok(out)
        })
    }

    /// Opens one ConverseStream call; settles once the first event has arrived (an
    /// exception as first event is the call's error), like the JS SDK's `send`.
    #[napi(
        catch_unwind,
        ts_return_type = "Promise<{ ok: boolean, metadata?: unknown, stream?: NativeStream, error?: unknown, cancelled?: boolean }>"
    )]
    pub fn converse_stream<'env>(
        &self,
        env: &'env Env,
        model_id: String,
        input: Unknown,
        service_tier: Option<String>,
        call_id: Option<u32>,
        max_response_bytes: Option<f64>,
    ) -> Result<PromiseRaw<'env, Object<'env>>> {
        let (input, transport, cancel) = self.prepare(input, call_id, max_response_bytes)?;
        let call = async move {
            let open = transport.converse_stream(&model_id, &input, service_tier.as_deref());
            Ok(cancellable(open, cancel).await)
        };
        env.spawn_future_with_callback(call, |env, result| {
            settle(env, result, |env, out, (metadata, events)| {
                out.set("metadata", from_doc(env, &metadata)?)?;
                out.set("stream", NativeStream::new(events).into_instance(env)?)
            })
        })
    }

    /// What one call needs before it leaves the JavaScript thread: the input read, the
    /// transport bounded by `max_response_bytes`, and the call registered under `call_id`.
    fn prepare(
        &self,
        input: Unknown,
        call_id: Option<u32>,
        max_response_bytes: Option<f64>,
    ) -> Result<(Doc, Transport, Option<CancelToken>)> {
        Ok((
            to_doc(input)?,
            self.bounded(max_response_bytes)?,
            self.cancellable.register(call_id),
        ))
    }

    /// The transport for one call, with its `maxResponseBytes` when given.
    fn bounded(&self, max_response_bytes: Option<f64>) -> Result<Transport> {
        let transport = self.transport()?;
        Ok(
            match max_response_bytes.filter(|n| n.is_finite() && *n >= 1.0) {
                Some(limit) => transport.with_max_response_bytes(limit as u64),
                None => transport,
            },
        )
    }

    /// Abandons the pending call `call_id` (a no-op once it has settled): dropping the
    /// SDK's future closes its connection, and the call settles `{ ok: false, cancelled: true }`.
    #[napi(catch_unwind)]
    pub fn cancel(&self, call_id: u32) {
        self.cancellable.cancel(call_id);
    }
}

fn build(settings: &ClientSettings) -> Result<Transport> {
    Transport::new(settings.clone())
        .map_err(|error| Error::from_reason(format!("clientConfig: {error}")))
}
