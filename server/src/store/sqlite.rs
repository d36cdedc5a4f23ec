//! The embedded default store: one SQLite file (`kring.db`) in WAL mode, written by one task.
//!
//! **Writes.** One writer task owns the only write connection. Every write (create, append,
//! heartbeat) is a request on a queue with a oneshot reply. The writer takes the first request,
//! drains whatever else is queued (group commit), and writes them all in one transaction, each
//! inside its own savepoint: a request that fails (a sequence gap, an unknown room, a duplicate
//! client message id) is rolled back alone and the others still commit. Replies go out after
//! the commit, so an `Ok` means durable (`synchronous=FULL`). With many rooms busy, one fsync
//! serves many appends.
//!
//! **Reads.** A small pool of `query_only` connections; WAL lets them read while the writer
//! writes, and `load_room` reads inside one transaction so it sees one consistent state.
//!
//! **Deletion.** `purge_ended` deletes the rooms' rows (`secure_delete=ON` zeroes them), then
//! rebuilds the file with `VACUUM` (rebalanced pages keep stale bytes that `secure_delete`
//! misses) and truncates the WAL (it holds old page images) with a checkpoint it verifies; see
//! [`Writer::scrub`]. What the file system or the disk keeps of freed blocks is beyond any
//! database: put the data directory on an encrypted volume.
//!
//! **Client message ids** are unique per (room, member, id): a member chooses its own ids, so
//! two members may pick the same one without colliding, and a retry by the same member is
//! refused by the store even if the room task's own dedup missed it.
//!
//! Event, params, snapshot and ack JSON never reach a log or an error message from here: logs
//! carry room codes, counts, sequence numbers and durations only.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use kring_protocol::{MemberId, Millis, Seq};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Row};
use tokio::sync::{mpsc, oneshot};

use super::{
    AppendBatch, LoadedRoom, NewRoom, Snapshot, Store, StoreError, StoreFuture, StoredEvent,
    StoredMsgId,
};
use crate::metrics::Metrics;

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

/// Schema versions, applied in order; `PRAGMA user_version` is the number applied.
/// Append new versions; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    // v1
    "
    CREATE TABLE rooms (
        code        TEXT PRIMARY KEY NOT NULL,
        params_json TEXT NOT NULL,
        epoch       INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        ended_at    INTEGER,
        last_active INTEGER NOT NULL
    );
    -- The journal, whole: the source of truth. Snapshots never truncate it (the engine's
    -- snapshot format is disposable); purge deletes it with the room.
    CREATE TABLE events (
        room TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
        seq  INTEGER NOT NULL,
        at   INTEGER NOT NULL,
        kind TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (room, seq)
    ) WITHOUT ROWID;
    -- The latest snapshot of each room (engine state after event `seq`).
    CREATE TABLE snapshots (
        room TEXT PRIMARY KEY NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
        seq  INTEGER NOT NULL,
        json TEXT NOT NULL
    );
    -- Client message ids that produced events, unique per member within a room; rowid keeps
    -- them in the order they were accepted.
    CREATE TABLE client_msgs (
        room     TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
        member   INTEGER NOT NULL,
        msg_id   TEXT NOT NULL,
        ack_json TEXT NOT NULL,
        UNIQUE (room, member, msg_id)
    );
    -- Content-free record of who attended a session, when and how long; deleted with the room.
    CREATE TABLE attendance (
        room       TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
        member     INTEGER NOT NULL,
        name       TEXT NOT NULL,
        role       TEXT NOT NULL,
        joined_at  INTEGER NOT NULL,
        present_ms INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (room, member)
    ) WITHOUT ROWID;
    -- A group that meets again; only the hash of its secret token is kept.
    CREATE TABLE groups (
        id         TEXT PRIMARY KEY NOT NULL,
        token_hash BLOB NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
    );
    -- What a group chose to carry to its next meeting (commitments, kept cases): the only
    -- content that outlives a session. No foreign key to rooms: it survives their purge.
    CREATE TABLE group_carry (
        group_id   TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        room       TEXT NOT NULL,
        json       TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX group_carry_by_group ON group_carry (group_id, created_at);
    -- One row, rewritten by check_writable: proves a real write reaches the disk.
    CREATE TABLE heartbeat (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        at INTEGER NOT NULL
    );
    ",
];

/// SQLite behind the [`Store`] trait. Open with [`SqliteStore::open`]; call [`Store::close`] on
/// shutdown to checkpoint the WAL into the database file.
pub struct SqliteStore {
    requests: mpsc::Sender<Request>,
    reads: SqlitePool,
    closed: AtomicBool,
    dir: PathBuf,
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
        let writer = Writer {
            conn,
            queue,
            last_seq: HashMap::new(),
            scrub_owed: false,
            wal_path: wal_path(&path),
            metrics,
        };
        tokio::spawn(writer.run());

        Ok(SqliteStore {
            requests,
            reads,
            closed: AtomicBool::new(false),
            dir: data_dir.to_owned(),
            lock: Mutex::new(Some(lock)),
        })
    }

    /// The data directory this store keeps its files in.
    pub fn dir(&self) -> &Path {
        &self.dir
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
            "SELECT params_json, epoch, created_at, ended_at FROM rooms WHERE code = ?",
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
        }))
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

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

enum Request {
    /// Written together with whatever other writes are queued.
    Write {
        op: Op,
        enqueued: Instant,
        reply: Reply<()>,
    },
    /// Runs alone: it ends with a checkpoint, which cannot run inside a transaction.
    Purge {
        ended_before: Millis,
        idle_before: Millis,
        reply: Reply<Vec<String>>,
    },
    Close {
        reply: Reply<()>,
    },
}

enum Op {
    Create(NewRoom),
    Append(AppendBatch),
    Heartbeat(Millis),
}

impl Op {
    fn room(&self) -> Option<&str> {
        match self {
            Op::Create(room) => Some(&room.code),
            Op::Append(batch) => Some(&batch.room),
            Op::Heartbeat(_) => None,
        }
    }
}

struct Writer {
    conn: SqliteConnection,
    queue: mpsc::Receiver<Request>,
    /// Last committed sequence per room (snapshot or event), loaded on first use.
    last_seq: HashMap<String, Seq>,
    /// A purge deleted rows but could not yet finish scrubbing the files.
    scrub_owed: bool,
    wal_path: PathBuf,
    metrics: Arc<Metrics>,
}

impl Writer {
    async fn run(mut self) {
        let mut held: Option<Request> = None;
        let mut closing: Vec<Reply<()>> = Vec::new();
        loop {
            let first = match held.take() {
                Some(request) => request,
                None => match self.queue.recv().await {
                    Some(request) => request,
                    None => break,
                },
            };
            match first {
                Request::Write {
                    op,
                    enqueued,
                    reply,
                } => {
                    let mut group = vec![(op, enqueued, reply)];
                    while group.len() < MAX_GROUP {
                        match self.queue.try_recv() {
                            Ok(Request::Write {
                                op,
                                enqueued,
                                reply,
                            }) => group.push((op, enqueued, reply)),
                            Ok(other) => {
                                held = Some(other);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    self.commit_group(group).await;
                }
                Request::Purge {
                    ended_before,
                    idle_before,
                    reply,
                } => {
                    let result = self.purge(ended_before, idle_before).await;
                    let _ = reply.send(result);
                }
                Request::Close { reply } => {
                    // Refuse new requests; those already queued are still written below.
                    self.queue.close();
                    closing.push(reply);
                }
            }
        }
        let result = self.finish().await;
        if let Err(e) = &result {
            tracing::error!(error = %e, "sqlite store did not close cleanly");
        }
        for reply in closing {
            let _ = reply.send(match &result {
                Ok(()) => Ok(()),
                Err(e) => Err(StoreError::Backend(e.to_string())),
            });
        }
    }

    async fn finish(mut self) -> Result<(), StoreError> {
        let scrubbed = if self.scrub_owed {
            self.scrub().await
        } else {
            self.checkpoint().await
        };
        self.conn.close().await.map_err(backend)?;
        scrubbed
    }

    /// Writes every request of the group in one transaction and answers each after the commit.
    async fn commit_group(&mut self, group: Vec<(Op, Instant, Reply<()>)>) {
        let ops: Vec<&Op> = group.iter().map(|(op, _, _)| op).collect();
        match write_group(&mut self.conn, &self.last_seq, &ops).await {
            Ok(written) => {
                self.metrics.store_commits.inc();
                self.metrics.store_batch_events.add(written.events);
                self.last_seq.extend(written.last_seq);
                for ((op, enqueued, reply), result) in group.into_iter().zip(written.results) {
                    if result.is_ok() && matches!(op, Op::Append(_)) {
                        self.metrics
                            .store_commit_seconds
                            .observe(enqueued.elapsed());
                    }
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, requests = group.len(), "store transaction failed");
                // Whether a failed commit reached the disk is unknown: read these rooms'
                // sequences again next time.
                for (op, _, _) in &group {
                    if let Some(room) = op.room() {
                        self.last_seq.remove(room);
                    }
                }
                for (_, _, reply) in group {
                    let _ = reply.send(Err(StoreError::Backend(e.to_string())));
                }
            }
        }
    }

    async fn purge(
        &mut self,
        ended_before: Millis,
        idle_before: Millis,
    ) -> Result<Vec<String>, StoreError> {
        let started = Instant::now();
        let mut tx = self
            .conn
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        // Foreign keys cascade the delete to events, snapshots, client_msgs and attendance.
        let purged: Vec<String> = sqlx::query_scalar(
            "DELETE FROM rooms
             WHERE (ended_at IS NOT NULL AND ended_at < ?) OR last_active < ?
             RETURNING code",
        )
        .bind(to_i64(ended_before)?)
        .bind(to_i64(idle_before)?)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        for code in &purged {
            self.last_seq.remove(code);
        }
        if !purged.is_empty() {
            self.scrub_owed = true;
        }
        if self.scrub_owed {
            self.scrub().await?;
            self.scrub_owed = false;
        }
        if !purged.is_empty() {
            tracing::info!(
                rooms = purged.len(),
                micros = started.elapsed().as_micros() as u64,
                "purged ended rooms"
            );
        }
        Ok(purged)
    }

    /// Makes deleted text unrecoverable from the files.
    ///
    /// `secure_delete` zeroes deleted cells and freed pages, but that is not enough on its own:
    /// when SQLite rebuilds a page during a b-tree rebalance it leaves old bytes in the page's
    /// unallocated gap (our purge test found event text there), and the WAL keeps older images
    /// of every page it has seen. So after a purge the database is rebuilt with `VACUUM`
    /// (every page written fresh from the surviving rows; the temporary copy lives in memory,
    /// `temp_store=MEMORY`), then [`Self::checkpoint`] copies those pages over the file and
    /// truncates the WAL.
    async fn scrub(&mut self) -> Result<(), StoreError> {
        sqlx::raw_sql("VACUUM")
            .execute(&mut self.conn)
            .await
            .map_err(backend)?;
        self.checkpoint().await
    }

    /// A TRUNCATE checkpoint: copies the newest page images from the WAL into the database
    /// file, syncs it, and cuts the WAL to zero bytes. It must not be blocked by a reader
    /// (`busy` = 0), and the WAL must then be empty; both are checked. The `-shm` file holds
    /// only the WAL index (page and frame numbers), never page content.
    async fn checkpoint(&mut self) -> Result<(), StoreError> {
        let (busy, log, checkpointed): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&mut self.conn)
                .await
                .map_err(backend)?;
        if busy != 0 {
            return Err(StoreError::Backend(format!(
                "WAL checkpoint blocked (busy, log {log}, checkpointed {checkpointed}); \
                 deleted text may remain in the WAL until the next purge"
            )));
        }
        let wal_len = match std::fs::metadata(&self.wal_path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(StoreError::Backend(format!("WAL file: {e}"))),
        };
        if wal_len != 0 {
            return Err(StoreError::Backend(format!(
                "WAL still {wal_len} bytes after checkpoint; deleted text may remain in it"
            )));
        }
        Ok(())
    }
}

/// What a committed group did.
struct Written {
    results: Vec<Result<(), StoreError>>,
    /// New last sequence of each room the group wrote to (or created).
    last_seq: HashMap<String, Seq>,
    events: u64,
}

/// One transaction for the whole group. A request that fails is rolled back to its savepoint
/// and gets its own error; any other failure (including the commit) fails the whole group.
async fn write_group(
    conn: &mut SqliteConnection,
    committed: &HashMap<String, Seq>,
    ops: &[&Op],
) -> Result<Written, StoreError> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    let mut staged: HashMap<String, Seq> = HashMap::new();
    let mut results = Vec::with_capacity(ops.len());
    let mut events = 0u64;
    for op in ops {
        // Checks that need no write come first, so a refused request writes nothing.
        let last = match op {
            Op::Append(batch) => {
                let last = match staged.get(&batch.room).or(committed.get(&batch.room)) {
                    Some(last) => Some(*last),
                    None => last_seq_of(&mut tx, &batch.room).await?,
                };
                let Some(last) = last else {
                    results.push(Err(StoreError::NotFound));
                    continue;
                };
                if let Err(e) = check_sequence(last, &batch.events) {
                    results.push(Err(e));
                    continue;
                }
                Some(last)
            }
            Op::Create(_) | Op::Heartbeat(_) => None,
        };

        sqlx::query("SAVEPOINT request")
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let result = write_op(&mut tx, op).await;
        if result.is_err() {
            sqlx::query("ROLLBACK TO request")
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        sqlx::query("RELEASE request")
            .execute(&mut *tx)
            .await
            .map_err(backend)?;

        if result.is_ok() {
            match op {
                Op::Create(room) => {
                    staged.insert(room.code.clone(), 0);
                }
                Op::Append(batch) => {
                    let new_last = batch.events.last().map_or(last.unwrap_or(0), |e| e.seq);
                    staged.insert(batch.room.clone(), new_last);
                    events += batch.events.len() as u64;
                }
                Op::Heartbeat(_) => {}
            }
        }
        results.push(result);
    }
    tx.commit().await.map_err(backend)?;
    Ok(Written {
        results,
        last_seq: staged,
        events,
    })
}

/// The last committed sequence of a room (0 before its first event), or `None` if there is
/// no such room. A snapshot counts too, in case one ever runs ahead of the journal.
async fn last_seq_of(tx: &mut SqliteConnection, room: &str) -> Result<Option<Seq>, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT max(seq) FROM events WHERE room = r.code),
                (SELECT seq FROM snapshots WHERE room = r.code)
         FROM rooms AS r WHERE r.code = ?",
    )
    .bind(room)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?;
    let Some(row) = row else { return Ok(None) };
    let event: Option<i64> = row.try_get(0).map_err(backend)?;
    let snapshot: Option<i64> = row.try_get(1).map_err(backend)?;
    Ok(Some(to_u64(event.unwrap_or(0).max(snapshot.unwrap_or(0)))?))
}

/// The batch must continue the room's history and have no gap of its own.
fn check_sequence(last: Seq, events: &[StoredEvent]) -> Result<(), StoreError> {
    for (expected, event) in (last + 1..).zip(events) {
        if event.seq != expected {
            return Err(StoreError::Gap {
                expected,
                got: event.seq,
            });
        }
    }
    Ok(())
}

async fn write_op(tx: &mut SqliteConnection, op: &Op) -> Result<(), StoreError> {
    match op {
        Op::Create(room) => {
            let inserted = sqlx::query(
                "INSERT INTO rooms (code, params_json, epoch, created_at, last_active)
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
            )
            .bind(&room.code)
            .bind(&room.params_json)
            .bind(room.epoch)
            .bind(to_i64(room.created_at)?)
            .bind(to_i64(room.created_at)?)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 0 {
                return Err(StoreError::Duplicate);
            }
        }
        Op::Append(batch) => write_batch(tx, batch).await?,
        Op::Heartbeat(at) => {
            sqlx::query(
                "INSERT INTO heartbeat (id, at) VALUES (1, ?)
                 ON CONFLICT (id) DO UPDATE SET at = excluded.at",
            )
            .bind(to_i64(*at)?)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
    }
    Ok(())
}

async fn write_batch(tx: &mut SqliteConnection, batch: &AppendBatch) -> Result<(), StoreError> {
    for event in &batch.events {
        sqlx::query("INSERT INTO events (room, seq, at, kind, json) VALUES (?, ?, ?, ?, ?)")
            .bind(&batch.room)
            .bind(to_i64(event.seq)?)
            .bind(to_i64(event.at)?)
            .bind(event.kind)
            .bind(&event.json)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    for msg in &batch.msg_ids {
        sqlx::query("INSERT INTO client_msgs (room, member, msg_id, ack_json) VALUES (?, ?, ?, ?)")
            .bind(&batch.room)
            .bind(msg.member.0)
            .bind(&msg.msg_id)
            .bind(&msg.ack_json)
            .execute(&mut *tx)
            .await
            .map_err(|e| match e.as_database_error() {
                Some(db) if db.is_unique_violation() => {
                    StoreError::Backend("duplicate client message id".to_owned())
                }
                _ => backend(e),
            })?;
    }
    if let Some(snapshot) = &batch.snapshot {
        sqlx::query(
            "INSERT INTO snapshots (room, seq, json) VALUES (?, ?, ?)
             ON CONFLICT (room) DO UPDATE SET seq = excluded.seq, json = excluded.json",
        )
        .bind(&batch.room)
        .bind(to_i64(snapshot.seq)?)
        .bind(&snapshot.json)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    let active = batch.events.last().map(|e| e.at);
    if active.is_some() || batch.ended_at.is_some() {
        sqlx::query(
            "UPDATE rooms SET last_active = max(last_active, coalesce(?, last_active)),
                              ended_at = coalesce(?, ended_at)
             WHERE code = ?",
        )
        .bind(active.map(to_i64).transpose()?)
        .bind(batch.ended_at.map(to_i64).transpose()?)
        .bind(&batch.room)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

/// Creates the directory (owner-only on Unix when new), takes the process lock, and creates
/// the database file owner-only so that the `-wal` and `-shm` files SQLite adds inherit that.
fn prepare_dir(dir: &Path) -> Result<std::fs::File, StoreError> {
    let io = |what: &str, e: std::io::Error| StoreError::Backend(format!("{what}: {e}"));
    let existed = dir.exists();
    std::fs::create_dir_all(dir).map_err(|e| io("create data directory", e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !existed {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| io("restrict data directory", e))?;
        }
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(dir.join(DB_FILE))
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io("create database file", e)),
        }
    }
    #[cfg(not(unix))]
    let _ = existed;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))
        .map_err(|e| io("open lock file", e))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Backend(
            "data directory is in use by another store".to_owned(),
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(io("lock data directory", e)),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Write,
    Read,
}

/// The pragmas as a connection reports them.
#[derive(Debug, PartialEq, Eq)]
struct Pragmas {
    journal_mode: String,
    synchronous: i64,
    secure_delete: i64,
    foreign_keys: i64,
    busy_timeout_ms: i64,
    temp_store: i64,
    query_only: i64,
}

async fn read_pragmas(conn: &mut SqliteConnection) -> Result<Pragmas, StoreError> {
    async fn int(conn: &mut SqliteConnection, sql: &'static str) -> Result<i64, StoreError> {
        sqlx::query_scalar(sql)
            .fetch_one(conn)
            .await
            .map_err(backend)
    }
    Ok(Pragmas {
        journal_mode: sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .map_err(backend)?,
        synchronous: int(conn, "PRAGMA synchronous").await?,
        secure_delete: int(conn, "PRAGMA secure_delete").await?,
        foreign_keys: int(conn, "PRAGMA foreign_keys").await?,
        busy_timeout_ms: int(conn, "PRAGMA busy_timeout").await?,
        temp_store: int(conn, "PRAGMA temp_store").await?,
        query_only: int(conn, "PRAGMA query_only").await?,
    })
}

/// Reads every pragma back: a setting SQLite silently ignored (a build without WAL, a
/// read-only file system, an unknown pragma) must stop the server, not weaken its promises.
async fn check_pragmas(conn: &mut SqliteConnection, access: Access) -> Result<(), StoreError> {
    let p = read_pragmas(conn).await?;
    let want_ms = BUSY_TIMEOUT.as_millis() as i64;
    let want_query_only = i64::from(access == Access::Read);
    let wrong = |name: &str, got: &dyn std::fmt::Display, want: &str| {
        Err(StoreError::Backend(format!(
            "sqlite pragma {name} is {got}, expected {want}"
        )))
    };
    if !p.journal_mode.eq_ignore_ascii_case("wal") {
        return wrong("journal_mode", &p.journal_mode, "wal");
    }
    if p.synchronous != 2 {
        return wrong("synchronous", &p.synchronous, "2 (FULL)");
    }
    if p.secure_delete != 1 {
        return wrong("secure_delete", &p.secure_delete, "1 (ON)");
    }
    if p.foreign_keys != 1 {
        return wrong("foreign_keys", &p.foreign_keys, "1 (ON)");
    }
    if p.busy_timeout_ms != want_ms {
        return wrong("busy_timeout", &p.busy_timeout_ms, &want_ms.to_string());
    }
    if p.temp_store != 2 {
        return wrong("temp_store", &p.temp_store, "2 (MEMORY)");
    }
    if p.query_only != want_query_only {
        return wrong("query_only", &p.query_only, &want_query_only.to_string());
    }
    Ok(())
}

async fn migrate(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    let version: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::Backend(format!(
            "database schema version {version} is newer than this server's ({known})"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        sqlx::raw_sql(*sql)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let set = format!("PRAGMA user_version = {}", i + 1);
        sqlx::raw_sql(sqlx::AssertSqlSafe(set))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    tx.commit().await.map_err(backend)?;
    if version < known {
        tracing::info!(from = version, to = known, "sqlite schema migrated");
    }
    Ok(())
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

    async fn connect(dir: &Path, synchronous: SqliteSynchronous) -> SqliteConnection {
        let options = SqliteConnectOptions::new()
            .filename(dir.join(DB_FILE))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("secure_delete", "ON")
            .pragma("temp_store", "MEMORY");
        SqliteConnection::connect_with(&options)
            .await
            .expect("connect")
    }

    #[tokio::test]
    async fn open_connections_report_the_pragmas_it_relies_on() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path(), Arc::new(Metrics::new()))
            .await
            .expect("open");
        let mut reader = store.reads.acquire().await.expect("reader");
        let p = read_pragmas(&mut reader).await.expect("pragmas");
        assert_eq!(
            p,
            Pragmas {
                journal_mode: "wal".to_owned(),
                synchronous: 2,
                secure_delete: 1,
                foreign_keys: 1,
                busy_timeout_ms: 5000,
                temp_store: 2,
                query_only: 1,
            }
        );
        check_pragmas(&mut reader, Access::Read)
            .await
            .expect("reader pragmas");
        drop(reader);
        store.close().await.expect("close");
    }

    #[tokio::test]
    async fn the_pragma_check_refuses_a_weaker_connection() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = connect(dir.path(), SqliteSynchronous::Normal).await;
        let err = check_pragmas(&mut conn, Access::Write)
            .await
            .expect_err("synchronous=NORMAL must be refused");
        assert!(err.to_string().contains("synchronous"), "{err}");

        let mut conn = connect(dir.path(), SqliteSynchronous::Full).await;
        sqlx::query("PRAGMA secure_delete = OFF")
            .execute(&mut conn)
            .await
            .expect("pragma");
        let err = check_pragmas(&mut conn, Access::Write)
            .await
            .expect_err("secure_delete=OFF must be refused");
        assert!(err.to_string().contains("secure_delete"), "{err}");
    }

    #[test]
    fn sequences_must_continue_without_gaps() {
        let event = |seq| StoredEvent {
            seq,
            at: 0,
            kind: "k",
            json: String::new(),
        };
        assert!(check_sequence(0, &[event(1), event(2)]).is_ok());
        assert!(check_sequence(4, &[]).is_ok());
        assert!(matches!(
            check_sequence(4, &[event(6)]),
            Err(StoreError::Gap {
                expected: 5,
                got: 6
            })
        ));
        assert!(matches!(
            check_sequence(0, &[event(1), event(3)]),
            Err(StoreError::Gap {
                expected: 2,
                got: 3
            })
        ));
    }

    #[test]
    fn interned_kinds_are_shared() {
        let a = intern("item_added".to_owned());
        let b = intern("item_added".to_owned());
        assert!(std::ptr::eq(a, b));
    }
}
