//! The writer task: the only connection that writes. It commits queued requests in groups,
//! purges, and closes.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use kring_protocol::{Millis, Seq};
use sqlx::sqlite::SqliteConnection;
use sqlx::{AssertSqlSafe, Connection, Row};
use tokio::sync::{mpsc, oneshot};

use super::{MAX_GROUP, backend, to_i64};
use crate::metrics::Metrics;
use crate::store::{AppendBatch, NewRoom, StoreError, StoredEvent, StoredMsgId};

pub(super) type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

pub(super) enum Request {
    /// Written together with whatever other writes are queued.
    Write {
        op: Op,
        enqueued: Instant,
        reply: Reply<()>,
    },
    /// Runs alone: it ends with a VACUUM and a checkpoint, which cannot run in a transaction.
    Purge {
        ended_before: Millis,
        idle_before: Millis,
        reply: Reply<Vec<String>>,
    },
    /// Runs alone, like `Purge`: deleted carry-overs are scrubbed from the files.
    PurgeGroups {
        before: Millis,
        reply: Reply<usize>,
    },
    /// Runs alone, like `Purge`: attendance records past their retention.
    PurgeRecords {
        before: Millis,
        reply: Reply<usize>,
    },
    Close {
        reply: Reply<()>,
    },
}

pub(super) enum Op {
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

pub(super) struct Writer {
    conn: SqliteConnection,
    queue: mpsc::Receiver<Request>,
    sql: Sql,
    /// Last committed sequence per room (snapshot or event), loaded on first use.
    last_seq: HashMap<String, Seq>,
    /// A purge deleted rows whose text may still be in the files (also kept in the
    /// `maintenance` table, so a crash does not forget it).
    scrub_owed: bool,
    wal_path: PathBuf,
    metrics: Arc<Metrics>,
}

impl Writer {
    pub(super) fn new(
        conn: SqliteConnection,
        queue: mpsc::Receiver<Request>,
        wal_path: PathBuf,
        metrics: Arc<Metrics>,
        scrub_owed: bool,
    ) -> Self {
        Writer {
            conn,
            queue,
            sql: Sql::new(),
            last_seq: HashMap::new(),
            scrub_owed,
            wal_path,
            metrics,
        }
    }
}

impl Writer {
    pub(super) async fn run(mut self) {
        if self.scrub_owed {
            // A purge was cut short (crash or failed checkpoint): finish it before anything else.
            match self.scrub().await {
                Ok(()) => tracing::info!("finished scrubbing after an interrupted purge"),
                Err(e) => {
                    tracing::error!(error = %e, "scrubbing after an interrupted purge failed")
                }
            }
        }
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
                Request::PurgeGroups { before, reply } => {
                    let result = self.purge_groups(before).await;
                    let _ = reply.send(result);
                }
                Request::PurgeRecords { before, reply } => {
                    let result = self.purge_records(before).await;
                    let _ = reply.send(result);
                }
                Request::Close { reply } => {
                    // Refuse new requests; those already queued are still written below.
                    self.queue.close();
                    closing.push(reply);
                }
            }
        }
        // Without a close request every handle was dropped: release the connection and leave
        // the WAL to the next open, as after a crash.
        let result = self.finish(!closing.is_empty()).await;
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

    async fn finish(mut self, checkpoint: bool) -> Result<(), StoreError> {
        let scrubbed = match (checkpoint, self.scrub_owed) {
            (false, _) => Ok(()),
            (true, true) => self.scrub().await,
            (true, false) => self.checkpoint().await,
        };
        self.conn.close().await.map_err(backend)?;
        scrubbed
    }

    /// Writes every request of the group in one transaction and answers each after the commit.
    async fn commit_group(&mut self, group: Vec<(Op, Instant, Reply<()>)>) {
        let ops: Vec<&Op> = group.iter().map(|(op, _, _)| op).collect();
        match write_group(&mut self.conn, &self.sql, &self.last_seq, &ops).await {
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
        // A room's last activity is its newest event (or its creation). Foreign keys cascade
        // the delete to events, snapshots, client_msgs and attendance.
        let purged: Vec<String> = sqlx::query_scalar(
            "DELETE FROM rooms
             WHERE (ended_at IS NOT NULL AND ended_at < ?)
                OR coalesce(
                       (SELECT at FROM events WHERE room = rooms.code ORDER BY seq DESC LIMIT 1),
                       created_at
                   ) < ?
             RETURNING code",
        )
        .bind(to_i64(ended_before)?)
        .bind(to_i64(idle_before)?)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        if !purged.is_empty() {
            sqlx::query("UPDATE maintenance SET scrub_owed = 1")
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
        for code in &purged {
            self.last_seq.remove(code);
        }
        if !purged.is_empty() {
            self.scrub_owed = true;
        }
        if self.scrub_owed {
            self.scrub().await?;
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

    /// Deletes groups that have not met since `before` and carry-overs a newer meeting
    /// replaced; both are content, so the files are scrubbed afterwards.
    async fn purge_groups(&mut self, before: Millis) -> Result<usize, StoreError> {
        let mut tx = self
            .conn
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        let groups = sqlx::query("DELETE FROM groups WHERE active_at < ?")
            .bind(to_i64(before)?)
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected();
        let carries = sqlx::query(
            "DELETE FROM group_carry WHERE rowid NOT IN
                 (SELECT max(rowid) FROM group_carry GROUP BY group_id)",
        )
        .execute(&mut *tx)
        .await
        .map_err(backend)?
        .rows_affected();
        if groups + carries > 0 {
            sqlx::query("UPDATE maintenance SET scrub_owed = 1")
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
        if groups + carries > 0 {
            self.scrub_owed = true;
            self.scrub().await?;
            tracing::info!(groups, carries, "purged group carry-overs");
        }
        Ok(groups as usize)
    }

    /// Deletes attendance records past their retention; names and registration numbers are
    /// personal data, so the files are scrubbed afterwards like after any purge.
    async fn purge_records(&mut self, before: Millis) -> Result<usize, StoreError> {
        let mut tx = self
            .conn
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        let deleted = super::records::purge(&mut tx, before).await?;
        if deleted > 0 {
            sqlx::query("UPDATE maintenance SET scrub_owed = 1")
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
        if deleted > 0 {
            self.scrub_owed = true;
            self.scrub().await?;
            tracing::info!(records = deleted, "purged attendance records");
        }
        Ok(deleted as usize)
    }

    /// Makes deleted text unrecoverable from the files.
    ///
    /// `secure_delete` zeroes deleted cells and freed pages, but that is not enough on its own:
    /// when SQLite rebuilds a page during a b-tree rebalance it leaves old bytes in the page's
    /// unallocated gap (our purge test found event text there), and the WAL keeps older images
    /// of every page it has seen. So after a purge the database is rebuilt with `VACUUM`
    /// (every page written fresh from the surviving rows; the temporary copy lives in memory,
    /// `temp_store=MEMORY`), then [`Self::checkpoint`] copies those pages over the file and
    /// truncates the WAL. Only then is the debt cleared (a content-free write).
    async fn scrub(&mut self) -> Result<(), StoreError> {
        sqlx::raw_sql("VACUUM")
            .execute(&mut self.conn)
            .await
            .map_err(backend)?;
        self.checkpoint().await?;
        sqlx::query("UPDATE maintenance SET scrub_owed = 0")
            .execute(&mut self.conn)
            .await
            .map_err(backend)?;
        self.scrub_owed = false;
        Ok(())
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

/// One transaction for the whole group, written with a few multi-row statements.
///
/// Requests are checked before anything is written (unknown room, sequence gap, duplicate
/// room); a refused request gets its own error and is left out. The one refusal that shows up
/// only while writing, a client message id already stored, rolls the transaction back and
/// writes the group again without that request (each round refuses at least one more, so this
/// ends). Any other failure, the commit included, fails the whole group.
async fn write_group(
    conn: &mut SqliteConnection,
    sql: &Sql,
    committed: &HashMap<String, Seq>,
    ops: &[&Op],
) -> Result<Written, StoreError> {
    let mut refused: Vec<Option<StoreError>> = ops.iter().map(|_| None).collect();
    loop {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
        match write_attempt(&mut tx, sql, committed, ops, &mut refused).await? {
            Some((last_seq, events)) => {
                tx.commit().await.map_err(backend)?;
                let results = refused.into_iter().map(|r| r.map_or(Ok(()), Err)).collect();
                return Ok(Written {
                    results,
                    last_seq,
                    events,
                });
            }
            None => tx.rollback().await.map_err(backend)?,
        }
    }
}

/// Writes the requests not yet refused. `None` when a duplicate message id refused another
/// request and the attempt must be rolled back.
async fn write_attempt(
    tx: &mut SqliteConnection,
    sql: &Sql,
    committed: &HashMap<String, Seq>,
    ops: &[&Op],
    refused: &mut [Option<StoreError>],
) -> Result<Option<(HashMap<String, Seq>, u64)>, StoreError> {
    let mut staged: HashMap<String, Seq> = HashMap::new();
    let mut events: Vec<(&str, &StoredEvent)> = Vec::new();
    let mut msgs: Vec<(usize, &str, &StoredMsgId)> = Vec::new();
    let mut rare: Vec<&AppendBatch> = Vec::new();
    let mut heartbeat = None;
    for (i, op) in ops.iter().enumerate() {
        if refused[i].is_some() {
            continue;
        }
        match op {
            Op::Create(room) => {
                if staged.contains_key(&room.code) || committed.contains_key(&room.code) {
                    refused[i] = Some(StoreError::Duplicate);
                    continue;
                }
                // A code stays taken while an attendance record of an earlier meeting holds it.
                let inserted = sqlx::query(
                    "INSERT INTO rooms (code, params_json, epoch, created_at, group_id)
                     SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM records WHERE room = ?)
                     ON CONFLICT (code) DO NOTHING",
                )
                .bind(&room.code)
                .bind(&room.params_json)
                .bind(room.epoch)
                .bind(to_i64(room.created_at)?)
                .bind(room.group.as_ref().map(|g| g.id.as_str()))
                .bind(&room.code)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                if inserted.rows_affected() == 0 {
                    refused[i] = Some(StoreError::Duplicate);
                    continue;
                }
                if let Some(group) = &room.group {
                    link_group(tx, group, room.created_at).await?;
                }
                staged.insert(room.code.clone(), 0);
            }
            Op::Append(batch) => {
                let last = match staged.get(&batch.room).or(committed.get(&batch.room)) {
                    Some(last) => Some(*last),
                    None => last_seq_of(tx, &batch.room).await?,
                };
                let Some(last) = last else {
                    refused[i] = Some(StoreError::NotFound);
                    continue;
                };
                if let Err(e) = check_sequence(last, &batch.events) {
                    refused[i] = Some(e);
                    continue;
                }
                events.extend(batch.events.iter().map(|e| (batch.room.as_str(), e)));
                msgs.extend(batch.msg_ids.iter().map(|m| (i, batch.room.as_str(), m)));
                if batch.snapshot.is_some()
                    || batch.ended_at.is_some()
                    || !batch.attendance.is_empty()
                    || batch.carry_json.is_some()
                    || batch.record.is_some()
                {
                    rare.push(batch);
                }
                let new_last = batch.events.last().map_or(last, |e| e.seq);
                staged.insert(batch.room.clone(), new_last);
            }
            Op::Heartbeat(at) => heartbeat = Some(*at),
        }
    }

    insert_events(tx, sql, &events).await?;
    let mut stored = insert_msgs(tx, sql, &msgs).await?;
    // Each stored id belongs to the first request that sent it; any later one is a duplicate.
    let mut again = false;
    for (i, room, msg) in &msgs {
        let key = ((*room).to_owned(), msg.member.0, msg.msg_id.clone());
        if !stored.remove(&key) && refused[*i].is_none() {
            refused[*i] = Some(StoreError::Backend(
                "duplicate client message id".to_owned(),
            ));
            again = true;
        }
    }
    if again {
        return Ok(None);
    }

    for batch in rare {
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
        if let Some(ended_at) = batch.ended_at {
            sqlx::query("UPDATE rooms SET ended_at = ? WHERE code = ?")
                .bind(to_i64(ended_at)?)
                .bind(&batch.room)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        for record in &batch.attendance {
            sqlx::query(
                "INSERT INTO attendance (room, member, name, role, joined_at, present_ms, away_since)
                 VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (room, member) DO UPDATE SET
                     name = excluded.name, role = excluded.role, present_ms = excluded.present_ms,
                     away_since = excluded.away_since",
            )
            .bind(&batch.room)
            .bind(record.member.0)
            .bind(&record.name)
            .bind(record.role.as_str())
            .bind(to_i64(record.joined_at)?)
            .bind(to_i64(record.present_ms)?)
            .bind(record.away_since.map(to_i64).transpose()?)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        if let Some(record) = &batch.record {
            super::records::write(tx, record).await?;
        }
        if let Some(carry) = &batch.carry_json {
            // Only for a room of a group; the carry outlives the room, not the group.
            sqlx::query(
                "INSERT INTO group_carry (group_id, room, json, created_at)
                 SELECT group_id, code, ?, ? FROM rooms
                 WHERE code = ? AND group_id IN (SELECT id FROM groups)",
            )
            .bind(carry)
            .bind(to_i64(batch.ended_at.unwrap_or(0))?)
            .bind(&batch.room)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
    }
    if let Some(at) = heartbeat {
        sqlx::query(
            "INSERT INTO heartbeat (id, at) VALUES (1, ?)
             ON CONFLICT (id) DO UPDATE SET at = excluded.at",
        )
        .bind(to_i64(at)?)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    Ok(Some((staged, events.len() as u64)))
}

async fn insert_events(
    tx: &mut SqliteConnection,
    sql: &Sql,
    events: &[(&str, &StoredEvent)],
) -> Result<(), StoreError> {
    for (rows, text) in sql.chunks(&sql.events, events) {
        let mut query = sqlx::query(AssertSqlSafe(text));
        for (room, event) in rows {
            query = query
                .bind(*room)
                .bind(to_i64(event.seq)?)
                .bind(to_i64(event.at)?)
                .bind(event.kind)
                .bind(&event.json);
        }
        query.execute(&mut *tx).await.map_err(backend)?;
    }
    Ok(())
}

/// Inserts the ids that are not stored yet and returns those it inserted.
async fn insert_msgs(
    tx: &mut SqliteConnection,
    sql: &Sql,
    msgs: &[(usize, &str, &StoredMsgId)],
) -> Result<HashSet<(String, u32, String)>, StoreError> {
    let mut stored = HashSet::new();
    for (rows, text) in sql.chunks(&sql.msgs, msgs) {
        let mut query = sqlx::query(AssertSqlSafe(text));
        for (_, room, msg) in rows {
            query = query
                .bind(*room)
                .bind(msg.member.0)
                .bind(&msg.msg_id)
                .bind(&msg.ack_json);
        }
        for row in query.fetch_all(&mut *tx).await.map_err(backend)? {
            stored.insert((
                row.try_get(0).map_err(backend)?,
                row.try_get(1).map_err(backend)?,
                row.try_get(2).map_err(backend)?,
            ));
        }
    }
    Ok(stored)
}

/// Multi-row INSERT statements in a few fixed sizes, so the prepared-statement cache holds a
/// handful of texts however the rows are split.
struct Sql {
    events: Vec<(usize, Arc<str>)>,
    msgs: Vec<(usize, Arc<str>)>,
}

impl Sql {
    /// Row counts per statement, largest first; 1 must be last.
    const SIZES: [usize; 4] = [128, 32, 8, 1];

    fn new() -> Self {
        let build = |head: &str, cols: usize, tail: &str| {
            Self::SIZES
                .iter()
                .map(|&rows| {
                    let row = format!("({})", vec!["?"; cols].join(", "));
                    let text = format!("{head} {} {tail}", vec![row; rows].join(", "));
                    (rows, Arc::from(text.trim_end()))
                })
                .collect()
        };
        Sql {
            events: build(
                "INSERT INTO events (room, seq, at, kind, json) VALUES",
                5,
                "",
            ),
            msgs: build(
                "INSERT INTO client_msgs (room, member, msg_id, ack_json) VALUES",
                4,
                "ON CONFLICT DO NOTHING RETURNING room, member, msg_id",
            ),
        }
    }

    /// Splits `rows` greedily into the fixed sizes, each with its statement.
    fn chunks<'r, T>(
        &self,
        statements: &[(usize, Arc<str>)],
        mut rows: &'r [T],
    ) -> Vec<(&'r [T], Arc<str>)> {
        let mut out = Vec::new();
        for (size, text) in statements {
            while rows.len() >= *size {
                let (chunk, rest) = rows.split_at(*size);
                out.push((chunk, text.clone()));
                rows = rest;
            }
        }
        out
    }
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
    Ok(Some(super::to_u64(
        event.unwrap_or(0).max(snapshot.unwrap_or(0)),
    )?))
}

/// Creates a new group, or marks an existing one as meeting again.
async fn link_group(
    tx: &mut SqliteConnection,
    group: &crate::store::GroupLink,
    at: Millis,
) -> Result<(), StoreError> {
    let affected = match &group.new_token_hash {
        Some(token_hash) => sqlx::query(
            "INSERT INTO groups (id, token_hash, created_at, active_at) VALUES (?, ?, ?, ?)",
        )
        .bind(&group.id)
        .bind(token_hash)
        .bind(to_i64(at)?)
        .bind(to_i64(at)?),
        None => sqlx::query("UPDATE groups SET active_at = ? WHERE id = ?")
            .bind(to_i64(at)?)
            .bind(&group.id),
    }
    .execute(&mut *tx)
    .await
    .map_err(backend)?
    .rows_affected();
    if affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn rows_split_into_fixed_statement_sizes() {
        let sql = Sql::new();
        let rows: Vec<u32> = (0..300).collect();
        let sizes: Vec<usize> = sql
            .chunks(&sql.events, &rows)
            .iter()
            .map(|(chunk, _)| chunk.len())
            .collect();
        assert_eq!(sizes, vec![128, 128, 32, 8, 1, 1, 1, 1]);
        let flat: Vec<u32> = sql
            .chunks(&sql.events, &rows)
            .iter()
            .flat_map(|(chunk, _)| chunk.iter().copied())
            .collect();
        assert_eq!(flat, rows);
        assert!(sql.chunks(&sql.msgs, &rows[..0]).is_empty());
    }
}
