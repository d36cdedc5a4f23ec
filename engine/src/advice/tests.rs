use super::rules::{Rules, Where, rule_file};
use super::*;

fn rules() -> Rules {
    Rules::load().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_data_file_compiles_and_every_cue_catches_its_examples_and_passes_its_exceptions() {
    let file = rule_file().unwrap_or_else(|e| panic!("{e}"));
    let rules = rules();
    assert!(RULES.is_some());
    for lang in ["nl", "en", "de"] {
        assert!(file.languages.contains_key(lang), "{lang} missing");
    }
    let mut failures = Vec::new();
    for (lang, language) in &file.languages {
        assert!(
            !language.questions.is_empty(),
            "{lang}: no question openings"
        );
        for rule in &language.cues {
            let id = format!("{lang}.{}", rule.id);
            let cue = rules.cue(&id).expect("compiled");
            assert!(!rule.examples.is_empty(), "{id} has no example");
            let caught = |text: &str| {
                let normal = rules.normalize(text);
                rules.cue_fires(cue, &normal.text)
            };
            for example in &rule.examples {
                if !caught(example) {
                    failures.push(format!("{id} misses {example:?}"));
                }
            }
            for exception in &rule.not {
                if caught(exception) {
                    failures.push(format!("{id} catches {exception:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_index_of_first_words_finds_every_example_and_few_cues_are_tried_everywhere() {
    let file = rule_file().unwrap_or_else(|e| panic!("{e}"));
    let rules = rules();
    let mut failures = Vec::new();
    for (lang, language) in &file.languages {
        for rule in &language.cues {
            let id = format!("{lang}.{}", rule.id);
            for example in &rule.examples {
                let normal = rules.normalize(example);
                let found = [Where::Question, Where::Analysis]
                    .into_iter()
                    .filter(|w| rule.contexts.contains(w))
                    .any(|w| rules.hits(&normal.text, w).cues.contains(&id.as_str()));
                if !found {
                    failures.push(format!("{id}: the index misses {example:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let everywhere = rules.tried_everywhere();
    assert!(
        everywhere.len() <= 4,
        "cues tried at every clause start: {everywhere:?}"
    );
}

fn advice(text: &str, context: Context) -> Option<(bool, Vec<Cue>)> {
    match check(text, context) {
        Verdict::Advice { question, cues, .. } => Some((question, cues)),
        _ => None,
    }
}

/// The words a verdict points at, cut from the text as typed (UTF-16 offsets).
fn words(text: &str, cues: &[Cue]) -> Vec<String> {
    let utf16: Vec<u16> = text.encode_utf16().collect();
    cues.iter()
        .map(|c| String::from_utf16_lossy(&utf16[c.start as usize..c.end as usize]))
        .collect()
}

#[test]
fn the_phrases_the_first_version_missed_are_caught() {
    for text in [
        "Ik zou gewoon de huisarts inschakelen",
        "Mijn advies: je moet haar zoon vragen mee te gaan",
        "Je moet echt grenzen stellen.",
        "Zou je kunnen proberen om met de zoon te praten?",
        "Is het een idee om een brief te sturen?",
        "Heb je de ouders al gebeld?",
        "Lijkt het je niet handig om dit vast te leggen?",
        "Heb je al eens een time-out overwogen?",
    ] {
        assert!(advice(text, Context::Question).is_some(), "missed: {text}");
    }
    for text in [
        "Zou je misschien kunnen vertellen wat er toen gebeurde?",
        "Did you try to reach the GP that night?",
        "Haben Sie mit der Mutter gesprochen?",
    ] {
        assert_eq!(check(text, Context::Question), Verdict::Fine, "{text}");
    }
}

#[test]
fn the_member_sees_which_words_made_it_advice() {
    let text = "Oké. Heb je de ouders al gebeld?";
    let (question, cues) = advice(text, Context::Question).expect("advice");
    assert!(question);
    assert_eq!(words(text, &cues), ["Heb je", "al"]);

    // Offsets are in the text as typed: emoji, curly apostrophes and contractions included.
    let text = "🙂 Why don’t you just tell him?";
    let (_, cues) = advice(text, Context::Question).expect("advice");
    assert_eq!(words(text, &cues), ["Why don’t you"]);

    let text = "Je moet echt grenzen stellen.";
    let (question, cues) = advice(text, Context::Question).expect("advice");
    assert!(!question, "a statement");
    assert_eq!(words(text, &cues), ["Je moet"]);
}

#[test]
fn a_statement_that_asks_nothing_gets_the_hint_and_requests_to_tell_do_not() {
    for text in [
        "Wat een heftig verhaal.",
        "Ik herken dit heel erg.",
        "That must have been so hard for you.",
        "Das kenne ich aus meiner eigenen Arbeit.",
    ] {
        assert_eq!(
            check(text, Context::Question),
            Verdict::NotAQuestion,
            "{text}"
        );
    }
    for text in [
        "Ik ben benieuwd hoe de moeder reageerde.",
        "Vertel eens wat meer over die eerste ontmoeting.",
        "wat gebeurde er daarna",
        "Tell me more about how it started.",
        "Mich würde interessieren, wie die Mutter reagiert hat.",
    ] {
        assert_eq!(check(text, Context::Question), Verdict::Fine, "{text}");
    }
}

#[test]
fn analyses_are_checked_for_advice_in_the_third_person_too() {
    for text in [
        "Ik denk dat ze bang is, dus ze moet eerst met haar teamleider praten.",
        "She should speak to occupational health.",
        "Tom muss das einfach melden.",
    ] {
        assert!(advice(text, Context::Analysis).is_some(), "missed: {text}");
    }
    for text in [
        "Ze heeft het gevoel dat ze alles alleen moet doen.",
        "He could well be overloaded.",
        "Er könnte durchaus überlastet sein.",
    ] {
        assert_eq!(check(text, Context::Analysis), Verdict::Fine, "{text}");
    }
    // An analysis is never "not a question".
    assert_eq!(check("Wat een verhaal.", Context::Analysis), Verdict::Fine);
}

#[test]
fn case_hyphens_and_typographic_apostrophes_do_not_matter() {
    for text in [
        "WHY DON’T YOU ASK?",
        "wouldn’t it be easier to stop?",
        "HEB JE AL EENS EEN TIME-OUT OVERWOGEN",
        "Wie wär’s mit einem Gespräch unter vier Augen?",
    ] {
        assert!(advice(text, Context::Question).is_some(), "missed: {text}");
    }
}
