//! Beyond the original (issue 14, `failover.backoff`): how long a request waits before it
//! tries a model it already tried.
//!
//! Under `failover` a request tries each eligible model once; with `backoff` set, when
//! every one has failed and `maxRetries` still allows an attempt, it starts another round
//! over them. Hammering a model that just failed makes an overload worse, so each round
//! waits a full-jitter exponential delay (a uniform draw up to `min(maxMs, baseMs × 2^(n−1))`
//! for round n, so many clients spread out instead of retrying in step), and a model that
//! said how long to stay away (`Retry-After`, `x-amz-retry-after`) is not tried before
//! then. No wait reaches the request's deadline: a model that could only be tried after it
//! is passed over instead. Time is a `now` argument and chance a draw from `Math.random()`.

use crate::Millis;

/// The caller's `failover.backoff`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackoffPolicy {
    pub base_ms: f64,
    pub max_ms: f64,
}

impl BackoffPolicy {
    /// Round `round`'s (1 for the first retry round) full-jitter delay for a draw in [0, 1).
    pub fn jittered_delay(self, round: u32, draw: f64) -> f64 {
        let exponent = round.saturating_sub(1).min(52) as i32;
        let cap = (self.base_ms * 2f64.powi(exponent)).min(self.max_ms);
        let draw = if draw.is_finite() {
            draw.clamp(0.0, 1.0)
        } else {
            0.0
        };
        draw * cap
    }
}

/// Why a request waits before trying a model again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitReason {
    /// The round's jittered exponential delay.
    Exponential,
    /// The model's `Retry-After` (it ends later than the round's delay).
    RetryAfter,
}

impl WaitReason {
    /// The `backoff` event's `reason`.
    pub fn name(self) -> &'static str {
        match self {
            WaitReason::Exponential => "exponential",
            WaitReason::RetryAfter => "retry-after",
        }
    }
}

/// What to do about trying a model again at `now`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Retry {
    /// Try it now: the round's delay has passed and the model set no later time.
    Now,
    /// Wait this long (ms) first.
    After { delay_ms: f64, reason: WaitReason },
    /// It could only be tried at or after the deadline: pass it over.
    PastDeadline,
}

/// When a model tried before may be tried again: not before `round_not_before` (the
/// round's start plus its jittered delay) nor `retry_after_until` (the model's
/// `Retry-After`, absolute), and only if that is before `deadline`.
pub fn retry_at(
    now: Millis,
    round_not_before: Millis,
    retry_after_until: Option<Millis>,
    deadline: Millis,
) -> Retry {
    let (at, reason) = match retry_after_until {
        Some(until) if until > round_not_before => (until, WaitReason::RetryAfter),
        _ => (round_not_before, WaitReason::Exponential),
    };
    if at >= deadline {
        return Retry::PastDeadline;
    }
    if at <= now {
        return Retry::Now;
    }
    Retry::After {
        delay_ms: at - now,
        reason,
    }
}

/// What an error said about how long to stay away, as the JS SDK's retry strategy reads
/// it (`@smithy/core` `parseRetryAfterHeader`), plus the original's `retryAfterSeconds`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RetryAfterHints<'a> {
    /// The `retry-after` header: delay-seconds, or an HTTP date.
    pub retry_after: Option<&'a str>,
    /// JavaScript's `Date.parse` of `retry_after` (NaN when it is no date).
    pub retry_after_date: Option<f64>,
    /// The `x-amz-retry-after` header: milliseconds.
    pub amz_retry_after: Option<&'a str>,
    /// The error's `retryAfterSeconds`.
    pub retry_after_seconds: Option<f64>,
}

/// Until when (absolute ms) the model asked not to be called again, if it said; the
/// latest of what the hints say, and none that is not a finite, positive wait.
pub fn retry_after_until(hints: RetryAfterHints, now: Millis) -> Option<Millis> {
    let header_seconds = hints.retry_after.and_then(|text| {
        let text = text.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            text.parse::<f64>()
                .ok()
                .map(|seconds| now + seconds * 1000.0)
        } else {
            hints.retry_after_date
        }
    });
    let amz = hints
        .amz_retry_after
        .and_then(|text| text.trim().parse::<f64>().ok())
        .map(|ms| now + ms);
    let seconds = hints.retry_after_seconds.map(|s| now + s * 1000.0);
    [header_seconds, amz, seconds]
        .into_iter()
        .flatten()
        .filter(|until| until.is_finite() && *until > now)
        .reduce(f64::max)
}

/// One request's retry rounds under `failover.backoff`: what the request machine keeps
/// to decide when a model may be tried again.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryRounds {
    policy: BackoffPolicy,
    deadline: Millis,
    /// 0 while every model is tried the first time.
    round: u32,
    /// The current round's start plus its jittered delay.
    round_not_before: Millis,
    /// Whether an attempt started in the current round (a round without one ends the request).
    attempted_in_round: bool,
    /// Each model's latest `Retry-After`, absolute.
    retry_after: Vec<(String, Millis)>,
    /// The models skipped in earlier rounds, in order, for the request's failure.
    tried: Vec<String>,
}

impl RetryRounds {
    /// No request attempt runs past `deadline` (Infinity for none).
    pub fn new(policy: BackoffPolicy, deadline: Millis) -> Self {
        RetryRounds {
            policy,
            deadline,
            round: 0,
            round_not_before: f64::NEG_INFINITY,
            attempted_in_round: false,
            retry_after: Vec::new(),
            tried: Vec::new(),
        }
    }

    /// An attempt started.
    pub fn attempted(&mut self) {
        self.attempted_in_round = true;
    }

    /// Whether the selection finding no model left starts another round: only after a
    /// round that attempted something (retries then bound the rounds).
    pub fn may_start_round(&self) -> bool {
        self.attempted_in_round
    }

    /// Starts the next round at `now`: the models skipped so far become eligible again.
    pub fn start_round(&mut self, skipped: &mut Vec<String>, now: Millis, draw: f64) {
        for model_id in skipped.drain(..) {
            if !self.tried.contains(&model_id) {
                self.tried.push(model_id);
            }
        }
        self.round = self.round.saturating_add(1);
        self.round_not_before = now + self.policy.jittered_delay(self.round, draw);
        self.attempted_in_round = false;
    }

    /// `model_id` said not to call it before `until`.
    pub fn note_retry_after(&mut self, model_id: &str, until: Millis) {
        match self.retry_after.iter_mut().find(|(id, _)| id == model_id) {
            Some((_, known)) => *known = until,
            None => self.retry_after.push((model_id.to_owned(), until)),
        }
    }

    /// Whether `model_id`, just selected at `now`, is tried now, after a wait, or passed
    /// over. A model not tried in an earlier round is tried now.
    pub fn retry(&self, model_id: &str, now: Millis) -> Retry {
        if self.round == 0 || !self.tried.iter().any(|id| id == model_id) {
            return Retry::Now;
        }
        let until = self
            .retry_after
            .iter()
            .find(|(id, _)| id == model_id)
            .map(|(_, until)| *until);
        retry_at(now, self.round_not_before, until, self.deadline)
    }

    /// The models skipped in earlier rounds, then those of this round not among them.
    pub fn all_skipped(&self, skipped: &[String]) -> Vec<String> {
        let mut all = self.tried.clone();
        all.extend(
            skipped
                .iter()
                .filter(|id| !self.tried.contains(id))
                .cloned(),
        );
        all
    }
}

#[cfg(test)]
mod tests;
