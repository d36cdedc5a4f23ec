//! The room task: the only place a session changes.
//!
//! It takes messages in batches: every message is decided against the current state (accepted
//! events are applied at once, so later messages in the batch see them), everything the batch
//! produced is committed to the store in one append, and only then are its effects carried
//! out in order: events broadcast, welcomes and acks sent. If the commit fails, nothing of the
//! batch was seen by anyone: while the store is away the room keeps its sockets, refuses
//! commands with a retry code and reloads the durable state when the store is back
//! (`recover.rs`); if another node has claimed the room meanwhile (the store refused the
//! append as fenced), the room closes its sockets with `room_moved` and exits.
//!
//! With a shared store every batch carries the room's lease, and while this node's lease is
//! not valid (it could not renew it in time, or it was paused) a batch confirms ownership with
//! a fenced write before anything of it is shown, even when it has no events of its own.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use dashmap::DashMap;
use kring_engine::Session;
use kring_protocol::{Epoch, ErrorCode, MemberId, Millis, RoomCode, Sequenced};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::task::TaskTracker;

use super::attendance::Attendance;
use super::dedup::Dedup;
use super::effects::{Effect, Pending};
use super::replay::ReplayBuffer;
use super::{ConnId, ConnSink, JoinError, RoomHandle, RoomMsg};
use crate::clock::now_ms;
use crate::cluster::{NodeLease, Placement};
use crate::config::Config;
use crate::limits::SharedBudget;
use crate::metrics::Metrics;
use crate::store::{AppendBatch, Lease, Snapshot, Store, StoreError, StoredEvent};

/// Messages taken from the queue into one batch (and so one store commit).
const MAX_BATCH: usize = 128;
/// Queue of a room task; senders wait when it is full (backpressure on busy sockets).
const ROOM_QUEUE: usize = 1024;
/// A snapshot is written with every this many events.
const SNAPSHOT_EVERY: u64 = 256;
pub(super) const REPLAY_FRAMES: usize = 1024;
pub(super) const REPLAY_BYTES: usize = 512 * 1024;
const DEDUP_IDS: usize = 4096;

pub(crate) struct RoomDeps {
    pub store: Arc<dyn Store>,
    pub placement: Arc<dyn Placement>,
    /// This node's lease on itself (always valid for the embedded store).
    pub lease: Arc<NodeLease>,
    pub metrics: Arc<Metrics>,
    pub cfg: Arc<Config>,
    pub registry: Arc<DashMap<RoomCode, RoomHandle>>,
}

pub(super) struct Conn {
    pub sink: ConnSink,
    pub member: Option<MemberId>,
    /// Set when the welcome has been sent; broadcasts skip connections not yet live.
    pub live: bool,
}

pub(crate) struct Room {
    pub(super) code: RoomCode,
    pub(super) epoch: Epoch,
    pub(super) session: Session,
    pub(super) conns: HashMap<ConnId, Conn>,
    /// Each member's current connection (a newer one takes over).
    pub(super) member_conn: HashMap<MemberId, ConnId>,
    pub(super) away_since: HashMap<MemberId, Millis>,
    /// Each member's message budget: it outlives their sockets, so reconnecting neither
    /// refills it nor ends a ban for flooding.
    pub(super) budgets: HashMap<MemberId, SharedBudget>,
    pub(super) replay: ReplayBuffer,
    pub(super) dedup: Dedup,
    pub(super) since_snapshot: u64,
    pub(super) deps: Arc<RoomDeps>,
    /// The fixed group this session is a meeting of.
    pub(crate) group_id: Option<String>,
    pub(super) attendance: Attendance,
    /// Something on the meeting's attendance record changed since it was last written.
    pub(super) record_due: bool,
    /// The full view's shared part (everything but `me`) as JSON, for the facilitator and for
    /// everyone else, serialised once until the room changes (see `join.rs`).
    pub(super) view_cache: [Option<Arc<str>>; 2],
    /// Commands each member had accepted ([`crate::limits::MAX_COMMANDS_PER_MEMBER`]).
    pub(super) commands: HashMap<MemberId, u32>,
    /// New members added per address (`--member-joins`).
    pub(super) member_joins: crate::limits::WindowLimiter,
    empty_since: Option<Instant>,
    /// A deadline `tick` already handled without producing events (guards against spinning).
    ticked_deadline: Option<Millis>,
    pub(super) instance: u64,
    /// This room's lease: every append carries it.
    pub(super) lease: Lease,
    /// The generation of the node's lease in which this room last confirmed its ownership.
    pub(super) confirmed: u64,
    /// The last sequence number made durable (and so shown to clients).
    pub(super) durable_seq: kring_protocol::Seq,
}

pub(super) enum Exit {
    Unload,
    Shutdown(oneshot::Sender<()>),
    Purged,
    StoreFailed,
    /// Another node owns the room now.
    Fenced,
}

/// What a batch leads to.
pub(super) enum Next {
    Go,
    Exit(Exit),
    /// The store failed: nobody saw the batch; recover before serving again.
    Recover,
}

static INSTANCES: AtomicU64 = AtomicU64::new(1);

impl Room {
    pub(crate) fn new(code: RoomCode, epoch: Epoch, session: Session, deps: Arc<RoomDeps>) -> Room {
        let seq = session.seq();
        let grace = deps.cfg.turn_grace.as_millis() as Millis;
        let member_joins = crate::limits::WindowLimiter::new(deps.cfg.member_joins);
        Room {
            code,
            epoch,
            session,
            conns: HashMap::new(),
            member_conn: HashMap::new(),
            away_since: HashMap::new(),
            budgets: HashMap::new(),
            replay: ReplayBuffer::new(seq, REPLAY_FRAMES, REPLAY_BYTES),
            dedup: Dedup::new(DEDUP_IDS),
            since_snapshot: 0,
            deps,
            group_id: None,
            attendance: Attendance::new(grace),
            record_due: false,
            member_joins,
            commands: HashMap::new(),
            view_cache: [None, None],
            empty_since: Some(Instant::now()),
            ticked_deadline: None,
            instance: INSTANCES.fetch_add(1, Ordering::Relaxed),
            lease: Lease::default(),
            confirmed: 0,
            durable_seq: seq,
        }
    }

    /// The room is written under `lease`; `generation` is the node lease's generation read
    /// before the claim that gave it (the claim confirmed ownership then).
    pub(crate) fn with_lease(mut self, lease: Lease, generation: u64) -> Room {
        self.lease = lease;
        self.confirmed = generation;
        self
    }

    /// Whether the next batch must confirm ownership with a write before showing anything.
    fn must_confirm(&self) -> bool {
        let view = self.deps.lease.view();
        !view.valid || view.generation != self.confirmed
    }

    async fn run(mut self, mut rx: mpsc::Receiver<RoomMsg>) {
        self.deps.metrics.rooms.inc();
        self.deps.metrics.rooms_owned.inc();
        let mut lease_changes = self.deps.lease.watch();
        let exit = loop {
            let wake = self.next_wake();
            let next = tokio::select! {
                msg = rx.recv() => {
                    let Some(first) = msg else {
                        break Exit::Unload;
                    };
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(msg) => batch.push(msg),
                            Err(_) => break,
                        }
                    }
                    self.handle_batch(batch).await
                }
                _ = tokio::time::sleep_until(wake) => self.on_timer().await,
                // The node's lease ran out or was taken again: an idle room confirms now, so
                // one that another node claimed meanwhile lets its clients go at once.
                changed = lease_changes.changed() => match changed {
                    Ok(()) if self.must_confirm() => self.confirm().await,
                    _ => Next::Go,
                },
            };
            match next {
                Next::Go => {}
                Next::Exit(exit) => break exit,
                Next::Recover => {
                    if let Some(exit) = self.recover(&mut rx).await {
                        break exit;
                    }
                }
            }
        };
        // Leave the registry first, so new lookups load a fresh room instead of queueing here.
        let instance = self.instance;
        self.deps
            .registry
            .remove_if(&self.code, |_, h| h.instance == instance);
        rx.close();
        if matches!(exit, Exit::Unload | Exit::Shutdown(_) | Exit::Purged) {
            self.flush_attendance().await;
        }
        if matches!(exit, Exit::Unload | Exit::Shutdown(_)) {
            self.release(matches!(exit, Exit::Shutdown(_))).await;
        }
        self.finish(exit);
        while let Ok(msg) = rx.try_recv() {
            refuse_late(msg);
        }
        self.deps.metrics.rooms_owned.dec();
        self.deps.metrics.rooms.dec();
    }

    /// Gives the room up after its last commit, so that another node can claim it at once
    /// (before the clients, told to reconnect, get there).
    async fn release(&mut self, handoff: bool) {
        if !self.deps.placement.shared() {
            return;
        }
        match self.deps.placement.release(&self.code, &self.lease).await {
            Ok(()) if handoff => self.deps.metrics.room_handoffs.inc(),
            Ok(()) => {}
            Err(e) => {
                tracing::warn!(room = %crate::redact::RoomTag(&self.code), error = %e, "room not released; another node takes it when this node's lease runs out")
            }
        }
    }

    fn finish(&mut self, exit: Exit) {
        let code = match &exit {
            Exit::Unload => None,
            Exit::Shutdown(_) => Some(ErrorCode::ShuttingDown),
            Exit::Purged => Some(ErrorCode::SessionEnded),
            Exit::StoreFailed => Some(ErrorCode::StoreUnavailable),
            Exit::Fenced => Some(ErrorCode::RoomMoved),
        };
        if let Some(code) = code {
            for conn in self.conns.values() {
                conn.sink.close_with(code);
            }
        }
        match exit {
            Exit::StoreFailed => {
                tracing::error!(room = %crate::redact::RoomTag(&self.code), "store failed; room closed, clients will reconnect")
            }
            Exit::Unload => {
                tracing::debug!(room = %crate::redact::RoomTag(&self.code), "room unloaded")
            }
            Exit::Purged => {
                tracing::info!(room = %crate::redact::RoomTag(&self.code), "room purged")
            }
            Exit::Fenced => {
                tracing::warn!(room = %crate::redact::RoomTag(&self.code), term = self.lease.term, "another node owns the room now; clients sent there")
            }
            Exit::Shutdown(done) => {
                let _ = done.send(());
            }
        }
    }

    async fn handle_batch(&mut self, batch: Vec<RoomMsg>) -> Next {
        let now = now_ms();
        let mut pending = Pending::default();
        let mut exit = None;
        for msg in batch {
            match msg {
                RoomMsg::Join {
                    join,
                    peer,
                    conn,
                    reply,
                } => self.decide_join(join, peer, conn, reply, now, &mut pending),
                RoomMsg::Command {
                    member,
                    conn,
                    envelope,
                } => self.decide_command(member, conn, envelope, now, &mut pending),
                RoomMsg::Gone { conn, left } => self.gone(conn, left, now, &mut pending),
                RoomMsg::Query(asked) => {
                    let answer = asked.answer(self);
                    pending.effects.push(Effect::Answer(answer));
                }
                RoomMsg::Shutdown { done } => {
                    exit = Some(Exit::Shutdown(done));
                    break;
                }
                RoomMsg::Purged => {
                    exit = Some(Exit::Purged);
                    break;
                }
            }
        }
        if let Some(next) = self.commit_or_fail(&mut pending).await {
            let stays = matches!((&exit, &next), (None, Next::Recover));
            pending.fail(stays.then_some(&self.conns));
            // Stopping anyway: what was not durable is not shown, clients resume elsewhere.
            return match (exit, next) {
                (_, Next::Exit(Exit::Fenced)) => Next::Exit(Exit::Fenced),
                (Some(exit), _) => Next::Exit(exit),
                (None, next) => next,
            };
        }
        self.run_effects(pending);
        self.empty_since = match (self.conns.is_empty(), self.empty_since) {
            (true, None) => Some(Instant::now()),
            (true, since) => since,
            (false, _) => None,
        };
        exit.map_or(Next::Go, Next::Exit)
    }

    /// Commits the batch (confirming ownership first if the node's lease asks for it).
    /// `None` when it is durable; otherwise what the room does next.
    async fn commit_or_fail(&mut self, p: &mut Pending) -> Option<Next> {
        match self.commit(p).await {
            Ok(()) => None,
            Err(StoreError::Fenced) => Some(Next::Exit(Exit::Fenced)),
            // Deleted under us (purged by another node): the session is over.
            Err(StoreError::NotFound) => Some(Next::Exit(Exit::Purged)),
            Err(_) => Some(Next::Recover),
        }
    }

    /// Confirms ownership with a write of nothing but the lease.
    async fn confirm(&mut self) -> Next {
        let mut pending = Pending::default();
        match self.commit_or_fail(&mut pending).await {
            None => {
                self.run_effects(pending);
                Next::Go
            }
            Some(next) => next,
        }
    }

    /// Records events decided for `at`: applies them and queues their broadcast.
    pub(super) fn record(
        &mut self,
        events: Vec<kring_protocol::Event>,
        at: Millis,
        p: &mut Pending,
    ) {
        if !events.is_empty() {
            self.view_cache = [None, None];
        }
        for event in events {
            let seq = self.session.seq() + 1;
            self.session.apply(seq, at, &event);
            if let kring_protocol::Event::MemberJoined { member, .. } = &event {
                self.attendance.joined(member.id, at);
            }
            self.record_due |= on_record(&event);
            if let Some(started) = self.session.started_at() {
                self.attendance.started(started);
            }
            if let Some(ended) = self.session.ended_at() {
                self.attendance.ended(ended);
            }
            p.effects.push(Effect::Event(p.events.len()));
            p.events.push(Sequenced { seq, at, event });
        }
    }

    /// The meeting's attendance record as it stands at `now` (`None` before the start).
    pub(super) fn meeting_record(&self, now: Millis) -> Option<crate::store::MeetingRecord> {
        crate::records::build(
            &self.session,
            &Measured {
                attendance: &self.attendance,
                now,
            },
        )
    }

    async fn commit(&mut self, p: &mut Pending) -> Result<(), StoreError> {
        let lease_view = self.deps.lease.view();
        let confirm = !lease_view.valid || lease_view.generation != self.confirmed;
        if p.events.is_empty() && !confirm {
            return Ok(());
        }
        self.since_snapshot += p.events.len() as u64;
        let snapshot = (self.since_snapshot >= SNAPSHOT_EVERY).then(|| Snapshot {
            seq: self.session.seq(),
            json: serde_json::to_string(&self.session).expect("session state serialises"),
        });
        let ended_at = p
            .events
            .iter()
            .find(|e| matches!(e.event, kring_protocol::Event::SessionEnded {}))
            .map(|e| e.at);
        // The one thing that outlives a session, and only if the group chose to keep it. A
        // meeting that keeps nothing still replaces what the previous one kept, so old
        // commitments never resurface two meetings later.
        let carry_json = ended_at.filter(|_| self.group_id.is_some()).map(|_| {
            // Each commitment is carried only with its case-bringer's consent (the engine
            // leaves out the rest).
            let carry = if self.session.params().settings.keep_for_group {
                self.session.carry_over()
            } else {
                // Only when it met: not even the title stays.
                kring_protocol::ReportBack {
                    previous_date: self.session.carry_over().previous_date,
                    ..Default::default()
                }
            };
            serde_json::to_string(&carry).expect("carry serialises")
        });
        let now = p.events.last().map_or(0, |e| e.at);
        let attendance = self.attendance.due(&self.session, now, false);
        let record = if std::mem::take(&mut self.record_due) {
            self.meeting_record(now).map(Box::new)
        } else {
            None
        };
        let batch = AppendBatch {
            room: self.code.clone(),
            lease: self.lease.clone(),
            events: p
                .events
                .iter()
                .map(|e| {
                    // The frame is built with the stored JSON, from one serialisation.
                    let (encoded, json) = super::replay::encode(e.seq, e.at, &e.event);
                    p.encoded.push(encoded);
                    StoredEvent {
                        seq: e.seq,
                        at: e.at,
                        kind: e.event.name().into(),
                        json,
                    }
                })
                .collect(),
            msg_ids: std::mem::take(&mut p.msg_ids),
            snapshot,
            ended_at,
            attendance,
            carry_json,
            record,
        };
        let result = self.deps.store.append(batch).await;
        match &result {
            Ok(()) => {
                self.confirmed = lease_view.generation;
                self.durable_seq = self.session.seq();
                if tracing::enabled!(tracing::Level::TRACE) {
                    let kinds: Vec<&str> = p.events.iter().map(|e| e.event.name()).collect();
                    tracing::trace!(room = %crate::redact::RoomTag(&self.code), last_seq = self.session.seq(), ?kinds, "batch committed");
                }
                self.deps.metrics.events.add(p.events.len() as u64);
                if self.since_snapshot >= SNAPSHOT_EVERY {
                    self.since_snapshot = 0;
                }
            }
            Err(StoreError::Fenced) => {}
            Err(e) => {
                tracing::error!(room = %crate::redact::RoomTag(&self.code), error = %e, "append failed")
            }
        }
        result
    }

    /// Writes everyone's attendance as it stands (the room is about to leave memory), and the
    /// meeting's record with the minutes as they stand.
    async fn flush_attendance(&mut self) {
        let now = now_ms();
        let attendance = self.attendance.due(&self.session, now, true);
        if attendance.is_empty() {
            return;
        }
        let batch = AppendBatch {
            attendance,
            record: self.meeting_record(now).map(Box::new),
            ..AppendBatch::new(self.code.clone(), self.lease.clone())
        };
        if let Err(e) = self.deps.store.append(batch).await {
            tracing::warn!(room = %crate::redact::RoomTag(&self.code), error = %e, "attendance not saved");
        }
    }

    fn next_wake(&self) -> Instant {
        let now = now_ms();
        let in_ms = |at: Millis| Instant::now() + Duration::from_millis(at.saturating_sub(now));
        let mut wake = Instant::now() + Duration::from_secs(3600);
        if let Some(deadline) = self.session.next_deadline()
            && self.ticked_deadline != Some(deadline)
        {
            wake = wake.min(in_ms(deadline));
        }
        let grace = self.deps.cfg.turn_grace.as_millis() as Millis;
        if let Some(since) = self.away_since.values().min() {
            wake = wake.min(in_ms(since + grace));
        }
        if let Some(since) = self.empty_since {
            wake = wake.min(since + self.deps.cfg.room_unload);
        }
        if self.session.status() != kring_protocol::SessionStatus::Ended {
            wake = wake.min(in_ms(self.expires_at()));
        }
        wake
    }

    async fn on_timer(&mut self) -> Next {
        if self
            .empty_since
            .is_some_and(|since| since.elapsed() >= self.deps.cfg.room_unload)
        {
            return Next::Exit(Exit::Unload);
        }
        let now = now_ms();
        let mut pending = Pending::default();
        if now >= self.expires_at() {
            let events = self.session.expire(now);
            if !events.is_empty() {
                tracing::info!(room = %crate::redact::RoomTag(&self.code), "session ended at its maximum age");
            }
            self.record(events, now, &mut pending);
        }
        let events = self.session.tick(now);
        if events.is_empty() {
            self.ticked_deadline = self.session.next_deadline().filter(|d| *d <= now);
        }
        self.record(events, now, &mut pending);
        let grace = self.deps.cfg.turn_grace.as_millis() as Millis;
        let due: Vec<MemberId> = self
            .away_since
            .iter()
            .filter(|(_, since)| **since + grace <= now)
            .map(|(m, _)| *m)
            .collect();
        for member in due {
            self.away_since.remove(&member);
            let events = self.session.left_turns_at(member, now);
            self.record(events, now, &mut pending);
        }
        if let Some(next) = self.commit_or_fail(&mut pending).await {
            let stays = matches!(next, Next::Recover);
            pending.fail(stays.then_some(&self.conns));
            return next;
        }
        self.run_effects(pending);
        Next::Go
    }

    /// When the session ends however active it is (`--max-session-age` after creation).
    fn expires_at(&self) -> Millis {
        let age = self.deps.cfg.max_session_age.as_millis() as Millis;
        self.session.params().created_at.saturating_add(age)
    }

    /// Starts the task; the caller puts the handle in the registry.
    pub(crate) fn spawn(self, tracker: &TaskTracker) -> RoomHandle {
        let (tx, rx) = mpsc::channel(ROOM_QUEUE);
        let handle = RoomHandle {
            tx,
            instance: self.instance,
        };
        tracker.spawn(self.run(rx));
        handle
    }
}

/// Events that change what the meeting's attendance record states.
fn on_record(event: &kring_protocol::Event) -> bool {
    use kring_protocol::Event as E;
    matches!(
        event,
        E::PhaseChanged { .. }
            | E::SessionEnded {}
            | E::MemberJoined { .. }
            | E::MemberRenamed { .. }
            | E::RoleChanged { .. }
            | E::MemberRemoved { .. }
            | E::PresenceConfirmed { .. }
            | E::ListConfirmed {}
            | E::MinutesSet { .. }
    )
}

/// The room's measured presence, as the record reads it.
struct Measured<'a> {
    attendance: &'a Attendance,
    now: Millis,
}

impl crate::records::Presence for Measured<'_> {
    fn present_ms(&self, member: MemberId) -> u64 {
        self.attendance.present_ms(member, self.now)
    }

    fn joined_at(&self, member: MemberId) -> Option<Millis> {
        self.attendance.joined_at(member)
    }
}

fn refuse_late(msg: RoomMsg) {
    match msg {
        RoomMsg::Join { reply, .. } => {
            let _ = reply.send(Err(JoinError::RoomGone));
        }
        RoomMsg::Shutdown { done } => {
            let _ = done.send(());
        }
        RoomMsg::Command { .. }
        | RoomMsg::Gone { .. }
        | RoomMsg::Query { .. }
        | RoomMsg::Purged => {}
    }
}
