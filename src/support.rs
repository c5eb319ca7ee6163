//! Exports that serve the JavaScript layer and the tests rather than the engine.

use napi::bindgen_prelude::*;

/// An empty object built here, so that JavaScript can tell whether the addon's
/// objects share its realm (they do not under jest: see `js/realm.js`).
#[napi(catch_unwind)]
pub fn realm_probe(env: &Env) -> Result<Object<'_>> {
    Object::new(env)
}

/// Panics on purpose, so tests can show that a Rust panic reaches JavaScript as a
/// thrown error instead of aborting the process (every export is `catch_unwind`).
#[napi(catch_unwind, js_name = "__panicForTesting")]
pub fn panic_for_testing() {
    panic!("deliberate panic from bedrock-model-multiplexer's panic test hook");
}
