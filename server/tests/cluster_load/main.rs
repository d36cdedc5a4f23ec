//! Three kring nodes on PostgreSQL behind HAProxy (its configuration from docs/DEPLOY.md),
//! 200 rooms of 5 members submitting at a steady rate, and everything that can happen to a
//! node or the database while they do, one after the other on the same cluster:
//!
//! 1. a node is killed (SIGKILL): its rooms are taken over once its lease runs out; every
//!    client is back, gap-free, within 15 s; every acknowledged item survives exactly once;
//! 2. a node is frozen (SIGSTOP) for longer than its lease: other nodes take its rooms; when
//!    it thaws (SIGCONT) its appends are refused (counted), it drops those rooms' sockets, and
//!    no room ever has two histories;
//! 3. every node is restarted in turn (SIGTERM, start): no acknowledged item is lost, no
//!    session ends;
//! 4. Postgres is restarted: rooms refuse commands with a retry code while it is away, nodes
//!    reconnect, nothing acknowledged is lost.
//!
//! Then the journal is read from the database and compared with what every member saw. The
//! measured times are printed and written to `cluster_load_report.txt` in the test target's
//! temporary directory (`scripts/test.sh` shows it). A smaller run through nginx checks its
//! documented configuration the same way.

#![allow(clippy::unwrap_used)]

#[path = "../../../tests/support/http.rs"]
mod http_client;
#[path = "../../../tests/support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

mod balancer;
mod members;
mod nodes;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use kring_protocol::*;
use sqlx::{Connection, Row};
use tokio::time::{Instant, sleep, timeout};
use tokio_tungstenite::tungstenite::Message;

use balancer::Balancer;
use members::{Member, Record};
use nodes::Node;
use postgres::Postgres;

const ROOMS: usize = 200;
const MEMBERS: usize = 5;
/// Each member submits this often: 200 submissions a second in all.
const EVERY: Duration = Duration::from_secs(5);
/// kring's default.
const OWNER_TTL: Duration = Duration::from_secs(6);

fn node_args(db: &str) -> Vec<String> {
    [
        "--store",
        db,
        // The balancer passes the client's address on (X-Forwarded-For, docs/DEPLOY.md), as
        // every node is told to trust it; the test's clients all come from 127.0.0.1 too.
        "--trusted-proxies",
        "127.0.0.1",
        "--max-live-sessions-per-ip",
        "100000",
        "--max-http-connections-per-ip",
        "100000",
        "--max-connections-per-ip",
        "100000",
        "--connect-limit",
        "100000/1m",
        "--join-attempts",
        "100000/1m",
        "--create-limit",
        "100000/1h",
        "--log",
        // Claims too, for the report when something goes wrong.
        "warn,kring_server::hub=info",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

struct Cluster {
    pg: Postgres,
    db: String,
    nodes: Vec<Node>,
    lb: Balancer,
    members: Vec<Member>,
    stop: Arc<AtomicBool>,
    report: String,
}

impl Cluster {
    /// Stops the members and waits until each has closed its socket. Until then a member can
    /// still record an event (a frame already on its way, a command it sent again after a
    /// failover), so the journal must only be read after this: reading it earlier once made
    /// four members' last event look like a second history.
    async fn stop_members(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for member in &mut self.members {
            timeout(Duration::from_secs(30), &mut member.task)
                .await
                .expect("a member stops within 30 s of being told")
                .expect("a member's task does not panic");
        }
    }

    fn records(&self) -> Vec<std::sync::MutexGuard<'_, Record>> {
        self.members
            .iter()
            .map(|m| m.record.lock().unwrap())
            .collect()
    }

    /// Waits until every member is connected; returns the latest end of an outage that began
    /// at or after `since`.
    async fn all_back(&self, since: Instant, limit: Duration) -> Option<Instant> {
        let deadline = Instant::now() + limit;
        loop {
            let (back, latest) = {
                let records = self.records();
                let back = records.iter().all(|r| r.connected && r.lost_at.is_none());
                let latest = records
                    .iter()
                    .flat_map(|r| r.outages.iter())
                    .filter(|(lost, _)| *lost >= since)
                    .map(|(_, back)| *back)
                    .max();
                (back, latest)
            };
            if back {
                return latest;
            }
            if Instant::now() > deadline {
                let away: Vec<String> = self
                    .records()
                    .iter()
                    .filter(|r| !r.connected)
                    .map(|r| {
                        let attempts: Vec<(i128, &str)> = r
                            .attempts
                            .iter()
                            .rev()
                            .take(12)
                            .map(|(at, what)| (at.duration_since(since).as_millis() as i128, *what))
                            .collect();
                        format!(
                            "{} in {}: closes {:?}, last attempts (ms after the event, newest first) {attempts:?}",
                            r.name, r.room, r.closes
                        )
                    })
                    .take(10)
                    .collect();
                let rooms: HashSet<String> = self
                    .records()
                    .iter()
                    .filter(|r| !r.connected)
                    .map(|r| r.room.clone())
                    .collect();
                for node in &self.nodes {
                    for line in node
                        .output()
                        .lines()
                        .filter(|l| rooms.iter().any(|room| l.contains(room.as_str())))
                    {
                        eprintln!("{}: {line}", node.name);
                    }
                }
                panic!("members still away after {limit:?}: {away:#?}");
            }
            sleep(Duration::from_millis(50)).await;
        }
    }

    /// Command-to-ack latencies of commands first sent in `[from, to)`, sorted.
    fn latencies(&self, from: Instant, to: Instant) -> Vec<Duration> {
        let mut all: Vec<Duration> = self
            .records()
            .iter()
            .flat_map(|r| r.acked.iter())
            .filter(|(_, sent, _)| *sent >= from && *sent < to)
            .map(|(_, sent, acked)| *acked - *sent)
            .collect();
        all.sort();
        all
    }

    /// What the members back later than `after` did meanwhile, for a failure report.
    fn explain_late(&self, since: Instant, after: Duration) -> String {
        let mut out = String::new();
        for r in self.records().iter() {
            for (lost, back) in &r.outages {
                if *lost >= since && *back - since > after {
                    let attempts: Vec<(u128, &str)> = r
                        .attempts
                        .iter()
                        .filter(|(at, _)| *at >= since)
                        .map(|(at, what)| (ms(*at - since), *what))
                        .collect();
                    let errors: Vec<(u128, ErrorCode)> = r
                        .errors
                        .iter()
                        .filter(|(at, _)| *at >= since)
                        .map(|(at, code)| (ms(*at - since), *code))
                        .collect();
                    let _ = writeln!(
                        out,
                        "{} in {}: back after {} ms; attempts {attempts:?}; errors {errors:?}; closes {:?}",
                        r.name,
                        r.room,
                        ms(*back - since),
                        r.closes
                    );
                }
            }
        }
        let rooms: HashSet<String> = out
            .lines()
            .filter_map(|l| Some(l.split(" in ").nth(1)?.split(':').next()?.to_owned()))
            .collect();
        for node in &self.nodes {
            for line in node
                .output()
                .lines()
                .filter(|l| rooms.iter().any(|room| l.contains(room.as_str())))
            {
                let _ = writeln!(out, "{}: {line}", node.name);
            }
        }
        out
    }

    /// When the outages that began at or after `since` ended, counted from `since`, sorted.
    fn outage_ends(&self, since: Instant) -> Vec<Duration> {
        let mut ends: Vec<Duration> = self
            .records()
            .iter()
            .flat_map(|r| r.outages.iter())
            .filter(|(lost, _)| *lost >= since)
            .map(|(_, back)| *back - since)
            .collect();
        ends.sort();
        ends
    }

    fn acked_count(&self) -> usize {
        self.records().iter().map(|r| r.acked.len()).sum()
    }

    /// Keeps the nodes' logs beside the report (for when a run goes wrong).
    fn save_logs(&self) {
        for node in &self.nodes {
            let path = format!(
                "{}/cluster_load_{}.log",
                env!("CARGO_TARGET_TMPDIR"),
                node.name
            );
            let _ = std::fs::write(path, node.output());
        }
    }

    fn line(&mut self, text: String) {
        self.save_logs();
        eprintln!("{text}");
        let _ = writeln!(self.report, "{text}");
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

/// Creates a session through the balancer and starts it (the facilitator leaves again).
async fn start_session(lb: &str) -> SessionCreated {
    let http = http_client::client();
    let session: SessionCreated = http
        .post(format!("http://{lb}/api/sessions"))
        .json(&serde_json::json!({"method": "basic", "title": "Load", "language": "en"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = session.code.replace('-', "");
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{lb}/ws/{code}"))
        .await
        .unwrap();
    let send = |msg: ClientMsg| Message::text(serde_json::to_string(&msg).unwrap());
    ws.send(send(ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        join: Join::Facilitator {
            token: session.facilitator_token.clone(),
            name: "Facilitator".into(),
        },
    }))
    .await
    .unwrap();
    ws.send(send(ClientMsg::Command(CommandEnvelope {
        id: "start".into(),
        phase: None,
        command: Command::StartSession {},
    })))
    .await
    .unwrap();
    while let Some(Ok(frame)) = ws.next().await {
        if let Message::Text(text) = frame
            && let Ok(ServerMsg::Ack(ack)) = serde_json::from_str::<ServerMsg>(&text)
            && ack.id == "start"
        {
            break;
        }
    }
    let _ = ws
        .send(Message::text(
            serde_json::to_string(&ClientMsg::Leave {}).unwrap(),
        ))
        .await;
    session
}

/// The two tests of this binary share the machine badly: one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[derive(Clone, Copy)]
enum Lb {
    HaProxy,
    Nginx,
}

async fn setup(lb: Lb, rooms: usize) -> Cluster {
    let pg = Postgres::start();
    pg.psql("postgres", "CREATE DATABASE load");
    let db = pg.url("load");
    let mut nodes = Vec::new();
    for name in ["kring1", "kring2", "kring3"] {
        nodes.push(Node::start(name, node_args(&db)).await);
    }
    let ports: Vec<u16> = nodes.iter().map(|n| n.port).collect();
    let lb = match lb {
        Lb::HaProxy => Balancer::haproxy(&ports).await,
        Lb::Nginx => Balancer::nginx(&ports).await,
    };
    let addr = lb.addr();
    let mut codes = Vec::new();
    for chunk in (0..rooms).collect::<Vec<_>>().chunks(20) {
        let created: Vec<_> = chunk
            .iter()
            .map(|_| tokio::spawn(start_session_owned(addr.clone())))
            .collect();
        for task in created {
            codes.push(task.await.unwrap().code.replace('-', ""));
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut members = Vec::new();
    for (r, code) in codes.iter().enumerate() {
        for m in 0..MEMBERS {
            let i = r * MEMBERS + m;
            let offset = EVERY.mul_f64(i as f64 / (rooms * MEMBERS) as f64);
            members.push(members::spawn(
                addr.clone(),
                code.clone(),
                format!("r{r}m{m}"),
                EVERY,
                offset,
                stop.clone(),
            ));
        }
    }
    let cluster = Cluster {
        pg,
        db,
        nodes,
        lb,
        members,
        stop,
        report: String::new(),
    };
    cluster
        .all_back(Instant::now(), Duration::from_secs(60))
        .await;
    cluster
}

async fn start_session_owned(lb: String) -> SessionCreated {
    start_session(&lb).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_keeps_every_session_through_kills_freezes_restarts_and_a_database_restart() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let started = Instant::now();
    let mut c = setup(Lb::HaProxy, ROOMS).await;
    c.line(format!(
        "cluster: 3 nodes, HAProxy, {ROOMS} rooms x {MEMBERS} members, one submission per member every {EVERY:?} ({} per second), owner ttl {OWNER_TTL:?}; set up in {:.1} s",
        (ROOMS * MEMBERS) as u64 / EVERY.as_secs(),
        started.elapsed().as_secs_f64()
    ));
    sleep(Duration::from_secs(5)).await;
    let steady_from = Instant::now() - Duration::from_secs(5);
    let steady = c.latencies(steady_from, Instant::now());
    c.line(format!(
        "steady state: {} acks in 5 s, command-to-ack p50 {} ms, p99 {} ms",
        steady.len(),
        ms(pct(&steady, 0.5)),
        ms(pct(&steady, 0.99))
    ));
    assert!(!steady.is_empty(), "members make progress");

    // 1. SIGKILL.
    let owned = c.nodes[0].metric("kring_rooms_owned").await;
    let killed_at = Instant::now();
    c.nodes[0].kill();
    let back = c.all_back(killed_at, Duration::from_secs(30)).await;
    let failover = back.map_or(Duration::ZERO, |b| b - killed_at);
    let ends = c.outage_ends(killed_at);
    c.line(format!(
        "1. SIGKILL of a node serving {owned} rooms: {} clients resumed elsewhere; after the kill half were back within {} ms, 90% within {} ms, the last after {} ms",
        ends.len(),
        ms(pct(&ends, 0.5)),
        ms(pct(&ends, 0.9)),
        ms(failover)
    ));
    assert!(owned > 0, "the killed node served rooms");
    assert!(
        failover <= Duration::from_secs(15),
        "clients back within 15 s of the kill, took {failover:?}:\n{}",
        c.explain_late(killed_at, Duration::from_secs(12))
    );
    c.nodes[0].restart().await;
    sleep(Duration::from_secs(3)).await;

    // 2. SIGSTOP for longer than the lease, then SIGCONT.
    let owned = c.nodes[1].metric("kring_rooms_owned").await;
    let frozen_at = Instant::now();
    c.nodes[1].freeze();
    sleep(OWNER_TTL + Duration::from_secs(4)).await;
    let back = c.all_back(frozen_at, Duration::from_secs(30)).await;
    let moved = back.map_or(Duration::ZERO, |b| b - frozen_at);
    c.nodes[1].thaw();
    let thawed_at = Instant::now();
    let mut dropped = None;
    while thawed_at.elapsed() < Duration::from_secs(20) {
        if c.nodes[1].metric("kring_rooms_owned").await == 0 {
            dropped = Some(thawed_at.elapsed());
            break;
        }
        sleep(Duration::from_millis(100)).await;
    }
    let fenced = c.nodes[1].metric("kring_fenced_appends_total").await;
    let lapses = c.nodes[1].metric("kring_lease_lapses_total").await;
    c.line(format!(
        "2. SIGSTOP of a node serving {owned} rooms for {:?}: clients resumed elsewhere {} ms after the stop; after SIGCONT it dropped all its rooms within {} ms, {fenced} appends refused as fenced, {lapses} lease lapse(s)",
        OWNER_TTL + Duration::from_secs(4),
        ms(moved),
        dropped.map_or(u128::MAX, ms)
    ));
    assert!(owned > 0, "the frozen node served rooms");
    assert!(
        dropped.is_some(),
        "the thawed node let go of the rooms it lost"
    );
    assert!(fenced > 0, "its appends were refused");
    sleep(Duration::from_secs(3)).await;

    // 3. Rolling restart under load.
    let roll_from = Instant::now();
    let roll_wall = std::time::SystemTime::now();
    let mut handoffs = 0;
    for i in 0..c.nodes.len() {
        c.nodes[i].terminate();
        c.nodes[i].restart().await;
        // The balancer's health check takes the node back (rise 2, every second).
        sleep(Duration::from_secs(3)).await;
        handoffs += 1;
    }
    let roll_to = Instant::now();
    c.all_back(roll_from, Duration::from_secs(30)).await;
    let during = c.latencies(roll_from, roll_to);
    let outages: Vec<Duration> = c
        .records()
        .iter()
        .flat_map(|r| r.outages.iter())
        .filter(|(lost, _)| *lost >= roll_from)
        .map(|(lost, back)| *back - *lost)
        .collect();
    c.line(format!(
        "3. rolling restart of {handoffs} nodes in {:.1} s: {} acks, command-to-ack p50 {} ms, p99 {} ms, max {} ms; {} reconnects, longest {} ms",
        (roll_to - roll_from).as_secs_f64(),
        during.len(),
        ms(pct(&during, 0.5)),
        ms(pct(&during, 0.99)),
        ms(pct(&during, 1.0)),
        outages.len(),
        outages.iter().max().map_or(0, |d| ms(*d))
    ));
    assert!(!during.is_empty(), "progress during the roll");
    eprintln!(
        "roll began at {:?}\n{}",
        roll_wall
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default(),
        c.explain_late(roll_from, Duration::from_secs(5))
    );

    // 4. Postgres restarted under load.
    let acked_before = c.acked_count();
    let pg_from = Instant::now();
    c.pg.stop();
    sleep(Duration::from_secs(3)).await;
    c.pg.start_again();
    let pg_back = Instant::now();
    let mut healthy = Duration::ZERO;
    for node in &c.nodes {
        node.wait_healthy().await;
        healthy = healthy.max(pg_back.elapsed());
    }
    // Every member has an acknowledgement for a command sent after the database came back.
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let waiting = c
            .records()
            .iter()
            .filter(|r| !r.acked.iter().any(|(_, sent, _)| *sent >= pg_back))
            .count();
        if waiting == 0 {
            break;
        }
        if Instant::now() > deadline {
            let stuck: Vec<String> = c
                .records()
                .iter()
                .filter(|r| !r.acked.iter().any(|(_, sent, _)| *sent >= pg_back))
                .map(|r| {
                    let errors: Vec<_> = r
                        .errors
                        .iter()
                        .filter(|(at, _)| *at >= pg_from)
                        .map(|(at, code)| (ms(*at - pg_from), *code))
                        .collect();
                    format!(
                        "{} in {}: connected {}, pending {:?}, closes {:?}, errors since {:?}",
                        r.name, r.room, r.connected, r.pending, r.closes, errors
                    )
                })
                .collect();
            for node in &c.nodes {
                eprintln!("--- {}:\n{}", node.name, node.output());
            }
            panic!("{waiting} members made no progress after the database came back: {stuck:#?}");
        }
        sleep(Duration::from_millis(200)).await;
    }
    let refused = c
        .records()
        .iter()
        .flat_map(|r| r.errors.iter())
        .filter(|(at, code)| *at >= pg_from && *code == ErrorCode::StoreUnavailable)
        .count();
    c.line(format!(
        "4. Postgres down for 3 s: {refused} commands refused with store_unavailable meanwhile; nodes healthy {} ms after it was back; every member acknowledged again {} ms after; {} acks before, {} after",
        ms(healthy),
        ms(pg_back.elapsed()),
        acked_before,
        c.acked_count()
    ));
    assert!(
        refused > 0,
        "commands were refused with a retry code while it was away"
    );

    c.stop_members().await;
    verify(&mut c).await;
    let path = concat!(env!("CARGO_TARGET_TMPDIR"), "/cluster_load_report.txt");
    std::fs::write(path, &c.report).unwrap();
    drop(c.lb);
}

/// nginx's documented configuration: a room's members all reach one node (nothing is
/// forwarded), and when that node is killed they come back on another, losing nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_as_documented_keeps_a_room_on_one_node_and_fails_over() {
    let _alone = ONE_AT_A_TIME.lock().await;
    const NGINX_ROOMS: usize = 20;
    let mut c = setup(Lb::Nginx, NGINX_ROOMS).await;
    sleep(Duration::from_secs(3)).await;
    let mut owned = Vec::new();
    let mut forwarded = 0;
    for node in &c.nodes {
        owned.push(node.metric("kring_rooms_owned").await);
        forwarded += node.metric("kring_forwarded_connections_total").await;
    }
    assert_eq!(owned.iter().sum::<u64>(), NGINX_ROOMS as u64, "{owned:?}");
    assert_eq!(forwarded, 0, "nginx sent every member to its room's node");
    let busiest = (0..owned.len()).max_by_key(|i| owned[*i]).unwrap();
    let killed_at = Instant::now();
    c.nodes[busiest].kill();
    let back = c.all_back(killed_at, Duration::from_secs(30)).await;
    let failover = back.map_or(Duration::ZERO, |b| b - killed_at);
    c.line(format!(
        "nginx: {NGINX_ROOMS} rooms x {MEMBERS}, all of a room on one node; SIGKILL of a node serving {} rooms: last client resumed {} ms after the kill",
        owned[busiest],
        ms(failover)
    ));
    assert!(failover <= Duration::from_secs(15), "took {failover:?}");
    sleep(Duration::from_secs(2)).await;
    c.stop_members().await;
    verify(&mut c).await;
    let path = concat!(
        env!("CARGO_TARGET_TMPDIR"),
        "/cluster_load_nginx_report.txt"
    );
    std::fs::write(path, &c.report).unwrap();
}

/// The journal, read from the database, against what every member saw and was told.
async fn verify(c: &mut Cluster) {
    let mut conn = sqlx::PgConnection::connect(&c.db).await.unwrap();
    let rows = sqlx::query("SELECT room, seq, kind, json FROM events ORDER BY room, seq")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let mut journal: HashMap<String, Vec<(i64, String, Option<String>)>> = HashMap::new();
    let mut texts: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let room: String = row.get(0);
        let seq: i64 = row.get(1);
        let kind: String = row.get(2);
        let json: String = row.get(3);
        let text = match serde_json::from_str::<Event>(&json).unwrap() {
            Event::ItemAdded { item } => item.text.map(String::from),
            _ => None,
        };
        if let Some(text) = &text {
            *texts.entry(text.clone()).or_default() += 1;
        }
        let events = journal.entry(room.clone()).or_default();
        assert_eq!(seq, events.len() as i64 + 1, "room {room}: journal gap");
        events.push((seq, kind, text));
    }
    conn.close().await.unwrap();

    let records = c.records();
    let mut acked = 0;
    let mut seen_events = 0;
    let mut problems = Vec::new();
    let mut acked_texts = HashSet::new();
    for r in &records {
        if !r.gaps.is_empty() {
            problems.push(format!("{}: gaps {:?}", r.name, r.gaps));
        }
        if r.full_views > 0 {
            problems.push(format!(
                "{}: {} full views after resuming",
                r.name, r.full_views
            ));
        }
        if !r.fatal.is_empty() {
            problems.push(format!("{}: session ended for it: {:?}", r.name, r.fatal));
        }
        let room = journal.get(&r.room).map(Vec::as_slice).unwrap_or(&[]);
        for (seq, kind, text) in &r.events {
            seen_events += 1;
            match room.get(*seq as usize - 1) {
                Some((_, k, t)) if k == kind && t == text => {}
                other => problems.push(format!(
                    "{}: saw #{seq} {kind} {text:?}, the journal has {other:?} (two histories)",
                    r.name
                )),
            }
        }
        for (text, _, _) in &r.acked {
            acked += 1;
            acked_texts.insert(text.clone());
            if texts.get(text) != Some(&1) {
                problems.push(format!(
                    "acknowledged {text} is in the journal {:?} times",
                    texts.get(text)
                ));
            }
        }
    }
    for (text, n) in &texts {
        if *n != 1 {
            problems.push(format!("{text} recorded {n} times"));
        }
    }
    drop(records);
    c.line(format!(
        "verified: {acked} acknowledged submissions each exactly once in the journal of {} rooms; {seen_events} events seen by members all match it; {} unacknowledged submissions recorded",
        journal.len(),
        texts.len() - acked_texts.len().min(texts.len())
    ));
    assert!(
        problems.is_empty(),
        "{} problems: {:#?}",
        problems.len(),
        &problems[..problems.len().min(20)]
    );
}
