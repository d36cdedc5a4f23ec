//! The full view of a session, as one member may see it. Sent in `welcome` when events cannot
//! be replayed; from then on the client keeps it current by applying events.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{
    DisplayName, Item, ItemId, Language, Localized, MemberId, MethodTemplate, Millis,
    ReactionEntry, Role, RoomCode, SessionSettings, Text, Title,
};

#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Members are joining; the facilitator has not started.
    #[default]
    Lobby,
    Running,
    Ended,
}

#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SessionView {
    /// Canonical (`K7M3QX9PA`); shown grouped (`K7M-3QX-9PA`).
    pub code: RoomCode,
    pub title: Title,
    pub language: Language,
    /// The method of the running case round (`phase.index` and `Item.phase` index it).
    pub method: MethodTemplate,
    /// The running case round (0-based).
    pub case_round: u16,
    /// Every case round of the meeting so far, in order.
    pub cases: Vec<CaseRoundView>,
    /// What the facilitator chose when creating the session (e.g. whether anonymous input is
    /// allowed).
    pub settings: SessionSettings,
    pub status: SessionStatus,
    pub phase: Option<PhaseState>,
    pub locked: bool,
    pub case_bringer: Option<MemberId>,
    pub members: Vec<MemberView>,
    /// Raised hands, in queue order.
    pub hands: Vec<MemberId>,
    pub floor: Option<Floor>,
    pub round: Option<RoundView>,
    pub items: Vec<Item>,
    /// The reactions case-bringers shared, the same for every viewer (the screen too). A
    /// case-bringer's own, shared or not, are in `me.reactions`.
    pub reactions: Vec<ReactionEntry>,
    /// Commitments and kept cases carried over from the group's previous meeting.
    pub report_back: Option<ReportBack>,
    /// The group's name, as given at creation (on the attendance record and certificates).
    pub group_name: Option<String>,
    /// IANA time zone of the meeting (e.g. `Europe/Amsterdam`): the record's local times.
    pub time_zone: String,
    /// Who confirmed being present, and whether the facilitator confirmed the list.
    pub attendance: AttendanceState,
    pub me: Me,
}

/// The state of the attendance confirmations (no content, no registration numbers).
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct AttendanceState {
    /// Members who confirmed "I was present", in the order they did.
    pub confirmed: Vec<MemberId>,
    /// When the facilitator confirmed the list.
    pub list_confirmed_at: Option<Millis>,
}

#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PhaseState {
    pub index: u16,
    /// Changes every time a phase is entered; commands carry it as their phase stamp.
    pub seq: u32,
    pub started_at: Millis,
    /// `null` while the clock is paused (see `paused_left`) or for a phase without time box.
    pub deadline: Option<Millis>,
    pub time_up: bool,
    /// The time left while the clock is paused.
    #[serde(default)]
    pub paused_left: Option<u64>,
    /// Seconds each speaker's turn may take in this phase (shown as a countdown from
    /// `floor.since`), if the facilitator set a limit.
    #[serde(default)]
    pub turn_limit: Option<u32>,
    /// The facilitator showed the dot counts in this phase.
    #[serde(default)]
    pub votes_revealed: bool,
}

#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MemberView {
    pub id: MemberId,
    #[serde(deserialize_with = "DisplayName::deserialize_recorded")]
    pub name: DisplayName,
    pub role: Role,
    pub online: bool,
    /// Total of finished turns; add `now - floor.since` for the current speaker.
    pub speaking_ms: u64,
    /// False after being away past the grace period: skipped in rounds.
    pub in_turns: bool,
    /// Holds a second console with the facilitator's rights.
    pub co_facilitator: bool,
}

/// One case of the meeting.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CaseRoundView {
    pub index: u16,
    pub method_id: String,
    pub method_name: Localized,
    pub case_bringer: Option<MemberId>,
    pub started_at: Option<Millis>,
    /// The case proposal chosen for this round (it may have been proposed in an earlier one).
    pub case: Option<ItemId>,
    /// The key question the case-bringer chose.
    pub key_question: Option<ItemId>,
    pub reactions_shared: bool,
    /// Answers to the process evaluation so far.
    pub process_count: u16,
}

/// The process evaluation of one case round, summed (numbers and anonymous remarks only).
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct ProcessAggregate {
    pub case_round: u16,
    pub method_id: String,
    /// Members who answered.
    pub count: u16,
    /// Per item of `PROCESS_ITEMS`: the sum of the scores given and how many gave one.
    pub sums: Vec<u32>,
    pub answered: Vec<u16>,
    /// The remarks, without names, in no particular order.
    #[schema(value_type = Vec<String>)]
    pub remarks: Vec<Text>,
}

#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Floor {
    pub member: MemberId,
    pub since: Millis,
}

#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RoundView {
    pub order: Vec<MemberId>,
    /// Members whose turn is over (spoke or passed), in order.
    pub done: Vec<MemberId>,
    pub passed: Vec<MemberId>,
}

/// What only the viewer sees.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Me {
    /// `null` for the shared screen.
    pub member: Option<MemberId>,
    pub role: Role,
    /// Items I voted for (a case appears once per dot).
    pub votes: Vec<ItemId>,
    /// Items I wrote, anonymous ones included.
    pub items: Vec<ItemId>,
    /// My private notes that are not revealed yet, with their text.
    pub notes: Vec<Item>,
    /// The registration number I gave when confirming my presence (my certificate only).
    pub registration: Option<String>,
    /// My personal reflection.
    pub reflection: Option<Text>,
    /// My private notepad as case-bringer (every case round I brought).
    pub notepad: Vec<Item>,
    /// My reactions as case-bringer (every case round I brought), shared or not.
    pub reactions: Vec<ReactionEntry>,
    /// Case rounds whose process evaluation I answered.
    pub rated: Vec<u16>,
    /// For the facilitator: how often each warning was shown in this session and how often its
    /// text was sent anyway, to coach the group (no text, no names). Absent for everyone else
    /// and until a first warning.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<WarningTally>>", optional)]
    pub warnings: Vec<WarningTally>,
}

/// One warning's count in a session (see [`crate::Warning`]).
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WarningTally {
    pub warning: crate::Warning,
    pub shown: u32,
    pub sent_anyway: u32,
}

#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportBack {
    pub previous_title: String,
    pub previous_date: Millis,
    pub commitments: Vec<CarriedItem>,
    pub kept_cases: Vec<CarriedItem>,
    /// Process evaluations of this group's meetings, oldest first (numbers only), for the
    /// facilitator's trend. Kept with the group; never in a session's view (the facilitator
    /// reads it with `GET /api/sessions/{code}/process`).
    #[serde(default)]
    pub process: Vec<ProcessPoint>,
}

/// One meeting's process evaluation as the group keeps it: no names, no remarks.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProcessPoint {
    pub date: Millis,
    pub method_id: String,
    pub count: u16,
    pub sums: Vec<u32>,
    pub answered: Vec<u16>,
}

/// An item carried to the group's next meeting: only its text and the author's display name.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CarriedItem {
    pub text: Text,
    pub by_name: String,
}
