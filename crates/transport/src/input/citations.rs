//! Citations: the citations setting of documents and search results, cited content and the
//! locations a citation points at.

use super::path::{InputError, Path};
use super::read::{boolean, built, fields, int, list, opt, required, string, union};
use crate::doc::Doc;
use aws_sdk_bedrockruntime::types::{
    Citation, CitationGeneratedContent, CitationLocation, CitationSourceContent, CitationsConfig,
    CitationsContentBlock, DocumentCharLocation, DocumentChunkLocation, DocumentPageLocation,
    SearchResultBlock, SearchResultContentBlock, SearchResultLocation, WebLocation,
};

pub(super) fn citations_config(doc: &Doc, path: &Path) -> Result<CitationsConfig, InputError> {
    let [enabled] = fields(doc, path, ["enabled"])?;
    let enabled = boolean(
        required(enabled, &path.key("enabled"))?,
        &path.key("enabled"),
    )?;
    built(CitationsConfig::builder().enabled(enabled).build(), path)
}

pub(super) fn citations_content(
    doc: &Doc,
    path: &Path,
) -> Result<CitationsContentBlock, InputError> {
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

pub(super) fn search_result(doc: &Doc, path: &Path) -> Result<SearchResultBlock, InputError> {
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
