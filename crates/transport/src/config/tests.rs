use super::*;

const CONFIG: &str = "/home/me/.aws/config";
const CREDENTIALS: &str = "/home/me/.aws/credentials";

fn sources(env: &[(&str, &str)], config: &str, credentials: &str) -> Sources {
    let mut vars = vec![("HOME", "/home/me")];
    vars.extend_from_slice(env);
    let fs = Fs::from_slice(&[(CONFIG, config), (CREDENTIALS, credentials)]);
    let future = Sources::load(Env::from_slice(&vars), fs);
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(future)
}

#[test]
fn region_ignores_aws_default_region_and_prefers_the_credentials_file() {
    let s = sources(&[("AWS_DEFAULT_REGION", "eu-west-1")], "", "");
    assert_eq!(s.region("default"), None);
    let s = sources(
        &[],
        "[default]\nregion = eu-west-2\n",
        "[default]\nregion = eu-west-3\n",
    );
    assert_eq!(s.region("default").as_deref(), Some("eu-west-3"));
    let s = sources(
        &[("AWS_REGION", "ap-south-1")],
        "[default]\nregion = x\n",
        "",
    );
    assert_eq!(s.region("default").as_deref(), Some("ap-south-1"));
}

#[test]
fn endpoint_environment_comes_before_the_services_section() {
    let config = "[default]\nservices = local\nendpoint_url = http://profile\n\
                  [services local]\nbedrock_runtime =\n  endpoint_url = http://services\n";
    let s = sources(&[("AWS_ENDPOINT_URL", "http://global-env")], config, "");
    assert_eq!(
        s.configured_endpoint().as_deref(),
        Some("http://global-env")
    );
    let s = sources(
        &[
            ("AWS_ENDPOINT_URL", "http://global-env"),
            ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://service-env"),
        ],
        config,
        "",
    );
    assert_eq!(
        s.configured_endpoint().as_deref(),
        Some("http://service-env")
    );
    let s = sources(&[], config, "");
    assert_eq!(s.configured_endpoint().as_deref(), Some("http://services"));
    let s = sources(
        &[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")],
        config,
        "",
    );
    assert_eq!(s.configured_endpoint(), None);
}

#[test]
fn configured_endpoint_reads_aws_profile_not_the_explicit_profile() {
    let config = "[profile a]\nendpoint_url = http://a\nregion = eu-north-1\n\
                  [profile b]\nendpoint_url = http://b\n";
    let s = sources(&[("AWS_PROFILE", "b")], config, "");
    assert_eq!(s.profile_name(Some("a")), "a");
    assert_eq!(
        s.region(&s.profile_name(Some("a"))).as_deref(),
        Some("eu-north-1")
    );
    assert_eq!(s.configured_endpoint().as_deref(), Some("http://b"));
}

#[test]
fn values_that_do_not_parse_fall_through_to_the_next_source() {
    let config = "[default]\nmax_attempts = 5\nuse_fips_endpoint = true\n";
    let s = sources(
        &[
            ("AWS_MAX_ATTEMPTS", "many"),
            ("AWS_USE_FIPS_ENDPOINT", "yes"),
        ],
        config,
        "",
    );
    assert_eq!(s.max_attempts("default"), Some(5));
    assert!(s.use_fips("default"));
    let s = sources(&[("AWS_MAX_ATTEMPTS", "7 tries")], "", "");
    assert_eq!(s.max_attempts("default"), Some(7));
}

#[test]
fn retry_mode_is_adaptive_or_standard() {
    assert!(sources(&[("AWS_RETRY_MODE", "adaptive")], "", "").adaptive_retry("default"));
    assert!(!sources(&[("AWS_RETRY_MODE", "eager")], "", "").adaptive_retry("default"));
    let s = sources(&[], "[profile p]\nretry_mode = adaptive\n", "");
    assert!(s.adaptive_retry("p"));
    assert!(!s.adaptive_retry("default"));
}

#[test]
fn app_id_from_the_environment_or_either_profile_spelling() {
    let s = sources(&[], "[default]\nsdk-ua-app-id = old-style\n", "");
    assert_eq!(s.app_id("default").as_deref(), Some("old-style"));
    let s = sources(
        &[("AWS_SDK_UA_APP_ID", "env-app")],
        "[default]\nsdk_ua_app_id = p\n",
        "",
    );
    assert_eq!(s.app_id("default").as_deref(), Some("env-app"));
}

#[test]
fn fips_pseudo_regions() {
    assert_eq!(
        real_region("fips-us-east-1"),
        ("us-east-1".to_owned(), true)
    );
    assert_eq!(
        real_region("us-west-2-fips"),
        ("us-west-2".to_owned(), true)
    );
    assert_eq!(real_region("us-west-2"), ("us-west-2".to_owned(), false));
    assert!(is_host_label("us-west-2"));
    assert!(!is_host_label("us west"));
    assert!(!is_host_label(""));
}
