//! State shared by every connection of one emulator: behaviours per model, the request
//! log, the signature verifier and the counters.

use crate::behavior::{Behavior, BehaviorSet};
use crate::error::Error;
use crate::options::EmulatorOptions;
use crate::plan::ModelPlan;
use crate::record::Recorder;
use crate::sigv4::Verifier;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// Counters of one emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Requests received (model requests and refused ones).
    pub requests: u64,
    pub connections_open: usize,
    pub connections_total: u64,
    /// Model requests whose client went away before the answer was complete: dropped
    /// while the emulator waited to answer, or a stream closed before its last event.
    pub abandoned: u64,
    /// TLS handshakes completed: connections accepted over TLS.
    pub tls_handshakes: u64,
    /// Of those, the ones that resumed an earlier session (abbreviated handshakes).
    pub tls_resumed_handshakes: u64,
}

pub(crate) struct Shared {
    pub verify_signatures: bool,
    pub verifier: Verifier,
    pub recorder: Recorder,
    /// The behaviour models without their own get; `reset_behaviors` returns to `initial_default`.
    default_behavior: RwLock<Behavior>,
    initial_default: Behavior,
    /// Plans per model id: set explicitly, or made from the default on first use so each
    /// model has its own fault counter.
    plans: RwLock<HashMap<String, Arc<ModelPlan>>>,
    pub request_seq: AtomicU64,
    pub connections_open: AtomicUsize,
    pub connections_total: AtomicU64,
    pub abandoned: Arc<AtomicU64>,
    /// TLS handshakes completed, and how many of them resumed an earlier session.
    pub tls_handshakes: AtomicU64,
    pub tls_resumed_handshakes: AtomicU64,
    /// Makes request ids differ between emulator instances.
    id_salt: u64,
}

impl Shared {
    pub fn new(options: &EmulatorOptions) -> Result<Shared, Error> {
        // Compiling once validates the default before any request depends on it.
        ModelPlan::new(options.default_behavior.clone(), true)?;
        let salt = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Ok(Shared {
            verify_signatures: options.verify_signatures,
            verifier: Verifier::new(&options.credentials, options.max_clock_skew),
            recorder: Recorder::new(options.max_recorded_requests),
            default_behavior: RwLock::new(options.default_behavior.clone()),
            initial_default: options.default_behavior.clone(),
            plans: RwLock::new(HashMap::new()),
            request_seq: AtomicU64::new(0),
            connections_open: AtomicUsize::new(0),
            connections_total: AtomicU64::new(0),
            abandoned: Arc::default(),
            tls_handshakes: AtomicU64::new(0),
            tls_resumed_handshakes: AtomicU64::new(0),
            id_salt: salt,
        })
    }

    /// The plan serving `model_id`.
    pub fn plan_for(&self, model_id: &str) -> Result<Arc<ModelPlan>, Error> {
        if let Some(plan) = read(&self.plans).get(model_id) {
            return Ok(plan.clone());
        }
        let default = read(&self.default_behavior).clone();
        let plan = Arc::new(ModelPlan::new(default, true)?);
        Ok(write(&self.plans)
            .entry(model_id.to_string())
            .or_insert(plan)
            .clone())
    }

    pub fn set_behavior(&self, model_id: &str, behavior: Behavior) -> Result<(), Error> {
        let plan = Arc::new(ModelPlan::new(behavior, false)?);
        write(&self.plans).insert(model_id.to_string(), plan);
        Ok(())
    }

    pub fn remove_behavior(&self, model_id: &str) {
        write(&self.plans).remove(model_id);
    }

    pub fn set_default_behavior(&self, behavior: Behavior) -> Result<(), Error> {
        ModelPlan::new(behavior.clone(), true)?;
        // Lock order (default, then plans) matches nothing else taking both, so no deadlock.
        *write(&self.default_behavior) = behavior;
        write(&self.plans).retain(|_, plan| !plan.inherited);
        Ok(())
    }

    /// Replaces every behaviour with `set` (models not named get the default).
    pub fn apply_behavior_set(&self, set: BehaviorSet) -> Result<(), Error> {
        let default = set.default.unwrap_or_else(|| self.initial_default.clone());
        ModelPlan::new(default.clone(), true)?;
        let mut plans = HashMap::with_capacity(set.models.len());
        for (model, behavior) in set.models {
            let plan = ModelPlan::new(behavior, false)
                .map_err(|e| Error::Invalid(format!("model {model}: {e}")))?;
            plans.insert(model, Arc::new(plan));
        }
        *write(&self.default_behavior) = default;
        *write(&self.plans) = plans;
        Ok(())
    }

    pub fn reset_behaviors(&self) {
        *write(&self.default_behavior) = self.initial_default.clone();
        write(&self.plans).clear();
    }

    /// A UUID-shaped request id, unique per emulator and request.
    pub fn request_id(&self, seq: u64) -> String {
        let a = mix(self.id_salt ^ seq);
        let b = mix(a ^ seq.rotate_left(17));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }

    pub fn next_request_seq(&self) -> u64 {
        self.request_seq.fetch_add(1, Ordering::Relaxed)
    }

    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.request_seq.load(Ordering::Relaxed),
            connections_open: self.connections_open.load(Ordering::Acquire),
            connections_total: self.connections_total.load(Ordering::Relaxed),
            abandoned: self.abandoned.load(Ordering::Relaxed),
            tls_handshakes: self.tls_handshakes.load(Ordering::Relaxed),
            tls_resumed_handshakes: self.tls_resumed_handshakes.load(Ordering::Relaxed),
        }
    }
}

fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// A poisoned lock means a panic elsewhere while holding it; the maps are always left
// consistent (single insert/replace), so carry on rather than take the server down.
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_look_like_uuids_and_differ() {
        let shared = Shared::new(&EmulatorOptions::default()).unwrap();
        let a = shared.request_id(0);
        let b = shared.request_id(1);
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
    }

    #[test]
    fn default_changes_reach_inherited_plans_only() {
        let shared = Shared::new(&EmulatorOptions::default()).unwrap();
        shared
            .set_behavior("own", Behavior::from_json(r#"{"text":"mine"}"#).unwrap())
            .unwrap();
        assert!(shared.plan_for("other").unwrap().inherited);
        shared
            .set_default_behavior(Behavior::from_json(r#"{"fault":"throttle"}"#).unwrap())
            .unwrap();
        assert_eq!(
            shared.plan_for("other").unwrap().behavior.fault,
            Some(crate::behavior::Fault::Throttle)
        );
        assert_eq!(
            shared.plan_for("own").unwrap().behavior.text.as_deref(),
            Some("mine")
        );
    }
}
