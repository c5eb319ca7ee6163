//! The two Lua scripts: the atomic publish of a batch, and the shared token bucket.

use std::sync::LazyLock;

use engine::fleet::record::{encode_batch, field};
use engine::fleet::Batch;

use crate::keys::Keys;

/// Writes each transition whose order key (its first 48 characters) is newer than the stored
/// one, adds the counter deltas, and publishes the batch, in one round trip and atomically,
/// so a reader never sees a newer register overwritten by an older one. A refused `PUBLISH`
/// (an ACL without pub/sub) leaves the writes done: the others' refresh finds them. A batch
/// id this instance already had applied (a retry after a lost reply) does nothing, so
/// counters are added once; the record of it expires after a day.
/// KEYS: state, counters, applied. ARGV: channel, batch id, n, n × (field, record), m,
/// m × (field, delta), message.
static PUBLISH: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local id = tonumber(ARGV[2])
if id <= tonumber(redis.call('GET', KEYS[3]) or '0') then
  return 0
end
redis.call('SET', KEYS[3], ARGV[2], 'PX', 86400000)
local n = tonumber(ARGV[3])
local i = 4
for _ = 1, n do
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  if (not old) or string.sub(old, 1, 48) < string.sub(ARGV[i + 1], 1, 48) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
  i = i + 2
end
local m = tonumber(ARGV[i])
i = i + 1
for _ = 1, m do
  redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
if n > 0 then
  redis.pcall('PUBLISH', ARGV[1], ARGV[i])
end
return n
",
    )
});

/// The shared token bucket, on Redis's clock so instances' clocks need not agree; the same
/// arithmetic as the engine's `TokenBucket` (refill, then take whole units up to the wish, or
/// charge units already spent, or refund unspent ones as a negative charge, never above the
/// capacity). Replies granted units, the level as text (Lua would truncate
/// a number), and the milliseconds until one whole unit is there.
/// ARGV: per_ms, capacity, want (units to take), charge (units spent).
static BUCKET: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local per_ms, capacity = tonumber(ARGV[1]), tonumber(ARGV[2])
local want, charge = tonumber(ARGV[3]), tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'level', 'at')
local level = tonumber(b[1]) or capacity
local at = tonumber(b[2]) or now
if now > at then
  level = math.min(capacity, level + (now - at) * per_ms)
end
local granted = math.min(want, math.floor(math.max(level, 0)))
level = math.min(capacity, level - granted - charge)
redis.call('HSET', KEYS[1], 'level', string.format('%.17g', level), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - level) / per_ms) + 60000)
local ready_in = 0
if level < 1 then
  ready_in = math.ceil((1 - level) / per_ms)
end
return {granted, string.format('%.17g', level), ready_in}
",
    )
});

pub(crate) fn publish(keys: &Keys, origin: u64, batch: &Batch) -> redis::ScriptInvocation<'static> {
    let mut call = PUBLISH.prepare_invoke();
    call.key(&keys.state)
        .key(&keys.counters)
        .key(keys.applied(origin))
        .arg(&keys.channel)
        .arg(batch.id);
    call.arg(batch.transitions.len());
    let records: Vec<String> = batch.transitions.iter().map(|t| t.encode()).collect();
    for (transition, record) in batch.transitions.iter().zip(&records) {
        call.arg(transition.field()).arg(record);
    }
    call.arg(batch.counters.len());
    for (model_id, counter, delta) in &batch.counters {
        call.arg(field(counter.name(), model_id)).arg(*delta);
    }
    call.arg(encode_batch(&records));
    call
}

/// The bucket's reply: units granted, level after, milliseconds until one unit.
pub(crate) type BucketReply = (u32, String, u64);

pub(crate) fn bucket(
    key: &str,
    rate: engine::fleet::quota::Rate,
    want: u32,
    charge: f64,
) -> redis::ScriptInvocation<'static> {
    let mut call = BUCKET.prepare_invoke();
    call.key(key)
        .arg(rate.per_ms())
        .arg(rate.capacity())
        .arg(want)
        .arg(charge);
    call
}

// The integration tests' harness; these tests need only part of it.
#[cfg(test)]
#[path = "../tests/support/mod.rs"]
#[allow(dead_code)]
mod support;

#[cfg(test)]
mod tests {
    use super::*;
    use engine::fleet::{Counter, Fact, Outbox, OutboxConfig};

    #[tokio::test]
    async fn a_batch_sent_again_after_a_lost_reply_counts_once() {
        let redis = support::RedisServer::start();
        let client = redis::Client::open(redis.url()).unwrap();
        let mut connection = client.get_multiplexed_async_connection().await.unwrap();
        let keys = Keys::new("t:");
        let mut outbox = Outbox::new(9, OutboxConfig::default());
        outbox.record("m", Fact::Throttled { until: u64::MAX }, 1.0);
        outbox.count("m", Counter::Requests, 3, 1.0);
        let batch = outbox.take_due(1.0).unwrap();
        for _ in 0..2 {
            publish(&keys, 9, &batch)
                .invoke_async::<i64>(&mut connection)
                .await
                .unwrap();
        }
        outbox.count("m", Counter::Requests, 1, 2.0);
        let next = outbox.take_all(2.0).unwrap();
        publish(&keys, 9, &next)
            .invoke_async::<i64>(&mut connection)
            .await
            .unwrap();
        let requests: i64 = redis::cmd("HGET")
            .arg(&keys.counters)
            .arg("requests m")
            .query_async(&mut connection)
            .await
            .unwrap();
        assert_eq!(requests, 4);
    }
}
