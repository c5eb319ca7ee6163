//! Unit tests of SigV4 verification: the AWS test-suite vectors, an HTTP/2 JS request,
//! signatures made by `aws-sigv4`, skew and expiry.

use super::*;
use crate::testing::sign_like_the_sdks;

/// Checks a vector of the AWS SigV4 test suite (credentials AKIDEXAMPLE, service
/// `service`, 2015-08-30T12:36:00Z), which exercises canonicalisation independently of
/// any signer implementation.
fn check_vector(request: http::Request<&'static str>, signed_headers: &str, signature: &str) {
    let (mut parts, body) = request.into_parts();
    parts
        .headers
        .insert("x-amz-date", "20150830T123600Z".parse().unwrap());
    let header = format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
         SignedHeaders={signed_headers}, Signature={signature}"
    );
    let auth = parse_authorization(&header).unwrap();
    let signed_at = parse_amz_date("20150830T123600Z").unwrap();
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let expected = expected_signature(
        &parts,
        &auth,
        "20150830T123600Z",
        signed_at,
        secret,
        body.as_bytes(),
    );
    assert_eq!(expected.as_deref(), Some(signature));
}

#[test]
fn aws_sigv4_test_suite_vectors() {
    let get = |uri: &str| http::Request::get(uri).header("host", "example.amazonaws.com");
    check_vector(
        get("/").body("").unwrap(),
        "host;x-amz-date",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
    check_vector(
        get("/?Param2=value2&Param1=value1").body("").unwrap(),
        "host;x-amz-date",
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    );
    check_vector(
        get("/")
            .header("my-header1", " value1")
            .header("my-header2", " \"a   b   c\"")
            .body("")
            .unwrap(),
        "host;my-header1;my-header2;x-amz-date",
        "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    );
    let body = "Param1=value1";
    check_vector(
        http::Request::post("/")
            .header("host", "example.amazonaws.com")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("content-length", "13")
            .header("x-amz-content-sha256", hex_sha256(body.as_bytes()))
            .body(body)
            .unwrap(),
        "content-length;content-type;host;x-amz-content-sha256;x-amz-date",
        "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
    );
}

#[test]
fn canonical_request_of_an_h2_js_request() {
    // The JS SDK over HTTP/2 signs `:authority`; hyper moves it into the URI.
    let (mut parts, _) = http::Request::post("http://127.0.0.1:4000/model/a%3Ab/converse")
        .header("x-amz-date", "20240101T000000Z")
        .body(())
        .unwrap()
        .into_parts();
    parts
        .headers
        .insert("content-type", "application/json".parse().unwrap());
    let canonical =
        canonical_request(&parts, &[":authority", "content-type", "x-amz-date"], b"{}").unwrap();
    let lines: Vec<&str> = canonical.lines().collect();
    assert_eq!(lines[0], "POST");
    assert_eq!(lines[1], "/model/a%253Ab/converse");
    assert_eq!(lines[3], ":authority:127.0.0.1:4000");
    assert_eq!(lines[7], ":authority;content-type;x-amz-date");
}

fn sign_request(secret: &str, time: SystemTime, body: &[u8]) -> http::Request<Vec<u8>> {
    let uri = "http://127.0.0.1:4000/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse";
    let mut request = http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("host", "127.0.0.1:4000")
        .header("content-type", "application/json")
        .header("user-agent", "test-agent")
        .body(body.to_vec())
        .unwrap();
    sign_like_the_sdks(&mut request, uri, body, "AKIDEMULATOR", secret, time);
    request
}

/// The request as the server sees it: an origin-form URI.
fn as_received(request: http::Request<Vec<u8>>) -> (http::request::Parts, Vec<u8>) {
    let (mut parts, body) = request.into_parts();
    parts.uri = parts
        .uri
        .path_and_query()
        .unwrap()
        .as_str()
        .parse()
        .unwrap();
    (parts, body)
}

fn verifier() -> Verifier {
    Verifier::new(
        &[("AKIDEMULATOR".into(), "emulator-secret".into())],
        Some(Duration::from_secs(900)),
    )
}

#[test]
fn accepts_a_good_signature_and_rejects_tampering() {
    let now = SystemTime::now();
    let (parts, body) = as_received(sign_request("emulator-secret", now, b"{}"));
    assert_eq!(verifier().verify(&parts, &body, now), Ok(()));
    assert_eq!(
        verifier().verify(&parts, b"{ }", now).unwrap_err().kind,
        ErrorKind::InvalidSignatureException
    );

    let (wparts, wbody) = as_received(sign_request("other-secret", now, b"{}"));
    assert_eq!(
        verifier().verify(&wparts, &wbody, now).unwrap_err().kind,
        ErrorKind::InvalidSignatureException
    );
}

#[test]
fn expiry_uses_aws_wording() {
    let now = SystemTime::now();
    let then = now - Duration::from_secs(3600);
    let (parts, body) = sign_request("emulator-secret", then, b"{}").into_parts();
    let failure = verifier().verify(&parts, &body, now).unwrap_err();
    assert!(
        failure.message.starts_with("Signature expired: "),
        "{}",
        failure.message
    );
}

#[test]
fn missing_and_unknown_credentials() {
    let (mut parts, _) = http::Request::post("/model/m/converse")
        .body(())
        .unwrap()
        .into_parts();
    let now = SystemTime::now();
    assert_eq!(
        verifier().verify(&parts, b"", now).unwrap_err().kind,
        ErrorKind::MissingAuthenticationTokenException
    );
    parts.headers.insert(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=NOPE/20240101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
            .parse()
            .unwrap(),
    );
    assert_eq!(
        verifier().verify(&parts, b"", now).unwrap_err().kind,
        ErrorKind::UnrecognizedClientException
    );
    parts.headers.insert(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEMULATOR/x"
            .parse()
            .unwrap(),
    );
    assert_eq!(
        verifier().verify(&parts, b"", now).unwrap_err().kind,
        ErrorKind::IncompleteSignatureException
    );
}

#[test]
fn amz_dates_round_trip() {
    let t = parse_amz_date("20240229T235959Z").unwrap();
    assert_eq!(format_amz_date(t), "20240229T235959Z");
    assert_eq!(format_amz_date(UNIX_EPOCH), "19700101T000000Z");
    assert!(parse_amz_date("2024-02-29T23:59Z").is_none());
    assert!(parse_amz_date("20241329T000000Z").is_none());
}
