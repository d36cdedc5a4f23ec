//! The rules as data (`engine/data/advice_patterns.json`), compiled once.
//!
//! A *cue* is a regular expression over normalised text ([`super::normalize`]) that marks a
//! phrase as advice-like. The `regex` crate has no look-around, so what a cue must not catch is
//! its own list: `unless` (anywhere in the same sentence: "eerder", "that night", "vertellen")
//! and `unless_here` (at the very place the cue matched, e.g. an imperative verb followed by a
//! subject pronoun is a question). Patterns stay readable: `{NAME}` is a word list from
//! `words`, `{gap:N}` (or `{gap:M-N}`) skips up to N words (which are then not highlighted),
//! and the engine adds where a cue may start (`at: start`: the start of a sentence or clause,
//! after a connecting word such as "en", "but", "und").

use std::collections::{BTreeMap, HashMap};

use regex::{Regex, RegexSet};
use serde::Deserialize;

use super::normalize::{Normalized, normalize};

const RULES_JSON: &str = include_str!("../../data/advice_patterns.json");

/// One word of the normalised text, for gaps: anything up to a space or punctuation.
const WORD: &str = r#"[^ \n.!?;:,"()]+"#;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[allow(dead_code)]
    about: String,
    /// Contractions written out, after folding ("don't" -> "do not").
    contractions: BTreeMap<String, String>,
    /// Words that may come before a cue at the start of a clause ("and", "maar", "also").
    lead_words: Vec<String>,
    /// Named pieces of patterns, used as `{NAME}`.
    words: BTreeMap<String, String>,
    pub languages: BTreeMap<String, LanguageRules>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LanguageRules {
    pub cues: Vec<CueRule>,
    /// Openings of questions and of requests to tell ("Vertel eens", "I wonder"): a text with
    /// none of them and no question mark is not a question.
    pub questions: Vec<String>,
    /// Openings that look like a question's but are not ("Wat een...", "What a...").
    #[serde(default)]
    pub not_questions: Vec<String>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Default, Debug)]
#[serde(rename_all = "snake_case")]
pub(crate) enum At {
    #[default]
    Start,
    Any,
}

/// Which sentences a cue applies to: questions (ending in `?`), statements, or both.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Default, Debug)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Form {
    #[default]
    Any,
    Question,
    Statement,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Where {
    Question,
    Analysis,
}

fn everywhere() -> Vec<Where> {
    vec![Where::Question, Where::Analysis]
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CueRule {
    pub id: String,
    /// Why this is advice, for whoever edits the file.
    #[allow(dead_code)]
    #[serde(default)]
    why: String,
    pub pattern: String,
    #[serde(default)]
    pub at: At,
    #[serde(default)]
    pub form: Form,
    #[serde(default = "everywhere", rename = "in")]
    pub contexts: Vec<Where>,
    #[serde(default)]
    pub unless: Vec<String>,
    #[serde(default)]
    pub unless_here: Vec<String>,
    /// Real phrasings the cue must catch (checked by the unit tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub examples: Vec<String>,
    /// Phrasings it must let pass (checked by the unit tests).
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(default)]
    pub not: Vec<String>,
}

pub(crate) struct Cue {
    pub id: String,
    re: Regex,
    /// Indices of the `{gap:N}` groups: words skipped, not highlighted.
    gaps: Vec<usize>,
    form: Form,
    contexts: Vec<Where>,
    unless: Option<Regex>,
    unless_here: Option<Regex>,
}

/// A cue that fired: its id and the normalised byte ranges to highlight.
pub(crate) struct Hit<'r> {
    pub cue: &'r str,
    pub ranges: Vec<std::ops::Range<usize>>,
    pub in_question: bool,
}

pub(crate) struct Rules {
    contractions: HashMap<String, String>,
    pub cues: Vec<Cue>,
    /// Per context: every cue that applies there, as one set, and the cue each entry is.
    sets: [(RegexSet, Vec<usize>); 2],
    questions: Regex,
    not_questions: Regex,
}

#[derive(Debug)]
pub(crate) struct RuleError(pub String);

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn rule_file() -> Result<RuleFile, RuleError> {
    serde_json::from_str(RULES_JSON).map_err(|e| RuleError(format!("advice_patterns.json: {e}")))
}

/// `{NAME}` and `{gap:N}` written out; `\b` as the ASCII word boundary (the text is folded to
/// ASCII where it matters, and the ASCII boundary keeps the fast automata usable).
fn expand(pattern: &str, words: &BTreeMap<String, String>) -> Result<String, RuleError> {
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut rest = pattern;
    let mut depth = 0;
    let mut gaps = 0;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let name = &rest[open + 1..close];
        out.push_str(&rest[..open]);
        if let Some(n) = name.strip_prefix("gap:") {
            let (min, max) = n.split_once('-').unwrap_or(("0", n));
            let ok = |s: &str| s.parse::<u8>().is_ok();
            if !ok(min) || !ok(max) {
                return Err(RuleError(format!("bad gap {{{name}}} in {pattern}")));
            }
            gaps += 1;
            out.push_str(&format!("(?P<gap{gaps}>(?:{WORD},? ){{{min},{max}}}?)"));
        } else if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') && !name.is_empty() {
            let Some(list) = words.get(name) else {
                return Err(RuleError(format!(
                    "unknown word list {{{name}}} in {pattern}"
                )));
            };
            depth += 1;
            if depth > 64 {
                return Err(RuleError(format!("word lists nest too deep in {pattern}")));
            }
            out.push_str(&format!("(?:{})", expand(list, words)?));
        } else {
            // A repetition such as `{0,3}`: regex syntax, kept.
            out.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out.replace(r"\b", r"(?-u:\b)").replace(r"\w", "[a-z0-9']"))
}

fn lead(lead_words: &[String]) -> String {
    format!(
        r#"(?:^|[.!?;:,(\n"\-] ?)(?:(?:{}),? )*"#,
        lead_words.join("|")
    )
}

fn compile_one(source: &str) -> Result<Regex, RuleError> {
    Regex::new(source).map_err(|e| RuleError(format!("{source}: {e}")))
}

fn any_of(
    patterns: &[String],
    words: &BTreeMap<String, String>,
    anchored: bool,
) -> Result<Option<Regex>, RuleError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let parts: Result<Vec<String>, RuleError> = patterns.iter().map(|p| expand(p, words)).collect();
    let body = parts?.join("|");
    let source = if anchored {
        format!(r"^(?:{body})")
    } else {
        format!(r"(?-u:\b)(?:{body})(?-u:\b)")
    };
    compile_one(&source).map(Some)
}

impl Rules {
    pub fn load() -> Result<Rules, RuleError> {
        let file = rule_file()?;
        Rules::compile(&file)
    }

    pub fn compile(file: &RuleFile) -> Result<Rules, RuleError> {
        let lead = lead(&file.lead_words);
        let mut cues = Vec::new();
        let mut sources = Vec::new();
        let mut questions = Vec::new();
        let mut not_questions = Vec::new();
        for (lang, rules) in &file.languages {
            for rule in &rules.cues {
                let body = expand(&rule.pattern, &file.words)?;
                // The cue ends where a word ends (or at a punctuation mark it names itself, as
                // in "Tip:"): without look-ahead, the character after it is part of the match.
                let source = match rule.at {
                    At::Start => format!(r"{lead}(?P<cue>{body})(?:[^a-z0-9']|$)"),
                    At::Any => format!(r"(?-u:\b)(?P<cue>{body})(?:[^a-z0-9']|$)"),
                };
                let re = compile_one(&source)?;
                let gaps = re
                    .capture_names()
                    .enumerate()
                    .filter(|(_, name)| name.is_some_and(|n| n.starts_with("gap")))
                    .map(|(i, _)| i)
                    .collect();
                cues.push(Cue {
                    id: format!("{lang}.{}", rule.id),
                    re,
                    gaps,
                    form: rule.form,
                    contexts: rule.contexts.clone(),
                    unless: any_of(&rule.unless, &file.words, false)?,
                    unless_here: any_of(&rule.unless_here, &file.words, true)?,
                });
                sources.push(source);
            }
            for q in &rules.questions {
                questions.push(expand(q, &file.words)?);
            }
            for q in &rules.not_questions {
                not_questions.push(expand(q, &file.words)?);
            }
        }
        let set_for = |w: Where| -> Result<(RegexSet, Vec<usize>), RuleError> {
            let index: Vec<usize> = (0..cues.len())
                .filter(|&i| cues[i].contexts.contains(&w))
                .collect();
            let set = RegexSet::new(index.iter().map(|&i| &sources[i]))
                .map_err(|e| RuleError(format!("the set of cues: {e}")))?;
            Ok((set, index))
        };
        let sets = [set_for(Where::Question)?, set_for(Where::Analysis)?];
        // Question openings count at the start of a sentence only: after a comma, "dass du" or
        // "wie ik" opens a subordinate clause, not a question.
        let sentence_lead = format!(
            r#"(?:^|[.!?;:\n(\"\-] ?)(?:(?:{}),? )*"#,
            file.lead_words.join("|")
        );
        let questions = compile_one(&format!(
            r"{sentence_lead}(?P<q>{})(?-u:\b)",
            questions.join("|")
        ))?;
        let not_questions = compile_one(&format!(r"^(?:{})(?-u:\b)", not_questions.join("|")))?;
        Ok(Rules {
            contractions: file.contractions.clone().into_iter().collect(),
            cues,
            sets,
            questions,
            not_questions,
        })
    }

    pub fn normalize(&self, text: &str) -> Normalized {
        normalize(text, &self.contractions)
    }

    /// Every cue that fires in `text` (normalised) where `context` applies.
    pub fn hits<'r>(&'r self, text: &str, context: Where) -> Vec<Hit<'r>> {
        let (set, index) = &self.sets[context as usize];
        let matched = set.matches(text);
        if !matched.matched_any() {
            return Vec::new();
        }
        let sentences = Sentences::of(text);
        let mut hits = Vec::new();
        for i in matched.iter() {
            let cue = &self.cues[index[i]];
            hits.extend(cue_hits(cue, text, &sentences));
        }
        hits
    }

    /// Whether a normalised text asks something: a question mark, or a question's or a request's
    /// opening at the start of a sentence.
    pub fn is_question(&self, text: &str) -> bool {
        text.contains('?')
            || self.questions.captures_iter(text).any(|c| {
                c.name("q")
                    .is_some_and(|q| !self.not_questions.is_match(&text[q.start()..]))
            })
    }

    #[cfg(test)]
    pub fn cue(&self, id: &str) -> Option<&Cue> {
        self.cues.iter().find(|c| c.id == id)
    }
}

pub(crate) fn cue_hits<'r>(cue: &'r Cue, text: &str, sentences: &Sentences) -> Vec<Hit<'r>> {
    let mut hits = Vec::new();
    for caps in cue.re.captures_iter(text) {
        let Some(m) = caps.name("cue") else { continue };
        let sentence = sentences.around(m.start());
        let in_question = sentence.question;
        let allowed = match cue.form {
            Form::Any => true,
            Form::Question => in_question,
            Form::Statement => !in_question,
        };
        if !allowed {
            continue;
        }
        if cue
            .unless
            .as_ref()
            .is_some_and(|u| u.is_match(&text[sentence.range.clone()]))
        {
            continue;
        }
        if cue
            .unless_here
            .as_ref()
            .is_some_and(|u| u.is_match(&text[m.start()..sentence.range.end]))
        {
            continue;
        }
        // Highlight the cue's words, not the words its gaps skipped.
        let mut ranges = vec![m.range()];
        for gap in cue.gaps.iter().filter_map(|&i| caps.get(i)) {
            if gap.is_empty() {
                continue;
            }
            ranges = ranges
                .into_iter()
                .flat_map(|r| {
                    if gap.start() >= r.end || gap.end() <= r.start {
                        vec![r]
                    } else {
                        vec![r.start..gap.start(), gap.end()..r.end]
                    }
                })
                .filter(|r| !r.is_empty())
                .collect();
        }
        let ranges = ranges
            .into_iter()
            .map(|r| trim(text, r))
            .filter(|r| !r.is_empty())
            .collect();
        hits.push(Hit {
            cue: &cue.id,
            ranges,
            in_question,
        });
    }
    hits
}

fn trim(text: &str, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let s = &text[r.clone()];
    let start = r.start + (s.len() - s.trim_start_matches([' ', ',']).len());
    let end = r.end - (s.len() - s.trim_end_matches([' ', ',']).len());
    start..end.max(start)
}

/// A sentence of normalised text: up to and including `.`, `!`, `?`, `;` or a line break.
pub(crate) struct Sentence {
    pub range: std::ops::Range<usize>,
    pub question: bool,
}

pub(crate) struct Sentences(Vec<Sentence>);

impl Sentences {
    pub fn of(text: &str) -> Sentences {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if matches!(bytes[i], b'.' | b'!' | b'?' | b';' | b'\n') {
                // "?!", "..." and "?." close one sentence.
                let mut end = i + 1;
                while end < bytes.len() && matches!(bytes[end], b'.' | b'!' | b'?') {
                    end += 1;
                }
                let question = text[i..end].contains('?');
                out.push(Sentence {
                    range: start..end,
                    question,
                });
                start = end;
                i = end;
            } else {
                i += 1;
            }
        }
        if start < bytes.len() {
            out.push(Sentence {
                range: start..bytes.len(),
                question: false,
            });
        }
        Sentences(out)
    }

    fn around(&self, at: usize) -> &Sentence {
        // A cue's match starts after the previous sentence's end mark.
        self.0
            .iter()
            .find(|s| s.range.contains(&at) || s.range.end > at)
            .or_else(|| self.0.last())
            .unwrap_or(&EMPTY)
    }
}

static EMPTY: Sentence = Sentence {
    range: 0..0,
    question: false,
};
