//! A room whose commit failed: nobody saw the failed batch, but its state in memory may be
//! ahead of what is durable (or behind, if the commit did reach the disk before the error).
//! So the room stops serving, keeps its sockets, refuses what arrives with a retry code, and
//! tries to reload the durable state. When the store answers again it confirms its ownership
//! (a fenced write), takes the reloaded state, and sends its clients whatever became durable
//! that they have not seen; the commands they retry (same ids) then apply once. If the store
//! stays away past the grace period, the room closes its sockets (clients reconnect, through
//! the load balancer, possibly to a node that reaches the store); if another node claimed the
//! room meanwhile, the confirmation is refused and the room sends its clients there.

use std::collections::HashSet;
use std::time::Duration;

use kring_protocol::{ErrorCode, ErrorMsg, MemberId, ServerMsg};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::query::QueryError;
use super::task::{Exit, Room};
use super::{JoinError, RoomMsg, restore, to_frame};
use crate::clock::now_ms;
use crate::store::{AppendBatch, StoreError};

/// First wait before reloading; doubles up to [`MAX_WAIT`].
const FIRST_WAIT: Duration = Duration::from_millis(200);
const MAX_WAIT: Duration = Duration::from_secs(2);
/// What clients are told to wait before sending a refused command again.
pub(super) const RETRY_AFTER: Duration = Duration::from_millis(1000);

enum Reload {
    Done,
    /// The store is still away.
    Failed,
    Exit(Exit),
}

impl Room {
    /// Runs until the room serves again (`None`) or must stop.
    pub(super) async fn recover(&mut self, rx: &mut mpsc::Receiver<RoomMsg>) -> Option<Exit> {
        let since = Instant::now();
        let grace = self.deps.cfg.store_grace();
        let online_before: HashSet<MemberId> = self.live_members();
        self.deps.metrics.rooms_recovering.inc();
        tracing::warn!(room = %crate::redact::RoomTag(&self.code), "store unavailable; refusing commands until it is back");
        let mut wait = FIRST_WAIT;
        let exit = loop {
            let until = Instant::now() + wait;
            let refused = loop {
                tokio::select! {
                    msg = rx.recv() => match msg {
                        Some(msg) => if let Some(exit) = self.refuse_while_away(msg) {
                            break Some(exit);
                        },
                        None => break Some(Exit::StoreFailed),
                    },
                    _ = tokio::time::sleep_until(until) => break None,
                }
            };
            if let Some(exit) = refused {
                break Some(exit);
            }
            match self.reload(&online_before).await {
                Reload::Done => break None,
                Reload::Exit(exit) => break Some(exit),
                Reload::Failed if since.elapsed() >= grace => break Some(Exit::StoreFailed),
                Reload::Failed => wait = (wait * 2).min(MAX_WAIT),
            }
        };
        self.deps.metrics.rooms_recovering.dec();
        if exit.is_none() {
            tracing::info!(room = %crate::redact::RoomTag(&self.code), ms = since.elapsed().as_millis() as u64, "store back; room serves again");
        }
        exit
    }

    fn live_members(&self) -> HashSet<MemberId> {
        self.member_conn
            .iter()
            .filter(|(_, conn)| self.conns.get(conn).is_some_and(|c| c.live))
            .map(|(member, _)| *member)
            .collect()
    }

    /// Answers a message without the room's state. `Some` when the room must stop.
    fn refuse_while_away(&mut self, msg: RoomMsg) -> Option<Exit> {
        let unavailable = || {
            let mut error = ErrorMsg::new(ErrorCode::StoreUnavailable);
            error.retry_after_ms = Some(RETRY_AFTER.as_millis() as u64);
            error
        };
        match msg {
            RoomMsg::Command { conn, envelope, .. } => {
                if let Some(c) = self.conns.get(&conn) {
                    self.deps.metrics.reject(ErrorCode::StoreUnavailable);
                    let error = unavailable().with_id(envelope.id);
                    c.sink.send(&ServerMsg::Error(error));
                }
            }
            RoomMsg::Join { conn, reply, .. } => {
                self.deps.metrics.reject(ErrorCode::StoreUnavailable);
                conn.send(&ServerMsg::Error(unavailable()));
                let _ = reply.send(Err(JoinError::Refused(ErrorCode::StoreUnavailable)));
            }
            RoomMsg::Gone { conn, .. } => {
                if let Some(c) = self.conns.remove(&conn)
                    && let Some(member) = c.member
                    && self.member_conn.get(&member) == Some(&conn)
                {
                    self.member_conn.remove(&member);
                }
            }
            RoomMsg::Query(asked) => asked.refuse(QueryError::Unavailable),
            RoomMsg::Shutdown { done } => return Some(Exit::Shutdown(done)),
            RoomMsg::Purged => return Some(Exit::Purged),
        }
        None
    }

    /// Loads the durable state, confirms ownership, and takes the state over, keeping the
    /// live sockets.
    async fn reload(&mut self, online_before: &HashSet<MemberId>) -> Reload {
        let loaded = match self.deps.store.load_room(&self.code).await {
            Ok(Some(loaded)) => loaded,
            Ok(None) => return Reload::Exit(Exit::Purged),
            Err(_) => return Reload::Failed,
        };
        // Read after loading: a claim by another node since then raised the term, so the
        // confirmation below fails and the loaded state is never served.
        let generation = self.deps.lease.view().generation;
        let confirm = AppendBatch::new(self.code.clone(), self.lease.clone());
        match self.deps.store.append(confirm).await {
            Ok(()) => {}
            Err(StoreError::Fenced) => return Reload::Exit(Exit::Fenced),
            Err(StoreError::NotFound) => return Reload::Exit(Exit::Purged),
            Err(_) => return Reload::Failed,
        }
        let mut fresh = match restore(loaded, self.deps.clone()) {
            Ok(room) => room,
            Err(e) => {
                tracing::error!(room = %crate::redact::RoomTag(&self.code), error = %e, "room cannot be restored");
                return Reload::Exit(Exit::StoreFailed);
            }
        };
        self.take_state(&mut fresh, generation, online_before);
        Reload::Done
    }

    /// Moves the reloaded state in, keeping this room's identity, sockets and budgets, and
    /// brings the live sockets up to date.
    fn take_state(&mut self, fresh: &mut Room, generation: u64, online_before: &HashSet<MemberId>) {
        let now = now_ms();
        let shown = self.durable_seq;
        std::mem::swap(&mut self.session, &mut fresh.session);
        std::mem::swap(&mut self.replay, &mut fresh.replay);
        std::mem::swap(&mut self.dedup, &mut fresh.dedup);
        std::mem::swap(&mut self.attendance, &mut fresh.attendance);
        std::mem::swap(&mut self.away_since, &mut fresh.away_since);
        self.group_id = fresh.group_id.take();
        self.since_snapshot = 0;
        self.confirmed = generation;
        self.durable_seq = self.session.seq();
        // Sockets whose join was in the failed batch were refused; only welcomed ones stay.
        self.conns.retain(|_, c| c.live);
        let conns = &self.conns;
        self.member_conn.retain(|_, conn| conns.contains_key(conn));
        let online: Vec<MemberId> = self.member_conn.keys().copied().collect();
        for member in &online {
            self.session.set_online(*member, true);
            self.attendance.online(*member, now);
            self.away_since.remove(member);
        }
        let upto = self.session.seq();
        if upto > shown && !self.replay.covers(shown, upto) {
            // More became durable than can be replayed: clients resume with a full view.
            for c in self.conns.values() {
                c.sink.close_with(ErrorCode::StoreUnavailable);
            }
            self.conns.clear();
            self.member_conn.clear();
            return;
        }
        let frames: Vec<_> = self.replay.range(shown, upto).cloned().collect();
        for c in self.conns.values() {
            for frame in &frames {
                c.sink.push(frame);
            }
        }
        for member in online_before {
            if !self.member_conn.contains_key(member) {
                let frame = to_frame(&ServerMsg::Presence {
                    member: *member,
                    online: false,
                });
                for c in self.conns.values() {
                    c.sink.push(&frame);
                }
            }
        }
    }
}
