//! Advice where the method has no place for it: a question that is a suggestion ("Heb je de
//! ouders al gebeld?", "Have you tried…?", "Wäre es nicht besser…?"), a "question" that is plain
//! advice ("Je moet echt grenzen stellen."), and advice inside an analysis, hypothesis or piece
//! of gossip before the advice round.
//!
//! Separating questions from advice is the rule practitioners insist on most, and the most common
//! way it is broken is a suggestion phrased as a question. The check is a warning, never a
//! refusal: the member sees which words made the text advice-like and can rephrase it or send
//! it anyway.
//!
//! How: the text is normalised ([`normalize`]: case, accents, apostrophes, hyphens,
//! contractions), then the cues of `engine/data/advice_patterns.json` ([`rules`]) run over it,
//! each with its own list of exceptions. Patterns, not a trained model, because a warning must
//! be explainable to the person who gets it (the cue's words are highlighted) and to whoever
//! maintains it (each cue says why, with examples that must and must not match), and because the
//! corpus (`engine/data/advice-corpus/`) is too small to train anything that would generalise
//! better than the linguistics written down here. `engine/tests/advice_corpus.rs` measures
//! recall and false warnings per language, on a tuned part and on a held-out part; the figures
//! are in `docs/ADVICE.md`. A contribution of 500 characters costs a few microseconds
//! (`kring-bench advice`, `docs/PERFORMANCE.md`).

mod normalize;
mod openings;
pub(crate) mod rules;
mod words;

use std::sync::LazyLock;

use rules::{Rules, Where};

/// Where the text is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// As a question, in a phase of questions.
    Question,
    /// As an analysis, hypothesis or gossip, in a phase before advice is allowed.
    Analysis,
}

/// Words of the member's text that made it advice-like: a span in UTF-16 code units (how
/// JavaScript indexes strings) of the text checked.
pub use kring_protocol::TextSpan as Cue;

/// What the check says about a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Fine,
    /// Typed as a question, but it asks nothing (no advice either): a gentle hint.
    NotAQuestion,
    Advice {
        /// Whether the advice is phrased as a question (else as a statement).
        question: bool,
        /// The words that made it advice-like, in text order, without overlaps.
        cues: Vec<Cue>,
        /// Which rules fired (ids from the data file; for tests and tuning, not for the wire).
        rules: Vec<&'static str>,
    },
}

// A broken data file disables the check rather than the room; the unit tests make sure it
// never ships broken.
static RULES: LazyLock<Option<Rules>> = LazyLock::new(|| Rules::load().ok());

/// Checks `text` as typed in `context`.
pub fn check(text: &str, context: Context) -> Verdict {
    let Some(rules) = RULES.as_ref() else {
        return Verdict::Fine;
    };
    let normal = rules.normalize(text);
    let hits = rules.hits(
        &normal.text,
        match context {
            Context::Question => Where::Question,
            Context::Analysis => Where::Analysis,
        },
    );
    if hits.is_empty() {
        if context == Context::Question && !rules.is_question(&normal.text) {
            return Verdict::NotAQuestion;
        }
        return Verdict::Fine;
    }
    let question = hits.in_question;
    let mut spans: Vec<(u32, u32)> = hits
        .ranges
        .iter()
        .map(|r| normal.original(r.clone()))
        .collect();
    spans.sort_unstable();
    let mut cues: Vec<Cue> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match cues.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => cues.push(Cue { start, end }),
        }
    }
    let mut ids = hits.cues;
    ids.sort_unstable();
    ids.dedup();
    Verdict::Advice {
        question,
        cues,
        rules: ids,
    }
}

/// Whether a question reads like advice. The member may rephrase or send it anyway.
pub fn reads_like_advice(text: &str) -> bool {
    matches!(check(text, Context::Question), Verdict::Advice { .. })
}

#[cfg(test)]
mod tests;
