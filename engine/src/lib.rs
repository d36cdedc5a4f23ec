//! The intervision engine: the rules of a session, as pure functions.
//!
//! No IO, no async, no clock: the caller passes `now`. Same state + same command + same time
//! gives the same result. The room task in the server is the only caller that mutates a
//! [`Session`]; everything it does goes through two steps:
//!
//! 1. **decide** ([`Session::decide`], [`Session::decide_join`], [`Session::tick`],
//!    [`Session::left_turns`]): look at the state, return the events to record or a
//!    [`Rejection`]. Nothing changes.
//! 2. **evolve** ([`Session::apply`]): apply recorded events. Replaying a room's journal through
//!    `apply` rebuilds its state exactly, so events carry every outcome a decision computed
//!    (ids, round orders, deadlines); `apply` never consults presence or the clock.
//!
//! Presence (online/away) is ephemeral: set with [`Session::set_online`], read by decisions
//! (a round visits the members present), never journaled.

use kring_protocol::{
    ErrorCode, Event, ItemId, Language, MemberId, MethodTemplate, Millis, ReportBack, Role, Seq,
    Sequenced, SessionSettings, SessionView,
};
use serde::{Deserialize, Serialize};

/// Everything fixed when a session is created.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
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
}

impl Rejection {
    pub fn new(code: ErrorCode) -> Self {
        Rejection {
            code,
            phases: Vec::new(),
            field: None,
            detail: None,
        }
    }
}

impl From<ErrorCode> for Rejection {
    fn from(code: ErrorCode) -> Self {
        Rejection::new(code)
    }
}

/// The outcome of an accepted command.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Decision {
    pub events: Vec<Event>,
    /// The item a `submit` created, returned in the ack.
    pub item: Option<ItemId>,
}

/// How a socket asks to become a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinAs {
    /// A new participant with a display name.
    Member { name: String },
    /// The facilitator (token already checked by the caller). Joining again takes over the
    /// existing facilitator member.
    Facilitator { name: String },
}

/// The result of an accepted join.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Joined {
    pub member: MemberId,
    /// Empty when an existing member (the facilitator) is taken over.
    pub events: Vec<Event>,
}

/// Who looks at the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    Member(MemberId),
    Screen,
}

mod session;

pub use session::Session;

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

/// Default limits; the engine enforces them, the protocol documents the codes.
pub mod limits {
    /// Display names, in characters.
    pub const NAME_MAX_CHARS: usize = 40;
    /// Members of one room (the shared screen does not count).
    pub const MAX_MEMBERS: usize = 40;
}

/// A content-free description of a role, for logs.
pub fn role_name(role: Role) -> &'static str {
    role.as_str()
}

/// The views a given viewer is allowed; exposed for the server's summary and tests.
pub fn view(session: &Session, viewer: Viewer) -> SessionView {
    session.view(viewer)
}
