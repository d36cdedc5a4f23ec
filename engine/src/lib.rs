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
//! The rules are split by subject: [`permissions`] (who may submit what where), `phases`
//! (lifecycle and time boxes), `turns` (hands, floor, rounds), `board` (items, votes, triage),
//! `members` (joining and roles), [`advice`] (disguised advice), [`limits`], `view`,
//! [`summary`], and [`methods`] (the built-in templates and template validation).

use kring_protocol::{
    ErrorCode, Event, ItemId, Language, MethodTemplate, Millis, ReportBack, Role, Seq, Sequenced,
    SessionSettings, SessionView,
};
use serde::{Deserialize, Serialize};

pub mod advice;
mod apply;
mod board;
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
pub use state::Session;
pub use summary::Summary;

/// Everything fixed when a session is created.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub struct SessionParams {
    pub code: String,
    pub title: String,
    pub language: Language,
    pub method: MethodTemplate,
    pub settings: SessionSettings,
    pub created_at: Millis,
    /// SHA-256 (hex) of the facilitator token.
    pub facilitator_token_hash: String,
    /// Carried over from the group's previous meeting; when present the session opens with a
    /// report-back phase.
    pub report_back: Option<ReportBack>,
    /// Submissions per member per window (operator setting).
    #[serde(default)]
    pub submit_limit: limits::SubmitLimit,
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
}

impl Rejection {
    pub fn new(code: ErrorCode) -> Self {
        Rejection {
            code,
            phases: Vec::new(),
            field: None,
            detail: None,
            retry_after_ms: None,
        }
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

/// How a socket asks to become a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinAs {
    /// A new participant with a display name.
    Member { name: String },
    /// The facilitator (token already checked by the caller). Joining again returns the
    /// existing facilitator member with no events.
    Facilitator { name: String },
}

/// The result of an accepted join.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Joined {
    pub member: kring_protocol::MemberId,
    /// Empty when an existing member (the facilitator) is taken over.
    pub events: Vec<Event>,
}

/// Who looks at the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    Member(kring_protocol::MemberId),
    Screen,
}

/// Convenience for callers that sequence events themselves.
pub fn sequence(first: Seq, at: Millis, events: Vec<Event>) -> Vec<Sequenced> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, event)| Sequenced {
            seq: first + i as Seq,
            at,
            event,
        })
        .collect()
}

/// A content-free description of a role, for logs.
pub fn role_name(role: Role) -> &'static str {
    role.as_str()
}

/// The views a given viewer is allowed; exposed for the server's summary and tests.
pub fn view(session: &Session, viewer: Viewer) -> SessionView {
    session.view(viewer)
}
