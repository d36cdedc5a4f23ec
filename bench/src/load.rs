//! Building a fleet of rooms and members on a server, and driving it with open-loop Poisson
//! traffic while measuring.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::client::{Client, Ctl, Handle, JoinAs, RoomState, Shared};
use crate::http;
use crate::procfs::CpuMark;
use crate::server::Server;

/// Rooms joining at once while a fleet is built.
const JOIN_CONCURRENCY: usize = 48;
/// A generator using more than this share of its one core is saturated: its numbers measure
/// itself, not the server.
pub const GENERATOR_SATURATED: f64 = 0.85;
/// `/proc/<this>/stat` of the calling thread.
const GENERATOR_THREAD: &str = "thread-self";
/// Mean lateness of the scheduler above which the offered load was not what was asked.
pub const SCHEDULER_BEHIND_MS: f64 = 5.0;

pub struct FleetRoom {
    pub state: Arc<RoomState>,
    pub members: Vec<Handle>,
}

pub struct Fleet {
    pub shared: Arc<Shared>,
    pub rooms: Vec<FleetRoom>,
    pub connect_s: f64,
    pub rss_before: u64,
    pub rss_idle: u64,
}

impl Fleet {
    pub fn connections(&self) -> usize {
        self.rooms.iter().map(|r| r.members.len()).sum()
    }

    /// Server memory per connected, idle member.
    pub fn rss_per_conn(&self) -> f64 {
        let conns = self.connections().max(1) as f64;
        (self.rss_idle.saturating_sub(self.rss_before)) as f64 / conns
    }

    pub fn send_all(&self, ctl: impl Fn() -> Ctl) {
        for room in &self.rooms {
            for m in &room.members {
                let _ = m.tx.send(ctl());
            }
        }
    }

    pub async fn stop(self) {
        self.send_all(|| Ctl::Stop);
        drop(self.rooms);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    /// Members whose last event is behind the newest one anybody in their room saw.
    pub fn behind(&self) -> u64 {
        let mut behind = 0;
        for room in &self.rooms {
            let seqs: Vec<u64> = room
                .members
                .iter()
                .filter(|m| !m.slow)
                .map(|m| m.last_seq.load(Ordering::Relaxed))
                .collect();
            let max = seqs.iter().copied().max().unwrap_or(0);
            behind += seqs.iter().filter(|s| **s < max).count() as u64;
        }
        behind
    }
}

/// `rooms` rooms of `members` each (facilitator included); every `slow_every`-th member never
/// reads.
pub async fn build(
    server: &Server,
    rooms: usize,
    members: usize,
    slow_every: Option<usize>,
    settle: Duration,
) -> anyhow::Result<Fleet> {
    let shared = Shared::with_tls(server.addr, server.tls.clone());
    let rss_empty = server.rss();
    let created = create_rooms(server, rooms).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_before = server.rss();
    let started = Instant::now();
    let limit = Arc::new(Semaphore::new(JOIN_CONCURRENCY));
    let mut joins = JoinSet::new();
    for (r, created) in created.into_iter().enumerate() {
        let shared = shared.clone();
        let limit = limit.clone();
        joins.spawn(async move {
            let _permit = limit.acquire_owned().await?;
            let state = RoomState::new(created.ws_path, members);
            let mut fac = Client::join(
                shared.clone(),
                state.clone(),
                JoinAs::Facilitator(created.facilitator_token),
                true,
                false,
            )
            .await
            .context("facilitator join")?;
            fac.request("start", kring_protocol::Command::StartSession {})
                .await?;
            let mut handles = vec![fac.spawn()];
            for m in 1..members {
                let global = r * members + m;
                let slow = slow_every.is_some_and(|k| global % k == k / 2);
                let client = Client::join(
                    shared.clone(),
                    state.clone(),
                    JoinAs::Member(format!("P{m}")),
                    false,
                    slow,
                )
                .await
                .context("member join")?;
                handles.push(client.spawn());
            }
            anyhow::Ok((
                r,
                FleetRoom {
                    state,
                    members: handles,
                },
            ))
        });
    }
    let mut built: Vec<Option<FleetRoom>> = (0..rooms).map(|_| None).collect();
    while let Some(joined) = joins.join_next().await {
        let (r, room) = joined??;
        built[r] = Some(room);
    }
    let connect_s = started.elapsed().as_secs_f64();
    // Let the joins' broadcasts settle and the allocator come to rest before reading RSS.
    tokio::time::sleep(settle).await;
    let rss_idle = server.rss();
    let _ = rss_empty;
    Ok(Fleet {
        shared,
        rooms: built.into_iter().flatten().collect(),
        connect_s,
        rss_before,
        rss_idle,
    })
}

pub async fn create_rooms(server: &Server, rooms: usize) -> anyhow::Result<Vec<http::Created>> {
    let limit = Arc::new(Semaphore::new(16));
    let mut set = JoinSet::new();
    for r in 0..rooms {
        let limit = limit.clone();
        let addr = server.addr;
        let tls = server.tls.clone();
        set.spawn(async move {
            let _permit = limit.acquire_owned().await?;
            let created =
                http::create_session(addr, tls.as_ref(), &format!("bench room {r}")).await?;
            anyhow::Ok((r, created))
        });
    }
    let mut out: Vec<Option<http::Created>> = vec![None; rooms];
    while let Some(res) = set.join_next().await {
        let (r, c) = res??;
        out[r] = Some(c);
    }
    Ok(out.into_iter().flatten().collect())
}

/// One measured load level.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct Phase {
    /// Events per room per second offered.
    pub rate: f64,
    pub window_s: f64,
    /// Commands the scheduler fired within the window.
    pub fired: u64,
    pub deliveries: u64,
    pub deliveries_per_s: f64,
    pub bytes_per_s: f64,
    /// Latency samples over the deliveries the window's commands should have caused.
    pub delivered_ratio: f64,
    pub samples: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub server_cpu_s: f64,
    pub server_cores: f64,
    /// The share of the server's CPU time spent in the kernel (socket writes mostly).
    #[serde(default)]
    pub server_sys_share: f64,
    pub cpu_per_delivery_us: f64,
    pub server_rss: u64,
    pub server_rss_max: u64,
    pub generator_cores: f64,
    pub scheduler_lag_mean_ms: f64,
    pub scheduler_lag_p99_ms: f64,
    pub errors: BTreeMap<String, u64>,
    pub gaps: u64,
    pub dups: u64,
    pub valid: bool,
    pub invalid_reason: Option<String>,
}

struct SchedStats {
    fired: u64,
    lags_us: Vec<u32>,
}

/// Open-loop Poisson arrivals at `rate` events per room per second, from `start` to `end`;
/// the ones due in `[window_start, end)` are recorded.
async fn schedule(
    targets: Vec<Vec<tokio::sync::mpsc::UnboundedSender<Ctl>>>,
    rate: f64,
    start: Instant,
    window_start: Instant,
    end: Instant,
) -> SchedStats {
    let total = rate * targets.len() as f64;
    let mut stats = SchedStats {
        fired: 0,
        lags_us: Vec::new(),
    };
    if total <= 0.0 || targets.is_empty() {
        return stats;
    }
    let mut due = start;
    loop {
        // Exponential gaps: the superposition of the rooms' Poisson processes, each arrival
        // assigned to a room uniformly.
        let gap = -(1.0 - fastrand::f64()).ln() / total;
        due += Duration::from_secs_f64(gap);
        if due >= end {
            break;
        }
        let now = Instant::now();
        if due > now {
            tokio::time::sleep_until(due).await;
        }
        let room = &targets[fastrand::usize(..targets.len())];
        if room.is_empty() {
            continue;
        }
        let member = &room[fastrand::usize(..room.len())];
        let record = due >= window_start;
        if record {
            stats.fired += 1;
            let lag = Instant::now().saturating_duration_since(due);
            stats
                .lags_us
                .push(lag.as_micros().min(u128::from(u32::MAX)) as u32);
        }
        let _ = member.send(Ctl::Fire { t0: due, record });
    }
    stats
}

fn percentile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * q) as usize).min(sorted.len() - 1);
    f64::from(sorted[i]) / 1000.0
}

/// Drives `rate` events per room per second for `warm + window` and measures the window.
pub async fn measure(
    fleet: &Fleet,
    server: &Server,
    rate: f64,
    warm: Duration,
    window: Duration,
    drain: Duration,
) -> Phase {
    let shared = &fleet.shared;
    for room in &fleet.rooms {
        room.state.take_latencies();
    }
    let targets: Vec<Vec<_>> = fleet
        .rooms
        .iter()
        .map(|r| {
            r.members
                .iter()
                .filter(|m| !m.slow)
                .map(|m| m.tx.clone())
                .collect()
        })
        .collect();
    let start = Instant::now();
    let window_start = start + warm;
    let end = window_start + window;
    let sched = tokio::spawn(schedule(targets, rate, start, window_start, end));
    tokio::time::sleep_until(window_start).await;
    let errors_before = shared.errors();
    let gaps_before = shared.gaps.load(Ordering::Relaxed);
    let dups_before = shared.dups.load(Ordering::Relaxed);
    shared.deliveries.store(0, Ordering::Relaxed);
    shared.bytes.store(0, Ordering::Relaxed);
    shared.counting.store(true, Ordering::Relaxed);
    let server_mark = CpuMark::now(&server.pid);
    // This thread only: the runtime is single-threaded, and another thread of this process
    // may be playing an attacker (see `flood.rs`), whose CPU is not the generator's.
    let gen_mark = CpuMark::now(GENERATOR_THREAD);
    let mut rss_max = 0;
    while Instant::now() < end {
        rss_max = rss_max.max(server.rss());
        tokio::time::sleep_until((Instant::now() + Duration::from_millis(500)).min(end)).await;
    }
    shared.counting.store(false, Ordering::Relaxed);
    let (server_cpu, server_cores) = server_mark.since(&server.pid);
    let server_sys_share = server_mark.sys_share(&server.pid);
    let (_, generator_cores) = gen_mark.since(GENERATOR_THREAD);
    let server_rss = server.rss();
    let deliveries = shared.deliveries.load(Ordering::Relaxed);
    let bytes = shared.bytes.load(Ordering::Relaxed);
    let sched = sched.await.unwrap_or(SchedStats {
        fired: 0,
        lags_us: Vec::new(),
    });
    // Let the window's last commands arrive everywhere.
    tokio::time::sleep(drain).await;
    let mut lat: Vec<u32> = Vec::new();
    for room in &fleet.rooms {
        lat.extend(room.state.take_latencies());
    }
    lat.sort_unstable();
    let mut lags = sched.lags_us;
    lags.sort_unstable();
    let lag_mean = if lags.is_empty() {
        0.0
    } else {
        lags.iter().map(|l| f64::from(*l)).sum::<f64>() / lags.len() as f64 / 1000.0
    };
    let members_per_room = fleet
        .rooms
        .first()
        .map_or(1, |r| r.members.iter().filter(|m| !m.slow).count());
    let expected = sched.fired * members_per_room as u64;
    let window_s = window.as_secs_f64();
    let mut errors = shared.errors();
    for (code, n) in errors_before {
        if let Some(now) = errors.get_mut(&code) {
            *now -= n;
        }
    }
    errors.retain(|_, n| *n > 0);
    let mut phase = Phase {
        rate,
        window_s,
        fired: sched.fired,
        deliveries,
        deliveries_per_s: deliveries as f64 / window_s,
        bytes_per_s: bytes as f64 / window_s,
        delivered_ratio: if expected == 0 {
            0.0
        } else {
            lat.len() as f64 / expected as f64
        },
        samples: lat.len() as u64,
        p50_ms: percentile(&lat, 0.50),
        p99_ms: percentile(&lat, 0.99),
        p999_ms: percentile(&lat, 0.999),
        max_ms: lat.last().map_or(0.0, |m| f64::from(*m) / 1000.0),
        server_cpu_s: server_cpu,
        server_cores,
        server_sys_share,
        cpu_per_delivery_us: if deliveries == 0 {
            0.0
        } else {
            server_cpu / deliveries as f64 * 1e6
        },
        server_rss,
        server_rss_max: rss_max.max(server_rss),
        generator_cores,
        scheduler_lag_mean_ms: lag_mean,
        scheduler_lag_p99_ms: percentile(&lags, 0.99),
        errors,
        gaps: shared.gaps.load(Ordering::Relaxed) - gaps_before,
        dups: shared.dups.load(Ordering::Relaxed) - dups_before,
        valid: true,
        invalid_reason: None,
    };
    let reason = if phase.generator_cores > GENERATOR_SATURATED {
        Some(format!(
            "generator saturated ({:.2} cores)",
            phase.generator_cores
        ))
    } else if phase.scheduler_lag_mean_ms > SCHEDULER_BEHIND_MS {
        Some(format!(
            "scheduler behind ({:.1} ms late on average)",
            phase.scheduler_lag_mean_ms
        ))
    } else if phase.samples == 0 {
        Some("no deliveries".to_owned())
    } else {
        None
    };
    if let Some(reason) = reason {
        phase.valid = false;
        phase.invalid_reason = Some(reason);
    }
    phase
}
