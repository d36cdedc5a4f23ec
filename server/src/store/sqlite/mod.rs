//! The embedded default store: one SQLite file (`kring.db`) in WAL mode, written by one task.
//!
//! **Writes.** One writer task owns the only write connection. Every write (create, append,
//! heartbeat) is a request on a queue with a oneshot reply. The writer takes the first request,
//! drains whatever else is queued (group commit), and writes them all in one transaction with
//! a few multi-row statements. A request that is refused (a sequence gap, an unknown room, a
//! duplicate client message id) is left out and gets its own error; the others still commit.
//! Replies go out after the commit, so an `Ok` means durable (`synchronous=FULL`). With many
//! rooms busy, one fsync serves many appends.
//!
//! **Reads.** A small pool of `query_only` connections; WAL lets them read while the writer
//! writes, and `load_room` reads inside one transaction so it sees one consistent state.
//!
//! **Deletion.** `purge_ended` deletes the rooms' rows (`secure_delete=ON` zeroes them), then
//! rebuilds the file with `VACUUM` (rebalanced pages keep stale bytes that `secure_delete`
//! misses) and truncates the WAL (it holds old page images) with a checkpoint it verifies; see
//! `Writer::scrub`. What the file system or the disk keeps of freed blocks is beyond any
//! database: put the data directory on an encrypted volume.
//!
//! **Client message ids** are unique per (room, member, id): a member chooses its own ids, so
//! two members may pick the same one without colliding, and a retry by the same member is
//! refused by the store even if the room task's own dedup missed it.
//!
//! Event, params, snapshot and ack JSON never reach a log or an error message from here: logs
//! carry room codes, counts, sequence numbers and durations only.

mod records;
mod schema;
mod writer;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use kring_protocol::{MemberId, Millis, Role};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Row};
use tokio::sync::{mpsc, oneshot};

use super::{
    AppendBatch, AttendanceRecord, LoadedRoom, MeetingRecord, NewRoom, Snapshot, Store, StoreError,
    StoreFuture, StoredEvent, StoredGroup, StoredMsgId,
};
use crate::metrics::Metrics;
use schema::{Access, check_pragmas, migrate, prepare_dir};
use writer::{Op, Reply, Request, Writer};

/// The database file inside the data directory; SQLite adds `-wal` and `-shm` beside it.
pub const DB_FILE: &str = "kring.db";
/// Held with an exclusive OS lock while a store is open: one process per data directory.
const LOCK_FILE: &str = "kring.lock";
/// Requests waiting for the writer; appenders wait (backpressure) when it is full.
const QUEUE: usize = 4096;
/// Most requests written in one transaction.
const MAX_GROUP: usize = 512;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const READERS: u32 = 4;
/// After a checkpoint the WAL is cut back to this size, so one burst does not keep a big file.
const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;
/// Pages in the WAL before a commit also checkpoints (16 MB). Under load a group commit
/// dirties a page per busy room; SQLite's default of 1000 checkpointed every few commits and
/// doubled the p99 commit time in `examples/store_load.rs`.
const WAL_AUTOCHECKPOINT: u32 = 4000;

/// SQLite behind the [`Store`] trait. Open with [`SqliteStore::open`]; call [`Store::close`] on
/// shutdown to checkpoint the WAL into the database file.
pub struct SqliteStore {
    requests: mpsc::Sender<Request>,
    reads: SqlitePool,
    closed: AtomicBool,
    /// The exclusive lock on the data directory, released by close (or drop).
    lock: Mutex<Option<std::fs::File>>,
}

impl SqliteStore {
    /// Opens (or creates) `kring.db` in `data_dir`, applies the schema, checks that every
    /// pragma this store relies on is in effect, and starts the writer task. Must be called
    /// inside a tokio runtime.
    pub async fn open(data_dir: &Path, metrics: Arc<Metrics>) -> Result<SqliteStore, StoreError> {
        let lock = prepare_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("secure_delete", "ON")
            .pragma("temp_store", "MEMORY")
            .pragma("journal_size_limit", JOURNAL_SIZE_LIMIT.to_string())
            .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT.to_string())
            // Statements carry only placeholders, but nothing from the database layer needs to
            // be in the logs.
            .disable_statement_logging();

        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(backend)?;
        check_pragmas(&mut conn, Access::Write).await?;
        migrate(&mut conn).await?;

        let reads = SqlitePoolOptions::new()
            .max_connections(READERS)
            .min_connections(0)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    check_pragmas(conn, Access::Read)
                        .await
                        .map_err(|e| sqlx::Error::Configuration(Box::new(e)))
                })
            })
            .connect_with(options.pragma("query_only", "ON"))
            .await
            .map_err(backend)?;
        // Opens the first reader now, so a reader that cannot get the pragmas fails start-up.
        reads.acquire().await.map_err(backend)?;

        let sqlite_version: String = sqlx::query_scalar("SELECT sqlite_version()")
            .fetch_one(&mut conn)
            .await
            .map_err(backend)?;
        tracing::info!(%sqlite_version, "sqlite store open");

        let (requests, queue) = mpsc::channel(QUEUE);
        let scrub_owed: bool = sqlx::query_scalar("SELECT scrub_owed FROM maintenance")
            .fetch_one(&mut conn)
            .await
            .map_err(backend)?;
        tokio::spawn(Writer::new(conn, queue, wal_path(&path), metrics, scrub_owed).run());

        Ok(SqliteStore {
            requests,
            reads,
            closed: AtomicBool::new(false),
            lock: Mutex::new(Some(lock)),
        })
    }

    async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, StoreError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(make(reply))
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn load(&self, code: &str) -> Result<Option<LoadedRoom>, StoreError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        // One read transaction: the snapshot, the events after it and the message ids are
        // read from the same state of the database.
        let mut tx = self.reads.begin().await.map_err(backend)?;
        let Some(row) = sqlx::query(
            "SELECT params_json, epoch, created_at, ended_at, group_id FROM rooms WHERE code = ?",
        )
        .bind(code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?
        else {
            return Ok(None);
        };
        let params_json: String = row.try_get(0).map_err(backend)?;
        let epoch: u32 = row.try_get(1).map_err(backend)?;
        let created_at = to_u64(row.try_get(2).map_err(backend)?)?;
        let ended_at = row
            .try_get::<Option<i64>, _>(3)
            .map_err(backend)?
            .map(to_u64)
            .transpose()?;
        let group_id: Option<String> = row.try_get(4).map_err(backend)?;

        let snapshot = match sqlx::query("SELECT seq, json FROM snapshots WHERE room = ?")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?
        {
            Some(row) => Some(Snapshot {
                seq: to_u64(row.try_get(0).map_err(backend)?)?,
                json: row.try_get(1).map_err(backend)?,
            }),
            None => None,
        };
        // The whole journal: it is the source of truth, and the snapshot only saves replay
        // time (a snapshot the engine can no longer read is ignored by the room).
        let events =
            sqlx::query("SELECT seq, at, kind, json FROM events WHERE room = ? ORDER BY seq")
                .bind(code)
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?
                .into_iter()
                .map(|row| {
                    Ok(StoredEvent {
                        seq: to_u64(row.try_get(0).map_err(backend)?)?,
                        at: to_u64(row.try_get(1).map_err(backend)?)?,
                        kind: intern(row.try_get(2).map_err(backend)?),
                        json: row.try_get(3).map_err(backend)?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;

        let msg_ids = sqlx::query(
            "SELECT member, msg_id, ack_json FROM client_msgs WHERE room = ? ORDER BY rowid",
        )
        .bind(code)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?
        .into_iter()
        .map(|row| {
            Ok(StoredMsgId {
                member: MemberId(row.try_get(0).map_err(backend)?),
                msg_id: row.try_get(1).map_err(backend)?,
                ack_json: row.try_get(2).map_err(backend)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let attendance = sqlx::query(
            "SELECT member, name, role, joined_at, present_ms, away_since FROM attendance
             WHERE room = ? ORDER BY member",
        )
        .bind(code)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?
        .into_iter()
        .map(|row| {
            let role: String = row.try_get(2).map_err(backend)?;
            Ok(AttendanceRecord {
                member: MemberId(row.try_get(0).map_err(backend)?),
                name: row.try_get(1).map_err(backend)?,
                role: Role::ALL
                    .into_iter()
                    .find(|r| r.as_str() == role)
                    .unwrap_or(Role::Participant),
                joined_at: to_u64(row.try_get(3).map_err(backend)?)?,
                present_ms: to_u64(row.try_get(4).map_err(backend)?)?,
                away_since: row
                    .try_get::<Option<i64>, _>(5)
                    .map_err(backend)?
                    .map(to_u64)
                    .transpose()?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        tx.rollback().await.map_err(backend)?;

        Ok(Some(LoadedRoom {
            code: code.to_owned(),
            params_json,
            epoch,
            created_at,
            ended_at,
            snapshot,
            events,
            msg_ids,
            group_id,
            attendance,
        }))
    }

    async fn group(&self, token_hash: &str) -> Result<Option<StoredGroup>, StoreError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        let row = sqlx::query(
            "SELECT g.id,
                    (SELECT json FROM group_carry WHERE group_id = g.id ORDER BY rowid DESC LIMIT 1)
             FROM groups AS g WHERE g.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.reads)
        .await
        .map_err(backend)?;
        row.map(|row| {
            Ok(StoredGroup {
                id: row.try_get(0).map_err(backend)?,
                carry_json: row.try_get(1).map_err(backend)?,
            })
        })
        .transpose()
    }

    fn open_for_reads(&self) -> Result<(), StoreError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        Ok(())
    }

    async fn record_of(&self, room: &str) -> Result<Option<MeetingRecord>, StoreError> {
        self.open_for_reads()?;
        records::read(&self.reads, room).await
    }

    async fn record_with_certificate(
        &self,
        code: &str,
    ) -> Result<Option<MeetingRecord>, StoreError> {
        self.open_for_reads()?;
        match records::room_of_certificate(&self.reads, code).await? {
            Some(room) => records::read(&self.reads, &room).await,
            None => Ok(None),
        }
    }

    async fn codes(&self) -> Result<Vec<String>, StoreError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        sqlx::query_scalar("SELECT code FROM rooms ORDER BY code")
            .fetch_all(&self.reads)
            .await
            .map_err(backend)
    }

    async fn shut(&self) -> Result<(), StoreError> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Err(StoreError::Closed);
        }
        // Readers first: an open read transaction would keep the final checkpoint from
        // truncating the WAL.
        self.reads.close().await;
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(Request::Close { reply })
            .await
            .map_err(|_| StoreError::Closed)?;
        let result = answer.await.map_err(|_| StoreError::Closed)?;
        // The writer has closed its connection: the files are free for another store.
        self.lock.lock().unwrap_or_else(|e| e.into_inner()).take();
        result
    }
}

impl Store for SqliteStore {
    fn create_room(&self, room: NewRoom) -> StoreFuture<'_, ()> {
        Box::pin(self.call(|reply| Request::Write {
            op: Op::Create(room),
            enqueued: Instant::now(),
            reply,
        }))
    }

    fn append(&self, batch: AppendBatch) -> StoreFuture<'_, ()> {
        Box::pin(self.call(|reply| Request::Write {
            op: Op::Append(batch),
            enqueued: Instant::now(),
            reply,
        }))
    }

    fn load_room<'a>(&'a self, code: &'a str) -> StoreFuture<'a, Option<LoadedRoom>> {
        Box::pin(self.load(code))
    }

    fn room_codes(&self) -> StoreFuture<'_, Vec<String>> {
        Box::pin(self.codes())
    }

    fn purge_ended(
        &self,
        ended_before: Millis,
        idle_before: Millis,
    ) -> StoreFuture<'_, Vec<String>> {
        Box::pin(self.call(move |reply| Request::Purge {
            ended_before,
            idle_before,
            reply,
        }))
    }

    fn group_by_token<'a>(&'a self, token_hash: &'a str) -> StoreFuture<'a, Option<StoredGroup>> {
        Box::pin(self.group(token_hash))
    }

    fn purge_groups(&self, before: Millis) -> StoreFuture<'_, usize> {
        Box::pin(self.call(move |reply| Request::PurgeGroups { before, reply }))
    }

    fn record<'a>(&'a self, room: &'a str) -> StoreFuture<'a, Option<MeetingRecord>> {
        Box::pin(self.record_of(room))
    }

    fn record_by_certificate<'a>(
        &'a self,
        code: &'a str,
    ) -> StoreFuture<'a, Option<MeetingRecord>> {
        Box::pin(self.record_with_certificate(code))
    }

    fn purge_records(&self, before: Millis) -> StoreFuture<'_, usize> {
        Box::pin(self.call(move |reply| Request::PurgeRecords { before, reply }))
    }

    fn check_writable(&self) -> StoreFuture<'_, ()> {
        Box::pin(self.call(|reply| Request::Write {
            op: Op::Heartbeat(now_millis()),
            enqueued: Instant::now(),
            reply,
        }))
    }

    fn close(&self) -> StoreFuture<'_, ()> {
        Box::pin(self.shut())
    }
}

/// Database errors carry SQLite's message (table and column names, never values).
fn backend(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::PoolClosed => StoreError::Closed,
        sqlx::Error::Database(db) => StoreError::Backend(format!("sqlite: {}", db.message())),
        other => StoreError::Backend(other.to_string()),
    }
}

fn to_i64(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Backend("value out of range for sqlite".to_owned()))
}

fn to_u64(v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Backend("negative value in database".to_owned()))
}

fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

fn now_millis() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}

/// Event kinds are `&'static str` in [`StoredEvent`]; the few distinct names read back are
/// leaked once each. A damaged database cannot make this grow without bound.
fn intern(kind: String) -> &'static str {
    const MAX_KINDS: usize = 256;
    static KINDS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut kinds = KINDS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(known) = kinds.get(kind.as_str()) {
        return known;
    }
    if kinds.len() >= MAX_KINDS {
        return "unknown";
    }
    let leaked: &'static str = Box::leak(kind.into_boxed_str());
    kinds.insert(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_kinds_are_shared() {
        let a = intern("item_added".to_owned());
        let b = intern("item_added".to_owned());
        assert!(std::ptr::eq(a, b));
    }
}
