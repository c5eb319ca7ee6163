//! Per-request handling of `POST /model/{modelId}/converse[-stream]`: checks the
//! signature, applies the model's behaviour and builds the Bedrock-shaped response.
//! Every failure becomes an error response; nothing here panics on bad input.

use crate::body::{respond, AbandonedCount, ScriptedBody};
use crate::error_kind::ErrorKind;
use crate::eventstream::exception_frame;
use crate::plan::{Decision, ModelPlan};
use crate::record::{Operation, RecordedRequest};
use crate::sigv4;
use crate::state::Shared;
use crate::wire::{self, RequestFacts, ResponseExtras};
use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_LENGTH};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;

/// Request bodies above this are refused (Bedrock's own limit is in the same range).
const MAX_BODY_BYTES: usize = 25 * 1024 * 1024;
const JSON: &str = "application/json";
const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

/// Lets a request tear down the connection it arrived on (the `connectionReset` fault).
#[derive(Default)]
pub(crate) struct ConnControl {
    /// Wakes the connection task, which then drops the connection.
    pub kill: Notify,
    /// Close with RST (SO_LINGER 0) rather than FIN.
    pub reset: AtomicBool,
}

/// What a request's record says of the connection it arrived on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnInfo {
    pub tls: bool,
}

/// The protocol's ALPN name (`h2` also for h2c, which has no ALPN).
fn protocol_name(version: http::Version) -> &'static str {
    match version {
        http::Version::HTTP_2 => "h2",
        http::Version::HTTP_10 => "http/1.0",
        _ => "http/1.1",
    }
}

/// The answer to a request for no operation the emulator serves.
pub(crate) fn unknown_operation(shared: &Shared) -> Response<ScriptedBody> {
    let id = shared.request_id(shared.next_request_seq());
    error_response(
        ErrorKind::UnknownOperationException,
        ErrorKind::UnknownOperationException.default_message(),
        &id,
    )
}

/// Serves one `operation` on `model_id`, already routed by the server. A request whose
/// client goes away before the answer is complete (the future dropped while waiting, or
/// a stream's body dropped before its last event) counts as abandoned.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    conn: Arc<ConnControl>,
    conn_info: ConnInfo,
    model_id: String,
    operation: Operation,
    request: Request<Incoming>,
) -> Response<ScriptedBody> {
    let mut waiting = AbandonedCount::armed(shared.abandoned.clone());
    let mut response = serve(shared, conn, conn_info, model_id, operation, request).await;
    // Answered: from here on, only a streamed body left unfinished counts.
    if let Some(counter) = waiting.disarm() {
        response.body_mut().count_abandonment(counter);
    }
    response
}

async fn serve(
    shared: Arc<Shared>,
    conn: Arc<ConnControl>,
    conn_info: ConnInfo,
    model_id: String,
    operation: Operation,
    request: Request<Incoming>,
) -> Response<ScriptedBody> {
    let (parts, body) = request.into_parts();
    let received_at = SystemTime::now();
    let seq = shared.next_request_seq();
    let request_id = shared.request_id(seq);

    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let message = "Request body could not be read or exceeds the size limit.";
            return error_response(ErrorKind::ValidationException, message, &request_id);
        }
    };
    let json: Option<Value> = serde_json::from_slice(&body).ok();

    let mut record = shared.recorder.enabled().then(|| RecordedRequest {
        seq,
        model_id: model_id.clone(),
        operation,
        body: json.clone().unwrap_or(Value::Null),
        body_text: String::from_utf8_lossy(&body).into_owned(),
        headers: header_map(&parts.headers),
        http_version: format!("{:?}", parts.version),
        protocol: protocol_name(parts.version),
        tls: conn_info.tls,
        signature_verified: false,
        signature_error: None,
        access_key_id: parts
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(sigv4::access_key_id)
            .map(str::to_owned),
        service_tier: None,
        outcome: String::new(),
        status: 0,
        received_at_ms: received_at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64),
        received_at,
    });
    let finish = |record: Option<RecordedRequest>, outcome: &str, status: u16| {
        if let Some(mut r) = record {
            r.outcome = outcome.to_string();
            r.status = status;
            shared.recorder.push(r);
        }
    };

    if shared.verify_signatures {
        if let Err(failure) = shared.verifier.verify(&parts, &body, received_at) {
            if let Some(r) = record.as_mut() {
                r.signature_error = Some(failure.kind.name().to_string());
            }
            finish(record, failure.kind.name(), failure.kind.status());
            return error_response(failure.kind, &failure.message, &request_id);
        }
        if let Some(r) = record.as_mut() {
            r.signature_verified = true;
        }
    }

    let Some(json) = json.filter(Value::is_object) else {
        let kind = ErrorKind::ValidationException;
        finish(record, kind.name(), kind.status());
        return error_response(kind, kind.default_message(), &request_id);
    };
    let facts = wire::read_request(&json);
    drop(json);
    if let Some(r) = record.as_mut() {
        r.service_tier = facts.service_tier.clone();
    }

    let plan = match shared.plan_for(&model_id) {
        Ok(plan) => plan,
        Err(e) => {
            let kind = ErrorKind::InternalServerException;
            finish(record, kind.name(), kind.status());
            return error_response(kind, &format!("emulator: {e}"), &request_id);
        }
    };
    let (decision, fault) = plan.decide(operation, facts.service_tier.as_deref());
    let label = decision.label(fault);

    if decision == Decision::Reset {
        finish(record, label, 0);
        conn.reset.store(true, Ordering::Release);
        conn.kill.notify_one();
        // The connection task drops this future together with the connection.
        return std::future::pending().await;
    }
    let latency = if decision == Decision::Slow {
        plan.slow_latency
    } else {
        plan.latency
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = match (&decision, operation) {
        (Decision::Error(kind, message), _) => with_retry_after(
            error_response(*kind, message, &request_id),
            plan.behavior.retry_after.as_deref(),
        ),
        (_, Operation::Converse) => converse_response(&plan, &facts, &decision, &request_id),
        (_, Operation::ConverseStream) => stream_response(&plan, &facts, &decision, &request_id),
    };
    finish(record, label, response.status().as_u16());
    response
}

/// An error answer with the behaviour's `Retry-After` header, when it has one.
fn with_retry_after(
    mut response: Response<ScriptedBody>,
    retry_after: Option<&str>,
) -> Response<ScriptedBody> {
    if let Some(value) = retry_after.and_then(|text| HeaderValue::from_str(text).ok()) {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

fn header_map(headers: &http::HeaderMap) -> BTreeMap<String, String> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        map.entry(name.as_str().to_string())
            .and_modify(|existing| {
                existing.push_str(", ");
                existing.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }
    map
}

fn extras<'a>(
    plan: &ModelPlan,
    facts: &'a RequestFacts,
    output_chars: usize,
) -> ResponseExtras<'a> {
    ResponseExtras {
        usage: plan.usage(facts, output_chars),
        latency_ms: plan.behavior.latency_ms,
        service_tier: facts.service_tier.as_deref(),
        performance_config: facts.performance_config.as_ref(),
    }
}

fn converse_response(
    plan: &ModelPlan,
    facts: &RequestFacts,
    decision: &Decision,
    request_id: &str,
) -> Response<ScriptedBody> {
    let (content, output_chars) = plan.converse_content(facts);
    let body = wire::converse_body(
        &content,
        plan.stop_reason_json(),
        plan.amrf_json(),
        &extras(plan, facts, output_chars),
    );
    match decision {
        Decision::Malformed => {
            // Half of a JSON object never closes: a 200 the SDK cannot parse.
            let cut = floor_char_boundary(&body, body.len() / 2);
            respond(
                StatusCode::OK,
                JSON,
                request_id,
                ScriptedBody::full(body[..cut].to_string()),
            )
        }
        Decision::Truncated => {
            let full_len = body.len();
            let cut = floor_char_boundary(&body, full_len / 2);
            let part = Bytes::copy_from_slice(&body.as_bytes()[..cut]);
            let mut response = respond(
                StatusCode::OK,
                JSON,
                request_id,
                ScriptedBody::aborting(vec![part], Default::default()),
            );
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(full_len));
            response
        }
        _ => respond(StatusCode::OK, JSON, request_id, ScriptedBody::full(body)),
    }
}

fn stream_response(
    plan: &ModelPlan,
    facts: &RequestFacts,
    decision: &Decision,
    request_id: &str,
) -> Response<ScriptedBody> {
    let built = plan
        .stream_frames(facts)
        .and_then(|(frames, output_chars)| {
            let mut all = Vec::with_capacity(frames.len() + 1);
            all.extend(frames.iter().cloned());
            all.push(wire::metadata_frame(&extras(plan, facts, output_chars))?);
            Ok(all)
        });
    let mut frames = match built {
        Ok(frames) => frames,
        Err(e) => {
            return error_response(
                ErrorKind::InternalServerException,
                &format!("emulator: {e}"),
                request_id,
            )
        }
    };
    let gap = plan.event_delay;
    let body = match decision {
        Decision::Malformed => {
            frames.truncate(1);
            match wire::malformed_delta_frame() {
                Ok(bad) => frames.push(bad),
                Err(e) => {
                    return error_response(ErrorKind::InternalServerException, &e, request_id)
                }
            }
            ScriptedBody::stream(frames, gap)
        }
        Decision::Truncated => {
            // Whole frames for the first half, then half a frame, then the connection drops.
            let keep = (frames.len() / 2).max(1);
            let next = frames.get(keep).cloned();
            frames.truncate(keep);
            if let Some(next) = next {
                frames.push(next.slice(..next.len() / 2));
            }
            ScriptedBody::aborting(frames, gap)
        }
        Decision::StreamBreak {
            events,
            exception,
            message,
        } => {
            frames.truncate(*events);
            match exception_frame(exception.event_name(), wire::error_body(message)) {
                Ok(frame) => frames.push(frame),
                Err(e) => {
                    return error_response(ErrorKind::InternalServerException, &e, request_id)
                }
            }
            paced(frames, gap)
        }
        _ => paced(frames, gap),
    };
    respond(StatusCode::OK, EVENT_STREAM, request_id, body)
}

/// Without pacing, the frames go out as one chunk: one write instead of one per event.
fn paced(frames: Vec<Bytes>, gap: std::time::Duration) -> ScriptedBody {
    if gap.is_zero() {
        let joined: Vec<u8> = frames.concat();
        ScriptedBody::stream(vec![Bytes::from(joined)], gap)
    } else {
        ScriptedBody::stream(frames, gap)
    }
}

fn floor_char_boundary(s: &str, mut index: usize) -> usize {
    while index > 0 && !s.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// A Bedrock error: status, `x-amzn-errortype` and `{"message": ...}`.
pub(crate) fn error_response(
    kind: ErrorKind,
    message: &str,
    request_id: &str,
) -> Response<ScriptedBody> {
    let status = StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = respond(
        status,
        JSON,
        request_id,
        ScriptedBody::full(wire::error_body(message)),
    );
    if let Ok(error_type) = HeaderValue::from_str(&kind.error_type_header()) {
        response
            .headers_mut()
            .insert("x-amzn-errortype", error_type);
    }
    response
}
