//! Fleet state: what every instance sharing one Redis/Valkey knows about each model (issue 13).
//!
//! Pure and sans-IO like the rest of the engine: time is a `now` argument, the
//! instance's id is given, and nothing here talks to Redis. The edge crate
//! (`bmm-fleet`) moves the bytes this module produces and feeds back what it reads.
//!
//! # What is shared
//!
//! Per model id, a few *registers*, each holding the latest [`Transition`] written
//! by any instance (last writer wins by [`Stamp`]: time, then instance, then sequence):
//! - `breaker`: opened (at the stamp's time, open until a given time), half-open, closed;
//! - `throttle`: a throttled model is skipped fleet-wide until its cooldown ends (which
//!   also covers tier escalation: the default tier's throttle is reported, and shared,
//!   before any escalation, so the other instances skip the model, escalation included);
//!
//! plus additive counters (requests, successes, failures, throttles, tokens) for fleet
//! health and statistics, and per-model quotas ([`quota`]).
//!
//! # Key layout under the prefix (default `bmm:`)
//!
//! - `{prefix}state`: one hash, field `<register> <model id>`, value the encoded transition
//!   ([`record`]). One hash so a refresh is one `HGETALL`.
//! - `{prefix}counters`: one hash, field `<counter> <model id>`, value an integer (`HINCRBY`).
//! - `{prefix}quota:<kind> <model id>` (`kind` is `requests` or `tokens`): a token bucket
//!   (`HSET level, at`), kept by a Lua script on Redis's own clock, expiring when idle.
//! - `{prefix}applied:<instance id>`: the last batch id applied from that instance, so a
//!   batch sent again after a lost reply is not counted twice ([`outbox`]); expires after a day.
//! - `{prefix}events`: the pub/sub channel; a message is one published batch of transitions.
//!
//! # Message format
//!
//! A batch is `v1` followed by `<byte length>:<record>` per transition; a record (also the
//! value stored in `{prefix}state`) is `<order key> <tag> <until> <tier> <model id>`: the
//! stamp as 48 hex digits (so string order is stamp order, which the publish script uses),
//! `opened`/`half-open`/`closed`/`throttled`, whole milliseconds since the epoch,
//! a service tier slot (`-` for now), and the model id to the end ([`record`]). A reader ignores what it does
//! not understand, so a newer writer's records are skipped rather than misread.

//! # Consistency: bounded staleness
//!
//! The request path reads only the local [`view::FleetView`]: no Redis round trip in steady
//! state. It is kept current by the subscription (a transition is published as soon as it
//! is recorded, so it reaches the others within one publish round trip plus delivery; only
//! counter deltas wait, [`outbox::OutboxConfig::counter_delay_ms`], 50 ms by default), and
//! by a background refresh that re-reads the whole state every
//! `staleness_ms / 2`. A view not refreshed for [`view::DEFAULT_STALENESS_MS`] (1000 ms) is
//! *stale* and is not trusted: an instance frozen in between (a Lambda between invocations)
//! refreshes once, with a bounded timeout, before its next selection; if that fails the
//! instance decides alone (a stale view is never used), exactly as without fleet state, and
//! is reported degraded once a second call in a row fails ([`link`]).
//!
//! # Redis operations per request
//!
//! Zero on the request path in steady state: selection reads the view, admission spends
//! leased permits, outcomes go to the outbox. Off the request path, per instance: one `EVAL`
//! per publish batch (one per burst of transitions, else at most one per 50 ms carrying
//! every counter delta of that interval: the script writes the registers that are newer,
//! adds the counters and `PUBLISH`es, so the cost does not grow with the request rate); one
//! pipelined pair of `HGETALL` per refresh (two per second); and per model with a quota, at
//! most one `EVAL` per 25 ms tick each for a lease of about 250 ms of permits, a refund of
//! lapsed permits, and a debit of the tokens charged since the last one. The only wait a
//! request may see is one refresh, bounded, right after a start or a freeze (a stale view).
//!
//! # Reachability
//!
//! [`link::Link`] turns call outcomes into one `Degraded` and one `Restored` per transition.
//! While degraded, nothing here is consulted: local breakers, and quotas from local buckets
//! with the full rate, decide exactly as without fleet state.

pub mod gate;
pub mod link;
pub mod outbox;
pub mod quota;
pub mod record;
pub mod view;

pub use gate::{FleetGate, FleetHook, Usage};
pub use link::{Link, LinkEvent};
pub use outbox::{Batch, Outbox, OutboxConfig};
pub use record::{BreakerFact, Counter, Fact, Stamp, Transition};
pub use view::{FleetView, Skip};
