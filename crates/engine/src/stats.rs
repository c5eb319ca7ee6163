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
mod tests {
    use super::*;

    #[test]
    fn outcomes_count_by_kind() {
        let mut stats = ModelStats::default();
        stats.record(OutcomeType::Success, 10.0);
        stats.record(OutcomeType::RateLimit, 10.0);
        stats.record(OutcomeType::FailFast, 10.0);
        stats.record(OutcomeType::Refusal, 10.0);
        stats.record(OutcomeType::Success, 10.0);
        assert_eq!(
            (
                stats.success_count,
                stats.rate_limit_count,
                stats.fail_fast_count,
                stats.refusal_count
            ),
            (2, 1, 1, 1)
        );
        assert_eq!(stats.total(), 5);
    }

    #[test]
    fn the_mean_latency_is_the_original_running_mean() {
        let mut stats = ModelStats::default();
        let latencies = [1.0, 2.0, 0.1, 0.7, 0.3];
        let mut expected = 0.0;
        for (i, &latency) in latencies.iter().enumerate() {
            stats.record(OutcomeType::Success, latency);
            let n = (i + 1) as f64;
            expected = (expected * (n - 1.0) + latency) / n;
            assert_eq!(stats.average_latency.to_bits(), f64::to_bits(expected));
        }
        // The running mean rounds differently from the plain mean (0.82).
        assert_eq!(stats.average_latency, 0.8200000000000001);
    }

    #[test]
    fn an_unknown_outcome_counts_nowhere_but_moves_the_mean() {
        let mut stats = ModelStats::default();
        stats.record_kind(None, 100.0);
        assert_eq!(
            stats.average_latency, 0.0,
            "nothing counted yet: the mean is left alone"
        );
        stats.record(OutcomeType::Success, 10.0);
        stats.record_kind(None, 30.0);
        // n stays 1: (10 * 0 + 30) / 1.
        assert_eq!(stats.average_latency, 30.0);
        assert_eq!(stats.total(), 1);
    }

    #[test]
    fn reset_zeroes_everything() {
        let mut stats = ModelStats::default();
        stats.record(OutcomeType::FailFast, 5.0);
        stats.reset();
        assert_eq!(stats, ModelStats::default());
    }

    #[test]
    fn an_empty_window_reports_zeros() {
        assert_eq!(LatencyWindow::new().metrics(), LatencyMetrics::default());
    }

    #[test]
    fn percentiles_index_the_sorted_samples_at_floor_of_len_times_q() {
        let mut window = LatencyWindow::new();
        for latency in (1..=20).rev() {
            window.record(f64::from(latency));
        }
        let m = window.metrics();
        // len 20: p50 index 10, p95 index 19 (20 * 0.95 rounds to exactly 19), p99 index 19.
        assert_eq!(m.p50, 11.0);
        assert_eq!(m.p95, 20.0);
        assert_eq!(m.p99, 20.0);
        assert_eq!(m.min, 1.0);
        assert_eq!(m.max, 20.0);
        assert_eq!(m.average, 10.5);
    }

    #[test]
    fn a_single_sample_is_every_statistic() {
        let mut window = LatencyWindow::new();
        window.record(42.5);
        let m = window.metrics();
        assert_eq!(
            m,
            LatencyMetrics {
                average: 42.5,
                p50: 42.5,
                p95: 42.5,
                p99: 42.5,
                min: 42.5,
                max: 42.5
            }
        );
    }

    #[test]
    fn the_average_sums_in_ascending_order() {
        let mut window = LatencyWindow::new();
        let samples = [1e16, 1.0, -1e16, 1.0];
        for s in samples {
            window.record(s);
        }
        // Ascending: -1e16 + 1 + 1 + 1e16 = 0 in floating point (the ones are absorbed).
        let ascending = [-1e16, 1.0, 1.0, 1e16].iter().fold(0.0, |a, b| a + b) / 4.0;
        let arrival = samples.iter().fold(0.0, |a, b| a + b) / 4.0;
        assert_ne!(ascending, arrival);
        assert_eq!(window.metrics().average, ascending);
    }

    #[test]
    fn the_window_keeps_only_the_last_thousand() {
        let mut window = LatencyWindow::new();
        for i in 0..1500 {
            window.record(f64::from(i));
        }
        assert_eq!(window.len(), LATENCY_HISTORY);
        let m = window.metrics();
        assert_eq!(m.min, 500.0);
        assert_eq!(m.max, 1499.0);
        assert_eq!(m.p50, 1000.0);
        assert_eq!(m.p95, 1450.0);
        assert_eq!(m.p99, 1490.0);
    }

    #[test]
    fn clearing_empties_the_window() {
        let mut window = LatencyWindow::new();
        for i in 0..1200 {
            window.record(f64::from(i));
        }
        window.clear();
        assert!(window.is_empty());
        assert_eq!(window.metrics(), LatencyMetrics::default());
        window.record(7.0);
        assert_eq!(window.metrics().max, 7.0);
    }

    #[test]
    fn nan_samples_do_not_break_sorting() {
        let mut window = LatencyWindow::new();
        for s in [3.0, f64::NAN, 1.0, 2.0] {
            window.record(s);
        }
        let m = window.metrics();
        assert_eq!(m.min, 1.0);
        assert!(m.max.is_nan());
        assert!(m.average.is_nan());
    }

    #[test]
    fn numeric_order_ties_signed_zeros_and_puts_nan_last() {
        assert_eq!(js_numeric_order(&-0.0, &0.0), Ordering::Equal);
        assert_eq!(js_numeric_order(&1.0, &2.0), Ordering::Less);
        assert_eq!(
            js_numeric_order(&f64::NAN, &f64::INFINITY),
            Ordering::Greater
        );
        assert_eq!(js_numeric_order(&f64::NAN, &f64::NAN), Ordering::Equal);
    }
}
