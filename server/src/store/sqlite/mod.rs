//! The embedded default store: one SQLite file (`kring.db`) in WAL mode, written by one thread.
//!
//! **Writes.** One writer thread owns the only write connection (rusqlite, with its prepared
//! statements cached). Every write (create, append, heartbeat) is a request on a queue with a
//! oneshot reply. The writer takes the first request, drains whatever else is queued (group
//! commit), and writes them all in one transaction, calling SQLite directly: no statement
//! crosses a thread. A request that is refused (a sequence gap, an unknown room, a duplicate
//! client message id) is left out and gets its own error; the others still commit. Replies go
//! out after the commit, so an `Ok` means durable (`synchronous=FULL`). With many rooms busy,
//! one fsync serves many appends. (The store was first built on sqlx, whose SQLite driver runs
//! every statement as a message to its own worker thread: the hand-offs cost more CPU than
//! SQLite itself; docs/PERFORMANCE.md.)
//!
//! **Reads.** A few `query_only` connections, used on tokio's blocking threads; WAL lets them
//! read while the writer writes, and `load_room` reads inside one transaction so it sees one
//! consistent state.
//!
//! **Deletion.** `purge_ended` deletes the rooms' rows (`secure_delete=ON` zeroes them), then
//! rebuilds the file with `VACUUM` (rebalanced pages keep stale bytes that `secure_delete`
//! misses) and truncates the WAL (it holds old page images) with a checkpoint it verifies; see
//! `Writer::scrub`. What the file system or the disk keeps of freed blocks is beyond any
//! database: put the data directory on an encrypted volume.
//!
//! **Client message ids** are unique per (room, member, id): a member chooses its own ids, so
//! two members may pick the same one without colliding, and a retry by the same member is
//! refused by the store even if the room task's own dedup missed it. The writer checks them
//! against the ids it has loaded of the room, not with a unique index (see `msg_ids.rs`).
//!
//! Event, params, snapshot and ack JSON never reach a log or an error message from here: logs
//! carry room codes, counts, sequence numbers and durations only, and SQLite's error messages
//! name tables and columns, never bound values.

mod checkpoint;
mod msg_ids;
mod queue;
mod reads;
mod records;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kring_protocol::{Millis, RoomCode};
use tokio::sync::oneshot;

use super::{
    AppendBatch, LoadedRoom, MeetingRecord, NewRoom, Store, StoreError, StoreFuture, StoredGroup,
};
use crate::metrics::Metrics;
use queue::Queue;
use reads::Readers;
use schema::{Access, connect, migrate, prepare_dir};
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
const READERS: usize = 4;
/// After a checkpoint the WAL is cut back to this size, so one burst does not keep a big file.
const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;
/// Page cache per connection. A group commit touches the journal's newest pages and a page
/// of its index per busy room; SQLite's default (2 MiB) no longer held them at a thousand
/// busy rooms, and every miss was a `pread`.
const CACHE_KIB: u32 = 32 * 1024;

/// SQLite behind the [`Store`] trait. Open with [`SqliteStore::open`]; call [`Store::close`] on
/// shutdown to checkpoint the WAL into the database file.
pub struct SqliteStore {
    requests: Arc<Queue>,
    reads: Readers,
    closed: AtomicBool,
    /// The exclusive lock on the data directory, released by close (or drop).
    lock: Mutex<Option<std::fs::File>>,
}

impl SqliteStore {
    /// Opens (or creates) `kring.db` in `data_dir`, applies the schema, checks that every
    /// pragma this store relies on is in effect, and starts the writer thread. Must be called
    /// inside a tokio runtime.
    pub async fn open(data_dir: &Path, metrics: Arc<Metrics>) -> Result<SqliteStore, StoreError> {
        let data_dir = data_dir.to_owned();
        tokio::task::spawn_blocking(move || Self::open_blocking(&data_dir, metrics))
            .await
            .map_err(|e| StoreError::Backend(format!("opening the store: {e}")))?
    }

    fn open_blocking(data_dir: &Path, metrics: Arc<Metrics>) -> Result<SqliteStore, StoreError> {
        let lock = prepare_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        let mut conn = connect(&path, Access::Write)?;
        migrate(&mut conn)?;
        // Opens the first reader now, so a reader that cannot get the pragmas fails start-up.
        let reads = Readers::open(path.clone(), READERS)?;

        let sqlite_version: String =
            conn.query_row("SELECT sqlite_version()", [], |row| row.get(0))?;
        tracing::info!(%sqlite_version, "sqlite store open");

        let scrub_owed: bool =
            conn.query_row("SELECT scrub_owed FROM maintenance", [], |row| row.get(0))?;
        let requests = Arc::new(Queue::new(QUEUE));
        let checkpoints =
            checkpoint::Checkpoints::start(&conn, &path, checkpoint::Thresholds::DEFAULT)?;
        let writer = Writer::new(
            conn,
            requests.clone(),
            checkpoints,
            wal_path(&path),
            metrics,
            scrub_owed,
        );
        std::thread::Builder::new()
            .name("kring-sqlite".to_owned())
            .spawn(move || writer.run())
            .map_err(|e| StoreError::Backend(format!("starting the writer thread: {e}")))?;

        Ok(SqliteStore {
            requests,
            reads,
            closed: AtomicBool::new(false),
            lock: Mutex::new(Some(lock)),
        })
    }

    /// A write, committed with whatever else is submitted meanwhile (see [`Queue::submit`]).
    async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, StoreError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        let (reply, answer) = oneshot::channel();
        self.requests.submit(make(reply)).await?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// A request that runs alone (purge), started at once.
    async fn call_now<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, StoreError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        let (reply, answer) = oneshot::channel();
        self.requests.submit_now(make(reply)).await?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&mut rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        self.reads.run(read).await
    }

    async fn shut(&self) -> Result<(), StoreError> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Err(StoreError::Closed);
        }
        // Readers first: an open read transaction would keep the final checkpoint from
        // truncating the WAL.
        self.reads.close().await;
        let (reply, answer) = oneshot::channel();
        self.requests.submit_now(Request::Close { reply }).await?;
        let result = answer.await.map_err(|_| StoreError::Closed)?;
        // The writer has closed its connection: the files are free for another store.
        self.lock.lock().unwrap_or_else(|e| e.into_inner()).take();
        result
    }
}

impl Drop for SqliteStore {
    /// Without a close, the writer finishes what is queued and lets go of the file, leaving
    /// the WAL to the next open as after a crash.
    fn drop(&mut self) {
        self.requests.close();
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

    fn load_room<'a>(&'a self, code: &'a RoomCode) -> StoreFuture<'a, Option<LoadedRoom>> {
        let code = code.clone();
        Box::pin(self.read(move |conn| reads::load_room(conn, &code)))
    }

    fn room_codes(&self) -> StoreFuture<'_, Vec<RoomCode>> {
        Box::pin(self.read(reads::room_codes))
    }

    fn purge_ended(
        &self,
        ended_before: Millis,
        idle_before: Millis,
    ) -> StoreFuture<'_, Vec<RoomCode>> {
        Box::pin(self.call_now(move |reply| Request::Purge {
            ended_before,
            idle_before,
            reply,
        }))
    }

    fn group_by_token<'a>(&'a self, token_hash: &'a str) -> StoreFuture<'a, Option<StoredGroup>> {
        let token_hash = token_hash.to_owned();
        Box::pin(self.read(move |conn| reads::group_by_token(conn, &token_hash)))
    }

    fn purge_groups(&self, before: Millis) -> StoreFuture<'_, usize> {
        Box::pin(self.call_now(move |reply| Request::PurgeGroups { before, reply }))
    }

    fn record<'a>(&'a self, room: &'a RoomCode) -> StoreFuture<'a, Option<MeetingRecord>> {
        let room = room.clone();
        Box::pin(self.read(move |conn| records::read(conn, &room)))
    }

    fn record_by_certificate<'a>(
        &'a self,
        code: &'a str,
    ) -> StoreFuture<'a, Option<MeetingRecord>> {
        let code = code.to_owned();
        Box::pin(self.read(move |conn| records::read_by_certificate(conn, &code)))
    }

    fn purge_records(&self, before: Millis) -> StoreFuture<'_, usize> {
        Box::pin(self.call_now(move |reply| Request::PurgeRecords { before, reply }))
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
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Backend(format!("sqlite: {e}"))
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

#[cfg(test)]
mod tests {
    use kring_protocol::MemberId;
    use rusqlite::Connection;

    use super::*;
    use crate::store::{Lease, Snapshot, StoredEvent, StoredMsgId};

    fn room_code(last: u8) -> RoomCode {
        let alphabet = kring_protocol::ROOM_CODE_ALPHABET;
        let tail: String = [0, 1, 2, 3, last]
            .iter()
            .map(|&i| char::from(alphabet[usize::from(i)]))
            .collect();
        RoomCode::parse(&format!("KRNG{tail}")).expect("a room code")
    }

    fn event(seq: u64) -> StoredEvent {
        StoredEvent {
            seq,
            at: 1_000 + seq,
            kind: "item_added".into(),
            json: format!(r#"{{"n":{seq}}}"#),
        }
    }

    fn msg(member: u32, id: &str) -> StoredMsgId {
        StoredMsgId {
            member: MemberId(member),
            msg_id: id.to_owned(),
            ack_json: format!(r#"{{"id":"{id}"}}"#),
        }
    }

    /// Appends that meet in one group commit share its cached inserts: an event that carries
    /// a message id, events without one and ids without an event all come back as written,
    /// ids in the order they were accepted, and a command's event and id share one row.
    #[tokio::test]
    async fn appends_in_one_group_are_written_as_they_came() {
        let dir = tempfile::tempdir().expect("tempdir");
        let metrics = Arc::new(Metrics::new());
        let store = SqliteStore::open(dir.path(), metrics.clone())
            .await
            .expect("open");
        let (a, b) = (room_code(1), room_code(2));
        for code in [&a, &b] {
            store
                .create_room(NewRoom {
                    code: code.clone(),
                    params_json: "{}".to_owned(),
                    epoch: 1,
                    created_at: 5,
                    group: None,
                })
                .await
                .expect("room");
        }
        let batch = |room: &RoomCode, events, msg_ids| AppendBatch {
            events,
            msg_ids,
            ..AppendBatch::new(room.clone(), Lease::default())
        };
        let commits = metrics.store_commits.get();
        let (first, second, third) = tokio::join!(
            store.append(batch(
                &a,
                vec![event(1), event(2)],
                vec![msg(1, "x"), msg(2, "y")]
            )),
            store.append(batch(&b, vec![event(1)], Vec::new())),
            store.append(batch(&a, Vec::new(), vec![msg(1, "z")])),
        );
        first.expect("a: two events, two ids");
        second.expect("b: an event alone");
        third.expect("a: an id alone");
        assert_eq!(metrics.store_commits.get(), commits + 1, "one group commit");
        assert!(
            store
                .append(batch(&a, vec![event(3)], vec![msg(2, "y")]))
                .await
                .is_err(),
            "an id taken in that group is refused"
        );

        let loaded = store.load_room(&a).await.expect("load").expect("room a");
        assert_eq!(loaded.events, vec![event(1), event(2)]);
        assert_eq!(loaded.msg_ids, vec![msg(1, "x"), msg(2, "y"), msg(1, "z")]);
        let loaded = store.load_room(&b).await.expect("load").expect("room b");
        assert_eq!(loaded.events, vec![event(1)]);
        assert!(loaded.msg_ids.is_empty());
        store.close().await.expect("close");

        let conn = Connection::open(dir.path().join(DB_FILE)).expect("open");
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM journal", [], |row| row.get(0))
            .expect("count");
        // a: event 1, event 2 with x, y, z; b: event 1.
        assert_eq!(rows, 5);
    }

    /// A file the previous schema (v4) wrote, opened by this one: every room, event, snapshot
    /// and message id (in the order they were accepted) is still there, the ids still refuse a
    /// repeat, and the journal goes on where it stopped.
    #[tokio::test]
    async fn a_v4_database_keeps_its_journal_and_message_ids() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (room_code(1), room_code(2));
        {
            let mut conn = Connection::open(dir.path().join(DB_FILE)).expect("open");
            let tx = conn.transaction().expect("tx");
            for sql in &schema::MIGRATIONS[..4] {
                tx.execute_batch(sql).expect("v1 to v4");
            }
            tx.pragma_update(None, "user_version", 4).expect("version");
            for room in [&a, &b] {
                tx.execute(
                    "INSERT INTO rooms (code, params_json, epoch, created_at) VALUES (?, '{}', 3, 5)",
                    [room.as_str()],
                )
                .expect("room");
            }
            for seq in 1..=3 {
                let e = event(seq);
                tx.execute(
                    "INSERT INTO events (room, seq, at, kind, json) VALUES (?, ?, ?, ?, ?)",
                    rusqlite::params![a.as_str(), seq as i64, e.at as i64, e.kind, e.json],
                )
                .expect("event");
            }
            // Not in key order: the order of acceptance must survive.
            for m in [msg(2, "z"), msg(1, "b"), msg(1, "a")] {
                tx.execute(
                    "INSERT INTO client_msgs (room, member, msg_id, ack_json) VALUES (?, ?, ?, ?)",
                    rusqlite::params![a.as_str(), m.member.0, m.msg_id, m.ack_json],
                )
                .expect("message id");
            }
            tx.execute(
                "INSERT INTO snapshots (room, seq, json) VALUES (?, 2, '{\"s\":2}')",
                [a.as_str()],
            )
            .expect("snapshot");
            tx.commit().expect("commit");
        }

        let store = SqliteStore::open(dir.path(), Arc::new(Metrics::new()))
            .await
            .expect("open migrates");
        let codes = store.room_codes().await.expect("codes");
        assert!(codes.len() == 2 && codes.contains(&a) && codes.contains(&b));
        let loaded = store.load_room(&a).await.expect("load").expect("room");
        assert_eq!(loaded.events, vec![event(1), event(2), event(3)]);
        assert_eq!(loaded.msg_ids, vec![msg(2, "z"), msg(1, "b"), msg(1, "a")]);
        assert_eq!(
            loaded.snapshot,
            Some(Snapshot {
                seq: 2,
                json: r#"{"s":2}"#.to_owned()
            })
        );
        assert_eq!(loaded.epoch, 3);
        let empty = store.load_room(&b).await.expect("load").expect("room");
        assert!(empty.events.is_empty() && empty.msg_ids.is_empty());

        let batch = |events, msg_ids| AppendBatch {
            events,
            msg_ids,
            ..AppendBatch::new(a.clone(), Lease::default())
        };
        assert!(
            store
                .append(batch(vec![event(4)], vec![msg(1, "a")]))
                .await
                .is_err(),
            "a message id from before the migration is still taken"
        );
        assert!(matches!(
            store.append(batch(vec![event(5)], Vec::new())).await,
            Err(StoreError::Gap { expected: 4, .. })
        ));
        store
            .append(batch(vec![event(4)], vec![msg(2, "a")]))
            .await
            .expect("the journal goes on");
        let loaded = store.load_room(&a).await.expect("load").expect("room");
        assert_eq!(loaded.events, vec![event(1), event(2), event(3), event(4)]);
        assert_eq!(
            loaded.msg_ids,
            vec![msg(2, "z"), msg(1, "b"), msg(1, "a"), msg(2, "a")]
        );
        store.close().await.expect("close");

        // The old tables' names still read as they did, for other tools.
        let conn = Connection::open(dir.path().join(DB_FILE)).expect("open");
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .expect("version");
        assert_eq!(version, schema::MIGRATIONS.len() as i64);
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |row| row.get(0)).expect(sql) };
        assert_eq!(count("SELECT count(*) FROM events"), 4);
        assert_eq!(count("SELECT count(*) FROM client_msgs"), 4);
        // The last append's event and message id share a row.
        assert_eq!(count("SELECT count(*) FROM journal"), 7);
        assert_eq!(
            conn.query_row("PRAGMA integrity_check", [], |row| row.get::<_, String>(0))
                .expect("check"),
            "ok"
        );
    }
}
