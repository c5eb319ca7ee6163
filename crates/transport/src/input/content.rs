//! Messages and their content blocks: text, media, documents, tool use and results,
//! guardrail content, cache points, reasoning and system blocks.

use super::citations::{citations_config, citations_content, search_result};
use super::document::document;
use super::path::{InputError, Path};
use super::read::{blob, built, enum_value, fields, list, opt, required, string, union};
use crate::doc::Doc;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    AudioBlock, AudioSource, CachePointBlock, ContentBlock, DocumentBlock, DocumentContentBlock,
    DocumentSource, ErrorBlock, GuardrailConverseContentBlock, GuardrailConverseImageBlock,
    GuardrailConverseImageSource, GuardrailConverseTextBlock, ImageBlock, ImageSource, Message,
    ReasoningContentBlock, ReasoningTextBlock, S3Location, SystemContentBlock, ToolAdditionBlock,
    ToolReference, ToolRemovalBlock, ToolResultBlock, ToolResultContentBlock, ToolUseBlock,
    VideoBlock, VideoSource,
};

pub(super) fn message(doc: &Doc, path: &Path) -> Result<Message, InputError> {
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

pub(super) fn cache_point(doc: &Doc, path: &Path) -> Result<CachePointBlock, InputError> {
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

pub(super) fn system_block(doc: &Doc, path: &Path) -> Result<SystemContentBlock, InputError> {
    let (i, v) = union(doc, path, ["text", "guardContent", "cachePoint"])?;
    Ok(match i {
        0 => SystemContentBlock::Text(string(v, &path.key("text"))?),
        1 => SystemContentBlock::GuardContent(guard_content(v, &path.key("guardContent"))?),
        _ => SystemContentBlock::CachePoint(cache_point(v, &path.key("cachePoint"))?),
    })
}
