//! An unsigned control API under `/__emulator/` so a process that did not start the
//! emulator (a benchmark driving the `bedrock-emulator` binary) can change behaviours and
//! read the request log:
//!
//! - `PUT /__emulator/behaviors` — body: a BehaviorSet, replaces every behaviour
//! - `PUT /__emulator/behaviors/{modelId}` — body: a Behavior for one model
//! - `PUT /__emulator/default-behavior` — body: the Behavior of models without their own
//! - `DELETE /__emulator/behaviors` — back to the start-up behaviours
//! - `GET /__emulator/requests`, `DELETE /__emulator/requests` — the request log
//! - `GET /__emulator/stats` — request, connection and TLS handshake counters

use crate::behavior::{Behavior, BehaviorSet};
use crate::body::{respond, ScriptedBody};
use crate::percent;
use crate::state::Shared;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

pub(crate) const PREFIX: &str = "/__emulator/";
const MAX_CONTROL_BODY: usize = 4 * 1024 * 1024;

pub(crate) async fn handle(shared: &Shared, request: Request<Incoming>) -> Response<ScriptedBody> {
    let path = request.uri().path().trim_start_matches(PREFIX).to_string();
    let method = request.method().clone();
    let body = match Limited::new(request.into_body(), MAX_CONTROL_BODY)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return reply(
                StatusCode::BAD_REQUEST,
                r#"{"error":"unreadable body"}"#.to_string(),
            )
        }
    };
    let text = String::from_utf8_lossy(&body);
    let result: Result<Option<String>, String> = match (method, path.as_str()) {
        (Method::PUT, "behaviors") => BehaviorSet::from_json(&text)
            .and_then(|set| shared.apply_behavior_set(set))
            .map(|_| None)
            .map_err(|e| e.to_string()),
        (Method::DELETE, "behaviors") => {
            shared.reset_behaviors();
            Ok(None)
        }
        (Method::PUT, "default-behavior") => Behavior::from_json(&text)
            .and_then(|b| shared.set_default_behavior(b))
            .map(|_| None)
            .map_err(|e| e.to_string()),
        (Method::PUT, p) if p.starts_with("behaviors/") => {
            let model = percent::decode_lossy(&p["behaviors/".len()..]);
            Behavior::from_json(&text)
                .and_then(|b| shared.set_behavior(&model, b))
                .map(|_| None)
                .map_err(|e| e.to_string())
        }
        (Method::DELETE, p) if p.starts_with("behaviors/") => {
            shared.remove_behavior(&percent::decode_lossy(&p["behaviors/".len()..]));
            Ok(None)
        }
        (Method::GET, "requests") => serde_json::to_string(&shared.recorder.snapshot())
            .map(Some)
            .map_err(|e| e.to_string()),
        (Method::DELETE, "requests") => {
            shared.recorder.clear();
            Ok(None)
        }
        (Method::GET, "stats") => serde_json::to_string(&shared.stats())
            .map(Some)
            .map_err(|e| e.to_string()),
        _ => {
            return reply(
                StatusCode::NOT_FOUND,
                r#"{"error":"unknown control endpoint"}"#.to_string(),
            )
        }
    };
    match result {
        Ok(Some(json)) => reply(StatusCode::OK, json),
        Ok(None) => reply(StatusCode::NO_CONTENT, String::new()),
        Err(e) => reply(
            StatusCode::BAD_REQUEST,
            format!(r#"{{"error":{}}}"#, bmm_js::json::json_string(&e)),
        ),
    }
}

fn reply(status: StatusCode, body: String) -> Response<ScriptedBody> {
    let body = if body.is_empty() {
        ScriptedBody::empty()
    } else {
        ScriptedBody::full(body)
    };
    respond(status, "application/json", "control", body)
}
