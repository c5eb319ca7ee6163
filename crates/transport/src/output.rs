//! Converse responses as the JavaScript SDK's `ConverseCommandOutput`: the members of the
//! response body in its schema order, then `$metadata`.

use crate::doc::Doc;
use crate::schema::CONVERSE_RESPONSE;
use crate::wire;

/// What the JS SDK puts in `$metadata`: read from the final HTTP response plus the retry
/// loop's counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseMeta {
    /// `None` when no HTTP response was received (network errors, timeouts).
    pub http_status_code: Option<u16>,
    /// `x-amzn-requestid`, else `x-amzn-request-id`, else `x-amz-request-id`.
    pub request_id: Option<String>,
    /// `x-amz-id-2`.
    pub extended_request_id: Option<String>,
    /// `x-amz-cf-id`.
    pub cf_id: Option<String>,
    pub attempts: u32,
    /// Sum of the backoff delays slept between attempts, in whole milliseconds.
    pub total_retry_delay_ms: f64,
}

impl ResponseMeta {
    /// Reads the header-derived fields the way `deserializeMetadata` does.
    pub fn from_response(status: u16, header: impl Fn(&str) -> Option<String>) -> ResponseMeta {
        ResponseMeta {
            http_status_code: Some(status),
            request_id: header("x-amzn-requestid")
                .or_else(|| header("x-amzn-request-id"))
                .or_else(|| header("x-amz-request-id")),
            extended_request_id: header("x-amz-id-2"),
            cf_id: header("x-amz-cf-id"),
            attempts: 0,
            total_retry_delay_ms: 0.0,
        }
    }

    /// The `$metadata` object. After a response: `httpStatusCode, requestId,
    /// extendedRequestId, cfId` (absent headers as `undefined`, keys present), then the retry
    /// middleware's `attempts, totalRetryDelay`. Without a response only the last two exist.
    pub fn to_doc(&self) -> Doc {
        let opt = |v: &Option<String>| {
            v.as_ref()
                .map_or(Doc::Undefined, |s| Doc::String(s.clone()))
        };
        let mut entries = Vec::with_capacity(6);
        if let Some(status) = self.http_status_code {
            entries.push(("httpStatusCode".into(), Doc::Number(f64::from(status))));
            entries.push(("requestId".into(), opt(&self.request_id)));
            entries.push(("extendedRequestId".into(), opt(&self.extended_request_id)));
            entries.push(("cfId".into(), opt(&self.cf_id)));
        }
        entries.push(("attempts".into(), Doc::Number(f64::from(self.attempts))));
        entries.push((
            "totalRetryDelay".into(),
            Doc::Number(self.total_retry_delay_ms),
        ));
        Doc::Object(entries)
    }
}

/// The JS SDK's `ConverseCommandOutput` for a successful response body.
///
/// Works from the raw body rather than the Rust SDK's typed `ConverseOutput` because the
/// typed form cannot reproduce the JS object: it drops unknown union members (JS keeps
/// `{ $unknown: [name, value] }`), and its member order is not the JS schema order.
/// An empty body gives `{ $metadata }` like the JS SDK; a body that is not JSON is an error.
pub fn converse_output(body: &[u8], meta: &ResponseMeta) -> Result<Doc, serde_json::Error> {
    let mut out = if body.is_empty() {
        Doc::Object(Vec::with_capacity(1))
    } else {
        wire::parse_shaped(body, CONVERSE_RESPONSE)?
    };
    if let Doc::Object(entries) = &mut out {
        entries.push(("$metadata".into(), meta.to_doc()));
    } else {
        // A JSON body that is not an object (`[]`, `"x"`): JS spreads nothing of it.
        out = Doc::object([("$metadata", meta.to_doc())]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> ResponseMeta {
        ResponseMeta {
            attempts: 1,
            ..ResponseMeta::from_response(200, |h| {
                (h == "x-amzn-requestid").then(|| "rid".to_string())
            })
        }
    }

    #[test]
    fn metadata_comes_last_with_undefined_headers() {
        let out = converse_output(
            br#"{"stopReason":"end_turn","metrics":{"latencyMs":5}}"#,
            &meta(),
        )
        .unwrap();
        assert_eq!(
            out.to_tagged_json(),
            r#"{"stopReason":"end_turn","metrics":{"latencyMs":5},"$metadata":{"httpStatusCode":200,"requestId":"rid","extendedRequestId":{"$undefined":true},"cfId":{"$undefined":true},"attempts":1,"totalRetryDelay":0}}"#
        );
    }

    #[test]
    fn empty_and_non_object_bodies() {
        let expected = r#"{"$metadata":{"httpStatusCode":200,"requestId":"rid","extendedRequestId":{"$undefined":true},"cfId":{"$undefined":true},"attempts":1,"totalRetryDelay":0}}"#;
        assert_eq!(
            converse_output(b"", &meta()).unwrap().to_tagged_json(),
            expected
        );
        assert_eq!(
            converse_output(b"[1]", &meta()).unwrap().to_tagged_json(),
            expected
        );
        assert!(converse_output(b"{\"output\":", &meta()).is_err());
    }

    #[test]
    fn metadata_without_a_response() {
        let meta = ResponseMeta {
            attempts: 3,
            total_retry_delay_ms: 42.0,
            ..Default::default()
        };
        assert_eq!(
            meta.to_doc().to_tagged_json(),
            r#"{"attempts":3,"totalRetryDelay":42}"#
        );
    }
}
