//! The writer thread: the only connection that writes. It commits queued requests in groups,
//! purges, and closes.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use kring_protocol::{Millis, RoomCode, Seq};
use rusqlite::{CachedStatement, Connection, OptionalExtension, TransactionBehavior, params};
use tokio::sync::oneshot;

use super::checkpoint::Checkpoints;
use super::msg_ids::{Ids, MsgIds};
use super::queue::Queue;
use super::{MAX_GROUP, to_i64};
use crate::metrics::Metrics;
use crate::store::{AppendBatch, GroupLink, NewRoom, StoreError, StoredEvent};

pub(super) type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// A map by room. Room codes are the server's own (random, never a client's choice), so the
/// writer hashes them with foldhash instead of SipHash: the maps are looked up and filled for
/// every batch, and SipHash was 1-2% of the writer's CPU at saturation.
pub(super) type RoomMap<V> = HashMap<RoomCode, V, foldhash::fast::RandomState>;

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
        reply: Reply<Vec<RoomCode>>,
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
    fn room(&self) -> Option<&RoomCode> {
        match self {
            Op::Create(room) => Some(&room.code),
            Op::Append(batch) => Some(&batch.room),
            Op::Heartbeat(_) => None,
        }
    }
}

pub(super) struct Writer {
    conn: Connection,
    queue: Arc<Queue>,
    /// Last committed sequence per room (snapshot or event), loaded on first use.
    last_seq: RoomMap<Seq>,
    /// Committed client message ids per room, loaded when a batch of the room first carries
    /// one; see [`MsgIds`].
    msg_ids: MsgIds,
    /// A purge deleted rows whose text may still be in the files (also kept in the
    /// `maintenance` table, so a crash does not forget it).
    scrub_owed: bool,
    /// `None` once stopped, at the end.
    checkpoints: Option<Checkpoints>,
    wal_path: PathBuf,
    metrics: Arc<Metrics>,
}

type Group = Vec<(Op, Instant, Reply<()>)>;

impl Writer {
    pub(super) fn new(
        conn: Connection,
        queue: Arc<Queue>,
        checkpoints: Checkpoints,
        wal_path: PathBuf,
        metrics: Arc<Metrics>,
        scrub_owed: bool,
    ) -> Self {
        Writer {
            conn,
            queue,
            last_seq: RoomMap::default(),
            msg_ids: MsgIds::new(Instant::now()),
            scrub_owed,
            checkpoints: Some(checkpoints),
            wal_path,
            metrics,
        }
    }

    /// The thread's body: until every handle is gone or the store is closed.
    pub(super) fn run(mut self) {
        if self.scrub_owed {
            // A purge was cut short (crash or failed checkpoint): finish it before anything else.
            match self.scrub() {
                Ok(()) => tracing::info!("finished scrubbing after an interrupted purge"),
                Err(e) => {
                    tracing::error!(error = %e, "scrubbing after an interrupted purge failed")
                }
            }
        }
        let mut pending: VecDeque<Request> = VecDeque::new();
        let mut taken = Vec::with_capacity(MAX_GROUP);
        let mut closing: Vec<Reply<()>> = Vec::new();
        loop {
            if pending.is_empty() {
                if !self.queue.take(MAX_GROUP, &mut taken) {
                    break;
                }
                pending.extend(taken.drain(..));
            }
            let Some(first) = pending.pop_front() else {
                continue;
            };
            match first {
                Request::Write {
                    op,
                    enqueued,
                    reply,
                } => {
                    // Consecutive writes share a transaction (group commit).
                    let mut group = vec![(op, enqueued, reply)];
                    while group.len() < MAX_GROUP
                        && matches!(pending.front(), Some(Request::Write { .. }))
                    {
                        if let Some(Request::Write {
                            op,
                            enqueued,
                            reply,
                        }) = pending.pop_front()
                        {
                            group.push((op, enqueued, reply));
                        }
                    }
                    self.commit_group(group);
                }
                Request::Purge {
                    ended_before,
                    idle_before,
                    reply,
                } => {
                    let result = self.purge(ended_before, idle_before);
                    let _ = reply.send(result);
                }
                Request::PurgeGroups { before, reply } => {
                    let result = self.purge_groups(before);
                    let _ = reply.send(result);
                }
                Request::PurgeRecords { before, reply } => {
                    let result = self.purge_records(before);
                    let _ = reply.send(result);
                }
                Request::Close { reply } => {
                    // Refuse new requests; those already queued are still written.
                    self.queue.close();
                    closing.push(reply);
                }
            }
        }
        // Without a close request every handle was dropped: release the connection and leave
        // the WAL to the next open, as after a crash.
        let result = self.finish(!closing.is_empty());
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

    fn finish(mut self, checkpoint: bool) -> Result<(), StoreError> {
        if let Some(checkpoints) = self.checkpoints.take() {
            checkpoints.stop();
        }
        let scrubbed = match (checkpoint, self.scrub_owed) {
            (false, _) => Ok(()),
            (true, true) => self.scrub(),
            (true, false) => self.checkpoint(),
        };
        self.conn.close().map_err(|(_, e)| StoreError::from(e))?;
        scrubbed
    }

    /// Writes every request of the group in one transaction and answers each after the commit.
    fn commit_group(&mut self, group: Group) {
        let ops: Vec<&Op> = group.iter().map(|(op, _, _)| op).collect();
        match write_group(&mut self.conn, &self.last_seq, &mut self.msg_ids, &ops) {
            Ok(written) => {
                self.metrics.store_commits.inc();
                self.metrics.store_batch_events.add(written.events);
                self.last_seq.extend(written.last_seq);
                if let Some(checkpoints) = &self.checkpoints {
                    checkpoints.after_commit(&self.conn);
                }
                self.msg_ids.sweep(Instant::now());
                for ((op, enqueued, reply), result) in group.into_iter().zip(written.results) {
                    if let (Ok(()), Op::Append(batch)) = (&result, &op) {
                        self.metrics
                            .store_commit_seconds
                            .observe(enqueued.elapsed());
                        if batch.ended_at.is_some() {
                            // An ended room rarely writes again; if it does, they are loaded
                            // again.
                            self.msg_ids.forget(&batch.room);
                        }
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
                        self.msg_ids.forget(room);
                    }
                }
                for (_, _, reply) in group {
                    let _ = reply.send(Err(StoreError::Backend(e.to_string())));
                }
            }
        }
    }

    fn purge(
        &mut self,
        ended_before: Millis,
        idle_before: Millis,
    ) -> Result<Vec<RoomCode>, StoreError> {
        let started = Instant::now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // A room's last activity is its newest event (or its creation). Foreign keys cascade
        // the delete to the journal, snapshots and attendance.
        let purged: Vec<String> = tx
            .prepare(
                "DELETE FROM rooms
                 WHERE (ended_at IS NOT NULL AND ended_at < ?1)
                    OR coalesce(
                           (SELECT at FROM journal WHERE room = rooms.code AND kind IS NOT NULL
                            ORDER BY seq DESC LIMIT 1),
                           created_at
                       ) < ?2
                 RETURNING code",
            )?
            .query_map(
                params![to_i64(ended_before)?, to_i64(idle_before)?],
                |row| row.get(0),
            )?
            .collect::<Result<_, _>>()?;
        if !purged.is_empty() {
            tx.execute("UPDATE maintenance SET scrub_owed = 1", [])?;
        }
        tx.commit()?;
        if !purged.is_empty() {
            self.scrub_owed = true;
        }
        // A code that does not parse was never served (every live room's code was parsed),
        // so there is nothing to forget or close for it; its rows are gone all the same.
        let purged: Vec<RoomCode> = purged
            .iter()
            .filter_map(|code| RoomCode::parse(code).ok())
            .collect();
        for code in &purged {
            self.last_seq.remove(code);
            self.msg_ids.forget(code);
        }
        if self.scrub_owed {
            self.scrub()?;
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
    fn purge_groups(&mut self, before: Millis) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let groups = tx.execute("DELETE FROM groups WHERE active_at < ?", [to_i64(before)?])?;
        let carries = tx.execute(
            "DELETE FROM group_carry WHERE rowid NOT IN
                     (SELECT max(rowid) FROM group_carry GROUP BY group_id)",
            [],
        )?;
        if groups + carries > 0 {
            tx.execute("UPDATE maintenance SET scrub_owed = 1", [])?;
        }
        tx.commit()?;
        if groups + carries > 0 {
            self.scrub_owed = true;
            self.scrub()?;
            tracing::info!(groups, carries, "purged group carry-overs");
        }
        Ok(groups)
    }

    /// Deletes attendance records past their retention; names and registration numbers are
    /// personal data, so the files are scrubbed afterwards like after any purge.
    fn purge_records(&mut self, before: Millis) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let deleted = super::records::purge(&tx, before)?;
        if deleted > 0 {
            tx.execute("UPDATE maintenance SET scrub_owed = 1", [])?;
        }
        tx.commit()?;
        if deleted > 0 {
            self.scrub_owed = true;
            self.scrub()?;
            tracing::info!(records = deleted, "purged attendance records");
        }
        Ok(deleted)
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
    fn scrub(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("VACUUM")?;
        self.checkpoint()?;
        self.conn
            .execute("UPDATE maintenance SET scrub_owed = 0", [])?;
        self.scrub_owed = false;
        Ok(())
    }

    /// A TRUNCATE checkpoint: copies the newest page images from the WAL into the database
    /// file, syncs it, and cuts the WAL to zero bytes. It must not be blocked by a reader
    /// (`busy` = 0), and the WAL must then be empty; both are checked. The `-shm` file holds
    /// only the WAL index (page and frame numbers), never page content.
    fn checkpoint(&mut self) -> Result<(), StoreError> {
        // No checkpoint of the thread's may run beside this one: it would make it busy.
        let _paused = self.checkpoints.as_ref().map(Checkpoints::pause);
        let (busy, log, checkpointed): (i64, i64, i64) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?;
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
    last_seq: RoomMap<Seq>,
    events: u64,
}

const INSERT_EVENT: &str = "INSERT INTO journal (room, seq, at, kind, json) VALUES (?, ?, ?, ?, ?)";
const INSERT_MSG: &str = "INSERT INTO journal (room, seq, member, msg_id, ack_json)
                          VALUES (?, ?, ?, ?, ?)";
const INSERT_BOTH: &str =
    "INSERT INTO journal (room, seq, at, kind, json, member, msg_id, ack_json)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

/// The journal's inserts, taken from the statement cache once per group rather than once per
/// batch: each take and return hashes the statement's text and resets it.
struct Inserts<'c> {
    tx: &'c Connection,
    event: Option<CachedStatement<'c>>,
    both: Option<CachedStatement<'c>>,
    msg: Option<CachedStatement<'c>>,
}

impl<'c> Inserts<'c> {
    fn new(tx: &'c Connection) -> Self {
        Inserts {
            tx,
            event: None,
            both: None,
            msg: None,
        }
    }

    fn event(&mut self) -> Result<&mut CachedStatement<'c>, StoreError> {
        take(&mut self.event, self.tx, INSERT_EVENT)
    }

    fn both(&mut self) -> Result<&mut CachedStatement<'c>, StoreError> {
        take(&mut self.both, self.tx, INSERT_BOTH)
    }

    fn msg(&mut self) -> Result<&mut CachedStatement<'c>, StoreError> {
        take(&mut self.msg, self.tx, INSERT_MSG)
    }
}

/// The statement in `slot`, taken from the cache the first time.
fn take<'s, 'c>(
    slot: &'s mut Option<CachedStatement<'c>>,
    tx: &'c Connection,
    sql: &str,
) -> Result<&'s mut CachedStatement<'c>, StoreError> {
    let statement = match slot.take() {
        Some(statement) => statement,
        None => tx.prepare_cached(sql)?,
    };
    Ok(slot.insert(statement))
}

fn insert_event(
    insert: &mut rusqlite::Statement<'_>,
    room: &RoomCode,
    event: &StoredEvent,
) -> Result<(), StoreError> {
    insert.execute(params![
        room.as_str(),
        to_i64(event.seq)?,
        to_i64(event.at)?,
        event.kind,
        event.json,
    ])?;
    Ok(())
}

/// One transaction for the whole group. Each request is checked and written in turn; one that
/// is refused (unknown room, sequence gap, duplicate room or client message id) leaves nothing
/// behind and gets its own error. Any other failure, the commit included, fails the group.
fn write_group(
    conn: &mut Connection,
    committed: &RoomMap<Seq>,
    msg_ids: &mut MsgIds,
    ops: &[&Op],
) -> Result<Written, StoreError> {
    let tx = Tx::begin(conn)?;
    let mut staged =
        RoomMap::with_capacity_and_hasher(ops.len(), foldhash::fast::RandomState::default());
    let mut inserts = Inserts::new(tx.conn);
    let mut results = Vec::with_capacity(ops.len());
    let mut events = 0;
    for op in ops {
        let result = match op {
            Op::Create(room) => create(&tx, room, committed, &mut staged)?,
            Op::Append(batch) => {
                let result = append(
                    tx.conn,
                    &mut inserts,
                    batch,
                    committed,
                    &mut staged,
                    msg_ids,
                )?;
                if result.is_ok() {
                    events += batch.events.len() as u64;
                }
                result
            }
            Op::Heartbeat(at) => {
                tx.prepare_cached(
                    "INSERT INTO heartbeat (id, at) VALUES (1, ?)
                     ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                )?
                .execute([to_i64(*at)?])?;
                Ok(())
            }
        };
        results.push(result);
    }
    // Back to the cache before the commit.
    drop(inserts);
    tx.commit()?;
    Ok(Written {
        results,
        last_seq: staged,
        events,
    })
}

/// A group's transaction, begun and ended with cached statements: rusqlite's `Transaction`
/// parses `BEGIN` and `COMMIT` anew each time, which was a fifth of the instructions of a
/// small commit. Dropped without [`Tx::commit`], it rolls back.
struct Tx<'c> {
    conn: &'c Connection,
    open: bool,
}

impl<'c> Tx<'c> {
    fn begin(conn: &'c Connection) -> Result<Tx<'c>, StoreError> {
        conn.prepare_cached("BEGIN IMMEDIATE")
            .and_then(|mut begin| begin.execute([]))?;
        Ok(Tx { conn, open: true })
    }

    fn commit(mut self) -> Result<(), StoreError> {
        self.open = false;
        let committed = self
            .conn
            .prepare_cached("COMMIT")
            .and_then(|mut commit| commit.execute([]));
        if committed.is_err() && !self.conn.is_autocommit() {
            // A failed COMMIT can leave the transaction open (SQLITE_BUSY): end it.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        committed.map(|_| ()).map_err(StoreError::from)
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// `Ok(Err(refusal))` for this request alone; `Err` fails the group.
type Outcome = Result<Result<(), StoreError>, StoreError>;

fn create(
    tx: &Connection,
    room: &NewRoom,
    committed: &RoomMap<Seq>,
    staged: &mut RoomMap<Seq>,
) -> Outcome {
    // A code stays taken while an attendance record of an earlier meeting holds it.
    let exists = staged.contains_key(&room.code)
        || committed.contains_key(&room.code)
        || tx
            .prepare_cached(
                "SELECT 1 FROM rooms WHERE code = ?1
                 UNION ALL SELECT 1 FROM records WHERE room = ?1",
            )?
            .exists([room.code.as_str()])?;
    if exists {
        return Ok(Err(StoreError::Duplicate));
    }
    if let Some(group) = &room.group
        && !link_group(tx, group, room.created_at)?
    {
        return Ok(Err(StoreError::NotFound));
    }
    tx.prepare_cached(
        "INSERT INTO rooms (code, params_json, epoch, created_at, group_id)
         VALUES (?, ?, ?, ?, ?)",
    )?
    .execute(params![
        room.code.as_str(),
        room.params_json,
        room.epoch,
        to_i64(room.created_at)?,
        room.group.as_ref().map(|g| g.id.as_str()),
    ])?;
    staged.insert(room.code.clone(), 0);
    Ok(Ok(()))
}

fn append<'c>(
    tx: &'c Connection,
    inserts: &mut Inserts<'c>,
    batch: &AppendBatch,
    committed: &RoomMap<Seq>,
    staged: &mut RoomMap<Seq>,
    msg_ids: &mut MsgIds,
) -> Outcome {
    let last = match staged.get(&batch.room).or(committed.get(&batch.room)) {
        Some(last) => Some(*last),
        None => last_seq_of(tx, batch.room.as_str())?,
    };
    let Some(last) = last else {
        return Ok(Err(StoreError::NotFound));
    };
    if let Err(e) = check_sequence(last, &batch.events) {
        return Ok(Err(e));
    }
    // Message ids first: one already taken (committed, earlier in this group, or twice in this
    // batch) refuses the batch before anything of it is written.
    let taken = if batch.msg_ids.is_empty() {
        None
    } else {
        // Read inside this group's transaction, before it wrote any id of this room (the
        // room's ids would be loaded already): the file's committed ids.
        let taken = msg_ids.room(&batch.room, Instant::now(), || {
            msg_ids_of(tx, batch.room.as_str())
        })?;
        let mut fresh = HashSet::with_capacity(batch.msg_ids.len());
        for msg in &batch.msg_ids {
            let key = (msg.member.0, msg.msg_id.clone());
            if taken.contains(&key) || !fresh.insert(key) {
                return Ok(Err(StoreError::Backend(
                    "duplicate client message id".to_owned(),
                )));
            }
        }
        Some((taken, fresh))
    };
    let new_last = batch.events.last().map_or(last, |e| e.seq);
    // A command commits one event and its message id: one row carries both (schema v6), the
    // batch's first id on its last event. Half the rows and index entries of two inserts:
    // see docs/PERFORMANCE.md.
    let mut ids = batch.msg_ids.iter();
    if let Some((newest, earlier)) = batch.events.split_last() {
        for event in earlier {
            insert_event(inserts.event()?, &batch.room, event)?;
        }
        match ids.next() {
            Some(msg) => {
                inserts.both()?.execute(params![
                    batch.room.as_str(),
                    to_i64(newest.seq)?,
                    to_i64(newest.at)?,
                    newest.kind,
                    newest.json,
                    msg.member.0,
                    msg.msg_id,
                    msg.ack_json
                ])?;
            }
            None => insert_event(inserts.event()?, &batch.room, newest)?,
        }
    }
    if let Some((taken, fresh)) = taken {
        // At the batch's last sequence: beside its events in the index, on the same page.
        for msg in ids {
            inserts.msg()?.execute(params![
                batch.room.as_str(),
                to_i64(new_last)?,
                msg.member.0,
                msg.msg_id,
                msg.ack_json
            ])?;
        }
        taken.extend(fresh);
    }
    write_rare(tx, batch)?;
    staged.insert(batch.room.clone(), new_last);
    Ok(Ok(()))
}

/// What a batch carries now and then: a snapshot, the end, attendance, the meeting's record,
/// a group's carry-over.
fn write_rare(tx: &Connection, batch: &AppendBatch) -> Result<(), StoreError> {
    if let Some(snapshot) = &batch.snapshot {
        tx.prepare_cached(
            "INSERT INTO snapshots (room, seq, json) VALUES (?, ?, ?)
             ON CONFLICT (room) DO UPDATE SET seq = excluded.seq, json = excluded.json",
        )?
        .execute(params![
            batch.room.as_str(),
            to_i64(snapshot.seq)?,
            snapshot.json
        ])?;
    }
    if let Some(ended_at) = batch.ended_at {
        tx.prepare_cached("UPDATE rooms SET ended_at = ? WHERE code = ?")?
            .execute(params![to_i64(ended_at)?, batch.room.as_str()])?;
    }
    if !batch.attendance.is_empty() {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO attendance (room, member, name, role, joined_at, present_ms,
                                         away_since)
                 VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (room, member) DO UPDATE SET
                     name = excluded.name, role = excluded.role, present_ms = excluded.present_ms,
                     away_since = excluded.away_since",
        )?;
        for record in &batch.attendance {
            upsert.execute(params![
                batch.room.as_str(),
                record.member.0,
                record.name,
                record.role.as_str(),
                to_i64(record.joined_at)?,
                to_i64(record.present_ms)?,
                record.away_since.map(to_i64).transpose()?,
            ])?;
        }
    }
    if let Some(record) = &batch.record {
        super::records::write(tx, record)?;
    }
    if let Some(carry) = &batch.carry_json {
        // Only for a room of a group; the carry outlives the room, not the group.
        tx.prepare_cached(
            "INSERT INTO group_carry (group_id, room, json, created_at)
             SELECT group_id, code, ?, ? FROM rooms
             WHERE code = ? AND group_id IN (SELECT id FROM groups)",
        )?
        .execute(params![
            carry,
            to_i64(batch.ended_at.unwrap_or(0))?,
            batch.room.as_str()
        ])?;
    }
    Ok(())
}

/// The last committed sequence of a room (0 before its first event), or `None` if there is
/// no such room. A snapshot counts too, in case one ever runs ahead of the journal. (A message
/// id's row carries the room's last sequence when it was written, never more.)
fn last_seq_of(tx: &Connection, room: &str) -> Result<Option<Seq>, StoreError> {
    let row: Option<(Option<i64>, Option<i64>)> = tx
        .prepare_cached(
            "SELECT (SELECT max(seq) FROM journal WHERE room = r.code),
                    (SELECT seq FROM snapshots WHERE room = r.code)
             FROM rooms AS r WHERE r.code = ?",
        )?
        .query_row([room], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let Some((event, snapshot)) = row else {
        return Ok(None);
    };
    Ok(Some(super::to_u64(
        event.unwrap_or(0).max(snapshot.unwrap_or(0)),
    )?))
}

/// The client message ids a room has in the file, as [`MsgIds`] keeps them.
fn msg_ids_of(tx: &Connection, room: &str) -> Result<Ids, StoreError> {
    tx.prepare_cached("SELECT member, msg_id FROM journal WHERE room = ? AND msg_id IS NOT NULL")?
        .query_map([room], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()
        .map_err(StoreError::from)
}

/// Creates a new group, or marks an existing one as meeting again. `false` when the group to
/// mark does not exist.
fn link_group(tx: &Connection, group: &GroupLink, at: Millis) -> Result<bool, StoreError> {
    let at = to_i64(at)?;
    let affected = match &group.new_token_hash {
        Some(token_hash) => tx
            .prepare_cached(
                "INSERT INTO groups (id, token_hash, created_at, active_at) VALUES (?, ?, ?, ?)",
            )?
            .execute(params![group.id, token_hash, at, at]),
        None => tx
            .prepare_cached("UPDATE groups SET active_at = ? WHERE id = ?")?
            .execute(params![at, group.id]),
    }?;
    Ok(affected > 0)
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
    fn a_group_transaction_commits_or_rolls_back_when_dropped() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        let count = |conn: &Connection| -> i64 {
            conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                .unwrap()
        };
        {
            let tx = Tx::begin(&conn).unwrap();
            tx.execute("INSERT INTO t VALUES (1)", []).unwrap();
            assert!(!conn.is_autocommit());
            // Dropped without a commit (a failed group).
        }
        assert!(conn.is_autocommit(), "the transaction is ended");
        assert_eq!(count(&conn), 0, "and rolled back");
        for _ in 0..2 {
            // The cached statements are used again.
            let tx = Tx::begin(&conn).unwrap();
            tx.execute("INSERT INTO t VALUES (1)", []).unwrap();
            tx.commit().unwrap();
        }
        assert!(conn.is_autocommit());
        assert_eq!(count(&conn), 2);
    }

    #[test]
    fn sequences_must_continue_without_gaps() {
        let event = |seq| StoredEvent {
            seq,
            at: 0,
            kind: "k".into(),
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
}
