//! The napi shell around the pure engine (`crates/engine`).
//!
//! Each module exposes one part of the engine to JavaScript and converts at the
//! boundary: JavaScript values in, engine types through, the original library's
//! shapes out. Time and randomness are read from JavaScript (`clock`) at each call
//! so that jest's fake timers and `Math.random` spies steer the engine.

#[macro_use]
extern crate napi_derive;

mod breaker;
mod classify;
mod clock;
mod core;
mod credentials;
mod doc;
mod emulator;
mod error;
mod fleet;
mod health;
mod hedge;
mod js_value;
mod memory;
mod request;
mod select;
mod support;
mod transport;
mod validation;

/// mimalloc rather than glibc's malloc for the addon's own allocations (the Rust SDK
/// allocates a few hundred times per call, across threads): see bench/README.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
