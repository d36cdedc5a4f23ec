//! Method templates: an intervision method as data (an ordered list of phases).
//!
//! Built-in templates are JSON files embedded in the server; a facilitator may also send a custom
//! template when creating a session. The rules that check a template (unique phase ids, sane
//! minutes, ...) live in the engine; these are only the shapes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A text in the app's languages. Dutch and English are required; German and French are
/// optional (a custom template may leave them out), and where one is missing the English text
/// stands in.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub nl: String,
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub de: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub fr: Option<String>,
}

impl Localized {
    /// A text given in Dutch and English only.
    pub fn nl_en(nl: impl Into<String>, en: impl Into<String>) -> Localized {
        Localized {
            nl: nl.into(),
            en: en.into(),
            de: None,
            fr: None,
        }
    }

    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Nl => &self.nl,
            Language::En => &self.en,
            Language::De => self.de.as_deref().unwrap_or(&self.en),
            Language::Fr => self.fr.as_deref().unwrap_or(&self.en),
        }
    }
}

/// Language of a session (its default; every person may switch their own view).
#[derive(
    Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Hash, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Nl,
    En,
    De,
    Fr,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::Nl, Language::En, Language::De, Language::Fr];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Nl => "nl",
            Language::En => "en",
            Language::De => "de",
            Language::Fr => "fr",
        }
    }
}

/// Who someone is in a session. `Screen` is the read-only shared screen of a hybrid room.
#[derive(
    Serialize,
    Deserialize,
    TS,
    utoipa::ToSchema,
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Facilitator,
    CaseBringer,
    Participant,
    NoteTaker,
    Screen,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Facilitator,
        Role::CaseBringer,
        Role::Participant,
        Role::NoteTaker,
        Role::Screen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Facilitator => "facilitator",
            Role::CaseBringer => "case_bringer",
            Role::Participant => "participant",
            Role::NoteTaker => "note_taker",
            Role::Screen => "screen",
        }
    }
}

/// A kind of input a phase can allow. See the domain description for what each one means.
#[derive(
    Serialize,
    Deserialize,
    TS,
    utoipa::ToSchema,
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// A case proposal: a pitch of at most a few sentences.
    Case,
    /// A dot for a case proposal (dot voting while choosing the case).
    Vote,
    /// The case told by the case-bringer.
    Statement,
    /// A clarifying, open question.
    Question,
    /// The case-bringer's answer to a question.
    Answer,
    /// The core question, possibly reworded.
    KeyQuestion,
    /// A hypothesis, what strikes you.
    Analysis,
    Advice,
    /// Written privately; revealed all at once by the facilitator.
    PrivateNote,
    /// The case-bringer's response to advice: useful / not for me.
    Reaction,
    /// What the case-bringer will do.
    Commitment,
    /// Evaluation of the session.
    Reflection,
    /// The case-bringer's private notepad while listening: only they ever see it, in their
    /// summary. Allowed by a phase's `case_bringer_notes`, never through `allow`.
    Notepad,
}

impl InputKind {
    pub const ALL: [InputKind; 13] = [
        InputKind::Case,
        InputKind::Vote,
        InputKind::Statement,
        InputKind::Question,
        InputKind::Answer,
        InputKind::KeyQuestion,
        InputKind::Analysis,
        InputKind::Advice,
        InputKind::PrivateNote,
        InputKind::Reaction,
        InputKind::Commitment,
        InputKind::Reflection,
        InputKind::Notepad,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Case => "case",
            InputKind::Vote => "vote",
            InputKind::Statement => "statement",
            InputKind::Question => "question",
            InputKind::Answer => "answer",
            InputKind::KeyQuestion => "key_question",
            InputKind::Analysis => "analysis",
            InputKind::Advice => "advice",
            InputKind::PrivateNote => "private_note",
            InputKind::Reaction => "reaction",
            InputKind::Commitment => "commitment",
            InputKind::Reflection => "reflection",
            InputKind::Notepad => "notepad",
        }
    }

    /// Kinds that put a text item on a board (as opposed to acting on an existing item).
    pub fn is_text(self) -> bool {
        !matches!(self, InputKind::Vote | InputKind::Reaction)
    }
}

/// How turns are taken in a phase.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum TurnMode {
    /// Raise a hand, wait in the queue, the facilitator gives the floor.
    Free,
    /// Round-robin over the present members, each may pass.
    Round,
    /// Only the case-bringer speaks.
    CaseBringerOnly,
    /// Everyone writes privately; nobody has the floor.
    Silent,
}

/// An intervision method: an ordered list of phases.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MethodTemplate {
    /// Stable identifier, lowercase letters, digits and `-` (e.g. `basic`, `incident`).
    #[schema(pattern = "^[a-z0-9-]{1,40}$")]
    pub id: String,
    pub name: Localized,
    pub description: Localized,
    /// Dots each member may give while choosing a case (dot voting).
    #[serde(default = "default_dots")]
    #[schema(minimum = 1, maximum = 10)]
    pub dots_per_member: u8,
    /// Each member becomes the case-bringer once (Troika): `next_phase` after the last phase
    /// starts the method again as a new case round with the next member (join order) who has
    /// not brought a case in this meeting yet.
    #[serde(default, skip_serializing_if = "is_false")]
    #[ts(as = "Option<bool>", optional)]
    pub rotate_case_bringer: bool,
    #[schema(min_items = 1, max_items = 30)]
    pub phases: Vec<PhaseTemplate>,
}

impl MethodTemplate {
    pub fn rotates(&self) -> bool {
        self.rotate_case_bringer
    }
}

fn default_dots() -> u8 {
    3
}

/// One phase of a method.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PhaseTemplate {
    /// Unique within the method, lowercase letters, digits and `-`.
    #[schema(pattern = "^[a-z0-9-]{1,40}$")]
    pub id: String,
    pub name: Localized,
    /// What the phase asks of people, in plain words ("Ask open questions. No advice yet.").
    pub instruction: Localized,
    /// Default time box in minutes.
    #[schema(minimum = 1, maximum = 240)]
    pub minutes: u16,
    pub turns: TurnMode,
    /// Which kinds of input each role may submit in this phase. A role that is absent may
    /// submit nothing. The facilitator's control commands are not listed here.
    #[serde(default)]
    #[ts(type = "Partial<Record<Role, Array<InputKind>>>")]
    pub allow: BTreeMap<Role, Vec<InputKind>>,
    /// "Back turned": the case-bringer hears everything but may not post or speak.
    #[serde(default)]
    pub case_bringer_listens: bool,
    /// At most this many items of a kind per member in this phase (e.g. 3 questions each).
    #[serde(default)]
    #[ts(type = "Partial<Record<InputKind, number>>")]
    pub max_per_member: BTreeMap<InputKind, u16>,
    /// The case-bringer may keep a private notepad in this phase (also while listening).
    #[serde(default, skip_serializing_if = "is_false")]
    #[ts(as = "Option<bool>", optional)]
    pub case_bringer_notes: bool,
    /// One contribution per turn (a `round` phase): written input that takes a turn is
    /// accepted only from the member who holds the floor, one item per turn.
    #[serde(default, skip_serializing_if = "is_false")]
    #[ts(as = "Option<bool>", optional)]
    pub one_per_turn: bool,
    /// Where the case-bringer comes in a round of this phase (default: join order).
    #[serde(default, skip_serializing_if = "RoundOrder::is_default")]
    #[ts(as = "Option<RoundOrder>", optional)]
    pub round_order: RoundOrder,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The order of a round, as the method prescribes it. The facilitator can still reorder.
#[derive(
    Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum RoundOrder {
    /// Members in the order they joined.
    #[default]
    Joined,
    /// The case-bringer speaks first (e.g. in an evaluation).
    CaseBringerFirst,
    /// The case-bringer speaks after hearing the group (e.g. rewording the core question).
    CaseBringerLast,
}

impl RoundOrder {
    fn is_default(&self) -> bool {
        *self == RoundOrder::Joined
    }
}

impl PhaseTemplate {
    /// The kinds `role` may submit in this phase.
    pub fn allowed(&self, role: Role) -> &[InputKind] {
        self.allow.get(&role).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn allows(&self, role: Role, kind: InputKind) -> bool {
        self.allowed(role).contains(&kind)
    }
}
