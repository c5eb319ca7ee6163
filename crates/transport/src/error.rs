//! Every way a call can fail, mapped once into the `CallError` that describes what the
//! JavaScript SDK would throw (its `name`, `message`, `$fault`, `$metadata` and other own
//! properties).
//!
//! Service errors are read from the raw HTTP response exactly as the JS SDK's restJson1
//! error handler reads them (error code from `x-amzn-errortype`, else the body's `code` /
//! `__type`; message from `message` / `Message`), not from the Rust SDK's typed error, so
//! unmodelled errors and odd bodies come out as they would in JS.

mod network;
mod sdk;
mod service;

pub(crate) use sdk::{from_sdk, success_status_body};
pub(crate) use service::deserialization_error;

#[cfg(test)]
mod tests;
