//! The configuration members of a request: inference, tools, guardrails (the one place
//! Converse and ConverseStream differ), prompt variables, performance, service tier, output.

use super::content::cache_point;
use super::document::document;
use super::path::{InputError, Path};
use super::read::{
    boolean, built, enum_value, fields, float, int, list, opt, required, string, union,
};
use crate::doc::Doc;
use aws_sdk_bedrockruntime::types::{
    AnyToolChoice, AutoToolChoice, GuardrailConfiguration, GuardrailStreamConfiguration,
    InferenceConfiguration, JsonSchemaDefinition, OutputConfig, OutputFormat,
    OutputFormatStructure, PerformanceConfiguration, PromptVariableValues, ServiceTier,
    SpecificToolChoice, SystemTool, Tool, ToolChoice, ToolConfiguration, ToolInputSchema,
    ToolSpecification,
};

/// Which operation the input is for: they differ only in `guardrailConfig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Converse,
    ConverseStream,
}

/// The guardrail settings of either operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Guardrail {
    Converse(GuardrailConfiguration),
    Stream(GuardrailStreamConfiguration),
}

pub(super) fn inference_config(
    doc: &Doc,
    path: &Path,
) -> Result<InferenceConfiguration, InputError> {
    let [max_tokens, temperature, top_p, stop] = fields(
        doc,
        path,
        ["maxTokens", "temperature", "topP", "stopSequences"],
    )?;
    Ok(InferenceConfiguration::builder()
        .set_max_tokens(opt(max_tokens, &path.key("maxTokens"), int)?)
        .set_temperature(opt(temperature, &path.key("temperature"), float)?)
        .set_top_p(opt(top_p, &path.key("topP"), float)?)
        .set_stop_sequences(opt(stop, &path.key("stopSequences"), |d, p| {
            list(d, p, string)
        })?)
        .build())
}

pub(super) fn tool_config(doc: &Doc, path: &Path) -> Result<ToolConfiguration, InputError> {
    let [tools, choice] = fields(doc, path, ["tools", "toolChoice"])?;
    let tools_path = path.key("tools");
    let tools = list(required(tools, &tools_path)?, &tools_path, tool)?;
    let choice = opt(choice, &path.key("toolChoice"), tool_choice)?;
    built(
        ToolConfiguration::builder()
            .set_tools(Some(tools))
            .set_tool_choice(choice)
            .build(),
        path,
    )
}

fn tool(doc: &Doc, path: &Path) -> Result<Tool, InputError> {
    let (i, v) = union(doc, path, ["toolSpec", "systemTool", "cachePoint"])?;
    match i {
        0 => {
            let p = path.key("toolSpec");
            let [name, description, schema, strict] =
                fields(v, &p, ["name", "description", "inputSchema", "strict"])?;
            let name = string(required(name, &p.key("name"))?, &p.key("name"))?;
            let schema = opt(schema, &p.key("inputSchema"), |d, p| {
                let (_, json) = union(d, p, ["json"])?;
                Ok(ToolInputSchema::Json(document(json, &p.key("json"))?))
            })?;
            Ok(Tool::ToolSpec(built(
                ToolSpecification::builder()
                    .name(name)
                    .set_description(opt(description, &p.key("description"), string)?)
                    .set_input_schema(schema)
                    .set_strict(opt(strict, &p.key("strict"), boolean)?)
                    .build(),
                &p,
            )?))
        }
        1 => {
            let p = path.key("systemTool");
            let [name] = fields(v, &p, ["name"])?;
            let name = string(required(name, &p.key("name"))?, &p.key("name"))?;
            Ok(Tool::SystemTool(built(
                SystemTool::builder().name(name).build(),
                &p,
            )?))
        }
        _ => Ok(Tool::CachePoint(cache_point(v, &path.key("cachePoint"))?)),
    }
}

fn tool_choice(doc: &Doc, path: &Path) -> Result<ToolChoice, InputError> {
    let (i, v) = union(doc, path, ["auto", "any", "tool"])?;
    match i {
        0 => {
            fields(v, &path.key("auto"), [])?;
            Ok(ToolChoice::Auto(AutoToolChoice::builder().build()))
        }
        1 => {
            fields(v, &path.key("any"), [])?;
            Ok(ToolChoice::Any(AnyToolChoice::builder().build()))
        }
        _ => {
            let p = path.key("tool");
            let [name] = fields(v, &p, ["name"])?;
            let name = string(required(name, &p.key("name"))?, &p.key("name"))?;
            Ok(ToolChoice::Tool(built(
                SpecificToolChoice::builder().name(name).build(),
                &p,
            )?))
        }
    }
}

pub(super) fn guardrail_config(
    doc: &Doc,
    path: &Path,
    op: Operation,
) -> Result<Guardrail, InputError> {
    let [id, version, trace, mode] = fields(
        doc,
        path,
        [
            "guardrailIdentifier",
            "guardrailVersion",
            "trace",
            "streamProcessingMode",
        ],
    )?;
    let id = string(
        required(id, &path.key("guardrailIdentifier"))?,
        &path.key("guardrailIdentifier"),
    )?;
    let version = string(
        required(version, &path.key("guardrailVersion"))?,
        &path.key("guardrailVersion"),
    )?;
    let trace = opt(trace, &path.key("trace"), enum_value)?;
    match op {
        Operation::Converse => {
            if mode.is_some() {
                return Err(path
                    .key("streamProcessingMode")
                    .error("only ConverseStream takes streamProcessingMode"));
            }
            Ok(Guardrail::Converse(
                GuardrailConfiguration::builder()
                    .guardrail_identifier(id)
                    .guardrail_version(version)
                    .set_trace(trace)
                    .build(),
            ))
        }
        Operation::ConverseStream => Ok(Guardrail::Stream(
            GuardrailStreamConfiguration::builder()
                .guardrail_identifier(id)
                .guardrail_version(version)
                .set_trace(trace)
                .set_stream_processing_mode(opt(
                    mode,
                    &path.key("streamProcessingMode"),
                    enum_value,
                )?)
                .build(),
        )),
    }
}

pub(super) fn prompt_variable(doc: &Doc, path: &Path) -> Result<PromptVariableValues, InputError> {
    let (_, text) = union(doc, path, ["text"])?;
    Ok(PromptVariableValues::Text(string(text, &path.key("text"))?))
}

pub(super) fn performance_config(
    doc: &Doc,
    path: &Path,
) -> Result<PerformanceConfiguration, InputError> {
    let [latency] = fields(doc, path, ["latency"])?;
    Ok(PerformanceConfiguration::builder()
        .set_latency(opt(latency, &path.key("latency"), enum_value)?)
        .build())
}

pub(super) fn service_tier_member(doc: &Doc, path: &Path) -> Result<ServiceTier, InputError> {
    let [kind] = fields(doc, path, ["type"])?;
    let kind = enum_value(required(kind, &path.key("type"))?, &path.key("type"))?;
    built(ServiceTier::builder().r#type(kind).build(), path)
}

pub(super) fn output_config(doc: &Doc, path: &Path) -> Result<OutputConfig, InputError> {
    let [format, effort] = fields(doc, path, ["textFormat", "effort"])?;
    let format = opt(format, &path.key("textFormat"), |d, p| {
        let [kind, structure] = fields(d, p, ["type", "structure"])?;
        let kind = enum_value(required(kind, &p.key("type"))?, &p.key("type"))?;
        let structure = opt(structure, &p.key("structure"), |d, p| {
            let (_, v) = union(d, p, ["jsonSchema"])?;
            let p = p.key("jsonSchema");
            let [schema, name, description] = fields(v, &p, ["schema", "name", "description"])?;
            let schema = string(required(schema, &p.key("schema"))?, &p.key("schema"))?;
            Ok(OutputFormatStructure::JsonSchema(built(
                JsonSchemaDefinition::builder()
                    .schema(schema)
                    .set_name(opt(name, &p.key("name"), string)?)
                    .set_description(opt(description, &p.key("description"), string)?)
                    .build(),
                &p,
            )?))
        })?;
        built(
            OutputFormat::builder()
                .r#type(kind)
                .set_structure(structure)
                .build(),
            p,
        )
    })?;
    Ok(OutputConfig::builder()
        .set_text_format(format)
        .set_effort(opt(effort, &path.key("effort"), string)?)
        .build())
}
