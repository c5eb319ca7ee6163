//! The listening server: binds the port, runs HTTP/1.1 and h2c (prior knowledge) on it
//! with hyper — or, when asked, HTTPS with ALPN `h2` and `http/1.1` — counts open
//! connections and TLS handshakes, tears a connection down on request (the
//! `connectionReset` fault) and shuts down gracefully. It runs on its own tokio runtime
//! in its own threads, so callers need no runtime and cannot starve it.

use crate::behavior::Behavior;
use crate::body::ScriptedBody;
use crate::control;
use crate::error::Error;
use crate::options::EmulatorOptions;
use crate::percent;
use crate::record::{Operation, RecordedRequest};
use crate::service::{self, ConnControl, ConnInfo};
use crate::state::{Shared, Stats};
use crate::tls::ServerTls;
use http::{Method, Request, Response};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use std::convert::Infallible;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// How long a client gets to finish the TLS handshake before its connection is dropped.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Starts emulators.
pub struct Emulator;

impl Emulator {
    /// Binds the port and starts serving before returning, so the endpoint is usable at
    /// once. Fails if the port cannot be bound or the options/default behaviour are invalid.
    pub fn start(options: EmulatorOptions) -> Result<EmulatorHandle, Error> {
        let shared = Arc::new(Shared::new(&options)?);
        let tls = options.tls.as_ref().map(ServerTls::new).transpose()?;
        let address = (options.host.as_str(), options.port)
            .to_socket_addrs()
            .map_err(Error::Bind)?
            .next()
            .ok_or_else(|| {
                Error::Invalid(format!("host {:?} resolves to no address", options.host))
            })?;
        let std_listener = std::net::TcpListener::bind(address).map_err(Error::Bind)?;
        std_listener.set_nonblocking(true).map_err(Error::Bind)?;
        let local = std_listener.local_addr().map_err(Error::Bind)?;

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(options.effective_worker_threads())
            .thread_name("bedrock-emulator-worker")
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let listener = {
            let _context = runtime.enter();
            TcpListener::from_std(std_listener).map_err(Error::Bind)?
        };
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let grace = options.shutdown_grace;
        let serve_shared = shared.clone();
        let acceptor = tls
            .as_ref()
            .map(|tls| TlsAcceptor::from(tls.config.clone()));
        let thread = std::thread::Builder::new()
            .name("bedrock-emulator".into())
            .spawn(move || {
                runtime.block_on(serve(listener, acceptor, serve_shared, shutdown_rx, grace));
                // Connections still open after the grace period are dropped here.
                runtime.shutdown_timeout(Duration::from_millis(200));
            })
            .map_err(Error::Runtime)?;
        Ok(EmulatorHandle {
            addr: local,
            https: tls.is_some(),
            ca_pem: tls.and_then(|tls| tls.ca_pem),
            shared,
            shutdown: shutdown_tx,
            thread: Mutex::new(Some(thread)),
        })
    }
}

/// A running emulator. Dropping it stops it.
pub struct EmulatorHandle {
    addr: SocketAddr,
    https: bool,
    ca_pem: Option<String>,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl EmulatorHandle {
    /// `http://HOST:PORT` (`https://` when serving TLS), ready for the SDKs' `endpoint` /
    /// `endpoint_url`.
    pub fn endpoint(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The PEM certificate of the test CA made for `TlsIdentity::Generate`: what clients
    /// must trust to reach this emulator. `None` for plain HTTP or a caller's own identity.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Sets how `model_id` (as the client names it, URL-decoded) behaves from now on; its
    /// fault counter starts again from zero.
    pub fn set_behavior(&self, model_id: &str, behavior: Behavior) -> Result<(), Error> {
        self.shared.set_behavior(model_id, behavior)
    }

    /// Sets the behaviour of every model without one of its own.
    pub fn set_default_behavior(&self, behavior: Behavior) -> Result<(), Error> {
        self.shared.set_default_behavior(behavior)
    }

    /// `model_id` goes back to the default behaviour.
    pub fn remove_behavior(&self, model_id: &str) {
        self.shared.remove_behavior(model_id)
    }

    /// Every model goes back to the default behaviour given at start.
    pub fn reset_behaviors(&self) {
        self.shared.reset_behaviors()
    }

    /// The recorded requests, oldest first (at most `max_recorded_requests`).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.recorder.snapshot()
    }

    pub fn clear_requests(&self) {
        self.shared.recorder.clear()
    }

    /// Connections currently open (accepted and not yet closed).
    pub fn connections_open(&self) -> usize {
        self.shared.connections_open.load(Ordering::Acquire)
    }

    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Stops accepting, releases the port, lets in-flight requests finish for up to the
    /// shutdown grace period, then closes what is left. Returns when all of that is done;
    /// calling it again does nothing.
    pub fn stop(&self) {
        let _ = self.shutdown.send(true);
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(thread) = thread {
            // Joining our own thread would deadlock; the public API never runs there,
            // but stay safe if a future caller does.
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

fn connection_builder() -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(1024);
    builder
}

async fn serve(
    listener: TcpListener,
    acceptor: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    grace: Duration,
) {
    let builder = Arc::new(connection_builder());
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    tokio::spawn(serve_connection(
                        builder.clone(),
                        stream,
                        acceptor.clone(),
                        shared.clone(),
                        shutdown.clone(),
                    ));
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }
    drop(listener);
    let deadline = tokio::time::Instant::now() + grace;
    while shared.connections_open.load(Ordering::Acquire) > 0
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Counts a connection as open for as long as its task lives.
struct OpenConnection(Arc<Shared>);

impl OpenConnection {
    fn new(shared: Arc<Shared>) -> Self {
        shared.connections_open.fetch_add(1, Ordering::AcqRel);
        shared.connections_total.fetch_add(1, Ordering::Relaxed);
        OpenConnection(shared)
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.connections_open.fetch_sub(1, Ordering::AcqRel);
    }
}

async fn serve_connection(
    builder: Arc<auto::Builder<TokioExecutor>>,
    stream: TcpStream,
    acceptor: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    // Declared first so it is dropped last, after the socket is closed.
    let _open = OpenConnection::new(shared.clone());
    // Stream events are small writes; Nagle would hold them back.
    let _ = stream.set_nodelay(true);
    let control = Arc::new(ConnControl::default());
    let stream = ConnStream {
        inner: stream,
        control: control.clone(),
    };
    let Some(acceptor) = acceptor else {
        let conn_info = ConnInfo { tls: false };
        return serve_http(&builder, stream, conn_info, shared, control, shutdown).await;
    };
    let handshake = tokio::select! {
        result = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)) => result,
        _ = shutdown.changed() => return,
    };
    // A failed handshake is the client's call (it distrusts our CA, offers nothing we
    // speak, or went away): the connection is over.
    let Ok(Ok(stream)) = handshake else { return };
    shared.tls_handshakes.fetch_add(1, Ordering::Relaxed);
    if stream.get_ref().1.handshake_kind() == Some(rustls::HandshakeKind::Resumed) {
        shared
            .tls_resumed_handshakes
            .fetch_add(1, Ordering::Relaxed);
    }
    let conn_info = ConnInfo { tls: true };
    serve_http(&builder, stream, conn_info, shared, control, shutdown).await;
}

/// Serves HTTP/1.1 or HTTP/2 (told apart by the connection preface, which over TLS follows
/// the ALPN choice) on an open connection until it ends, is killed or shutdown drains it.
async fn serve_http<I>(
    builder: &auto::Builder<TokioExecutor>,
    stream: I,
    conn_info: ConnInfo,
    shared: Arc<Shared>,
    control: Arc<ConnControl>,
    mut shutdown: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(stream);
    let service_control = control.clone();
    let service = service_fn(move |request| {
        dispatch(shared.clone(), service_control.clone(), conn_info, request)
    });
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    let mut draining = false;
    loop {
        tokio::select! {
            // Errors here are the client's doing (reset, bad request line) or ours on
            // purpose (aborted bodies): either way the connection is over.
            _ = connection.as_mut() => break,
            // Dropping the connection drops the socket; ConnStream turns that into an RST.
            _ = control.kill.notified() => break,
            _ = shutdown.changed(), if !draining => {
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Routes a request: the control API, a model operation, or an unknown-operation error.
async fn dispatch(
    shared: Arc<Shared>,
    conn: Arc<ConnControl>,
    conn_info: ConnInfo,
    request: Request<Incoming>,
) -> Result<Response<ScriptedBody>, Infallible> {
    if request.uri().path().starts_with(control::PREFIX) {
        return Ok(control::handle(&shared, request).await);
    }
    let response = match model_route(request.method(), request.uri().path()) {
        Some((model_id, operation)) => {
            service::handle(shared, conn, conn_info, model_id, operation, request).await
        }
        None => service::unknown_operation(&shared),
    };
    Ok(response)
}

/// `(model id, operation)` for `POST /model/{id}/converse` and `.../converse-stream`.
fn model_route(method: &Method, path: &str) -> Option<(String, Operation)> {
    let rest = path.strip_prefix("/model/")?;
    let (raw_model, op) = rest.rsplit_once('/')?;
    let operation = match op {
        "converse" => Operation::Converse,
        "converse-stream" => Operation::ConverseStream,
        _ => return None,
    };
    if method != Method::POST || raw_model.is_empty() || raw_model.contains('/') {
        return None;
    }
    Some((percent::decode(raw_model)?, operation))
}

/// The accepted socket, closed with RST instead of FIN when the connection was killed by
/// the `connectionReset` fault.
struct ConnStream {
    inner: TcpStream,
    control: Arc<ConnControl>,
}

impl Drop for ConnStream {
    fn drop(&mut self) {
        if self.control.reset.load(Ordering::Acquire) {
            // SO_LINGER with a zero timeout makes close() send RST and discard unsent data.
            let _ = socket2::SockRef::from(&self.inner).set_linger(Some(Duration::ZERO));
        }
    }
}

impl AsyncRead for ConnStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_can_be_shared_across_threads() {
        // The napi addon keeps the handle in a JS object used from any thread.
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<EmulatorHandle>();
    }

    #[test]
    fn routes_and_decodes_model_ids() {
        assert_eq!(
            model_route(
                &Method::POST,
                "/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse"
            ),
            Some((
                "us.anthropic.claude-3-haiku-20240307-v1:0".to_string(),
                Operation::Converse
            ))
        );
        assert_eq!(
            model_route(&Method::POST, "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fx/converse-stream"),
            Some(("arn:aws:bedrock:us-east-1:1:inference-profile/x".to_string(), Operation::ConverseStream))
        );
        assert_eq!(model_route(&Method::GET, "/model/m/converse"), None);
        assert_eq!(model_route(&Method::POST, "/model//converse"), None);
        assert_eq!(model_route(&Method::POST, "/model/a/b/converse"), None);
        assert_eq!(model_route(&Method::POST, "/model/m/invoke"), None);
        assert_eq!(model_route(&Method::POST, "/model/bad%zz/converse"), None);
    }
}
