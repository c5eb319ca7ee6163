//! What both ends of a ConverseStream event stream read in a decoded message: its string
//! headers (`:message-type`, `:event-type`, `:exception-type`, ...).
//!
//! A crate of its own because two crates that must not depend on each other read them: the
//! transport (decoding a response's events) and the emulator's test harness (checking the
//! frames it wrote). The transport may not depend on the emulator, a test tool; the
//! emulator, which the addon also links, should not pull in the transport and the SDK for it.

use aws_smithy_types::event_stream::{HeaderValue, Message};

/// The value of the string header `name`; `None` when it is absent or not a string.
pub fn string_header<'a>(message: &'a Message, name: &str) -> Option<&'a str> {
    message
        .headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| match h.value() {
            HeaderValue::String(s) => Some(s.as_str()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::event_stream::Header;

    #[test]
    fn reads_string_headers_only() {
        let message = Message::new(&b"{}"[..])
            .add_header(Header::new(
                ":event-type",
                HeaderValue::String("messageStart".into()),
            ))
            .add_header(Header::new(":flag", HeaderValue::Bool(true)));
        assert_eq!(string_header(&message, ":event-type"), Some("messageStart"));
        assert_eq!(string_header(&message, ":flag"), None);
        assert_eq!(string_header(&message, ":message-type"), None);
    }
}
