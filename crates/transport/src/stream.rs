//! ConverseStream events, decoded straight from the response's event-stream frames into the
//! JS SDK's event objects (`{ contentBlockDelta: { delta: { text }, contentBlockIndex } }`),
//! with exception / error messages turned into the errors the JS SDK's iterator throws.
//! A frame's prelude is checked as soon as it arrives, so a frame over the format's 16 MiB
//! limit (or with a corrupt length) fails before its body is buffered.

use crate::bounds::{Bound, TooLarge, MAX_FRAME_BYTES};
use crate::call_error::{CallError, ErrorKind};
use crate::doc::{Doc, JsText};
use crate::output::ResponseMeta;
use crate::schema::{self, Shape, CONVERSE_STREAM_OUTPUT};
use crate::wire;
use aws_smithy_eventstream::frame::read_message_from;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::event_stream::Message;
use bmm_eventstream::string_header;
use bytes::{Buf, BytesMut};
use std::collections::VecDeque;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The events of one ConverseStream response. Dropping it drops the HTTP body, which closes
/// the stream (the connection is not reused: the SDKs behave alike).
pub struct EventStream {
    body: SdkBody,
    /// Bytes received and not yet decoded: at most one frame (plus one read's worth).
    buffer: BytesMut,
    /// Events read ahead (the first one, read before the call returns).
    ready: VecDeque<Result<Doc, CallError>>,
    meta: ResponseMeta,
    finished: bool,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl EventStream {
    pub(crate) fn new(body: SdkBody, meta: ResponseMeta) -> EventStream {
        EventStream {
            body,
            buffer: BytesMut::new(),
            ready: VecDeque::new(),
            meta,
            finished: false,
        }
    }

    /// Reads the first event ahead, as the JS SDK does before resolving `send()`; an
    /// error there is the call's error.
    pub(crate) async fn prefetch(&mut self) -> Result<(), CallError> {
        match poll_fn(|cx| self.poll_event(cx)).await {
            Some(Err(e)) => Err(e),
            Some(Ok(event)) => {
                self.ready.push_back(Ok(event));
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// The next event; `None` at the end of the stream. After an error the stream ends.
    pub async fn next(&mut self) -> Option<Result<Doc, CallError>> {
        poll_fn(|cx| self.poll_next_event(cx)).await
    }

    fn poll_next_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Doc, CallError>>> {
        if let Some(ready) = self.ready.pop_front() {
            return Poll::Ready(Some(ready));
        }
        self.poll_event(cx)
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Doc, CallError>>> {
        loop {
            if self.finished {
                return Poll::Ready(None);
            }
            match self.next_frame() {
                Ok(Some(frame)) => {
                    let converted = match read_message_from(frame) {
                        Ok(message) => self.convert(&message),
                        Err(e) => Err(self.error(ErrorKind::Stream, "Error", e.to_string())),
                    };
                    match converted {
                        Ok(Some(event)) => return Poll::Ready(Some(Ok(event))),
                        // Unknown event types are skipped, like the JS SDK does.
                        Ok(None) => continue,
                        Err(e) => return Poll::Ready(Some(Err(self.fail(e)))),
                    }
                }
                Ok(None) => {}
                Err(e) => return Poll::Ready(Some(Err(self.fail(e)))),
            }
            match http_body::Body::poll_frame(Pin::new(&mut self.body), cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        self.buffer.extend_from_slice(data.chunk());
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    let mut err = self.error(ErrorKind::Network, "Error", "aborted".to_string());
                    err.code = Some("ECONNRESET".to_string());
                    err.fields
                        .push(("code".into(), Doc::String("ECONNRESET".to_string())));
                    err.detail = e.to_string();
                    return Poll::Ready(Some(Err(self.fail(err))));
                }
                Poll::Ready(None) => {
                    self.finished = true;
                    if !self.buffer.is_empty() {
                        // The connection ended inside a frame.
                        let mut err =
                            self.error(ErrorKind::Network, "Error", "aborted".to_string());
                        err.code = Some("ECONNRESET".to_string());
                        err.fields
                            .push(("code".into(), Doc::String("ECONNRESET".to_string())));
                        err.detail = format!(
                            "stream ended with {} bytes of an incomplete frame",
                            self.buffer.len()
                        );
                        return Poll::Ready(Some(Err(err)));
                    }
                    return Poll::Ready(None);
                }
            }
        }
    }

    /// The next whole frame, once it has all arrived. Its prelude (length, header length,
    /// checksum) is checked first: a bad checksum or a length over [`MAX_FRAME_BYTES`] fails
    /// without reading further.
    fn next_frame(&mut self) -> Result<Option<BytesMut>, CallError> {
        let Some(prelude) = self.buffer.get(..PRELUDE_BYTES) else {
            return Ok(None);
        };
        let total = (&prelude[0..4]).get_u32();
        let (declared, computed) = ((&prelude[8..12]).get_u32(), crc32fast::hash(&prelude[..8]));
        if declared != computed {
            // The JS SDK's words (it checks only once the whole frame is in).
            let message = format!("The prelude checksum specified in the message ({declared}) does not match the calculated CRC32 checksum ({computed})");
            return Err(self.error(ErrorKind::Stream, "Error", message));
        }
        if u64::from(total) > MAX_FRAME_BYTES {
            let too_large = TooLarge {
                bound: Bound::Frame,
                limit: MAX_FRAME_BYTES,
                size: u64::from(total),
            };
            return Err(too_large.call_error(&self.meta));
        }
        let total = total as usize;
        if self.buffer.len() < total {
            self.buffer.reserve(total - self.buffer.len());
            return Ok(None);
        }
        Ok(Some(self.buffer.split_to(total)))
    }

    /// Ends the stream with `e`, dropping what was buffered and the response (which closes
    /// the connection).
    fn fail(&mut self, e: CallError) -> CallError {
        self.finished = true;
        self.buffer = BytesMut::new();
        self.body = SdkBody::empty();
        e
    }

    fn error(&self, kind: ErrorKind, name: &str, message: impl Into<JsText>) -> CallError {
        // Errors thrown by the JS event-stream iterator carry no `$metadata`; the fields
        // are kept for logs (`kind == Stream` tells the napi layer to leave it out).
        CallError::bare(kind, name, message, &self.meta)
    }

    /// One message → an event (`None`: unknown event, skipped) or the error it carries.
    fn convert(&self, message: &Message) -> Result<Option<Doc>, CallError> {
        let message_type = string_header(message, ":message-type").unwrap_or("");
        let payload = message.payload();
        match message_type {
            "event" => {
                let name = string_header(message, ":event-type").unwrap_or("");
                let Some(shape) = schema::member(CONVERSE_STREAM_OUTPUT, name) else {
                    return Ok(None);
                };
                let value = if payload.is_empty() {
                    Doc::Object(Vec::new())
                } else {
                    wire::parse_shaped(payload, shape).map_err(|e| {
                        let mut err =
                            self.error(ErrorKind::Deserialization, "SyntaxError", e.to_string());
                        err.response_body = Some(payload.to_vec());
                        err
                    })?
                };
                Ok(Some(Doc::object([(name, value)])))
            }
            "exception" => {
                let code = string_header(message, ":exception-type").unwrap_or("");
                Err(self.exception(code, payload))
            }
            "error" => {
                let code = string_header(message, ":error-code")
                    .unwrap_or("")
                    .to_string();
                let text = string_header(message, ":error-message")
                    .filter(|m| !m.is_empty())
                    .unwrap_or("UnknownError")
                    .to_string();
                Err(self.error(ErrorKind::Stream, &code, text))
            }
            _ => {
                let event = string_header(message, ":event-type").unwrap_or("");
                Err(self.error(
                    ErrorKind::Stream,
                    "Error",
                    format!("Unrecognizable event type: {event}"),
                ))
            }
        }
    }

    /// A modelled exception event (`throttlingException`, ...) as the error class it names.
    fn exception(&self, code: &str, payload: &[u8]) -> CallError {
        let Some(shape) = schema::member(CONVERSE_STREAM_OUTPUT, code) else {
            return self.error(
                ErrorKind::Stream,
                code,
                String::from_utf8_lossy(payload).into_owned(),
            );
        };
        let data = if payload.is_empty() {
            Ok(Doc::Object(Vec::new()))
        } else {
            wire::parse_shaped(payload, shape)
        };
        let data = match data {
            Ok(d) => d,
            Err(e) => {
                let mut err = self.error(ErrorKind::Deserialization, "SyntaxError", e.to_string());
                err.response_body = Some(payload.to_vec());
                return err;
            }
        };
        let (name, fault) = match schema::shape(shape) {
            Shape::Struct(name, _) => (*name, schema::modelled_error(name).map(|(fault, _)| fault)),
            _ => (code, None),
        };
        // Lone surrogates kept (`\ud800`), as the JS SDK keeps them.
        let message = data
            .get("message")
            .or_else(|| data.get("Message"))
            .and_then(Doc::js_text)
            .unwrap_or_else(|| "Unknown".into());
        let mut e = self.error(ErrorKind::Stream, name, message);
        e.fault = fault;
        if let Doc::Object(entries) = data {
            e.fields = entries
                .into_iter()
                .filter(|(k, _)| k != "message")
                .collect();
        }
        e
    }
}

/// Total length, headers length, prelude checksum: 4 bytes each.
const PRELUDE_BYTES: usize = 12;

impl futures_core::Stream for EventStream {
    type Item = Result<Doc, CallError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_event(cx)
    }
}
