//! The servers under test, each started as its own process on a fresh port.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use tokio::process::{Child, Command};
use tokio::time::Instant;

use crate::http;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// kring with its durable, embedded SQLite store (the default).
    KringSqlite,
    /// kring with the in-memory store: like for like with the baseline.
    KringMemory,
    /// Node.js with the `ws` package.
    Baseline,
    /// kring with the in-memory store, serving TLS itself (`--tls-cert`).
    KringTls,
}

impl Target {
    /// The servers of the grid.
    pub const ALL: [Target; 3] = [Target::KringSqlite, Target::KringMemory, Target::Baseline];

    pub fn label(self) -> &'static str {
        match self {
            Target::KringSqlite => "kring (sqlite)",
            Target::KringMemory => "kring (memory)",
            Target::Baseline => "node ws",
            Target::KringTls => "kring (memory, TLS)",
        }
    }

    pub fn tls(self) -> bool {
        self == Target::KringTls
    }
}

/// How a server is started; `Launch::default()` is a fresh one with the limits lifted.
pub struct Launch {
    /// Reused when given (sqlite), so a restart finds its rooms.
    pub data_dir: Option<PathBuf>,
    pub port: Option<u16>,
    pub limits: AbuseLimits,
    /// A program kring runs under (`valgrind --tool=callgrind ...`).
    pub wrapper: Vec<String>,
    /// More arguments for kring.
    pub extra: Vec<String>,
    /// Environment variables for the server.
    pub env: Vec<(String, String)>,
    pub ready_within: Duration,
}

impl Default for Launch {
    fn default() -> Self {
        Launch {
            data_dir: None,
            port: None,
            limits: AbuseLimits::Lifted,
            wrapper: Vec::new(),
            extra: Vec::new(),
            env: Vec::new(),
            ready_within: Duration::from_secs(60),
        }
    }
}

/// Which abuse limits a kring under test enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbuseLimits {
    /// Lifted: the load itself sends faster than a person and would be refused.
    Lifted,
    /// kring's defaults for messages per connection, submissions per member and connections
    /// opened per address. Connections and failed joins per address stay lifted: every
    /// simulated client is on loopback.
    Defaults,
}

/// Where the programs are.
#[derive(Clone, Debug)]
pub struct Programs {
    pub kring: PathBuf,
    pub node: String,
    pub baseline: PathBuf,
    /// Scratch space: SQLite data directories and server logs.
    pub work: PathBuf,
}

pub struct Server {
    pub target: Target,
    pub addr: SocketAddr,
    /// For a server that speaks TLS.
    pub tls: Option<tokio_rustls::TlsConnector>,
    pub pid: String,
    child: Child,
    pub started: Instant,
    /// When `/healthz` first answered.
    pub ready: Instant,
    pub data_dir: PathBuf,
    pub log: PathBuf,
}

static NEXT_PORT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);

fn next_port() -> u16 {
    let base = 10_000 + (std::process::id() % 200) as u16 * 100;
    base + NEXT_PORT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 100
}

impl Server {
    /// Starts a server with the abuse limits lifted; `data_dir` (sqlite) is reused when given,
    /// so a restart finds its rooms.
    pub async fn start(
        programs: &Programs,
        target: Target,
        data_dir: Option<&Path>,
        port: Option<u16>,
    ) -> anyhow::Result<Server> {
        let launch = Launch {
            data_dir: data_dir.map(Path::to_path_buf),
            port,
            ..Launch::default()
        };
        Server::launch(programs, target, launch).await
    }

    /// Starts a fresh server with the given abuse limits.
    pub async fn start_with(
        programs: &Programs,
        target: Target,
        limits: AbuseLimits,
    ) -> anyhow::Result<Server> {
        let launch = Launch {
            limits,
            ..Launch::default()
        };
        Server::launch(programs, target, launch).await
    }

    pub async fn launch(
        programs: &Programs,
        target: Target,
        launch: Launch,
    ) -> anyhow::Result<Server> {
        let Launch {
            data_dir,
            port,
            limits,
            wrapper,
            extra,
            env,
            ready_within,
        } = launch;
        let data_dir = data_dir.as_deref();
        let port = port.unwrap_or_else(next_port);
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let stamp = format!("{}-{}", target_slug(target), port);
        let data_dir = data_dir
            .map(Path::to_path_buf)
            .unwrap_or_else(|| programs.work.join(format!("data-{stamp}")));
        let log = programs.work.join(format!("server-{stamp}.log"));
        std::fs::create_dir_all(&programs.work)?;
        let log_file = std::fs::File::create(&log)?;
        let mut cmd = match target {
            Target::KringSqlite | Target::KringMemory | Target::KringTls => {
                let mut cmd = match wrapper.split_first() {
                    Some((program, args)) => {
                        let mut cmd = Command::new(program);
                        cmd.args(args).arg(&programs.kring);
                        cmd
                    }
                    None => Command::new(&programs.kring),
                };
                let store = if target == Target::KringSqlite {
                    "sqlite"
                } else {
                    "memory"
                };
                cmd.args(["--listen", &addr.to_string(), "--store", store])
                    .arg("--data-dir")
                    .arg(&data_dir)
                    .args(["--log", "info"])
                    .args(["--max-connections", &websocket_cap().to_string()])
                    .args(["--max-http-connections", &BENCH_HTTP_CAP.to_string()])
                    .args(["--room-unload", "1h"])
                    // Every simulated client comes from loopback: counted per address, the
                    // whole load would look like one abusive host.
                    .args(["--max-connections-per-ip", "100000"])
                    .args(["--join-attempts", "1000000/1s"])
                    // The generator creates every room from one address.
                    .args(["--create-limit", "1000000/1s"])
                    .args(["--max-live-sessions-per-ip", "1000000"])
                    // ... and joins every member from it, and reads for all of them.
                    .args(["--member-joins", "1000000/1s"])
                    .args(["--address-queue-bytes", "1000000GiB"])
                    .env("NO_COLOR", "1");
                match limits {
                    AbuseLimits::Lifted => {
                        cmd.args(["--submit-limit", "1000000/1s"])
                            .args(["--message-rate", "1000000/1s"])
                            .args(["--message-burst", "1000000"])
                            .args(["--connect-limit", "1000000/1s"]);
                    }
                    // kring's default for connections opened per address: the flooding
                    // clients share one address, the quiet ones are spread over others.
                    AbuseLimits::Defaults => {}
                }
                if target == Target::KringTls {
                    let (cert, key) = crate::tls::files(&programs.work)?;
                    cmd.arg("--tls-cert").arg(cert).arg("--tls-key").arg(key);
                }
                cmd.args(&extra);
                cmd
            }
            Target::Baseline => {
                let mut cmd = Command::new(&programs.node);
                cmd.arg(programs.baseline.join("server.js"))
                    .args(["--port", &port.to_string()])
                    .args(["--protocol", &kring_protocol::PROTOCOL_VERSION.to_string()]);
                cmd
            }
        };
        cmd.envs(env);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .kill_on_drop(true);
        let started = Instant::now();
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", target.label()))?;
        let pid = child.id().context("server exited at once")?.to_string();
        let tls = match target.tls() {
            true => Some(crate::tls::connector(&programs.work)?),
            false => None,
        };
        let mut server = Server {
            target,
            addr,
            tls,
            pid,
            child,
            started,
            ready: started,
            data_dir,
            log,
        };
        server.wait_ready(ready_within).await?;
        Ok(server)
    }

    async fn wait_ready(&mut self, limit: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + limit;
        loop {
            if http::healthy(self.addr, self.tls.as_ref()).await {
                self.ready = Instant::now();
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                bail!(
                    "{} exited with {status}; see {}",
                    self.target.label(),
                    self.log.display()
                );
            }
            if Instant::now() >= deadline {
                bail!("{} did not become ready", self.target.label());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the server the way an operator would (SIGTERM), then kills it if it lingers.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid])
            .status()
            .await;
        if tokio::time::timeout(Duration::from_secs(15), self.child.wait())
            .await
            .is_err()
        {
            self.child.kill().await?;
        }
        Ok(())
    }

    pub fn rss(&self) -> u64 {
        crate::procfs::rss_bytes(&self.pid).unwrap_or(0)
    }

    /// The server's own "rooms restored" line, if it logged one (kring at start-up).
    pub fn restored_ms(&self) -> Option<u64> {
        let log = std::fs::read_to_string(&self.log).ok()?;
        let line = log.lines().find(|l| l.contains("rooms restored"))?;
        let ms = line.split(" ms=").nth(1)?;
        ms.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
    }
}

fn target_slug(target: Target) -> &'static str {
    match target {
        Target::KringSqlite => "sqlite",
        Target::KringMemory => "memory",
        Target::Baseline => "node",
        Target::KringTls => "tls",
    }
}

/// The HTTP connections kring may hold during a run: the generator's requests are few (at most
/// 48 at once, none kept idle). Small, because it comes off the WebSocket cap below: at 1024 a
/// host whose hard limit is 20,000 could not hold the grid's 19,200 connections.
const BENCH_HTTP_CAP: u64 = 256;

/// As many WebSockets as kring can hold open here (at most 100,000): kring raises its soft
/// limit on open files to the hard one and refuses to start when explicit caps do not fit in it
/// (caps + HTTP cap + 64 spare), and hard limits differ between machines (20,000 on some CI
/// hosts, a million on others).
pub fn websocket_cap() -> u64 {
    hard_open_files()
        .saturating_sub(BENCH_HTTP_CAP + 64 + 64)
        .clamp(1, 100_000)
}

/// The hard limit on open files, read from `/proc/self/limits` (the child inherits it).
fn hard_open_files() -> u64 {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let hard = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .and_then(|line| line.split_whitespace().nth(4));
    match hard {
        Some("unlimited") => u64::MAX,
        Some(n) => n.parse().unwrap_or(1024),
        None => 1024,
    }
}
