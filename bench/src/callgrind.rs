//! Instruction counts under `valgrind --tool=callgrind`: a measure that does not move with
//! whatever else the machine is doing, so a change can be judged without timing noise.
//!
//! kring runs under callgrind on a fixed small scenario, driven in lock step (one join or one
//! command at a time, each waited for everywhere), so every run does the same work. The
//! counters are zeroed before a phase and dumped after it (`callgrind_control`), which leaves
//! start-up and set-up out:
//!
//! - **join**: members join rooms one after another (upgrade, hello, the durable join event,
//!   the welcome, and the room telling those already in);
//! - **commands**: members send questions in turn; each is decided, committed, broadcast to
//!   every member and acknowledged. Instructions per delivery are this phase's instructions
//!   over the events delivered.
//!
//! The same scenario runs with the in-memory store and with SQLite; the difference per
//! command is what a durable commit costs in instructions (the kernel's part, the `fsync`
//! and the writes, is not counted: callgrind sees user space only).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::process::Command;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

use crate::client::{self, Shared, Ws};
use crate::http;
use crate::server::{Launch, Programs, Server, Target};
use crate::wire;

/// The fixed scenario.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub rooms: usize,
    pub members: usize,
    pub commands: usize,
}

impl Scenario {
    pub fn standard() -> Scenario {
        Scenario {
            rooms: 4,
            members: 8,
            commands: 160,
        }
    }
}

/// Counts of one store.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct StoreCounts {
    pub joins: u64,
    pub join_instructions: u64,
    pub commands: u64,
    pub deliveries: u64,
    pub command_instructions: u64,
}

impl StoreCounts {
    pub fn per_join(&self) -> f64 {
        self.join_instructions as f64 / self.joins.max(1) as f64
    }

    pub fn per_delivery(&self) -> f64 {
        self.command_instructions as f64 / self.deliveries.max(1) as f64
    }

    pub fn per_command(&self) -> f64 {
        self.command_instructions as f64 / self.commands.max(1) as f64
    }
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Counts {
    pub scenario: Scenario,
    pub memory: StoreCounts,
    pub sqlite: StoreCounts,
    /// When measured (Unix seconds).
    pub unix_time: u64,
}

impl Counts {
    /// Instructions per delivery: the in-memory store's (the fan-out itself).
    pub fn per_delivery(&self) -> f64 {
        self.memory.per_delivery()
    }

    /// What the durable store adds to a command, in instructions: one commit each here.
    pub fn per_durable_commit(&self) -> f64 {
        self.sqlite.per_command() - self.memory.per_command()
    }

    pub fn per_join(&self) -> f64 {
        self.memory.per_join()
    }
}

/// Runs the scenario against both stores.
pub async fn measure(programs: &Programs, scenario: &Scenario) -> anyhow::Result<Counts> {
    let memory = run_store(programs, Target::KringMemory, scenario).await?;
    let sqlite = run_store(programs, Target::KringSqlite, scenario).await?;
    Ok(Counts {
        scenario: scenario.clone(),
        memory,
        sqlite,
        unix_time: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    })
}

async fn run_store(
    programs: &Programs,
    target: Target,
    scenario: &Scenario,
) -> anyhow::Result<StoreCounts> {
    let out = programs
        .work
        .join(format!("callgrind-{}.out", target_name(target)));
    // Dumps are numbered from 1 again in every run: an old one must not pass for a new one.
    for old in dumps(&out) {
        std::fs::remove_file(old)?;
    }
    let launch = Launch {
        wrapper: vec![
            "valgrind".into(),
            "--tool=callgrind".into(),
            format!("--callgrind-out-file={}", out.display()),
            // Only totals are read; no per-instruction detail.
            "--dump-instr=no".into(),
        ],
        // No pings or timers in the middle of the measured phases.
        extra: ["--heartbeat", "1h", "--away-after", "2h"]
            .map(String::from)
            .to_vec(),
        // One worker thread: with two, how often a worker spins looking for work to steal
        // depends on timing, and the counts moved by 10% from run to run.
        env: vec![("TOKIO_WORKER_THREADS".into(), "1".into())],
        ready_within: Duration::from_secs(300),
        ..Launch::default()
    };
    crate::suite::log(format!("callgrind: {} under valgrind", target.label()));
    let server = Server::launch(programs, target, launch).await?;
    let result = drive(&server, scenario, &out).await;
    let _ = server.stop().await;
    result
}

async fn drive(server: &Server, scenario: &Scenario, out: &Path) -> anyhow::Result<StoreCounts> {
    let shared = Shared::new(server.addr);
    let mut rooms = Vec::new();
    for r in 0..scenario.rooms {
        rooms.push(http::create_session(server.addr, None, &format!("callgrind {r}")).await?);
    }
    // The facilitators join and start their sessions before anything is counted.
    let mut members: Vec<Vec<Ws>> = Vec::new();
    for room in &rooms {
        let mut ws = client::open(&shared, &room.ws_path, false).await?;
        let hello = wire::hello(wire::facilitator(room.facilitator_token.as_str()));
        ws.send(Message::text(hello)).await?;
        read_until(&mut ws, r#"{"type":"welcome""#).await?;
        let start = wire::command("start", kring_protocol::Command::StartSession {});
        ws.send(Message::text(start)).await?;
        read_until(&mut ws, r#"{"type":"ack""#).await?;
        members.push(vec![ws]);
    }

    // What is done once per process (the advice patterns are compiled on the first
    // submission, buffers grow) happens in a room of its own before anything is counted.
    warm_up(server, &shared).await?;

    let mut counts = StoreCounts::default();
    let pid = &server.pid;
    control(pid, &["--zero"]).await?;
    for (r, room) in rooms.iter().enumerate() {
        for m in 1..scenario.members {
            let mut ws = client::open(&shared, &room.ws_path, false).await?;
            ws.send(Message::text(wire::hello(wire::member(format!("P{m}")))))
                .await?;
            read_until(&mut ws, r#"{"type":"welcome""#).await?;
            // Everyone already in hears of the newcomer before the next one comes.
            for other in members[r].iter_mut() {
                read_until(other, r#""kind":"member_joined""#).await?;
            }
            members[r].push(ws);
            counts.joins += 1;
        }
    }
    counts.join_instructions = dump(pid, out, "join").await?;

    // Presence updates of the last joins are in flight: let them land before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for room in members.iter_mut() {
        for ws in room.iter_mut() {
            drain(ws).await;
        }
    }
    control(pid, &["--zero"]).await?;
    for n in 0..scenario.commands {
        let r = n % scenario.rooms;
        let sender = (n / scenario.rooms) % scenario.members;
        let text = client::question_text_fixed(n as u64);
        let command = wire::command(format!("q{n}"), wire::question(text));
        members[r][sender].send(Message::text(command)).await?;
        for (i, ws) in members[r].iter_mut().enumerate() {
            read_until(ws, r#"{"type":"event""#).await?;
            if i == sender {
                read_until(ws, r#"{"type":"ack""#).await?;
            }
            counts.deliveries += 1;
        }
        counts.commands += 1;
    }
    counts.command_instructions = dump(pid, out, "commands").await?;
    for room in members {
        for mut ws in room {
            let _ = ws.close(None).await;
        }
    }
    Ok(counts)
}

async fn warm_up(server: &Server, shared: &Shared) -> anyhow::Result<()> {
    let room = http::create_session(server.addr, None, "callgrind warm-up").await?;
    let mut facilitator = client::open(shared, &room.ws_path, false).await?;
    let hello = wire::hello(wire::facilitator(room.facilitator_token.as_str()));
    facilitator.send(Message::text(hello)).await?;
    read_until(&mut facilitator, r#"{"type":"welcome""#).await?;
    let start = wire::command("start", kring_protocol::Command::StartSession {});
    facilitator.send(Message::text(start)).await?;
    read_until(&mut facilitator, r#"{"type":"ack""#).await?;
    let mut member = client::open(shared, &room.ws_path, false).await?;
    member
        .send(Message::text(wire::hello(wire::member("Warm"))))
        .await?;
    read_until(&mut member, r#"{"type":"welcome""#).await?;
    for n in 0..4 {
        let command = wire::command(
            format!("w{n}"),
            wire::question(client::question_text_fixed(n)),
        );
        member.send(Message::text(command)).await?;
        read_until(&mut member, r#"{"type":"ack""#).await?;
    }
    let _ = member.close(None).await;
    let _ = facilitator.close(None).await;
    Ok(())
}

/// Reads frames until one that starts with (or, for a `"kind"` marker, contains) `marker`.
async fn read_until(ws: &mut Ws, marker: &str) -> anyhow::Result<()> {
    loop {
        let next = timeout(Duration::from_secs(120), ws.next())
            .await
            .with_context(|| format!("waiting for {marker}"))?;
        match next {
            Some(Ok(Message::Text(text))) => {
                if text.starts_with(marker)
                    || (marker.starts_with(r#""kind""#) && text.contains(marker))
                {
                    return Ok(());
                }
                if text.starts_with(r#"{"type":"error""#) {
                    bail!("refused while waiting for {marker}: {text}");
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
            None => bail!("closed while waiting for {marker}"),
        }
    }
}

/// Reads whatever has arrived, without waiting for more.
async fn drain(ws: &mut Ws) {
    while let Ok(Some(Ok(_))) = timeout(Duration::from_millis(20), ws.next()).await {}
}

/// Runs `callgrind_control` on the server's process.
async fn control(pid: &str, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new("callgrind_control")
        .args(args)
        .arg(pid)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .context("running callgrind_control")?;
    if !status.success() {
        bail!("callgrind_control {args:?} failed: {status}");
    }
    Ok(())
}

/// Dumps the counters since the last zero or dump and returns the instructions in it.
async fn dump(pid: &str, out: &Path, what: &str) -> anyhow::Result<u64> {
    let before = dumps(out);
    control(pid, &["--dump", what]).await?;
    let file = dumps(out)
        .into_iter()
        .find(|f| !before.contains(f))
        .context("callgrind wrote no dump")?;
    let text = std::fs::read_to_string(&file)?;
    instructions(&text).with_context(|| format!("no totals in {}", file.display()))
}

/// The dump files callgrind has written so far (`<out>.<n>`).
fn dumps(out: &Path) -> Vec<PathBuf> {
    let Some(dir) = out.parent() else {
        return Vec::new();
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{name}.")))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `summary:` (or `totals:`) line of a callgrind dump: instructions executed.
pub fn instructions(dump: &str) -> Option<u64> {
    dump.lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

fn target_name(target: Target) -> &'static str {
    match target {
        Target::KringSqlite => "sqlite",
        _ => "memory",
    }
}

/// Whether instructions per delivery grew more than `allowed` (0.10 for 10%) over the
/// committed figure; the message says by how much either way.
pub fn check(committed: &Counts, now: &Counts, allowed: f64) -> Result<String, String> {
    let was = committed.per_delivery();
    let is = now.per_delivery();
    let ratio = is / was.max(1.0);
    let line = format!(
        "instructions per delivery {is:.0} (committed {was:.0}, {:+.1}%), per durable commit {:.0} (committed {:.0}), per join {:.0} (committed {:.0})",
        (ratio - 1.0) * 100.0,
        now.per_durable_commit(),
        committed.per_durable_commit(),
        now.per_join(),
        committed.per_join()
    );
    if committed.scenario != now.scenario {
        return Err(format!("{line}: the scenario changed; commit new figures"));
    }
    if ratio > 1.0 + allowed {
        Err(line)
    } else {
        Ok(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_read_from_a_dump() {
        let dump = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 123456\n";
        assert_eq!(instructions(dump), Some(123_456));
        assert_eq!(instructions("totals: 42\n"), Some(42));
        assert_eq!(instructions("events: Ir\n"), None);
    }

    #[test]
    fn growth_beyond_the_allowance_fails() {
        let counts = |ir: u64| Counts {
            scenario: Scenario::standard(),
            memory: StoreCounts {
                deliveries: 100,
                command_instructions: ir,
                commands: 10,
                ..StoreCounts::default()
            },
            sqlite: StoreCounts::default(),
            unix_time: 0,
        };
        assert!(check(&counts(100_000), &counts(109_000), 0.10).is_ok());
        assert!(check(&counts(100_000), &counts(111_000), 0.10).is_err());
        assert!(check(&counts(100_000), &counts(50_000), 0.10).is_ok());
    }
}
