//! Converse over aws-sdk-bedrockruntime, in the JavaScript SDK's shapes.
//!
//! `Transport` sends Converse / ConverseStream through one `aws_sdk_bedrockruntime::Client`;
//! inputs arrive and outputs leave as `Doc` trees shaped exactly like the values
//! `@aws-sdk/client-bedrock-runtime` takes and returns, and failures as `CallError`s that
//! describe what that SDK would throw. No napi here: the addon converts `Doc` ↔ JS values.

// `CallError` is a flat struct the napi layer reads field by field; errors are the cold
// path, so its size in `Result`s is not worth boxing for.
#![allow(clippy::result_large_err)]

mod base64;
mod bounds;
mod call_error;
mod client;
mod config;
mod doc;
mod error;
mod exhaustion;
pub mod input;
mod json;
mod lone_surrogates;
mod no_retry;
mod observe;
mod output;
mod request_writer;
mod schema;
mod schema_gen;
mod send_body;
mod shape;
mod source_chain;
mod stream;
mod trust;
mod user_agent;
mod wire;

pub use bounds::{DEFAULT_MAX_RESPONSE_BYTES, MAX_FRAME_BYTES};
pub use call_error::{CallError, ErrorKind};
pub use client::{ClientSettings, ConfigError, Credentials, NodeTrust, Transport};
pub use doc::Doc;
pub use input::{converse_input, converse_stream_input, ConverseRequest, InputError};
pub use json::JsJson;
pub use output::{converse_output, ResponseMeta};
pub use request_writer::request_body;
pub use schema_gen::JS_SDK_VERSION;
pub use stream::EventStream;
pub use user_agent::UserAgentPair;

/// Re-exported so callers can implement credential providers without naming the crate.
pub use aws_credential_types::provider::ProvideCredentials;
pub use aws_credential_types::Credentials as AwsCredentials;
