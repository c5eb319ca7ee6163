//! Beyond the original (issue 14, `routing`): how a pool picks among its eligible models.
//!
//! `Weighted` is the original's draw and the default. `Latency` prefers the models whose
//! decayed latency estimate is near the best, and now and then explores every model so a
//! recovered one is noticed. `LeastBusy` draws two models by weight and keeps the one with
//! fewer requests in flight (power of two choices). Chance arrives as draws from
//! JavaScript's `Math.random()`, so spies and seeds steer these picks as they steer the
//! weighted one.

use crate::select::weighted_pick;

/// The `routing` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Routing {
    #[default]
    Weighted,
    Latency,
    LeastBusy,
}

impl Routing {
    /// The option's value by its name; `None` for anything else.
    pub fn from_name(name: &str) -> Option<Routing> {
        match name {
            "weighted" => Some(Routing::Weighted),
            "latency" => Some(Routing::Latency),
            "least-busy" => Some(Routing::LeastBusy),
            _ => None,
        }
    }
}

/// How far one new latency sample moves a model's estimate: half the way, so a
/// recovered model's estimate falls to within [`FAST_ENOUGH`] of the best after two
/// samples when it was 3× slower.
pub const LATENCY_DECAY: f64 = 0.5;

/// The chance that a latency-routed pick ignores the estimates and draws by weight among
/// every eligible model: how a model that became fast again is noticed.
pub const EXPLORE_PROBABILITY: f64 = 0.1;

/// A model whose estimate is at most this many times the best one counts as fast: the
/// fast models share the traffic by weight, so near-equal models are not starved by noise.
pub const FAST_ENOUGH: f64 = 1.5;

/// What the load-aware rules know of one model.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Load {
    /// The exponentially decayed latency (ms) of its successes; `None` before the first.
    pub latency_estimate: Option<f64>,
    /// Requests selected for it and not yet reported.
    pub in_flight: u32,
}

impl Load {
    /// Moves the estimate toward a success's latency; a latency that is not a finite,
    /// non-negative number is no sample.
    pub fn record_latency(&mut self, latency: f64) {
        if !(latency.is_finite() && latency >= 0.0) {
            return;
        }
        self.latency_estimate = Some(match self.latency_estimate {
            Some(estimate) => estimate + LATENCY_DECAY * (latency - estimate),
            None => latency,
        });
    }

    pub fn started(&mut self) {
        self.in_flight = self.in_flight.saturating_add(1);
    }

    pub fn finished(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }
}

/// The index `routing` picks among candidates with these weights and loads (same
/// length; `Weighted` reads no load, so it may be given none), or `None` as
/// [`weighted_pick`] answers it. `Weighted` is exactly [`weighted_pick`]: one draw, the
/// original's.
pub fn route_pick(
    routing: Routing,
    weights: &[f64],
    loads: &[Load],
    draw: &mut dyn FnMut() -> f64,
) -> Option<usize> {
    match routing {
        Routing::Weighted => weighted_pick(weights, draw),
        Routing::Latency => latency_pick(weights, loads, draw),
        Routing::LeastBusy => least_busy_pick(weights, loads, draw),
    }
}

/// One draw decides exploring; then a weighted draw among every candidate (exploring)
/// or among the fast ones: unmeasured models, and those within [`FAST_ENOUGH`] of the best.
fn latency_pick(weights: &[f64], loads: &[Load], draw: &mut dyn FnMut() -> f64) -> Option<usize> {
    if weights.is_empty() {
        return None;
    }
    if draw() < EXPLORE_PROBABILITY {
        return weighted_pick(weights, draw);
    }
    let best = loads
        .iter()
        .filter_map(|load| load.latency_estimate)
        .fold(f64::INFINITY, f64::min);
    let fast: Vec<usize> = (0..weights.len())
        .filter(|&index| {
            loads[index]
                .latency_estimate
                .is_none_or(|estimate| estimate <= best * FAST_ENOUGH)
        })
        .collect();
    let fast_weights: Vec<f64> = fast.iter().map(|&index| weights[index]).collect();
    match weighted_pick(&fast_weights, draw) {
        Some(index) => Some(fast[index]),
        // The fast models weigh nothing: every model by weight instead.
        None => weighted_pick(weights, draw),
    }
}

/// Two weighted draws; the one with fewer requests in flight wins, the first on a tie.
fn least_busy_pick(
    weights: &[f64],
    loads: &[Load],
    draw: &mut dyn FnMut() -> f64,
) -> Option<usize> {
    let first = weighted_pick(weights, draw)?;
    let second = weighted_pick(weights, draw)?;
    if loads[second].in_flight < loads[first].in_flight {
        Some(second)
    } else {
        Some(first)
    }
}

#[cfg(test)]
mod tests;
