//! The cluster scenario: two kring nodes on PostgreSQL beside one kring on SQLite.
//!
//! Rooms are created on node A, which their facilitator reaches first (so A owns them). Half
//! of each room's members connect to A, the other half to B, which forwards them to A. Every
//! member submits a question at a steady pace and times command to ack; the same rooms run on
//! the single SQLite node for comparison. Then:
//!
//! - **failover**: A is killed (SIGKILL); every member reconnects to B, which claims the rooms
//!   once A's lease has run out. Measured from the kill to the last member resumed.
//! - **handoff**: A is started again, then B is stopped (SIGTERM): it hands the rooms over and
//!   every member resumes on A. Measured from the signal to the last member resumed.
//! - **single-node restart**: the SQLite node is killed and started again on the same data;
//!   measured the same way (what a failure costs without a cluster).
//!
//! PostgreSQL is a throwaway cluster (`initdb` and `pg_ctl` on a free port, as in the tests).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::time::{Instant, sleep, timeout};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{WebSocketStream, client_async};

use kring_protocol::Epoch;

use crate::http;
use crate::pg::Postgres;
use crate::wire;

/// kring's default `--owner-ttl`.
const OWNER_TTL: Duration = Duration::from_secs(6);
const WELCOME_WITHIN: Duration = Duration::from_secs(20);

pub struct Plan {
    pub rooms: usize,
    /// Members per room; half of them connect through the other node.
    pub members: usize,
    /// Each member submits this often.
    pub every: Duration,
    /// How long latency is measured.
    pub window: Duration,
}

impl Plan {
    pub fn full() -> Plan {
        Plan {
            rooms: 40,
            members: 6,
            every: Duration::from_secs(1),
            window: Duration::from_secs(20),
        }
    }

    pub fn smoke() -> Plan {
        Plan {
            rooms: 4,
            members: 4,
            every: Duration::from_millis(500),
            window: Duration::from_secs(3),
        }
    }
}

/// Command-to-ack latency of one kind of connection.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct Latency {
    pub samples: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
}

impl Latency {
    fn of(mut micros: Vec<u64>) -> Latency {
        micros.sort_unstable();
        let at = |p: f64| {
            if micros.is_empty() {
                return 0.0;
            }
            let i = ((micros.len() as f64 * p).ceil() as usize).clamp(1, micros.len()) - 1;
            micros[i] as f64 / 1000.0
        };
        Latency {
            samples: micros.len(),
            p50_ms: at(0.5),
            p90_ms: at(0.9),
            p99_ms: at(0.99),
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct ClusterReport {
    pub rooms: usize,
    pub members: usize,
    pub submit_every_ms: u64,
    pub owner_ttl_ms: u64,
    /// kring on SQLite, one node, every member connected to it.
    pub sqlite: Latency,
    /// kring on Postgres, members connected to the room's owner.
    pub owner: Latency,
    /// kring on Postgres, members connected to the other node, which forwards them.
    pub forwarded: Latency,
    /// SIGKILL of the owner to the last member resumed on the other node.
    pub failover_ms: u64,
    /// SIGTERM of the owner to the last member resumed on the other node.
    pub handoff_ms: u64,
    /// SIGKILL of the single SQLite node, restarted at once, to the last member resumed.
    pub sqlite_restart_ms: u64,
    /// Events that skipped a sequence number, and resumes answered with a full view instead
    /// of the missed events (both must stay 0).
    pub gaps: u64,
    pub full_views: u64,
}

/// A kring process.
struct Node {
    addr: SocketAddr,
    args: Vec<String>,
    kring: PathBuf,
    log: PathBuf,
    child: Option<Child>,
}

impl Node {
    async fn start(
        kring: &Path,
        work: &Path,
        name: &str,
        args: Vec<String>,
    ) -> anyhow::Result<Node> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut node = Node {
            addr: ([127, 0, 0, 1], port).into(),
            args,
            kring: kring.to_owned(),
            log: work.join(format!("cluster-{name}.log")),
            child: None,
        };
        node.spawn().await?;
        Ok(node)
    }

    async fn spawn(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let child = Command::new(&self.kring)
            .args(["--listen", &self.addr.to_string()])
            .args(&self.args)
            // Every simulated client is on loopback and the generator sends faster than a
            // person: lift the per-address and per-member limits.
            .args([
                "--max-connections-per-ip",
                "100000",
                "--connect-limit",
                "1000000/1s",
            ])
            .args([
                "--join-attempts",
                "1000000/1s",
                "--create-limit",
                "1000000/1s",
            ])
            .args([
                "--submit-limit",
                "1000000/1s",
                "--message-rate",
                "1000000/1s",
            ])
            .args(["--message-burst", "1000000", "--log", "warn"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .context("starting kring")?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while !http::healthy(self.addr, None).await {
            if Instant::now() > deadline {
                bail!("kring did not become ready; see {}", self.log.display());
            }
            sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    async fn signal(&mut self, signal: &str) -> anyhow::Result<()> {
        let mut child = self.child.take().context("not running")?;
        let pid = child.id().context("exited")?.to_string();
        Command::new("kill").args([signal, &pid]).status().await?;
        timeout(Duration::from_secs(20), child.wait())
            .await
            .context("kring did not exit")??;
        Ok(())
    }
}

/// What one member saw.
#[derive(Default)]
struct Seen {
    acks: Vec<u64>,
    connected: bool,
    back: Option<Instant>,
    gaps: u64,
    full_views: u64,
}

struct Members {
    seen: Vec<Arc<Mutex<Seen>>>,
    forwarded: Vec<bool>,
    measuring: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Members {
    fn latencies(&self, forwarded: bool) -> Vec<u64> {
        self.seen
            .iter()
            .zip(&self.forwarded)
            .filter(|(_, f)| **f == forwarded)
            .flat_map(|(s, _)| lock(s).acks.clone())
            .collect()
    }

    /// Waits until every member is welcomed again after `since`; returns the last time.
    async fn back_after(&self, since: Instant) -> anyhow::Result<Instant> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let last = self
                .seen
                .iter()
                .map(|s| {
                    let s = lock(s);
                    s.back.filter(|b| *b >= since && s.connected)
                })
                .collect::<Option<Vec<_>>>();
            if let Some(times) = last {
                return Ok(times.into_iter().max().unwrap_or(since));
            }
            if Instant::now() > deadline {
                bail!("members did not come back");
            }
            sleep(Duration::from_millis(20)).await;
        }
    }

    fn totals(&self) -> (u64, u64) {
        self.seen.iter().fold((0, 0), |(g, f), s| {
            let s = lock(s);
            (g + s.gaps, f + s.full_views)
        })
    }
}

pub async fn run(plan: &Plan, kring: &Path, work: &Path) -> anyhow::Result<ClusterReport> {
    std::fs::create_dir_all(work)?;
    let pg = Postgres::start();
    pg.psql("postgres", "CREATE DATABASE bench");
    let db = pg.url("bench");
    let pg_args = |name: &str| -> Vec<String> {
        ["--store", &db, "--node-name", name]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let mut report = ClusterReport {
        rooms: plan.rooms,
        members: plan.members,
        submit_every_ms: plan.every.as_millis() as u64,
        owner_ttl_ms: OWNER_TTL.as_millis() as u64,
        ..ClusterReport::default()
    };

    // Single node on SQLite.
    let data = work.join("cluster-sqlite-data");
    let _ = std::fs::remove_dir_all(&data);
    let sqlite_args = vec![
        "--store".to_owned(),
        "sqlite".to_owned(),
        "--data-dir".to_owned(),
        data.display().to_string(),
    ];
    let mut single = Node::start(kring, work, "sqlite", sqlite_args).await?;
    let members = populate(plan, single.addr, &[single.addr]).await?;
    measure(plan, &members).await;
    report.sqlite = Latency::of(members.latencies(false));
    let killed = Instant::now();
    single.signal("-KILL").await?;
    single.spawn().await?;
    report.sqlite_restart_ms = (members.back_after(killed).await? - killed).as_millis() as u64;
    members.stop.store(true, Ordering::Relaxed);
    single.signal("-TERM").await?;

    // Two nodes on Postgres.
    let mut a = Node::start(kring, work, "a", pg_args("a")).await?;
    let mut b = Node::start(kring, work, "b", pg_args("b")).await?;
    let members = populate(plan, a.addr, &[a.addr, b.addr]).await?;
    measure(plan, &members).await;
    report.owner = Latency::of(members.latencies(false));
    report.forwarded = Latency::of(members.latencies(true));
    let killed = Instant::now();
    a.signal("-KILL").await?;
    report.failover_ms = (members.back_after(killed).await? - killed).as_millis() as u64;
    a.spawn().await?;
    sleep(Duration::from_secs(1)).await;
    let stopped = Instant::now();
    b.signal("-TERM").await?;
    report.handoff_ms = (members.back_after(stopped).await? - stopped).as_millis() as u64;
    (report.gaps, report.full_views) = members.totals();
    members.stop.store(true, Ordering::Relaxed);
    a.signal("-TERM").await?;
    drop(pg);
    Ok(report)
}

async fn measure(plan: &Plan, members: &Members) {
    // Let every member send a few before counting.
    sleep(plan.every * 2).await;
    members.measuring.store(true, Ordering::Relaxed);
    sleep(plan.window).await;
    members.measuring.store(false, Ordering::Relaxed);
}

/// Creates the rooms on `owner` (whose facilitator claims them) and starts the members: the
/// even ones on `nodes[0]`, the odd ones on the last node (forwarded when it is not the
/// owner).
async fn populate(plan: &Plan, owner: SocketAddr, nodes: &[SocketAddr]) -> anyhow::Result<Members> {
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let mut seen = Vec::new();
    let mut forwarded = Vec::new();
    let counter = Arc::new(AtomicU64::new(0));
    for r in 0..plan.rooms {
        let created = http::create_session(owner, None, &format!("cluster {r}")).await?;
        let mut fac = connect(owner, &created.ws_path).await?;
        let hello = wire::hello(wire::facilitator(created.facilitator_token));
        fac.send(Message::text(hello)).await?;
        let start = wire::command("start", kring_protocol::Command::StartSession {});
        fac.send(Message::text(start)).await?;
        loop {
            match timeout(WELCOME_WITHIN, fac.next()).await {
                Ok(Some(Ok(Message::Text(t)))) if t.contains(r#""id":"start""#) => break,
                Ok(Some(Ok(_))) => {}
                _ => bail!("the facilitator could not start room {r}"),
            }
        }
        let _ = fac.close(None).await;
        for m in 0..plan.members {
            let through = m % 2 == 1 && nodes.len() > 1;
            let mut addrs = nodes.to_vec();
            if through {
                addrs.reverse();
            }
            let out = Arc::new(Mutex::new(Seen::default()));
            tokio::spawn(member(
                addrs,
                created.ws_path.clone(),
                format!("r{r}m{m}"),
                plan.every,
                out.clone(),
                measuring.clone(),
                stop.clone(),
                counter.clone(),
            ));
            seen.push(out);
            forwarded.push(through);
        }
    }
    let members = Members {
        seen,
        forwarded,
        measuring,
        stop,
    };
    members
        .back_after(Instant::now() - Duration::from_secs(3600))
        .await?;
    Ok(members)
}

type Ws = WebSocketStream<TcpStream>;

async fn connect(addr: SocketAddr, path: &str) -> anyhow::Result<Ws> {
    let tcp = timeout(Duration::from_secs(3), TcpStream::connect(addr)).await??;
    tcp.set_nodelay(true)?;
    let (ws, _) = timeout(
        Duration::from_secs(3),
        client_async(format!("ws://{addr}{path}"), tcp),
    )
    .await??;
    Ok(ws)
}

/// One member: joins, submits every `every` and times the ack, resumes after a drop (trying
/// its nodes in turn) with its token and last sequence.
#[allow(clippy::too_many_arguments)]
async fn member(
    addrs: Vec<SocketAddr>,
    path: String,
    name: String,
    every: Duration,
    out: Arc<Mutex<Seen>>,
    measuring: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    counter: Arc<AtomicU64>,
) {
    let mut token: Option<String> = None;
    let mut epoch: Option<Epoch> = None;
    let mut last_seq = 0u64;
    let mut next = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let addr = addrs[next % addrs.len()];
        next += 1;
        let Ok(mut ws) = connect(addr, &path).await else {
            sleep(Duration::from_millis(50)).await;
            continue;
        };
        let join = match &token {
            Some(t) => wire::resume(t.as_str(), epoch, last_seq),
            None => wire::member(name.as_str()),
        };
        if ws.send(Message::text(wire::hello(join))).await.is_err() {
            continue;
        }
        let mut welcomed = false;
        let mut pending: Option<(String, Instant)> = None;
        let mut tick = tokio::time::interval(every);
        let mut heard = Instant::now();
        loop {
            if stop.load(Ordering::Relaxed) {
                let _ = ws.close(None).await;
                return;
            }
            tokio::select! {
                frame = ws.next() => {
                    heard = Instant::now();
                    let text = match frame {
                        Some(Ok(Message::Text(t))) => t,
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                        Some(Ok(_)) => continue,
                    };
                    let Ok(msg) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
                    match msg["type"].as_str() {
                        Some("welcome") => {
                            welcomed = true;
                            if token.is_some() && !msg["view"].is_null() {
                                lock(&out).full_views += 1;
                            }
                            if let Some(t) = msg["resume_token"].as_str() {
                                token = Some(t.to_owned());
                            }
                            epoch = msg["epoch"].as_u64().and_then(|e| Epoch::try_from(e).ok());
                            if !msg["view"].is_null() {
                                last_seq = msg["seq"].as_u64().unwrap_or(0);
                            }
                            let mut o = lock(&out);
                            o.connected = true;
                            o.back = Some(Instant::now());
                        }
                        Some("event") => {
                            let seq = msg["seq"].as_u64().unwrap_or(0);
                            if seq != last_seq + 1 {
                                lock(&out).gaps += 1;
                            }
                            last_seq = seq;
                        }
                        Some("ack") => {
                            if let Some((id, sent)) = &pending
                                && msg["id"].as_str() == Some(id)
                            {
                                if measuring.load(Ordering::Relaxed) {
                                    lock(&out).acks.push(sent.elapsed().as_micros() as u64);
                                }
                                pending = None;
                            }
                        }
                        _ => {}
                    }
                }
                _ = tick.tick() => {
                    if !welcomed {
                        if heard.elapsed() > WELCOME_WITHIN {
                            break;
                        }
                        continue;
                    }
                    // An unacknowledged command is not repeated on the same socket; a new
                    // one goes only once the last was answered.
                    if pending.is_some() {
                        continue;
                    }
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let id = format!("q{n}");
                    let cmd = wire::command(
                        id.as_str(),
                        wire::question(format!("What did you notice then? ({n})")),
                    );
                    pending = Some((id, Instant::now()));
                    if ws.send(Message::text(cmd)).await.is_err() {
                        break;
                    }
                }
            }
        }
        lock(&out).connected = false;
        sleep(Duration::from_millis(20)).await;
    }
}

/// The section of docs/PERFORMANCE.md that reports this scenario.
pub fn markdown(r: &ClusterReport) -> String {
    let row = |label: &str, l: &Latency| {
        format!(
            "| {label} | {} | {:.2} | {:.2} | {:.2} |\n",
            l.samples, l.p50_ms, l.p90_ms, l.p99_ms
        )
    };
    let mut out = String::new();
    out.push_str(&format!(
        "{} rooms of {} members, each member submitting a question every {} ms and timing \
         command to ack; on Postgres half of each room's members connect to the other node, \
         which forwards them to the room's owner. Owner ttl {} ms (the default).\n\n",
        r.rooms, r.members, r.submit_every_ms, r.owner_ttl_ms
    ));
    out.push_str("| connection | acks | p50 ms | p90 ms | p99 ms |\n|---|---:|---:|---:|---:|\n");
    out.push_str(&row("kring on SQLite, one node", &r.sqlite));
    out.push_str(&row("kring on Postgres, to the room's owner", &r.owner));
    out.push_str(&row(
        "kring on Postgres, forwarded by the other node",
        &r.forwarded,
    ));
    out.push_str(&format!(
        "\nThe forward adds {:+.2} ms at the median and {:+.2} ms at p99 (all processes share \
         two cores: at p99 a few milliseconds either way are noise).\n\n",
        r.forwarded.p50_ms - r.owner.p50_ms,
        r.forwarded.p99_ms - r.owner.p99_ms
    ));
    out.push_str("| event | until the last member resumed |\n|---|---:|\n");
    out.push_str(&format!(
        "| SIGKILL of the owner node (rooms taken over after its lease ran out) | {} ms |\n",
        r.failover_ms
    ));
    out.push_str(&format!(
        "| SIGTERM of the owner node (rooms handed over) | {} ms |\n",
        r.handoff_ms
    ));
    out.push_str(&format!(
        "| SIGKILL of the single SQLite node, started again at once | {} ms |\n",
        r.sqlite_restart_ms
    ));
    out.push_str(&format!(
        "\nGaps in any member's events: {}; resumes that needed a full view: {}.\n",
        r.gaps, r.full_views
    ));
    out
}
