//! WebSocket messages: the envelopes around commands and events.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{
    Category, Command, Epoch, ErrorCode, Event, ItemId, MemberId, Millis, Role, Seq, SessionView,
};

/// A message from a client, tagged by `type`.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMsg {
    /// Must be the first message on a socket.
    Hello {
        protocol: u32,
        join: Join,
    },
    Command(CommandEnvelope),
    /// Application-level heartbeat; browsers cannot see WebSocket pings. Answered by `pong`.
    Ping {
        #[serde(default)]
        #[ts(optional = nullable)]
        t: Option<Millis>,
    },
    /// The member leaves on purpose (closes the tab). They stay on the roster.
    Leave {},
}

/// How a socket joins a room, tagged by `as`.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "as", rename_all = "snake_case", deny_unknown_fields)]
pub enum Join {
    /// A new member with a display name (no account).
    Member { name: String },
    /// The facilitator, with the secret token from creating the session.
    Facilitator { token: String, name: String },
    /// Coming back: the resume token from `welcome`, and what this client last saw.
    Resume {
        token: String,
        #[serde(default)]
        #[ts(optional = nullable)]
        epoch: Option<Epoch>,
        #[serde(default)]
        #[ts(optional = nullable)]
        last_seq: Option<Seq>,
    },
    /// The read-only shared screen: the screen token (or the facilitator token).
    Screen { token: String },
}

#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CommandEnvelope {
    /// Client message id, unique per member (1 to 64 characters). A retry reuses it.
    pub id: String,
    /// Phase stamp: `phase.seq` as the client saw it when the user acted.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub phase: Option<u32>,
    pub command: Command,
}

/// A message from the server, tagged by `type`.
// Messages live only until they are serialised (once per broadcast), so a large `welcome`
// costs nothing worth a box that every constructor would have to write.
#[allow(clippy::large_enum_variant)]
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ServerMsg {
    Welcome(Welcome),
    Event(crate::Sequenced),
    Ack(Ack),
    Error(ErrorMsg),
    Pong {
        t: Option<Millis>,
        server_time: Millis,
    },
    /// Presence is not part of the sequenced history: it is sent live and is in every view.
    Presence {
        member: MemberId,
        online: bool,
    },
}

#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Welcome {
    pub protocol: u32,
    /// `null` for the shared screen.
    pub member: Option<MemberId>,
    pub role: Role,
    /// Secret: keep it to come back as the same member (`join.as = "resume"`).
    pub resume_token: Option<String>,
    pub epoch: Epoch,
    /// The room's latest sequence number.
    pub seq: Seq,
    pub server_time: Millis,
    /// Members online now.
    pub online: Vec<MemberId>,
    /// How long after the session ends everything written in it is kept before it is deleted
    /// for good (the operator's `--retention`), so that the app can say when.
    pub retention_ms: Millis,
    /// The full view; `null` when the missed events `last_seq + 1 ..= seq` follow instead.
    pub view: Option<SessionView>,
}

#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Ack {
    pub id: String,
    /// Sequence number of the last event the command produced (events arrive before the ack).
    pub seq: Seq,
    /// The item a `submit` created.
    pub item: Option<ItemId>,
}

#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ErrorMsg {
    /// The client message id of the refused command: set on every refusal of a frame that is a
    /// command with a readable id of at most 64 bytes (also `rate_limited` and
    /// `hello_required`), `null` for errors about anything else.
    pub id: Option<String>,
    pub code: ErrorCode,
    pub category: Category,
    /// English, for people reading logs of their own client; clients show their own catalog
    /// text for `code`. Never contains session content.
    pub message: String,
    /// The offending field, when there is one (e.g. `command.text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
    /// For `phase_forbids`: the phases (indices) where the input is allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<u16>>", optional)]
    pub phases: Vec<u16>,
    /// For `rate_limited` and `too_many_attempts`: when to try again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub retry_after_ms: Option<u64>,
    /// For the warnings on advice (`advice_like_question`, `advice_like_statement`,
    /// `advice_in_analysis`): the words that made the text advice-like, as spans of the text
    /// the command carried. Positions, never the words themselves: the error stays
    /// content-free.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<TextSpan>>", optional)]
    pub cues: Vec<TextSpan>,
}

/// A stretch of a text the client sent, in UTF-16 code units (how JavaScript indexes
/// strings): `text.slice(start, end)`.
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TextSpan {
    pub start: u32,
    pub end: u32,
}

impl ErrorMsg {
    pub fn new(code: ErrorCode) -> Self {
        ErrorMsg {
            id: None,
            code,
            category: code.category(),
            message: code.message().to_owned(),
            field: None,
            phases: Vec::new(),
            retry_after_ms: None,
            cues: Vec::new(),
        }
    }

    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }
}

/// Builds a `ServerMsg::Event` without cloning the event.
pub fn event_json(seq: Seq, at: Millis, event: &Event) -> String {
    #[derive(Serialize)]
    struct Frame<'a> {
        r#type: &'static str,
        seq: Seq,
        at: Millis,
        event: &'a Event,
    }
    serde_json::to_string(&Frame {
        r#type: "event",
        seq,
        at,
        event,
    })
    .expect("events always serialise")
}
