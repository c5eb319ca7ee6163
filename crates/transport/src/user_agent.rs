//! The caller's parts of the user agent (`userAgentAppId` and `customUserAgent`), escaped
//! and placed as the JS SDK's user-agent middleware places them. The SDK's own parts
//! (`aws-sdk-rust/…`, `os/…`, `lang/…`, `m/…`) stay the Rust SDK's.
//!
//! JS writes `user-agent: <its parts> app/<id> <custom…>` and
//! `x-amz-user-agent: aws-sdk-js/<version> <custom…>`: the app id only in the first. The
//! Rust SDK would put its `app_name` in both, so the app id is not given to it; this
//! interceptor appends both headers' tails instead. It must run after the SDK's
//! `UserAgentInterceptor` has written the headers and before signing (SigV4 signs
//! `x-amz-user-agent` in both SDKs), in `modify_before_signing`. Client-level interceptors
//! run before the SDK's own, so this one is added per operation (`customize()`), and only
//! when the caller set something.

use aws_sdk_bedrockruntime::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use std::sync::Arc;

/// One `customUserAgent` section: JS `[name, version]` (a plain string is `[string]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAgentPair {
    pub name: String,
    pub version: Option<String>,
}

/// Characters a user-agent token keeps besides ASCII letters, digits and `_` (JS `\w`);
/// any other UTF-16 code unit becomes `-`.
const TOKEN_PUNCTUATION: &str = "!$%&'*+-.^`|~";

/// Appends the caller's sections to both user-agent headers of every attempt.
#[derive(Debug, Clone)]
pub(crate) struct CallerUserAgent(Arc<Tails>);

#[derive(Debug)]
struct Tails {
    /// `app/<id>` (when set) and the custom sections, space-separated.
    user_agent: String,
    /// The custom sections alone; `None` when there are none (JS leaves the header alone).
    x_amz_user_agent: Option<String>,
}

impl CallerUserAgent {
    /// The sections for an app id and `customUserAgent`; `None` when there are none, so
    /// that the headers stay exactly the Rust SDK's.
    pub(crate) fn new(app_id: Option<&str>, custom: &[UserAgentPair]) -> Option<CallerUserAgent> {
        // JS tests the app id for truth: an empty one is none.
        let app = app_id
            .filter(|id| !id.is_empty())
            .map(|id| section("app", Some(id)));
        if app.is_none() && custom.is_empty() {
            return None;
        }
        let custom: Vec<String> = custom
            .iter()
            .map(|pair| section(&pair.name, pair.version.as_deref()))
            .collect();
        let user_agent = app
            .into_iter()
            .chain(custom.iter().cloned())
            .collect::<Vec<_>>();
        Some(CallerUserAgent(Arc::new(Tails {
            user_agent: user_agent.join(" "),
            x_amz_user_agent: (!custom.is_empty()).then(|| custom.join(" ")),
        })))
    }
}

/// A `[name, version]` section as JS `escapeUserAgent` writes it: the name keeps its `/`s
/// and the version its `#`s, other characters outside the token set become `-`; the name's
/// first `/` splits a prefix off (`api/` lower-cases the rest), and the non-empty parts are
/// joined `prefix/name#version`, or `name/version` without a prefix.
pub(crate) fn section(name: &str, version: Option<&str>) -> String {
    let name = escape(name, '/');
    let version = version.map(|v| escape(v, '#')).unwrap_or_default();
    let (prefix, rest) = name.split_once('/').unwrap_or(("", &name));
    let rest = if prefix == "api" {
        rest.to_ascii_lowercase()
    } else {
        rest.to_owned()
    };
    let mut out = String::new();
    let parts = [prefix, &rest, &version];
    for (index, part) in parts.into_iter().filter(|p| !p.is_empty()).enumerate() {
        match index {
            0 => {}
            1 => out.push('/'),
            _ => out.push('#'),
        }
        out.push_str(part);
    }
    out
}

/// `text` with every UTF-16 code unit outside the token set (and `also`) replaced by `-`,
/// as JS's non-Unicode regex does: a character beyond U+FFFF becomes two.
fn escape(text: &str, also: char) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == also || TOKEN_PUNCTUATION.contains(c) {
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n('-', c.len_utf16()));
        }
    }
    out
}

impl Intercept for CallerUserAgent {
    fn name(&self) -> &'static str {
        "bmm-transport::CallerUserAgent"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let headers = context.request_mut().headers_mut();
        let tails = [
            ("user-agent", Some(&self.0.user_agent)),
            ("x-amz-user-agent", self.0.x_amz_user_agent.as_ref()),
        ];
        for (name, tail) in tails {
            let Some(tail) = tail else { continue };
            let value = match headers.get(name) {
                Some(sdk_parts) => format!("{sdk_parts} {tail}"),
                None => tail.clone(),
            };
            headers.try_insert(name, value)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(name: &str, version: Option<&str>) -> UserAgentPair {
        UserAgentPair {
            name: name.into(),
            version: version.map(Into::into),
        }
    }

    fn tails(app_id: Option<&str>, custom: &[UserAgentPair]) -> Option<(String, Option<String>)> {
        CallerUserAgent::new(app_id, custom)
            .map(|ua| (ua.0.user_agent.clone(), ua.0.x_amz_user_agent.clone()))
    }

    // Expected values are what @aws-sdk/core 3.981 (client-bedrock-runtime 3.1163) sent.
    #[test]
    fn sections_are_escaped_like_the_js_sdk() {
        assert_eq!(
            section("api/Foo Bar", Some("1 2/3#4")),
            "api/foo-bar#1-2-3#4"
        );
        assert_eq!(section("n", None), "n");
        assert_eq!(section("/lead", Some("v")), "lead/v");
        assert_eq!(section("", Some("v")), "v");
        assert_eq!(section("a/b/c", None), "a/b/c");
        assert_eq!(section("x", Some("")), "x");
        assert_eq!(section("foo/1 bar/2#x", None), "foo/1-bar/2-x");
        assert_eq!(section("", None), "");
    }

    #[test]
    fn an_app_id_is_a_version_escaped_per_utf16_unit() {
        assert_eq!(section("app", Some("my app/1 é😀#x")), "app/my-app-1----#x");
        assert_eq!(section("app", Some("ok-id_1.2")), "app/ok-id_1.2");
    }

    #[test]
    fn the_app_id_goes_only_into_user_agent() {
        assert_eq!(
            tails(Some("id"), &[pair("foo/1 bar/2#x", None)]),
            Some(("app/id foo/1-bar/2-x".into(), Some("foo/1-bar/2-x".into())))
        );
        assert_eq!(tails(Some("id"), &[]), Some(("app/id".into(), None)));
        assert_eq!(
            tails(None, &[pair("a", Some("1")), pair("b", None)]),
            Some(("a/1 b".into(), Some("a/1 b".into())))
        );
    }

    #[test]
    fn nothing_set_leaves_the_headers_alone() {
        assert_eq!(tails(None, &[]), None);
        assert_eq!(tails(Some(""), &[]), None);
    }
}
