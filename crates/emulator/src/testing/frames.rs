//! Event streams decoded into messages, and the header and JSON payload of one.

use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
use aws_smithy_types::event_stream::Message;
use bmm_eventstream::string_header;
use bytes::BytesMut;
use serde_json::Value;

/// Decodes an event stream into messages; panics on a malformed or incomplete frame.
pub fn decode_frames(bytes: &[u8]) -> Vec<Message> {
    let mut decoder = MessageFrameDecoder::new();
    let mut buf = BytesMut::from(bytes);
    let mut out = Vec::new();
    while !buf.is_empty() {
        match decoder.decode_frame(&mut buf).expect("valid frame") {
            DecodedFrame::Complete(message) => out.push(message),
            DecodedFrame::Incomplete => panic!("incomplete frame at end of stream"),
        }
    }
    out
}

/// The string header `name` of `message`, or `""`.
pub fn header_str<'a>(message: &'a Message, name: &str) -> &'a str {
    string_header(message, name).unwrap_or("")
}

/// The `:event-type` of each message, in order.
pub fn event_types(messages: &[Message]) -> Vec<&str> {
    messages
        .iter()
        .map(|m| header_str(m, ":event-type"))
        .collect()
}

pub fn payload_json(message: &Message) -> Value {
    serde_json::from_slice(message.payload()).expect("JSON payload")
}
