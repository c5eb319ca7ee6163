//! The response body type: a scripted sequence of chunks with optional pauses between
//! them, ending either cleanly or by aborting the connection mid-body. One type serves
//! plain JSON answers, paced event streams and truncation faults, without a task per
//! response; `respond` wraps one in a response with the headers every answer carries.

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::time::Sleep;

/// How long an aborting body waits after its last chunk before failing, so the server
/// flushes what was "sent" before the connection is torn down.
const FLUSH_BEFORE_ABORT: Duration = Duration::from_millis(5);

/// The error an aborting body ends with; hyper answers it by closing the connection
/// (HTTP/1.1) or resetting the stream (HTTP/2).
#[derive(Debug)]
pub(crate) struct Aborted;

impl fmt::Display for Aborted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("response deliberately cut short by the emulator")
    }
}

impl std::error::Error for Aborted {}

pub(crate) struct ScriptedBody {
    chunks: VecDeque<Bytes>,
    /// Pause before each chunk after the first.
    gap: Duration,
    /// Whether the body ends by failing (truncation) rather than cleanly.
    abort: bool,
    /// Announce the exact length, so HTTP/1.1 sends Content-Length instead of chunking.
    exact: Option<u64>,
    sent_any: bool,
    gap_done: bool,
    sleep: Option<Pin<Box<Sleep>>>,
    /// Counts this body when dropped with chunks unsent (see `count_abandonment`).
    abandoned: AbandonedCount,
}

/// Adds one to its counter when dropped still armed: what it guards (a request being
/// answered, a streamed body with chunks unsent) was left unfinished by its client.
#[derive(Default)]
pub(crate) struct AbandonedCount(Option<Arc<AtomicU64>>);

impl AbandonedCount {
    pub(crate) fn armed(counter: Arc<AtomicU64>) -> AbandonedCount {
        AbandonedCount(Some(counter))
    }

    /// Nothing is counted any more; the counter, if it was armed.
    pub(crate) fn disarm(&mut self) -> Option<Arc<AtomicU64>> {
        self.0.take()
    }
}

impl Drop for AbandonedCount {
    fn drop(&mut self) {
        if let Some(counter) = &self.0 {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl ScriptedBody {
    /// A complete body sent at once.
    pub fn full(data: impl Into<Bytes>) -> ScriptedBody {
        let data = data.into();
        let len = data.len() as u64;
        let mut chunks = VecDeque::with_capacity(1);
        if !data.is_empty() {
            chunks.push_back(data);
        }
        ScriptedBody {
            exact: Some(len),
            ..ScriptedBody::base(chunks)
        }
    }

    /// An empty body.
    pub fn empty() -> ScriptedBody {
        ScriptedBody::full(Bytes::new())
    }

    /// A streamed body (chunked on HTTP/1.1) with `gap` between chunks.
    pub fn stream(chunks: Vec<Bytes>, gap: Duration) -> ScriptedBody {
        ScriptedBody {
            gap,
            ..ScriptedBody::base(chunks.into())
        }
    }

    /// Sends `chunks` (paced by `gap`), then fails so the transfer ends short.
    pub fn aborting(chunks: Vec<Bytes>, gap: Duration) -> ScriptedBody {
        ScriptedBody {
            gap,
            abort: true,
            ..ScriptedBody::base(chunks.into())
        }
    }

    fn base(chunks: VecDeque<Bytes>) -> ScriptedBody {
        ScriptedBody {
            chunks,
            gap: Duration::ZERO,
            abort: false,
            exact: None,
            sent_any: false,
            gap_done: false,
            sleep: None,
            abandoned: AbandonedCount::default(),
        }
    }

    /// A streamed body dropped before its last chunk adds one to `counter`: the client
    /// went away mid-stream.
    pub fn count_abandonment(&mut self, counter: Arc<AtomicU64>) {
        if self.exact.is_none() && !self.chunks.is_empty() {
            self.abandoned = AbandonedCount::armed(counter);
        }
    }
}

impl Body for ScriptedBody {
    type Data = Bytes;
    type Error = Aborted;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Aborted>>> {
        let this = &mut *self;
        loop {
            if let Some(sleep) = this.sleep.as_mut() {
                ready!(sleep.as_mut().poll(cx));
                this.sleep = None;
                this.gap_done = true;
            }
            if !this.chunks.is_empty() {
                if this.sent_any && !this.gap.is_zero() && !this.gap_done {
                    this.sleep = Some(Box::pin(tokio::time::sleep(this.gap)));
                    continue;
                }
                this.gap_done = false;
                this.sent_any = true;
                let chunk = this.chunks.pop_front();
                if this.chunks.is_empty() {
                    this.abandoned.disarm();
                }
                return Poll::Ready(chunk.map(|chunk| Ok(Frame::data(chunk))));
            }
            if !this.abort {
                return Poll::Ready(None);
            }
            if !this.gap_done {
                this.sleep = Some(Box::pin(tokio::time::sleep(FLUSH_BEFORE_ABORT)));
                continue;
            }
            return Poll::Ready(Some(Err(Aborted)));
        }
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty() && !self.abort && self.sleep.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match self.exact {
            Some(len) => SizeHint::with_exact(len),
            None => SizeHint::default(),
        }
    }
}

/// A response carrying `body` as `content_type`, tagged with the request id the SDKs read.
pub(crate) fn respond(
    status: StatusCode,
    content_type: &'static str,
    request_id: &str,
    body: ScriptedBody,
) -> Response<ScriptedBody> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn streams_chunks_in_order_with_gaps() {
        let started = tokio::time::Instant::now();
        let body = ScriptedBody::stream(
            vec![Bytes::from("a"), Bytes::from("b"), Bytes::from("c")],
            Duration::from_millis(10),
        );
        let collected = body.collect().await.unwrap().to_bytes();
        assert_eq!(&collected[..], b"abc");
        assert!(started.elapsed() >= Duration::from_millis(20));
    }

    #[tokio::test]
    async fn aborting_body_fails_after_its_chunks() {
        let mut body = ScriptedBody::aborting(vec![Bytes::from("part")], Duration::ZERO);
        let first = body.frame().await.unwrap().unwrap();
        assert_eq!(first.into_data().unwrap(), "part");
        assert!(body.frame().await.unwrap().is_err());
    }

    #[test]
    fn full_body_has_exact_size() {
        assert_eq!(ScriptedBody::full("abc").size_hint().exact(), Some(3));
        assert!(ScriptedBody::empty().is_end_stream());
    }
}
