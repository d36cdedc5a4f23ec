//! Reads: a few `query_only` connections, each used by one blocking thread at a time.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use kring_protocol::{MemberId, Role, RoomCode};
use rusqlite::{Connection, OptionalExtension};
use tokio::sync::Semaphore;

use super::schema::{Access, connect};
use super::to_u64;
use crate::store::{
    AttendanceRecord, LoadedRoom, Snapshot, StoreError, StoredEvent, StoredGroup, StoredMsgId,
    stored_code,
};

/// The read connections. A read takes a permit, an idle connection (or opens one), and runs
/// on tokio's blocking pool, so a long read (a big room's journal) never stalls a worker.
pub(super) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
    size: usize,
}

impl Readers {
    /// Opens the first connection at once, so a reader that cannot get its pragmas fails
    /// start-up rather than the first request.
    pub(super) fn open(path: PathBuf, size: usize) -> Result<Readers, StoreError> {
        let first = connect(&path, Access::Read)?;
        Ok(Readers {
            path,
            idle: Mutex::new(vec![first]),
            permits: Arc::new(Semaphore::new(size)),
            size,
        })
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) async fn run<T: Send + 'static>(
        &self,
        read: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Closed)?;
        let conn = self.idle().pop();
        let path = self.path.clone();
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let mut conn = match conn {
                Some(conn) => conn,
                None => match connect(&path, Access::Read) {
                    Ok(conn) => conn,
                    Err(e) => return (None, Err(e)),
                },
            };
            let result = read(&mut conn);
            (Some(conn), result)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("read failed: {e}")))?;
        if let Some(conn) = conn {
            self.idle().push(conn);
        }
        result
    }

    /// Waits for reads in flight, refuses new ones and closes the connections.
    pub(super) async fn close(&self) {
        if let Ok(all) = self.permits.acquire_many(self.size as u32).await {
            all.forget();
        }
        self.permits.close();
        self.idle().clear();
    }
}

/// One read transaction: the snapshot, the events and the message ids are read from the same
/// state of the database.
pub(super) fn load_room(
    conn: &mut Connection,
    code: &RoomCode,
) -> Result<Option<LoadedRoom>, StoreError> {
    let tx = conn.transaction()?;
    let Some(room) = room_row(&tx, code)? else {
        return Ok(None);
    };
    let code = code.as_str();
    let loaded = LoadedRoom {
        snapshot: snapshot(&tx, code)?,
        events: events(&tx, code)?,
        msg_ids: msg_ids(&tx, code)?,
        attendance: attendance(&tx, code)?,
        ..room
    };
    tx.finish()?;
    Ok(Some(loaded))
}

/// The room's own row, with nothing of its journal yet; `None`: no such room.
fn room_row(conn: &Connection, code: &RoomCode) -> Result<Option<LoadedRoom>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT params_json, epoch, created_at, ended_at, group_id FROM rooms WHERE code = ?",
        )?
        .query_row([code.as_str()], |row| {
            Ok((
                row.get::<_, String>("params_json")?,
                row.get::<_, u32>("epoch")?,
                row.get::<_, i64>("created_at")?,
                row.get::<_, Option<i64>>("ended_at")?,
                row.get::<_, Option<String>>("group_id")?,
            ))
        })
        .optional()?;
    let Some((params_json, epoch, created_at, ended_at, group_id)) = row else {
        return Ok(None);
    };
    Ok(Some(LoadedRoom {
        code: code.clone(),
        params_json,
        epoch,
        created_at: to_u64(created_at)?,
        ended_at: ended_at.map(to_u64).transpose()?,
        group_id,
        snapshot: None,
        events: Vec::new(),
        msg_ids: Vec::new(),
        attendance: Vec::new(),
    }))
}

fn snapshot(conn: &Connection, code: &str) -> Result<Option<Snapshot>, StoreError> {
    conn.prepare_cached("SELECT seq, json FROM snapshots WHERE room = ?")?
        .query_row([code], |row| {
            Ok((row.get::<_, i64>("seq")?, row.get::<_, String>("json")?))
        })
        .optional()?
        .map(|(seq, json)| {
            Ok(Snapshot {
                seq: to_u64(seq)?,
                json,
            })
        })
        .transpose()
}

/// The whole journal: it is the source of truth, and the snapshot only saves replay time
/// (a snapshot the engine can no longer read is ignored by the room).
fn events(conn: &Connection, code: &str) -> Result<Vec<StoredEvent>, StoreError> {
    let mut events = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, kind, json FROM journal WHERE room = ? AND kind IS NOT NULL
         ORDER BY seq",
    )?;
    let mut rows = stmt.query([code])?;
    while let Some(row) = rows.next()? {
        events.push(StoredEvent {
            seq: to_u64(row.get("seq")?)?,
            at: to_u64(row.get("at")?)?,
            kind: Cow::Owned(row.get("kind")?),
            json: row.get("json")?,
        });
    }
    Ok(events)
}

/// The client message ids that produced events, in the order they were accepted.
fn msg_ids(conn: &Connection, code: &str) -> Result<Vec<StoredMsgId>, StoreError> {
    let ids = conn
        .prepare_cached(
            // The order of the index (room, seq, rowid): for message ids the rowid order,
            // since a later id never has a lower seq (schema v5).
            "SELECT member, msg_id, ack_json FROM journal WHERE room = ? AND msg_id IS NOT NULL
             ORDER BY seq, rowid",
        )?
        .query_map([code], |row| {
            Ok(StoredMsgId {
                member: MemberId(row.get("member")?),
                msg_id: row.get("msg_id")?,
                ack_json: row.get("ack_json")?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids)
}

fn attendance(conn: &Connection, code: &str) -> Result<Vec<AttendanceRecord>, StoreError> {
    conn.prepare_cached(
        "SELECT member, name, role, joined_at, present_ms, away_since FROM attendance
         WHERE room = ? ORDER BY member",
    )?
    .query_map([code], |row| {
        Ok((
            row.get::<_, u32>("member")?,
            row.get::<_, String>("name")?,
            row.get::<_, String>("role")?,
            row.get::<_, i64>("joined_at")?,
            row.get::<_, i64>("present_ms")?,
            row.get::<_, Option<i64>>("away_since")?,
        ))
    })?
    .map(|row| {
        let (member, name, role, joined_at, present_ms, away_since) = row?;
        Ok(AttendanceRecord {
            member: MemberId(member),
            name,
            role: Role::ALL
                .into_iter()
                .find(|r| r.as_str() == role)
                .unwrap_or(Role::Participant),
            joined_at: to_u64(joined_at)?,
            present_ms: to_u64(present_ms)?,
            away_since: away_since.map(to_u64).transpose()?,
        })
    })
    .collect()
}

pub(super) fn group_by_token(
    conn: &mut Connection,
    token_hash: &str,
) -> Result<Option<StoredGroup>, StoreError> {
    conn.prepare_cached(
        "SELECT g.id,
                (SELECT json FROM group_carry WHERE group_id = g.id ORDER BY rowid DESC LIMIT 1)
                AS carry_json
         FROM groups AS g WHERE g.token_hash = ?",
    )?
    .query_row([token_hash], |row| {
        Ok(StoredGroup {
            id: row.get("id")?,
            carry_json: row.get("carry_json")?,
        })
    })
    .optional()
    .map_err(StoreError::from)
}

pub(super) fn room_codes(conn: &mut Connection) -> Result<Vec<RoomCode>, StoreError> {
    let codes = conn
        .prepare_cached("SELECT code FROM rooms ORDER BY code")?
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    codes.iter().map(|code| stored_code(code)).collect()
}
