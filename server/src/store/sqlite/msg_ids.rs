//! The client message ids each room has committed, as (member, id): the writer's own check
//! that an id is unique per member within a room.
//!
//! The journal has no unique index on them on purpose (schema v5): a second index by room puts
//! every appended event on a second scattered leaf page; in an experiment with 200 rooms
//! appending it doubled the WAL pages per event and cut the events per second by more than
//! half. The writer is the only one that writes, so what it has committed is what the file
//! holds. A room's ids are loaded from the file the first time one of its batches carries an
//! id, dropped when it ends or is purged, and dropped for every room of a group whose commit
//! failed (whether that reached the disk is unknown), to be loaded again when next needed.
//!
//! A room that goes quiet without ending (unloaded after its members left, purged only at the
//! end of its retention) would otherwise keep its ids here for weeks: once many rooms are
//! held, those that wrote no id for a while are dropped, and loaded again (one indexed read of
//! the room's rows) if they ever write another.

use std::collections::HashSet;
use std::collections::hash_map::Entry;
use std::time::{Duration, Instant};

use kring_protocol::RoomCode;

use super::writer::RoomMap;
use crate::store::StoreError;

/// Rooms held before quiet ones are dropped. Live rooms keep theirs whatever the count.
const ROOMS_KEPT: usize = 1024;

/// A room that wrote no id for this long is quiet.
const QUIET_AFTER: Duration = Duration::from_secs(15 * 60);

/// How often the held rooms are looked over, at most.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// One room's committed ids.
pub(super) type Ids = HashSet<(u32, String)>;

pub(super) struct MsgIds {
    rooms: RoomMap<Held>,
    swept: Instant,
}

struct Held {
    ids: Ids,
    used: Instant,
}

impl MsgIds {
    pub(super) fn new(now: Instant) -> MsgIds {
        MsgIds {
            rooms: RoomMap::default(),
            swept: now,
        }
    }

    /// The room's committed ids, read with `load` if they are not held.
    pub(super) fn room(
        &mut self,
        room: &RoomCode,
        now: Instant,
        load: impl FnOnce() -> Result<Ids, StoreError>,
    ) -> Result<&mut Ids, StoreError> {
        let held = match self.rooms.entry(room.clone()) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(Held {
                ids: load()?,
                used: now,
            }),
        };
        held.used = now;
        Ok(&mut held.ids)
    }

    /// Forgets the room's ids: they are read from the file again when next needed.
    pub(super) fn forget(&mut self, room: &RoomCode) {
        self.rooms.remove(room);
    }

    /// Drops the quiet rooms' ids, once more than [`ROOMS_KEPT`] rooms are held.
    pub(super) fn sweep(&mut self, now: Instant) {
        if self.rooms.len() <= ROOMS_KEPT || now.duration_since(self.swept) < SWEEP_EVERY {
            return;
        }
        self.swept = now;
        self.rooms
            .retain(|_, held| now.duration_since(held.used) < QUIET_AFTER);
    }

    #[cfg(test)]
    fn held(&self) -> usize {
        self.rooms.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(n: usize) -> RoomCode {
        let alphabet = kring_protocol::ROOM_CODE_ALPHABET;
        let mut text = String::new();
        let mut rest = n;
        for _ in 0..kring_protocol::ROOM_CODE_LEN {
            text.push(char::from(alphabet[rest % alphabet.len()]));
            rest /= alphabet.len();
        }
        RoomCode::parse(&text).unwrap()
    }

    fn hold(ids: &mut MsgIds, n: usize, now: Instant) {
        ids.room(&code(n), now, || Ok(Ids::from([(1, format!("m{n}"))])))
            .unwrap();
    }

    #[test]
    fn quiet_rooms_are_dropped_only_once_many_are_held() {
        let start = Instant::now();
        let mut ids = MsgIds::new(start);
        for n in 0..ROOMS_KEPT {
            hold(&mut ids, n, start);
        }
        let later = start + QUIET_AFTER + SWEEP_EVERY;
        ids.sweep(later);
        assert_eq!(ids.held(), ROOMS_KEPT, "few rooms: all kept, however quiet");

        // One more room, and half of the first ones write again.
        hold(&mut ids, ROOMS_KEPT, later);
        for n in 0..ROOMS_KEPT / 2 {
            hold(&mut ids, n, later);
        }
        ids.sweep(later);
        assert_eq!(ids.held(), ROOMS_KEPT / 2 + 1, "the quiet half is dropped");
    }

    #[test]
    fn a_dropped_room_is_read_again_and_a_held_one_is_not() {
        let start = Instant::now();
        let mut ids = MsgIds::new(start);
        let room = code(7);
        let mut loads = 0;
        for _ in 0..3 {
            ids.room(&room, start, || {
                loads += 1;
                Ok(Ids::new())
            })
            .unwrap();
        }
        assert_eq!(loads, 1);
        ids.forget(&room);
        ids.room(&room, start, || {
            loads += 1;
            Ok(Ids::new())
        })
        .unwrap();
        assert_eq!(loads, 2);
    }
}
