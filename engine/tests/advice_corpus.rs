//! The advice check measured on the labelled corpus (`engine/data/advice-corpus/`): per language,
//! on the part the patterns were tuned on and on the held-out part, a confusion table, precision,
//! recall and the false-warning rate. Fails below the figures the check promises.
//!
//! `cargo test -p kring-engine --test advice_corpus -- --nocapture` prints the tables and every
//! phrase the check gets wrong.

use std::fmt::Write as _;

use kring_engine::advice::{Context, Verdict, check};

const CORPORA: [(&str, &str); 3] = [
    ("nl", include_str!("../data/advice-corpus/nl.tsv")),
    ("en", include_str!("../data/advice-corpus/en.tsv")),
    ("de", include_str!("../data/advice-corpus/de.tsv")),
];

/// What the check must reach, per language: (recall at least, false-warning rate at most).
fn targets(lang: &str) -> (f64, f64) {
    match lang {
        "de" => (0.85, 0.06),
        _ => (0.92, 0.04),
    }
}

/// The "this is not a question" hint is gentler; still, it must rarely land on a real question
/// and mostly find the statements.
const HINT_ON_QUESTIONS_AT_MOST: f64 = 0.03;
const HINT_ON_STATEMENTS_AT_LEAST: f64 = 0.75;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Label {
    Advice,
    Question,
    Statement,
    Analysis,
}

struct Line {
    held: bool,
    context: Context,
    label: Label,
    text: &'static str,
}

fn parse(lang: &str, tsv: &'static str) -> Vec<Line> {
    tsv.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "{lang}.tsv:{}: four columns", n + 1);
            let held = match cols[0] {
                "held" => true,
                "tune" => false,
                other => panic!("{lang}.tsv:{}: split {other}", n + 1),
            };
            let context = match cols[1] {
                "question" => Context::Question,
                "analysis" => Context::Analysis,
                other => panic!("{lang}.tsv:{}: context {other}", n + 1),
            };
            let label = match cols[2] {
                "advice" => Label::Advice,
                "question" => Label::Question,
                "statement" => Label::Statement,
                "analysis" => Label::Analysis,
                other => panic!("{lang}.tsv:{}: label {other}", n + 1),
            };
            let fits = matches!(
                (context, label),
                (_, Label::Advice)
                    | (Context::Question, Label::Question | Label::Statement)
                    | (Context::Analysis, Label::Analysis)
            );
            assert!(fits, "{lang}.tsv:{}: {label:?} in {context:?}", n + 1);
            Line {
                held,
                context,
                label,
                text: cols[3],
            }
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    tp: usize,
    fn_: usize,
    fp: usize,
    tn: usize,
    /// Per context: (advice caught, advice, false warnings, negatives).
    by_context: [(usize, usize, usize, usize); 2],
    hint_on_statements: usize,
    statements: usize,
    hint_on_questions: usize,
    questions: usize,
    misses: Vec<String>,
    false_warnings: Vec<String>,
    wrong_hints: Vec<String>,
}

impl Tally {
    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn false_warning_rate(&self) -> f64 {
        ratio(self.fp, self.fp + self.tn)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn measure(lines: &[Line], held: bool) -> Tally {
    let mut t = Tally::default();
    for line in lines.iter().filter(|l| l.held == held) {
        let verdict = check(line.text, line.context);
        let warned = matches!(verdict, Verdict::Advice { .. });
        let ctx = match line.context {
            Context::Question => 0,
            Context::Analysis => 1,
        };
        let rules = match &verdict {
            Verdict::Advice { rules, .. } => rules.join(","),
            _ => String::new(),
        };
        if line.label == Label::Advice {
            t.by_context[ctx].1 += 1;
            if warned {
                t.tp += 1;
                t.by_context[ctx].0 += 1;
            } else {
                t.fn_ += 1;
                t.misses.push(format!("{:?}: {}", line.context, line.text));
            }
        } else {
            t.by_context[ctx].3 += 1;
            if warned {
                t.fp += 1;
                t.by_context[ctx].2 += 1;
                t.false_warnings
                    .push(format!("{:?} [{rules}]: {}", line.label, line.text));
            } else {
                t.tn += 1;
            }
        }
        let hinted = verdict == Verdict::NotAQuestion;
        match line.label {
            Label::Statement => {
                t.statements += 1;
                if hinted {
                    t.hint_on_statements += 1;
                } else {
                    t.wrong_hints.push(format!("no hint: {}", line.text));
                }
            }
            Label::Question => {
                t.questions += 1;
                if hinted {
                    t.hint_on_questions += 1;
                    t.wrong_hints
                        .push(format!("hint on a question: {}", line.text));
                }
            }
            _ => {}
        }
    }
    t
}

fn report(lang: &str, part: &str, t: &Tally) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\n== {lang}, {part} part");
    let _ = writeln!(s, "                 warned   not warned");
    let _ = writeln!(s, "  advice         {:>6}   {:>10}", t.tp, t.fn_);
    let _ = writeln!(s, "  not advice     {:>6}   {:>10}", t.fp, t.tn);
    let _ = writeln!(
        s,
        "  precision {:.3}  recall {:.3}  false-warning rate {:.3}",
        t.precision(),
        t.recall(),
        t.false_warning_rate()
    );
    for (name, (caught, advice, fp, neg)) in ["questions", "analyses"].iter().zip(t.by_context) {
        let _ = writeln!(
            s,
            "  {name:<10} advice caught {caught}/{advice}, false warnings {fp}/{neg}"
        );
    }
    let _ = writeln!(
        s,
        "  'not a question' hint: on {}/{} statements, on {}/{} genuine questions",
        t.hint_on_statements, t.statements, t.hint_on_questions, t.questions
    );
    for m in &t.misses {
        let _ = writeln!(s, "  missed  {m}");
    }
    for f in &t.false_warnings {
        let _ = writeln!(s, "  warned  {f}");
    }
    for h in &t.wrong_hints {
        let _ = writeln!(s, "  hint    {h}");
    }
    s
}

fn check_part(held: bool) {
    let part = if held { "held-out" } else { "tuned" };
    let mut failures = Vec::new();
    for (lang, tsv) in CORPORA {
        let lines = parse(lang, tsv);
        let t = measure(&lines, held);
        println!("{}", report(lang, part, &t));
        let (recall, fwr) = targets(lang);
        if t.recall() < recall {
            failures.push(format!(
                "{lang} {part}: recall {:.3} < {recall}",
                t.recall()
            ));
        }
        if t.false_warning_rate() > fwr {
            failures.push(format!(
                "{lang} {part}: false-warning rate {:.3} > {fwr}",
                t.false_warning_rate()
            ));
        }
        let on_questions = ratio(t.hint_on_questions, t.questions);
        if on_questions > HINT_ON_QUESTIONS_AT_MOST {
            failures.push(format!(
                "{lang} {part}: hint on {on_questions:.3} of questions"
            ));
        }
        let on_statements = ratio(t.hint_on_statements, t.statements);
        if on_statements < HINT_ON_STATEMENTS_AT_LEAST {
            failures.push(format!(
                "{lang} {part}: hint on {on_statements:.3} of statements"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_corpus_is_as_large_as_promised_and_its_held_out_part_is_a_quarter() {
    for (lang, tsv) in CORPORA {
        let lines = parse(lang, tsv);
        let least = match lang {
            "nl" => 400,
            "en" => 250,
            _ => 150,
        };
        assert!(lines.len() >= least, "{lang}: {} phrases", lines.len());
        let advice = lines.iter().filter(|l| l.label == Label::Advice).count();
        let share = ratio(advice, lines.len());
        assert!(
            (0.4..=0.6).contains(&share),
            "{lang}: advice is {share:.2} of the corpus"
        );
        let held = ratio(lines.iter().filter(|l| l.held).count(), lines.len());
        assert!(
            (0.25..=0.30).contains(&held),
            "{lang}: held-out share {held:.2}"
        );
        let mut texts: Vec<&str> = lines.iter().map(|l| l.text).collect();
        texts.sort_unstable();
        let before = texts.len();
        texts.dedup();
        assert_eq!(before, texts.len(), "{lang}: a phrase appears twice");
    }
}

#[test]
fn the_tuned_part_meets_the_targets() {
    check_part(false);
}

#[test]
fn the_held_out_part_meets_the_targets() {
    check_part(true);
}
