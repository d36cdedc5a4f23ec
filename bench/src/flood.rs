//! A flood in one room: quiet rooms talk as people do while the members of one other room send
//! far more than kring's default abuse limits allow (valid commands, broken JSON, questions far
//! over the length limit, commands their phase or role forbids), ignore every refusal and resume
//! whenever they are closed for flooding. Windows without and with the flood alternate on one
//! server, so the quiet rooms' latency in both shares the machine's noise.
//!
//! The flooding clients run on a thread of their own: the quiet rooms' generator keeps its
//! thread, its timing and its CPU measure, and the attacker's CPU is measured apart.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior, timeout};
use tokio_tungstenite::tungstenite::Message;

use kring_protocol::{ClientMsg, Command, Epoch, InputKind, Join};

use crate::client::{self, Shared, Ws};
use crate::http;
use crate::load::{self, Fleet, Phase};
use crate::procfs::CpuMark;
use crate::server::{AbuseLimits, Programs, Server, Target};
use crate::suite::{log, phase_line};
use crate::wire;

/// Members one room may have besides its facilitator (kring's `MAX_MEMBERS` counts both).
pub const MAX_FLOODERS: usize = 39;
/// A question this long is refused (`text_too_long`, 500 characters at most) but its frame stays
/// under the 16 KiB message limit, so the server must parse it rather than drop the socket.
const BIG_TEXT_CHARS: usize = 12 * 1024;
const JOIN_TIMEOUT: Duration = Duration::from_secs(30);
/// A send that takes longer means the server stopped reading this socket (it is closing it).
const SEND_TIMEOUT: Duration = Duration::from_secs(1);
/// The flooding clients' one address (the quiet clients use others: `client::open`).
const ATTACKER: std::net::Ipv4Addr = std::net::Ipv4Addr::new(127, 0, 2, 1);
/// How often a flooding client that is kept out tries again (it never gives up while the
/// flood is on: kring keeps a member closed for flooding out for a while). Every 20 ms, 39
/// clients opening sockets in a loop took up to 0.74 of this machine's 2 cores themselves, so
/// the quiet rooms then measured the attacker's CPU more than kring (docs/PERFORMANCE.md).
const RESUME_RETRY: Duration = Duration::from_millis(200);
/// The connection's message budget refused it (the error names no command).
const MESSAGE_RATE: &str = "rate_limited";
/// The room refused a command for its rate: its queue was full, or the member's submit limit.
const COMMAND_RATE: &str = "rate_limited (command)";
/// The close code of a connection closed for flooding.
const FLOODING_CLOSE: &str = "1008";

/// The scenario's sizes.
#[derive(Clone, Debug)]
pub struct FloodPlan {
    /// Quiet rooms and members in each (facilitator included).
    pub rooms: usize,
    pub members: usize,
    /// Events per quiet room per second.
    pub rate: f64,
    /// Flooding connections, all in one more room (its facilitator only reads).
    pub flooders: usize,
    /// Messages each flooding connection sends per second.
    pub flood_rate: f64,
    /// Pairs of windows: one without the flood, then one with it.
    pub pairs: usize,
    pub warm: Duration,
    pub window: Duration,
}

/// What the flood did over some time, as its clients and as the server counted it.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct FloodCounts {
    pub seconds: f64,
    /// Messages the flooding clients sent.
    pub sent: u64,
    /// Commands the flooded room accepted (acked).
    pub accepted: u64,
    /// Error replies by code; `rate_limited` is the connection's message budget,
    /// `rate_limited (command)` the room's queue or the member's submit limit.
    pub refused: BTreeMap<String, u64>,
    /// How the flooding sockets ended, by close code (`eof`: no close frame).
    pub closes: BTreeMap<String, u64>,
    pub resumed: u64,
    pub resume_failed: u64,
    /// CPU of the attacking thread, in cores.
    pub attacker_cores: f64,
}

/// The server's own counters over a window (`/metrics`: every room, quiet ones included).
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct ServerCounts {
    pub seconds: f64,
    pub messages_in: u64,
    pub rejections: BTreeMap<String, u64>,
    /// Closed for flooding (1008) or an oversized message (1009).
    pub abusive_closes: u64,
    pub connections: u64,
    /// Events recorded and frames queued to clients.
    pub events: u64,
    pub frames_out: u64,
    /// Store transactions, and the mean time from an append's request to its commit: every
    /// room's events go through the one SQLite writer.
    pub commits: u64,
    pub commit_ms: f64,
    /// The upper bound of the histogram bucket that holds the 99th percentile (its largest
    /// finite bound when above all of them).
    pub commit_p99_ms: f64,
}

impl ServerCounts {
    fn per_s(&self, n: u64) -> f64 {
        if self.seconds > 0.0 {
            n as f64 / self.seconds
        } else {
            0.0
        }
    }

    pub fn events_per_s(&self) -> f64 {
        self.per_s(self.events)
    }

    pub fn commits_per_s(&self) -> f64 {
        self.per_s(self.commits)
    }
}

impl FloodCounts {
    pub fn refused_total(&self) -> u64 {
        self.refused.values().sum()
    }

    /// Messages refused by the connection's message budget.
    pub fn rate_refusals(&self) -> u64 {
        self.refused.get(MESSAGE_RATE).copied().unwrap_or(0)
    }

    pub fn flooding_closes(&self) -> u64 {
        self.closes.get(FLOODING_CLOSE).copied().unwrap_or(0)
    }

    fn add(&mut self, other: &FloodCounts) {
        let cpu = self.attacker_cores * self.seconds + other.attacker_cores * other.seconds;
        self.seconds += other.seconds;
        self.attacker_cores = if self.seconds > 0.0 {
            cpu / self.seconds
        } else {
            0.0
        };
        self.sent += other.sent;
        self.accepted += other.accepted;
        add_map(&mut self.refused, &other.refused);
        add_map(&mut self.closes, &other.closes);
        self.resumed += other.resumed;
        self.resume_failed += other.resume_failed;
    }
}

fn add_map(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
    for (k, v) in from {
        *into.entry(k.clone()).or_default() += v;
    }
}

/// One measured window of the quiet rooms.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct FloodWindow {
    pub flood: bool,
    /// The quiet rooms.
    pub phase: Phase,
    /// What the flooding clients did (nothing in a window without the flood).
    pub attack: FloodCounts,
    pub server: ServerCounts,
}

/// The windows of one kind (without or with the flood): means of their numbers.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct WindowMeans {
    pub windows: usize,
    /// The quiet rooms' latency samples, in all.
    pub samples: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub server_cores: f64,
    pub events_per_s: f64,
    pub commits_per_s: f64,
    pub commit_ms: f64,
    /// Errors the quiet rooms' members got, in all.
    pub errors: BTreeMap<String, u64>,
    /// Every window valid (the generator kept up).
    pub valid: bool,
}

impl WindowMeans {
    fn of(windows: &[&FloodWindow]) -> WindowMeans {
        let n = windows.len();
        let mean = |f: &dyn Fn(&FloodWindow) -> f64| {
            if n == 0 {
                0.0
            } else {
                windows.iter().map(|w| f(w)).sum::<f64>() / n as f64
            }
        };
        let mut errors = BTreeMap::new();
        for w in windows {
            add_map(&mut errors, &w.phase.errors);
        }
        WindowMeans {
            windows: n,
            samples: windows.iter().map(|w| w.phase.samples).sum(),
            p50_ms: mean(&|w| w.phase.p50_ms),
            p99_ms: mean(&|w| w.phase.p99_ms),
            server_cores: mean(&|w| w.phase.server_cores),
            events_per_s: mean(&|w| w.server.events_per_s()),
            commits_per_s: mean(&|w| w.server.commits_per_s()),
            commit_ms: mean(&|w| w.server.commit_ms),
            errors,
            valid: n > 0 && windows.iter().all(|w| w.phase.valid),
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct FloodResult {
    pub target: Target,
    /// When it ran: a run of this scenario alone may be merged into an earlier full run.
    pub unix_time: u64,
    pub elapsed_s: f64,
    pub rooms: usize,
    pub members: usize,
    pub rate: f64,
    pub flooders: usize,
    pub flood_rate: f64,
    pub windows: Vec<FloodWindow>,
    pub without: WindowMeans,
    pub with: WindowMeans,
    /// The quiet rooms' latency with the flood over without it.
    pub p50_ratio: f64,
    pub p99_ratio: f64,
    /// The flood over all its windows.
    pub attack: FloodCounts,
    pub error: Option<String>,
}

impl FloodResult {
    fn new(plan: &FloodPlan) -> FloodResult {
        FloodResult {
            target: Target::KringSqlite,
            unix_time: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            elapsed_s: 0.0,
            rooms: plan.rooms,
            members: plan.members,
            rate: plan.rate,
            flooders: plan.flooders,
            flood_rate: plan.flood_rate,
            windows: Vec::new(),
            without: WindowMeans::default(),
            with: WindowMeans::default(),
            p50_ratio: 0.0,
            p99_ratio: 0.0,
            attack: FloodCounts::default(),
            error: None,
        }
    }

    fn summarise(&mut self) {
        let of = |flood: bool| -> Vec<&FloodWindow> {
            self.windows.iter().filter(|w| w.flood == flood).collect()
        };
        self.without = WindowMeans::of(&of(false));
        self.with = WindowMeans::of(&of(true));
        let ratio = |with: f64, without: f64| if without > 0.0 { with / without } else { 0.0 };
        self.p50_ratio = ratio(self.with.p50_ms, self.without.p50_ms);
        self.p99_ratio = ratio(self.with.p99_ms, self.without.p99_ms);
        let mut attack = FloodCounts::default();
        for w in self.windows.iter().filter(|w| w.flood) {
            attack.add(&w.attack);
        }
        self.attack = attack;
    }
}

/// Runs the scenario on kring (sqlite) with its default abuse limits.
pub async fn run(
    plan: &FloodPlan,
    programs: &Programs,
    settle: Duration,
    drain: Duration,
) -> FloodResult {
    let started = Instant::now();
    let mut result = FloodResult::new(plan);
    log(format!(
        "flood in one room: {} with default abuse limits, {} quiet rooms x {} at {} event/room/s; {} connections flood one more room at {}/s each",
        result.target.label(),
        plan.rooms,
        plan.members,
        plan.rate,
        plan.flooders,
        plan.flood_rate
    ));
    match Server::start_with(programs, result.target, AbuseLimits::Defaults).await {
        Ok(server) => {
            match windows(plan, &server, settle, drain).await {
                Ok(windows) => result.windows = windows,
                Err(e) => result.error = Some(format!("{e:#}")),
            }
            let _ = server.stop().await;
        }
        Err(e) => result.error = Some(format!("{e:#}")),
    }
    result.summarise();
    result.elapsed_s = started.elapsed().as_secs_f64();
    log(format!(
        "  quiet rooms' p50 {:.2} -> {:.2} ms ({:.2}x), p99 {:.2} -> {:.2} ms ({:.2}x) with the flood; it sent {}, {} refused ({} for the message rate), {} closed with 1008",
        result.without.p50_ms,
        result.with.p50_ms,
        result.p50_ratio,
        result.without.p99_ms,
        result.with.p99_ms,
        result.p99_ratio,
        result.attack.sent,
        result.attack.refused_total(),
        result.attack.rate_refusals(),
        result.attack.flooding_closes()
    ));
    if let Some(e) = &result.error {
        log(format!("  flood run failed: {e}"));
    }
    result
}

/// The alternating windows on a running server: without the flood first, then with it.
async fn windows(
    plan: &FloodPlan,
    server: &Server,
    settle: Duration,
    drain: Duration,
) -> anyhow::Result<Vec<FloodWindow>> {
    let fleet = load::build(server, plan.rooms, plan.members, None, settle).await?;
    let attack = match Attack::start(server.addr, plan.flooders, plan.flood_rate).await {
        Ok(a) => a,
        Err(e) => {
            fleet.stop().await;
            return Err(e);
        }
    };
    let mut out = Vec::new();
    for i in 0..plan.pairs * 2 {
        out.push(window(plan, &fleet, server, &attack, i % 2 == 1, drain).await);
    }
    attack.stop().await;
    fleet.stop().await;
    Ok(out)
}

async fn window(
    plan: &FloodPlan,
    fleet: &Fleet,
    server: &Server,
    attack: &Attack,
    flood: bool,
    drain: Duration,
) -> FloodWindow {
    let before = Mark::take(attack, server).await;
    attack.flood(flood);
    let traffic = load::measure(fleet, server, plan.rate, plan.warm, plan.window, drain);
    // The flood ends with the window; the drain after it is for the quiet rooms' last events.
    let flood_ends = async {
        tokio::time::sleep(plan.warm + plan.window).await;
        attack.flood(false);
        Mark::take(attack, server).await
    };
    let (phase, after) = tokio::join!(traffic, flood_ends);
    let (attack, server) = before.until(&after);
    log(format!(
        "  {} the flood: {}",
        if flood { "with" } else { "without" },
        phase_line(&phase)
    ));
    log(format!(
        "    server: {:.0} events/s, {:.0} commits/s of {:.2} ms on average, refused {:?}",
        server.events_per_s(),
        server.commits_per_s(),
        server.commit_ms,
        server.rejections
    ));
    if flood {
        log(format!(
            "    flood: sent {} in {:.1} s, accepted {}, refused {:?}, closed {:?}, resumed {} (refused {}); attacker {:.2} cores",
            attack.sent,
            attack.seconds,
            attack.accepted,
            attack.refused,
            attack.closes,
            attack.resumed,
            attack.resume_failed,
            attack.attacker_cores
        ));
    }
    FloodWindow {
        flood,
        phase,
        attack,
        server,
    }
}

/// The attacker's and the server's counters at one moment.
struct Mark {
    sent: u64,
    accepted: u64,
    refused: BTreeMap<String, u64>,
    closes: BTreeMap<String, u64>,
    resumed: u64,
    resume_failed: u64,
    cpu: CpuMark,
    server: BTreeMap<String, f64>,
}

impl Mark {
    async fn take(attack: &Attack, server: &Server) -> Mark {
        let s = &attack.shared;
        Mark {
            sent: s.sent.load(Ordering::Relaxed),
            accepted: s.acks.load(Ordering::Relaxed),
            refused: s.errors(),
            closes: s.closes(),
            resumed: s.replayed.load(Ordering::Relaxed) + s.full_views.load(Ordering::Relaxed),
            resume_failed: s.resume_failed.load(Ordering::Relaxed),
            cpu: CpuMark::now(&attack.thread),
            server: http::counters(server.addr).await.unwrap_or_default(),
        }
    }

    /// What the attacker and the server did from `self` to `later`.
    fn until(&self, later: &Mark) -> (FloodCounts, ServerCounts) {
        let seconds = later.cpu.at.duration_since(self.cpu.at).as_secs_f64();
        let attack = FloodCounts {
            seconds,
            sent: later.sent - self.sent,
            accepted: later.accepted - self.accepted,
            refused: diff(&self.refused, &later.refused),
            closes: diff(&self.closes, &later.closes),
            resumed: later.resumed - self.resumed,
            resume_failed: later.resume_failed - self.resume_failed,
            attacker_cores: if seconds > 0.0 {
                (later.cpu.cpu - self.cpu.cpu).max(0.0) / seconds
            } else {
                0.0
            },
        };
        (attack, server_counts(&self.server, &later.server, seconds))
    }
}

fn server_counts(
    before: &BTreeMap<String, f64>,
    after: &BTreeMap<String, f64>,
    seconds: f64,
) -> ServerCounts {
    let delta = |name: &str| {
        let get = |m: &BTreeMap<String, f64>| m.get(name).copied().unwrap_or(0.0);
        (get(after) - get(before)).max(0.0)
    };
    let count = |name: &str| delta(name) as u64;
    let rejections = after
        .keys()
        .filter_map(|name| {
            let code = name
                .strip_prefix("kring_rejections_total{code=\"")?
                .strip_suffix("\"}")?;
            Some((code.to_owned(), count(name)))
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let appends = delta("kring_store_commit_seconds_count");
    ServerCounts {
        seconds,
        messages_in: count("kring_messages_in_total"),
        rejections,
        abusive_closes: count("kring_abusive_closes_total"),
        connections: count("kring_connections_total"),
        events: count("kring_events_total"),
        frames_out: count("kring_messages_out_total"),
        commits: count("kring_store_commits_total"),
        commit_ms: if appends > 0.0 {
            delta("kring_store_commit_seconds_sum") / appends * 1000.0
        } else {
            0.0
        },
        commit_p99_ms: bucket_quantile(&delta, after, "kring_store_commit_seconds", 0.99) * 1000.0,
    }
}

/// The upper bound of the first bucket of histogram `name` holding a share `q` of what was
/// observed between two readings (`delta` gives a series' difference); 0 when nothing was.
/// Never infinite: JSON has no infinity.
fn bucket_quantile(
    delta: &dyn Fn(&str) -> f64,
    series: &BTreeMap<String, f64>,
    name: &str,
    q: f64,
) -> f64 {
    let prefix = format!("{name}_bucket{{le=\"");
    let mut buckets: Vec<(f64, f64)> = series
        .keys()
        .filter_map(|s| {
            let bound: f64 = s.strip_prefix(&prefix)?.strip_suffix("\"}")?.parse().ok()?;
            Some((bound, delta(s)))
        })
        .collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total = buckets.last().map_or(0.0, |b| b.1);
    if total <= 0.0 {
        return 0.0;
    }
    let largest = buckets
        .iter()
        .map(|b| b.0)
        .filter(|b| b.is_finite())
        .fold(0.0, f64::max);
    buckets
        .iter()
        .find(|(_, n)| *n >= total * q)
        .map_or(largest, |(bound, _)| bound.min(largest))
}

fn diff(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.saturating_sub(before.get(k).copied().unwrap_or(0)),
            )
        })
        .filter(|(_, v)| *v > 0)
        .collect()
}

/// The flooded room's clients, on their own thread; idle until told to flood.
struct Attack {
    on: watch::Sender<bool>,
    shared: Arc<Shared>,
    /// The attacking thread under `/proc`, for its CPU time.
    thread: String,
    handle: std::thread::JoinHandle<()>,
}

impl Attack {
    /// Creates the room and joins its facilitator and `flooders` members.
    async fn start(
        addr: std::net::SocketAddr,
        flooders: usize,
        rate: f64,
    ) -> anyhow::Result<Attack> {
        if flooders == 0 || flooders > MAX_FLOODERS {
            bail!("a room holds 1 to {MAX_FLOODERS} flooding members, not {flooders}");
        }
        let shared = Shared::new(addr);
        let (on, on_rx) = watch::channel(false);
        let (ready_tx, ready) = oneshot::channel();
        let attackers = shared.clone();
        let handle = std::thread::Builder::new()
            .name("flood".into())
            .spawn(move || attack_thread(attackers, flooders, rate, on_rx, ready_tx))?;
        let thread = ready.await.context("the flooding thread ended")??;
        Ok(Attack {
            on,
            shared,
            thread,
            handle,
        })
    }

    fn flood(&self, on: bool) {
        self.on.send_replace(on);
    }

    async fn stop(self) {
        drop(self.on);
        let handle = self.handle;
        let _ = tokio::task::spawn_blocking(move || handle.join()).await;
    }
}

fn attack_thread(
    shared: Arc<Shared>,
    flooders: usize,
    rate: f64,
    on: watch::Receiver<bool>,
    ready: oneshot::Sender<anyhow::Result<String>>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = ready.send(Err(e.into()));
            return;
        }
    };
    runtime.block_on(async move {
        let room = match join_room(&shared, flooders).await {
            Ok(room) => room,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        let _ = ready.send(Ok(this_thread()));
        let mut set = JoinSet::new();
        for client in room {
            set.spawn(client.run(on.clone(), rate));
        }
        while set.join_next().await.is_some() {}
    });
}

/// This thread as `<pid>/task/<tid>`, a name that stays valid when read from another thread.
fn this_thread() -> String {
    std::fs::read_link("/proc/thread-self")
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "self".to_owned())
}

async fn join_room(shared: &Arc<Shared>, flooders: usize) -> anyhow::Result<Vec<Flooder>> {
    let created = http::create_session(shared.addr, None, "flooded room").await?;
    let path = created.ws_path;
    let facilitator = wire::facilitator(created.facilitator_token);
    let mut fac = Flooder::join(shared.clone(), &path, facilitator, false).await?;
    fac.start_session().await?;
    let mut room = vec![fac];
    for i in 0..flooders {
        let member = wire::member(format!("F{i}"));
        room.push(Flooder::join(shared.clone(), &path, member, true).await?);
    }
    Ok(room)
}

/// One client of the flooded room.
struct Flooder {
    ws: Ws,
    shared: Arc<Shared>,
    path: String,
    /// The facilitator does not flood: it started the session and stays, reading.
    floods: bool,
    token: String,
    epoch: Option<Epoch>,
    last_seq: u64,
    next: u64,
    hand_up: bool,
    big_text: Arc<str>,
}

impl Flooder {
    async fn join(
        shared: Arc<Shared>,
        path: &str,
        join: Join,
        floods: bool,
    ) -> anyhow::Result<Flooder> {
        let mut ws = client::open_from(&shared, path, false, ATTACKER).await?;
        ws.send(Message::text(wire::hello(join))).await?;
        let welcome = timeout(JOIN_TIMEOUT, client::welcome(&mut ws))
            .await
            .context("no welcome in time")??;
        Ok(Flooder {
            ws,
            shared,
            path: path.to_owned(),
            floods,
            token: welcome
                .resume_token
                .context("welcome without resume token")?,
            epoch: Some(welcome.epoch),
            last_seq: welcome.seq,
            // Each starts elsewhere in the mix, so the room sees every kind at once.
            next: fastrand::u64(..8),
            hand_up: false,
            big_text: big_text().into(),
        })
    }

    async fn start_session(&mut self) -> anyhow::Result<()> {
        let start = wire::command("start", Command::StartSession {});
        self.ws.send(Message::text(start)).await?;
        loop {
            let next = timeout(JOIN_TIMEOUT, self.ws.next())
                .await
                .context("no reply to start_session in time")?;
            match next {
                Some(Ok(Message::Text(text))) if text.contains(r#""id":"start""#) => {
                    if text.starts_with(r#"{"type":"error""#) {
                        bail!("start_session refused: {text}");
                    }
                    return Ok(());
                }
                Some(Ok(_)) => {}
                _ => bail!("socket closed before the session started"),
            }
        }
    }

    async fn run(mut self, mut on: watch::Receiver<bool>, rate: f64) {
        let period = Duration::from_secs_f64(1.0 / rate.max(0.01));
        // Spread over one period, so the flooders do not send in lockstep.
        let first = Instant::now() + period.mul_f64(fastrand::f64());
        let mut tick = tokio::time::interval_at(first, period);
        tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut flooding = *on.borrow_and_update();
        loop {
            tokio::select! {
                changed = on.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    flooding = *on.borrow_and_update();
                }
                _ = tick.tick(), if flooding && self.floods => self.send_next().await,
                msg = self.ws.next() => {
                    if let Some(how) = self.read(msg) {
                        Shared::count(&self.shared.closes, &how);
                        if !self.resume(&mut on).await {
                            return;
                        }
                        flooding = *on.borrow_and_update();
                    }
                }
            }
        }
    }

    async fn send_next(&mut self) {
        let n = self.next;
        self.next += 1;
        let msg = flood_message(n, &mut self.hand_up, &self.big_text);
        // A refused send needs nothing here: the read side sees the socket end and resumes.
        if let Ok(Ok(())) = timeout(SEND_TIMEOUT, self.ws.send(Message::text(msg))).await {
            self.shared.sent.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a frame; returns how the socket ended, if it did.
    fn read(
        &mut self,
        msg: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    ) -> Option<String> {
        match msg {
            Some(Ok(Message::Text(text))) => {
                self.on_text(&text);
                None
            }
            Some(Ok(Message::Close(frame))) => {
                Some(frame.map_or_else(|| "close".to_owned(), |f| u16::from(f.code).to_string()))
            }
            Some(Ok(_)) => None,
            Some(Err(_)) | None => Some("eof".to_owned()),
        }
    }

    fn on_text(&mut self, text: &str) {
        const EVENT: &str = r#"{"type":"event","seq":"#;
        if text.starts_with(EVENT) {
            if let Some(seq) = client::number_after(text, EVENT) {
                self.last_seq = self.last_seq.max(seq);
            }
        } else if text.starts_with(r#"{"type":"ack""#) {
            self.shared.acks.fetch_add(1, Ordering::Relaxed);
        } else if text.starts_with(r#"{"type":"error""#) {
            let code = client::string_after(text, r#""code":""#).unwrap_or("?");
            let key = match code {
                "rate_limited" if !text.contains(r#""id":null"#) => COMMAND_RATE,
                _ => code,
            };
            Shared::count(&self.shared.errors, key);
        }
    }

    /// Comes back as the same member, as a client does that ignores why it was closed, and
    /// keeps trying while the flood is on (each refusal counts in `resume_failed`).
    /// `false`: the run is over.
    async fn resume(&mut self, on: &mut watch::Receiver<bool>) -> bool {
        loop {
            if on.has_changed().is_err() {
                return false;
            }
            if !*on.borrow_and_update() && on.changed().await.is_err() {
                return false;
            }
            if !*on.borrow() {
                continue;
            }
            match self.try_resume().await {
                Ok(()) => return true,
                Err(_) => {
                    self.shared.resume_failed.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(RESUME_RETRY).await;
                }
            }
        }
    }

    async fn try_resume(&mut self) -> anyhow::Result<()> {
        let mut ws = client::open_from(&self.shared, &self.path, false, ATTACKER).await?;
        let (token, epoch) = (&self.token, self.epoch);
        let welcome = client::resume(&mut ws, &self.shared, token, epoch, self.last_seq).await?;
        if welcome.full_view() {
            self.epoch = Some(welcome.epoch);
            self.last_seq = welcome.seq;
        }
        self.ws = ws;
        Ok(())
    }
}

/// A question far over the length limit for questions (500 characters).
fn big_text() -> String {
    let mut text = String::with_capacity(BIG_TEXT_CHARS + 100);
    let mut n = 0;
    while text.len() < BIG_TEXT_CHARS {
        text.push_str(&client::question_text(n));
        text.push(' ');
        n += 1;
    }
    text.truncate(BIG_TEXT_CHARS);
    text
}

/// The `n`-th message of a flooding client: the kinds take turns. Valid messages a member may
/// send (hands raised and lowered, questions up to the submit limit, pings), broken JSON, a
/// question 24 times too long, and commands the phase (advice) or the role (`next_phase`)
/// forbids.
fn flood_message(n: u64, hand_up: &mut bool, big_text: &str) -> String {
    let command = match n % 8 {
        0 | 1 => {
            *hand_up = !*hand_up;
            if *hand_up {
                Command::RaiseHand {}
            } else {
                Command::LowerHand {}
            }
        }
        2 => wire::question(client::question_text(n)),
        3 => {
            let ping = ClientMsg::Ping { t: Some(n) };
            return serde_json::to_string(&ping).unwrap_or_default();
        }
        // Broken on purpose: a command cut off in the middle.
        4 => return format!(r#"{{"type":"command","id":"f{n}","command":{{"kind":"raise_"#),
        5 => wire::question(big_text),
        6 => Command::Submit {
            input: InputKind::Advice,
            text: kring_protocol::Text::new("If I were you I would talk to your manager first."),
            reply_to: None,
            anonymous: false,
            confirm: false,
        },
        _ => Command::NextPhase {},
    };
    wire::command(format!("f{n}"), command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_has_every_kind_and_stays_under_the_message_limit() {
        let big = big_text();
        let mut hand = false;
        let msgs: Vec<String> = (0..8).map(|n| flood_message(n, &mut hand, &big)).collect();
        let valid = msgs
            .iter()
            .filter(|m| serde_json::from_str::<serde_json::Value>(m).is_ok())
            .count();
        assert_eq!(valid, 7, "one broken JSON message in eight");
        assert!(msgs.iter().all(|m| m.len() < 16 * 1024));
        assert!(msgs.iter().any(|m| m.len() > 12 * 1024));
        assert!(msgs[0].contains("raise_hand") && msgs[1].contains("lower_hand"));
        assert!(msgs.iter().any(|m| m.contains(r#""input":"advice""#)));
        assert!(msgs.iter().any(|m| m.contains("next_phase")));
    }

    #[test]
    fn counts_add_up_with_cpu_weighted_by_time() {
        let mut total = FloodCounts::default();
        let one = FloodCounts {
            seconds: 1.0,
            sent: 10,
            attacker_cores: 0.2,
            refused: BTreeMap::from([(MESSAGE_RATE.to_owned(), 4)]),
            closes: BTreeMap::from([(FLOODING_CLOSE.to_owned(), 1)]),
            ..FloodCounts::default()
        };
        let three = FloodCounts {
            seconds: 3.0,
            sent: 30,
            attacker_cores: 0.6,
            refused: BTreeMap::from([("bad_json".to_owned(), 2)]),
            ..FloodCounts::default()
        };
        total.add(&one);
        total.add(&three);
        assert_eq!(total.sent, 40);
        assert_eq!(total.refused_total(), 6);
        assert_eq!(total.rate_refusals(), 4);
        assert_eq!(total.flooding_closes(), 1);
        assert!((total.attacker_cores - 0.5).abs() < 1e-9);
    }

    #[test]
    fn server_counters_are_read_from_metrics() {
        let before = BTreeMap::from([
            ("kring_events_total".to_owned(), 10.0),
            ("kring_store_commit_seconds_sum".to_owned(), 0.5),
            ("kring_store_commit_seconds_count".to_owned(), 100.0),
            (
                "kring_rejections_total{code=\"rate_limited\"}".to_owned(),
                4.0,
            ),
            (
                "kring_store_commit_seconds_bucket{le=\"0.001\"}".to_owned(),
                90.0,
            ),
            (
                "kring_store_commit_seconds_bucket{le=\"0.01\"}".to_owned(),
                100.0,
            ),
            (
                "kring_store_commit_seconds_bucket{le=\"+Inf\"}".to_owned(),
                100.0,
            ),
        ]);
        let after = BTreeMap::from([
            ("kring_events_total".to_owned(), 30.0),
            ("kring_store_commit_seconds_sum".to_owned(), 0.9),
            ("kring_store_commit_seconds_count".to_owned(), 300.0),
            (
                "kring_rejections_total{code=\"rate_limited\"}".to_owned(),
                9.0,
            ),
            ("kring_rejections_total{code=\"bad_json\"}".to_owned(), 0.0),
            (
                "kring_store_commit_seconds_bucket{le=\"0.001\"}".to_owned(),
                190.0,
            ),
            (
                "kring_store_commit_seconds_bucket{le=\"0.01\"}".to_owned(),
                295.0,
            ),
            (
                "kring_store_commit_seconds_bucket{le=\"+Inf\"}".to_owned(),
                300.0,
            ),
        ]);
        let c = server_counts(&before, &after, 2.0);
        assert_eq!(c.events, 20);
        assert!((c.events_per_s() - 10.0).abs() < 1e-9);
        assert!((c.commit_ms - 2.0).abs() < 1e-9);
        assert_eq!(
            c.rejections,
            BTreeMap::from([("rate_limited".to_owned(), 5)])
        );
        // 195 of 200 new ones within 10 ms: the 99th percentile is above every bound.
        assert!((c.commit_p99_ms - 10.0).abs() < 1e-9);
        let fast = BTreeMap::from([
            (
                "kring_store_commit_seconds_bucket{le=\"0.001\"}".to_owned(),
                199.0,
            ),
            (
                "kring_store_commit_seconds_bucket{le=\"0.01\"}".to_owned(),
                200.0,
            ),
            (
                "kring_store_commit_seconds_bucket{le=\"+Inf\"}".to_owned(),
                200.0,
            ),
        ]);
        let c = server_counts(&BTreeMap::new(), &fast, 1.0);
        assert!((c.commit_p99_ms - 1.0).abs() < 1e-9);
    }

    #[test]
    fn counters_are_taken_as_differences() {
        let before = BTreeMap::from([("a".to_owned(), 2), ("b".to_owned(), 5)]);
        let after = BTreeMap::from([
            ("a".to_owned(), 7),
            ("b".to_owned(), 5),
            ("c".to_owned(), 1),
        ]);
        let d = diff(&before, &after);
        assert_eq!(
            d,
            BTreeMap::from([("a".to_owned(), 5), ("c".to_owned(), 1)])
        );
    }
}
