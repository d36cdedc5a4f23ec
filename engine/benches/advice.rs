//! What the advice check costs per contribution of 500 characters (budget: 20 µs).
//!
//! `cargo bench -p kring-engine --bench advice` (run by `scripts/bench.sh`). Criterion-free: the
//! texts are contributions of about 500 characters built from the labelled corpus (in every
//! language and context, with and without advice), plus two unfavourable cases: a text whose
//! every sentence trips a cue (each hit is then checked against its exceptions and highlighted)
//! and one with no punctuation at all. Each case is timed in batches by the CPU time of this
//! thread (`/proc/thread-self/schedstat`, nanoseconds), so that time spent waiting for a core on
//! a shared machine does not count; wall time is shown next to it. The median of the batches is
//! the figure. Exits with 1 when a median is over the budget. `--quick` runs fewer batches (the
//! smoke run).

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use kring_engine::advice::{Context, Verdict, check};

const BUDGET_US: f64 = 20.0;
const LENGTH: usize = 500;

const CORPORA: [(&str, &str); 3] = [
    ("nl", include_str!("../data/advice-corpus/nl.tsv")),
    ("en", include_str!("../data/advice-corpus/en.tsv")),
    ("de", include_str!("../data/advice-corpus/de.tsv")),
];

struct Case {
    name: String,
    context: Context,
    texts: Vec<String>,
}

/// Phrases of one language, context and kind joined into texts of about `LENGTH` characters.
fn contributions(tsv: &str, context: &str, advice: bool) -> Vec<String> {
    let phrases: Vec<&str> = tsv
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.len() == 4 && cols[1] == context && (cols[2] == "advice") == advice)
                .then_some(cols[3])
        })
        .collect();
    let mut texts = Vec::new();
    let mut current = String::new();
    for (i, phrase) in phrases.iter().cycle().enumerate() {
        if texts.len() == 64 || i > phrases.len() * 4 {
            break;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(phrase);
        if current.chars().count() >= LENGTH {
            texts.push(current.chars().take(LENGTH).collect());
            current.clear();
        }
    }
    texts
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (lang, tsv) in CORPORA {
        for (context, ctx) in [
            ("question", Context::Question),
            ("analysis", Context::Analysis),
        ] {
            for advice in [false, true] {
                let texts = contributions(tsv, context, advice);
                assert!(!texts.is_empty(), "{lang} {context}: no texts");
                cases.push(Case {
                    name: format!(
                        "{lang}, {context}, {}",
                        if advice { "advice" } else { "no advice" }
                    ),
                    context: ctx,
                    texts,
                });
            }
        }
    }
    let every_sentence: String = "Heb je de ouders al gebeld? "
        .repeat(LENGTH / 28 + 1)
        .chars()
        .take(LENGTH)
        .collect();
    cases.push(Case {
        name: "every sentence a cue".into(),
        context: Context::Question,
        texts: vec![every_sentence],
    });
    let run_on: String = "en toen zei ze dat ze het niet meer wist en dat de moeder ook niet "
        .repeat(LENGTH / 66 + 1)
        .chars()
        .take(LENGTH)
        .collect();
    cases.push(Case {
        name: "no punctuation".into(),
        context: Context::Question,
        texts: vec![run_on],
    });
    cases
}

/// CPU time of this thread so far, in nanoseconds (first field of schedstat); `None` where the
/// kernel does not tell.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

struct Timing {
    /// Median of the batches, CPU time (wall time where CPU time is unknown).
    cpu: f64,
    fastest_cpu: f64,
    wall: f64,
}

/// Microseconds per check over batches of about 2000 checks.
fn time(case: &Case, batches: usize) -> Timing {
    let per_batch = 2_000usize.div_ceil(case.texts.len()) * case.texts.len();
    let mut cpu = Vec::with_capacity(batches);
    let mut wall = Vec::with_capacity(batches);
    for _ in 0..batches {
        let cpu_start = cpu_ns();
        let start = Instant::now();
        for i in 0..per_batch {
            let text = &case.texts[i % case.texts.len()];
            black_box(check(black_box(text), case.context));
        }
        let elapsed = start.elapsed().as_secs_f64() * 1e6 / per_batch as f64;
        let on_cpu = match (cpu_start, cpu_ns()) {
            (Some(a), Some(b)) => b.saturating_sub(a) as f64 / 1e3 / per_batch as f64,
            _ => elapsed,
        };
        cpu.push(on_cpu);
        wall.push(elapsed);
    }
    cpu.sort_by(f64::total_cmp);
    wall.sort_by(f64::total_cmp);
    Timing {
        cpu: cpu[cpu.len() / 2],
        fastest_cpu: cpu[0],
        wall: wall[wall.len() / 2],
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let batches = if quick { 5 } else { 31 };
    // `--case TEXT`: only the cases whose name contains TEXT (for profiling one).
    let only = args
        .iter()
        .position(|a| a == "--case")
        .and_then(|i| args.get(i + 1));
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| only.is_none_or(|o| c.name.contains(o.as_str())))
        .collect();
    // The rules compile on first use; that is not what a contribution costs.
    let warm = check(
        "Heb je al eens geprobeerd om het te vragen?",
        Context::Question,
    );
    assert!(matches!(warm, Verdict::Advice { .. }));
    for case in &cases {
        for text in &case.texts {
            black_box(check(text, case.context));
        }
    }
    println!("advice check, texts of {LENGTH} characters, {batches} batches of about 2000 checks");
    println!();
    println!("| case | texts | CPU µs per check (median) | fastest batch | wall µs (median) |");
    println!("|---|---|---|---|---|");
    let mut worst: f64 = 0.0;
    let mut table = String::new();
    for case in &cases {
        let t = time(case, batches);
        worst = worst.max(t.cpu);
        let row = format!(
            "| {} | {} | {:.2} | {:.2} | {:.2} |",
            case.name,
            case.texts.len(),
            t.cpu,
            t.fastest_cpu,
            t.wall
        );
        println!("{row}");
        table.push_str(&row);
        table.push('\n');
    }
    println!();
    let met = worst <= BUDGET_US;
    let verdict = if met {
        format!("within budget: the slowest case takes {worst:.2} µs (budget {BUDGET_US} µs)")
    } else {
        format!("over budget: the slowest case takes {worst:.2} µs (budget {BUDGET_US} µs)")
    };
    println!("{verdict}");
    // `--doc PATH`: the results go between the markers of that document.
    if let Some(doc) = args
        .iter()
        .position(|a| a == "--doc")
        .and_then(|i| args.get(i + 1))
    {
        let section = format!(
            "{BEGIN}\n\n{}\n\n| case | texts | CPU µs per check (median) | fastest batch | wall µs (median) |\n|---|---|---|---|---|\n{table}\n{verdict}; load average {}.\n\n{END}",
            run_line(batches),
            load_average(),
        );
        if let Err(e) = replace_section(doc, &section) {
            eprintln!("{doc}: {e}");
            return ExitCode::FAILURE;
        }
    }
    // A quick run (the smoke test) checks that the numbers come out; five batches on a shared
    // machine are too few to hold it to the budget.
    if met || quick {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

const BEGIN: &str = "<!-- bench:advice:begin (generated by scripts/bench.sh; do not edit) -->";
const END: &str = "<!-- bench:advice:end -->";

fn run_line(batches: usize) -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    format!(
        "Texts of {LENGTH} characters, {batches} batches of about 2000 checks per case, {cores} cores."
    )
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

fn replace_section(path: &str, section: &str) -> std::io::Result<()> {
    let doc = std::fs::read_to_string(path)?;
    let (Some(begin), Some(end)) = (doc.find(BEGIN), doc.find(END)) else {
        return Err(std::io::Error::other("no advice markers"));
    };
    let updated = format!("{}{section}{}", &doc[..begin], &doc[end + END.len()..]);
    std::fs::write(path, updated)
}
