//! Size bounds on what a server sends: a response body's maximum (checked from its
//! `Content-Length` and again while it is read) and an event-stream frame's (checked from
//! its prelude), so that a lying or hostile server cannot make a call buffer without end.
//!
//! Exceeding one fails the call with `ResponseTooLargeError` (its `code` says which bound);
//! the SDK does not retry it (`no_retry.rs`), and what was read is dropped with the
//! connection.

use crate::call_error::{CallError, ErrorKind};
use crate::doc::Doc;
use crate::output::ResponseMeta;
use aws_smithy_types::body::SdkBody;
use bytes::{Bytes, BytesMut};
use std::error::Error as StdError;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The default `maxResponseBytes`: far above any Converse answer (a model's output is
/// bounded by its token limit), far below what would hurt a process.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// The event-stream format's limit on one message, prelude to checksum (16 MiB, as in
/// aws-c-event-stream and the other SDKs' decoders).
pub const MAX_FRAME_BYTES: u64 = 16 * 1024 * 1024;

/// Which bound was crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    /// `maxResponseBytes`, declared by `Content-Length`.
    DeclaredBody,
    /// `maxResponseBytes`, crossed while reading a body of undeclared length (chunked, or
    /// until the connection closes: HTTP itself stops a body at its `Content-Length`).
    ReadBody,
    /// [`MAX_FRAME_BYTES`], declared by a frame's prelude.
    Frame,
}

/// A response larger than a bound; the error the SDK carries as a failed read's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TooLarge {
    pub(crate) bound: Bound,
    pub(crate) limit: u64,
    /// The declared size, or the bytes read when the bound was crossed.
    pub(crate) size: u64,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let TooLarge { limit, size, .. } = self;
        match self.bound {
            Bound::DeclaredBody => write!(
                f,
                "Response body of {size} bytes (Content-Length) exceeds maxResponseBytes ({limit} bytes)"
            ),
            Bound::ReadBody => write!(
                f,
                "Response body exceeds maxResponseBytes ({limit} bytes): {size} bytes read"
            ),
            Bound::Frame => write!(
                f,
                "Event-stream frame of {size} bytes exceeds the format's limit of {limit} bytes"
            ),
        }
    }
}

impl StdError for TooLarge {}

impl TooLarge {
    /// The JS-facing code: one per kind of bound.
    pub(crate) fn code(&self) -> &'static str {
        match self.bound {
            Bound::DeclaredBody | Bound::ReadBody => "ERR_RESPONSE_TOO_LARGE",
            Bound::Frame => "ERR_EVENT_FRAME_TOO_LARGE",
        }
    }

    /// The call's error: `ResponseTooLargeError` with `code`, `limit` and `size`.
    pub(crate) fn call_error(&self, meta: &ResponseMeta) -> CallError {
        let mut e = CallError::bare(
            ErrorKind::TooLarge,
            "ResponseTooLargeError",
            self.to_string(),
            meta,
        );
        e.code = Some(self.code().to_string());
        e.fields = vec![
            ("code".into(), Doc::string(self.code())),
            ("limit".into(), Doc::Number(self.limit as f64)),
            ("size".into(), Doc::Number(self.size as f64)),
        ];
        e.detail = self.to_string();
        e
    }
}

/// A body the SDK reads whole before deserialising it, read here into one buffer instead:
/// refused before a byte is read when its `Content-Length` declares more than `limit`,
/// failed as soon as more than `limit` bytes arrive, and handed on as a single chunk, so
/// that the SDK's collection of it needs no second copy.
pub(crate) fn bounded_whole(
    body: SdkBody,
    content_length: Option<&str>,
    limit: u64,
) -> Result<SdkBody, TooLarge> {
    let declared = content_length.and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(size) = declared.filter(|size| *size > limit) {
        return Err(TooLarge {
            bound: Bound::DeclaredBody,
            limit,
            size,
        });
    }
    // Within the limit, so trusting the declared length to size the buffer is safe.
    let capacity = declared.unwrap_or(0) as usize;
    Ok(SdkBody::from_body_1_x(WholeBody {
        inner: body,
        limit,
        buffer: Some(BytesMut::with_capacity(capacity)),
    }))
}

struct WholeBody {
    inner: SdkBody,
    limit: u64,
    /// What has arrived; `None` once handed on (or failed).
    buffer: Option<BytesMut>,
}

impl http_body::Body for WholeBody {
    type Data = Bytes;
    type Error = aws_smithy_types::body::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        loop {
            let Some(buffer) = this.buffer.as_mut() else {
                return Poll::Ready(None);
            };
            match std::task::ready!(Pin::new(&mut this.inner).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    let Ok(data) = frame.into_data() else {
                        continue; // trailers: nothing the SDK reads
                    };
                    let size = buffer.len() as u64 + data.len() as u64;
                    if size > this.limit {
                        // Free what was read and close the connection now.
                        this.buffer = None;
                        this.inner = SdkBody::empty();
                        return Poll::Ready(Some(Err(Box::new(TooLarge {
                            bound: Bound::ReadBody,
                            limit: this.limit,
                            size,
                        }))));
                    }
                    buffer.extend_from_slice(&data);
                }
                Some(Err(error)) => {
                    this.buffer = None;
                    return Poll::Ready(Some(Err(error)));
                }
                None => {
                    let whole = this.buffer.take().unwrap_or_default().freeze();
                    return Poll::Ready(Some(Ok(http_body::Frame::data(whole))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.buffer.is_none()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests;
