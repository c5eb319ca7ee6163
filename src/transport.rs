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

use bmm_transport::{
    AwsCredentials, CallError, ClientSettings, Credentials, Doc, EventStream, JsJson,
    ProvideCredentials, Transport, UserAgentPair,
};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;

use crate::credentials::CheckedCredentials;
use crate::doc::{from_doc, set_own, to_doc};
use crate::memory;

#[napi]
pub struct NativeTransport {
    /// What the client is built from again after `close()`.
    settings: ClientSettings,
    /// The client and its connection pool; `None` once closed, until the next call.
    client: Mutex<Option<Transport>>,
    cancellable: Arc<Cancellable>,
}

/// `clientConfig` as `js/transport.js` normalises it.
#[napi(object, object_to_js = false)]
pub struct NativeSettings {
    pub region: Option<String>,
    /// A static credentials object.
    #[napi(
        ts_type = "{ accessKeyId: unknown, secretAccessKey: unknown, sessionToken?: unknown, expirationMs?: unknown }"
    )]
    pub credentials: Option<CheckedCredentials>,
    /// An async credentials provider, wrapped so that it resolves to credentials as above.
    #[napi(
        ts_type = "() => Promise<{ accessKeyId: unknown, secretAccessKey: unknown, sessionToken?: unknown, expirationMs?: unknown }>"
    )]
    pub credentials_provider:
        Option<ThreadsafeFunction<(), Promise<CheckedCredentials>, (), Status, false, true>>,
    pub endpoint: Option<String>,
    pub max_attempts: Option<u32>,
    pub retry_mode: Option<String>,
    pub connection_timeout_ms: Option<f64>,
    pub request_timeout_ms: Option<f64>,
    /// `customUserAgent`, one entry per `[name, version]` section (a string is one without a version).
    pub custom_user_agent: Option<Vec<NativeUserAgentPair>>,
    pub profile: Option<String>,
    pub use_fips_endpoint: Option<bool>,
    pub use_dualstack_endpoint: Option<bool>,
    pub user_agent_app_id: Option<String>,
    pub ignore_configured_endpoint_urls: Option<bool>,
}

/// One `customUserAgent` section.
#[napi(object, object_to_js = false)]
pub struct NativeUserAgentPair {
    pub name: String,
    pub version: Option<String>,
}

#[napi]
impl NativeTransport {
    /// Builds the client; a setting it cannot use is an error now, not at the first call.
    #[napi(constructor, catch_unwind)]
    pub fn new(settings: NativeSettings) -> Result<Self> {
        let credentials = match (settings.credentials, settings.credentials_provider) {
            (_, Some(provider)) => Credentials::Provider(Arc::new(JsCredentialsProvider {
                provider: Arc::new(provider),
            })),
            (Some(keys), None) => {
                let keys = keys
                    .usable("clientConfig.credentials")
                    .map_err(|message| Error::new(Status::InvalidArg, message))?;
                Credentials::Static {
                    access_key_id: keys.access_key_id,
                    secret_access_key: keys.secret_access_key,
                    session_token: keys.session_token,
                    expiration: keys.expiration_ms.map(system_time),
                }
            }
            (None, None) => Credentials::DefaultChain,
        };
        let settings = ClientSettings {
            region: settings.region,
            credentials,
            endpoint: settings.endpoint,
            max_attempts: settings.max_attempts,
            retry_mode: settings.retry_mode,
            connect_timeout: settings.connection_timeout_ms.and_then(duration),
            request_timeout: settings.request_timeout_ms.and_then(duration),
            custom_user_agent: settings
                .custom_user_agent
                .unwrap_or_default()
                .into_iter()
                .map(|pair| UserAgentPair {
                    name: pair.name,
                    version: pair.version,
                })
                .collect(),
            profile: settings.profile,
            use_fips: settings.use_fips_endpoint,
            use_dual_stack: settings.use_dualstack_endpoint,
            app_id: settings.user_agent_app_id,
            ignore_configured_endpoint_urls: settings.ignore_configured_endpoint_urls,
            // The JS SDK has no stalled-stream guard (processStreamRequest has idleTimeoutMs);
            // the Rust SDK's costs ~10 µs of CPU per call.
            stalled_stream_protection: Some(false),
        };
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
        ts_return_type = "Promise<{ ok: boolean, json?: string, undefinedMembers?: string, value?: unknown, error?: unknown, cancelled?: boolean }>"
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
        let (input, transport, cancel) = (
            to_doc(input)?,
            self.bounded(max_response_bytes)?,
            self.cancellable.register(call_id),
        );
        let call = async move {
            let send = transport.converse(&model_id, &input, service_tier.as_deref());
            Ok(cancellable(send, cancel)
                .await
                .map(|result| result.map(Output::from)))
        };
        env.spawn_future_with_callback(call, |env, result| settle(env, result, Output::set_on))
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
        let (input, transport, cancel) = (
            to_doc(input)?,
            self.bounded(max_response_bytes)?,
            self.cancellable.register(call_id),
        );
        let call = async move {
            let open = transport.converse_stream(&model_id, &input, service_tier.as_deref());
            Ok(cancellable(open, cancel).await)
        };
        env.spawn_future_with_callback(call, |env, result| {
            settle(env, result, |env, out, (metadata, events)| {
                out.set("metadata", from_doc(env, &metadata)?)?;
                let stream = NativeStream {
                    events: Arc::new(tokio::sync::Mutex::new(Some(events))),
                    closed: Arc::default(),
                };
                out.set("stream", stream.into_instance(env)?)
            })
        })
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

/// The events of one ConverseStream response, pulled one at a time: nothing is read
/// from the connection ahead of what JavaScript asked for (beyond the socket's own
/// buffers), so a slow consumer holds memory still. `close()` drops the response,
/// which closes its HTTP stream, at once: a pull waiting for data gives way to it.
#[napi]
pub struct NativeStream {
    events: Arc<tokio::sync::Mutex<Option<EventStream>>>,
    closed: Arc<CancelFlag>,
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

/// The pending calls JavaScript may still cancel, by the ids it gave them. An id
/// rather than a canceller object per call: a napi class instance costs more to make
/// and collect than the whole rest of the call's JavaScript side.
#[derive(Default)]
struct Cancellable {
    pending: Mutex<HashMap<u32, Arc<CancelFlag>>>,
}

/// A one-way signal that a waiting future selects on, so that cancelling never waits.
#[derive(Default)]
struct CancelFlag {
    cancelled: AtomicBool,
    notify: Notify,
}

impl CancelFlag {
    fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once `cancel()` has been called, before or after this is awaited.
    async fn cancelled(&self) {
        // Registered before the check: a `cancel()` in between still wakes it.
        let notified = self.notify.notified();
        if self.is_cancelled() {
            return;
        }
        notified.await;
    }
}

/// A registered call's flag; leaves the table when the call ends, however it ends.
struct CancelToken {
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
    fn register(self: &Arc<Self>, call_id: Option<u32>) -> Option<CancelToken> {
        let id = call_id?;
        let flag = Arc::new(CancelFlag::default());
        lock(&self.pending).insert(id, Arc::clone(&flag));
        Some(CancelToken {
            id,
            flag,
            table: Arc::clone(self),
        })
    }

    fn cancel(&self, call_id: u32) {
        if let Some(flag) = lock(&self.pending).remove(&call_id) {
            flag.cancel();
        }
    }
}

/// The table stays usable after a panic elsewhere: it holds no invariant a panic breaks.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `call` unless cancelled first; `None` when cancelled.
async fn cancellable<T>(
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

/// A value for JavaScript, made ready off its thread: JSON text for `JSON.parse` when
/// plain JSON can carry it (one napi string instead of a property set per member),
/// else the tree, built property by property.
enum Output {
    Json(JsJson),
    Tree(Doc),
}

impl From<Doc> for Output {
    fn from(doc: Doc) -> Output {
        let output = doc.to_js_json().map_or(Output::Tree(doc), Output::Json);
        if matches!(&output, Output::Json(json) if json.text.len() >= memory::LARGE_ANSWER_BYTES) {
            memory::release_freed(); // the body and the tree, freed on this worker thread
        }
        output
    }
}

impl Output {
    /// `json` (and `undefinedMembers` when any), or `value`: see `parseOutput` in
    /// `js/transport.js`.
    fn set_on(env: &Env, out: &mut Object, output: Output) -> Result<()> {
        match output {
            Output::Json(json) => {
                let large = json.text.len() >= memory::LARGE_ANSWER_BYTES;
                out.set("json", json.text)?;
                if large {
                    memory::release_freed(); // the text, now a JavaScript string
                }
                if !json.undefined_members.is_empty() {
                    out.set("undefinedMembers", json.undefined_members)?;
                }
                Ok(())
            }
            Output::Tree(doc) => out.set("value", from_doc(env, &doc)?),
        }
    }
}

/// `{ ok: true, ...what `answer` sets }`, `{ ok: false, error }`, or
/// `{ ok: false, cancelled: true }`.
fn settle<'env, T>(
    env: &'env Env,
    result: Option<std::result::Result<T, CallError>>,
    answer: impl FnOnce(&'env Env, &mut Object<'env>, T) -> Result<()>,
) -> Result<Object<'env>> {
    let mut out = Object::new(env)?;
    match result {
        Some(Ok(value)) => {
            out.set("ok", true)?;
            answer(env, &mut out, value)?;
        }
        Some(Err(error)) => {
            out.set("ok", false)?;
            out.set("error", error_object(env, &error)?)?;
        }
        None => {
            out.set("ok", false)?;
            out.set("cancelled", true)?;
        }
    }
    Ok(out)
}

/// What the JavaScript side needs to rebuild the JS SDK's error.
fn error_object<'env>(env: &'env Env, error: &CallError) -> Result<Object<'env>> {
    let mut out = Object::new(env)?;
    out.set("name", error.name.as_str())?;
    out.set("message", error.message.as_str())?;
    out.set("kind", format!("{:?}", error.kind))?;
    out.set("fault", error.fault)?;
    out.set("code", error.code.as_deref())?;
    out.set("metadata", from_doc(env, &error.metadata())?)?;
    let mut fields = Object::new(env)?;
    for (key, value) in &error.fields {
        set_own(&mut fields, key, from_doc(env, value)?)?;
    }
    out.set("fields", fields)?;
    if let Some(cause) = &error.cause {
        out.set("cause", error_object(env, cause)?)?;
    }
    if let Some(body) = &error.response_body {
        out.set("responseBody", Uint8Array::new(body.clone()))?;
    }
    out.set("detail", error.detail.as_str())?;
    Ok(out)
}

/// An async JavaScript credentials provider, called from the SDK's identity cache
/// (which calls again only when the credentials it returned are about to expire).
struct JsCredentialsProvider {
    provider: Arc<ThreadsafeFunction<(), Promise<CheckedCredentials>, (), Status, false, true>>,
}

impl std::fmt::Debug for JsCredentialsProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsCredentialsProvider")
    }
}

impl ProvideCredentials for JsCredentialsProvider {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let provider = Arc::clone(&self.provider);
        aws_credential_types::provider::future::ProvideCredentials::new(async move {
            let failed = |error: Error| {
                aws_credential_types::provider::error::CredentialsError::provider_error(
                    error.reason,
                )
            };
            let keys = provider
                .call_async(())
                .await
                .map_err(failed)?
                .await
                .map_err(failed)?;
            let keys = keys
                .usable("clientConfig.credentials()")
                .map_err(|message| failed(Error::from_reason(message)))?;
            Ok(AwsCredentials::new(
                keys.access_key_id,
                keys.secret_access_key,
                keys.session_token,
                keys.expiration_ms.map(system_time),
                "clientConfig.credentials",
            ))
        })
    }
}

fn build(settings: &ClientSettings) -> Result<Transport> {
    Transport::new(settings.clone())
        .map_err(|error| Error::from_reason(format!("clientConfig: {error}")))
}

fn system_time(ms: f64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms.max(0.0) as u64)
}

fn duration(ms: f64) -> Option<Duration> {
    (ms.is_finite() && ms > 0.0).then(|| Duration::from_secs_f64(ms / 1000.0))
}
