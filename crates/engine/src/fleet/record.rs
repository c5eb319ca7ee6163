//! One fleet transition, its total order, and its text form on Redis (hash values and pub/sub).
//!
//! A record is `<order key> <tag> <until> <tier> <model id>`: the order key is the stamp as 48
//! hex digits (time, instance, sequence, 16 each), so comparing two keys as strings, as the
//! publish script does on Redis, compares the stamps. The model id comes last and runs to the
//! end of the record, so it may hold any character. A published batch is `v1` followed by
//! `<byte length>:<record>` for each record.

use std::cmp::Ordering;

use crate::Millis;

/// When and by whom a transition was made: the total order that makes merging idempotent
/// and independent of arrival order (last writer wins, ties broken by instance, then sequence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Stamp {
    /// Whole milliseconds since the epoch on the writer's clock.
    pub at: u64,
    /// The writing instance's random id.
    pub origin: u64,
    /// The writer's own counter, so two transitions in one millisecond still order.
    pub seq: u64,
}

impl Stamp {
    /// The 48-hex-digit key whose string order is the stamp's order.
    pub fn order_key(&self) -> String {
        format!("{:016x}{:016x}{:016x}", self.at, self.origin, self.seq)
    }

    fn parse(key: &str) -> Option<Self> {
        if key.len() != 48 || !key.is_ascii() {
            return None;
        }
        let part = |i: usize| u64::from_str_radix(&key[i * 16..(i + 1) * 16], 16).ok();
        Some(Self {
            at: part(0)?,
            origin: part(1)?,
            seq: part(2)?,
        })
    }
}

/// A `Millis` (JavaScript's `Date.now()`) as the whole milliseconds records carry.
pub fn whole_ms(now: Millis) -> u64 {
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
}

/// What a breaker did, as the fleet learns it. The time it opened is the stamp's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerFact {
    Opened { open_until: u64 },
    HalfOpen,
    Closed,
}

/// What a transition says about a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    Breaker(BreakerFact),
    /// The model throttled: skip it until then.
    Throttled {
        until: u64,
    },
}

impl Fact {
    /// The register this fact overwrites: one latest value per register and model.
    pub fn register(&self) -> String {
        match self {
            Self::Breaker(_) => "breaker".to_owned(),
            Self::Throttled { .. } => "throttle".to_owned(),
        }
    }

    fn until(&self) -> u64 {
        match *self {
            Self::Breaker(BreakerFact::Opened { open_until }) => open_until,
            Self::Breaker(_) => 0,
            Self::Throttled { until } => until,
        }
    }

    /// Whether the fact still matters at `now` (a closed breaker always does: it overrides
    /// an older opening).
    pub fn is_live(&self, now: u64) -> bool {
        match self {
            Self::Breaker(_) => true,
            Self::Throttled { until } => *until > now,
        }
    }
}

/// One instance's transition for one model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub model_id: String,
    pub stamp: Stamp,
    pub fact: Fact,
}

impl Transition {
    /// The field of `{prefix}state` this transition is stored under.
    pub fn field(&self) -> String {
        field(&self.fact.register(), &self.model_id)
    }

    /// Whether this transition replaces `other` in the same register.
    pub fn supersedes(&self, other: &Transition) -> bool {
        self.stamp.cmp(&other.stamp) == Ordering::Greater
    }

    pub fn encode(&self) -> String {
        let tag = match &self.fact {
            Fact::Breaker(BreakerFact::Opened { .. }) => "opened",
            Fact::Breaker(BreakerFact::HalfOpen) => "half-open",
            Fact::Breaker(BreakerFact::Closed) => "closed",
            Fact::Throttled { .. } => "throttled",
        };
        // The fourth field is a service tier slot, `-` for every fact this version writes.
        format!(
            "{} {tag} {} - {}",
            self.stamp.order_key(),
            self.fact.until(),
            self.model_id
        )
    }

    /// Reads a record; `None` for anything this version does not understand (a newer writer's
    /// record is ignored rather than misread).
    pub fn decode(record: &str) -> Option<Self> {
        let mut parts = record.splitn(5, ' ');
        let stamp = Stamp::parse(parts.next()?)?;
        let tag = parts.next()?;
        let until: u64 = parts.next()?.parse().ok()?;
        let _tier = parts.next()?;
        let model_id = parts.next()?.to_owned();
        let fact = match tag {
            "opened" => Fact::Breaker(BreakerFact::Opened { open_until: until }),
            "half-open" => Fact::Breaker(BreakerFact::HalfOpen),
            "closed" => Fact::Breaker(BreakerFact::Closed),
            "throttled" => Fact::Throttled { until },
            _ => return None,
        };
        Some(Self {
            model_id,
            stamp,
            fact,
        })
    }
}

/// A hash field: a register or counter name, a space, the model id.
pub fn field(name: &str, model_id: &str) -> String {
    format!("{name} {model_id}")
}

/// Splits a hash field back into its name and model id.
pub fn split_field(field: &str) -> Option<(&str, &str)> {
    field.split_once(' ')
}

/// A published batch of records.
pub fn encode_batch(records: &[String]) -> String {
    let mut out = String::from("v1");
    for record in records {
        out.push_str(&format!("{}:{record}", record.len()));
    }
    out
}

/// The transitions of a published batch; a malformed or unknown message yields none.
pub fn decode_batch(message: &str) -> Vec<Transition> {
    let Some(mut rest) = message.strip_prefix("v1") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while !rest.is_empty() {
        let Some((len, tail)) = rest.split_once(':') else {
            return Vec::new();
        };
        let Some(record) = len.parse::<usize>().ok().and_then(|n| tail.get(..n)) else {
            return Vec::new();
        };
        if let Some(transition) = Transition::decode(record) {
            out.push(transition);
        }
        rest = &tail[record.len()..];
    }
    out
}

/// The additive counters the fleet keeps per model for health and statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counter {
    Requests,
    Successes,
    Failures,
    Throttles,
    /// Input plus output tokens from responses' `usage`.
    Tokens,
}

impl Counter {
    pub const ALL: [Counter; 5] = [
        Self::Requests,
        Self::Successes,
        Self::Failures,
        Self::Throttles,
        Self::Tokens,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Requests => "requests",
            Self::Successes => "successes",
            Self::Failures => "failures",
            Self::Throttles => "throttles",
            Self::Tokens => "tokens",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transition(model_id: &str, at: u64, fact: Fact) -> Transition {
        Transition {
            model_id: model_id.to_owned(),
            stamp: Stamp {
                at,
                origin: 7,
                seq: 1,
            },
            fact,
        }
    }

    #[test]
    fn every_fact_survives_a_round_trip_with_any_model_id() {
        let facts = [
            Fact::Breaker(BreakerFact::Opened { open_until: 99 }),
            Fact::Breaker(BreakerFact::HalfOpen),
            Fact::Breaker(BreakerFact::Closed),
            Fact::Throttled { until: 5 },
        ];
        for fact in facts {
            let t = transition("arn:aws:bedrock:x y:z\n1:2", 42, fact);
            let batch = encode_batch(&[t.encode(), t.encode()]);
            assert_eq!(decode_batch(&batch), vec![t.clone(), t]);
        }
    }

    #[test]
    fn order_keys_compare_as_their_stamps_do() {
        let a = Stamp {
            at: 0x10,
            origin: u64::MAX,
            seq: 3,
        };
        let b = Stamp {
            at: 0x100,
            origin: 0,
            seq: 0,
        };
        assert!(a < b && a.order_key() < b.order_key());
        let c = Stamp {
            at: 0x100,
            origin: 0,
            seq: 1,
        };
        assert!(b < c && b.order_key() < c.order_key());
    }

    #[test]
    fn unknown_or_truncated_messages_yield_nothing() {
        assert!(decode_batch("v2 anything").is_empty());
        assert!(decode_batch("v1999:short").is_empty());
        let record = transition("m", 1, Fact::Throttled { until: 2 }).encode();
        let unknown = record.replace("throttled", "melted");
        assert!(decode_batch(&encode_batch(&[unknown])).is_empty());
    }
}
