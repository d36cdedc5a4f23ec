//! The rules as data (`engine/data/advice_patterns.json`), compiled once.
//!
//! A *cue* is a regular expression over normalised text ([`super::normalize`]) that marks a
//! phrase as advice-like. The `regex` crate has no look-around, so what a cue must not catch is
//! its own list: `unless` (anywhere in the same sentence: "eerder", "that night", "vertellen")
//! and `unless_here` (at the very place the cue matched, e.g. an imperative verb followed by a
//! subject pronoun is a question). Patterns stay readable: `{NAME}` is a word list from
//! `words`, `{gap:N}` (or `{gap:M-N}`) skips up to N words (which are then not highlighted),
//! and the engine decides where a cue may start (`at: start`: the start of a sentence or clause,
//! after a connecting word such as "en", "but", "und").
//!
//! Speed: the normalised text is ASCII where the patterns look, so everything is compiled
//! byte-wise without Unicode classes (small automata). The starts of clauses, and the same
//! places after their connecting words, are found by plain code; at each, only the `start`
//! cues that can begin with the word found there are tried, anchored ([`super::openings`]
//! reads the words from the patterns). The `any` cues run as one set over the whole text. Only
//! a cue that fires is run again for its words and its exceptions. A first version ran one set
//! with the optional connecting words in front of every cue; its lazy automaton gave up and a
//! text cost up to milliseconds (docs/PERFORMANCE.md).

use std::collections::BTreeMap;
use std::ops::Range;

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

use super::normalize::{Contractions, Normalized, normalize};
use super::openings::first_words;
use super::words::WordMap;

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
    /// Words of the pattern that frame the advice ("ik denk dat", "I think") rather than give
    /// it: not highlighted.
    #[serde(default)]
    pub quiet: Vec<String>,
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
    at: At,
    /// Anchored: the cue at the start of the haystack, and the character that ends it.
    re: Regex,
    /// The words the pattern names itself: what is highlighted of a match (the words a gap
    /// skipped are not among them).
    words: WordMap<()>,
    form: Form,
    contexts: Vec<Where>,
    unless: Option<Regex>,
    unless_here: Option<Regex>,
}

/// The cues that fired in a text: their ids, the normalised byte ranges of their words, and
/// whether one of them is in a question. Gathered in two vectors, however many fire.
#[derive(Default)]
pub(crate) struct Hits<'r> {
    pub cues: Vec<&'r str>,
    pub ranges: Vec<Range<usize>>,
    pub in_question: bool,
}

impl Hits<'_> {
    pub fn is_empty(&self) -> bool {
        self.cues.is_empty()
    }
}

/// Cues by the words they can begin with, and those that can begin with anything.
#[derive(Default)]
struct Index {
    /// Cues that fit a first word, whatever follows it.
    by_first: WordMap<Vec<usize>>,
    /// Cues that fit a first and a second word, keyed by both with one space between.
    by_pair: WordMap<Vec<usize>>,
    always: Vec<usize>,
}

impl Index {
    /// The cues that can begin with `first` (and the word after it, if `pair` is given: the
    /// text of both words with one space between).
    fn fitting(&self, first: &[u8], pair: Option<&[u8]>, out: &mut Vec<usize>) {
        out.clear();
        if let Some(cues) = self.by_first.get(first) {
            out.extend_from_slice(cues);
        }
        if let Some(cues) = pair.and_then(|p| self.by_pair.get(p)) {
            out.extend_from_slice(cues);
        }
        out.extend_from_slice(&self.always);
        if out.len() > 1 {
            out.sort_unstable();
            out.dedup();
        }
    }
}

/// One context's cues: `start` cues, tried at the start of each clause, and `any` cues, tried
/// at the start of each word.
struct Sets {
    start: Index,
    any: Index,
}

pub(crate) struct Rules {
    contractions: Contractions,
    /// Connecting words that may come before a cue; a lead of several words is kept whole.
    leads: WordMap<()>,
    pub cues: Vec<Cue>,
    sets: [Sets; 2],
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

/// `{NAME}` and `{gap:N}` written out; `\w` as the characters of a normalised word.
fn expand(pattern: &str, words: &BTreeMap<String, String>) -> Result<String, RuleError> {
    if !pattern.is_ascii() {
        return Err(RuleError(format!(
            "not ASCII (write the normalised form): {pattern}"
        )));
    }
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut rest = pattern;
    let mut depth = 0;
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
            out.push_str(&format!("(?:{WORD},? ){{{min},{max}}}?"));
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
    Ok(out.replace(r"\w", "[a-z0-9']"))
}

fn compile_one(source: &str) -> Result<Regex, RuleError> {
    RegexBuilder::new(source)
        .unicode(false)
        .build()
        .map_err(|e| RuleError(format!("{source}: {e}")))
}

/// The literal words of an expanded pattern (outside classes, escapes and group names).
fn literal_words(pattern: &str) -> WordMap<()> {
    let b = pattern.as_bytes();
    let mut words = WordMap::default();
    let mut word = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'[' {
            while i < b.len() && b[i] != b']' {
                i += 1;
            }
        } else if c == b'\\' {
            i += 1;
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'\'' {
            word.push(c);
            i += 1;
            continue;
        } else if c == b'(' && b[i..].starts_with(b"(?P<") {
            while i < b.len() && b[i] != b'>' {
                i += 1;
            }
        }
        if !word.is_empty() {
            words.entry(&word, || ());
            word.clear();
        }
        i += 1;
    }
    if !word.is_empty() {
        words.entry(&word, || ());
    }
    words
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
        format!(r"\b(?:{body})\b")
    };
    compile_one(&source).map(Some)
}

impl Rules {
    pub fn load() -> Result<Rules, RuleError> {
        let file = rule_file()?;
        Rules::compile(&file)
    }

    pub fn compile(file: &RuleFile) -> Result<Rules, RuleError> {
        let mut cues = Vec::new();
        let mut bodies = Vec::new();
        let mut questions = Vec::new();
        let mut not_questions = Vec::new();
        for (lang, rules) in &file.languages {
            for rule in &rules.cues {
                let body = expand(&rule.pattern, &file.words)?;
                // The cue ends where a word ends (or at a punctuation mark it names itself, as
                // in "Tip:"): without look-ahead, the character after it is part of the match.
                let re = compile_one(&format!(r"^(?:{body})(?:[^a-z0-9']|$)"))?;
                cues.push(Cue {
                    id: format!("{lang}.{}", rule.id),
                    at: rule.at,
                    re,
                    words: {
                        let mut words = literal_words(&body);
                        for quiet in &rule.quiet {
                            words.remove(quiet.as_bytes());
                        }
                        words
                    },
                    form: rule.form,
                    contexts: rule.contexts.clone(),
                    unless: any_of(&rule.unless, &file.words, false)?,
                    unless_here: any_of(&rule.unless_here, &file.words, true)?,
                });
                bodies.push(body);
            }
            for q in &rules.questions {
                questions.push(expand(q, &file.words)?);
            }
            for q in &rules.not_questions {
                not_questions.push(expand(q, &file.words)?);
            }
        }
        let index = |w: Where, at: At| -> Index {
            let mut index = Index::default();
            for i in (0..cues.len()).filter(|&i| cues[i].contexts.contains(&w) && cues[i].at == at)
            {
                match first_words(&bodies[i]) {
                    Some(words) => {
                        for (first, second) in words {
                            let list = match second {
                                None => index.by_first.entry(first.as_bytes(), Vec::new),
                                Some(second) => index
                                    .by_pair
                                    .entry(format!("{first} {second}").as_bytes(), Vec::new),
                            };
                            if list.last() != Some(&i) {
                                list.push(i);
                            }
                        }
                    }
                    None => index.always.push(i),
                }
            }
            index
        };
        let sets = [Where::Question, Where::Analysis].map(|w| Sets {
            start: index(w, At::Start),
            any: index(w, At::Any),
        });
        let questions = compile_one(&format!(r"^(?:{})\b", questions.join("|")))?;
        let not_questions = compile_one(&format!(r"^(?:{})\b", not_questions.join("|")))?;
        Ok(Rules {
            contractions: Contractions::new(&file.contractions),
            leads: {
                let mut leads = WordMap::default();
                for w in &file.lead_words {
                    leads.entry(w.as_bytes(), || ());
                }
                leads
            },
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
    pub fn hits<'r>(&'r self, text: &str, context: Where) -> Hits<'r> {
        let sets = &self.sets[context as usize];
        let bytes = text.as_bytes();
        let mut hits = Hits::default();
        let mut sentences: Option<Sentences> = None;
        let mut fitting = Vec::new();
        let tokens = self.tokens(bytes);
        for (i, token) in tokens.iter().enumerate() {
            let first = &bytes[token.start..token.end];
            // The word and the next one, when one space is all that is between them.
            let pair = tokens
                .get(i + 1)
                .filter(|next| next.start == token.end + 1 && bytes[token.end] == b' ')
                .map(|next| &bytes[token.start..next.end]);
            for index in [&sets.start, &sets.any] {
                if std::ptr::eq(index, &sets.start) && !token.clause {
                    continue;
                }
                index.fitting(first, pair, &mut fitting);
                for &c in &fitting {
                    let cue = &self.cues[c];
                    if let Some(m) = cue.re.find(&bytes[token.start..]) {
                        let sentences = sentences.get_or_insert_with(|| Sentences::of(text));
                        let range = token.start..token.start + m.end();
                        hit(cue, bytes, range, sentences, &mut hits);
                    }
                }
            }
        }
        hits
    }

    /// Whether a normalised text asks something: a question mark, or a question's or a request's
    /// opening at the start of a sentence (after a comma, "dass du" or "wie ik" opens a
    /// subordinate clause, not a question).
    pub fn is_question(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        text.contains('?')
            || self.clause_starts(bytes).iter().any(|s| {
                s.sentence
                    && self.questions.is_match(&bytes[s.at..])
                    && !self.not_questions.is_match(&bytes[s.at..])
            })
    }

    /// The words of a normalised text, each marked where a `start` cue may begin there: at the
    /// start, after a punctuation mark (and one space), and after a connecting word that follows
    /// one ("Oké, en heb je..."). The same places as [`Rules::clause_starts`], in one pass.
    fn tokens(&self, text: &[u8]) -> Vec<Token> {
        let mut out: Vec<Token> = Vec::with_capacity(text.len() / 4);
        let mut i = 0;
        let mut prev_end = 0;
        while i < text.len() {
            if !is_word_byte(text[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < text.len() && is_word_byte(text[i]) {
                i += 1;
            }
            let gap = &text[prev_end..start];
            let gap = gap.strip_suffix(b" ").unwrap_or(gap);
            let clause = match gap.last() {
                None => out.is_empty() || self.after_leads(text, &out),
                Some(p) => matches!(
                    p,
                    b'.' | b'!' | b'?' | b';' | b':' | b',' | b'\n' | b'(' | b'"' | b'-'
                ),
            };
            out.push(Token {
                start,
                end: i,
                clause,
            });
            prev_end = i;
        }
        out
    }

    /// Whether the words before the next one end in a connecting word (of one to three words)
    /// that itself stands where a cue may begin.
    fn after_leads(&self, text: &[u8], before: &[Token]) -> bool {
        for n in 1..=3.min(before.len()) {
            let words = &before[before.len() - n..];
            if !words[0].clause {
                continue;
            }
            if self.leads.contains(&text[words[0].start..words[n - 1].end]) {
                return true;
            }
        }
        false
    }

    /// Where a cue may start: the start of the text, after a punctuation mark (and one space),
    /// and after each connecting word that follows one ("Oké, en heb je...").
    fn clause_starts(&self, text: &[u8]) -> Vec<ClauseStart> {
        let mut out = Vec::with_capacity(16);
        let push_with_leads = |at: usize, sentence: bool, out: &mut Vec<ClauseStart>| {
            let mut at = at;
            out.push(ClauseStart { at, sentence });
            while let Some(next) = self.after_lead(text, at) {
                at = next;
                out.push(ClauseStart { at, sentence });
            }
        };
        push_with_leads(0, true, &mut out);
        for (i, &b) in text.iter().enumerate() {
            let sentence = match b {
                b'.' | b'!' | b'?' | b';' | b':' | b'\n' | b'(' | b'"' | b'-' => true,
                b',' => false,
                _ => continue,
            };
            let mut at = i + 1;
            if text.get(at) == Some(&b' ') {
                at += 1;
            }
            if at < text.len() {
                push_with_leads(at, sentence, &mut out);
            }
        }
        out
    }

    /// The position after a connecting word (of one to three words) at `at`, its comma and its
    /// space.
    fn after_lead(&self, text: &[u8], at: usize) -> Option<usize> {
        let mut end = at;
        for _ in 0..3 {
            while end < text.len() && (text[end].is_ascii_lowercase() || text[end] == b'\'') {
                end += 1;
            }
            if end == at {
                return None;
            }
            if self.leads.contains(&text[at..end]) {
                let mut next = end;
                if text.get(next) == Some(&b',') {
                    next += 1;
                }
                return (text.get(next) == Some(&b' ')).then_some(next + 1);
            }
            if text.get(end) != Some(&b' ') {
                return None;
            }
            end += 1;
        }
        None
    }

    #[cfg(test)]
    pub fn cue(&self, id: &str) -> Option<&Cue> {
        self.cues.iter().find(|c| c.id == id)
    }

    /// The `start` cues tried at every clause start, because their first word is not a list.
    #[cfg(test)]
    pub fn tried_everywhere(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .sets
            .iter()
            .flat_map(|s| s.start.always.iter().chain(&s.any.always))
            .map(|&i| self.cues[i].id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Whether one cue fires anywhere it may start in `text`, without the index of first words
    /// (the unit tests check each cue so).
    #[cfg(test)]
    pub fn cue_fires(&self, cue: &Cue, text: &str) -> bool {
        let bytes = text.as_bytes();
        let sentences = Sentences::of(text);
        let starts: Vec<usize> = match cue.at {
            At::Any => word_spans(bytes).map(|w| w.start).collect(),
            At::Start => self.clause_starts(bytes).iter().map(|s| s.at).collect(),
        };
        let mut hits = Hits::default();
        for at in starts {
            if let Some(m) = cue.re.find(&bytes[at..]) {
                hit(cue, bytes, at..at + m.end(), &sentences, &mut hits);
            }
        }
        !hits.is_empty()
    }
}

struct Token {
    start: usize,
    end: usize,
    /// A `start` cue may begin here.
    clause: bool,
}

struct ClauseStart {
    at: usize,
    /// At the start of a sentence (not after a comma).
    sentence: bool,
}

/// Whether a match of `cue` at `range` (the cue and the character that ends it) counts; if it
/// does, adds it and the runs of its own words (not the words its gaps skipped) to `hits`.
fn hit<'r>(
    cue: &'r Cue,
    text: &[u8],
    range: Range<usize>,
    sentences: &Sentences,
    hits: &mut Hits<'r>,
) {
    let start = range.start;
    let mut end = range.end;
    if end > start && !is_word_byte(text[end - 1]) {
        end -= 1;
    }
    let sentence = sentences.around(start);
    let in_question = sentence.question;
    let allowed = match cue.form {
        Form::Any => true,
        Form::Question => in_question,
        Form::Statement => !in_question,
    };
    if !allowed {
        return;
    }
    if cue
        .unless
        .as_ref()
        .is_some_and(|u| u.is_match(&text[sentence.range.clone()]))
    {
        return;
    }
    let sentence_end = sentence.range.end.max(range.end);
    if cue
        .unless_here
        .as_ref()
        .is_some_and(|u| u.is_match(&text[start..sentence_end]))
    {
        return;
    }
    hits.cues.push(&cue.id);
    hits.in_question |= in_question;
    // Highlight the cue's own words at the start and at the end of the match; the words in
    // between are mostly what its gaps skipped ("Heb je [de ouders] al"), even where one of
    // them is also a word of the pattern.
    let spans: Vec<Range<usize>> = word_spans(&text[start..end])
        .map(|r| start + r.start..start + r.end)
        .collect();
    let ours = |r: &Range<usize>| cue.words.contains(&text[r.clone()]);
    let lead = spans.iter().take_while(|r| ours(r)).count();
    let tail = spans.iter().rev().take_while(|r| ours(r)).count();
    if lead == 0 && tail == 0 {
        hits.ranges.push(start..end);
    } else if lead + tail >= spans.len() {
        hits.ranges.push(spans[0].start..spans[spans.len() - 1].end);
    } else {
        if lead > 0 {
            hits.ranges.push(spans[0].start..spans[lead - 1].end);
        }
        if tail > 0 {
            hits.ranges
                .push(spans[spans.len() - tail].start..spans[spans.len() - 1].end);
        }
    }
}

/// The words of `text`, as ranges.
fn word_spans(text: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < text.len() && !is_word_byte(text[i]) {
            i += 1;
        }
        if i == text.len() {
            return None;
        }
        let start = i;
        while i < text.len() && is_word_byte(text[i]) {
            i += 1;
        }
        Some(start..i)
    })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'\'' || b >= 0x80
}

/// A sentence of normalised text: up to and including `.`, `!`, `?`, `;` or a line break.
pub(crate) struct Sentence {
    pub range: Range<usize>,
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
                let question = bytes[i..end].contains(&b'?');
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
