//! Advice disguised as a question ("Have you tried ...?", "Heb je al eens ...?").
//!
//! Separating questions from advice is the rule practitioners insist on most, and the most
//! common way it is broken is a suggestion phrased as a question. The openings that give it
//! away are data (`engine/data/advice_patterns.json`, NL/EN/DE), compiled once. A pattern only
//! counts at the start of a sentence: "What have you tried?" is open, "Have you tried X?" is
//! advice.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

const PATTERNS_JSON: &str = include_str!("../data/advice_patterns.json");

/// Where a pattern may start: the start of the text or of a sentence or clause, after opening
/// quotes or dashes, optionally after a connecting word ("En heb je ...", "But why don't ...").
const LEAD: &str = r#"(?:^|[.!?;:,\n])[\s"'“‘„«(\-–—]*(?:(?:en|maar|dus|of|oké|ok|okay|and|but|so|or|well|und|aber|also|oder|na)[\s,]+)?"#;

#[derive(Deserialize)]
pub(crate) struct PatternFile {
    pub languages: BTreeMap<String, Vec<Pattern>>,
}

#[derive(Deserialize)]
pub(crate) struct Pattern {
    pub pattern: String,
    /// Real phrasings the pattern must catch (checked by the tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub examples: Vec<String>,
}

pub(crate) fn pattern_file() -> Result<PatternFile, serde_json::Error> {
    serde_json::from_str(PATTERNS_JSON)
}

/// A pattern as written in the data file, as a regular expression: a space stands for one or
/// more whitespace characters, so the file stays readable.
pub(crate) fn expand(pattern: &str) -> String {
    pattern
        .split(' ')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(r"\s+")
}

pub(crate) fn compile(patterns: &[&str]) -> Result<Regex, regex::Error> {
    let alternatives: Vec<String> = patterns
        .iter()
        .map(|p| format!("(?:{})", expand(p)))
        .collect();
    Regex::new(&format!("(?i){LEAD}(?:{})\\b", alternatives.join("|")))
}

// A broken data file disables the check rather than the room; the unit tests make sure it
// never ships broken.
static MATCHER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let file = pattern_file().ok()?;
    let patterns: Vec<&str> = file
        .languages
        .values()
        .flatten()
        .map(|p| p.pattern.as_str())
        .collect();
    compile(&patterns).ok()
});

/// Typographic apostrophes and quotes are what phones type; the patterns use plain ones.
fn normalize(text: &str) -> String {
    text.replace(['’', '‘', '`', '´'], "'")
}

/// Whether a question reads like advice. The member may rephrase or send it anyway.
pub fn reads_like_advice(text: &str) -> bool {
    MATCHER
        .as_ref()
        .is_some_and(|re| re.is_match(&normalize(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_compiles_and_every_pattern_catches_its_examples() {
        let file = pattern_file().expect("advice_patterns.json parses");
        assert!(MATCHER.is_some());
        for lang in ["nl", "en", "de"] {
            assert!(file.languages.contains_key(lang), "{lang} missing");
        }
        for (lang, patterns) in &file.languages {
            for p in patterns {
                let re = compile(&[&p.pattern])
                    .unwrap_or_else(|e| panic!("{lang}: {} does not compile: {e}", p.pattern));
                assert!(
                    !p.examples.is_empty(),
                    "{lang}: {} has no example",
                    p.pattern
                );
                for example in &p.examples {
                    assert!(
                        re.is_match(&normalize(example)),
                        "{lang}: {} misses {example:?}",
                        p.pattern
                    );
                }
            }
        }
    }

    fn caught(list: &[&str]) {
        for q in list {
            assert!(reads_like_advice(q), "not caught: {q:?}");
        }
    }

    fn passes(list: &[&str]) {
        for q in list {
            assert!(!reads_like_advice(q), "wrongly caught: {q:?}");
        }
    }

    #[test]
    fn dutch_advice_is_caught() {
        caught(&[
            "Heb je al eens geprobeerd om het gewoon te zeggen?",
            "heb je al eens overwogen om een andere baan te zoeken?",
            "Heb je er wel eens aan gedacht om je leidinggevende in te schakelen?",
            "Denk je niet dat je het te persoonlijk opvat?",
            "Zou je niet eerst met de ouders moeten praten?",
            "Waarom ga je niet gewoon naar je teamleider?",
            "Waarom doe je niet wat zij vraagt?",
            "Is het geen idee om een time-out te nemen?",
            "Kun je niet gewoon zeggen dat het zo niet gaat?",
            "Ik hoor wat je zegt. Maar heb je al eens geprobeerd om het op te schrijven?",
            "Oké, en zou het niet handiger zijn om het per mail te doen?",
            "Misschien kan je het aan je collega vragen?",
            "Wat als je het eerst met je team bespreekt?",
        ]);
    }

    #[test]
    fn dutch_open_questions_pass() {
        passes(&[
            "Wat maakt het voor jou zo lastig?",
            "Hoe heb je dat ervaren?",
            "Wat heb je al geprobeerd?",
            "Wat deed je toen hij dat zei?",
            "Hoe reageerde je team?",
            "Wat zou je willen bereiken met dit gesprek?",
            "Waarom is dit zo belangrijk voor je?",
            "Heb je dit eerder meegemaakt?",
            "Wie waren er nog meer bij betrokken?",
            "Zou je eens kunnen vertellen hoe dat gesprek verliep?",
            "Wat gebeurde er daarna?",
        ]);
    }

    #[test]
    fn english_advice_is_caught() {
        caught(&[
            "Have you tried talking to her about it?",
            "Have you ever considered changing teams?",
            "Why don't you just ask him?",
            "Don't you think you're being too hard on yourself?",
            "Wouldn't it be better to wait until Monday?",
            "What if you set a clear deadline?",
            "Couldn't you ask your manager for support?",
            "Could you not delegate some of it?",
            "Shouldn't you document this?",
            "Have you thought about involving HR?",
            "Haven’t you tried a one-on-one?",
            "OK, but why not just say no?",
            "Did you try asking her what she needs?",
        ]);
    }

    #[test]
    fn english_open_questions_pass() {
        passes(&[
            "What did you try so far?",
            "How did the team react?",
            "What have you tried?",
            "What happened next?",
            "How did that feel for you?",
            "What makes this hard for you?",
            "Have you ever felt like this before?",
            "What do you think is going on for her?",
            "Why did it matter so much to you?",
            "Why didn't it work, in your view?",
            "Who else was involved?",
        ]);
    }

    #[test]
    fn german_advice_is_caught() {
        caught(&[
            "Hast du schon einmal daran gedacht, dass er überfordert sein könnte?",
            "Hast du schon mal probiert, ihr das direkt zu sagen?",
            "Hast du mal versucht, klare Grenzen zu setzen?",
            "Warum hast du nicht einfach nachgefragt?",
            "Solltest du nicht zuerst mit deinem Team reden?",
            "Wäre es nicht besser, das schriftlich festzuhalten?",
            "Könntest du nicht jemanden um Hilfe bitten?",
            "Kannst du das nicht einfach delegieren?",
            "Denkst du nicht, dass du zu viel übernimmst?",
            "Wie wäre es mit einem Gespräch unter vier Augen?",
            "Vielleicht solltest du eine Pause machen?",
        ]);
    }

    #[test]
    fn german_open_questions_pass() {
        passes(&[
            "Was hast du schon versucht?",
            "Wie hast du dich dabei gefühlt?",
            "Was ist dann passiert?",
            "Wie hat das Team reagiert?",
            "Was macht es für dich so schwierig?",
            "Wer war noch beteiligt?",
            "Hast du das schon einmal erlebt?",
            "Warum ist dir das so wichtig?",
        ]);
    }

    #[test]
    fn curly_apostrophes_and_case_do_not_matter() {
        caught(&["WHY DON’T YOU ASK?", "wouldn’t it be easier to stop?"]);
    }
}
