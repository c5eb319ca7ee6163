//! AWS credentials from JavaScript, checked field by field as the JS SDK's signer reads
//! them, with errors that name the field and the type it must have, never its value.
//!
//! napi's own conversion errors quote the value they could not convert, and a value of
//! the wrong type may still be the secret (`{ value: secret }`, a `Buffer`): those
//! errors end up in callers' logs. So the fields arrive as unknown values and are
//! judged here by their type alone.

use napi::bindgen_prelude::*;
use napi::ValueType;

/// Credentials as `keysOf` in `js/transport/settings.js` passes them (`expiration` as
/// `expirationMs`).
pub struct StaticCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    /// `expiration.getTime()`.
    pub expiration_ms: Option<f64>,
}

/// Credentials read from a JavaScript value, or why they cannot be used. Reading
/// itself never fails: the provider's promise and the settings object decide where the
/// error goes (a construction error, or the failed call's credentials error).
pub struct CheckedCredentials(std::result::Result<StaticCredentials, CredentialsTypeError>);

impl CheckedCredentials {
    /// The credentials, or the message saying which field of `source` (how the caller
    /// passed them, e.g. `clientConfig.credentials`) has the wrong type.
    pub fn usable(self, source: &str) -> std::result::Result<StaticCredentials, String> {
        self.0.map_err(|error| error.message(source))
    }
}

/// A credentials field of a type the signer cannot use.
#[derive(Debug)]
struct CredentialsTypeError {
    field: &'static str,
    actual: &'static str,
}

impl CredentialsTypeError {
    /// `"{source}.{field} must be a string (got object)"`: the field and the type it
    /// must have; the value is never shown.
    fn message(&self, source: &str) -> String {
        let (path, expected) = match self.field {
            "credentials" => (source.to_owned(), "an object"),
            "expirationMs" => (format!("{source}.expiration"), "a Date"),
            field => (format!("{source}.{field}"), "a string"),
        };
        format!("{path} must be {expected} (got {})", self.actual)
    }
}

impl FromNapiValue for CheckedCredentials {
    unsafe fn from_napi_value(
        env: napi::sys::napi_env,
        value: napi::sys::napi_value,
    ) -> Result<Self> {
        let value = unsafe { Unknown::from_napi_value(env, value) }?;
        match read(Env::from_raw(env), value) {
            Ok(keys) => Ok(CheckedCredentials(Ok(keys))),
            Err(Unusable::Type(error)) => Ok(CheckedCredentials(Err(error))),
            Err(Unusable::Js(error)) => Err(error),
        }
    }
}

/// Why credentials could not be read: a field's type, or JavaScript itself threw.
enum Unusable {
    Type(CredentialsTypeError),
    Js(Error),
}

impl From<Error> for Unusable {
    fn from(error: Error) -> Self {
        Unusable::Js(error)
    }
}

fn wrong(field: &'static str, value_type: ValueType) -> Unusable {
    Unusable::Type(CredentialsTypeError {
        field,
        actual: type_of(value_type),
    })
}

/// The JS SDK's signer requires `accessKeyId` and `secretAccessKey` of type string
/// ("Resolved credential object is not valid" otherwise) and sends a truthy
/// `sessionToken` as a header value, so a `String` object works there and a falsy one
/// means none.
fn read(env: Env, value: Unknown<'_>) -> std::result::Result<StaticCredentials, Unusable> {
    let value_type = value.get_type()?;
    if value_type != ValueType::Object {
        return Err(wrong("credentials", value_type));
    }
    let object = unsafe { value.cast::<Object>() }?;
    let field = |name: &str| object.get_named_property::<Unknown>(name);
    Ok(StaticCredentials {
        access_key_id: string(field("accessKeyId")?, "accessKeyId")?,
        secret_access_key: string(field("secretAccessKey")?, "secretAccessKey")?,
        session_token: session_token(&env, field("sessionToken")?)?,
        expiration_ms: expiration(field("expirationMs")?)?,
    })
}

/// A primitive string, as the signer's `typeof … === "string"` check demands.
fn string(value: Unknown<'_>, field: &'static str) -> std::result::Result<String, Unusable> {
    match value.get_type()? {
        ValueType::String => Ok(unsafe { value.cast::<String>() }?),
        other => Err(wrong(field, other)),
    }
}

/// A non-empty string or `String` object is the token; any falsy value means none;
/// other truthy values fail, as they fail the JS SDK's header canonicalisation.
fn session_token(env: &Env, value: Unknown<'_>) -> std::result::Result<Option<String>, Unusable> {
    let text = match value.get_type()? {
        ValueType::Undefined | ValueType::Null => return Ok(None),
        ValueType::Boolean if !unsafe { value.cast::<bool>() }? => return Ok(None),
        ValueType::Number if !is_truthy_number(unsafe { value.cast::<f64>() }?) => return Ok(None),
        ValueType::String => unsafe { value.cast::<String>() }?,
        ValueType::Object if is_string_object(env, value)? => {
            value.coerce_to_string()?.into_utf8()?.into_owned()?
        }
        other => return Err(wrong("sessionToken", other)),
    };
    Ok(Some(text).filter(|token| !token.is_empty()))
}

fn is_truthy_number(n: f64) -> bool {
    !(n == 0.0 || n.is_nan())
}

/// Whether `value` is a `String` object (of any realm), by `Object.prototype.toString`.
fn is_string_object(env: &Env, value: Unknown<'_>) -> Result<bool> {
    // `Object` is a function: read it as an object to reach its `prototype`.
    let object_class: Object = env.get_global()?.get_named_property_unchecked("Object")?;
    let prototype: Object = object_class.get_named_property("prototype")?;
    let to_string: Function<(), String> = prototype.get_named_property("toString")?;
    Ok(to_string.apply(value, ())? == "[object String]")
}

fn expiration(value: Unknown<'_>) -> std::result::Result<Option<f64>, Unusable> {
    match value.get_type()? {
        ValueType::Undefined | ValueType::Null => Ok(None),
        ValueType::Number => Ok(Some(unsafe { value.cast::<f64>() }?)),
        other => Err(wrong("expirationMs", other)),
    }
}

/// JavaScript's `typeof`, with `null` said as such.
fn type_of(value_type: ValueType) -> &'static str {
    match value_type {
        ValueType::Undefined => "undefined",
        ValueType::Null => "null",
        ValueType::Boolean => "boolean",
        ValueType::Number => "number",
        ValueType::String => "string",
        ValueType::Symbol => "symbol",
        ValueType::Function => "function",
        ValueType::BigInt => "bigint",
        _ => "object",
    }
}
