//! The multiplexer's statistics: per-model outcome counts and running mean latency, and overall latency percentiles.
//!
//! The arithmetic is the original's, operation for operation, so the
//! numbers callers read match to the last bit.

use std::cmp::Ordering;

use crate::outcome::OutcomeType;

/// One model's counts and mean latency.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ModelStats {
    pub success_count: u64,
    pub rate_limit_count: u64,
    pub fail_fast_count: u64,
    pub refusal_count: u64,
    pub average_latency: f64,
}

impl ModelStats {
    pub fn record(&mut self, kind: OutcomeType, latency: f64) {
        self.record_kind(Some(kind), latency);
    }

    /// Records an outcome whose type may be one the original does not know
    /// (`None`): it then counts nowhere, yet still folds its latency into the
    /// mean over the unchanged count, as the original does.
    pub fn record_kind(&mut self, kind: Option<OutcomeType>, latency: f64) {
        match kind {
            Some(OutcomeType::Success) => self.success_count += 1,
            Some(OutcomeType::RateLimit) => self.rate_limit_count += 1,
            Some(OutcomeType::FailFast) => self.fail_fast_count += 1,
            Some(OutcomeType::Refusal) => self.refusal_count += 1,
            None => {}
        }
        let total = self.total() as f64;
        if total > 0.0 {
            self.average_latency = (self.average_latency * (total - 1.0) + latency) / total;
        }
    }

    pub fn total(&self) -> u64 {
        self.success_count + self.rate_limit_count + self.fail_fast_count + self.refusal_count
    }

    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// Average, percentiles and extremes of the recent latencies.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LatencyMetrics {
    pub average: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub min: f64,
    pub max: f64,
}

/// How many latencies the window keeps, as the original's ring buffer.
pub const LATENCY_HISTORY: usize = 1000;

/// The order `sort((a, b) => a - b)` gives, made total so sorting cannot
/// panic: -0 and 0 tie (the stable sort keeps them in arrival order, as
/// JavaScript's does) and NaN, which JavaScript sorts unpredictably, goes last.
pub(crate) fn js_numeric_order(a: &f64, b: &f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

/// The last [`LATENCY_HISTORY`] latencies, oldest overwritten first.
#[derive(Debug, Clone)]
pub struct LatencyWindow {
    ring: Vec<f64>,
    /// The slot the next latency goes to; the oldest one once the ring is full.
    head: usize,
}

impl Default for LatencyWindow {
    fn default() -> Self {
        Self {
            ring: Vec::with_capacity(LATENCY_HISTORY),
            head: 0,
        }
    }
}

impl LatencyWindow {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn record(&mut self, latency: f64) {
        if self.ring.len() < LATENCY_HISTORY {
            self.ring.push(latency);
        } else {
            self.ring[self.head] = latency;
        }
        self.head = (self.head + 1) % LATENCY_HISTORY;
    }

    pub fn clear(&mut self) {
        self.ring.clear();
        self.head = 0;
    }

    pub fn len(&self) -> usize {
        self.ring.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    /// `calculateLatencyMetrics()`: all zeros when empty. The original sorts
    /// the samples (oldest first) in place and then sums the sorted array, so
    /// the sum runs in ascending order.
    pub fn metrics(&self) -> LatencyMetrics {
        if self.ring.is_empty() {
            return LatencyMetrics::default();
        }
        let mut sorted = Vec::with_capacity(self.ring.len());
        if self.ring.len() < LATENCY_HISTORY {
            sorted.extend_from_slice(&self.ring);
        } else {
            sorted.extend_from_slice(&self.ring[self.head..]);
            sorted.extend_from_slice(&self.ring[..self.head]);
        }
        sorted.sort_by(js_numeric_order);

        let len = sorted.len();
        let at_fraction = |q: f64| sorted[(((len as f64) * q).floor() as usize).min(len - 1)];
        LatencyMetrics {
            average: sorted.iter().fold(0.0, |sum, latency| sum + latency) / len as f64,
            p50: at_fraction(0.5),
            p95: at_fraction(0.95),
            p99: at_fraction(0.99),
            min: sorted[0],
            max: sorted[len - 1],
        }
    }
}

#[cfg(test)]
mod tests;
