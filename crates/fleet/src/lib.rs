//! Fleet state on Redis/Valkey: drives the engine's pure `fleet` module over redis-rs.
//!
//! The request path calls [`Fleet`]'s synchronous methods, which read and write only the
//! local view, outbox and quota gates behind one mutex: no Redis round trip. One background
//! task ([`driver`]) does all the I/O: it keeps a subscription to the fleet's channel,
//! refreshes the whole view every half staleness bound, publishes due batches, fetches quota
//! leases, and reports reachability changes once each. Every Redis call is bounded by
//! [`FleetConfig::op_timeout`]; a failure makes the instance decide alone (the engine's local
//! behaviour) until a refresh succeeds again. See the engine's `fleet` module for the design.

pub mod config;
mod driver;
mod keys;
mod scripts;
mod shared;
mod state;

pub use config::{FleetConfig, StartError};
pub use engine::fleet::quota::{Admission, QuotaConfig, Rate, LEASE_TTL_MS};
pub use engine::fleet::{BreakerFact, Counter, Fact, LinkEvent, Skip};
pub use shared::Fleet;
