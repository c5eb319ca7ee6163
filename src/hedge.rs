//! Beyond the original (issue 14, `hedging`): the engine's hedging rules
//! (`engine::hedge`) for the JavaScript race driver (`js/hedge.js`). `Hedging` is a
//! multiplexer's (policy, each model's recent latencies, counters); `HedgeRace` is one
//! request's race.

use engine::hedge::{self, HedgeCounters, Hedger, Race, Settled};
use engine::validate::hedge_policy;
use napi::bindgen_prelude::*;

use crate::js_value::snapshot;

#[napi(js_name = "Hedging")]
pub struct JsHedging {
    hedger: Hedger,
}

/// `getStats().hedging`.
#[napi(object)]
pub struct HedgeStats {
    /// Requests that sent at least one hedge.
    pub hedged: f64,
    /// Hedges sent: the extra requests hedging cost.
    pub hedges_sent: f64,
    /// Requests answered by a hedge rather than by their first attempt.
    pub won_by_hedge: f64,
    /// Attempts cancelled because another racer won.
    pub cancelled: f64,
}

/// What a racer's ending leads to (`engine::hedge::Settled`).
#[napi(string_enum = "camelCase")]
pub enum VerdictKind {
    Won,
    KeepWaiting,
    AllFailed,
    Over,
}

#[napi(object)]
pub struct Verdict {
    pub kind: VerdictKind,
    /// `won`: the racers to cancel.
    pub cancel: Vec<u32>,
    /// `won`: whether a hedge (not the first attempt) won.
    pub by_hedge: bool,
    /// Hedges the race sent.
    pub hedges: u32,
}

#[napi]
impl JsHedging {
    /// From a `hedging` section the validator accepted; throws for any other value.
    #[napi(constructor, catch_unwind)]
    pub fn new(section: Unknown) -> Result<Self> {
        let policy = hedge_policy(&snapshot(section)?)
            .ok_or_else(|| Error::new(Status::InvalidArg, "invalid hedging section"))?;
        Ok(JsHedging {
            hedger: Hedger::new(policy),
        })
    }

    /// Milliseconds after a first attempt on `model_id` to hedge, or null for no hedge.
    #[napi(catch_unwind)]
    pub fn delay(&self, model_id: String) -> Option<f64> {
        self.hedger.delay(&model_id)
    }

    /// A success's latency, or a cancelled loser's time so far.
    #[napi(catch_unwind)]
    pub fn record_latency(&mut self, model_id: String, latency: f64) {
        self.hedger.record_latency(&model_id, latency);
    }

    /// A new race, its first attempt started.
    #[napi(catch_unwind)]
    pub fn race(&self) -> HedgeRace {
        HedgeRace {
            race: Race::new(self.hedger.max_hedges()),
        }
    }

    /// Counts a race that has ended: its hedges, whether one won, how many were cancelled.
    #[napi(catch_unwind)]
    pub fn count_race(&mut self, hedges: u32, won_by_hedge: bool, cancelled: u32) {
        self.hedger
            .count_race(hedges, won_by_hedge, cancelled as usize);
    }

    #[napi(catch_unwind)]
    pub fn stats(&self) -> HedgeStats {
        let HedgeCounters {
            hedged,
            hedges_sent,
            won_by_hedge,
            cancelled,
        } = self.hedger.counters();
        HedgeStats {
            hedged: hedged as f64,
            hedges_sent: hedges_sent as f64,
            won_by_hedge: won_by_hedge as f64,
            cancelled: cancelled as f64,
        }
    }

    #[napi(catch_unwind)]
    pub fn reset_stats(&mut self) {
        self.hedger.reset_counters();
    }
}

#[napi]
pub struct HedgeRace {
    race: Race,
}

#[napi]
impl HedgeRace {
    /// The hedge timer fired: whether to send a hedge now.
    #[napi(catch_unwind)]
    pub fn should_hedge(&self) -> bool {
        self.race.should_hedge()
    }

    /// A hedge was sent: its racer number.
    #[napi(catch_unwind)]
    pub fn hedge_started(&mut self) -> u32 {
        self.race.hedge_started() as u32
    }

    #[napi(catch_unwind)]
    pub fn succeeded(&mut self, racer: u32) -> Verdict {
        let settled = self.race.succeeded(racer as usize);
        self.verdict(settled)
    }

    #[napi(catch_unwind)]
    pub fn failed(&mut self, racer: u32) -> Verdict {
        let settled = self.race.failed(racer as usize);
        self.verdict(settled)
    }

    fn verdict(&self, settled: Settled) -> Verdict {
        let hedges = self.race.hedges();
        let (kind, cancel, by_hedge) = match settled {
            Settled::Won {
                cancel, by_hedge, ..
            } => (
                VerdictKind::Won,
                cancel.into_iter().map(|racer| racer as u32).collect(),
                by_hedge,
            ),
            Settled::KeepWaiting => (VerdictKind::KeepWaiting, Vec::new(), false),
            Settled::AllFailed => (VerdictKind::AllFailed, Vec::new(), false),
            Settled::Over => (VerdictKind::Over, Vec::new(), false),
        };
        Verdict {
            kind,
            cancel,
            by_hedge,
            hedges,
        }
    }
}

/// Whether a stream event with this key decides a hedged stream's race.
#[napi(catch_unwind)]
pub fn decides_stream_race(event_key: String) -> bool {
    hedge::decides_stream_race(&event_key)
}
