//! JavaScript's own rules, written once in Rust: what `Date.prototype.toISOString`,
//! `Object.keys`, `String(n)` and `JSON.stringify` produce, a JavaScript string as Rust
//! holds it (`JsText`, lone surrogates included), and a copied JavaScript value that
//! answers `typeof`, truthiness, `String(x)` and `Number(x)`.
//!
//! The engine, the transport, the emulator and the addon each need some of these rules;
//! this crate is their one home, so that each is written, and tested against Node, once.
//! No napi, no I/O, no AWS crates: the engine stays testable on its own.

pub mod date;
pub mod json;
pub mod keys;
pub mod number;
pub mod text;
pub mod value;
