//! Event-stream framing (`application/vnd.amazon.eventstream`) of ConverseStream events
//! and exceptions, through smithy-rs's own codec so prelude/message CRCs are right.

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use bytes::Bytes;

/// One `:message-type: event` frame carrying a JSON payload.
pub(crate) fn event_frame(
    event_type: &'static str,
    payload: impl Into<Bytes>,
) -> Result<Bytes, String> {
    json_frame("event", (":event-type", event_type), payload.into())
}

/// One `:message-type: exception` frame; the SDKs pick the error shape from
/// `:exception-type` and read `message` from the JSON payload.
pub(crate) fn exception_frame(
    exception_type: &'static str,
    payload: impl Into<Bytes>,
) -> Result<Bytes, String> {
    json_frame(
        "exception",
        (":exception-type", exception_type),
        payload.into(),
    )
}

/// A frame of `message_type` with a JSON payload, its headers in the service's order: the
/// type header (`:event-type` / `:exception-type`), `:content-type`, `:message-type`.
fn json_frame(
    message_type: &'static str,
    (type_header, type_name): (&'static str, &'static str),
    payload: Bytes,
) -> Result<Bytes, String> {
    encode(
        Message::new(payload)
            .add_header(string_header(type_header, type_name))
            .add_header(string_header(":content-type", "application/json"))
            .add_header(string_header(":message-type", message_type)),
    )
}

fn string_header(name: &'static str, value: &'static str) -> Header {
    Header::new(name, HeaderValue::String(value.into()))
}

fn encode(message: Message) -> Result<Bytes, String> {
    let mut out = Vec::with_capacity(message.payload().len() + 96);
    write_message_to(&message, &mut out)
        .map_err(|e| format!("event-stream encoding failed: {e}"))?;
    Ok(Bytes::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_eventstream::frame::{read_message_from, DecodedFrame, MessageFrameDecoder};

    #[test]
    fn frames_round_trip_through_the_smithy_decoder() {
        let frame = event_frame("messageStart", r#"{"role":"assistant"}"#).unwrap();
        let message = read_message_from(&frame[..]).unwrap();
        assert_eq!(message.payload().as_ref(), br#"{"role":"assistant"}"#);
        let names: Vec<_> = message
            .headers()
            .iter()
            .map(|h| h.name().as_str().to_string())
            .collect();
        assert_eq!(names, [":event-type", ":content-type", ":message-type"]);

        let mut decoder = MessageFrameDecoder::new();
        let mut buf =
            bytes::BytesMut::from(&exception_frame("throttlingException", "{}").unwrap()[..]);
        match decoder.decode_frame(&mut buf).unwrap() {
            DecodedFrame::Complete(m) => assert_eq!(m.payload().as_ref(), b"{}"),
            DecodedFrame::Incomplete => panic!("frame should be complete"),
        }
    }
}
