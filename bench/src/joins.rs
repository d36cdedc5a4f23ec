//! The join storm: every group starts at nine. All rooms exist (created over HTTP beforehand);
//! then every member of every room connects and says hello at a moment drawn uniformly within
//! a few seconds, open loop, and each one times its hello until the welcome.
//!
//! kring runs with its default limits on messages, submissions and connections opened per
//! address; the limits per address that count the whole load as one host stay lifted (live
//! connections, live sessions and session creation, member joins and failed joins per address):
//! the generator's clients come from a few hundred loopback addresses and create every room
//! from one.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::client::{Client, Ctl, Handle, JoinAs, JoinTimes, RoomState, Shared};
use crate::load;
use crate::procfs::CpuMark;
use crate::server::{AbuseLimits, Launch, Programs, Server, Target};
use crate::suite::log;

/// What to run.
#[derive(Clone, Copy, Debug)]
pub struct JoinPlan {
    pub rooms: usize,
    /// Per room, the facilitator included.
    pub members: usize,
    /// Every member's hello is due at a uniformly drawn moment within this.
    pub within: Duration,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct JoinResult {
    pub target: Option<Target>,
    pub rooms: usize,
    pub members: usize,
    pub planned: usize,
    pub within_s: f64,
    /// Members who got their welcome.
    pub welcomed: usize,
    /// Members who did not, by what stopped them (an error code, or what failed).
    pub refused: BTreeMap<String, u64>,
    /// From sending the hello to the welcome.
    pub hello_p50_ms: f64,
    pub hello_p99_ms: f64,
    pub hello_max_ms: f64,
    /// TCP connect and WebSocket upgrade.
    pub connect_p99_ms: f64,
    /// From the moment the member was due until the welcome (connect included, open loop).
    pub due_p99_ms: f64,
    /// From the first due moment to the last welcome.
    pub span_s: f64,
    pub server_cpu_s: f64,
    pub server_cores: f64,
    pub generator_cores: f64,
    /// How late the generator started joins on average: above a few milliseconds the offered
    /// load was not what was asked.
    pub lag_mean_ms: f64,
    pub valid: bool,
    pub invalid_reason: Option<String>,
    pub error: Option<String>,
}

/// How a failed join is counted: the server's error code when it refused, else what failed.
fn refusal(e: &anyhow::Error) -> String {
    let text = format!("{e:#}");
    if let Some(code) = text.split("join refused: ").nth(1) {
        return code.split_whitespace().next().unwrap_or("?").to_owned();
    }
    text.chars().take(60).collect()
}

fn percentile_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * q) as usize).min(sorted.len() - 1);
    sorted[i].as_secs_f64() * 1000.0
}

pub async fn run(plan: &JoinPlan, programs: &Programs, target: Target) -> JoinResult {
    let JoinPlan {
        rooms,
        members,
        within,
    } = *plan;
    log(format!(
        "join storm: {} with {rooms} rooms x {members} members joining within {:.0} s",
        target.label(),
        within.as_secs_f64()
    ));
    let mut result = JoinResult {
        target: Some(target),
        rooms,
        members,
        planned: rooms * members,
        within_s: within.as_secs_f64(),
        ..JoinResult::default()
    };
    let launch = Launch {
        limits: AbuseLimits::Defaults,
        ..Launch::default()
    };
    let server = match Server::launch(programs, target, launch).await {
        Ok(s) => s,
        Err(e) => {
            result.error = Some(format!("{e:#}"));
            return result;
        }
    };
    if let Err(e) = storm(&server, plan, &mut result).await {
        result.error = Some(format!("{e:#}"));
    }
    log(format!(
        "  {} of {} welcomed, refused {:?}; hello -> welcome p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; due -> welcome p99 {:.1} ms; server {:.2} cores, generator {:.2} cores{}",
        result.welcomed,
        result.planned,
        result.refused,
        result.hello_p50_ms,
        result.hello_p99_ms,
        result.hello_max_ms,
        result.due_p99_ms,
        result.server_cores,
        result.generator_cores,
        result
            .invalid_reason
            .as_ref()
            .map_or(String::new(), |r| format!("  INVALID: {r}"))
    ));
    let _ = server.stop().await;
    result
}

async fn storm(server: &Server, plan: &JoinPlan, result: &mut JoinResult) -> anyhow::Result<()> {
    let shared = Shared::with_tls(server.addr, server.tls.clone());
    let created = load::create_rooms(server, plan.rooms).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let server_mark = CpuMark::now(&server.pid);
    let gen_mark = CpuMark::now("thread-self");
    let start = Instant::now() + Duration::from_millis(100);
    let mut joins = JoinSet::new();
    for created in created {
        let room = RoomState::new(created.ws_path, plan.members);
        for m in 0..plan.members {
            let due = start + plan.within.mul_f64(fastrand::f64());
            let join = if m == 0 {
                JoinAs::Facilitator(created.facilitator_token.clone())
            } else {
                JoinAs::Member(format!("P{m}"))
            };
            let (shared, room) = (shared.clone(), room.clone());
            joins.spawn(async move {
                tokio::time::sleep_until(due).await;
                let lag = Instant::now().saturating_duration_since(due);
                let joined = Client::join_timed(shared, room, join, m == 0, false).await;
                // Stays in the room, reading what the others' joins bring.
                let joined = joined.map(|(client, times)| (client.spawn(), times));
                (due, lag, joined)
            });
        }
    }
    let mut hello = Vec::with_capacity(result.planned);
    let mut connect = Vec::with_capacity(result.planned);
    let mut due_to_welcome = Vec::with_capacity(result.planned);
    let mut lags = Vec::with_capacity(result.planned);
    let mut handles: Vec<Handle> = Vec::with_capacity(result.planned);
    let mut last = start;
    while let Some(joined) = joins.join_next().await {
        let (due, lag, joined) = joined?;
        lags.push(lag);
        match joined {
            Ok((
                handle,
                JoinTimes {
                    connect: c,
                    hello: h,
                },
            )) => {
                let now = Instant::now();
                last = last.max(now);
                hello.push(h);
                connect.push(c);
                due_to_welcome.push(now.saturating_duration_since(due));
                handles.push(handle);
            }
            Err(e) => *result.refused.entry(refusal(&e)).or_default() += 1,
        }
    }
    let (server_cpu, server_cores) = server_mark.since(&server.pid);
    let (_, generator_cores) = gen_mark.since("thread-self");
    for h in &handles {
        let _ = h.tx.send(Ctl::Stop);
    }
    hello.sort_unstable();
    connect.sort_unstable();
    due_to_welcome.sort_unstable();
    result.welcomed = hello.len();
    result.hello_p50_ms = percentile_ms(&hello, 0.50);
    result.hello_p99_ms = percentile_ms(&hello, 0.99);
    result.hello_max_ms = hello.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    result.connect_p99_ms = percentile_ms(&connect, 0.99);
    result.due_p99_ms = percentile_ms(&due_to_welcome, 0.99);
    result.span_s = last.saturating_duration_since(start).as_secs_f64();
    result.server_cpu_s = server_cpu;
    result.server_cores = server_cores;
    result.generator_cores = generator_cores;
    result.lag_mean_ms = if lags.is_empty() {
        0.0
    } else {
        lags.iter().map(Duration::as_secs_f64).sum::<f64>() / lags.len() as f64 * 1000.0
    };
    let reason = if generator_cores > load::GENERATOR_SATURATED {
        Some(format!("generator saturated ({generator_cores:.2} cores)"))
    } else if result.lag_mean_ms > load::SCHEDULER_BEHIND_MS {
        Some(format!(
            "generator behind ({:.1} ms late on average)",
            result.lag_mean_ms
        ))
    } else if result.welcomed == 0 {
        Some("nobody joined".to_owned())
    } else {
        None
    };
    result.valid = reason.is_none();
    result.invalid_reason = reason;
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(handles);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_counted_by_code() {
        let e = anyhow::anyhow!("join refused: room_full").context("member join");
        assert_eq!(refusal(&e), "room_full");
        let e = anyhow::anyhow!("HTTP error: 429 Too Many Requests");
        assert_eq!(refusal(&e), "HTTP error: 429 Too Many Requests");
    }
}
