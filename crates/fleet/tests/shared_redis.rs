//! Several instances on one real redis-server: convergence, fleet quotas, and Redis failing under them.

mod support;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bmm_fleet::{
    Admission, Fact, Fleet, FleetConfig, LinkEvent, QuotaConfig, Rate, Skip, LEASE_TTL_MS,
};
use support::RedisServer;
use tokio::sync::mpsc::UnboundedReceiver;

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as f64
}

struct Instance {
    fleet: Fleet,
    events: UnboundedReceiver<LinkEvent>,
}

/// Instance ids, unique across the tests as random ones are across a fleet.
static ORIGINS: AtomicU64 = AtomicU64::new(1);

fn instances(redis: &RedisServer, n: u64, staleness_ms: u64) -> Vec<Instance> {
    started(redis, n, staleness_ms, |_| "test:".to_owned())
}

/// Instances under the key prefix `prefix(origin)` each.
fn started(
    redis: &RedisServer,
    n: u64,
    staleness_ms: u64,
    prefix: impl Fn(u64) -> String,
) -> Vec<Instance> {
    (0..n)
        .map(|_| {
            let origin = ORIGINS.fetch_add(1, Ordering::Relaxed);
            let mut config = FleetConfig::new(redis.url());
            config.key_prefix = prefix(origin);
            config.staleness_ms = staleness_ms;
            config.tls_ca_pem = redis.ca_pem().map(|pem| pem.as_bytes().to_vec());
            let (fleet, events) = Fleet::start(config, origin).unwrap();
            Instance { fleet, events }
        })
        .collect()
}

/// Polls `done` until it holds, failing the test after `limit` (a liveness bound).
async fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    start.elapsed()
}

async fn all_shared(fleet: &[Instance]) {
    wait_for("every instance sharing", Duration::from_secs(10), || {
        fleet.iter().all(|i| i.fleet.is_shared(now()))
    })
    .await;
}

/// Receives the next reachability event, failing after `limit`.
async fn next_event(instance: &mut Instance, limit: Duration) -> LinkEvent {
    tokio::time::timeout(limit, instance.events.recv())
        .await
        .expect("a reachability event in time")
        .expect("the event channel open")
}

fn throttle(instance: &Instance) {
    let until = (now() + 30_000.0) as u64;
    instance
        .fleet
        .record(MODEL, Fact::Throttled { until }, now());
}

async fn converged_on_throttle(fleet: &[Instance], limit: Duration) -> Duration {
    wait_for("every view skipping the throttled model", limit, || {
        fleet
            .iter()
            .all(|i| matches!(i.fleet.skip(MODEL, now()), Some(Skip::Throttled { .. })))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttle_seen_by_one_instance_reaches_every_view_by_subscription() {
    let redis = RedisServer::start();
    // A refresh bound of a minute: only the subscription can bring the news in time.
    let fleet = instances(&redis, 4, 60_000);
    all_shared(&fleet).await;
    assert_eq!(fleet[3].fleet.skip(MODEL, now()), None);
    throttle(&fleet[0]);
    let took = converged_on_throttle(&fleet, Duration::from_secs(2)).await;
    println!("converged by subscription in {took:?}");
    for instance in fleet {
        instance.fleet.shutdown().await;
    }
}

/// 8 instances, starting 20 ms apart, each sending one request at a time to a model that
/// throttles every one, each with the original's breaker (5 failures open it) and, when
/// given, fleet state (a throttle recorded is skipped until its cooldown ends): how many
/// requests reach the model until every instance skips it.
async fn requests_until_every_instance_skips(fleet: Option<&[Instance]>) -> usize {
    use engine::breaker::{Breaker, BreakerConfig};
    let sent = Arc::new(AtomicUsize::new(0));
    let fleet: Vec<Option<&Instance>> = match fleet {
        Some(fleet) => fleet.iter().map(Some).collect(),
        None => vec![None; 8],
    };
    let runs = fleet.into_iter().enumerate().map(|(i, instance)| {
        let sent = sent.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(20 * i as u64)).await;
            let mut breaker = Breaker::new(MODEL, BreakerConfig::default());
            let skipped = |breaker: &mut Breaker| {
                !breaker.can_execute(now())
                    || instance.is_some_and(|i| i.fleet.skip(MODEL, now()).is_some())
            };
            let limit = Instant::now() + Duration::from_secs(5);
            while !skipped(&mut breaker) {
                assert!(Instant::now() < limit, "the model is still being sent to");
                sent.fetch_add(1, Ordering::Relaxed);
                // The request is in flight, then the model throttles.
                tokio::time::sleep(Duration::from_millis(2)).await;
                breaker.record_failure(now());
                if let Some(instance) = instance {
                    throttle(instance);
                }
            }
        }
    });
    futures_util::future::join_all(runs).await;
    sent.load(Ordering::Relaxed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_sends_a_throttling_model_one_request_where_lone_instances_send_one_each() {
    let redis = RedisServer::start();
    let shared = instances(&redis, 8, 1000);
    // The same fleet state, but each instance under its own prefix: nothing is shared.
    let apart = started(&redis, 8, 1000, |origin| format!("apart{origin}:"));
    all_shared(&shared).await;
    all_shared(&apart).await;
    let original = requests_until_every_instance_skips(None).await;
    let apart_sent = requests_until_every_instance_skips(Some(&apart)).await;
    let shared_sent = requests_until_every_instance_skips(Some(&shared)).await;
    println!(
        "requests to the throttled model: {original} with breakers alone, \
         {apart_sent} with fleet state unshared, {shared_sent} shared"
    );
    assert_eq!(original, 8 * 5, "each lone breaker opens after 5 failures");
    assert_eq!(apart_sent, 8, "each instance learns on its own");
    // The first throttle reaches the others (6 ms on loopback) before the next one starts.
    assert!(shared_sent <= 2, "{shared_sent} sent while sharing");
    for instance in shared.into_iter().chain(apart) {
        instance.fleet.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rediss_with_an_acl_user_and_a_database_converges_too() {
    let redis = RedisServer::start_tls();
    let fleet = instances(&redis, 2, 1000);
    all_shared(&fleet).await;
    throttle(&fleet[0]);
    converged_on_throttle(&fleet, Duration::from_secs(2)).await;
    // The state went to the URL's database (2), not the default one.
    let holds_state = |url: String| {
        let certs = redis::TlsCertificates {
            client_tls: None,
            root_cert: redis.ca_pem().map(|pem| pem.as_bytes().to_vec()),
        };
        let client = redis::Client::build_with_tls(url, certs).unwrap();
        async move {
            let mut connection = client.get_multiplexed_async_connection().await.unwrap();
            redis::cmd("EXISTS")
                .arg("test:state")
                .query_async::<bool>(&mut connection)
                .await
                .unwrap()
        }
    };
    assert!(holds_state(redis.url()).await);
    assert!(!holds_state(redis.url().replace("/2", "/0")).await);
    for instance in fleet {
        instance.fleet.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_pub_sub_the_refresh_converges_within_the_staleness_bound_and_nothing_flaps() {
    let redis = RedisServer::start_tls_without_pubsub();
    let mut fleet = instances(&redis, 2, 1000);
    all_shared(&fleet).await;
    throttle(&fleet[0]);
    // A refresh every half bound: within the bound, and a little more for the call itself.
    let took = converged_on_throttle(&fleet, Duration::from_millis(1000 + 500)).await;
    println!("converged by refresh alone in {took:?}");
    for instance in &mut fleet {
        assert!(instance.fleet.is_shared(now()));
        assert!(instance.events.try_recv().is_err(), "no reachability event");
    }
    for instance in fleet {
        instance.fleet.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_degraded_once_and_never_shared() {
    let redis = RedisServer::start_tls();
    let url = redis.url().replace(support::USER.1, "wrong");
    let mut config = FleetConfig::new(url);
    config.tls_ca_pem = redis.ca_pem().map(|pem| pem.as_bytes().to_vec());
    let (fleet, events) = Fleet::start(config, 1).unwrap();
    let mut instance = Instance { fleet, events };
    let event = next_event(&mut instance, Duration::from_secs(5)).await;
    assert!(matches!(event, LinkEvent::Degraded { .. }), "{event:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!instance.fleet.is_shared(now()));
    assert!(
        instance.events.try_recv().is_err(),
        "one event per transition"
    );
    instance.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_instance_learns_the_state_by_refresh_and_counters_add_up() {
    let redis = RedisServer::start();
    let early = instances(&redis, 2, 1000);
    all_shared(&early).await;
    throttle(&early[0]);
    for instance in &early {
        instance
            .fleet
            .count(MODEL, bmm_fleet::Counter::Requests, 5, now());
    }
    converged_on_throttle(&early, Duration::from_secs(2)).await;
    let late = instances(&redis, 1, 1000);
    // Just started, before its first background refresh: one bounded refresh catches up.
    assert!(late[0].fleet.catch_up(now()).await);
    assert!(matches!(
        late[0].fleet.skip(MODEL, now()),
        Some(Skip::Throttled { .. })
    ));
    wait_for("fleet counters summed", Duration::from_secs(3), || {
        late[0]
            .fleet
            .counter(MODEL, bmm_fleet::Counter::Requests, now())
            == Some(10)
    })
    .await;
    for instance in early.into_iter().chain(late) {
        instance.fleet.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_quota_admission_across_instances_stays_under_the_limit() {
    let redis = RedisServer::start();
    let fleet = instances(&redis, 8, 1000);
    let rate = Rate::per_minute(600.0); // 10 per second, bursts of 2.5
    for instance in &fleet {
        let quota = QuotaConfig {
            requests: Some(rate),
            tokens: None,
        };
        instance.fleet.set_quota(MODEL, quota, now());
    }
    all_shared(&fleet).await;
    let admitted = Arc::new(AtomicUsize::new(0));
    let run = Duration::from_secs(3);
    let mut workers = Vec::new();
    for instance in fleet {
        let admitted = admitted.clone();
        workers.push(tokio::spawn(async move {
            let start = Instant::now();
            while start.elapsed() < run {
                if instance.fleet.admit(MODEL, now()) == Admission::Admit {
                    admitted.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            instance
        }));
    }
    let mut fleet = Vec::new();
    for worker in workers {
        fleet.push(worker.await.unwrap());
    }
    let admitted = admitted.load(Ordering::Relaxed);
    // The bound the design gives: one burst, plus the rate over the run and over the lease
    // lifetime before it (permits leased just before the start may still be spent), plus
    // what was leased before that and refunded during the run (another burst and lease).
    let lease_s = LEASE_TTL_MS as f64 / 1000.0;
    let limit = (2.0 * rate.capacity()
        + rate.per_ms() * 1000.0 * (run.as_secs_f64() + 2.0 * lease_s)) as usize;
    println!("8 instances admitted {admitted} requests in {run:?} (limit {limit})");
    assert!(admitted <= limit, "{admitted} admitted, over {limit}");
    assert!(admitted >= 15, "only {admitted} admitted: leases starve");
    for instance in fleet {
        assert!(instance.fleet.is_shared(now()), "stayed shared throughout");
        instance.fleet.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_from_usage_are_charged_to_the_whole_fleet() {
    let redis = RedisServer::start();
    let fleet = instances(&redis, 2, 1000);
    // 1000 tokens per second, at most 250 saved up.
    let quota = QuotaConfig {
        requests: None,
        tokens: Some(Rate::per_minute(60_000.0)),
    };
    for instance in &fleet {
        instance.fleet.set_quota(MODEL, quota, now());
    }
    all_shared(&fleet).await;
    assert_eq!(fleet[1].fleet.admit(MODEL, now()), Admission::Admit);
    fleet[0].fleet.charge_tokens(MODEL, 50_000.0, now());
    // Instance 1 alone spends 50 tokens a second, far under the refill: only the fleet's
    // debt can put it over quota; it learns the level with the reply to its own next debit.
    wait_for(
        "instance 1 over the fleet's quota",
        Duration::from_secs(3),
        || {
            fleet[1].fleet.charge_tokens(MODEL, 1.0, now());
            matches!(
                fleet[1].fleet.admit(MODEL, now()),
                Admission::OverQuota { .. }
            )
        },
    )
    .await;
    for instance in fleet {
        instance.fleet.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_degrades_once_then_restored_once_and_converges_after_restart() {
    let mut redis = RedisServer::start();
    let mut fleet = instances(&redis, 3, 1000);
    all_shared(&fleet).await;
    redis.kill();
    for instance in &mut fleet {
        let event = next_event(instance, Duration::from_secs(5)).await;
        assert!(matches!(event, LinkEvent::Degraded { .. }), "{event:?}");
    }
    // Alone now: the fleet view is not used, catching up does not try Redis, and recording
    // still works locally.
    throttle(&fleet[0]);
    assert!(fleet.iter().all(|i| !i.fleet.is_shared(now())));
    assert!(!fleet[1].fleet.catch_up(now()).await);
    assert_eq!(fleet[1].fleet.skip(MODEL, now()), None);
    // Reconnection attempts fail for a while: still degraded, and no second event.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    redis.restart();
    let restart = Instant::now();
    for instance in &mut fleet {
        let event = next_event(instance, Duration::from_secs(10)).await;
        assert_eq!(event, LinkEvent::Restored);
    }
    // The throttle recorded while degraded is published on return and reaches everyone.
    let took = converged_on_throttle(&fleet, Duration::from_secs(5)).await;
    println!(
        "restored and converged {:?} after the restart",
        restart.elapsed().max(took)
    );
    for instance in &mut fleet {
        assert!(
            instance.events.try_recv().is_err(),
            "one event per transition"
        );
    }
    for instance in fleet {
        instance.fleet.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_paused_degrades_once_and_restores_once_when_it_resumes() {
    let redis = RedisServer::start();
    let mut fleet = instances(&redis, 3, 1000);
    all_shared(&fleet).await;
    redis.pause();
    for instance in &mut fleet {
        let event = next_event(instance, Duration::from_secs(5)).await;
        assert!(matches!(event, LinkEvent::Degraded { .. }), "{event:?}");
    }
    // The request path does not wait on the paused server.
    throttle(&fleet[2]);
    assert_eq!(fleet[0].fleet.admit(MODEL, now()), Admission::Admit);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    redis.resume();
    let resumed = Instant::now();
    for instance in &mut fleet {
        let event = next_event(instance, Duration::from_secs(10)).await;
        assert_eq!(event, LinkEvent::Restored);
    }
    converged_on_throttle(&fleet, Duration::from_secs(5)).await;
    println!(
        "restored and converged {:?} after resume",
        resumed.elapsed()
    );
    for instance in &mut fleet {
        assert!(
            instance.events.try_recv().is_err(),
            "one event per transition"
        );
    }
    for instance in fleet {
        instance.fleet.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_load_at_c64_every_request_settles_while_redis_is_paused() {
    let redis = RedisServer::start();
    let fleet: Vec<Arc<Fleet>> = instances(&redis, 2, 1000)
        .into_iter()
        .map(|instance| Arc::new(instance.fleet))
        .collect();
    wait_for("every instance sharing", Duration::from_secs(10), || {
        fleet.iter().all(|f| f.is_shared(now()))
    })
    .await;
    redis.pause();
    // 64 concurrent requests' worth of fleet calls, 32 per instance, while Redis is paused:
    // the only Redis call a request may make (catch_up on a stale view) is bounded.
    let load: Vec<_> = (0..64)
        .map(|i| {
            let fleet = fleet[i % 2].clone();
            tokio::spawn(async move {
                for _ in 0..200 {
                    let bounded =
                        tokio::time::timeout(Duration::from_secs(1), fleet.catch_up(now()));
                    bounded.await.expect("catch_up within its bound");
                    fleet.skip(MODEL, now());
                    fleet.admit(MODEL, now());
                    fleet.record(
                        MODEL,
                        Fact::Throttled {
                            until: now() as u64 + 1000,
                        },
                        now(),
                    );
                    fleet.count(MODEL, bmm_fleet::Counter::Requests, 1, now());
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            })
        })
        .collect();
    for task in load {
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("every request settled while Redis was paused")
            .unwrap();
    }
    redis.resume();
    wait_for(
        "every instance sharing again",
        Duration::from_secs(10),
        || fleet.iter().all(|f| f.is_shared(now())),
    )
    .await;
    wait_for(
        "the requests counted fleet-wide",
        Duration::from_secs(5),
        || fleet[0].counter(MODEL, bmm_fleet::Counter::Requests, now()) == Some(64 * 200),
    )
    .await;
    for fleet in fleet {
        Arc::into_inner(fleet).expect("load done").shutdown().await;
    }
}
