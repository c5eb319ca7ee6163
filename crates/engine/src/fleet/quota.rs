//! Fleet quotas (`requestsPerMinute`, `tokensPerMinute`): token buckets, and leases that keep admission local.
//!
//! Why a token bucket and not a per-minute window: a window lets the whole minute's quota
//! through in its first second, and Bedrock's own limiter refills continuously, so a burst
//! like that is exactly what earns 429s. The bucket refills at `per_minute / 60000` per ms
//! and holds at most `burst_ms` worth ([`BURST_MS`], a quarter second, never less than one
//! unit): a small burst is what keeps the fleet's bound close to the rate itself.
//!
//! Requests: the shared bucket lives in Redis (a Lua script on Redis's clock mirrors
//! [`TokenBucket::take_up_to`]). An instance does not ask it per request: it takes a *lease*
//! of a few permits ahead of need ([`QuotaGate::lease_request`], in the background) and
//! admits from it locally. Permits a lease does not use within [`LEASE_TTL_MS`] of asking
//! lapse and are refunded to the shared bucket (never above its capacity), so an idle
//! instance holds no quota for long. Every permit is spent within `LEASE_TTL_MS` of leaving
//! the bucket, so over any window `W` the fleet sends at most what the bucket held and
//! refilled while the window's permits were live, `capacity + rate × (W + LEASE_TTL_MS)`,
//! plus what was leased just before and refunded inside it (granted again), at most
//! `capacity + rate × LEASE_TTL_MS` more: with both a quarter second, `rate × (W + 1 s)`
//! (for 600 per minute over 10 s, 110). With no permit in hand the model is over quota for
//! now and is skipped like an open circuit; nothing waits for Redis. The cost is at low
//! rates: a permit in one instance's hand is not in another's.
//!
//! Tokens: a response's `usage` is known only after the fact, so tokens are charged then
//! ([`QuotaGate::charge_tokens`]) and debited from the shared bucket with the next publish;
//! a model is admitted while the bucket (as last read, refilled locally since, minus charges
//! not yet sent) is above zero. The bucket may go below zero: that debt is the overshoot of
//! the responses in flight when it ran out.
//!
//! Without Redis (not yet connected, or degraded) each instance admits against its own local
//! buckets with the full quota, as a single process would. A stale view does not count as
//! without Redis here: leases stay valid on their own until they lapse.

use super::record::whole_ms;
use crate::Millis;

/// The burst a bucket holds: a quarter second's refill, the size of one lease. It adds to
/// the fleet's bound in full, so it is kept small.
pub const BURST_MS: f64 = 250.0;
/// A lease asks for about this long's worth of permits.
pub const LEASE_MS: f64 = BURST_MS;
/// Unused leased permits lapse (and are refunded) this long after the lease was asked for.
/// It adds to the fleet's bound in full (a permit leased just before a window may be spent
/// in it), so it is as short as the lease: the driver's 25 ms tick tops a lease up well
/// before it runs out.
pub const LEASE_TTL_MS: u64 = 250;

/// A quota: `per_minute` units refilling evenly, at most `burst_ms` worth saved up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_minute: f64,
    pub burst_ms: f64,
}

impl Rate {
    pub fn per_minute(per_minute: f64) -> Self {
        Self {
            per_minute,
            burst_ms: BURST_MS,
        }
    }

    pub fn per_ms(&self) -> f64 {
        self.per_minute / 60_000.0
    }

    pub fn capacity(&self) -> f64 {
        (self.per_ms() * self.burst_ms).max(1.0)
    }
}

/// A token bucket on a given clock.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenBucket {
    rate: Rate,
    level: f64,
    updated_at: u64,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate: Rate, now: u64) -> Self {
        Self {
            rate,
            level: rate.capacity(),
            updated_at: now,
        }
    }

    /// A bucket at a level read elsewhere (the shared bucket's last reply).
    pub fn at_level(rate: Rate, level: f64, now: u64) -> Self {
        Self {
            rate,
            level,
            updated_at: now,
        }
    }

    fn refill(&mut self, now: u64) {
        if now > self.updated_at {
            let gained = (now - self.updated_at) as f64 * self.rate.per_ms();
            self.level = (self.level + gained).min(self.rate.capacity());
            self.updated_at = now;
        }
    }

    pub fn level(&mut self, now: u64) -> f64 {
        self.refill(now);
        self.level
    }

    /// Takes as many whole units as there are, up to `want`; returns how many.
    pub fn take_up_to(&mut self, want: u32, now: u64) -> u32 {
        self.refill(now);
        let granted = (self.level.max(0.0).floor() as u32).min(want);
        self.level -= f64::from(granted);
        granted
    }

    /// Charges units already spent (the level may go below zero), or refunds unspent ones as
    /// a negative charge (never above the capacity).
    pub fn charge(&mut self, units: f64, now: u64) {
        self.refill(now);
        self.level = (self.level - units).min(self.rate.capacity());
    }

    /// When one whole unit will be there again.
    pub fn ready_at(&mut self, now: u64) -> u64 {
        let missing = 1.0 - self.level(now);
        if missing <= 0.0 {
            return now;
        }
        now + (missing / self.rate.per_ms()).ceil() as u64
    }
}

/// A model's quota settings, from its `ModelConfig`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QuotaConfig {
    pub requests: Option<Rate>,
    pub tokens: Option<Rate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Admit,
    /// Skip the model, like an open circuit; it may be admitted again from then.
    OverQuota {
        until: u64,
    },
}

/// One model's admission: shared leases while the fleet is reachable, local buckets when not.
#[derive(Debug, Clone)]
pub struct QuotaGate {
    config: QuotaConfig,
    local_requests: Option<TokenBucket>,
    local_tokens: Option<TokenBucket>,
    /// Permits in hand and when they lapse.
    leased: u32,
    lease_expires_at: u64,
    /// Lapsed permits to give back to the shared bucket.
    refund: u32,
    /// When the lease being fetched was asked for: its permits lapse `LEASE_TTL_MS` after.
    lease_asked_at: Option<u64>,
    /// The shared request bucket's next permit, as its last reply said.
    shared_ready_at: u64,
    /// The shared token bucket as last read, kept refilling locally.
    shared_tokens: Option<TokenBucket>,
    tokens_to_debit: f64,
}

impl QuotaGate {
    pub fn new(config: QuotaConfig, now: Millis) -> Self {
        let now = whole_ms(now);
        Self {
            config,
            local_requests: config.requests.map(|r| TokenBucket::new(r, now)),
            local_tokens: config.tokens.map(|r| TokenBucket::new(r, now)),
            leased: 0,
            lease_expires_at: 0,
            refund: 0,
            lease_asked_at: None,
            shared_ready_at: 0,
            shared_tokens: config.tokens.map(|r| TokenBucket::new(r, now)),
            tokens_to_debit: 0.0,
        }
    }

    pub fn config(&self) -> &QuotaConfig {
        &self.config
    }

    /// Whether one request may go to the model at `now`; admitting consumes a permit.
    /// `shared` says whether the fleet is reachable (else the local buckets decide).
    pub fn admit(&mut self, shared: bool, now: Millis) -> Admission {
        let now = whole_ms(now);
        let tokens = if shared {
            self.shared_tokens.as_mut()
        } else {
            self.local_tokens.as_mut()
        };
        if let Some(bucket) = tokens {
            if bucket.level(now) <= 0.0 {
                return Admission::OverQuota {
                    until: bucket.ready_at(now),
                };
            }
        }
        if self.config.requests.is_none() {
            return Admission::Admit;
        }
        if !shared {
            let Some(bucket) = self.local_requests.as_mut() else {
                return Admission::Admit;
            };
            return match bucket.take_up_to(1, now) {
                0 => Admission::OverQuota {
                    until: bucket.ready_at(now),
                },
                _ => Admission::Admit,
            };
        }
        self.lapse(now);
        if self.leased > 0 {
            self.leased -= 1;
            return Admission::Admit;
        }
        Admission::OverQuota {
            until: self.shared_ready_at.max(now),
        }
    }

    /// How many permits a lease should ask for at `now`, if one is due: when the permits in
    /// hand run low, none is being fetched, and the shared bucket may have some.
    pub fn lease_wanted(&self, now: Millis) -> Option<u32> {
        let rate = self.config.requests?;
        let now = whole_ms(now);
        let size = (rate.per_ms() * LEASE_MS).ceil().max(1.0) as u32;
        let in_hand = if now < self.lease_expires_at {
            self.leased
        } else {
            0
        };
        let due =
            self.lease_asked_at.is_none() && in_hand * 2 <= size && now >= self.shared_ready_at;
        due.then_some(size - in_hand)
    }

    /// [`Self::lease_wanted`], marking the fetch in flight.
    pub fn lease_request(&mut self, now: Millis) -> Option<u32> {
        let want = self.lease_wanted(now)?;
        self.lease_asked_at = Some(whole_ms(now));
        Some(want)
    }

    /// The shared bucket's answer: `granted` permits, and when it will have one again.
    /// A new lease lapses `LEASE_TTL_MS` after it was asked for (so before its permits left
    /// the bucket), and permits topping up a lease still in hand lapse with it: every permit
    /// is spent within `LEASE_TTL_MS` of its grant, which is what the fleet's bound rests on.
    pub fn lease_granted(&mut self, granted: u32, ready_at: u64, now: Millis) {
        let now = whole_ms(now);
        let asked_at = self.lease_asked_at.take().unwrap_or(now);
        self.lapse(now);
        if self.leased == 0 {
            self.lease_expires_at = asked_at + LEASE_TTL_MS;
        }
        self.leased += granted;
        self.shared_ready_at = if granted == 0 { ready_at } else { now };
    }

    /// Moves permits whose lease ran out to the refund.
    fn lapse(&mut self, now: u64) {
        if now >= self.lease_expires_at {
            self.refund += std::mem::take(&mut self.leased);
        }
    }

    /// Lapsed permits to give back to the shared bucket, taken once.
    pub fn take_refund(&mut self, now: Millis) -> Option<u32> {
        self.lapse(whole_ms(now));
        (self.refund > 0).then(|| std::mem::take(&mut self.refund))
    }

    /// The lease fetch failed or timed out: nothing was granted.
    pub fn lease_failed(&mut self) {
        self.lease_asked_at = None;
    }

    /// Charges the tokens of a response's `usage` (input plus output).
    pub fn charge_tokens(&mut self, tokens: f64, now: Millis) {
        // NaN or nothing used charges nothing.
        if self.config.tokens.is_none() || tokens.is_nan() || tokens <= 0.0 {
            return;
        }
        let now = whole_ms(now);
        for bucket in [&mut self.local_tokens, &mut self.shared_tokens]
            .into_iter()
            .flatten()
        {
            bucket.charge(tokens, now);
        }
        self.tokens_to_debit += tokens;
    }

    /// Tokens charged locally and not yet debited from the shared bucket.
    pub fn take_token_debit(&mut self) -> Option<f64> {
        (self.tokens_to_debit > 0.0).then(|| std::mem::take(&mut self.tokens_to_debit))
    }

    /// A debit that could not be sent goes out with the next one.
    pub fn restore_token_debit(&mut self, tokens: f64) {
        self.tokens_to_debit += tokens;
    }

    /// The shared token bucket's level after a debit (its reply), at `now`.
    pub fn tokens_synced(&mut self, level: f64, now: Millis) {
        if let Some(rate) = self.config.tokens {
            let mut bucket = TokenBucket::at_level(rate, level, whole_ms(now));
            bucket.charge(self.tokens_to_debit, whole_ms(now));
            self.shared_tokens = Some(bucket);
        }
    }
}

#[cfg(test)]
mod tests;
