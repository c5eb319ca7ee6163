//! A JS `ConverseCommandInput` (as a `Doc`) → the Rust SDK's typed request members, with
//! every member of the current model covered and a precise `InputError` (path + reason)
//! for anything unknown or of the wrong type, instead of a panic or a silent drop. This is
//! the validation of what `Transport` sends; the body itself is written from the `Doc` by
//! `request_writer`, as the JS SDK writes it.
//!
//! Like the JS SDK's serialiser, `undefined`/`null` members count as absent; unlike it,
//! unknown members and missing required members are reported here (the Rust builders need
//! them) rather than left for the service to reject.

use crate::doc::Doc;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    AnyToolChoice, AudioBlock, AudioSource, AutoToolChoice, CachePointBlock, Citation,
    CitationGeneratedContent, CitationLocation, CitationSourceContent, CitationsConfig,
    CitationsContentBlock, ContentBlock, DocumentBlock, DocumentCharLocation,
    DocumentChunkLocation, DocumentContentBlock, DocumentPageLocation, DocumentSource, ErrorBlock,
    GuardrailConfiguration, GuardrailConverseContentBlock, GuardrailConverseImageBlock,
    GuardrailConverseImageSource, GuardrailConverseTextBlock, GuardrailStreamConfiguration,
    ImageBlock, ImageSource, InferenceConfiguration, JsonSchemaDefinition, Message, OutputConfig,
    OutputFormat, OutputFormatStructure, PerformanceConfiguration, PromptVariableValues,
    ReasoningContentBlock, ReasoningTextBlock, S3Location, SearchResultBlock,
    SearchResultContentBlock, SearchResultLocation, ServiceTier, SpecificToolChoice,
    SystemContentBlock, SystemTool, Tool, ToolAdditionBlock, ToolChoice, ToolConfiguration,
    ToolInputSchema, ToolReference, ToolRemovalBlock, ToolResultBlock, ToolResultContentBlock,
    ToolSpecification, ToolUseBlock, VideoBlock, VideoSource, WebLocation,
};
use aws_smithy_types::error::operation::BuildError;
use aws_smithy_types::{Document, Number};
use std::collections::HashMap;
use std::fmt;

/// An input member that cannot be sent: where (`messages[0].content[1].image.format`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "invalid input: {}", self.message)
        } else {
            write!(f, "invalid input at {}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for InputError {}

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

// ---------------------------------------------------------------------------------------
// Paths: built on the stack, rendered only when an error is reported.

#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }

    fn index(&'a self, i: usize) -> Path<'a> {
        Path::Index(self, i)
    }

    fn render(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Key(parent, key) => {
                let mut s = parent.render();
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(key);
                s
            }
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }

    fn error(&self, message: impl Into<String>) -> InputError {
        InputError {
            path: self.render(),
            message: message.into(),
        }
    }
}

fn expected(path: &Path, what: &str, found: &Doc) -> InputError {
    path.error(format!("expected {what}, got {}", found.kind()))
}

// ---------------------------------------------------------------------------------------
// Generic readers.

/// The members `names` of an object (nullish = absent); any other non-nullish key is an error.
fn fields<'d, const N: usize>(
    doc: &'d Doc,
    path: &Path,
    names: [&str; N],
) -> Result<[Option<&'d Doc>; N], InputError> {
    let Doc::Object(entries) = doc else {
        return Err(expected(path, "an object", doc));
    };
    let mut out = [None; N];
    for (key, value) in entries {
        match names.iter().position(|n| n == key) {
            Some(i) => out[i] = (!value.is_nullish()).then_some(value),
            None if value.is_nullish() => {}
            None => {
                return Err(path.key(key).error(format!(
                    "unknown member (expected one of: {})",
                    names.join(", ")
                )))
            }
        }
    }
    Ok(out)
}

/// The single member set in a union object: its index and value.
fn union<'d, const N: usize>(
    doc: &'d Doc,
    path: &Path,
    names: [&str; N],
) -> Result<(usize, &'d Doc), InputError> {
    if let Some(unknown) = doc.get("$unknown").filter(|v| !v.is_nullish()) {
        let name = unknown
            .as_array()
            .and_then(|a| a.first())
            .and_then(Doc::as_str)
            .unwrap_or("?");
        return Err(path.key("$unknown").error(format!(
            "union member `{name}` is not in this SDK's model and cannot be sent"
        )));
    }
    let set = fields(doc, path, names)?;
    let mut found = set
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)));
    match (found.next(), found.next()) {
        (Some(one), None) => Ok(one),
        (None, _) => Err(path.error(format!(
            "exactly one member must be set (one of: {})",
            names.join(", ")
        ))),
        (Some((a, _)), Some((b, _))) => Err(path.error(format!(
            "only one member may be set, got both `{}` and `{}`",
            names[a], names[b]
        ))),
    }
}

fn opt<T>(
    doc: Option<&Doc>,
    path: &Path,
    f: impl FnOnce(&Doc, &Path) -> Result<T, InputError>,
) -> Result<Option<T>, InputError> {
    doc.map(|d| f(d, path)).transpose()
}

fn required<'d>(doc: Option<&'d Doc>, path: &Path) -> Result<&'d Doc, InputError> {
    doc.ok_or_else(|| path.error("required member is missing"))
}

fn list<T>(
    doc: &Doc,
    path: &Path,
    f: impl Fn(&Doc, &Path) -> Result<T, InputError>,
) -> Result<Vec<T>, InputError> {
    let Doc::Array(items) = doc else {
        return Err(expected(path, "an array", doc));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| f(item, &path.index(i)))
        .collect()
}

fn map<T>(
    doc: &Doc,
    path: &Path,
    f: impl Fn(&Doc, &Path) -> Result<T, InputError>,
) -> Result<HashMap<String, T>, InputError> {
    let Doc::Object(entries) = doc else {
        return Err(expected(path, "an object", doc));
    };
    let mut out = HashMap::with_capacity(entries.len());
    for (key, value) in entries {
        // The JS serialiser drops nullish map values too.
        if value.is_nullish() {
            continue;
        }
        out.insert(key.clone(), f(value, &path.key(key))?);
    }
    Ok(out)
}

/// A string member; one holding a lone surrogate is checked in its U+FFFD form (the body
/// itself carries it as the JS SDK does, `request_writer`).
fn string(doc: &Doc, path: &Path) -> Result<String, InputError> {
    doc.text()
        .map(String::from)
        .ok_or_else(|| expected(path, "a string", doc))
}

/// An enum member: any string (the SDK keeps unknown values as they are, like JS).
fn enum_value<T: for<'a> From<&'a str>>(doc: &Doc, path: &Path) -> Result<T, InputError> {
    doc.text()
        .map(|s| T::from(&s))
        .ok_or_else(|| expected(path, "a string", doc))
}

fn boolean(doc: &Doc, path: &Path) -> Result<bool, InputError> {
    doc.as_bool()
        .ok_or_else(|| expected(path, "a boolean", doc))
}

fn int(doc: &Doc, path: &Path) -> Result<i32, InputError> {
    match doc {
        Doc::Number(n)
            if n.fract() == 0.0 && *n >= f64::from(i32::MIN) && *n <= f64::from(i32::MAX) =>
        {
            Ok(*n as i32)
        }
        Doc::Number(n) => Err(path.error(format!("expected a 32-bit integer, got {n}"))),
        other => Err(expected(path, "a number", other)),
    }
}

fn float(doc: &Doc, path: &Path) -> Result<f32, InputError> {
    match doc {
        Doc::Number(n) if n.is_finite() => Ok(*n as f32),
        Doc::Number(n) => Err(path.error(format!("expected a finite number, got {n}"))),
        other => Err(expected(path, "a number", other)),
    }
}

/// A blob: a `Uint8Array`, or a string (the JS serialiser sends its UTF-8 bytes).
fn blob(doc: &Doc, path: &Path) -> Result<Blob, InputError> {
    match doc {
        Doc::Bytes(b) => Ok(Blob::new(b.clone())),
        other => other
            .text()
            .map(|s| Blob::new(s.as_bytes()))
            .ok_or_else(|| expected(path, "a Uint8Array", other)),
    }
}

fn built<T>(result: Result<T, BuildError>, path: &Path) -> Result<T, InputError> {
    result.map_err(|e| path.error(e.to_string()))
}

/// A JSON document as `JSON.stringify` would send it: integral numbers as integers (so `1`
/// is sent as `1`, not `1.0`), others as doubles; `undefined` members dropped and
/// `undefined` array items as `null`; `Date` as its ISO string; `Uint8Array` as an object
/// of its indices.
fn document(doc: &Doc, path: &Path) -> Result<Document, InputError> {
    Ok(match doc {
        Doc::Undefined | Doc::Null => Document::Null,
        Doc::Bool(b) => Document::Bool(*b),
        Doc::Number(n) => Document::Number(
            json_number(*n).ok_or_else(|| path.error(format!("{n} cannot be sent in JSON")))?,
        ),
        Doc::String(s) => Document::String(s.clone()),
        Doc::IllFormedString(_) => Document::String(doc.text().unwrap_or_default().into_owned()),
        Doc::Bytes(b) => Document::Object(
            b.iter()
                .enumerate()
                .map(|(i, v)| {
                    (
                        i.to_string(),
                        Document::Number(Number::PosInt(u64::from(*v))),
                    )
                })
                .collect(),
        ),
        Doc::Timestamp(ms) => Document::String(
            bmm_js::date::iso_string(*ms).ok_or_else(|| path.error("invalid Date"))?,
        ),
        Doc::Array(items) => Document::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| document(v, &path.index(i)))
                .collect::<Result<_, _>>()?,
        ),
        Doc::Object(entries) => {
            let mut out = HashMap::with_capacity(entries.len());
            for (k, v) in entries {
                if !matches!(v, Doc::Undefined) {
                    out.insert(k.clone(), document(v, &path.key(k))?);
                }
            }
            Document::Object(out)
        }
    })
}

/// A `Doc` as a JSON document for the SDK (see `document` for the rules).
pub fn to_document(doc: &Doc) -> Result<Document, InputError> {
    document(doc, &Path::Root)
}

/// `None` for NaN / ±Infinity (JSON.stringify would send `null`; a caller sending those in
/// a document has a bug worth reporting).
fn json_number(n: f64) -> Option<Number> {
    if !n.is_finite() {
        return None;
    }
    // Integral values that u64/i64 hold exactly print as the same digits as in JS.
    if n.fract() == 0.0 {
        if (0.0..18_446_744_073_709_551_616.0).contains(&n) {
            return Some(Number::PosInt(n as u64));
        }
        if (-9_223_372_036_854_775_808.0..0.0).contains(&n) {
            return Some(Number::NegInt(n as i64));
        }
    }
    Some(Number::Float(n))
}

// ---------------------------------------------------------------------------------------
// Messages and content blocks.

fn message(doc: &Doc, path: &Path) -> Result<Message, InputError> {
    let [role, content] = fields(doc, path, ["role", "content"])?;
    let role = enum_value(required(role, &path.key("role"))?, &path.key("role"))?;
    let content_path = path.key("content");
    let content = list(
        required(content, &content_path)?,
        &content_path,
        content_block,
    )?;
    built(
        Message::builder()
            .role(role)
            .set_content(Some(content))
            .build(),
        path,
    )
}

const CONTENT_BLOCK_MEMBERS: [&str; 14] = [
    "text",
    "image",
    "document",
    "video",
    "audio",
    "toolUse",
    "toolResult",
    "guardContent",
    "cachePoint",
    "reasoningContent",
    "citationsContent",
    "searchResult",
    "toolAddition",
    "toolRemoval",
];

fn content_block(doc: &Doc, path: &Path) -> Result<ContentBlock, InputError> {
    let (i, v) = union(doc, path, CONTENT_BLOCK_MEMBERS)?;
    let p = path.key(CONTENT_BLOCK_MEMBERS[i]);
    Ok(match i {
        0 => ContentBlock::Text(string(v, &p)?),
        1 => ContentBlock::Image(image(v, &p)?),
        2 => ContentBlock::Document(document_block(v, &p)?),
        3 => ContentBlock::Video(video(v, &p)?),
        4 => ContentBlock::Audio(audio(v, &p)?),
        5 => ContentBlock::ToolUse(tool_use(v, &p)?),
        6 => ContentBlock::ToolResult(tool_result(v, &p)?),
        7 => ContentBlock::GuardContent(guard_content(v, &p)?),
        8 => ContentBlock::CachePoint(cache_point(v, &p)?),
        9 => ContentBlock::ReasoningContent(reasoning(v, &p)?),
        10 => ContentBlock::CitationsContent(citations_content(v, &p)?),
        11 => ContentBlock::SearchResult(search_result(v, &p)?),
        12 => ContentBlock::ToolAddition(
            ToolAdditionBlock::builder()
                .set_tool(tool_reference_member(v, &p)?)
                .build(),
        ),
        _ => ContentBlock::ToolRemoval(
            ToolRemovalBlock::builder()
                .set_tool(tool_reference_member(v, &p)?)
                .build(),
        ),
    })
}

fn s3_location(doc: &Doc, path: &Path) -> Result<S3Location, InputError> {
    let [uri, owner] = fields(doc, path, ["uri", "bucketOwner"])?;
    let uri = string(required(uri, &path.key("uri"))?, &path.key("uri"))?;
    let owner = opt(owner, &path.key("bucketOwner"), string)?;
    built(
        S3Location::builder()
            .uri(uri)
            .set_bucket_owner(owner)
            .build(),
        path,
    )
}

fn error_block(doc: &Doc, path: &Path) -> Result<ErrorBlock, InputError> {
    let [message] = fields(doc, path, ["message"])?;
    Ok(ErrorBlock::builder()
        .set_message(opt(message, &path.key("message"), string)?)
        .build())
}

/// `{ bytes | s3Location }`, the source union of images, videos and audio.
fn media_source<T>(
    doc: &Doc,
    path: &Path,
    bytes: impl FnOnce(Blob) -> T,
    s3: impl FnOnce(S3Location) -> T,
) -> Result<T, InputError> {
    let (i, v) = union(doc, path, ["bytes", "s3Location"])?;
    Ok(match i {
        0 => bytes(blob(v, &path.key("bytes"))?),
        _ => s3(s3_location(v, &path.key("s3Location"))?),
    })
}

fn image(doc: &Doc, path: &Path) -> Result<ImageBlock, InputError> {
    let [format, source, error] = fields(doc, path, ["format", "source", "error"])?;
    let format = enum_value(required(format, &path.key("format"))?, &path.key("format"))?;
    let source = opt(source, &path.key("source"), |d, p| {
        media_source(d, p, ImageSource::Bytes, ImageSource::S3Location)
    })?;
    let error = opt(error, &path.key("error"), error_block)?;
    built(
        ImageBlock::builder()
            .format(format)
            .set_source(source)
            .set_error(error)
            .build(),
        path,
    )
}

fn video(doc: &Doc, path: &Path) -> Result<VideoBlock, InputError> {
    let [format, source] = fields(doc, path, ["format", "source"])?;
    let format = enum_value(required(format, &path.key("format"))?, &path.key("format"))?;
    let source = opt(source, &path.key("source"), |d, p| {
        media_source(d, p, VideoSource::Bytes, VideoSource::S3Location)
    })?;
    built(
        VideoBlock::builder()
            .format(format)
            .set_source(source)
            .build(),
        path,
    )
}

fn audio(doc: &Doc, path: &Path) -> Result<AudioBlock, InputError> {
    let [format, source, error] = fields(doc, path, ["format", "source", "error"])?;
    let format = enum_value(required(format, &path.key("format"))?, &path.key("format"))?;
    let source = opt(source, &path.key("source"), |d, p| {
        media_source(d, p, AudioSource::Bytes, AudioSource::S3Location)
    })?;
    let error = opt(error, &path.key("error"), error_block)?;
    built(
        AudioBlock::builder()
            .format(format)
            .set_source(source)
            .set_error(error)
            .build(),
        path,
    )
}

fn citations_config(doc: &Doc, path: &Path) -> Result<CitationsConfig, InputError> {
    let [enabled] = fields(doc, path, ["enabled"])?;
    let enabled = boolean(
        required(enabled, &path.key("enabled"))?,
        &path.key("enabled"),
    )?;
    built(CitationsConfig::builder().enabled(enabled).build(), path)
}

fn document_block(doc: &Doc, path: &Path) -> Result<DocumentBlock, InputError> {
    let [format, name, source, context, citations] = fields(
        doc,
        path,
        ["format", "name", "source", "context", "citations"],
    )?;
    // `format` is optional in the current model (the service infers it), required in Rust.
    let format = opt(format, &path.key("format"), enum_value)?;
    let name = string(required(name, &path.key("name"))?, &path.key("name"))?;
    let source = opt(source, &path.key("source"), document_source)?;
    let context = opt(context, &path.key("context"), string)?;
    let citations = opt(citations, &path.key("citations"), citations_config)?;
    built(
        DocumentBlock::builder()
            .set_format(format)
            .name(name)
            .set_source(source)
            .set_context(context)
            .set_citations(citations)
            .build(),
        path,
    )
}

fn document_source(doc: &Doc, path: &Path) -> Result<DocumentSource, InputError> {
    let (i, v) = union(doc, path, ["bytes", "s3Location", "text", "content"])?;
    Ok(match i {
        0 => DocumentSource::Bytes(blob(v, &path.key("bytes"))?),
        1 => DocumentSource::S3Location(s3_location(v, &path.key("s3Location"))?),
        2 => DocumentSource::Text(string(v, &path.key("text"))?),
        _ => DocumentSource::Content(list(v, &path.key("content"), |d, p| {
            let (_, t) = union(d, p, ["text"])?;
            Ok(DocumentContentBlock::Text(string(t, &p.key("text"))?))
        })?),
    })
}

fn tool_use(doc: &Doc, path: &Path) -> Result<ToolUseBlock, InputError> {
    let [id, name, input, kind] = fields(doc, path, ["toolUseId", "name", "input", "type"])?;
    let id = string(
        required(id, &path.key("toolUseId"))?,
        &path.key("toolUseId"),
    )?;
    let name = string(required(name, &path.key("name"))?, &path.key("name"))?;
    let input = document(required(input, &path.key("input"))?, &path.key("input"))?;
    let kind = opt(kind, &path.key("type"), enum_value)?;
    built(
        ToolUseBlock::builder()
            .tool_use_id(id)
            .name(name)
            .input(input)
            .set_type(kind)
            .build(),
        path,
    )
}

const TOOL_RESULT_CONTENT_MEMBERS: [&str; 6] =
    ["json", "text", "image", "document", "video", "searchResult"];

fn tool_result(doc: &Doc, path: &Path) -> Result<ToolResultBlock, InputError> {
    let [id, content, status, kind] =
        fields(doc, path, ["toolUseId", "content", "status", "type"])?;
    let id = string(
        required(id, &path.key("toolUseId"))?,
        &path.key("toolUseId"),
    )?;
    let content_path = path.key("content");
    let content = list(required(content, &content_path)?, &content_path, |d, p| {
        let (i, v) = union(d, p, TOOL_RESULT_CONTENT_MEMBERS)?;
        let p = p.key(TOOL_RESULT_CONTENT_MEMBERS[i]);
        Ok(match i {
            0 => ToolResultContentBlock::Json(document(v, &p)?),
            1 => ToolResultContentBlock::Text(string(v, &p)?),
            2 => ToolResultContentBlock::Image(image(v, &p)?),
            3 => ToolResultContentBlock::Document(document_block(v, &p)?),
            4 => ToolResultContentBlock::Video(video(v, &p)?),
            _ => ToolResultContentBlock::SearchResult(search_result(v, &p)?),
        })
    })?;
    let status = opt(status, &path.key("status"), enum_value)?;
    let kind = opt(kind, &path.key("type"), string)?;
    built(
        ToolResultBlock::builder()
            .tool_use_id(id)
            .set_content(Some(content))
            .set_status(status)
            .set_type(kind)
            .build(),
        path,
    )
}

fn guard_content(doc: &Doc, path: &Path) -> Result<GuardrailConverseContentBlock, InputError> {
    let (i, v) = union(doc, path, ["text", "image"])?;
    if i == 0 {
        let p = path.key("text");
        let [text, qualifiers] = fields(v, &p, ["text", "qualifiers"])?;
        let text = string(required(text, &p.key("text"))?, &p.key("text"))?;
        let qualifiers = opt(qualifiers, &p.key("qualifiers"), |d, p| {
            list(d, p, enum_value)
        })?;
        Ok(GuardrailConverseContentBlock::Text(built(
            GuardrailConverseTextBlock::builder()
                .text(text)
                .set_qualifiers(qualifiers)
                .build(),
            &p,
        )?))
    } else {
        let p = path.key("image");
        let [format, source] = fields(v, &p, ["format", "source"])?;
        let format = enum_value(required(format, &p.key("format"))?, &p.key("format"))?;
        let source = opt(source, &p.key("source"), |d, p| {
            let (_, b) = union(d, p, ["bytes"])?;
            Ok(GuardrailConverseImageSource::Bytes(blob(
                b,
                &p.key("bytes"),
            )?))
        })?;
        Ok(GuardrailConverseContentBlock::Image(built(
            GuardrailConverseImageBlock::builder()
                .format(format)
                .set_source(source)
                .build(),
            &p,
        )?))
    }
}

fn cache_point(doc: &Doc, path: &Path) -> Result<CachePointBlock, InputError> {
    let [kind, ttl] = fields(doc, path, ["type", "ttl"])?;
    let kind = enum_value(required(kind, &path.key("type"))?, &path.key("type"))?;
    let ttl = opt(ttl, &path.key("ttl"), enum_value)?;
    built(
        CachePointBlock::builder().r#type(kind).set_ttl(ttl).build(),
        path,
    )
}

fn reasoning(doc: &Doc, path: &Path) -> Result<ReasoningContentBlock, InputError> {
    let (i, v) = union(doc, path, ["reasoningText", "redactedContent"])?;
    if i == 0 {
        let p = path.key("reasoningText");
        let [text, signature] = fields(v, &p, ["text", "signature"])?;
        let text = string(required(text, &p.key("text"))?, &p.key("text"))?;
        let signature = opt(signature, &p.key("signature"), string)?;
        Ok(ReasoningContentBlock::ReasoningText(built(
            ReasoningTextBlock::builder()
                .text(text)
                .set_signature(signature)
                .build(),
            &p,
        )?))
    } else {
        Ok(ReasoningContentBlock::RedactedContent(blob(
            v,
            &path.key("redactedContent"),
        )?))
    }
}

fn citations_content(doc: &Doc, path: &Path) -> Result<CitationsContentBlock, InputError> {
    let [content, citations] = fields(doc, path, ["content", "citations"])?;
    let content = opt(content, &path.key("content"), |d, p| {
        list(d, p, |d, p| {
            let (_, t) = union(d, p, ["text"])?;
            Ok(CitationGeneratedContent::Text(string(t, &p.key("text"))?))
        })
    })?;
    let citations = opt(citations, &path.key("citations"), |d, p| {
        list(d, p, citation)
    })?;
    Ok(CitationsContentBlock::builder()
        .set_content(content)
        .set_citations(citations)
        .build())
}

fn citation(doc: &Doc, path: &Path) -> Result<Citation, InputError> {
    let [title, source, source_content, location] =
        fields(doc, path, ["title", "source", "sourceContent", "location"])?;
    let source_content = opt(source_content, &path.key("sourceContent"), |d, p| {
        list(d, p, |d, p| {
            let (_, t) = union(d, p, ["text"])?;
            Ok(CitationSourceContent::Text(string(t, &p.key("text"))?))
        })
    })?;
    Ok(Citation::builder()
        .set_title(opt(title, &path.key("title"), string)?)
        .set_source(opt(source, &path.key("source"), string)?)
        .set_source_content(source_content)
        .set_location(opt(location, &path.key("location"), citation_location)?)
        .build())
}

fn citation_location(doc: &Doc, path: &Path) -> Result<CitationLocation, InputError> {
    const MEMBERS: [&str; 5] = [
        "web",
        "documentChar",
        "documentPage",
        "documentChunk",
        "searchResultLocation",
    ];
    let (i, v) = union(doc, path, MEMBERS)?;
    let p = path.key(MEMBERS[i]);
    if i == 0 {
        let [url, domain] = fields(v, &p, ["url", "domain"])?;
        return Ok(CitationLocation::Web(
            WebLocation::builder()
                .set_url(opt(url, &p.key("url"), string)?)
                .set_domain(opt(domain, &p.key("domain"), string)?)
                .build(),
        ));
    }
    let index_name = if i == 4 {
        "searchResultIndex"
    } else {
        "documentIndex"
    };
    let [index, start, end] = fields(v, &p, [index_name, "start", "end"])?;
    let index = opt(index, &p.key(index_name), int)?;
    let start = opt(start, &p.key("start"), int)?;
    let end = opt(end, &p.key("end"), int)?;
    Ok(match i {
        1 => CitationLocation::DocumentChar(
            DocumentCharLocation::builder()
                .set_document_index(index)
                .set_start(start)
                .set_end(end)
                .build(),
        ),
        2 => CitationLocation::DocumentPage(
            DocumentPageLocation::builder()
                .set_document_index(index)
                .set_start(start)
                .set_end(end)
                .build(),
        ),
        3 => CitationLocation::DocumentChunk(
            DocumentChunkLocation::builder()
                .set_document_index(index)
                .set_start(start)
                .set_end(end)
                .build(),
        ),
        _ => CitationLocation::SearchResultLocation(
            SearchResultLocation::builder()
                .set_search_result_index(index)
                .set_start(start)
                .set_end(end)
                .build(),
        ),
    })
}

fn search_result(doc: &Doc, path: &Path) -> Result<SearchResultBlock, InputError> {
    let [source, title, content, citations] =
        fields(doc, path, ["source", "title", "content", "citations"])?;
    let source = string(required(source, &path.key("source"))?, &path.key("source"))?;
    let title = string(required(title, &path.key("title"))?, &path.key("title"))?;
    let content_path = path.key("content");
    let content = list(required(content, &content_path)?, &content_path, |d, p| {
        let [text] = fields(d, p, ["text"])?;
        let text = string(required(text, &p.key("text"))?, &p.key("text"))?;
        built(SearchResultContentBlock::builder().text(text).build(), p)
    })?;
    let citations = opt(citations, &path.key("citations"), citations_config)?;
    built(
        SearchResultBlock::builder()
            .source(source)
            .title(title)
            .set_content(Some(content))
            .set_citations(citations)
            .build(),
        path,
    )
}

/// `{ tool: ToolReference }` of toolAddition / toolRemoval blocks.
fn tool_reference_member(doc: &Doc, path: &Path) -> Result<Option<ToolReference>, InputError> {
    let [tool] = fields(doc, path, ["tool"])?;
    opt(tool, &path.key("tool"), |d, p| {
        let [kind, name, server] = fields(d, p, ["type", "name", "serverName"])?;
        Ok(ToolReference::builder()
            .set_type(opt(kind, &p.key("type"), string)?)
            .set_name(opt(name, &p.key("name"), string)?)
            .set_server_name(opt(server, &p.key("serverName"), string)?)
            .build())
    })
}

fn system_block(doc: &Doc, path: &Path) -> Result<SystemContentBlock, InputError> {
    let (i, v) = union(doc, path, ["text", "guardContent", "cachePoint"])?;
    Ok(match i {
        0 => SystemContentBlock::Text(string(v, &path.key("text"))?),
        1 => SystemContentBlock::GuardContent(guard_content(v, &path.key("guardContent"))?),
        _ => SystemContentBlock::CachePoint(cache_point(v, &path.key("cachePoint"))?),
    })
}

// ---------------------------------------------------------------------------------------
// Configuration members.

fn inference_config(doc: &Doc, path: &Path) -> Result<InferenceConfiguration, InputError> {
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

fn tool_config(doc: &Doc, path: &Path) -> Result<ToolConfiguration, InputError> {
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

fn guardrail_config(doc: &Doc, path: &Path, op: Operation) -> Result<Guardrail, InputError> {
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

fn prompt_variable(doc: &Doc, path: &Path) -> Result<PromptVariableValues, InputError> {
    let (_, text) = union(doc, path, ["text"])?;
    Ok(PromptVariableValues::Text(string(text, &path.key("text"))?))
}

fn performance_config(doc: &Doc, path: &Path) -> Result<PerformanceConfiguration, InputError> {
    let [latency] = fields(doc, path, ["latency"])?;
    Ok(PerformanceConfiguration::builder()
        .set_latency(opt(latency, &path.key("latency"), enum_value)?)
        .build())
}

fn service_tier_member(doc: &Doc, path: &Path) -> Result<ServiceTier, InputError> {
    let [kind] = fields(doc, path, ["type"])?;
    let kind = enum_value(required(kind, &path.key("type"))?, &path.key("type"))?;
    built(ServiceTier::builder().r#type(kind).build(), path)
}

fn output_config(doc: &Doc, path: &Path) -> Result<OutputConfig, InputError> {
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

#[cfg(test)]
mod tests;
