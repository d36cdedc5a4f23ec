//! Load on a store as rooms put it there: each room appends one event at a time and waits for
//! the commit before the next (ack after commit), all rooms at once.
//!
//! ```text
//! cargo run --release -p kring-server --example store_load -- [rooms] [seconds] [rate] [dir | postgres://...] [--json]
//! ```
//! Defaults: 200 rooms, 10 seconds, rate 0 (each room appends as fast as its commits return;
//! a rate of N paces each room to N events per second, as a real session would), and SQLite in
//! a temporary directory beside the current one (a real disk, not tmpfs, so fsync costs what
//! it costs). A `postgres://` URL instead of a directory loads that database (an empty one:
//! the run creates its rooms there). Each append is what a command commits: one event and its
//! client message id. Prints throughput, events per transaction, commit latency percentiles
//! and the process's CPU time per event, then the time a purge of half the rooms takes;
//! `--json` prints the same as one JSON object (the benchmark suite reads it).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kring_protocol::{MemberId, RoomCode};
use kring_server::cluster::{Claim, Placement};
use kring_server::metrics::Metrics;
use kring_server::store::postgres::PgConfig;
use kring_server::store::{
    AppendBatch, Lease, NewRoom, PgStore, SqliteStore, Store, StoredEvent, StoredMsgId,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    args.retain(|a| a != "--json");
    let mut args = args.into_iter();
    let rooms: usize = args.next().map_or(Ok(200), |a| a.parse())?;
    let secs: u64 = args.next().map_or(Ok(10), |a| a.parse())?;
    let rate: f64 = args.next().map_or(Ok(0.0), |a| a.parse())?;
    let target = args.next().unwrap_or_else(|| ".".to_owned());
    let metrics = Arc::new(Metrics::new());
    let mut dir = None;
    let (store, placement): (Arc<dyn Store>, Option<Arc<PgStore>>) =
        if target.starts_with("postgres://") {
            let pg = PgConfig {
                url: target,
                node_name: "store-load".to_owned(),
                node_url: None,
                ttl: Duration::from_secs(10),
            };
            let store = Arc::new(PgStore::open(&pg, metrics.clone()).await?);
            (store.clone(), Some(store))
        } else {
            let tmp = tempfile::Builder::new()
                .prefix("store_load")
                .tempdir_in(PathBuf::from(target))?;
            let store = Arc::new(SqliteStore::open(tmp.path(), metrics.clone()).await?);
            dir = Some(tmp);
            (store, None)
        };
    let mut leases = Vec::with_capacity(rooms);
    for i in 0..rooms {
        store
            .create_room(NewRoom {
                code: code(i),
                params_json: r#"{"method":"incident","title":"load"}"#.to_owned(),
                epoch: 1,
                created_at: 0,
                group: None,
            })
            .await?;
        leases.push(match &placement {
            Some(pg) => match pg.claim(&code(i)).await? {
                Claim::Mine(lease) => lease,
                other => anyhow::bail!("room {i} not claimed: {other:?}"),
            },
            None => Lease::default(),
        });
    }
    let leases = Arc::new(leases);

    let commits_before = metrics.store_commits.get();
    let events_before = metrics.store_batch_events.get();
    let cpu_before = cpu_seconds();
    let written_before = bytes_written();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let tasks: Vec<_> = (0..rooms)
        .map(|i| {
            let store = store.clone();
            let leases = leases.clone();
            tokio::spawn(async move {
                let code = code(i);
                let mut latencies = Vec::new();
                let mut seq = 0;
                let mut pace = (rate > 0.0).then(|| {
                    let period = Duration::from_secs_f64(1.0 / rate);
                    // Rooms start spread over one period, not all on the same tick.
                    let phase = period.mul_f64(i as f64 / rooms as f64);
                    let mut pace =
                        tokio::time::interval_at(tokio::time::Instant::now() + phase, period);
                    pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    pace
                });
                while Instant::now() < deadline {
                    if let Some(pace) = &mut pace {
                        pace.tick().await;
                    }
                    seq += 1;
                    let batch = AppendBatch {
                        room: code.clone(),
                        lease: leases[i].clone(),
                        events: vec![StoredEvent {
                            seq,
                            at: seq,
                            kind: "item_added".into(),
                            json: event_json(seq),
                        }],
                        msg_ids: vec![StoredMsgId {
                            member: MemberId(1 + (seq % 8) as u32),
                            msg_id: format!("c{seq}"),
                            ack_json: format!(r#"{{"type":"ack","id":"c{seq}","seq":{seq}}}"#),
                        }],
                        snapshot: None,
                        ended_at: None,
                        attendance: Vec::new(),
                        carry_json: None,
                        record: None,
                    };
                    let sent = Instant::now();
                    store.append(batch).await?;
                    latencies.push(sent.elapsed());
                }
                anyhow::Ok(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    let written = bytes_written() - written_before;
    let commits = metrics.store_commits.get() - commits_before;
    let events = metrics.store_batch_events.get() - events_before;
    latencies.sort();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        ms(latencies[i])
    };
    let summary = Summary {
        rooms,
        rate,
        seconds: elapsed,
        events_per_s: events as f64 / elapsed,
        commits_per_s: commits as f64 / elapsed,
        events_per_commit: events as f64 / commits.max(1) as f64,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: ms(latencies[latencies.len() - 1]),
        cpu_us_per_event: cpu / events.max(1) as f64 * 1e6,
        cores: cpu / elapsed,
        bytes_per_event: written as f64 / events.max(1) as f64,
    };
    if !json {
        summary.print();
    }

    // Half the rooms end; the purge deletes them, rewrites what held them (SQLite: the file
    // and its WAL; Postgres: the tables).
    let db_bytes = match &dir {
        Some(dir) => {
            std::fs::metadata(dir.path().join("kring.db"))?.len()
                + std::fs::metadata(dir.path().join("kring.db-wal")).map_or(0, |m| m.len())
        }
        None => 0,
    };
    for i in (0..rooms).step_by(2) {
        let code = code(i);
        let last = store
            .load_room(&code)
            .await?
            .and_then(|r| r.events.last().map(|e| e.seq))
            .unwrap_or(0);
        store
            .append(AppendBatch {
                room: code,
                lease: leases[i].clone(),
                events: Vec::new(),
                msg_ids: Vec::new(),
                snapshot: None,
                ended_at: Some(last),
                attendance: Vec::new(),
                carry_json: None,
                record: None,
            })
            .await?;
    }
    // Released first: a purge leaves rooms that a live node serves to that node.
    if let Some(pg) = &placement {
        for (i, lease) in leases.iter().enumerate() {
            pg.release(&code(i), lease).await?;
        }
    }
    let purge_started = Instant::now();
    let purged = store.purge_ended(u64::MAX >> 2, 0).await?;
    let purge_ms = ms(purge_started.elapsed());
    if json {
        println!(
            "{}",
            serde_json::json!({
                "rooms": summary.rooms,
                "rate": summary.rate,
                "seconds": summary.seconds,
                "events_per_s": summary.events_per_s,
                "commits_per_s": summary.commits_per_s,
                "events_per_commit": summary.events_per_commit,
                "commit_p50_ms": summary.p50_ms,
                "commit_p99_ms": summary.p99_ms,
                "commit_max_ms": summary.max_ms,
                "cpu_us_per_event": summary.cpu_us_per_event,
                "cores": summary.cores,
                "bytes_written_per_event": summary.bytes_per_event,
                "purged_rooms": purged.len(),
                "purge_ms": purge_ms,
                "db_mb": db_bytes as f64 / 1e6,
            })
        );
    } else {
        println!(
            "purge of {} rooms     {purge_ms:.0} ms (database was {:.1} MB)",
            purged.len(),
            db_bytes as f64 / 1e6
        );
    }
    store.close().await?;
    Ok(())
}

struct Summary {
    rooms: usize,
    rate: f64,
    seconds: f64,
    events_per_s: f64,
    commits_per_s: f64,
    events_per_commit: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    cpu_us_per_event: f64,
    cores: f64,
    bytes_per_event: f64,
}

impl Summary {
    fn print(&self) {
        println!("rooms                 {}", self.rooms);
        if self.rate > 0.0 {
            println!("offered per room      {} events/s", self.rate);
        }
        println!("duration              {:.1} s", self.seconds);
        println!("events/s              {:.0}", self.events_per_s);
        println!("commits/s             {:.0}", self.commits_per_s);
        println!("events per commit     {:.1}", self.events_per_commit);
        println!("commit latency p50    {:.2} ms", self.p50_ms);
        println!("commit latency p99    {:.2} ms", self.p99_ms);
        println!("commit latency max    {:.2} ms", self.max_ms);
        println!(
            "CPU per event         {:.1} us ({:.2} cores)",
            self.cpu_us_per_event, self.cores
        );
        println!(
            "written per event     {:.0} bytes (WAL and checkpoints)",
            self.bytes_per_event
        );
    }
}

/// Bytes this process has written with system calls (`wchar` of `/proc/self/io`).
fn bytes_written() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|io| {
            io.lines()
                .find_map(|l| l.strip_prefix("wchar: "))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// User and system time of this process so far (`/proc/self/stat`, in clock ticks of 10 ms).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Room `i`'s code: `KRNG` and `i` in five digits of the code alphabet.
fn code(i: usize) -> RoomCode {
    let alphabet = kring_protocol::ROOM_CODE_ALPHABET;
    let mut digits = [0u8; 5];
    let mut n = i;
    for d in digits.iter_mut().rev() {
        *d = alphabet[n % alphabet.len()];
        n /= alphabet.len();
    }
    let typed = format!("KRNG{}", String::from_utf8_lossy(&digits));
    RoomCode::parse(&typed).expect("a room code")
}

/// About 250 bytes, like a question or a piece of advice with its envelope.
fn event_json(seq: u64) -> String {
    let text = "What did you notice in yourself when the client said that? ".repeat(3);
    format!(
        r#"{{"kind":"item_added","item":{{"id":{seq},"kind":"question","author":3,"phase":2,"text":"{}"}}}}"#,
        text.trim_end()
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
