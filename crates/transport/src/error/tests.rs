use super::network::unreachable;
use super::sdk::timeout_message;
use super::service::service_error;
use crate::call_error::{CallError, ErrorKind};
use crate::doc::{Doc, JsText};
use crate::output::ResponseMeta;
use aws_smithy_runtime_api::http::Headers;
use std::time::Duration;

fn headers(pairs: &[(&str, &str)]) -> Headers {
    let mut h = Headers::new();
    for (k, v) in pairs {
        h.insert(k.to_string(), v.to_string());
    }
    h
}

fn meta() -> ResponseMeta {
    ResponseMeta {
        attempts: 2,
        total_retry_delay_ms: 12.0,
        ..ResponseMeta::from_response(429, |h| (h == "x-amzn-requestid").then(|| "rid".into()))
    }
}

#[test]
fn modelled_error_from_header() {
    let e = service_error(
        429,
        &headers(&[(
            "x-amzn-errortype",
            "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
        )]),
        br#"{"message":"slow down"}"#,
        &meta(),
    );
    assert_eq!(
        (e.name.as_str(), e.message.as_str(), e.fault),
        ("ThrottlingException", "slow down", Some("client"))
    );
    assert_eq!(
        (
            e.meta.http_status_code,
            e.meta.request_id.as_deref(),
            e.meta.attempts
        ),
        (Some(429), Some("rid"), 2)
    );
    assert!(e.fields.is_empty());
    assert!(e.is_throttling());
    assert_eq!(
        e.metadata().to_tagged_json(),
        r#"{"httpStatusCode":429,"requestId":"rid","extendedRequestId":{"$undefined":true},"cfId":{"$undefined":true},"attempts":2,"totalRetryDelay":12}"#
    );
}

#[test]
fn modelled_members_and_extra_fields() {
    let e = service_error(
        424,
        &headers(&[("x-amzn-errortype", "ModelErrorException")]),
        br#"{"Message":"m","originalStatusCode":500,"extra":true}"#,
        &meta(),
    );
    assert_eq!(e.message, "m");
    assert_eq!(
        Doc::Object(e.fields.clone()).to_tagged_json(),
        r#"{"originalStatusCode":500,"resourceName":{"$undefined":true},"extra":true}"#
    );
}

#[test]
fn unmodelled_and_code_from_body() {
    let e = service_error(
        403,
        &headers(&[]),
        br#"{"__type":"com.amazon.coral#InvalidSignatureException","message":"sig"}"#,
        &meta(),
    );
    assert_eq!(
        (e.name.as_str(), e.fault),
        ("InvalidSignatureException", Some("client"))
    );
    let e = service_error(503, &headers(&[]), br#"{"Code":"Weird"}"#, &meta());
    assert_eq!(
        (e.name.as_str(), e.message.as_str(), e.fault),
        ("Weird", "UnknownError", Some("server"))
    );
    let e = service_error(500, &headers(&[]), b"", &meta());
    assert_eq!(e.name, "Unknown");
}

/// Every error response recorded from the JS SDK (scripts/gen-fixtures.js) maps to the
/// same name, message, `$fault`, `$metadata` and other own properties.
#[test]
fn errors_match_the_js_sdk_fixtures() {
    let fixtures = Doc::from_json(include_bytes!("../../tests/fixtures/js-sdk.json")).unwrap();
    let cases = fixtures.get("errors").and_then(Doc::as_array).unwrap();
    assert!(cases.len() >= 7);
    for case in cases {
        let name = case.get("name").and_then(Doc::as_str).unwrap();
        let status = case.get("status").and_then(Doc::as_f64).unwrap() as u16;
        let mut h = vec![("x-amzn-requestid".to_string(), "req-2".to_string())];
        for (k, v) in case.get("headers").and_then(Doc::as_object).unwrap() {
            h.push((k.to_string(), v.as_str().unwrap().to_string()));
        }
        let pairs: Vec<(&str, &str)> = h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let meta = ResponseMeta {
            attempts: 1,
            ..ResponseMeta::from_response(status, |n| {
                h.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone())
            })
        };
        let body = case.get("body").and_then(Doc::as_str).unwrap();
        let ours = service_error(status, &headers(&pairs), body.as_bytes(), &meta);
        let js = case.get("js").unwrap();
        assert_eq!(
            Some(ours.name.as_str()),
            js.get("name").and_then(Doc::as_str),
            "{name}"
        );
        assert_eq!(
            Some(ours.message.as_str()),
            js.get("message").and_then(Doc::as_str),
            "{name}"
        );
        assert_eq!(
            ours.fault,
            js.get("$fault")
                .and_then(Doc::as_str)
                .map(|f| if f == "client" { "client" } else { "server" }),
            "{name}"
        );
        assert_eq!(
            ours.metadata().to_tagged_json(),
            js.get("$metadata").unwrap().to_tagged_json(),
            "{name}"
        );
        let rest: Vec<(JsText, Doc)> = js
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "name" | "message" | "$fault" | "$retryable" | "$metadata"
                )
            })
            .cloned()
            .collect();
        assert_eq!(
            Doc::Object(ours.fields.clone()).to_tagged_json(),
            Doc::Object(rest).to_tagged_json(),
            "{name}"
        );
    }
}

#[test]
fn an_attempt_timeout_is_worded_as_the_js_sdk_words_its_request_timeout() {
    assert_eq!(
        timeout_message(Some(Duration::from_millis(1500))),
        "Stream timed out because of no activity for 1500 ms"
    );
    assert_eq!(timeout_message(None), "Request timed out");
}

#[test]
fn an_unreachable_host_is_a_cancelled_stream_caused_by_the_socket_error() {
    let cause = CallError::bare(
        ErrorKind::Network,
        "Error",
        "getaddrinfo ENOTFOUND example.invalid".to_string(),
        &ResponseMeta::default(),
    );
    let e = unreachable(cause, &meta());
    assert_eq!(
        (e.name.as_str(), e.code.as_deref(), e.kind, e.meta.attempts),
        (
            "Error",
            Some("ERR_HTTP2_STREAM_CANCEL"),
            ErrorKind::Network,
            2
        )
    );
    assert_eq!(
        e.message,
        "The pending stream has been canceled (caused by: getaddrinfo ENOTFOUND example.invalid)"
    );
    assert_eq!(
        e.cause.map(|c| c.message).as_deref(),
        Some("getaddrinfo ENOTFOUND example.invalid")
    );
}

#[test]
fn unparseable_error_body_is_a_syntax_error() {
    let e = service_error(502, &headers(&[]), b"<html>bad gateway</html>", &meta());
    assert_eq!(
        (e.name.as_str(), e.fault, e.kind),
        ("SyntaxError", None, ErrorKind::Deserialization)
    );
    assert!(e.message.ends_with("on this object."));
    assert_eq!(
        e.response_body.as_deref(),
        Some(&b"<html>bad gateway</html>"[..])
    );
}

#[test]
fn an_error_body_escaping_lone_surrogates_is_read_as_json_parse_reads_it() {
    let body = br#"{"message":"bad \ud800","\udbff":"lone key"}"#;
    let pairs = [("x-amzn-errortype", "ValidationException")];
    let e = service_error(400, &headers(&pairs), body, &ResponseMeta::default());
    assert_eq!(e.kind, ErrorKind::Service);
    assert_eq!(e.name, "ValidationException");
    assert_eq!(
        e.message.ill_formed_units(),
        Some(&[0x62, 0x61, 0x64, 0x20, 0xd800][..])
    );
    assert_eq!(
        e.fields.last(),
        Some(&(JsText::from_utf16(&[0xdbff]), Doc::from("lone key")))
    );
}

#[test]
fn an_error_code_holding_a_lone_surrogate_is_sanitized_and_kept_as_the_name() {
    let body = br#"{"__type":"aws.protocol#Odd\udc00Exception:http://x","message":"m"}"#;
    let e = service_error(400, &headers(&[]), body, &ResponseMeta::default());
    let mut expected: Vec<u16> = "Odd".encode_utf16().collect();
    expected.push(0xdc00);
    expected.extend("Exception".encode_utf16());
    assert_eq!(e.name, JsText::from_utf16(&expected));
    assert_eq!(e.fault, Some("client"));
    // The same sanitising as for well-formed codes.
    let plain = br#"{"code":"a,b","__type":"x#Plain#y:z"}"#;
    let e = service_error(400, &headers(&[]), plain, &ResponseMeta::default());
    assert_eq!(e.name, "a");
    let e = service_error(
        400,
        &headers(&[]),
        br#"{"__type":"x#Plain#y:z"}"#,
        &ResponseMeta::default(),
    );
    assert_eq!(e.name, "Plain");
}
