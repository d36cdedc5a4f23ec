//! Method templates: the built-in ones (JSON files embedded at build time) and the checks
//! every template passes, built-in or custom, with errors that name the offending field.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use kring_protocol::{
    InputKind, Language, Localized, MethodTemplate, PhaseTemplate, Role, TurnMode,
};
use serde::Deserialize;

/// Why a template was refused: the field path (e.g. `phases[2].minutes`) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub field: String,
    pub message: String,
}

impl TemplateError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        TemplateError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for TemplateError {}

pub const MAX_PHASES: usize = 30;
pub const MAX_MINUTES: u16 = 240;
pub const MAX_DOTS: u8 = 10;
const MAX_ID_CHARS: usize = 40;
const MAX_NAME_CHARS: usize = 80;
const MAX_DESCRIPTION_CHARS: usize = 2000;
const MAX_INSTRUCTION_CHARS: usize = 1000;

/// The id of the phase a follow-up meeting opens with; templates may not use it.
pub const REPORT_BACK_PHASE: &str = "report-back";

const BUILTIN_FILES: &[(&str, &str)] = &[
    ("basic.json", include_str!("../methods/basic.json")),
    ("incident.json", include_str!("../methods/incident.json")),
    ("gossip.json", include_str!("../methods/gossip.json")),
    ("balint.json", include_str!("../methods/balint.json")),
    ("tietze.json", include_str!("../methods/tietze.json")),
    ("troika.json", include_str!("../methods/troika.json")),
];

/// German and French texts of the built-in methods, kept apart from the templates (which
/// hold Dutch and English) so a method's rules and its translations change independently.
const TRANSLATION_FILES: &[(Language, &str)] = &[
    (Language::De, include_str!("../methods/i18n/de.json")),
    (Language::Fr, include_str!("../methods/i18n/fr.json")),
];

/// One language's texts of the built-in methods, by method id and phase id.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Translation {
    #[serde(rename = "report-back")]
    report_back: PhaseText,
    methods: BTreeMap<String, MethodText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MethodText {
    name: String,
    description: String,
    phases: BTreeMap<String, PhaseText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PhaseText {
    name: String,
    instruction: String,
}

static TRANSLATIONS: LazyLock<Vec<(Language, Translation)>> = LazyLock::new(|| {
    TRANSLATION_FILES
        .iter()
        .filter_map(|(lang, json)| Some((*lang, serde_json::from_str(json).ok()?)))
        .collect()
});

/// Sets the German or French text of `text` (missing ones fall back to English when shown).
fn set_language(text: &mut Localized, language: Language, value: &str) {
    let value = Some(value.to_owned());
    match language {
        Language::De => text.de = value,
        Language::Fr => text.fr = value,
        Language::Nl | Language::En => {}
    }
}

/// A built-in template with its German and French texts filled in.
fn translated(mut template: MethodTemplate) -> MethodTemplate {
    for (lang, tr) in TRANSLATIONS.iter() {
        let Some(method) = tr.methods.get(&template.id) else {
            continue;
        };
        set_language(&mut template.name, *lang, &method.name);
        set_language(&mut template.description, *lang, &method.description);
        for phase in &mut template.phases {
            if let Some(text) = method.phases.get(&phase.id) {
                set_language(&mut phase.name, *lang, &text.name);
                set_language(&mut phase.instruction, *lang, &text.instruction);
            }
        }
    }
    template
}

fn load_builtin() -> Vec<Result<MethodTemplate, TemplateError>> {
    BUILTIN_FILES
        .iter()
        .map(|(file, json)| {
            parse_template(json)
                .map(translated)
                .and_then(|t| validate(&t).map(|()| t))
                .map_err(|e| TemplateError::new(e.field, format!("{file}: {}", e.message)))
        })
        .collect()
}

// A broken built-in file is left out rather than taking the server down mid-flight;
// `check_builtin` refuses it at start-up and the tests refuse it before it ships.
static BUILTIN: LazyLock<Vec<MethodTemplate>> =
    LazyLock::new(|| load_builtin().into_iter().filter_map(Result::ok).collect());

/// The built-in methods, in the order a facilitator should see them.
pub fn builtin() -> &'static [MethodTemplate] {
    &BUILTIN
}

pub fn find(id: &str) -> Option<&'static MethodTemplate> {
    builtin().iter().find(|m| m.id == id)
}

/// Parses and validates every built-in file; the server calls this at start-up and refuses to
/// start on an error.
pub fn check_builtin() -> Result<(), TemplateError> {
    let mut ids = BTreeSet::new();
    for result in load_builtin() {
        let template = result?;
        if !ids.insert(template.id.clone()) {
            return Err(TemplateError::new(
                "id",
                "two built-in methods share this id",
            ));
        }
    }
    Ok(())
}

/// Parses a custom template. Errors name the field where parsing stopped.
pub fn parse_template(json: &str) -> Result<MethodTemplate, TemplateError> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| TemplateError::new("", e.to_string()))?;
    check_keyed_maps(&value)?;
    let mut de = serde_json::Deserializer::from_str(json);
    let template: MethodTemplate = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { String::new() } else { path };
        TemplateError::new(field, e.into_inner().to_string())
    })?;
    de.end()
        .map_err(|e| TemplateError::new("", e.to_string()))?;
    Ok(template)
}

/// The path tracker cannot name a map key that is an enum (a role, an input kind), so the two
/// keyed maps of a phase are checked first, where the key is still a string.
fn check_keyed_maps(value: &serde_json::Value) -> Result<(), TemplateError> {
    let Some(phases) = value.get("phases").and_then(serde_json::Value::as_array) else {
        return Ok(());
    };
    for (i, phase) in phases.iter().enumerate() {
        check_keyed::<Role, Vec<InputKind>>(
            phase.get("allow"),
            &format!("phases[{i}].allow"),
            "role",
        )?;
        check_keyed::<InputKind, u16>(
            phase.get("max_per_member"),
            &format!("phases[{i}].max_per_member"),
            "input kind",
        )?;
    }
    Ok(())
}

fn check_keyed<K, V>(
    map: Option<&serde_json::Value>,
    at: &str,
    key_noun: &str,
) -> Result<(), TemplateError>
where
    K: serde::de::DeserializeOwned,
    V: serde::de::DeserializeOwned,
{
    // Anything but an object is left to the full parse, which names it.
    let Some(serde_json::Value::Object(map)) = map else {
        return Ok(());
    };
    for (key, value) in map {
        let field = format!("{at}.{key}");
        if serde_json::from_value::<K>(serde_json::Value::String(key.clone())).is_err() {
            return Err(TemplateError::new(field, format!("unknown {key_noun}")));
        }
        serde_path_to_error::deserialize::<_, V>(value.clone()).map_err(|e| {
            let path = e.path().to_string();
            let field = match path.as_str() {
                "." => field.clone(),
                p if p.starts_with('[') => format!("{field}{p}"),
                p => format!("{field}.{p}"),
            };
            TemplateError::new(field, e.into_inner().to_string())
        })?;
    }
    Ok(())
}

/// The phase a follow-up meeting opens with: what became of last time's commitments.
pub fn report_back_phase() -> PhaseTemplate {
    let mut name = Localized::nl_en("Terugkoppeling", "Report back");
    let mut instruction = Localized::nl_en(
        "Wat is er gebeurd met de afspraken en adviezen van de vorige keer? \
         Wie iets had toegezegd, vertelt kort hoe het ging.",
        "What became of last time's commitments and advice? \
         Whoever promised something tells briefly how it went.",
    );
    for (lang, tr) in TRANSLATIONS.iter() {
        set_language(&mut name, *lang, &tr.report_back.name);
        set_language(&mut instruction, *lang, &tr.report_back.instruction);
    }
    PhaseTemplate {
        id: REPORT_BACK_PHASE.to_owned(),
        name,
        instruction,
        minutes: 10,
        turns: TurnMode::Free,
        allow: Default::default(),
        case_bringer_listens: false,
        max_per_member: Default::default(),
        case_bringer_notes: false,
        one_per_turn: false,
        round_order: Default::default(),
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= MAX_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn check_text(field: &str, text: &Localized, max: usize) -> Result<(), TemplateError> {
    let optional = [("de", &text.de), ("fr", &text.fr)]
        .into_iter()
        .filter_map(|(lang, v)| Some((lang, v.as_ref()?)));
    for (lang, value) in [("nl", &text.nl), ("en", &text.en)]
        .into_iter()
        .chain(optional)
    {
        let chars = value.trim().chars().count();
        if chars == 0 {
            return Err(TemplateError::new(
                format!("{field}.{lang}"),
                "must not be empty",
            ));
        }
        if chars > max {
            return Err(TemplateError::new(
                format!("{field}.{lang}"),
                format!("at most {max} characters"),
            ));
        }
    }
    Ok(())
}

/// The rules a template must follow to run.
pub fn validate(template: &MethodTemplate) -> Result<(), TemplateError> {
    if !valid_id(&template.id) {
        return Err(TemplateError::new(
            "id",
            "use 1 to 40 lowercase letters, digits and '-'",
        ));
    }
    check_text("name", &template.name, MAX_NAME_CHARS)?;
    check_text("description", &template.description, MAX_DESCRIPTION_CHARS)?;
    if !(1..=MAX_DOTS).contains(&template.dots_per_member) {
        return Err(TemplateError::new(
            "dots_per_member",
            format!("must be 1 to {MAX_DOTS}"),
        ));
    }
    if template.phases.is_empty() || template.phases.len() > MAX_PHASES {
        return Err(TemplateError::new(
            "phases",
            format!("a method has 1 to {MAX_PHASES} phases"),
        ));
    }
    let mut ids = BTreeSet::new();
    for (i, phase) in template.phases.iter().enumerate() {
        let at = format!("phases[{i}]");
        validate_phase(&at, phase)?;
        if !ids.insert(phase.id.as_str()) {
            return Err(TemplateError::new(
                format!("{at}.id"),
                "another phase has this id",
            ));
        }
    }
    Ok(())
}

fn validate_phase(at: &str, phase: &PhaseTemplate) -> Result<(), TemplateError> {
    if !valid_id(&phase.id) {
        return Err(TemplateError::new(
            format!("{at}.id"),
            "use 1 to 40 lowercase letters, digits and '-'",
        ));
    }
    if phase.id == REPORT_BACK_PHASE {
        return Err(TemplateError::new(
            format!("{at}.id"),
            "this id is reserved for the report-back phase",
        ));
    }
    check_text(&format!("{at}.name"), &phase.name, MAX_NAME_CHARS)?;
    check_text(
        &format!("{at}.instruction"),
        &phase.instruction,
        MAX_INSTRUCTION_CHARS,
    )?;
    if !(1..=MAX_MINUTES).contains(&phase.minutes) {
        return Err(TemplateError::new(
            format!("{at}.minutes"),
            format!("must be 1 to {MAX_MINUTES}"),
        ));
    }
    if phase.turns == TurnMode::CaseBringerOnly && phase.case_bringer_listens {
        return Err(TemplateError::new(
            format!("{at}.case_bringer_listens"),
            "the case-bringer cannot both listen and hold the floor",
        ));
    }
    if phase.one_per_turn && phase.turns != TurnMode::Round {
        return Err(TemplateError::new(
            format!("{at}.one_per_turn"),
            "one contribution per turn needs turns in a round",
        ));
    }
    for (role, kinds) in &phase.allow {
        let field = format!("{at}.allow.{}", role.as_str());
        if kinds.contains(&InputKind::Notepad) {
            return Err(TemplateError::new(
                field,
                "the notepad is allowed with case_bringer_notes, not here",
            ));
        }
        match role {
            Role::Screen => {
                return Err(TemplateError::new(
                    field,
                    "the screen cannot submit anything",
                ));
            }
            Role::Facilitator if kinds.iter().any(|k| !k.is_text()) => {
                return Err(TemplateError::new(
                    field,
                    "the facilitator can only be allowed text input",
                ));
            }
            Role::CaseBringer if phase.case_bringer_listens && !kinds.is_empty() => {
                return Err(TemplateError::new(
                    field,
                    "the case-bringer listens in this phase and cannot submit",
                ));
            }
            _ => {}
        }
        let distinct: BTreeSet<&InputKind> = kinds.iter().collect();
        if distinct.len() != kinds.len() {
            return Err(TemplateError::new(field, "a kind is listed twice"));
        }
    }
    for (kind, &max) in &phase.max_per_member {
        let field = format!("{at}.max_per_member.{}", kind.as_str());
        if !kind.is_text() {
            return Err(TemplateError::new(field, "only text input can be limited"));
        }
        if !phase.allow.values().any(|kinds| kinds.contains(kind)) {
            return Err(TemplateError::new(
                field,
                "this kind is not allowed in this phase",
            ));
        }
        if max == 0 {
            return Err(TemplateError::new(field, "must be at least 1"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_template_is_valid() {
        check_builtin().expect("built-in methods are valid");
        let ids: Vec<&str> = builtin().iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            ["basic", "incident", "gossip", "balint", "tietze", "troika"]
        );
        for m in builtin() {
            assert_eq!(find(&m.id), Some(m));
        }
        assert_eq!(find("nope"), None);
    }

    fn basic_json() -> serde_json::Value {
        serde_json::from_str(BUILTIN_FILES[0].1).expect("basic.json is JSON")
    }

    fn error_for(edit: impl FnOnce(&mut serde_json::Value)) -> TemplateError {
        let mut json = basic_json();
        edit(&mut json);
        parse_template(&json.to_string())
            .and_then(|t| validate(&t))
            .expect_err("the edit makes the template invalid")
    }

    #[test]
    fn parse_errors_name_the_field() {
        let e = error_for(|j| j["phases"][2]["minutes"] = "ten".into());
        assert_eq!(e.field, "phases[2].minutes");
        let e = error_for(|j| j["phases"][1]["turns"] = "shouting".into());
        assert_eq!(e.field, "phases[1].turns");
        let e = error_for(|j| j["phases"][0]["allow"]["participant"][0] = "gossip".into());
        assert_eq!(e.field, "phases[0].allow.participant[0]");
        let e = error_for(|j| j["phases"][0]["allow"]["boss"] = serde_json::json!([]));
        assert_eq!(e.field, "phases[0].allow.boss");
        let e =
            error_for(|j| j["phases"][2]["max_per_member"] = serde_json::json!({"question": -1}));
        assert_eq!(e.field, "phases[2].max_per_member.question");
        let e = error_for(|j| j["colour"] = "red".into());
        assert_eq!(e.field, "colour");
        assert!(parse_template("{").is_err());
        assert!(parse_template(&format!("{} x", basic_json())).is_err());
    }

    #[test]
    fn validation_errors_name_the_field() {
        type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
        let cases: Vec<(&str, Edit)> = vec![
            ("id", Box::new(|j| j["id"] = "Basic Model".into())),
            ("name.en", Box::new(|j| j["name"]["en"] = " ".into())),
            (
                "description.nl",
                Box::new(|j| j["description"]["nl"] = "".into()),
            ),
            (
                "dots_per_member",
                Box::new(|j| j["dots_per_member"] = 0.into()),
            ),
            (
                "dots_per_member",
                Box::new(|j| j["dots_per_member"] = 11.into()),
            ),
            ("phases", Box::new(|j| j["phases"] = serde_json::json!([]))),
            (
                "phases[2].minutes",
                Box::new(|j| j["phases"][2]["minutes"] = 0.into()),
            ),
            (
                "phases[2].minutes",
                Box::new(|j| j["phases"][2]["minutes"] = 241.into()),
            ),
            (
                "phases[1].id",
                Box::new(|j| j["phases"][1]["id"] = j["phases"][0]["id"].clone()),
            ),
            (
                "phases[0].id",
                Box::new(|j| j["phases"][0]["id"] = "report-back".into()),
            ),
            (
                "phases[0].id",
                Box::new(|j| j["phases"][0]["id"] = "a b".into()),
            ),
            (
                "phases[3].name.nl",
                Box::new(|j| j["phases"][3]["name"]["nl"] = "".into()),
            ),
            (
                "phases[3].instruction.en",
                Box::new(|j| j["phases"][3]["instruction"]["en"] = "x".repeat(1001).into()),
            ),
            (
                "phases[0].allow.screen",
                Box::new(|j| j["phases"][0]["allow"]["screen"] = serde_json::json!(["case"])),
            ),
            (
                "phases[0].allow.facilitator",
                Box::new(|j| j["phases"][0]["allow"]["facilitator"] = serde_json::json!(["vote"])),
            ),
            (
                "phases[2].allow.participant",
                Box::new(|j| {
                    j["phases"][2]["allow"]["participant"] =
                        serde_json::json!(["question", "question"])
                }),
            ),
            (
                "phases[2].allow.case_bringer",
                Box::new(|j| j["phases"][2]["case_bringer_listens"] = true.into()),
            ),
            (
                "phases[1].case_bringer_listens",
                Box::new(|j| {
                    j["phases"][1]["case_bringer_listens"] = true.into();
                    j["phases"][1]["allow"] = serde_json::json!({});
                }),
            ),
            (
                "phases[2].one_per_turn",
                Box::new(|j| {
                    j["phases"][2]["one_per_turn"] = true.into();
                    j["phases"][2]["turns"] = "free".into();
                }),
            ),
            (
                "phases[2].allow.case_bringer",
                Box::new(|j| {
                    j["phases"][2]["allow"]["case_bringer"] = serde_json::json!(["notepad"])
                }),
            ),
            (
                "phases[2].max_per_member.advice",
                Box::new(|j| j["phases"][2]["max_per_member"] = serde_json::json!({"advice": 2})),
            ),
            (
                "phases[2].max_per_member.question",
                Box::new(|j| j["phases"][2]["max_per_member"] = serde_json::json!({"question": 0})),
            ),
        ];
        for (field, edit) in cases {
            let e = error_for(edit);
            assert_eq!(e.field, field, "{e}");
            assert!(!e.message.is_empty());
        }
        let many: Vec<serde_json::Value> = (0..31)
            .map(|i| {
                let mut p = basic_json()["phases"][5].clone();
                p["id"] = format!("p{i}").into();
                p
            })
            .collect();
        let e = error_for(|j| j["phases"] = many.into());
        assert_eq!(e.field, "phases");
    }

    #[test]
    fn every_builtin_text_is_translated_into_german_and_french() {
        assert_eq!(
            TRANSLATIONS.len(),
            TRANSLATION_FILES.len(),
            "every translation file parses"
        );
        let mut missing = Vec::new();
        for m in builtin() {
            let mut texts = vec![(format!("{}.name", m.id), &m.name)];
            texts.push((format!("{}.description", m.id), &m.description));
            for p in &m.phases {
                texts.push((format!("{}.{}.name", m.id, p.id), &p.name));
                texts.push((format!("{}.{}.instruction", m.id, p.id), &p.instruction));
            }
            for (at, text) in texts {
                if text.de.is_none() {
                    missing.push(format!("de: {at}"));
                }
                if text.fr.is_none() {
                    missing.push(format!("fr: {at}"));
                }
            }
        }
        let rb = report_back_phase();
        assert!(rb.name.de.is_some() && rb.instruction.fr.is_some());
        assert_eq!(missing, Vec::<String>::new(), "untranslated built-in texts");
        // And nothing is translated that does not exist (a renamed phase leaves a stale entry).
        for (lang, tr) in TRANSLATIONS.iter() {
            for (id, method) in &tr.methods {
                let template = find(id).unwrap_or_else(|| panic!("{lang:?}: no method {id}"));
                for phase in method.phases.keys() {
                    assert!(
                        template.phases.iter().any(|p| &p.id == phase),
                        "{lang:?}: {id} has no phase {phase}"
                    );
                }
            }
        }
    }

    #[test]
    fn german_and_french_texts_are_checked_when_given() {
        let e = error_for(|j| j["phases"][1]["name"]["de"] = " ".into());
        assert_eq!(e.field, "phases[1].name.de");
        let e = error_for(|j| j["name"]["fr"] = "x".repeat(81).into());
        assert_eq!(e.field, "name.fr");
        let mut j = basic_json();
        j["name"]["de"] = "Grundmodell".into();
        let t = parse_template(&j.to_string()).expect("a German name is allowed");
        assert_eq!(t.name.get(Language::De), "Grundmodell");
        // A text without French shows the English one.
        assert_eq!(t.name.get(Language::Fr), t.name.en);
    }

    #[test]
    fn report_back_phase_is_itself_valid() {
        let mut phase = report_back_phase();
        phase.id = "renamed".to_owned();
        validate_phase("phases[0]", &phase).expect("valid");
    }
}
