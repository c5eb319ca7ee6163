//! Beyond the original (issue 14, `hedging`): when a slow request is sent again to another
//! model, which of the racing attempts wins, and which are cancelled.
//!
//! A hedge trades a few extra requests for a shorter tail: when the first attempt has not
//! answered after `afterMs` (a fixed delay, or a percentile of the model's recent
//! latencies), the same request goes to another model, and the first success wins. The
//! rules live here; the driver (`js/hedge.js`) only races promises, runs the timer on the
//! caller's clock and carries out what [`Race`] decides.
//!
//! How the racers are counted: a cancelled loser reports no outcome at all (no breaker
//! failure, no statistics, no health sample); it only counts in [`HedgeCounters`]. A racer
//! that fails while another still runs reports its failure as usual, and the request waits
//! for the others.

use std::collections::{HashMap, VecDeque};

/// The percentiles `afterMs` may name.
pub const PERCENTILES: [(&str, f64); 3] = [("p90", 0.90), ("p95", 0.95), ("p99", 0.99)];

/// A percentile delay needs this many recent latencies of the model: before that, no hedge
/// is sent (a percentile of a handful of samples says nothing about the tail).
pub const MIN_SAMPLES: usize = 20;

/// How many recent latencies per model a percentile is read from.
pub const SAMPLE_WINDOW: usize = 200;

/// At most this many hedges per request (`maxHedges`, default 1).
pub const MAX_HEDGES: u32 = 3;

/// When to hedge: `afterMs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HedgeAfter {
    /// A fixed delay, in milliseconds.
    Fixed(f64),
    /// This quantile (0.90, 0.95 or 0.99) of the first model's recent latencies.
    Percentile(f64),
}

impl HedgeAfter {
    /// `'p90'`, `'p95'` or `'p99'` by name; `None` for anything else.
    pub fn percentile_named(name: &str) -> Option<HedgeAfter> {
        PERCENTILES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|&(_, quantile)| HedgeAfter::Percentile(quantile))
    }
}

/// The validated `hedging` option.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HedgePolicy {
    pub after: HedgeAfter,
    pub max_hedges: u32,
}

/// What `getStats().hedging` reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HedgeCounters {
    /// Requests that sent at least one hedge.
    pub hedged: u64,
    /// Hedges sent: the extra requests hedging cost.
    pub hedges_sent: u64,
    /// Requests answered by a hedge rather than by their first attempt.
    pub won_by_hedge: u64,
    /// Attempts cancelled because another racer won.
    pub cancelled: u64,
}

/// A multiplexer's hedging: its policy, each model's recent latencies and the counters.
#[derive(Debug)]
pub struct Hedger {
    policy: HedgePolicy,
    samples: HashMap<String, VecDeque<f64>>,
    counters: HedgeCounters,
}

impl Hedger {
    pub fn new(policy: HedgePolicy) -> Hedger {
        Hedger {
            policy,
            samples: HashMap::new(),
            counters: HedgeCounters::default(),
        }
    }

    pub fn max_hedges(&self) -> u32 {
        self.policy.max_hedges
    }

    /// How long after its first attempt on `model_id` a request sends a hedge, or `None`
    /// for no hedge (a percentile before [`MIN_SAMPLES`] latencies of the model).
    pub fn delay(&self, model_id: &str) -> Option<f64> {
        match self.policy.after {
            HedgeAfter::Fixed(ms) => Some(ms),
            HedgeAfter::Percentile(quantile) => {
                let samples = self.samples.get(model_id)?;
                (samples.len() >= MIN_SAMPLES).then(|| nearest_rank(samples, quantile))
            }
        }
    }

    /// Records how long an attempt on `model_id` took: a success's latency, or a
    /// cancelled loser's time so far (a lower bound of its latency, so the tail that
    /// hedging hides from the caller stays in the samples and the percentile does not
    /// drift down into the body of the distribution). Not a finite, non-negative number:
    /// no sample.
    pub fn record_latency(&mut self, model_id: &str, latency: f64) {
        if !(latency.is_finite() && latency >= 0.0) {
            return;
        }
        let samples = self.samples.entry(model_id.to_owned()).or_default();
        if samples.len() == SAMPLE_WINDOW {
            samples.pop_front();
        }
        samples.push_back(latency);
    }

    /// Counts a race that has ended: `hedges` hedges sent, won by a hedge or not,
    /// `cancelled` racers cancelled.
    pub fn count_race(&mut self, hedges: u32, won_by_hedge: bool, cancelled: usize) {
        let counters = &mut self.counters;
        if hedges > 0 {
            counters.hedged += 1;
        }
        counters.hedges_sent += u64::from(hedges);
        counters.won_by_hedge += u64::from(won_by_hedge);
        counters.cancelled += cancelled as u64;
    }

    pub fn counters(&self) -> HedgeCounters {
        self.counters
    }

    /// `resetStats()`: the counters start over; the latencies stay (they steer hedging).
    pub fn reset_counters(&mut self) {
        self.counters = HedgeCounters::default();
    }
}

/// The nearest-rank quantile: the smallest sample at or above `quantile` of them.
fn nearest_rank(samples: &VecDeque<f64>, quantile: f64) -> f64 {
    let mut sorted: Vec<f64> = samples.iter().copied().collect();
    sorted.sort_by(f64::total_cmp);
    let rank = (quantile * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// For `processStreamRequest`: whether a stream event with this key decides the race. A
/// stream that opened, or sent its `messageStart` or `metadata`, has produced no answer
/// yet; anything else (content, or `messageStop` for an empty answer) has.
pub fn decides_stream_race(event_key: &str) -> bool {
    !matches!(event_key, "messageStart" | "metadata")
}

/// What a racer's ending leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// `winner` answered first: its answer is the request's, `cancel` are cancelled.
    Won {
        winner: usize,
        cancel: Vec<usize>,
        by_hedge: bool,
    },
    /// Another racer still runs: the request waits for it (a failure is reported as usual).
    KeepWaiting,
    /// Every racer failed: this failure goes on as an unhedged attempt's would.
    AllFailed,
    /// The race was already decided; nothing to do.
    Over,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Racer {
    Running,
    Failed,
    Won,
    Cancelled,
}

/// One request's race: the first attempt (racer 0) and its hedges, in the order started.
#[derive(Debug, Clone)]
pub struct Race {
    racers: Vec<Racer>,
    max_hedges: u32,
}

impl Race {
    /// A race whose first attempt has started.
    pub fn new(max_hedges: u32) -> Race {
        Race {
            racers: vec![Racer::Running],
            max_hedges,
        }
    }

    /// The hedge timer fired: whether to send a hedge now (the race still open, a racer
    /// still running, hedges left).
    pub fn should_hedge(&self) -> bool {
        self.open() && self.hedges() < self.max_hedges
    }

    /// A hedge was sent; returns its racer number.
    pub fn hedge_started(&mut self) -> usize {
        self.racers.push(Racer::Running);
        self.racers.len() - 1
    }

    /// Hedges sent so far.
    pub fn hedges(&self) -> u32 {
        (self.racers.len() - 1) as u32
    }

    /// Racer `racer` answered.
    pub fn succeeded(&mut self, racer: usize) -> Settled {
        if !self.open() || self.racers.get(racer) != Some(&Racer::Running) {
            return Settled::Over;
        }
        let mut cancel = Vec::new();
        for (index, state) in self.racers.iter_mut().enumerate() {
            if index == racer {
                *state = Racer::Won;
            } else if *state == Racer::Running {
                *state = Racer::Cancelled;
                cancel.push(index);
            }
        }
        Settled::Won {
            winner: racer,
            cancel,
            by_hedge: racer > 0,
        }
    }

    /// Racer `racer` failed.
    pub fn failed(&mut self, racer: usize) -> Settled {
        if !self.open() || self.racers.get(racer) != Some(&Racer::Running) {
            return Settled::Over;
        }
        self.racers[racer] = Racer::Failed;
        if self.open() {
            Settled::KeepWaiting
        } else {
            Settled::AllFailed
        }
    }

    /// Whether no racer has won and one is still running.
    fn open(&self) -> bool {
        !self.racers.contains(&Racer::Won) && self.racers.contains(&Racer::Running)
    }
}

#[cfg(test)]
mod tests;
