//! What the JS SDK's `BedrockRuntimeClient` reads from the environment and the shared
//! config/credentials files when `clientConfig` leaves a setting out, by its rules
//! (`@smithy/core/config` `loadConfig`: environment first, then the profile, then a default).
//!
//! aws-config reads the same sources but differs from JS in places, so the choice is made
//! here and aws-config only loads and parses the files: JS ignores `AWS_DEFAULT_REGION`,
//! prefers the credentials file for `region` but the config file for everything else, takes
//! `AWS_ENDPOINT_URL` over a profile's `services` section, reads configured endpoints from
//! `AWS_PROFILE`'s profile even when `clientConfig.profile` names another, and falls through
//! to the next source when a value does not parse rather than failing.

use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_runtime::env_config::property::PropertiesKey;
use aws_types::os_shim_internal::{Env, Fs};

/// The Bedrock Runtime's service id as the endpoint settings spell it.
const SERVICE_ENV_SUFFIX: &str = "BEDROCK_RUNTIME";
const SERVICE_CONFIG_KEY: &str = "bedrock_runtime";

/// The environment and the two shared files, each file parsed on its own because JS
/// merges a profile from both differently per setting.
pub(crate) struct Sources {
    env: Env,
    config_file: ProfileSet,
    credentials_file: ProfileSet,
}

/// Which file's value wins when a profile sets a key in both.
#[derive(Clone, Copy)]
enum Prefer {
    Config,
    Credentials,
}

impl Sources {
    /// Reads `AWS_CONFIG_FILE` / `~/.aws/config` and `AWS_SHARED_CREDENTIALS_FILE` /
    /// `~/.aws/credentials`. A missing or unparseable file counts as empty, as in JS.
    pub(crate) async fn load(env: Env, fs: Fs) -> Sources {
        let parse = |kind: EnvConfigFileKind| {
            let files = EnvConfigFiles::builder()
                .include_default_config_file(matches!(kind, EnvConfigFileKind::Config))
                .include_default_credentials_file(matches!(kind, EnvConfigFileKind::Credentials))
                .build();
            let (env, fs) = (env.clone(), fs.clone());
            async move {
                aws_config::profile::load(&fs, &env, &files, None)
                    .await
                    .unwrap_or_default()
            }
        };
        Sources {
            config_file: parse(EnvConfigFileKind::Config).await,
            credentials_file: parse(EnvConfigFileKind::Credentials).await,
            env,
        }
    }

    /// An environment variable as JS sees it (set, possibly empty).
    fn env(&self, name: &str) -> Option<String> {
        self.env.get(name).ok()
    }

    /// A non-empty environment variable.
    fn env_non_empty(&self, name: &str) -> Option<String> {
        self.env(name).filter(|v| !v.is_empty())
    }

    /// The profile JS reads settings from: `clientConfig.profile`, else `AWS_PROFILE`,
    /// else `default` (an empty name counts as none, as `||` does).
    pub(crate) fn profile_name(&self, explicit: Option<&str>) -> String {
        explicit
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .or_else(|| self.env_non_empty("AWS_PROFILE"))
            .unwrap_or_else(|| "default".to_owned())
    }

    /// Whether a profile is named explicitly or by `AWS_PROFILE` (JS then skips the
    /// environment's keys in its credential chain).
    pub(crate) fn profile_named(&self, explicit: Option<&str>) -> bool {
        explicit.is_some_and(|p| !p.is_empty()) || self.env_non_empty("AWS_PROFILE").is_some()
    }

    fn profile_value(&self, profile: &str, key: &str, prefer: Prefer) -> Option<String> {
        let from = |file: &ProfileSet| {
            file.get_profile(profile)
                .and_then(|p| p.get(key))
                .map(str::to_owned)
        };
        match prefer {
            Prefer::Config => from(&self.config_file).or_else(|| from(&self.credentials_file)),
            Prefer::Credentials => from(&self.credentials_file).or_else(|| from(&self.config_file)),
        }
    }

    /// `loadConfig`'s chain for a boolean: `"true"`/`"false"` exactly; anything else
    /// falls through to the next source.
    fn flag(&self, env: &str, key: &str, profile: &str) -> Option<bool> {
        let parse = |v: String| match v.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        };
        self.env(env).and_then(parse).or_else(|| {
            self.profile_value(profile, key, Prefer::Config)
                .and_then(parse)
        })
    }

    /// `AWS_REGION`, else the profile's `region` (from the credentials file first).
    /// `None`: ask IMDS next, then fail with "Region is missing".
    pub(crate) fn region(&self, profile: &str) -> Option<String> {
        self.env("AWS_REGION")
            .or_else(|| self.profile_value(profile, "region", Prefer::Credentials))
    }

    /// Whether JS may ask IMDS (for a region or credentials): not when
    /// `AWS_EC2_METADATA_DISABLED` is set to anything.
    pub(crate) fn imds_enabled(&self) -> bool {
        self.env_non_empty("AWS_EC2_METADATA_DISABLED").is_none()
    }

    pub(crate) fn max_attempts(&self, profile: &str) -> Option<u32> {
        let parse = |v: String| parse_int(&v).map(|n| n.clamp(1, i64::from(u32::MAX)) as u32);
        self.env_non_empty("AWS_MAX_ATTEMPTS")
            .and_then(parse)
            .or_else(|| {
                self.profile_value(profile, "max_attempts", Prefer::Config)
                    .filter(|v| !v.is_empty())
                    .and_then(parse)
            })
    }

    /// True for `adaptive`; JS treats every other value as `standard`.
    pub(crate) fn adaptive_retry(&self, profile: &str) -> bool {
        self.env("AWS_RETRY_MODE")
            .or_else(|| self.profile_value(profile, "retry_mode", Prefer::Config))
            .is_some_and(|mode| mode == "adaptive")
    }

    pub(crate) fn use_fips(&self, profile: &str) -> bool {
        self.flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", profile)
            .unwrap_or(false)
    }

    pub(crate) fn use_dual_stack(&self, profile: &str) -> bool {
        self.flag(
            "AWS_USE_DUALSTACK_ENDPOINT",
            "use_dualstack_endpoint",
            profile,
        )
        .unwrap_or(false)
    }

    /// The user agent's `app/` id; an empty one is none.
    pub(crate) fn app_id(&self, profile: &str) -> Option<String> {
        self.env("AWS_SDK_UA_APP_ID")
            .or_else(|| self.profile_value(profile, "sdk_ua_app_id", Prefer::Config))
            .or_else(|| self.profile_value(profile, "sdk-ua-app-id", Prefer::Config))
            .filter(|id| !id.is_empty())
    }

    /// `AWS_BEARER_TOKEN_BEDROCK`: when it is set at all, JS authenticates Bedrock calls
    /// with it as a bearer token instead of signing them.
    pub(crate) fn bearer_token(&self) -> Option<String> {
        self.env("AWS_BEARER_TOKEN_BEDROCK")
    }

    /// A configured endpoint (`getEndpointFromConfig`): `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`,
    /// `AWS_ENDPOINT_URL`, the profile's `services` section, the profile's `endpoint_url`;
    /// none when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or the profile says to ignore them.
    /// JS reads this profile from `AWS_PROFILE` only, whatever `clientConfig.profile` says.
    pub(crate) fn configured_endpoint(&self) -> Option<String> {
        let profile = self.profile_name(None);
        let ignore = self.flag(
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
            "ignore_configured_endpoint_urls",
            &profile,
        );
        if ignore == Some(true) {
            return None;
        }
        self.env_non_empty(&format!("AWS_ENDPOINT_URL_{SERVICE_ENV_SUFFIX}"))
            .or_else(|| self.env_non_empty("AWS_ENDPOINT_URL"))
            .or_else(|| self.services_endpoint(&profile))
            .or_else(|| {
                self.profile_value(&profile, "endpoint_url", Prefer::Config)
                    .filter(|url| !url.is_empty())
            })
    }

    /// `[services <name>]` → `bedrock_runtime =` → `endpoint_url =`, for the profile's
    /// `services = <name>` (the section is read from the config file only).
    fn services_endpoint(&self, profile: &str) -> Option<String> {
        let section = self.profile_value(profile, "services", Prefer::Config)?;
        let key = PropertiesKey::builder()
            .section_key("services")
            .section_name(section)
            .property_name(SERVICE_CONFIG_KEY)
            .sub_property_name("endpoint_url")
            .build()
            .ok()?;
        self.config_file
            .other_sections()
            .get(&key)
            .cloned()
            .filter(|url| !url.is_empty())
    }
}

/// JavaScript's `parseInt(text, 10)` for what config values hold: optional leading
/// whitespace and sign, then the longest run of digits.
fn parse_int(text: &str) -> Option<i64> {
    let text = text.trim_start();
    let (sign, digits) = match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let magnitude: i64 = digits[..end].parse().ok()?;
    Some(sign * magnitude)
}

/// A FIPS pseudo-region (`fips-us-east-1`, `us-east-1-fips`) names the real region and
/// turns FIPS on, as JS's `resolveRegionConfig` does: `(real region, is fips)`.
pub(crate) fn real_region(region: &str) -> (String, bool) {
    if !(region.starts_with("fips-") || region.ends_with("-fips")) {
        return (region.to_owned(), false);
    }
    if region == "fips-aws-global" || region == "aws-fips" {
        return ("us-east-1".to_owned(), true);
    }
    let inner = region
        .strip_prefix("fips-dkr-")
        .or_else(|| region.strip_prefix("fips-prod-"))
        .or_else(|| region.strip_prefix("fips-"))
        .or_else(|| region.strip_suffix("-fips"))
        .unwrap_or(region);
    (inner.to_owned(), true)
}

/// JS's `isValidHostLabel`: what a region must look like to be used.
pub(crate) fn is_host_label(region: &str) -> bool {
    let bytes = region.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests;
