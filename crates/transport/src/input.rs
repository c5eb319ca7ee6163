//! A JS `ConverseCommandInput` (as a `Doc`) → the Rust SDK's typed request members, with
//! every member of the current model covered and a precise `InputError` (path + reason)
//! for anything unknown or of the wrong type, instead of a panic or a silent drop. This is
//! the validation of what `Transport` sends; the body itself is written from the `Doc` by
//! `request_writer`, as the JS SDK writes it.
//!
//! Like the JS SDK's serialiser, `undefined`/`null` members count as absent; unlike it,
//! unknown members and missing required members are reported here (the Rust builders need
//! them) rather than left for the service to reject.

mod citations;
mod config;
mod content;
mod document;
mod path;
mod read;

pub use config::{Guardrail, Operation};
pub use document::to_document;
pub use path::InputError;

use config::{
    guardrail_config, inference_config, output_config, performance_config, prompt_variable,
    service_tier_member, tool_config,
};
use content::{message, system_block};
use document::document;
use path::Path;
use read::{built, fields, list, map, opt, string};

use crate::doc::Doc;
use aws_sdk_bedrockruntime::types::{
    InferenceConfiguration, Message, OutputConfig, PerformanceConfiguration, PromptVariableValues,
    ServiceTier, SystemContentBlock, ToolConfiguration,
};
use aws_smithy_types::Document;
use std::collections::HashMap;

/// Every member of a Converse / ConverseStream request except `modelId`, typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConverseRequest {
    pub messages: Option<Vec<Message>>,
    pub system: Option<Vec<SystemContentBlock>>,
    pub inference_config: Option<InferenceConfiguration>,
    pub tool_config: Option<ToolConfiguration>,
    pub guardrail_config: Option<Guardrail>,
    pub additional_model_request_fields: Option<Document>,
    pub prompt_variables: Option<HashMap<String, PromptVariableValues>>,
    pub additional_model_response_field_paths: Option<Vec<String>>,
    pub request_metadata: Option<HashMap<String, String>>,
    pub performance_config: Option<PerformanceConfiguration>,
    pub service_tier: Option<ServiceTier>,
    pub output_config: Option<OutputConfig>,
}

/// The members of the JS `ConverseCommandInput` (`modelId` is accepted and ignored: the
/// model is the caller's `model_id`).
pub const CONVERSE_INPUT_MEMBERS: [&str; 13] = [
    "modelId",
    "messages",
    "system",
    "inferenceConfig",
    "toolConfig",
    "guardrailConfig",
    "additionalModelRequestFields",
    "promptVariables",
    "additionalModelResponseFieldPaths",
    "requestMetadata",
    "performanceConfig",
    "serviceTier",
    "outputConfig",
];

/// Converts a Converse input. `service_tier`, when given, replaces `serviceTier` (the
/// multiplexer stamps `{ type }` on tier escalation).
pub fn converse_input(
    input: &Doc,
    service_tier: Option<&str>,
) -> Result<ConverseRequest, InputError> {
    request(input, service_tier, Operation::Converse)
}

/// Converts a ConverseStream input (its `guardrailConfig` may set `streamProcessingMode`).
pub fn converse_stream_input(
    input: &Doc,
    service_tier: Option<&str>,
) -> Result<ConverseRequest, InputError> {
    request(input, service_tier, Operation::ConverseStream)
}

pub fn request(
    input: &Doc,
    service_tier: Option<&str>,
    op: Operation,
) -> Result<ConverseRequest, InputError> {
    let root = Path::Root;
    let [_model_id, messages, system, inference, tools, guardrail, amrf, prompt_vars, amrfp, metadata, perf, tier, output] =
        fields(input, &root, CONVERSE_INPUT_MEMBERS)?;
    Ok(ConverseRequest {
        messages: opt(messages, &root.key("messages"), |d, p| list(d, p, message))?,
        system: opt(system, &root.key("system"), |d, p| list(d, p, system_block))?,
        inference_config: opt(inference, &root.key("inferenceConfig"), inference_config)?,
        tool_config: opt(tools, &root.key("toolConfig"), tool_config)?,
        guardrail_config: opt(guardrail, &root.key("guardrailConfig"), |d, p| {
            guardrail_config(d, p, op)
        })?,
        additional_model_request_fields: opt(
            amrf,
            &root.key("additionalModelRequestFields"),
            document,
        )?,
        prompt_variables: opt(prompt_vars, &root.key("promptVariables"), |d, p| {
            map(d, p, prompt_variable)
        })?,
        additional_model_response_field_paths: opt(
            amrfp,
            &root.key("additionalModelResponseFieldPaths"),
            |d, p| list(d, p, string),
        )?,
        request_metadata: opt(metadata, &root.key("requestMetadata"), |d, p| {
            map(d, p, string)
        })?,
        performance_config: opt(perf, &root.key("performanceConfig"), performance_config)?,
        service_tier: match service_tier {
            Some(t) => Some(built(
                ServiceTier::builder().r#type(t.into()).build(),
                &root.key("serviceTier"),
            )?),
            None => opt(tier, &root.key("serviceTier"), service_tier_member)?,
        },
        output_config: opt(output, &root.key("outputConfig"), output_config)?,
    })
}

#[cfg(test)]
mod tests;
