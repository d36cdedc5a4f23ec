//! Rooms: one task per live session owns its state; everyone else holds a [`RoomHandle`].

mod attendance;
mod command;
mod dedup;
mod effects;
mod join;
mod load;
mod outbox;
pub(crate) mod query;
mod recover;
mod replay;
mod task;

use std::sync::Arc;

use kring_protocol::{CommandEnvelope, ErrorCode, ErrorMsg, Join, MemberId, ServerMsg};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

use crate::socket::Frame;

pub(crate) use load::{RestoreError, restore};
pub(crate) use outbox::{AddressBytes, Flush, Outbox, Taken};
pub(crate) use task::{Room, RoomDeps};

pub(crate) type ConnId = u64;

/// A message to a room task.
pub(crate) enum RoomMsg {
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
    Query(query::Asked),
    /// The server stops: finish in-flight work, tell clients to reconnect, exit.
    Shutdown { done: oneshot::Sender<()> },
    /// The store deleted the room's content: tell clients the session is over, exit.
    Purged,
}

/// Who the socket became.
#[derive(Clone)]
pub(crate) struct Joined {
    /// The member's message budget, shared by all their sockets over time (`None` for the
    /// shared screen, which keeps its socket's own).
    pub budget: Option<crate::limits::SharedBudget>,
    /// `None` for the shared screen.
    pub member: Option<MemberId>,
}

#[derive(Debug)]
pub(crate) enum JoinError {
    /// Refused; the error has been sent to the client already.
    Refused(ErrorCode),
    /// The room task ended before answering; look the room up again.
    RoomGone,
}

/// A cloneable handle to a room task.
#[derive(Clone)]
pub(crate) struct RoomHandle {
    pub(crate) tx: mpsc::Sender<RoomMsg>,
    /// Tells one incarnation of a room from the next (after an unload and reload).
    pub(crate) instance: u64,
}

/// The room's end of one socket: a bounded queue of pre-serialised frames, written through to
/// a plain socket. The room never waits on it: a full queue drops the client (who then
/// resumes).
#[derive(Clone)]
pub(crate) struct ConnSink {
    pub id: ConnId,
    outbox: Arc<Outbox>,
}

impl ConnSink {
    /// A sink bounded in frames and bytes, whose bytes also count toward its address's.
    pub(crate) fn bounded(
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
    pub(crate) fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Queues a frame without waiting. Returns false when the client is gone or too slow (and
    /// then makes sure it is dropped).
    pub(crate) fn push(&self, frame: &Frame) -> bool {
        self.outbox.push(frame)
    }

    pub(crate) fn send(&self, msg: &ServerMsg) -> bool {
        self.push(&to_frame(msg))
    }

    /// Queues a frame for [`ConnSink::write_held`] (the room's batch).
    pub(crate) fn push_held(&self, frame: &Frame) -> bool {
        self.outbox.push_held(frame)
    }

    /// Writes what the room held for this socket.
    pub(crate) fn write_held(&self) {
        self.outbox.write_held();
    }

    /// Sends the error, then closes the socket with the code's close code.
    pub(crate) fn close_with(&self, code: ErrorCode) {
        if self.send(&ServerMsg::Error(ErrorMsg::new(code))) {
            self.push_close(code);
        } else {
            self.kill(code);
        }
    }

    /// Closes the socket after what is queued, without another error frame.
    pub(crate) fn push_close(&self, code: ErrorCode) -> bool {
        self.outbox.push_close(&close_frame(code), code)
    }

    /// Drops the client at once, without draining its queue.
    pub(crate) fn kill(&self, code: ErrorCode) {
        self.outbox.kill(code);
    }

    /// Why the connection is being closed, once it is.
    pub(crate) fn reason(&self) -> Option<ErrorCode> {
        self.outbox.reason()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.outbox.is_killed()
    }
}

/// Serialises a server message once, into a whole WebSocket frame that can be cloned cheaply.
pub(crate) fn to_frame(msg: &ServerMsg) -> Frame {
    Frame::json(msg)
}

/// The close frame for `code`: its close code (1008 when it has none) and its name.
pub(crate) fn close_frame(code: ErrorCode) -> Frame {
    Frame::close(code.close_code().unwrap_or(1008), code.as_str())
}
