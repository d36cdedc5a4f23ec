//! Rebuilding a room from the store: snapshot (when readable) plus the journal after it.

use std::sync::Arc;

use kring_engine::{Session, SessionParams};
use kring_protocol::{Event, journal};

use super::task::{Room, RoomDeps};
use crate::socket::Frame;
use crate::store::LoadedRoom;

/// Why a stored room cannot be rebuilt. Its `Display` is content-free (it is logged): a JSON
/// error's own message can quote the value it stumbled on, so only its kind and place show.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RestoreError {
    #[error("stored session parameters cannot be read ({})", Where(.0))]
    Params(serde_json::Error),
    #[error("journal event {seq} cannot be read ({})", Where(.error))]
    Event { seq: u64, error: serde_json::Error },
}

/// A JSON error's kind and place, without the text it quotes.
struct Where<'a>(&'a serde_json::Error);

impl std::fmt::Display for Where<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.0.classify() {
            serde_json::error::Category::Io => "i/o",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "data",
            serde_json::error::Category::Eof => "end of input",
        };
        write!(
            f,
            "{kind} error at line {} column {}",
            self.0.line(),
            self.0.column()
        )
    }
}

/// The room as the store has it. The journal is the truth; the snapshot only saves replay.
pub(crate) fn restore(loaded: LoadedRoom, deps: Arc<RoomDeps>) -> Result<Room, RestoreError> {
    let params: SessionParams =
        serde_json::from_str(&loaded.params_json).map_err(RestoreError::Params)?;
    let last_seq = loaded.events.last().map_or(0, |e| e.seq);
    let from_snapshot = loaded
        .snapshot
        .as_ref()
        .filter(|s| s.seq <= last_seq)
        .and_then(|s| serde_json::from_str::<Session>(&s.json).ok())
        .filter(|s| params.code == s.code());
    let mut session = from_snapshot.unwrap_or_else(|| Session::new(params));
    let mut decoded = Vec::with_capacity(loaded.events.len());
    for stored in &loaded.events {
        // Events keep the shape they were written in; older shapes are upgraded as read.
        let event: Event =
            journal::read_event(&stored.json).map_err(|error| RestoreError::Event {
                seq: stored.seq,
                error,
            })?;
        if stored.seq > session.seq() {
            session.apply(stored.seq, stored.at, &event);
        }
        decoded.push((stored.seq, stored.at, event));
    }
    let mut room = Room::new(loaded.code, loaded.epoch, session, deps);
    room.group_id = loaded.group_id;
    let session = &room.session;
    room.attendance.restore(loaded.attendance, session);
    for (_, at, event) in &decoded {
        if let Event::MemberJoined { member, .. } = event {
            room.attendance.joined(member.id, *at);
        }
    }
    room.refill(decoded);
    // Nobody is connected to a room just loaded; whoever does not come back within the grace
    // period leaves turn-taking, as if they had dropped off now.
    let now = crate::clock::now_ms();
    for member in room.session.view(kring_engine::Viewer::Screen).members {
        if member.in_turns {
            room.away_since.insert(member.id, now);
        }
        // A restart does not give away the seats of people about to reconnect.
        room.session.set_presence(member.id, false, now);
    }
    for id in &loaded.msg_ids {
        *room.commands.entry(id.member).or_default() += 1;
    }
    for id in loaded.msg_ids {
        room.dedup
            .insert(id.member, id.msg_id, Frame::text(&id.ack_json));
    }
    Ok(room)
}

impl Room {
    /// Puts the newest journal events back in the replay buffer, so clients that were
    /// connected before a restart resume with just what they missed.
    fn refill(&mut self, events: Vec<(u64, u64, Event)>) {
        let keep_from = events.len().saturating_sub(super::task::REPLAY_FRAMES);
        let before = events
            .get(keep_from)
            .map_or(self.session.seq(), |(seq, _, _)| seq - 1);
        let mut buffer = super::replay::ReplayBuffer::new(
            before,
            super::task::REPLAY_FRAMES,
            super::task::REPLAY_BYTES,
        );
        for (seq, at, event) in &events[keep_from..] {
            let encoded = super::replay::encode_public(*seq, *at, event);
            buffer.record(*seq, encoded, event);
        }
        self.replay = buffer;
    }
}
