use super::*;

fn n(value: f64) -> JsValue {
    JsValue::Number(value)
}

fn s(text: &str) -> JsValue {
    JsValue::String(text.to_owned())
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    JsValue::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn model(id: &str, weight: f64, is_fallback: bool) -> JsValue {
    obj(&[
        ("modelId", s(id)),
        ("weight", n(weight)),
        ("isFallback", JsValue::Bool(is_fallback)),
    ])
}

fn valid_config() -> Vec<(&'static str, JsValue)> {
    vec![
        (
            "models",
            JsValue::Array(vec![model("a", 1.0, false), model("b", 2.0, true)]),
        ),
        ("defaultTimeoutMs", n(30000.0)),
        ("maxRetries", n(3.0)),
    ]
}

fn config_with(changes: &[(&'static str, JsValue)]) -> JsValue {
    let mut pairs = valid_config();
    for (key, value) in changes {
        match pairs.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.clone(),
            None => pairs.push((key, value.clone())),
        }
    }
    obj(&pairs)
}

fn error(
    field: &str,
    message: &str,
    expected: Option<&str>,
    actual: Option<&str>,
) -> ValidationError {
    ValidationError {
        field: field.into(),
        message: message.into(),
        expected: expected.map(Into::into),
        actual: actual.map(Into::into),
    }
}

fn only_error(result: ValidationResult) -> ValidationError {
    assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
    result.errors.into_iter().next().unwrap()
}

#[test]
fn a_models_array_too_long_to_read_is_refused_with_the_limit() {
    let result =
        validate_multiplexer_config(&config_with(&[("models", JsValue::LongArray(u32::MAX))]));
    assert_eq!(
        only_error(result),
        error(
            "models",
            "models array must not have more than 100000 elements",
            Some("<= 100000"),
            Some("4294967295")
        )
    );
}

#[test]
fn a_long_array_where_an_object_belongs_is_reported_as_an_array() {
    let result = validate_multiplexer_config(&config_with(&[(
        "clientConfig",
        JsValue::LongArray(200_000),
    )]));
    let message = "clientConfig must be a plain object (BedrockRuntimeClient config overrides)";
    assert_eq!(
        only_error(result),
        error("clientConfig", message, Some("object"), Some("array"))
    );
}

#[test]
fn a_complete_model_config_is_valid() {
    let result = validate_model_config(&model("amazon.nova", 5.0, false));
    assert!(result.is_valid());
    assert!(validate_model_config(&model("m", 0.0, true)).is_valid());
    assert!(validate_model_config(&model("m", 10000.0, true)).is_valid());
}

#[test]
fn a_model_config_that_is_not_an_object_reports_its_type() {
    for (value, actual) in [
        (JsValue::Null, "object"),
        (JsValue::Undefined, "undefined"),
        (s("x"), "string"),
        (n(0.0), "number"),
        (JsValue::Function("f".into()), "function"),
    ] {
        assert_eq!(
            only_error(validate_model_config(&value)),
            error(
                "config",
                "Model configuration must be a non-null object",
                Some("object"),
                Some(actual)
            )
        );
    }
}

#[test]
fn an_empty_model_config_reports_every_field_in_order() {
    let result = validate_model_config(&obj(&[]));
    assert_eq!(
        result.errors,
        vec![
            error("modelId", "modelId is required", None, None),
            error("weight", "weight is required", None, None),
            error("isFallback", "isFallback is required", None, None),
        ]
    );
    // An array passes the object guard and simply has no such fields.
    assert_eq!(
        validate_model_config(&JsValue::Array(vec![])).errors.len(),
        3
    );
}

#[test]
fn model_id_must_be_a_truthy_string() {
    let with_id = |id: JsValue| {
        obj(&[
            ("modelId", id),
            ("weight", n(1.0)),
            ("isFallback", JsValue::Bool(false)),
        ])
    };
    assert_eq!(
        only_error(validate_model_config(&with_id(s("")))),
        error("modelId", "modelId is required", None, None)
    );
    assert_eq!(
        only_error(validate_model_config(&with_id(n(0.0)))),
        error("modelId", "modelId is required", None, None)
    );
    assert_eq!(
        only_error(validate_model_config(&with_id(n(42.0)))),
        error(
            "modelId",
            "modelId must be a string",
            Some("string"),
            Some("number")
        )
    );
    assert_eq!(
        only_error(validate_model_config(&with_id(JsValue::Array(vec![])))),
        error(
            "modelId",
            "modelId must be a string",
            Some("string"),
            Some("object")
        )
    );
}

#[test]
fn weight_must_be_a_number_within_range() {
    let with_weight = |w: JsValue| {
        obj(&[
            ("modelId", s("m")),
            ("weight", w),
            ("isFallback", JsValue::Bool(false)),
        ])
    };
    assert_eq!(
        only_error(validate_model_config(&with_weight(JsValue::Null))),
        error("weight", "weight is required", None, None)
    );
    assert_eq!(
        only_error(validate_model_config(&with_weight(s("5")))),
        error(
            "weight",
            "weight must be a number",
            Some("number"),
            Some("string")
        )
    );
    assert_eq!(
        only_error(validate_model_config(&with_weight(n(-0.5)))),
        error(
            "weight",
            "weight must be non-negative",
            Some(">= 0"),
            Some("-0.5")
        )
    );
    assert_eq!(
        only_error(validate_model_config(&with_weight(n(10000.5)))),
        error(
            "weight",
            "weight exceeds maximum allowed value",
            Some("<= 10000"),
            Some("10000.5")
        )
    );
    assert_eq!(
        only_error(validate_model_config(&with_weight(n(f64::INFINITY)))),
        error(
            "weight",
            "weight exceeds maximum allowed value",
            Some("<= 10000"),
            Some("Infinity")
        )
    );
    assert_eq!(
        only_error(validate_model_config(&with_weight(n(f64::NAN)))),
        error(
            "weight",
            "weight must be a finite number",
            Some("finite number"),
            Some("NaN")
        )
    );
    assert!(validate_model_config(&with_weight(n(-0.0))).is_valid());
}

#[test]
fn is_fallback_must_be_a_boolean() {
    let with_flag = |f: JsValue| obj(&[("modelId", s("m")), ("weight", n(1.0)), ("isFallback", f)]);
    assert_eq!(
        only_error(validate_model_config(&with_flag(s("true")))),
        error(
            "isFallback",
            "isFallback must be a boolean",
            Some("boolean"),
            Some("string")
        )
    );
    assert_eq!(
        only_error(validate_model_config(&with_flag(n(0.0)))),
        error(
            "isFallback",
            "isFallback must be a boolean",
            Some("boolean"),
            Some("number")
        )
    );
}

#[test]
fn a_complete_multiplexer_config_is_valid() {
    assert!(validate_multiplexer_config(&config_with(&[])).is_valid());
}

#[test]
fn a_multiplexer_config_that_is_not_an_object_reports_its_type() {
    assert_eq!(
        only_error(validate_multiplexer_config(&JsValue::Bool(false))),
        error(
            "config",
            "Multiplexer configuration must be a non-null object",
            Some("object"),
            Some("boolean")
        )
    );
}

#[test]
fn an_empty_multiplexer_config_reports_the_required_fields_in_order() {
    assert_eq!(
        validate_multiplexer_config(&obj(&[])).errors,
        vec![
            error("models", "models array is required", None, None),
            error(
                "defaultTimeoutMs",
                "defaultTimeoutMs is required",
                None,
                None
            ),
            error("maxRetries", "maxRetries is required", None, None),
        ]
    );
}

#[test]
fn models_must_be_a_non_empty_array() {
    let first = |models: JsValue| {
        validate_multiplexer_config(&config_with(&[("models", models)]))
            .errors
            .remove(0)
    };
    assert_eq!(
        first(n(0.0)),
        error("models", "models array is required", None, None)
    );
    assert_eq!(
        first(s("a")),
        error(
            "models",
            "models must be an array",
            Some("array"),
            Some("string")
        )
    );
    assert_eq!(
        first(obj(&[])),
        error(
            "models",
            "models must be an array",
            Some("array"),
            Some("object")
        )
    );
    assert_eq!(
        first(JsValue::Array(vec![])),
        error(
            "models",
            "models array must contain at least one model",
            None,
            None
        )
    );
}

#[test]
fn model_errors_are_prefixed_with_their_index() {
    let models = JsValue::Array(vec![
        model("a", 1.0, false),
        obj(&[("modelId", n(7.0)), ("weight", n(-1.0))]),
        JsValue::Null,
    ]);
    assert_eq!(
        validate_multiplexer_config(&config_with(&[("models", models)])).errors,
        vec![
            error(
                "models[1].modelId",
                "modelId must be a string",
                Some("string"),
                Some("number")
            ),
            error(
                "models[1].weight",
                "weight must be non-negative",
                Some(">= 0"),
                Some("-1")
            ),
            error("models[1].isFallback", "isFallback is required", None, None),
            error(
                "models[2].config",
                "Model configuration must be a non-null object",
                Some("object"),
                Some("object")
            ),
        ]
    );
}

#[test]
fn duplicate_ids_are_reported_after_the_model_own_errors() {
    let models = JsValue::Array(vec![
        model("a", 1.0, false),
        model("a", 1.0, false),
        obj(&[
            ("modelId", s("")),
            ("weight", n(1.0)),
            ("isFallback", JsValue::Bool(true)),
        ]),
        obj(&[
            ("modelId", s("")),
            ("weight", n(1.0)),
            ("isFallback", JsValue::Bool(true)),
        ]),
        model("a", 1.0, true),
    ]);
    assert_eq!(
        validate_multiplexer_config(&config_with(&[("models", models)])).errors,
        vec![
            error(
                "models[1].modelId",
                "Duplicate modelId found",
                None,
                Some("a")
            ),
            error("models[2].modelId", "modelId is required", None, None),
            error("models[3].modelId", "modelId is required", None, None),
            error(
                "models[3].modelId",
                "Duplicate modelId found",
                None,
                Some("")
            ),
            error(
                "models[4].modelId",
                "Duplicate modelId found",
                None,
                Some("a")
            ),
        ]
    );
}

#[test]
fn at_least_one_model_must_be_strictly_primary() {
    let models = JsValue::Array(vec![
        model("a", 1.0, true),
        obj(&[
            ("modelId", s("b")),
            ("weight", n(1.0)),
            ("isFallback", n(0.0)),
        ]),
    ]);
    assert_eq!(
        validate_multiplexer_config(&config_with(&[("models", models)])).errors,
        vec![
            error(
                "models[1].isFallback",
                "isFallback must be a boolean",
                Some("boolean"),
                Some("number")
            ),
            error(
                "models",
                "At least one primary (non-fallback) model is required",
                None,
                None
            ),
        ]
    );
}

#[test]
fn max_response_bytes_is_optional_and_bounded() {
    let errors =
        |v: JsValue| validate_multiplexer_config(&config_with(&[("maxResponseBytes", v)])).errors;
    assert!(errors(JsValue::Undefined).is_empty());
    assert!(errors(n(1024.0)).is_empty());
    assert!(errors(n(536870912.0)).is_empty());
    assert_eq!(
        errors(n(1023.0)),
        vec![error(
            "maxResponseBytes",
            "maxResponseBytes must be at least 1024 bytes",
            Some(">= 1024"),
            Some("1023")
        )]
    );
    assert_eq!(
        errors(n(536870913.0)),
        vec![error(
            "maxResponseBytes",
            "maxResponseBytes must not exceed 536870912 bytes (512 MiB)",
            Some("<= 536870912"),
            Some("536870913")
        )]
    );
    assert_eq!(
        errors(n(f64::INFINITY)),
        vec![error(
            "maxResponseBytes",
            "maxResponseBytes must be an integer",
            Some("integer"),
            Some("Infinity")
        )]
    );
}

#[test]
fn default_timeout_must_be_an_integer_within_range() {
    let only = |v: JsValue| {
        only_error(validate_multiplexer_config(&config_with(&[(
            "defaultTimeoutMs",
            v,
        )])))
    };
    assert_eq!(
        only(n(1500.5)),
        error(
            "defaultTimeoutMs",
            "defaultTimeoutMs must be an integer",
            Some("integer"),
            Some("1500.5")
        )
    );
    assert_eq!(
        only(s("30000")),
        error(
            "defaultTimeoutMs",
            "defaultTimeoutMs must be an integer",
            Some("integer"),
            Some("30000")
        )
    );
    assert_eq!(
        only(n(f64::NAN)),
        error(
            "defaultTimeoutMs",
            "defaultTimeoutMs must be an integer",
            Some("integer"),
            Some("NaN")
        )
    );
    assert_eq!(
        only(n(999.0)),
        error(
            "defaultTimeoutMs",
            "defaultTimeoutMs must be at least 1000ms",
            Some(">= 1000"),
            Some("999")
        )
    );
    assert_eq!(
        only(n(300001.0)),
        error(
            "defaultTimeoutMs",
            "defaultTimeoutMs must not exceed 300000ms (5 minutes)",
            Some("<= 300000"),
            Some("300001")
        )
    );
    assert_eq!(
        only(JsValue::Null),
        error(
            "defaultTimeoutMs",
            "defaultTimeoutMs is required",
            None,
            None
        )
    );
    assert!(
        validate_multiplexer_config(&config_with(&[("defaultTimeoutMs", n(1000.0))])).is_valid()
    );
    assert!(
        validate_multiplexer_config(&config_with(&[("defaultTimeoutMs", n(300000.0))])).is_valid()
    );
}

#[test]
fn max_retries_must_be_an_integer_within_range() {
    let only = |v: JsValue| {
        only_error(validate_multiplexer_config(&config_with(&[(
            "maxRetries",
            v,
        )])))
    };
    assert_eq!(
        only(n(-1.0)),
        error(
            "maxRetries",
            "maxRetries must be non-negative",
            Some(">= 0"),
            Some("-1")
        )
    );
    assert_eq!(
        only(n(11.0)),
        error(
            "maxRetries",
            "maxRetries must not exceed 10",
            Some("<= 10"),
            Some("11")
        )
    );
    assert_eq!(
        only(n(2.5)),
        error(
            "maxRetries",
            "maxRetries must be an integer",
            Some("integer"),
            Some("2.5")
        )
    );
    assert_eq!(
        only(JsValue::Array(vec![n(1.0), n(2.0)])),
        error(
            "maxRetries",
            "maxRetries must be an integer",
            Some("integer"),
            Some("1,2")
        )
    );
    assert_eq!(
        only(JsValue::Undefined),
        error("maxRetries", "maxRetries is required", None, None)
    );
    assert!(validate_multiplexer_config(&config_with(&[("maxRetries", n(-0.0))])).is_valid());
}

#[test]
fn client_config_must_be_a_plain_object_when_given() {
    let only = |v: JsValue| {
        only_error(validate_multiplexer_config(&config_with(&[(
            "clientConfig",
            v,
        )])))
    };
    let message = "clientConfig must be a plain object (BedrockRuntimeClient config overrides)";
    assert_eq!(
        only(JsValue::Array(vec![])),
        error("clientConfig", message, Some("object"), Some("array"))
    );
    assert_eq!(
        only(s("us-east-1")),
        error("clientConfig", message, Some("object"), Some("string"))
    );
    assert_eq!(
        only(JsValue::Function("f".into())),
        error("clientConfig", message, Some("object"), Some("function"))
    );
    assert!(
        validate_multiplexer_config(&config_with(&[("clientConfig", JsValue::Null)])).is_valid()
    );
    assert!(validate_multiplexer_config(&config_with(&[("clientConfig", obj(&[]))])).is_valid());
}

#[test]
fn refusal_detection_fields_are_checked_in_order() {
    let rd = obj(&[
        ("enabled", s("yes")),
        ("confidenceThreshold", s("high")),
        ("retryOnRefusal", n(1.0)),
    ]);
    assert_eq!(
        validate_multiplexer_config(&config_with(&[("refusalDetection", rd)])).errors,
        vec![
            error(
                "refusalDetection.enabled",
                "enabled must be a boolean",
                Some("boolean"),
                Some("string")
            ),
            error(
                "refusalDetection.confidenceThreshold",
                "confidenceThreshold must be a number",
                Some("number"),
                Some("string")
            ),
            error(
                "refusalDetection.retryOnRefusal",
                "retryOnRefusal must be a boolean",
                Some("boolean"),
                Some("number")
            ),
        ]
    );
}

#[test]
fn enabled_refusal_detection_needs_a_model_path_and_a_threshold_in_range() {
    let rd = obj(&[
        ("enabled", JsValue::Bool(true)),
        ("modelPath", s("")),
        ("confidenceThreshold", n(1.5)),
    ]);
    assert_eq!(
        validate_multiplexer_config(&config_with(&[("refusalDetection", rd)])).errors,
        vec![
            error(
                "refusalDetection.modelPath",
                "modelPath is required when refusal detection is enabled",
                Some("string"),
                None
            ),
            error(
                "refusalDetection.confidenceThreshold",
                "confidenceThreshold must be between 0 and 1",
                Some("0\u{2013}1"),
                Some("1.5")
            ),
        ]
    );
    let disabled_without_path = obj(&[("enabled", JsValue::Bool(false))]);
    assert!(validate_multiplexer_config(&config_with(&[(
        "refusalDetection",
        disabled_without_path
    )]))
    .is_valid());
}

#[test]
fn a_nan_threshold_passes_the_range_check() {
    let rd = obj(&[("confidenceThreshold", n(f64::NAN))]);
    assert!(validate_multiplexer_config(&config_with(&[("refusalDetection", rd)])).is_valid());
    let rd = obj(&[("confidenceThreshold", n(-0.1))]);
    assert_eq!(
        only_error(validate_multiplexer_config(&config_with(&[(
            "refusalDetection",
            rd
        )])))
        .actual
        .as_deref(),
        Some("-0.1")
    );
}

#[test]
fn null_refusal_flags_are_not_booleans_but_a_null_threshold_is_absent() {
    let rd = obj(&[
        ("enabled", JsValue::Null),
        ("confidenceThreshold", JsValue::Null),
        ("retryOnRefusal", JsValue::Null),
    ]);
    assert_eq!(
        validate_multiplexer_config(&config_with(&[("refusalDetection", rd)])).errors,
        vec![
            error(
                "refusalDetection.enabled",
                "enabled must be a boolean",
                Some("boolean"),
                Some("object")
            ),
            error(
                "refusalDetection.retryOnRefusal",
                "retryOnRefusal must be a boolean",
                Some("boolean"),
                Some("object")
            ),
        ]
    );
}

#[test]
fn a_section_that_is_not_a_plain_object_is_rejected_whole() {
    let errors = validate_multiplexer_config(&config_with(&[
        ("refusalDetection", JsValue::Array(vec![])),
        ("tierEscalation", JsValue::Bool(true)),
    ]))
    .errors;
    assert_eq!(
        errors,
        vec![
            error(
                "refusalDetection",
                "refusalDetection must be an object",
                Some("object"),
                Some("array")
            ),
            error(
                "tierEscalation",
                "tierEscalation must be an object",
                Some("object"),
                Some("boolean")
            ),
        ]
    );
}

#[test]
fn enabled_tier_escalation_needs_a_known_tier() {
    let only = |te: JsValue| {
        only_error(validate_multiplexer_config(&config_with(&[(
            "tierEscalation",
            te,
        )])))
    };
    let required = "escalationTier is required when tier escalation is enabled";
    let tiers = "\"reserved\" | \"priority\"";
    assert_eq!(
        only(obj(&[("enabled", JsValue::Bool(true))])),
        error("tierEscalation.escalationTier", required, Some(tiers), None)
    );
    assert_eq!(
        only(obj(&[
            ("enabled", JsValue::Bool(true)),
            ("escalationTier", n(1.0))
        ])),
        error("tierEscalation.escalationTier", required, Some(tiers), None)
    );
    assert_eq!(
        only(obj(&[
            ("enabled", JsValue::Bool(true)),
            ("escalationTier", s("flex"))
        ])),
        error(
            "tierEscalation.escalationTier",
            "escalationTier must be \"reserved\" or \"priority\"",
            Some(tiers),
            Some("flex")
        )
    );
    assert_eq!(
        only(obj(&[("enabled", n(1.0)), ("escalationTier", s("flex"))])),
        error(
            "tierEscalation.enabled",
            "enabled must be a boolean",
            Some("boolean"),
            Some("number")
        )
    );
    assert!(validate_multiplexer_config(&config_with(&[(
        "tierEscalation",
        obj(&[
            ("enabled", JsValue::Bool(false)),
            ("escalationTier", s("nonsense"))
        ])
    )]))
    .is_valid());
}

#[test]
fn circuit_breaker_settings_are_optional_integers_within_range() {
    assert!(validate_circuit_breaker_config(&obj(&[])).is_valid());
    assert!(
        validate_circuit_breaker_config(&obj(&[("failureThreshold", JsValue::Null)])).is_valid()
    );
    let config = obj(&[
        ("failureThreshold", n(0.0)),
        ("recoveryTimeMs", n(300001.0)),
        ("successThreshold", n(1.5)),
        ("failureWindowMs", n(999.0)),
    ]);
    assert_eq!(
        validate_circuit_breaker_config(&config).errors,
        vec![
            error(
                "failureThreshold",
                "failureThreshold must be at least 1",
                Some(">= 1"),
                Some("0")
            ),
            error(
                "recoveryTimeMs",
                "recoveryTimeMs must not exceed 300000ms (5 minutes)",
                Some("<= 300000"),
                Some("300001")
            ),
            error(
                "successThreshold",
                "successThreshold must be an integer",
                Some("integer"),
                Some("1.5")
            ),
            error(
                "failureWindowMs",
                "failureWindowMs must be at least 1000ms",
                Some(">= 1000"),
                Some("999")
            ),
        ]
    );
    let config = obj(&[
        ("failureThreshold", n(101.0)),
        ("recoveryTimeMs", n(999.0)),
        ("successThreshold", n(21.0)),
        ("failureWindowMs", n(600001.0)),
    ]);
    assert_eq!(
        validate_circuit_breaker_config(&config).errors,
        vec![
            error(
                "failureThreshold",
                "failureThreshold must not exceed 100",
                Some("<= 100"),
                Some("101")
            ),
            error(
                "recoveryTimeMs",
                "recoveryTimeMs must be at least 1000ms",
                Some(">= 1000"),
                Some("999")
            ),
            error(
                "successThreshold",
                "successThreshold must not exceed 20",
                Some("<= 20"),
                Some("21")
            ),
            error(
                "failureWindowMs",
                "failureWindowMs must not exceed 600000ms (10 minutes)",
                Some("<= 600000"),
                Some("600001")
            ),
        ]
    );
    assert_eq!(
        only_error(validate_circuit_breaker_config(&obj(&[(
            "recoveryTimeMs",
            s("1000")
        )]))),
        error(
            "recoveryTimeMs",
            "recoveryTimeMs must be an integer",
            Some("integer"),
            Some("1000")
        )
    );
    assert_eq!(
        only_error(validate_circuit_breaker_config(&JsValue::Undefined)),
        error(
            "config",
            "Circuit breaker configuration must be a non-null object",
            Some("object"),
            Some("undefined")
        )
    );
}

#[test]
fn formatting_joins_errors_and_shows_only_non_empty_details() {
    let errors = vec![
        error("a", "first", Some("x"), Some("y")),
        error("b", "second", None, None),
        error("c", "third", Some(""), Some("")),
    ];
    assert_eq!(
        format_validation_errors(false, &errors),
        "a: first (expected: x) (got: y); b: second; c: third"
    );
    assert_eq!(format_validation_errors(true, &errors), "");
    assert_eq!(format_validation_errors(false, &[]), "");
}

#[test]
fn failure_message_prefixes_the_formatted_errors() {
    let result = validate_multiplexer_config(&config_with(&[("maxRetries", n(11.0))]));
    assert_eq!(
        failure_message(&result.errors),
        "Validation failed: maxRetries: maxRetries must not exceed 10 (expected: <= 10) (got: 11)"
    );
}

#[test]
fn refusal_retry_needs_detection_enabled_and_retry_not_turned_off() {
    let section = |pairs: &[(&str, JsValue)]| obj(pairs);
    assert!(refusal_retry_enabled(&section(&[(
        "enabled",
        JsValue::Bool(true)
    )])));
    assert!(!refusal_retry_enabled(&section(&[
        ("enabled", JsValue::Bool(true)),
        ("retryOnRefusal", JsValue::Bool(false))
    ])));
    assert!(
        !refusal_retry_enabled(&section(&[("enabled", n(1.0))])),
        "enabled must be exactly true"
    );
    assert!(!refusal_retry_enabled(&JsValue::Undefined));
}

#[test]
fn tier_escalation_follows_the_truthiness_of_enabled() {
    assert!(tier_escalation_enabled(&obj(&[(
        "enabled",
        JsValue::Bool(true)
    )])));
    assert!(tier_escalation_enabled(&obj(&[("enabled", n(1.0))])));
    assert!(!tier_escalation_enabled(&obj(&[(
        "enabled",
        JsValue::Bool(false)
    )])));
    assert!(!tier_escalation_enabled(&JsValue::Undefined));
}

#[test]
fn transport_must_be_one_of_the_three_when_given() {
    for transport in ["auto", "native", "js-sdk"] {
        let result = validate_multiplexer_config(&config_with(&[(
            "transport",
            JsValue::String(transport.into()),
        )]));
        assert!(result.is_valid(), "{transport}");
    }
    let result = validate_multiplexer_config(&config_with(&[("transport", JsValue::Null)]));
    assert_eq!(
        failure_message(&result.errors),
        r#"Validation failed: transport: transport must be "auto", "native" or "js-sdk" (got: null)"#
    );
}

fn error_fields(config: &JsValue) -> Vec<String> {
    validate_multiplexer_config(config)
        .errors
        .into_iter()
        .map(|e| e.field)
        .collect()
}

fn with_quotas(requests: JsValue, tokens: JsValue) -> JsValue {
    let mut limited = model("a", 1.0, false);
    if let JsValue::Object(pairs) = &mut limited {
        pairs.push(("requestsPerMinute".to_owned(), requests));
        pairs.push(("tokensPerMinute".to_owned(), tokens));
    }
    JsValue::Array(vec![limited])
}

#[test]
fn shared_state_with_a_redis_url_prefix_and_quotas_is_accepted() {
    let config = config_with(&[
        ("models", with_quotas(n(600.0), n(100_000.0))),
        (
            "sharedState",
            obj(&[
                ("url", s("rediss://user:secret@cache:6380/2")),
                ("keyPrefix", s("orders:")),
                ("throttleCooldownMs", n(2000.0)),
            ]),
        ),
    ]);
    assert_eq!(error_fields(&config), Vec::<String>::new());
}

#[test]
fn each_bad_shared_state_setting_is_named_by_its_path() {
    let config = config_with(&[
        ("models", with_quotas(n(0.0), s("many"))),
        (
            "sharedState",
            obj(&[
                ("url", s("http://cache")),
                ("keyPrefix", s("")),
                ("throttleCooldownMs", n(5.0)),
            ]),
        ),
    ]);
    assert_eq!(
        error_fields(&config),
        [
            "models[0].requestsPerMinute",
            "models[0].tokensPerMinute",
            "sharedState.url",
            "sharedState.keyPrefix",
            "sharedState.throttleCooldownMs",
        ]
    );
    let not_an_object = config_with(&[("sharedState", s("redis://cache"))]);
    assert_eq!(error_fields(&not_an_object), ["sharedState"]);
    let without_url = config_with(&[("sharedState", obj(&[]))]);
    assert_eq!(error_fields(&without_url), ["sharedState.url"]);
}

#[test]
fn routing_accepts_its_three_names_and_names_anything_else() {
    for name in ["weighted", "latency", "least-busy"] {
        let config = config_with(&[("routing", s(name))]);
        assert_eq!(error_fields(&config), Vec::<String>::new(), "{name}");
    }
    assert_eq!(
        error_fields(&config_with(&[("routing", JsValue::Null)])),
        Vec::<String>::new()
    );
    for bad in [s("fastest"), s(""), n(1.0), obj(&[])] {
        assert_eq!(error_fields(&config_with(&[("routing", bad)])), ["routing"]);
    }
}

#[test]
fn a_failover_section_with_booleans_and_an_attempt_timeout_is_accepted() {
    let config = config_with(&[(
        "failover",
        obj(&[
            ("serverErrors", JsValue::Bool(true)),
            ("connectionErrors", JsValue::Bool(false)),
            ("attemptTimeoutMs", n(2000.0)),
        ]),
    )]);
    assert_eq!(error_fields(&config), Vec::<String>::new());
    let empty = config_with(&[("failover", obj(&[]))]);
    assert_eq!(error_fields(&empty), Vec::<String>::new());
}

#[test]
fn each_bad_failover_setting_is_named_by_its_path() {
    let config = config_with(&[(
        "failover",
        obj(&[
            ("serverErrors", s("yes")),
            ("connectionErrors", n(1.0)),
            ("attemptTimeoutMs", n(5.0)),
        ]),
    )]);
    assert_eq!(
        error_fields(&config),
        [
            "failover.serverErrors",
            "failover.connectionErrors",
            "failover.attemptTimeoutMs",
        ]
    );
    let not_an_object = config_with(&[("failover", JsValue::Bool(true))]);
    assert_eq!(error_fields(&not_an_object), ["failover"]);
}

#[test]
fn an_open_telemetry_section_with_providers_and_switches_is_accepted() {
    let config = config_with(&[(
        "openTelemetry",
        obj(&[
            ("enabled", JsValue::Bool(true)),
            ("captureContent", JsValue::Bool(false)),
            ("tracerProvider", obj(&[])),
            ("meterProvider", obj(&[])),
        ]),
    )]);
    assert_eq!(error_fields(&config), Vec::<String>::new());
    let empty = config_with(&[("openTelemetry", obj(&[]))]);
    assert_eq!(error_fields(&empty), Vec::<String>::new());
}

#[test]
fn each_bad_open_telemetry_setting_is_named_by_its_path() {
    let config = config_with(&[(
        "openTelemetry",
        obj(&[
            ("enabled", s("yes")),
            ("captureContent", n(1.0)),
            ("tracerProvider", s("global")),
            ("meterProvider", JsValue::Array(vec![])),
        ]),
    )]);
    assert_eq!(
        error_fields(&config),
        [
            "openTelemetry.enabled",
            "openTelemetry.captureContent",
            "openTelemetry.tracerProvider",
            "openTelemetry.meterProvider",
        ]
    );
    let not_an_object = config_with(&[("openTelemetry", JsValue::Bool(true))]);
    assert_eq!(error_fields(&not_an_object), ["openTelemetry"]);
}

#[test]
fn a_failover_backoff_needs_a_base_and_a_cap_no_smaller() {
    let with_backoff = |base: JsValue, max: JsValue| {
        config_with(&[(
            "failover",
            obj(&[("backoff", obj(&[("baseMs", base), ("maxMs", max)]))]),
        )])
    };
    assert_eq!(
        error_fields(&with_backoff(n(100.0), n(2000.0))),
        Vec::<String>::new()
    );
    assert_eq!(
        error_fields(&with_backoff(n(0.0), s("x"))),
        ["failover.backoff.baseMs", "failover.backoff.maxMs"]
    );
    assert_eq!(
        error_fields(&with_backoff(n(500.0), n(100.0))),
        ["failover.backoff.maxMs"]
    );
    assert_eq!(
        error_fields(&with_backoff(JsValue::Undefined, n(100.0))),
        ["failover.backoff.baseMs"]
    );
    let not_an_object = config_with(&[("failover", obj(&[("backoff", n(5.0))]))]);
    assert_eq!(error_fields(&not_an_object), ["failover.backoff"]);
}
