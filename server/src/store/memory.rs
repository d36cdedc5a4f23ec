//! A store in memory: nothing survives the process. For tests and for like-for-like benchmark
//! comparisons with servers that keep no journal.

use std::collections::HashMap;
use std::sync::Mutex;

use kring_protocol::{Millis, RoomCode};

use super::{
    AppendBatch, LoadedRoom, MeetingRecord, NewRoom, Store, StoreError, StoreFuture, StoredGroup,
};

#[derive(Default)]
pub struct MemoryStore {
    rooms: Mutex<HashMap<RoomCode, StoredRoom>>,
    groups: Mutex<HashMap<String, Group>>,
    /// Attendance records by room code; they outlive the rooms.
    records: Mutex<HashMap<RoomCode, MeetingRecord>>,
}

struct Group {
    token_hash: String,
    /// The newest meeting: its creation time, and what it carried (if anything yet).
    active_at: Millis,
    carry_json: Option<String>,
}

struct StoredRoom {
    room: LoadedRoom,
    last_active: Millis,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn rooms(&self) -> std::sync::MutexGuard<'_, HashMap<RoomCode, StoredRoom>> {
        // A panic while holding this lock cannot leave a room half-written (every mutation is
        // a single insert or push), so a poisoned lock is still consistent.
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn groups(&self) -> std::sync::MutexGuard<'_, HashMap<String, Group>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn records(&self) -> std::sync::MutexGuard<'_, HashMap<RoomCode, MeetingRecord>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Store for MemoryStore {
    fn create_room(&self, room: NewRoom) -> StoreFuture<'_, ()> {
        let result = {
            let mut rooms = self.rooms();
            if rooms.contains_key(&room.code) || self.records().contains_key(&room.code) {
                Err(StoreError::Duplicate)
            } else {
                if let Some(link) = &room.group {
                    let mut groups = self.groups();
                    match (&link.new_token_hash, groups.get_mut(&link.id)) {
                        (_, Some(group)) => group.active_at = room.created_at,
                        (Some(token_hash), None) => {
                            groups.insert(
                                link.id.clone(),
                                Group {
                                    token_hash: token_hash.clone(),
                                    active_at: room.created_at,
                                    carry_json: None,
                                },
                            );
                        }
                        (None, None) => return Box::pin(async { Err(StoreError::NotFound) }),
                    }
                }
                let last_active = room.created_at;
                rooms.insert(
                    room.code.clone(),
                    StoredRoom {
                        room: LoadedRoom {
                            code: room.code,
                            params_json: room.params_json,
                            epoch: room.epoch,
                            created_at: room.created_at,
                            ended_at: None,
                            snapshot: None,
                            events: Vec::new(),
                            msg_ids: Vec::new(),
                            group_id: room.group.map(|g| g.id),
                            attendance: Vec::new(),
                        },
                        last_active,
                    },
                );
                Ok(())
            }
        };
        Box::pin(async move { result })
    }

    fn append(&self, batch: AppendBatch) -> StoreFuture<'_, ()> {
        let result = (|| {
            let mut rooms = self.rooms();
            let stored = rooms.get_mut(&batch.room).ok_or(StoreError::NotFound)?;
            let room = &mut stored.room;
            let last = room
                .events
                .last()
                .map(|e| e.seq)
                .or(room.snapshot.as_ref().map(|s| s.seq))
                .unwrap_or(0);
            if let Some(first) = batch.events.first()
                && first.seq != last + 1
            {
                return Err(StoreError::Gap {
                    expected: last + 1,
                    got: first.seq,
                });
            }
            if let Some(at) = batch.events.last().map(|e| e.at) {
                stored.last_active = at;
            }
            room.events.extend(batch.events);
            room.msg_ids.extend(batch.msg_ids);
            if let Some(snapshot) = batch.snapshot {
                room.snapshot = Some(snapshot);
            }
            if batch.ended_at.is_some() {
                room.ended_at = batch.ended_at;
            }
            for record in batch.attendance {
                room.attendance.retain(|r| r.member != record.member);
                room.attendance.push(record);
            }
            if let (Some(carry), Some(group_id)) = (batch.carry_json, &room.group_id)
                && let Some(group) = self.groups().get_mut(group_id)
            {
                group.carry_json = Some(carry);
            }
            if let Some(record) = batch.record {
                self.records().insert(record.room.clone(), *record);
            }
            Ok(())
        })();
        Box::pin(async move { result })
    }

    fn load_room<'a>(&'a self, code: &'a RoomCode) -> StoreFuture<'a, Option<LoadedRoom>> {
        let room = self.rooms().get(code).map(|r| r.room.clone());
        Box::pin(async move { Ok(room) })
    }

    fn room_codes(&self) -> StoreFuture<'_, Vec<RoomCode>> {
        let codes = self.rooms().keys().cloned().collect();
        Box::pin(async move { Ok(codes) })
    }

    fn purge_ended(
        &self,
        ended_before: Millis,
        idle_before: Millis,
    ) -> StoreFuture<'_, Vec<RoomCode>> {
        let mut purged = Vec::new();
        self.rooms().retain(|code, r| {
            let ended = r.room.ended_at.is_some_and(|at| at < ended_before);
            let idle = r.last_active < idle_before;
            if ended || idle {
                purged.push(code.clone());
            }
            !(ended || idle)
        });
        Box::pin(async move { Ok(purged) })
    }

    fn group_by_token<'a>(&'a self, token_hash: &'a str) -> StoreFuture<'a, Option<StoredGroup>> {
        let found = self
            .groups()
            .iter()
            .find(|(_, g)| g.token_hash == token_hash)
            .map(|(id, g)| StoredGroup {
                id: id.clone(),
                carry_json: g.carry_json.clone(),
            });
        Box::pin(async move { Ok(found) })
    }

    fn purge_groups(&self, before: Millis) -> StoreFuture<'_, usize> {
        let mut groups = self.groups();
        let count = groups.len();
        groups.retain(|_, g| g.active_at >= before);
        let purged = count - groups.len();
        Box::pin(async move { Ok(purged) })
    }

    fn record<'a>(&'a self, room: &'a RoomCode) -> StoreFuture<'a, Option<MeetingRecord>> {
        let record = self.records().get(room).cloned();
        Box::pin(async move { Ok(record) })
    }

    fn record_by_certificate<'a>(
        &'a self,
        code: &'a str,
    ) -> StoreFuture<'a, Option<MeetingRecord>> {
        let record = self
            .records()
            .values()
            .find(|r| r.members.iter().any(|m| m.certificate == code))
            .cloned();
        Box::pin(async move { Ok(record) })
    }

    fn purge_records(&self, before: Millis) -> StoreFuture<'_, usize> {
        let mut records = self.records();
        let count = records.len();
        records.retain(|_, r| r.ended_at.unwrap_or(r.started_at) >= before);
        let purged = count - records.len();
        Box::pin(async move { Ok(purged) })
    }

    fn check_writable(&self) -> StoreFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }

    fn close(&self) -> StoreFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }
}
