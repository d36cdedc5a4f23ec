//! The intervision engine: the rules of a session, as pure functions.
//!
//! No IO, no async, no clock: the caller passes `now`. Same state + same command + same time
//! gives the same result. The room task in the server is the only caller that mutates a
//! [`Session`]; everything it does goes through two steps:
//!
//! 1. **decide** ([`Session::decide`], [`Session::decide_join`], [`Session::tick`],
//!    [`Session::left_turns`], [`Session::rejoined_turns`]): look at the state, return the
//!    events to record or a [`Rejection`]. Nothing changes.
//! 2. **evolve** ([`Session::apply`]): apply recorded events. Replaying a room's journal through
//!    `apply` rebuilds its state exactly, so events carry every outcome a decision computed
//!    (ids, round orders, deadlines, speaking totals); `apply` never consults presence or the
//!    clock, only the event and its timestamp.
//!
//! Presence (online/away) is ephemeral: set with [`Session::set_online`], read by decisions
//! (a round visits the members present), never journaled and never in a snapshot.
//!
//! # For the room task
//!
//! * At start-up call [`methods::check_builtin`] and refuse to start on an error.
//! * Mark presence with [`Session::set_online`] on connect and disconnect (and after loading a
//!   snapshot, where everyone starts away). Rounds are computed from who is present.
//! * After a member's grace period, record [`Session::left_turns_at`] (or `left_turns`); when
//!   they come back, record [`Session::rejoined_turns`]. Both may be empty.
//! * Call [`Session::tick`] at [`Session::next_deadline`] (re-read it after every applied
//!   event); it announces a time box that ran out, once.
//! * An accepted [`Decision`] always has at least one event; record them all, then apply.
//! * [`Session::summary`] is the case-bringer's download; [`Session::carry_over`] is what the
//!   group's next meeting gets as `SessionParams::report_back`.
//!
//! # Rejections
//!
//! Checked in this order: `no_such_member` (actor unknown or removed), `session_ended`,
//! `not_facilitator` (facilitator-only commands; a co-facilitator may give all of them but
//! `set_co_facilitator` and `hand_facilitator`), `not_started` (the lobby accepts only
//! `start_session`, `end_session`, `lock_room`, `set_case_bringer`, `set_role`,
//! `remove_member`, `rename`, `set_co_facilitator`, `hand_facilitator`), `already_started`,
//! `phase_closed` (a stamp other than the current phase's), then the command's own rules.
//! The attendance record's commands (`confirm_presence`, `write_reflection`, `confirm_list`,
//! `set_minutes`; see [`attest`]) are the exception: accepted after the end too, and never
//! `phase_closed`. Then the command's own rules:
//!
//! | code | when |
//! |---|---|
//! | `phase_forbids` | the role may not submit/vote/react this kind in this phase (`phases`: where it may); hands or floor in a silent phase; triage by anyone but the case-bringer |
//! | `case_bringer_listens` | the case-bringer posts, votes, reacts, triages, raises a hand or is given the floor in a listening phase |
//! | `no_case_bringer` | entering a phase in which the case-bringer has input, listens or holds the floor, with no case-bringer |
//! | `no_such_phase` | next after the last, previous before the first, goto out of range |
//! | `no_such_item` | unknown or withdrawn item; `reveal_notes` with nothing to reveal |
//! | `no_such_member` | `give_floor`, `skip_speaker`, `set_*`, `remove_member` of an unknown member; choosing a case whose proposer is gone |
//! | `invalid_target` | answer without a question, `reply_to` on anything but an answer, vote on a non-case non-question, react on anything but a question, analysis, revealed note or advice of the running case (or on one's own), triage a non-question or a question of an earlier case, vote on an earlier case's item, choose/keep a non-case, choose the facilitator's case or one an earlier case chose, choose a key question that is not one (or is hidden) |
//! | `invalid_value` | extend by 0; submit of `vote`/`reaction` (they have their own commands); `set_role` other than participant <-> note-taker; case-bringer unchanged or the facilitator; removing yourself; hiding/keeping what already is; the floor to its holder; `end_floor` with nobody on it; a rename to the current name; item text with a C0 control other than line break and tab (`command.text`); `start_case` with an unknown method; `reorder_round` that is not the members still to speak in a new order; a co-facilitator or handover to someone who cannot take it; sharing reactions, choosing a key question or carrying a commitment that already is so; carrying a commitment in a session that keeps nothing for the group; process scores that are not four of 0 to 5 (or all 0 without a remark); a question already asked in a one-per-turn phase; a confirmation, reflection or minutes unchanged, the list confirmed already, a registration number over 60 characters or with control or format characters (`command.registration`), a reflection with a C0 control other than line break and tab, minutes over a day or for the screen |
//! | `invalid_name` | name empty, over 40 characters, with control or format characters, or with nothing visible (`join.name`, `command.name`) |
//! | `name_taken` | another member's name has the same confusable skeleton, case ignored (`join.name`, `command.name`) |
//! | `room_locked`, `room_full` | a new member joins a locked or full room (never the facilitator) |
//! | `text_empty`, `text_too_long` | after trimming; limits per kind in [`limits::max_chars`] |
//! | `limit_reached` | the phase's `max_per_member` for this kind, counted over every visit of the phase; or 150 items by one member, or 1000 in the room ([`limits::MAX_ITEMS_PER_MEMBER`], [`limits::MAX_ITEMS_PER_ROOM`]); or the room's byte budget, so its largest view stays within [`limits::MAX_VIEW_BYTES`] ([`Session::item_budget`]); or a member's reflection written [`limits::MAX_REFLECTION_WRITES`] times |
//! | `rate_limited` | more than the submit limit (default 6 per 10 s); `retry_after_ms` |
//! | `anonymity_disabled` | anonymous input while the session does not allow it |
//! | `advice_like_question` | a question that reads like advice, without `confirm`; `cues` are the words that made it so |
//! | `advice_like_statement` | a question-round input that is advice and no question ("Je moet..."), without `confirm`; `cues` as above |
//! | `not_a_question` | a question-round input that asks nothing, without `confirm` |
//! | `advice_in_analysis` | an analysis that gives advice where the member may not give advice yet, without `confirm`; `phases`: the later phases where they may; `cues` as above |
//!
//! The four warnings add nothing, but the room records [`Rejection::events`] for them (the
//! facilitator's tally, `warning_shown`); a text sent anyway with `confirm` after a warning is
//! recorded with `warning_overridden`. See [`advice`].
//! | `vote_limit`, `not_voted` | out of dots / upvoted already; nothing to take back |
//! | `already_in_queue`, `not_in_queue` | hand already up / not up; `next_speaker` or `skip_speaker` with nobody waiting |
//! | `no_round`, `not_your_turn` | `pass` without a round, or by someone not (or no longer) in it; `start_round` with nobody present |
//! | `not_author` | withdrawing someone else's item, or one from an earlier phase; consent for a commitment one did not make |
//! | `wait_your_turn` | in a `one_per_turn` phase: written input from someone not on the floor, or a second contribution in one turn |
//! | `not_case_bringer` | `share_reactions`, `choose_key_question` by anyone but the running case's case-bringer |
//! | `removed`, `bad_token` | (join) the facilitator token's member was removed; a facilitator join with another token while a facilitator exists |
//! | `text_empty`, `text_too_long` | (attendance) a personal reflection empty, or over 3000 characters |
//!
//! Reactions and the notepad are the case-bringer's private input: allowed in every phase
//! (the notepad where the phase has `case_bringer_notes`), also while listening.
//!
//! The rules are split by subject: [`permissions`] (who may submit what where), `phases`
//! (lifecycle and time boxes), `turns` (hands, floor, rounds), `board` (items, votes, triage),
//! `members` (joining and roles), [`advice`] (disguised advice), [`limits`], `view`,
//! [`summary`], and [`methods`] (the built-in templates and template validation).

use kring_protocol::{
    ErrorCode, Event, ItemId, Language, MethodTemplate, Millis, ReportBack, RoomCode,
    SessionSettings, TextSpan, Title, Warning,
};
use serde::{Deserialize, Serialize};

pub mod advice;
mod apply;
pub mod attest;
mod board;
pub mod cases;
mod decide;
pub mod limits;
mod members;
pub mod methods;
pub mod permissions;
mod phases;
mod state;
pub mod summary;
mod turns;
mod view;

pub use methods::TemplateError;
pub use state::{Session, same_hash};
pub use summary::Summary;

/// Everything fixed when a session is created.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub struct SessionParams {
    pub code: RoomCode,
    pub title: Title,
    pub language: Language,
    pub method: MethodTemplate,
    pub settings: SessionSettings,
    pub created_at: Millis,
    /// SHA-256 (hex) of the facilitator token.
    pub facilitator_token_hash: String,
    /// SHA-256 (hex) of the token that opens only the shared screen.
    #[serde(default)]
    pub screen_token_hash: Option<String>,
    /// Carried over from the group's previous meeting; when present the session opens with a
    /// report-back phase.
    pub report_back: Option<ReportBack>,
    /// Submissions per member per window (operator setting).
    #[serde(default)]
    pub submit_limit: limits::SubmitLimit,
    /// The group's name, for the attendance record (not content: kept long after the session).
    #[serde(default)]
    pub group_name: Option<String>,
    /// IANA time zone of the meeting (the record's local times); checked by the server.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
}

/// Where a session takes place unless its creator says otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Amsterdam";

fn default_time_zone() -> String {
    DEFAULT_TIME_ZONE.to_owned()
}

// The title and the carried-over items are content; logs get only their shape.
impl std::fmt::Debug for SessionParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionParams")
            .field("code", &self.code)
            .field("language", &self.language)
            .field("method", &self.method.id)
            .field("phases", &self.method.phases.len())
            .field("created_at", &self.created_at)
            .field("report_back", &self.report_back.is_some())
            .finish_non_exhaustive()
    }
}

/// Why a command was refused. Never contains session content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub code: ErrorCode,
    /// For `phase_forbids`: phase indices where the input is allowed.
    pub phases: Vec<u16>,
    /// The offending field, e.g. `command.text`.
    pub field: Option<&'static str>,
    /// A content-free English explanation, when more useful than the code's default message.
    pub detail: Option<String>,
    /// For `rate_limited`: when the member may submit again.
    pub retry_after_ms: Option<u64>,
    /// For a warning on the text (`advice_like_question`, `advice_like_statement`,
    /// `not_a_question`, `advice_in_analysis`): which one. Nothing is added, but the room
    /// records [`Rejection::events`], the facilitator's content-free tally.
    pub warned: Option<Warning>,
    /// For the warnings on advice: the words that made the text advice-like, as spans of the
    /// submitted text (UTF-16 code units). Positions only, never words.
    pub cues: Vec<TextSpan>,
}

impl Rejection {
    pub fn new(code: ErrorCode) -> Self {
        Rejection {
            code,
            phases: Vec::new(),
            field: None,
            detail: None,
            retry_after_ms: None,
            warned: None,
            cues: Vec::new(),
        }
    }

    /// What the room records although the command is refused: for a warning, that it was
    /// shown (no text, no member). Empty for every other refusal.
    pub fn events(&self) -> Vec<Event> {
        self.warned
            .map(|warning| Event::WarningShown { warning })
            .into_iter()
            .collect()
    }

    pub(crate) fn field(code: ErrorCode, field: &'static str) -> Self {
        Rejection {
            field: Some(field),
            ..Rejection::new(code)
        }
    }

    pub(crate) fn detail(code: ErrorCode, detail: &'static str) -> Self {
        Rejection {
            detail: Some(detail.to_owned()),
            ..Rejection::new(code)
        }
    }
}

impl Rejection {
    /// The wire form of the refusal (content-free by construction).
    pub fn into_error_msg(self) -> kring_protocol::ErrorMsg {
        let mut msg = kring_protocol::ErrorMsg::new(self.code);
        msg.phases = self.phases;
        msg.field = self.field.map(str::to_owned);
        msg.retry_after_ms = self.retry_after_ms;
        msg.cues = self.cues;
        if let Some(detail) = self.detail {
            msg.message = detail;
        }
        msg
    }
}

impl From<ErrorCode> for Rejection {
    fn from(code: ErrorCode) -> Self {
        Rejection::new(code)
    }
}

/// The outcome of an accepted command. Never empty: a command with nothing to do is refused.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Decision {
    pub events: Vec<Event>,
    /// The item a `submit` created, returned in the ack.
    pub item: Option<ItemId>,
}

// Events can carry item text; logs get the event names only.
impl std::fmt::Debug for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.events.iter().map(Event::name).collect();
        f.debug_struct("Decision")
            .field("events", &names)
            .field("item", &self.item)
            .finish()
    }
}

impl Decision {
    pub(crate) fn events(events: Vec<Event>) -> Self {
        Decision { events, item: None }
    }
}

/// How a socket asks to become a member. `Debug` is redacted: names are content.
#[derive(Clone, PartialEq, Eq)]
pub enum JoinAs {
    /// A new participant with a display name.
    Member { name: String },
    /// The facilitator (token already checked by the caller). Joining again returns the
    /// existing facilitator member with no events.
    Facilitator { name: String },
}

/// The result of an accepted join. `Debug` shows event names only (the events carry the name
/// and the token's hash).
#[derive(Clone, PartialEq, Eq)]
pub struct Joined {
    pub member: kring_protocol::MemberId,
    /// Empty when an existing member (the facilitator) is taken over.
    pub events: Vec<Event>,
}

impl std::fmt::Debug for JoinAs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, name) = match self {
            JoinAs::Member { name } => ("Member", name),
            JoinAs::Facilitator { name } => ("Facilitator", name),
        };
        f.debug_struct(kind)
            .field("name_chars", &name.chars().count())
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Joined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.events.iter().map(Event::name).collect();
        f.debug_struct("Joined")
            .field("member", &self.member)
            .field("events", &names)
            .finish()
    }
}

/// Who looks at the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    Member(kring_protocol::MemberId),
    Screen,
}
