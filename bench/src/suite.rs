//! The benchmark suite: the grid, the headline runs, slow consumers, a reconnect storm, a
//! restart and a flood in one room, with the targets alternating so that they share the
//! machine's noise.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::client::Ctl;
use crate::flood::{self, FloodPlan, FloodResult};
use crate::joins::{self, JoinPlan, JoinResult};
use crate::load::{self, Fleet, Phase};
use crate::saturation::{self, SaturationResult};
use crate::server::{Programs, Server, Target};

/// Messages per second each flooding connection sends: a client stuck in a loop (30 times
/// what kring's default of 100 a minute lets through), and an attacker sending as fast as the
/// generator's 1 ms timer allows. Unpaced, the attacking thread would take a whole core of
/// this 2-core machine and measure itself.
pub const FLOOD_RATES: [f64; 2] = [50.0, 1000.0];

/// The parts of the suite `--only` can pick.
pub const PARTS: [&str; 8] = [
    "grid",
    "slow",
    "storm",
    "restart",
    "flood",
    "joins",
    "tls",
    "saturation",
];

/// What to run. `full()` is sized for a 2-core machine; `smoke()` checks the machinery.
#[derive(Clone, Debug)]
pub struct Plan {
    pub smoke: bool,
    /// `(members per room, total connections)`.
    pub sizes: Vec<(usize, usize)>,
    pub rates: Vec<f64>,
    /// Grid points above this many deliveries per second are left out: 2 cores cannot drive
    /// them (the generator receives every delivery too).
    pub max_deliveries: f64,
    /// The runs the targets are checked on: `(members, connections, rates)`.
    pub headline: Option<(usize, usize, Vec<f64>)>,
    pub warm: Duration,
    pub window: Duration,
    /// `(members, connections, rate, window)`; 1% of the clients never read.
    pub slow: Option<(usize, usize, f64, Duration)>,
    /// `(members, connections, clients dropped, rate)`.
    pub storm: Option<(usize, usize, usize, f64)>,
    /// `(rooms, members, rate, seconds of traffic before the restart)`.
    pub restart: Option<(usize, usize, f64, Duration)>,
    /// Quiet rooms with and without a flood in one other room (kring with the SQLite store).
    pub flood: Vec<FloodPlan>,
    /// Every member of every room joining within a few seconds (each scenario target).
    pub joins: Option<JoinPlan>,
    /// `(members, connections, rates)`: kring (memory) with and without TLS.
    pub tls: Option<(usize, usize, Vec<f64>)>,
    /// `(rooms, seconds)`: the SQLite store alone, each room appending as fast as it commits.
    pub saturation: Vec<(usize, u64)>,
    pub targets: Vec<Target>,
    /// Servers for the slow-consumer and storm scenarios (the grid runs all `targets`).
    pub scenario_targets: Vec<Target>,
    /// After joining, before idle memory is read.
    pub settle: Duration,
    /// After a window, for its last events to arrive.
    pub drain: Duration,
    /// Traffic during the storm, and when in it the clients drop.
    pub storm_window: Duration,
    pub storm_at: Duration,
}

impl Plan {
    /// One setup only (for tuning): `members` x `conns` at `rates`.
    pub fn probe(members: usize, conns: usize, rates: Vec<f64>, window: Duration) -> Plan {
        Plan {
            smoke: false,
            sizes: vec![(members, conns)],
            rates: rates.clone(),
            max_deliveries: f64::MAX,
            headline: None,
            warm: Duration::from_secs(2),
            window,
            slow: None,
            storm: None,
            restart: None,
            flood: Vec::new(),
            joins: None,
            // Only with `--only tls` (the grid's setup run with and without TLS).
            tls: Some((members, conns, rates)),
            saturation: Vec::new(),
            targets: Target::ALL.to_vec(),
            scenario_targets: Target::ALL.to_vec(),
            settle: Duration::from_secs(2),
            drain: Duration::from_millis(1500),
            storm_window: Duration::from_secs(8),
            storm_at: Duration::from_secs(3),
        }
    }

    /// Leaves out the parts (see [`PARTS`]) not named.
    pub fn keep_parts(&mut self, parts: &[&str]) {
        if !parts.contains(&"grid") {
            self.sizes.clear();
            self.headline = None;
        }
        if !parts.contains(&"slow") {
            self.slow = None;
        }
        if !parts.contains(&"storm") {
            self.storm = None;
        }
        if !parts.contains(&"restart") {
            self.restart = None;
        }
        if !parts.contains(&"flood") {
            self.flood.clear();
        }
        if !parts.contains(&"joins") {
            self.joins = None;
        }
        if !parts.contains(&"tls") {
            self.tls = None;
        }
        if !parts.contains(&"saturation") {
            self.saturation.clear();
        }
    }

    pub fn full(max_conns: usize) -> Plan {
        let big = max_conns.min(19_200);
        Plan {
            smoke: false,
            sizes: [4, 8, 30]
                .into_iter()
                .flat_map(|m| [1_000, 5_000, big].map(move |c| (m, c)))
                .collect(),
            rates: vec![1.0, 10.0, 50.0],
            max_deliveries: 50_000.0,
            headline: Some((8, 10_000, vec![1.0, 5.0])),
            warm: Duration::from_secs(2),
            window: Duration::from_secs(8),
            slow: Some((8, 1_000, 40.0, Duration::from_secs(25))),
            storm: Some((8, 5_000, 2_000, 2.0)),
            restart: Some((1_000, 4, 5.0, Duration::from_secs(4))),
            flood: FLOOD_RATES
                .map(|flood_rate| FloodPlan {
                    rooms: 50,
                    members: 8,
                    rate: 1.0,
                    flooders: flood::MAX_FLOODERS,
                    flood_rate,
                    pairs: 2,
                    warm: Duration::from_secs(2),
                    window: Duration::from_secs(10),
                })
                .to_vec(),
            joins: Some(JoinPlan {
                rooms: 1_250,
                members: 8,
                within: Duration::from_secs(10),
            }),
            tls: Some((8, 5_000, vec![5.0])),
            saturation: vec![(200, 10), (1_250, 10)],
            targets: Target::ALL.to_vec(),
            scenario_targets: Target::ALL.to_vec(),
            settle: Duration::from_secs(2),
            drain: Duration::from_millis(1500),
            storm_window: Duration::from_secs(8),
            storm_at: Duration::from_secs(3),
        }
    }

    pub fn smoke() -> Plan {
        Plan {
            smoke: true,
            sizes: vec![(4, 120)],
            rates: vec![10.0],
            max_deliveries: 50_000.0,
            headline: None,
            warm: Duration::from_secs(1),
            window: Duration::from_secs(2),
            slow: Some((8, 200, 25.0, Duration::from_secs(2))),
            storm: Some((8, 120, 40, 2.0)),
            restart: Some((20, 4, 5.0, Duration::from_secs(2))),
            flood: vec![FloodPlan {
                rooms: 10,
                members: 8,
                rate: 1.0,
                flooders: 20,
                flood_rate: FLOOD_RATES[1],
                pairs: 1,
                warm: Duration::from_secs(1),
                window: Duration::from_secs(3),
            }],
            joins: Some(JoinPlan {
                rooms: 25,
                members: 8,
                within: Duration::from_secs(2),
            }),
            tls: Some((4, 120, vec![10.0])),
            saturation: vec![(20, 2)],
            targets: Target::ALL.to_vec(),
            scenario_targets: vec![Target::KringSqlite],
            settle: Duration::from_millis(500),
            drain: Duration::from_millis(500),
            storm_window: Duration::from_secs(3),
            storm_at: Duration::from_millis(1500),
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Machine {
    pub cores: usize,
    pub mem_gib: f64,
    pub open_files: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct SetupResult {
    pub target: Target,
    /// `grid` or `headline`.
    pub kind: String,
    pub members: usize,
    pub rooms: usize,
    pub planned: usize,
    pub connections: usize,
    pub connect_s: f64,
    pub rss_before: u64,
    pub rss_idle: u64,
    pub rss_per_conn: f64,
    pub phases: Vec<Phase>,
    pub error: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct SlowResult {
    pub target: Target,
    pub members: usize,
    pub connections: usize,
    pub slow_clients: usize,
    pub without: Phase,
    pub with: Phase,
    /// Others' p99 with slow consumers over the p99 without them.
    pub p99_ratio: f64,
    /// Peak server RSS during the run with them, minus the peak without them.
    pub rss_growth: i64,
    /// How the slow clients' sockets ended, as they saw it when they read again.
    pub closes: BTreeMap<String, u64>,
    pub replayed: u64,
    pub full_views: u64,
    pub resume_failed: u64,
    pub error: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct StormResult {
    pub target: Target,
    pub connections: usize,
    pub dropped: usize,
    pub all_back_ms: f64,
    pub replayed: u64,
    pub full_views: u64,
    pub resume_failed: u64,
    pub gaps: u64,
    pub dups: u64,
    /// Members who ended behind the rest of their room.
    pub behind: u64,
    pub phase: Option<Phase>,
    pub error: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct RestartResult {
    pub target: Target,
    pub rooms: usize,
    pub connections: usize,
    pub events_before: u64,
    /// From process start until `/healthz` answered (rooms are restored before it does).
    pub ready_ms: f64,
    /// The server's own measure of restoring the rooms.
    pub restored_ms: Option<u64>,
    /// From process start until every member had resumed.
    pub all_back_ms: f64,
    pub replayed: u64,
    pub full_views: u64,
    pub resume_failed: u64,
    pub gaps: u64,
    pub dups: u64,
    pub behind: u64,
    pub error: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Report {
    pub smoke: bool,
    pub unix_time: u64,
    pub elapsed_s: f64,
    pub machine: Machine,
    pub setups: Vec<SetupResult>,
    pub slow: Vec<SlowResult>,
    pub storm: Vec<StormResult>,
    pub restart: Vec<RestartResult>,
    #[serde(default)]
    pub flood: Vec<FloodResult>,
    #[serde(default)]
    pub joins: Vec<JoinResult>,
    #[serde(default)]
    pub saturation: Vec<SaturationResult>,
    /// The instruction counts in force for this run (`kring-bench callgrind`'s file).
    #[serde(default)]
    pub callgrind: Option<crate::callgrind::Counts>,
    /// The machine's load average (1 minute) when the run started and when it ended: what
    /// else shared the cores.
    #[serde(default)]
    pub load_avg: (f64, f64),
}

impl Report {
    /// This run's parts over `old`'s: a run of some parts only (`--only`) keeps the rest of an
    /// earlier run. The header (date, machine) is the grid's.
    pub fn merged_into(self, mut old: Report) -> Report {
        if self.setups.iter().any(|s| s.kind != "tls") {
            old.smoke = self.smoke;
            old.unix_time = self.unix_time;
            old.elapsed_s = self.elapsed_s;
            old.machine = self.machine;
            old.load_avg = self.load_avg;
        }
        // Setups by kind: a run of the TLS pair alone keeps the grid, and the other way round.
        let kinds: Vec<String> = self.setups.iter().map(|s| s.kind.clone()).collect();
        let tls_run = kinds.iter().any(|k| k == "tls");
        let grid_run = kinds.iter().any(|k| k != "tls");
        old.setups
            .retain(|s| if s.kind == "tls" { !tls_run } else { !grid_run });
        old.setups.extend(self.setups);
        if !self.joins.is_empty() {
            old.joins = self.joins;
        }
        if !self.saturation.is_empty() {
            old.saturation = self.saturation;
        }
        if !self.slow.is_empty() {
            old.slow = self.slow;
        }
        if !self.storm.is_empty() {
            old.storm = self.storm;
        }
        if !self.restart.is_empty() {
            old.restart = self.restart;
        }
        if !self.flood.is_empty() {
            old.flood = self.flood;
        }
        if self.callgrind.is_some() {
            old.callgrind = self.callgrind;
        }
        old
    }
}

fn machine() -> Machine {
    let mem_kb: f64 = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0.0);
    Machine {
        cores: std::thread::available_parallelism().map_or(1, usize::from),
        mem_gib: mem_kb / 1024.0 / 1024.0,
        open_files: crate::procfs::open_files_limit().unwrap_or(0),
    }
}

fn rotate(targets: &[Target], by: usize) -> Vec<Target> {
    let mut t = targets.to_vec();
    if !t.is_empty() {
        let n = by % t.len();
        t.rotate_left(n);
    }
    t
}

static T0: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

pub fn log(msg: impl AsRef<str>) {
    let t = T0
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64();
    eprintln!("[kring-bench {t:>6.1}s] {}", msg.as_ref());
}

pub fn phase_line(p: &Phase) -> String {
    format!(
        "rate {:>4}: {:>8.0} deliveries/s  p50 {:>7.2} ms  p99 {:>7.2} ms  p99.9 {:>7.2} ms  max {:>7.1} ms  server {:.2} cores ({:.0}% sys) {:.2} us/delivery  gen {:.2} cores{}{}",
        p.rate,
        p.deliveries_per_s,
        p.p50_ms,
        p.p99_ms,
        p.p999_ms,
        p.max_ms,
        p.server_cores,
        p.server_sys_share * 100.0,
        p.cpu_per_delivery_us,
        p.generator_cores,
        if p.errors.is_empty() {
            String::new()
        } else {
            format!("  errors {:?}", p.errors)
        },
        p.invalid_reason
            .as_ref()
            .map_or(String::new(), |r| format!("  INVALID: {r}")),
    )
}

pub async fn run(plan: &Plan, programs: &Programs) -> Report {
    let started = Instant::now();
    let mut report = Report {
        smoke: plan.smoke,
        unix_time: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        elapsed_s: 0.0,
        machine: machine(),
        setups: Vec::new(),
        slow: Vec::new(),
        storm: Vec::new(),
        restart: Vec::new(),
        flood: Vec::new(),
        joins: Vec::new(),
        saturation: Vec::new(),
        callgrind: None,
        load_avg: (load_avg(), 0.0),
    };
    let mut setups: Vec<(String, usize, usize, Vec<f64>)> = Vec::new();
    if let Some((m, c, rates)) = &plan.headline {
        setups.push(("headline".into(), *m, *c, rates.clone()));
    }
    for &(m, c) in &plan.sizes {
        let rates: Vec<f64> = plan
            .rates
            .iter()
            .copied()
            .filter(|r| r * c as f64 <= plan.max_deliveries)
            .collect();
        setups.push(("grid".into(), m, c, rates));
    }
    for (i, (kind, members, conns, rates)) in setups.iter().enumerate() {
        for target in rotate(&plan.targets, i) {
            let result = setup_run(plan, programs, target, kind, *members, *conns, rates).await;
            report.setups.push(result);
        }
    }
    // TLS beside plain: the same server (in-memory store) with and without `--tls-cert`.
    if let Some((members, conns, rates)) = &plan.tls {
        for target in [Target::KringTls, Target::KringMemory] {
            let result = setup_run(plan, programs, target, "tls", *members, *conns, rates).await;
            report.setups.push(result);
        }
    }
    if let Some((members, conns, rate, window)) = plan.slow {
        for target in &plan.scenario_targets {
            report
                .slow
                .push(slow_run(plan, programs, *target, members, conns, rate, window).await);
        }
    }
    if let Some((members, conns, dropped, rate)) = plan.storm {
        for target in rotate(&plan.scenario_targets, 1) {
            report
                .storm
                .push(storm_run(plan, programs, target, members, conns, dropped, rate).await);
        }
    }
    if let Some((rooms, members, rate, secs)) = plan.restart {
        report
            .restart
            .push(restart_run(plan, programs, rooms, members, rate, secs).await);
    }
    if let Some(join_plan) = &plan.joins {
        for target in rotate(&plan.scenario_targets, 2) {
            report
                .joins
                .push(joins::run(join_plan, programs, target).await);
        }
    }
    for &(rooms, secs) in &plan.saturation {
        report
            .saturation
            .push(saturation::run(programs, rooms, secs).await);
    }
    if plan.scenario_targets.contains(&Target::KringSqlite) {
        for flood_plan in &plan.flood {
            report
                .flood
                .push(flood::run(flood_plan, programs, plan.settle, plan.drain).await);
        }
    }
    report.elapsed_s = started.elapsed().as_secs_f64();
    report.load_avg.1 = load_avg();
    report
}

/// The 1-minute load average (`/proc/loadavg`), 0 where there is none.
pub fn load_avg() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0)
}

#[allow(clippy::too_many_arguments)]
async fn setup_run(
    plan: &Plan,
    programs: &Programs,
    target: Target,
    kind: &str,
    members: usize,
    conns: usize,
    rates: &[f64],
) -> SetupResult {
    let rooms = (conns as f64 / members as f64).round().max(1.0) as usize;
    log(format!(
        "{kind}: {} with {rooms} rooms x {members} members",
        target.label()
    ));
    let mut result = SetupResult {
        target,
        kind: kind.to_owned(),
        members,
        rooms,
        planned: rooms * members,
        connections: 0,
        connect_s: 0.0,
        rss_before: 0,
        rss_idle: 0,
        rss_per_conn: 0.0,
        phases: Vec::new(),
        error: None,
    };
    let server = match Server::start(programs, target, None, None).await {
        Ok(s) => s,
        Err(e) => {
            result.error = Some(format!("{e:#}"));
            return result;
        }
    };
    match load::build(&server, rooms, members, None, plan.settle).await {
        Ok(fleet) => {
            result.connections = fleet.connections();
            result.connect_s = fleet.connect_s;
            result.rss_before = fleet.rss_before;
            result.rss_idle = fleet.rss_idle;
            result.rss_per_conn = fleet.rss_per_conn();
            log(format!(
                "  {} connections in {:.1} s, {:.0} bytes of server memory per idle connection",
                result.connections, result.connect_s, result.rss_per_conn
            ));
            for &rate in rates {
                let phase =
                    load::measure(&fleet, &server, rate, plan.warm, plan.window, plan.drain).await;
                log(format!("  {}", phase_line(&phase)));
                result.phases.push(phase);
            }
            fleet.stop().await;
        }
        Err(e) => {
            log(format!("  setup failed: {e:#}"));
            result.error = Some(format!("{e:#}"));
        }
    }
    let _ = server.stop().await;
    result
}

async fn slow_run(
    plan: &Plan,
    programs: &Programs,
    target: Target,
    members: usize,
    conns: usize,
    rate: f64,
    window: Duration,
) -> SlowResult {
    let rooms = conns / members;
    log(format!(
        "slow consumers: {} with {rooms} rooms x {members}, 1% never read",
        target.label()
    ));
    let mut result = SlowResult {
        target,
        members,
        connections: rooms * members,
        slow_clients: 0,
        without: Phase::default(),
        with: Phase::default(),
        p99_ratio: 0.0,
        rss_growth: 0,
        closes: BTreeMap::new(),
        replayed: 0,
        full_views: 0,
        resume_failed: 0,
        error: None,
    };
    for with_slow in [false, true] {
        let server = match Server::start(programs, target, None, None).await {
            Ok(s) => s,
            Err(e) => {
                result.error = Some(format!("{e:#}"));
                return result;
            }
        };
        let slow_every = with_slow.then_some(100);
        let fleet = match load::build(&server, rooms, members, slow_every, plan.settle).await {
            Ok(f) => f,
            Err(e) => {
                result.error = Some(format!("{e:#}"));
                let _ = server.stop().await;
                return result;
            }
        };
        let phase = load::measure(&fleet, &server, rate, plan.warm, window, plan.drain).await;
        log(format!(
            "  {} slow clients: {}",
            if with_slow { "with" } else { "without" },
            phase_line(&phase)
        ));
        if with_slow {
            let slow: usize = fleet
                .rooms
                .iter()
                .map(|r| r.members.iter().filter(|m| m.slow).count())
                .sum();
            result.slow_clients = slow;
            for room in &fleet.rooms {
                for m in room.members.iter().filter(|m| m.slow) {
                    let _ = m.tx.send(Ctl::Drain);
                }
            }
            let shared = fleet.shared.clone();
            wait_until(Duration::from_secs(30), || {
                let done = shared.replayed.load(Ordering::Relaxed)
                    + shared.full_views.load(Ordering::Relaxed)
                    + shared.resume_failed.load(Ordering::Relaxed);
                done >= slow as u64
            })
            .await;
            result.closes = shared
                .closes()
                .into_iter()
                .filter(|(k, _)| k.starts_with("slow:") || k.starts_with("resume-retry:"))
                .collect();
            result.replayed = shared.replayed.load(Ordering::Relaxed);
            result.full_views = shared.full_views.load(Ordering::Relaxed);
            result.resume_failed = shared.resume_failed.load(Ordering::Relaxed);
            log(format!(
                "  slow clients: {slow}, ended as {:?}, resumed with replay {}, with full view {}, failed {}",
                result.closes, result.replayed, result.full_views, result.resume_failed
            ));
            result.with = phase;
        } else {
            result.without = phase;
        }
        fleet.stop().await;
        let _ = server.stop().await;
    }
    if result.without.p99_ms > 0.0 {
        result.p99_ratio = result.with.p99_ms / result.without.p99_ms;
    }
    result.rss_growth = result.with.server_rss_max as i64 - result.without.server_rss_max as i64;
    result
}

async fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    done()
}

async fn storm_run(
    plan: &Plan,
    programs: &Programs,
    target: Target,
    members: usize,
    conns: usize,
    dropped: usize,
    rate: f64,
) -> StormResult {
    let rooms = conns / members;
    log(format!(
        "reconnect storm: {} with {rooms} rooms x {members}, {dropped} drop and resume within 1 s",
        target.label()
    ));
    let mut result = StormResult {
        target,
        connections: rooms * members,
        dropped,
        all_back_ms: 0.0,
        replayed: 0,
        full_views: 0,
        resume_failed: 0,
        gaps: 0,
        dups: 0,
        behind: 0,
        phase: None,
        error: None,
    };
    let server = match Server::start(programs, target, None, None).await {
        Ok(s) => s,
        Err(e) => {
            result.error = Some(format!("{e:#}"));
            return result;
        }
    };
    let fleet = match load::build(&server, rooms, members, None, plan.settle).await {
        Ok(f) => f,
        Err(e) => {
            result.error = Some(format!("{e:#}"));
            let _ = server.stop().await;
            return result;
        }
    };
    let storm = async {
        tokio::time::sleep(plan.storm_at).await;
        let mut all: Vec<&crate::client::Handle> =
            fleet.rooms.iter().flat_map(|r| r.members.iter()).collect();
        fastrand::shuffle(&mut all);
        let began = Instant::now();
        for handle in all.into_iter().take(dropped) {
            let tx = handle.tx.clone();
            let at = began + Duration::from_micros(fastrand::u64(..1_000_000));
            tokio::spawn(async move {
                tokio::time::sleep_until(at).await;
                let _ = tx.send(Ctl::Drop);
            });
        }
        let shared = fleet.shared.clone();
        wait_until(Duration::from_secs(60), || {
            shared.replayed.load(Ordering::Relaxed)
                + shared.full_views.load(Ordering::Relaxed)
                + shared.resume_failed.load(Ordering::Relaxed)
                >= dropped as u64
        })
        .await;
        let last = *fleet
            .shared
            .last_back
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        last.map_or(0.0, |l| {
            l.saturating_duration_since(began).as_secs_f64() * 1000.0
        })
    };
    let traffic = load::measure(
        &fleet,
        &server,
        rate,
        Duration::from_secs(1),
        plan.storm_window,
        plan.drain,
    );
    let (phase, all_back_ms) = tokio::join!(traffic, storm);
    let shared = &fleet.shared;
    result.all_back_ms = all_back_ms;
    result.replayed = shared.replayed.load(Ordering::Relaxed);
    result.full_views = shared.full_views.load(Ordering::Relaxed);
    result.resume_failed = shared.resume_failed.load(Ordering::Relaxed);
    result.gaps = shared.gaps.load(Ordering::Relaxed);
    result.dups = shared.dups.load(Ordering::Relaxed);
    result.behind = fleet.behind();
    log(format!(
        "  all {} back after {:.0} ms: replay {}, full view {}, failed {}; gaps {}, duplicates {}, behind {}",
        dropped,
        result.all_back_ms,
        result.replayed,
        result.full_views,
        result.resume_failed,
        result.gaps,
        result.dups,
        result.behind
    ));
    log(format!("  {}", phase_line(&phase)));
    result.phase = Some(phase);
    fleet.stop().await;
    let _ = server.stop().await;
    result
}

async fn restart_run(
    plan: &Plan,
    programs: &Programs,
    rooms: usize,
    members: usize,
    rate: f64,
    secs: Duration,
) -> RestartResult {
    let target = Target::KringSqlite;
    log(format!(
        "restart: {} with {rooms} live rooms x {members} members",
        target.label()
    ));
    let mut result = RestartResult {
        target,
        rooms,
        connections: rooms * members,
        events_before: 0,
        ready_ms: 0.0,
        restored_ms: None,
        all_back_ms: 0.0,
        replayed: 0,
        full_views: 0,
        resume_failed: 0,
        gaps: 0,
        dups: 0,
        behind: 0,
        error: None,
    };
    let server = match Server::start(programs, target, None, None).await {
        Ok(s) => s,
        Err(e) => {
            result.error = Some(format!("{e:#}"));
            return result;
        }
    };
    let fleet: Fleet = match load::build(&server, rooms, members, None, plan.settle).await {
        Ok(f) => f,
        Err(e) => {
            result.error = Some(format!("{e:#}"));
            let _ = server.stop().await;
            return result;
        }
    };
    let phase = load::measure(&fleet, &server, rate, plan.warm, secs, plan.drain).await;
    result.events_before = phase.fired;
    fleet.shared.auto_resume.store(true, Ordering::Relaxed);
    let data_dir = server.data_dir.clone();
    let port = server.addr.port();
    let _ = server.stop().await;
    let server = match Server::start(programs, target, Some(&data_dir), Some(port)).await {
        Ok(s) => s,
        Err(e) => {
            result.error = Some(format!("{e:#}"));
            fleet.stop().await;
            return result;
        }
    };
    let shared = fleet.shared.clone();
    let conns = fleet.connections() as u64;
    wait_until(Duration::from_secs(90), || {
        shared.replayed.load(Ordering::Relaxed)
            + shared.full_views.load(Ordering::Relaxed)
            + shared.resume_failed.load(Ordering::Relaxed)
            >= conns
    })
    .await;
    // Quiet for a moment, then everyone in a room must be at the same place.
    tokio::time::sleep(Duration::from_millis(500)).await;
    result.ready_ms = server.ready.duration_since(server.started).as_secs_f64() * 1000.0;
    result.restored_ms = server.restored_ms();
    let last = *shared.last_back.lock().unwrap_or_else(|e| e.into_inner());
    result.all_back_ms = last.map_or(0.0, |l| {
        l.saturating_duration_since(server.started).as_secs_f64() * 1000.0
    });
    result.replayed = shared.replayed.load(Ordering::Relaxed);
    result.full_views = shared.full_views.load(Ordering::Relaxed);
    result.resume_failed = shared.resume_failed.load(Ordering::Relaxed);
    result.gaps = shared.gaps.load(Ordering::Relaxed);
    result.dups = shared.dups.load(Ordering::Relaxed);
    result.behind = fleet.behind();
    log(format!(
        "  ready after {:.0} ms (restored in {:?} ms), all {} members back after {:.0} ms: replay {}, full view {}, failed {}; gaps {}, duplicates {}",
        result.ready_ms,
        result.restored_ms,
        conns,
        result.all_back_ms,
        result.replayed,
        result.full_views,
        result.resume_failed,
        result.gaps,
        result.dups
    ));
    fleet.shared.auto_resume.store(false, Ordering::Relaxed);
    fleet.stop().await;
    let _ = server.stop().await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(kind: &str, target: Target) -> SetupResult {
        SetupResult {
            target,
            kind: kind.to_owned(),
            members: 8,
            rooms: 1,
            planned: 8,
            connections: 8,
            connect_s: 0.0,
            rss_before: 0,
            rss_idle: 0,
            rss_per_conn: 0.0,
            phases: Vec::new(),
            error: None,
        }
    }

    fn report(setups: Vec<SetupResult>, unix_time: u64) -> Report {
        Report {
            smoke: false,
            unix_time,
            elapsed_s: 0.0,
            machine: machine(),
            setups,
            slow: Vec::new(),
            storm: Vec::new(),
            restart: Vec::new(),
            flood: Vec::new(),
            joins: Vec::new(),
            saturation: Vec::new(),
            callgrind: None,
            load_avg: (0.0, 0.0),
        }
    }

    #[test]
    fn a_run_of_some_parts_keeps_the_others() {
        let old = report(
            vec![
                setup("grid", Target::KringSqlite),
                setup("tls", Target::KringTls),
            ],
            1,
        );
        // The TLS pair alone: the grid and the header stay.
        let tls = report(vec![setup("tls", Target::KringMemory)], 2);
        let merged = tls.merged_into(old.clone());
        let kinds: Vec<(&str, Target)> = merged
            .setups
            .iter()
            .map(|s| (s.kind.as_str(), s.target))
            .collect();
        assert_eq!(
            kinds,
            vec![("grid", Target::KringSqlite), ("tls", Target::KringMemory)]
        );
        assert_eq!(merged.unix_time, 1);
        // The grid alone: the TLS pair stays, the header is the grid's.
        let grid = report(vec![setup("headline", Target::Baseline)], 3);
        let merged = grid.merged_into(old);
        let kinds: Vec<&str> = merged.setups.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(kinds, vec!["tls", "headline"]);
        assert_eq!(merged.unix_time, 3);
    }
}
