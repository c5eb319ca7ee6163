//! The multiplexer's model table: the primary and fallback pools with their statistics, breakers and health.
//!
//! This is the state of the original's `BedrockMultiplexer` without its I/O
//! and events: the caller invokes models and emits events, and asks this
//! table what to select, what to record and what to report.
//!
//! The two pools behave like the original's two `Map`s: re-adding an id to
//! its pool replaces the entry in place with fresh statistics, and the same
//! id may sit in both pools (added once as primary, once as fallback). Where
//! the original then looks an id up, the primary entry wins; where it builds
//! an object from both pools, the fallback entry's values win.
//!
//! This table is the only list of models: the driver keeps each model's object (a
//! JavaScript `BedrockModel`) at the [`Slot`] the table hands out for its entry, and
//! looks models up here, never in a list of its own.

use crate::breaker::{lock, BreakerConfig, BreakerManager, BreakerState, SharedBreaker};
use crate::fleet::{FleetHook, Usage};
use crate::health::{HealthManager, ModelHealth, SimpleHealth, SystemHealth};
use crate::jsval::object_entries;
use crate::ordered::JsMap;
use crate::outcome::OutcomeType;
use crate::routing::{route_pick, Load, Routing};
use crate::stats::{LatencyMetrics, LatencyWindow, ModelStats};
use crate::validate::ModelSpec;
use crate::Millis;

/// Where the driver keeps the object of one pool entry: an index handed out when the
/// entry is added, the same until it is removed, then handed out again. An id in both
/// pools has two entries, hence two slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot(pub u32);

/// One model in a pool.
#[derive(Debug, Clone)]
pub struct ModelEntry {
    pub model_id: String,
    pub slot: Slot,
    pub weight: f64,
    pub is_fallback: bool,
    pub stats: ModelStats,
    /// Its latency estimate and requests in flight, which `routing` may pick by.
    pub load: Load,
    /// The breaker the model was given when added, which its invocations record into.
    pub breaker: SharedBreaker,
}

/// A model just added: the breaker its object records into, and the slot to keep it at.
#[derive(Debug, Clone)]
pub struct AddedModel {
    pub breaker: SharedBreaker,
    pub slot: Slot,
}

/// The answer to a selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub model_id: Option<String>,
    pub is_fallback: bool,
    /// Models passed over because their circuit is open, in the order the
    /// original emits `model-circuit-open-skipped` for them.
    pub circuit_open_skipped: Vec<String>,
}

/// One model's statistics as `getStats()` reports them.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelStatsView {
    pub model_id: String,
    pub success_count: u64,
    pub rate_limit_count: u64,
    pub fail_fast_count: u64,
    pub refusal_count: u64,
    pub average_latency: f64,
    pub is_fallback: bool,
}

/// `getStats()`.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiplexerStats {
    pub success_count: u64,
    pub rate_limit_count: u64,
    pub fail_fast_count: u64,
    pub refusal_count: u64,
    /// Keyed by model id, in the key order of the original's object.
    pub model_stats: Vec<(String, ModelStatsView)>,
    pub latency: LatencyMetrics,
}

/// The multiplexer's model table. See the module documentation.
#[derive(Debug)]
pub struct Registry {
    primary: JsMap<ModelEntry>,
    fallback: JsMap<ModelEntry>,
    breakers: BreakerManager,
    health: HealthManager,
    latency: LatencyWindow,
    slots: Slots,
    /// With `sharedState` only: the fleet's view joins the breakers at selection.
    fleet: Option<FleetHook>,
    /// How the primary pool picks (`routing`); the fallback pool always draws by weight.
    routing: Routing,
}

/// Hands out slots: a freed one first, so that the driver's list stays as long as
/// the most entries ever held at once.
#[derive(Debug, Default)]
struct Slots {
    next: u32,
    freed: Vec<Slot>,
}

impl Slots {
    fn take(&mut self) -> Slot {
        self.freed.pop().unwrap_or_else(|| {
            self.next += 1;
            Slot(self.next - 1)
        })
    }

    fn free(&mut self, slot: Slot) {
        self.freed.push(slot);
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    pub fn new() -> Self {
        Self::with_breaker_config(BreakerConfig::default())
    }

    /// A registry whose breakers start from `breaker_config` (the original reads the
    /// live `DEFAULT_CIRCUIT_BREAKER_CONFIG` object when a multiplexer is built).
    pub fn with_breaker_config(breaker_config: BreakerConfig) -> Self {
        Self {
            primary: JsMap::new(),
            fallback: JsMap::new(),
            breakers: BreakerManager::new(breaker_config),
            health: HealthManager::default(),
            latency: LatencyWindow::new(),
            slots: Slots::default(),
            fleet: None,
            routing: Routing::default(),
        }
    }

    /// Joins a fleet (`sharedState`): from now on selection also passes over the models
    /// the fleet skips or whose quota is spent, and outcomes are shared.
    pub fn join_fleet(&mut self, hook: FleetHook) {
        self.fleet = Some(hook);
    }

    /// Beyond the original: the `routing` option, for the primary pool's picks.
    pub fn set_routing(&mut self, routing: Routing) {
        self.routing = routing;
    }

    /// `addModel(config)`: the model's breaker (created unless it exists), which
    /// the caller hands to the model it builds, and the slot to keep that model at.
    /// Re-adding an id to its pool replaces the entry in place, slot included (the
    /// original's `Map.set`: the old model object is dropped).
    pub fn add_model(&mut self, spec: &ModelSpec) -> AddedModel {
        let breaker = self.breakers.get_or_create(&spec.model_id, None);
        let pool = if spec.is_fallback {
            &mut self.fallback
        } else {
            &mut self.primary
        };
        let slot = match pool.get(&spec.model_id) {
            Some(replaced) => replaced.slot,
            None => self.slots.take(),
        };
        let entry = ModelEntry {
            model_id: spec.model_id.clone(),
            slot,
            weight: spec.weight,
            is_fallback: spec.is_fallback,
            stats: ModelStats::default(),
            load: Load::default(),
            breaker: SharedBreaker::clone(&breaker),
        };
        pool.set(&spec.model_id, entry);
        self.health.register(&spec.model_id);
        AddedModel { breaker, slot }
    }

    /// `removeModel(id)`: destroying the models resets their breakers, which
    /// then leave the manager with the health history. Unknown ids are fine.
    /// Returns the slots freed, whose objects the caller lets go.
    pub fn remove_model(&mut self, model_id: &str) -> Vec<Slot> {
        let mut freed = Vec::new();
        for pool in [&mut self.primary, &mut self.fallback] {
            if let Some(entry) = pool.remove(model_id) {
                lock(&entry.breaker).reset();
                self.slots.free(entry.slot);
                freed.push(entry.slot);
            }
        }
        self.health.unregister(model_id);
        self.breakers.remove(model_id);
        if let Some(fleet) = &mut self.fleet {
            fleet.forget(model_id);
        }
        freed
    }

    /// `getModel(id)`: the slot of the primary entry, else of the fallback one.
    pub fn slot(&self, model_id: &str) -> Option<Slot> {
        self.entry(model_id).map(|entry| entry.slot)
    }

    /// `getModel(id)`: the primary entry, else the fallback one.
    pub fn entry(&self, model_id: &str) -> Option<&ModelEntry> {
        self.primary
            .get(model_id)
            .or_else(|| self.fallback.get(model_id))
    }

    pub fn breaker(&self, model_id: &str) -> Option<SharedBreaker> {
        self.entry(model_id)
            .map(|entry| SharedBreaker::clone(&entry.breaker))
    }

    pub fn primary_count(&self) -> usize {
        self.primary.len()
    }

    pub fn fallback_count(&self) -> usize {
        self.fallback.len()
    }

    /// `selectModel({ skippedModels })`: a weighted draw among the primary
    /// models neither skipped nor behind an open circuit, else among the
    /// fallback ones. Each pool with a positive total weight costs one draw.
    /// In a fleet, a model the fleet skips counts as behind an open circuit, and
    /// a pick over its quota is passed over the same way and drawn again.
    /// With a `routing` other than weighted, the primary pool picks by that rule
    /// instead (see [`crate::routing`]). A request that goes on to send to the model
    /// holds it in flight ([`Registry::hold_selection`]); picking alone does not.
    pub fn select(
        &mut self,
        skipped: &dyn Fn(&str) -> bool,
        now: Millis,
        draw: &mut dyn FnMut() -> f64,
    ) -> Selection {
        let mut circuit_open_skipped = Vec::new();
        let picked = self.pick_eligible(skipped, now, draw, &mut circuit_open_skipped);
        let Some((model_id, is_fallback)) = picked else {
            return Selection {
                model_id: None,
                is_fallback: false,
                circuit_open_skipped,
            };
        };
        Selection {
            model_id: Some(model_id),
            is_fallback,
            circuit_open_skipped,
        }
    }

    /// The id and pool of [`Registry::select`]'s pick, noting the models passed over.
    fn pick_eligible(
        &self,
        skipped: &dyn Fn(&str) -> bool,
        now: Millis,
        draw: &mut dyn FnMut() -> f64,
        circuit_open_skipped: &mut Vec<String>,
    ) -> Option<(String, bool)> {
        let fleet = self.fleet.as_ref();
        for (pool, is_fallback) in [(&self.primary, false), (&self.fallback, true)] {
            let routing = if is_fallback {
                Routing::Weighted
            } else {
                self.routing
            };
            let mut candidates: Vec<Candidate> = Vec::new();
            for (model_id, entry) in pool.iter() {
                if skipped(model_id) {
                    continue;
                }
                if !self.breakers.can_execute(model_id, now)
                    || fleet.is_some_and(|fleet| fleet.skips(model_id, now))
                {
                    circuit_open_skipped.push(model_id.to_owned());
                    continue;
                }
                candidates.push(Candidate {
                    model_id,
                    weight: entry.weight,
                    load: entry.load,
                });
            }
            while let Some(index) = pick(routing, &candidates, draw) {
                let model_id = candidates[index].model_id;
                if fleet.is_none_or(|fleet| fleet.admits(model_id, now)) {
                    return Some((model_id.to_owned(), is_fallback));
                }
                circuit_open_skipped.push(model_id.to_owned());
                candidates.remove(index);
            }
        }
        None
    }

    /// `reportOutcome(outcome)`; false (and nothing recorded) for an unknown model.
    pub fn report_outcome(
        &mut self,
        model_id: &str,
        kind: OutcomeType,
        latency: f64,
        now: Millis,
    ) -> bool {
        self.report_outcome_kind(model_id, Some(kind), latency, now)
    }

    /// [`Registry::report_outcome`] for an outcome type that may be one the
    /// original does not know (`None`): see [`ModelStats::record_kind`]. It
    /// is recorded as a failure in the health history.
    pub fn report_outcome_kind(
        &mut self,
        model_id: &str,
        kind: Option<OutcomeType>,
        latency: f64,
        now: Millis,
    ) -> bool {
        let entry = match self.primary.get_mut(model_id) {
            Some(entry) => entry,
            None => match self.fallback.get_mut(model_id) {
                Some(entry) => entry,
                None => return false,
            },
        };
        entry.stats.record_kind(kind, latency);
        if kind == Some(OutcomeType::Success) {
            entry.load.record_latency(latency);
        }
        if let Some(fleet) = &mut self.fleet {
            let breaker = lock(&entry.breaker).status(now);
            fleet.outcome(model_id, kind, breaker, now);
        }
        self.latency.record(latency);
        if kind == Some(OutcomeType::Success) {
            self.health.record_success(model_id, latency, now);
        } else {
            self.health.record_failure(model_id, latency, now);
        }
        true
    }

    /// Whether the table is in a fleet (`sharedState`): only then is a response's `usage` read.
    pub fn in_fleet(&self) -> bool {
        self.fleet.is_some()
    }

    /// A response's `usage`, charged to the model's fleet token quota (with `sharedState`).
    pub fn charge_usage(&self, model_id: &str, usage: Usage, now: Millis) {
        if let Some(fleet) = &self.fleet {
            fleet.charge_usage(model_id, usage, now);
        }
    }

    fn entries(&self) -> impl Iterator<Item = &ModelEntry> {
        self.primary.values().chain(self.fallback.values())
    }

    /// `getStats()`.
    pub fn stats(&self) -> MultiplexerStats {
        let sum =
            |count: fn(&ModelStats) -> u64| self.entries().map(|entry| count(&entry.stats)).sum();
        let model_stats = object_entries(self.entries().map(|entry| {
            let stats = &entry.stats;
            let view = ModelStatsView {
                model_id: entry.model_id.clone(),
                success_count: stats.success_count,
                rate_limit_count: stats.rate_limit_count,
                fail_fast_count: stats.fail_fast_count,
                refusal_count: stats.refusal_count,
                average_latency: stats.average_latency,
                is_fallback: entry.is_fallback,
            };
            (entry.model_id.clone(), view)
        }));
        MultiplexerStats {
            success_count: sum(|s| s.success_count),
            rate_limit_count: sum(|s| s.rate_limit_count),
            fail_fast_count: sum(|s| s.fail_fast_count),
            refusal_count: sum(|s| s.refusal_count),
            model_stats,
            latency: self.latency.metrics(),
        }
    }

    /// `resetStats()`: zeroes every model's statistics and the latency window.
    pub fn reset_stats(&mut self) {
        for (_, entry) in self.primary.iter_mut().chain(self.fallback.iter_mut()) {
            entry.stats.reset();
        }
        self.latency.clear();
    }

    /// The (id, mean latency) pairs of the stats object the original hands to health checks.
    fn stats_for_health(&self) -> Vec<(String, Option<f64>)> {
        self.entries()
            .map(|entry| (entry.model_id.clone(), Some(entry.stats.average_latency)))
            .collect()
    }

    /// `getHealthStatus()`.
    pub fn system_health(&mut self, now: Millis) -> SystemHealth {
        let stats = self.stats_for_health();
        self.health.system_health(&stats, &mut self.breakers, now)
    }

    /// `getModelHealthStatus(id)`; `None` for an unknown model.
    pub fn model_health(&mut self, model_id: &str, now: Millis) -> Option<ModelHealth> {
        let average_latency = self.entry(model_id)?.stats.average_latency;
        Some(
            self.health
                .model_health(model_id, Some(average_latency), &mut self.breakers, now),
        )
    }

    /// `getSimpleHealthCheck()`.
    pub fn simple_health(&mut self, now: Millis) -> SimpleHealth {
        let stats = self.stats_for_health();
        self.health.simple_health(&stats, &mut self.breakers, now)
    }

    /// `isHealthy()`.
    pub fn is_healthy(&mut self, now: Millis) -> bool {
        self.simple_health(now).healthy
    }

    /// `getCircuitBreakerStatus()`: (id, state, recent failures) per breaker.
    pub fn circuit_breaker_status(&self, now: Millis) -> Vec<(String, BreakerState, usize)> {
        self.breakers
            .all_status(now)
            .into_iter()
            .map(|(model_id, status)| (model_id, status.state, status.failure_count))
            .collect()
    }

    /// What `destroy()` does to the state: every model's breaker reset, the
    /// pools (every slot freed), breakers, health history and fleet cleared. The
    /// latency window survives, as in the original.
    pub fn destroy(&mut self) {
        for entry in self.entries() {
            lock(&entry.breaker).reset();
        }
        self.primary.clear();
        self.fallback.clear();
        self.slots = Slots::default();
        self.breakers.clear();
        self.health.reset_all();
        // Lets go of the fleet, so that it can shut down.
        self.fleet = None;
    }
}

/// A model eligible for selection.
struct Candidate<'a> {
    model_id: &'a str,
    weight: f64,
    load: Load,
}

/// The index of `routing`'s pick among `candidates`, if any. The original tests the
/// picked id for truthiness: an empty id counts as no pick.
fn pick(
    routing: Routing,
    candidates: &[Candidate],
    draw: &mut dyn FnMut() -> f64,
) -> Option<usize> {
    let weights: Vec<f64> = candidates.iter().map(|c| c.weight).collect();
    // The weighted draw reads no load: the default path allocates nothing for it.
    let loads: Vec<Load> = match routing {
        Routing::Weighted => Vec::new(),
        Routing::Latency | Routing::LeastBusy => candidates.iter().map(|c| c.load).collect(),
    };
    route_pick(routing, &weights, &loads, draw).filter(|&index| {
        candidates
            .get(index)
            .is_some_and(|c| !c.model_id.is_empty())
    })
}

mod in_flight;
#[cfg(test)]
mod tests;
