//! What a batch does to the outside world, carried out in order after its commit.

use std::collections::HashMap;

use kring_protocol::{ErrorCode, ErrorMsg, MemberId, Seq, Sequenced, ServerMsg};
use tokio::sync::oneshot;

use super::query::QueryError;
use super::replay::{Encoded, encode_public};
use super::task::{Conn, Room};
use super::{ConnId, ConnSink, JoinError, Joined, to_frame};
use crate::socket::Frame;
use crate::store::StoredMsgId;

pub(super) enum Effect {
    /// Broadcast `Pending::events[i]`.
    Event(usize),
    /// The answer to command `id` (ack, error) for one connection.
    Send {
        conn: ConnId,
        id: String,
        frame: Frame,
    },
    /// The connection's welcome: send it (and the missed events `after < seq <= upto`), then
    /// the connection receives broadcasts.
    Live {
        conn: ConnId,
        welcome: Frame,
        replay: Option<(Seq, Seq)>,
        reply: oneshot::Sender<Result<Joined, JoinError>>,
        joined: Joined,
    },
    Presence {
        member: MemberId,
        online: bool,
    },
    Close {
        sink: ConnSink,
        code: ErrorCode,
    },
    /// A query's answer, sent once the batch is durable.
    Answer(super::query::Delivery),
}

/// The outcome of one batch before it is durable.
#[derive(Default)]
pub(super) struct Pending {
    pub events: Vec<Sequenced>,
    /// `events` encoded, in the same order: filled by the commit, which stores their JSON.
    pub encoded: Vec<Encoded>,
    pub msg_ids: Vec<StoredMsgId>,
    pub effects: Vec<Effect>,
}

impl Pending {
    /// The commit failed: nobody may see anything of this batch. Joins are told to retry;
    /// sockets the batch closed (a member's older device) are closed all the same, as that
    /// shows nothing. With `conns` (the room stays and its sockets with it), every command of
    /// the batch is answered `store_unavailable`, to be sent again with the same id: its
    /// answer may have depended on what did not become durable.
    pub(super) fn fail(self, conns: Option<&HashMap<ConnId, Conn>>) {
        for effect in self.effects {
            match effect {
                Effect::Live { reply, .. } => {
                    let _ = reply.send(Err(JoinError::Refused(ErrorCode::StoreUnavailable)));
                }
                Effect::Close { sink, code } => sink.close_with(code),
                Effect::Send { conn, id, .. } => {
                    if let Some(c) = conns.and_then(|conns| conns.get(&conn)) {
                        let mut error = ErrorMsg::new(ErrorCode::StoreUnavailable).with_id(id);
                        error.retry_after_ms = Some(super::recover::RETRY_AFTER.as_millis() as u64);
                        c.sink.send(&ServerMsg::Error(error));
                    }
                }
                // Answered from state that did not become durable.
                Effect::Answer(answer) => answer.refuse(QueryError::Unavailable),
                Effect::Event(_) | Effect::Presence { .. } => {}
            }
        }
    }
}

impl Room {
    /// Carries out a committed batch. Frames are held in the sockets' queues and each socket
    /// gets its share in one write at the end (see `Outbox::push_held`).
    pub(super) fn run_effects(&mut self, p: Pending) {
        let Pending {
            events,
            encoded,
            effects,
            ..
        } = p;
        self.carry_out(&events, encoded, effects);
        for conn in self.conns.values() {
            conn.sink.write_held();
        }
    }

    fn carry_out(&mut self, events: &[Sequenced], encoded: Vec<Encoded>, effects: Vec<Effect>) {
        let mut encoded = encoded.into_iter();
        for effect in effects {
            match effect {
                // Events are broadcast in the order they were recorded and encoded.
                Effect::Event(i) => self.broadcast_event(&events[i], encoded.next()),
                Effect::Send { conn, frame, .. } => {
                    if let Some(c) = self.conns.get(&conn) {
                        self.deps.metrics.messages_out.inc();
                        c.sink.push_held(&frame);
                    }
                }
                Effect::Live {
                    conn,
                    welcome,
                    replay,
                    reply,
                    joined,
                } => self.go_live(conn, welcome, replay, reply, joined),
                Effect::Presence { member, online } => {
                    let frame = to_frame(&ServerMsg::Presence { member, online });
                    self.broadcast(&frame);
                }
                Effect::Close { sink, code } => sink.close_with(code),
                Effect::Answer(answer) => answer.send(),
            }
        }
    }

    fn broadcast_event(&mut self, e: &Sequenced, encoded: Option<Encoded>) {
        // Serialised once (with the stored JSON); every member's queue gets the same bytes.
        let encoded = encoded.unwrap_or_else(|| encode_public(e.seq, e.at, &e.event));
        let frame = self.replay.record(e.seq, encoded, &e.event);
        self.broadcast(&frame);
    }

    fn broadcast(&self, frame: &Frame) {
        let mut sent = 0u64;
        // A connection being dropped is skipped, so a slow one is counted once.
        for conn in self
            .conns
            .values()
            .filter(|c| c.live && !c.sink.is_closed())
        {
            if conn.sink.push_held(frame) {
                sent += 1;
            } else if conn.sink.reason() == Some(ErrorCode::SlowConsumer) {
                self.deps.metrics.slow_consumers.inc();
            }
        }
        self.deps.metrics.messages_out.add(sent);
        self.deps.metrics.bytes_out.add(sent * frame.len() as u64);
    }

    fn go_live(
        &mut self,
        conn: ConnId,
        welcome: Frame,
        replay: Option<(Seq, Seq)>,
        reply: oneshot::Sender<Result<Joined, JoinError>>,
        joined: Joined,
    ) {
        let Some(c) = self.conns.get_mut(&conn) else {
            // The socket went away before its welcome.
            let _ = reply.send(Err(JoinError::RoomGone));
            return;
        };
        c.live = true;
        let mut ok = c.sink.push_held(&welcome);
        if let Some((after, upto)) = replay {
            for frame in self.replay.range(after, upto) {
                ok = ok && c.sink.push_held(frame);
            }
        }
        let _ = reply.send(if ok {
            Ok(joined)
        } else {
            Err(JoinError::Refused(ErrorCode::SlowConsumer))
        });
    }
}
