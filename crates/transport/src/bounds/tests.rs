use super::*;
use crate::source_chain::find_source;

async fn read(body: SdkBody) -> Result<Bytes, aws_smithy_types::body::Error> {
    use http_body_util::BodyExt;
    Ok(body.collect().await?.to_bytes())
}

#[test]
fn a_declared_length_over_the_limit_is_refused_unread() {
    let refused = bounded_whole(SdkBody::empty(), Some("2147483648"), 1024).err();
    assert_eq!(
        refused.map(|e| (e.bound, e.size)),
        Some((Bound::DeclaredBody, 2147483648))
    );
    assert!(bounded_whole(SdkBody::empty(), Some("1024"), 1024).is_ok());
    assert!(bounded_whole(SdkBody::empty(), Some("lies"), 1024).is_ok());
    assert!(bounded_whole(SdkBody::empty(), None, 1024).is_ok());
}

#[tokio::test]
async fn a_body_longer_than_the_limit_fails_while_read() {
    // Declared short (or not at all), sent long.
    for declared in [Some("10"), None] {
        let body = bounded_whole(SdkBody::from(vec![b'x'; 2000]), declared, 1999).unwrap();
        let error = read(body).await.unwrap_err();
        let too_large = find_source::<TooLarge>(error.as_ref()).expect("TooLarge in the chain");
        assert_eq!(
            (too_large.bound, too_large.limit, too_large.size),
            (Bound::ReadBody, 1999, 2000)
        );
    }
}

#[tokio::test]
async fn a_body_within_the_limit_arrives_whole() {
    let chunks = SdkBody::from_body_1_x(Chunks(vec![&b"ab"[..], b"cd", b"e"].into()));
    let body = bounded_whole(chunks, Some("5"), 5).unwrap();
    assert_eq!(&read(body).await.unwrap()[..], b"abcde");
    let empty = bounded_whole(SdkBody::empty(), Some("0"), 5).unwrap();
    assert_eq!(read(empty).await.unwrap().len(), 0);
}

/// A body arriving in several chunks.
struct Chunks(std::collections::VecDeque<&'static [u8]>);

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(
            self.0
                .pop_front()
                .map(|c| Ok(http_body::Frame::data(Bytes::from_static(c)))),
        )
    }
}

#[test]
fn the_error_names_the_bound() {
    let e = TooLarge {
        bound: Bound::Frame,
        limit: MAX_FRAME_BYTES,
        size: 4_000_000_000,
    }
    .call_error(&ResponseMeta::default());
    assert_eq!(
        (e.name.as_str(), e.code.as_deref(), e.kind),
        (
            "ResponseTooLargeError",
            Some("ERR_EVENT_FRAME_TOO_LARGE"),
            ErrorKind::TooLarge
        )
    );
    assert_eq!(
        Doc::Object(e.fields).to_tagged_json(),
        r#"{"code":"ERR_EVENT_FRAME_TOO_LARGE","limit":16777216,"size":4000000000}"#
    );
    assert_eq!(
        e.message,
        "Event-stream frame of 4000000000 bytes exceeds the format's limit of 16777216 bytes"
    );
}
