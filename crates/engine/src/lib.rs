//! The routing engine of bedrock-model-multiplexer, pure and I/O-free.
//!
//! Nothing here reads a clock, draws a random number, touches a socket or knows
//! about Node: time arrives as a `now` argument in milliseconds since the epoch
//! (JavaScript's `Date.now()`), randomness as draws in `[0, 1)` (JavaScript's
//! `Math.random()`), and the request machine says what to do next instead of
//! doing it. The napi shell and the transports drive it.

pub mod backoff;
pub mod breaker;
pub mod classify;
pub mod failover;
pub mod fleet;
pub mod health;
pub mod hedge;
pub mod jsval;
pub mod limits;
pub mod ordered;
pub mod outcome;
pub mod quiet;
pub mod registry;
pub mod request;
pub mod routing;
pub mod select;
pub mod stats;
pub mod stream_stats;
pub mod validate;

/// Milliseconds since the Unix epoch, as JavaScript's `Date.now()` gives them.
pub type Millis = f64;
