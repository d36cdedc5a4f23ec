//! Rooms: one task per live session owns its state; everyone else holds a [`RoomHandle`].

mod attendance;
mod command;
mod dedup;
mod effects;
mod join;
mod load;
mod outbox;
mod recover;
mod replay;
mod task;

use std::sync::Arc;

use kring_protocol::{CommandEnvelope, ErrorCode, ErrorMsg, Join, MemberId, ServerMsg};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

use crate::socket::Frame;

pub(crate) use load::{RestoreError, restore};
pub use outbox::{AddressBytes, Flush, Outbox, Taken};
pub(crate) use task::{Room, RoomDeps};

pub type ConnId = u64;

/// A message to a room task.
pub enum RoomMsg {
    Join {
        join: Join,
        /// The client's address, for the room's limit on new members per address.
        peer: std::net::IpAddr,
        conn: ConnSink,
        reply: oneshot::Sender<Result<Joined, JoinError>>,
    },
    Command {
        member: MemberId,
        conn: ConnId,
        envelope: CommandEnvelope,
    },
    /// The socket is gone (closed, timed out, or left on purpose). A member who left on
    /// purpose gives up their seat at once; one who dropped off keeps it a while.
    Gone { conn: ConnId, left: bool },
    /// A read of the room's state for the HTTP API; answered after the batch commits, so it
    /// never shows anything that could still be rolled back.
    Query {
        query: Query,
        reply: oneshot::Sender<Answer>,
    },
    /// The server stops: finish in-flight work, tell clients to reconnect, exit.
    Shutdown { done: oneshot::Sender<()> },
    /// The store deleted the room's content: tell clients the session is over, exit.
    Purged,
}

pub enum Query {
    /// The case-bringer's summary; `token_hash` must be a case-bringer's of the meeting.
    /// `case`: which of the member's case rounds (default: the latest they brought). In
    /// `language` when given (the reader's), else in the session's.
    Summary {
        token_hash: String,
        case: Option<u16>,
        language: Option<kring_protocol::Language>,
    },
    /// The attendance record; `token_hash` must be the facilitator token's.
    Attendance { token_hash: String },
    /// A member's certificate of participation; `token_hash` is theirs.
    Certificate { token_hash: String },
    /// A member's one-page record with their reflection; `token_hash` is theirs.
    Reflection { token_hash: String },
    /// The process evaluation's sums; `token_hash` must be a member's with the facilitator's
    /// rights now (the facilitator, also after a handover, or a co-facilitator).
    Process { token_hash: String },
    /// What a newcomer's join page shows; nothing for a room they could not join.
    Preview,
}

pub enum Answer {
    Summary(Box<kring_engine::Summary>),
    Attendance(Box<kring_protocol::Attendance>, kring_protocol::Language),
    Process(kring_protocol::ProcessResults),
    /// The record, and which of its members asks.
    Certificate(Box<crate::store::MeetingRecord>, kring_protocol::MemberId),
    Reflection(Box<crate::records::render::ReflectionPage>),
    /// Not available yet, for the reason the code gives (e.g. `not_ended`).
    NotYet(ErrorCode),
    Preview(kring_protocol::SessionPreview),
    /// The token belongs to a member who may not read this.
    Forbidden,
    /// The room does not know the token.
    UnknownToken,
    /// The store is away; ask again later.
    Unavailable,
}

/// Who the socket became.
#[derive(Clone)]
pub struct Joined {
    /// The member's message budget, shared by all their sockets over time (`None` for the
    /// shared screen, which keeps its socket's own).
    pub budget: Option<crate::limits::SharedBudget>,
    /// `None` for the shared screen.
    pub member: Option<MemberId>,
}

#[derive(Debug)]
pub enum JoinError {
    /// Refused; the error has been sent to the client already.
    Refused(ErrorCode),
    /// The room task ended before answering; look the room up again.
    RoomGone,
}

/// A cloneable handle to a room task.
#[derive(Clone)]
pub struct RoomHandle {
    pub tx: mpsc::Sender<RoomMsg>,
    /// Tells one incarnation of a room from the next (after an unload and reload).
    pub(crate) instance: u64,
}

/// The room's end of one socket: a bounded queue of pre-serialised frames, written through to
/// a plain socket. The room never waits on it: a full queue drops the client (who then
/// resumes).
#[derive(Clone)]
pub struct ConnSink {
    pub id: ConnId,
    outbox: Arc<Outbox>,
}

impl ConnSink {
    /// `direct`: the plain TCP socket to write frames to at once (see [`Outbox`]).
    pub fn new(id: ConnId, capacity: usize, direct: Option<Arc<TcpStream>>) -> Self {
        ConnSink {
            id,
            outbox: Arc::new(Outbox::new(capacity, direct)),
        }
    }

    /// A sink bounded in frames and bytes, whose bytes also count toward its address's.
    pub fn bounded(
        id: ConnId,
        capacity: usize,
        max_bytes: usize,
        address: Option<(AddressBytes, usize)>,
        direct: Option<Arc<TcpStream>>,
    ) -> Self {
        ConnSink {
            id,
            outbox: Arc::new(Outbox::bounded(capacity, max_bytes, address, direct)),
        }
    }

    /// The queue the connection's task drains.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Queues a frame without waiting. Returns false when the client is gone or too slow (and
    /// then makes sure it is dropped).
    pub fn push(&self, frame: &Frame) -> bool {
        self.outbox.push(frame)
    }

    pub fn send(&self, msg: &ServerMsg) -> bool {
        self.push(&to_frame(msg))
    }

    /// Queues a frame for [`ConnSink::write_held`] (the room's batch).
    pub fn push_held(&self, frame: &Frame) -> bool {
        self.outbox.push_held(frame)
    }

    /// Writes what the room held for this socket.
    pub fn write_held(&self) {
        self.outbox.write_held();
    }

    /// Sends the error, then closes the socket with the code's close code.
    pub fn close_with(&self, code: ErrorCode) {
        if self.send(&ServerMsg::Error(ErrorMsg::new(code))) {
            self.push_close(code);
        } else {
            self.kill(code);
        }
    }

    /// Closes the socket after what is queued, without another error frame.
    pub fn push_close(&self, code: ErrorCode) -> bool {
        self.outbox.push_close(&close_frame(code), code)
    }

    /// Drops the client at once, without draining its queue.
    pub fn kill(&self, code: ErrorCode) {
        self.outbox.kill(code);
    }

    /// Why the connection is being closed, once it is.
    pub fn reason(&self) -> Option<ErrorCode> {
        self.outbox.reason()
    }

    pub fn is_closed(&self) -> bool {
        self.outbox.is_killed()
    }
}

/// Serialises a server message once, into a whole WebSocket frame that can be cloned cheaply.
pub fn to_frame(msg: &ServerMsg) -> Frame {
    Frame::json(msg)
}

/// The close frame for `code`: its close code (1008 when it has none) and its name.
pub fn close_frame(code: ErrorCode) -> Frame {
    Frame::close(code.close_code().unwrap_or(1008), code.as_str())
}
