//! `EmulatorServer`: the bundled Bedrock emulator (`crates/emulator`), for
//! `bedrock-model-multiplexer/testing`. It runs on its own threads, so a test's
//! event loop (and its fake timers) never drive it.

use bmm_emulator::{Behavior, Emulator, EmulatorHandle, EmulatorOptions, TlsIdentity};
use napi::bindgen_prelude::*;
use serde_json::Value;

#[napi]
pub struct EmulatorServer {
    handle: EmulatorHandle,
}

#[napi]
impl EmulatorServer {
    /// Starts an emulator: `{ port?, host?, tls?: true | { cert, key }, verifySignatures?,
    /// credentials?: [{ accessKeyId, secretAccessKey }], defaultBehavior? }`.
    #[napi(factory, catch_unwind)]
    pub fn start(options: Option<Value>) -> Result<Self> {
        let options = emulator_options(options.unwrap_or(Value::Null))?;
        let handle = Emulator::start(options).map_err(js_error)?;
        Ok(EmulatorServer { handle })
    }

    #[napi(getter, catch_unwind)]
    pub fn endpoint(&self) -> String {
        self.handle.endpoint()
    }

    /// The generated test CA's PEM certificate (`tls: true`); null otherwise.
    #[napi(getter, catch_unwind)]
    pub fn ca_pem(&self) -> Option<String> {
        self.handle.ca_pem().map(str::to_owned)
    }

    #[napi(catch_unwind)]
    pub fn set_behavior(&self, model_id: String, behavior: Value) -> Result<()> {
        let behavior = Behavior::from_value(behavior).map_err(js_error)?;
        self.handle
            .set_behavior(&model_id, behavior)
            .map_err(js_error)
    }

    #[napi(catch_unwind)]
    pub fn requests(&self) -> Result<Value> {
        serde_json::to_value(self.handle.requests()).map_err(js_error)
    }

    #[napi(catch_unwind)]
    pub fn clear_requests(&self) {
        self.handle.clear_requests();
    }

    #[napi(catch_unwind)]
    pub fn connections_open(&self) -> u32 {
        self.handle.connections_open() as u32
    }

    /// `{ requests, connectionsOpen, connectionsTotal, tlsHandshakes, tlsResumedHandshakes }`.
    #[napi(catch_unwind)]
    pub fn stats(&self) -> Result<Value> {
        serde_json::to_value(self.handle.stats()).map_err(js_error)
    }

    #[napi(catch_unwind)]
    pub fn stop(&self) {
        self.handle.stop();
    }
}

/// An emulator failure as the JavaScript `Error` the call throws, with the failure's text.
fn js_error(error: impl std::fmt::Display) -> Error {
    Error::from_reason(error.to_string())
}

fn emulator_options(options: Value) -> Result<EmulatorOptions> {
    let mut out = EmulatorOptions::default();
    let field = |key: &str| options.get(key).filter(|value| !value.is_null());
    if let Some(port) = field("port") {
        out.port = port
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
            .ok_or_else(|| invalid("port", "a port number"))?;
    }
    if let Some(host) = field("host") {
        out.host = host
            .as_str()
            .ok_or_else(|| invalid("host", "a string"))?
            .to_owned();
    }
    if let Some(tls) = field("tls") {
        out.tls = tls_identity(tls)?;
    }
    if let Some(verify) = field("verifySignatures") {
        out.verify_signatures = verify
            .as_bool()
            .ok_or_else(|| invalid("verifySignatures", "a boolean"))?;
    }
    if let Some(credentials) = field("credentials") {
        let pairs = credentials
            .as_array()
            .ok_or_else(|| invalid("credentials", "an array"))?;
        out.credentials = pairs
            .iter()
            .map(|pair| {
                let text = |key: &str| pair.get(key).and_then(Value::as_str).map(str::to_owned);
                text("accessKeyId")
                    .zip(text("secretAccessKey"))
                    .ok_or_else(|| invalid("credentials", "[{ accessKeyId, secretAccessKey }]"))
            })
            .collect::<Result<_>>()?;
    }
    if let Some(behavior) = field("defaultBehavior") {
        out.default_behavior = Behavior::from_value(behavior.clone()).map_err(js_error)?;
    }
    Ok(out)
}

/// `true`: a generated test CA; `{ cert, key }`: the caller's PEM chain and key; `false`: none.
fn tls_identity(tls: &Value) -> Result<Option<TlsIdentity>> {
    if let Some(on) = tls.as_bool() {
        return Ok(on.then_some(TlsIdentity::Generate));
    }
    let pem = |key: &str| tls.get(key).and_then(Value::as_str).map(str::to_owned);
    match (pem("cert"), pem("key")) {
        (Some(cert_chain), Some(private_key)) => Ok(Some(TlsIdentity::Pem {
            cert_chain,
            private_key,
        })),
        _ => Err(invalid("tls", "true, false or { cert, key } (PEM strings)")),
    }
}

fn invalid(key: &str, expected: &str) -> Error {
    Error::from_reason(format!("startEmulator: option {key} must be {expected}"))
}
