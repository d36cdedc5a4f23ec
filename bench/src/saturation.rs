//! Durable saturation: how many events a second the SQLite store commits when every room
//! appends as fast as its commits return. Runs the server's `store_load` example (a release
//! build beside the server's binary) on the work directory, a real disk, with the store as the
//! server opens it (`synchronous=FULL`).

use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use tokio::process::Command;

use crate::server::Programs;
use crate::suite::log;

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct SaturationResult {
    pub rooms: usize,
    #[serde(default)]
    pub seconds: f64,
    #[serde(default)]
    pub events_per_s: f64,
    #[serde(default)]
    pub commits_per_s: f64,
    #[serde(default)]
    pub events_per_commit: f64,
    #[serde(default)]
    pub commit_p50_ms: f64,
    #[serde(default)]
    pub commit_p99_ms: f64,
    /// CPU time of the whole process (store and the rooms' tasks) per event.
    #[serde(default)]
    pub cpu_us_per_event: f64,
    #[serde(default)]
    pub cores: f64,
    #[serde(default)]
    pub error: Option<String>,
}

/// `store_load` beside the server's binary (`target/release/examples/store_load`).
pub fn program(kring: &Path) -> std::path::PathBuf {
    kring
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("examples")
        .join("store_load")
}

pub async fn run(programs: &Programs, rooms: usize, secs: u64) -> SaturationResult {
    log(format!(
        "durable saturation: the SQLite store with {rooms} rooms appending as fast as their commits return, {secs} s"
    ));
    let result = match measure(programs, rooms, secs).await {
        Ok(r) => r,
        Err(e) => SaturationResult {
            rooms,
            error: Some(format!("{e:#}")),
            ..SaturationResult::default()
        },
    };
    log(format!(
        "  {:.0} events/s, {:.0} commits/s ({:.1} events each), commit p50 {:.2} ms, p99 {:.2} ms, {:.1} us CPU per event{}",
        result.events_per_s,
        result.commits_per_s,
        result.events_per_commit,
        result.commit_p50_ms,
        result.commit_p99_ms,
        result.cpu_us_per_event,
        result
            .error
            .as_ref()
            .map_or(String::new(), |e| format!("  ERROR: {e}"))
    ));
    result
}

async fn measure(programs: &Programs, rooms: usize, secs: u64) -> anyhow::Result<SaturationResult> {
    let program = program(&programs.kring);
    std::fs::create_dir_all(&programs.work)?;
    let out = Command::new(&program)
        .args([&rooms.to_string(), &secs.to_string(), "0"])
        .arg(&programs.work)
        .arg("--json")
        .stdin(Stdio::null())
        .output()
        .await
        .with_context(|| {
            format!(
                "running {} (cargo build --release -p kring-server --example store_load)",
                program.display()
            )
        })?;
    if !out.status.success() {
        bail!(
            "{} exited with {}: {}",
            program.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .context("store_load printed no JSON")?;
    Ok(serde_json::from_str(line)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_load_output_is_read() {
        let line = r#"{"rooms":20,"rate":0.0,"seconds":2.0,"events_per_s":41000.5,"commits_per_s":300.0,"events_per_commit":136.0,"commit_p50_ms":1.5,"commit_p99_ms":9.0,"commit_max_ms":12.0,"cpu_us_per_event":20.0,"cores":0.8,"bytes_written_per_event":500.0,"purged_rooms":10,"purge_ms":40.0,"db_mb":3.0}"#;
        let r: SaturationResult = serde_json::from_str(line).expect("store_load JSON");
        assert_eq!(r.rooms, 20);
        assert_eq!(r.events_per_s, 41000.5);
        assert!(r.error.is_none());
        assert_eq!(
            program(Path::new("target/release/kring")),
            Path::new("target/release/examples/store_load")
        );
    }
}
