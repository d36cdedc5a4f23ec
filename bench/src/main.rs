//! `kring-bench`: load generator and benchmark suite for kring.
//!
//! It starts each server under test as its own process (kring with the SQLite store, kring with
//! the in-memory store, and a Node.js `ws` baseline), opens rooms of real WebSocket members
//! against it, drives open-loop Poisson traffic of realistic commands and measures fan-out
//! latency for every recipient, deliveries per second, server CPU per delivery and server
//! memory per connection, with the targets alternating so that they share the machine's
//! noise. See `docs/PERFORMANCE.md`.

mod callgrind;
mod client;
mod cluster;
mod flood;
mod http;
mod joins;
mod load;
mod procfs;
mod report;
mod saturation;
mod server;
mod suite;
mod tls;
mod wire;

/// The throwaway PostgreSQL cluster the tests use, for the cluster scenario.
#[path = "../../tests/support/postgres.rs"]
#[allow(dead_code)]
mod pg;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "kring-bench",
    about = "Benchmark kring against a Node.js ws baseline"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Runs the suite and writes the report.
    Suite {
        /// A short run that checks the machinery (small sizes, a few seconds per server).
        #[arg(long)]
        smoke: bool,
        /// The kring server binary.
        #[arg(long, default_value = "target/release/kring")]
        kring: PathBuf,
        #[arg(long, default_value = "node")]
        node: String,
        /// The folder of the baseline (`server.js`, with `node_modules`).
        #[arg(long, default_value = "bench/baseline")]
        baseline: PathBuf,
        /// Scratch space for data directories and server logs.
        #[arg(long, default_value = "bench/results/work")]
        work: PathBuf,
        #[arg(long, default_value = "docs/bench/results.json")]
        json: PathBuf,
        /// The document whose results section is replaced (left alone when absent).
        #[arg(long)]
        doc: Option<PathBuf>,
        #[arg(long)]
        svg: Option<PathBuf>,
        /// Run only these servers (kring_sqlite, kring_memory, baseline) and/or parts (grid,
        /// slow, storm, restart, flood, joins, tls, saturation), comma-separated.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Keep what the results file holds for the parts this run leaves out, e.g. to add
        /// `--only flood` to an earlier full run.
        #[arg(long)]
        merge: bool,
        /// The instruction counts to show with the targets (`kring-bench callgrind --json`).
        #[arg(long)]
        callgrind: Option<PathBuf>,
    },
    /// One setup against the chosen servers, for tuning: prints the numbers.
    Probe {
        #[arg(long, default_value_t = 8)]
        members: usize,
        #[arg(long, default_value_t = 1000)]
        conns: usize,
        #[arg(long, value_delimiter = ',', default_value = "1,10")]
        rates: Vec<f64>,
        #[arg(long, default_value_t = 8)]
        window: u64,
        #[arg(long, default_value = "target/release/kring")]
        kring: PathBuf,
        #[arg(long, default_value = "bench/baseline")]
        baseline: PathBuf,
        /// Servers and/or parts, as for `suite`.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Also run the slow-consumer, storm, restart and flood scenarios at these sizes.
        #[arg(long)]
        scenarios: bool,
        /// Connections flooding one room in the flood scenario (at most 39: a room holds 40
        /// with its facilitator).
        #[arg(long, default_value_t = flood::MAX_FLOODERS)]
        flooders: usize,
        /// Messages per second each flooding connection sends, one flood run per rate.
        #[arg(long, value_delimiter = ',', default_value = "50,1000")]
        flood_rates: Vec<f64>,
    },
    /// Instruction counts per delivery, per durable commit and per join under valgrind's
    /// callgrind, on a fixed small scenario.
    Callgrind {
        #[arg(long, default_value = "target/release/kring")]
        kring: PathBuf,
        #[arg(long, default_value = "bench/results/work")]
        work: PathBuf,
        /// Writes the counts to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Fails when instructions per delivery are more than `--allowed` above this file's.
        #[arg(long)]
        check: Option<PathBuf>,
        #[arg(long, default_value_t = 0.10)]
        allowed: f64,
    },
    /// The cluster scenario: two nodes on PostgreSQL beside one on SQLite (forwarding
    /// latency, failover, handoff). Needs PostgreSQL's server binaries on PATH.
    Cluster {
        /// A short run that checks the machinery.
        #[arg(long)]
        smoke: bool,
        #[arg(long, default_value = "target/release/kring")]
        kring: PathBuf,
        #[arg(long, default_value = "bench/results/work")]
        work: PathBuf,
        #[arg(long, default_value = "docs/bench/cluster.json")]
        json: PathBuf,
        /// The document whose cluster section is replaced (left alone when absent).
        #[arg(long)]
        doc: Option<PathBuf>,
        /// Render the section again from the results file, without a run.
        #[arg(long)]
        render: bool,
    },
    /// Renders the Markdown and SVG again from a results file.
    Report {
        #[arg(long, default_value = "docs/bench/results.json")]
        json: PathBuf,
        #[arg(long, default_value = "docs/PERFORMANCE.md")]
        doc: PathBuf,
        #[arg(long, default_value = "docs/bench/latency.svg")]
        svg: PathBuf,
        /// Instruction counts to show with the targets instead of the results file's.
        #[arg(long)]
        callgrind: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The HTTP client's TLS (and its plain client's set-up) uses the process's provider: ring,
    // as the WebSocket clients do. Installing fails only when one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // One thread: the generator's share of a core is what tells a valid run from a saturated
    // one, and it leaves the other core to the server.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kring-bench: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(e) => {
            eprintln!("kring-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `Ok(false)`: the run finished but produced no valid numbers.
async fn run(cli: Cli) -> anyhow::Result<bool> {
    match cli.command {
        Cmd::Cluster {
            smoke,
            kring,
            work,
            json,
            doc,
            render,
        } => {
            let plan = if smoke {
                cluster::Plan::smoke()
            } else {
                cluster::Plan::full()
            };
            let report: cluster::ClusterReport = if render {
                let text = std::fs::read_to_string(&json)
                    .with_context(|| format!("reading {}", json.display()))?;
                serde_json::from_str(&text)?
            } else {
                let report = cluster::run(&plan, &kring, &work).await?;
                if let Some(dir) = json.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(&json, serde_json::to_string_pretty(&report)?)
                    .with_context(|| format!("writing {}", json.display()))?;
                report
            };
            let section = cluster::markdown(&report);
            println!("{section}");
            if let Some(doc) = doc {
                replace_section(&doc, "cluster", &section)?;
            }
            let valid = report.gaps == 0
                && report.full_views == 0
                && report.owner.samples > 0
                && report.forwarded.samples > 0
                && report.sqlite.samples > 0;
            Ok(valid)
        }
        Cmd::Suite {
            smoke,
            kring,
            node,
            baseline,
            work,
            json,
            doc,
            svg,
            only,
            merge,
            callgrind,
        } => {
            let fd_limit = procfs::open_files_limit().unwrap_or(1024) as usize;
            // The server and the generator each hold one descriptor per connection, and the
            // server refuses WebSockets above the cap it is started with.
            let max_conns = fd_limit
                .saturating_sub(400)
                .min(server::websocket_cap() as usize);
            let mut plan = if smoke {
                suite::Plan::smoke()
            } else {
                suite::Plan::full(max_conns)
            };
            keep_only(&mut plan, &only)?;
            // Read before the run: a file that cannot be merged must not cost a run.
            let old = if merge { earlier_run(&json)? } else { None };
            let programs = server::Programs {
                kring,
                node,
                baseline,
                work,
            };
            let mut report = suite::run(&plan, &programs).await;
            report.callgrind = match &callgrind {
                Some(path) => Some(read_counts(path)?),
                None => None,
            };
            let ok = check(&report);
            if let Some(old) = old {
                report = report.merged_into(old);
            }
            if let Some(dir) = json.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&json, serde_json::to_string_pretty(&report)?)
                .with_context(|| format!("writing {}", json.display()))?;
            write_outputs(&report, doc.as_ref(), svg.as_ref())?;
            Ok(ok)
        }
        Cmd::Probe {
            members,
            conns,
            rates,
            window,
            kring,
            baseline,
            only,
            scenarios,
            flooders,
            flood_rates,
        } => {
            let mut plan = suite::Plan::probe(
                members,
                conns,
                rates,
                std::time::Duration::from_secs(window),
            );
            if scenarios {
                let rate = plan.rates.first().copied().unwrap_or(10.0);
                plan.slow = Some((members, conns, rate, std::time::Duration::from_secs(window)));
                plan.storm = Some((members, conns, conns * 2 / 5, rate));
                plan.restart = Some((
                    conns / members,
                    members,
                    rate,
                    std::time::Duration::from_secs(4),
                ));
                plan.flood = flood_rates
                    .iter()
                    .map(|&flood_rate| flood::FloodPlan {
                        rooms: conns / members,
                        members,
                        rate,
                        flooders,
                        flood_rate,
                        pairs: 2,
                        warm: std::time::Duration::from_secs(2),
                        window: std::time::Duration::from_secs(window),
                    })
                    .collect();
            }
            if !only.iter().any(|o| o == "tls") {
                plan.tls = None;
            }
            keep_only(&mut plan, &only)?;
            plan.scenario_targets = plan.targets.clone();
            let programs = server::Programs {
                kring,
                node: "node".into(),
                baseline,
                work: "bench/results/work".into(),
            };
            let report = suite::run(&plan, &programs).await;
            std::fs::create_dir_all("bench/results")?;
            std::fs::write(
                "bench/results/probe.json",
                serde_json::to_string_pretty(&report)?,
            )?;
            Ok(check(&report))
        }
        Cmd::Callgrind {
            kring,
            work,
            json,
            check,
            allowed,
        } => {
            // Read first: a file that cannot be read must not cost a run.
            let committed = match &check {
                Some(path) => Some(read_counts(path)?),
                None => None,
            };
            let programs = server::Programs {
                kring,
                node: "node".into(),
                baseline: "bench/baseline".into(),
                work,
            };
            let counts = callgrind::measure(&programs, &callgrind::Scenario::standard()).await?;
            println!(
                "instructions per delivery {:.0}, per durable commit {:.0}, per join {:.0}",
                counts.per_delivery(),
                counts.per_durable_commit(),
                counts.per_join()
            );
            if let Some(path) = &json {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(path, serde_json::to_string_pretty(&counts)?)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            match committed.map(|c| callgrind::check(&c, &counts, allowed)) {
                Some(Err(why)) => {
                    eprintln!("[kring-bench] instruction count grew: {why}");
                    Ok(false)
                }
                Some(Ok(line)) => {
                    eprintln!("[kring-bench] {line}");
                    Ok(true)
                }
                None => Ok(true),
            }
        }
        Cmd::Report {
            json,
            doc,
            svg,
            callgrind,
        } => {
            let text = std::fs::read_to_string(&json)
                .with_context(|| format!("reading {}", json.display()))?;
            let mut report: suite::Report = serde_json::from_str(&text)?;
            if let Some(path) = &callgrind {
                report.callgrind = Some(read_counts(path)?);
            }
            write_outputs(&report, Some(&doc), Some(&svg))?;
            Ok(true)
        }
    }
}

/// Instruction counts written by `kring-bench callgrind --json`.
fn read_counts(path: &std::path::Path) -> anyhow::Result<callgrind::Counts> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))
}

/// The results file to merge into, if there is one yet.
fn earlier_run(json: &std::path::Path) -> anyhow::Result<Option<suite::Report>> {
    let text = match std::fs::read_to_string(json) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", json.display())),
    };
    let old = serde_json::from_str(&text).with_context(|| format!("reading {}", json.display()))?;
    Ok(Some(old))
}

/// `--only`: servers by name, parts of the suite by name; either kind left out keeps all.
fn keep_only(plan: &mut suite::Plan, only: &[String]) -> anyhow::Result<()> {
    let name = |t: &server::Target| {
        serde_json::to_value(t)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let servers: Vec<String> = server::Target::ALL.iter().map(name).collect();
    if let Some(unknown) = only
        .iter()
        .find(|o| !servers.contains(o) && !suite::PARTS.contains(&o.as_str()))
    {
        anyhow::bail!(
            "--only {unknown}: not one of {} or {}",
            servers.join(", "),
            suite::PARTS.join(", ")
        );
    }
    if only.iter().any(|o| servers.contains(o)) {
        let keep = |t: &server::Target| only.contains(&name(t));
        plan.targets.retain(keep);
        plan.scenario_targets.retain(keep);
    }
    let parts: Vec<&str> = only
        .iter()
        .map(String::as_str)
        .filter(|o| suite::PARTS.contains(o))
        .collect();
    if !parts.is_empty() {
        plan.keep_parts(&parts);
    }
    Ok(())
}

fn write_outputs(
    report: &suite::Report,
    doc: Option<&PathBuf>,
    svg: Option<&PathBuf>,
) -> anyhow::Result<()> {
    let section = report::markdown(report);
    if let Some(doc) = doc {
        let old = std::fs::read_to_string(doc).unwrap_or_else(|_| "# Performance\n".to_owned());
        std::fs::write(doc, report::splice(&old, &section))
            .with_context(|| format!("writing {}", doc.display()))?;
    } else {
        println!("{section}");
    }
    if let Some(svg) = svg {
        if let Some(dir) = svg.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(svg, report::svg(report))
            .with_context(|| format!("writing {}", svg.display()))?;
    }
    Ok(())
}

/// Whether every server produced numbers: each setup connected and measured something valid,
/// and the scenarios ran. No thresholds: those are for people reading the report.
fn check(report: &suite::Report) -> bool {
    let mut ok = true;
    for s in &report.setups {
        let valid = s.error.is_none()
            && s.connections == s.planned
            && s.rss_per_conn > 0.0
            && s.phases
                .iter()
                .all(|p| p.samples > 0 && p.deliveries > 0 && p.cpu_per_delivery_us > 0.0);
        if !valid {
            eprintln!(
                "[kring-bench] no valid numbers: {} {} x {}: {:?}",
                s.target.label(),
                s.rooms,
                s.members,
                s.error
            );
            ok = false;
        }
    }
    for s in &report.slow {
        if s.error.is_some() || s.with.samples == 0 || s.without.samples == 0 {
            eprintln!("[kring-bench] slow-consumer run failed: {:?}", s.error);
            ok = false;
        }
    }
    for s in &report.storm {
        if s.error.is_some() || s.replayed + s.full_views == 0 {
            eprintln!("[kring-bench] storm run failed: {:?}", s.error);
            ok = false;
        }
    }
    for s in &report.restart {
        if s.error.is_some() || s.replayed + s.full_views == 0 {
            eprintln!("[kring-bench] restart run failed: {:?}", s.error);
            ok = false;
        }
    }
    for j in &report.joins {
        if j.error.is_some() || j.welcomed != j.planned {
            eprintln!(
                "[kring-bench] join storm: {} of {} joined, refused {:?}, error {:?}",
                j.welcomed, j.planned, j.refused, j.error
            );
            ok = false;
        }
    }
    for s in &report.saturation {
        if s.error.is_some() || s.events_per_s <= 0.0 {
            eprintln!("[kring-bench] durable saturation run failed: {:?}", s.error);
            ok = false;
        }
    }
    for f in &report.flood {
        let measured = f.error.is_none()
            && f.without.windows > 0
            && f.with.windows > 0
            && f.windows.iter().all(|w| w.phase.samples > 0);
        if !measured {
            eprintln!("[kring-bench] flood run produced no numbers: {:?}", f.error);
            ok = false;
        }
        // Proof that the limits act: refused for the message rate, and closed for flooding.
        if f.attack.rate_refusals() == 0 || f.attack.flooding_closes() == 0 {
            eprintln!(
                "[kring-bench] the flood was not stopped: {} messages sent, {} refused for the rate, {} connections closed with 1008",
                f.attack.sent,
                f.attack.rate_refusals(),
                f.attack.flooding_closes()
            );
            ok = false;
        }
    }
    ok
}

/// Replaces what is between `<!-- {name}:begin -->` and `<!-- {name}:end -->` in `doc`.
fn replace_section(doc: &std::path::Path, name: &str, body: &str) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(doc).with_context(|| format!("reading {}", doc.display()))?;
    let begin = format!("<!-- {name}:begin -->");
    let end = format!("<!-- {name}:end -->");
    let (head, rest) = text
        .split_once(&begin)
        .with_context(|| format!("{begin} missing from {}", doc.display()))?;
    let (_, tail) = rest
        .split_once(&end)
        .with_context(|| format!("{end} missing from {}", doc.display()))?;
    std::fs::write(doc, format!("{head}{begin}\n{body}{end}{tail}"))?;
    Ok(())
}
