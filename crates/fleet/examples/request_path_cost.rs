//! What fleet state adds to one request on the request path, against a running Redis:
//! `cargo run --release -p bmm-fleet --example request_path_cost -- redis://127.0.0.1:6379`
//!
//! Per request the multiplexer will call `catch_up` (fresh view: no Redis call), `skip` and
//! `admit` for the chosen model, and `count` for its outcome. 64 tasks do that concurrently
//! on a 2-thread runtime; the figure is CPU time (user + system) per request, background I/O
//! included, so it compares with the addon's CPU µs per request at C=64.

use std::time::{Duration, Instant};

use bmm_fleet::{Counter, Fleet, FleetConfig, QuotaConfig, Rate};

const TASKS: usize = 64;
const PER_TASK: usize = 20_000;

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_millis() as f64)
}

fn cpu_time() -> Duration {
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: request_path_cost redis://host:port");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut config = FleetConfig::new(url);
        config.key_prefix = format!("cost-{}:", std::process::id());
        let (fleet, _events) = Fleet::start(config, 1).expect("config");
        let quota = QuotaConfig {
            requests: Some(Rate::per_minute(6_000_000.0)),
            tokens: None,
        };
        fleet.set_quota("with-quota", quota, now());
        let deadline = Instant::now() + Duration::from_secs(5);
        while !fleet.catch_up(now()).await {
            assert!(Instant::now() < deadline, "Redis not reachable");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let fleet = std::sync::Arc::new(fleet);
        for model in ["no-quota", "with-quota"] {
            let (cpu, wall) = (cpu_time(), Instant::now());
            let tasks: Vec<_> = (0..TASKS)
                .map(|_| {
                    let fleet = fleet.clone();
                    tokio::spawn(async move {
                        for i in 0..PER_TASK {
                            let now = now();
                            fleet.catch_up(now).await;
                            std::hint::black_box(fleet.skip(model, now));
                            std::hint::black_box(fleet.admit(model, now));
                            fleet.count(model, Counter::Requests, 1, now);
                            if i % 64 == 0 {
                                tokio::task::yield_now().await;
                            }
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("task");
            }
            let requests = (TASKS * PER_TASK) as f64;
            let cpu_ns = (cpu_time() - cpu).as_nanos() as f64 / requests;
            let wall_ns = wall.elapsed().as_nanos() as f64 / requests;
            println!("{model}: {cpu_ns:.0} ns CPU, {wall_ns:.0} ns wall per request at C={TASKS}");
        }
        if let Ok(fleet) = std::sync::Arc::try_unwrap(fleet) {
            fleet.shutdown().await;
        }
    });
}
