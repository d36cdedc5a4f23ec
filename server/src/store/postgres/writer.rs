//! The writer task: one connection that commits queued writes in groups, each group in one
//! transaction, with a few statements over arrays (`UNNEST`) whatever the group's size.
//!
//! A room's appends are fenced in the same transaction as its events: the room's head row is
//! updated only `WHERE owner = <lease node> AND term = <lease term> AND last_seq = <expected>`,
//! and rooms whose head did not match are left out of the rest (refused with `Fenced`, `Gap`
//! or `NotFound`, whichever the head says) while the others commit.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kring_protocol::Millis;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection, Row};
use tokio::sync::{mpsc, oneshot};

use super::to_i64;
use crate::metrics::Metrics;
use crate::store::{AppendBatch, GroupLink, NewRoom, StoreError, StoredEvent};

pub(super) type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// Most requests written in one transaction.
const MAX_GROUP: usize = 512;
/// A group that takes longer (Postgres gone quiet, a lock held by a long scrub) fails; its
/// outcome is unknown, so the rooms in it reload what is durable before they serve again.
const GROUP_TIMEOUT: Duration = Duration::from_secs(8);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

// A request crosses the channel once; boxing the large variant would cost an allocation per
// append instead.
#[allow(clippy::large_enum_variant)]
pub(super) enum Request {
    Write {
        op: Op,
        enqueued: Instant,
        reply: Reply<()>,
    },
    Close {
        reply: Reply<()>,
    },
}

pub(super) enum Op {
    Create(NewRoom),
    Append(AppendBatch),
    /// A write that proves the store takes writes (`check_writable`).
    Check,
}

pub(super) struct Writer {
    options: PgConnectOptions,
    conn: Option<PgConnection>,
    queue: mpsc::Receiver<Request>,
    metrics: Arc<Metrics>,
}

impl Writer {
    pub(super) fn new(
        options: PgConnectOptions,
        conn: PgConnection,
        queue: mpsc::Receiver<Request>,
        metrics: Arc<Metrics>,
    ) -> Writer {
        Writer {
            options,
            conn: Some(conn),
            queue,
            metrics,
        }
    }

    pub(super) async fn run(mut self) {
        let mut held: Option<Request> = None;
        let mut closing = Vec::new();
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
                Request::Close { reply } => {
                    // Refuse new requests; those already queued are still written.
                    self.queue.close();
                    closing.push(reply);
                }
            }
        }
        if let Some(conn) = self.conn.take() {
            let _ = conn.close().await;
        }
        for reply in closing {
            let _ = reply.send(Ok(()));
        }
    }

    /// The writer's connection, opened again after a failure.
    async fn connection(&mut self) -> Result<&mut PgConnection, StoreError> {
        if self.conn.is_none() {
            let conn =
                tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&self.options))
                    .await
                    .map_err(|_| {
                        StoreError::Backend("postgres: connecting timed out".to_owned())
                    })??;
            tracing::info!("postgres writer connected");
            self.conn = Some(conn);
        }
        Ok(self.conn.as_mut().expect("connected above"))
    }

    async fn commit_group(&mut self, group: Vec<(Op, Instant, Reply<()>)>) {
        let ops: Vec<&Op> = group.iter().map(|(op, _, _)| op).collect();
        let result = match self.connection().await {
            Ok(conn) => tokio::time::timeout(GROUP_TIMEOUT, write_group(conn, &ops))
                .await
                .unwrap_or_else(|_| {
                    Err(StoreError::Backend(
                        "postgres: the commit timed out; its outcome is unknown".to_owned(),
                    ))
                }),
            Err(e) => Err(e),
        };
        match result {
            Ok(written) => {
                self.metrics.store_commits.inc();
                self.metrics.store_batch_events.add(written.events);
                for ((op, enqueued, reply), result) in group.into_iter().zip(written.results) {
                    if result.is_ok() && matches!(op, Op::Append(_)) {
                        self.metrics
                            .store_commit_seconds
                            .observe(enqueued.elapsed());
                    }
                    if matches!(result, Err(StoreError::Fenced)) {
                        self.metrics.fenced_appends.inc();
                    }
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                // A connection that failed mid-transaction (or was cut off by the timeout) is
                // in an unknown state: open a new one for the next group.
                self.conn = None;
                tracing::error!(error = %e, requests = group.len(), "store transaction failed");
                for (_, _, reply) in group {
                    let _ = reply.send(Err(StoreError::Backend(e.to_string())));
                }
            }
        }
    }
}

struct Written {
    results: Vec<Result<(), StoreError>>,
    events: u64,
}

/// The whole group in one transaction. Requests refused on their own (a gap, a fence, a
/// duplicate room) are left out and get their own error. A client message id already stored
/// shows up only while writing: the transaction is rolled back and written again without that
/// request (each round refuses at least one more, so this ends). Any other failure fails the
/// group.
async fn write_group(conn: &mut PgConnection, ops: &[&Op]) -> Result<Written, StoreError> {
    let mut refused: Vec<Option<StoreError>> = ops
        .iter()
        .map(|op| match op {
            Op::Append(batch) => contiguous(&batch.events).err(),
            _ => None,
        })
        .collect();
    loop {
        let mut tx = conn.begin().await?;
        match write_attempt(&mut tx, ops, &mut refused).await? {
            Some(events) => {
                tx.commit().await?;
                let results = refused.into_iter().map(|r| r.map_or(Ok(()), Err)).collect();
                return Ok(Written { results, events });
            }
            None => tx.rollback().await?,
        }
    }
}

/// Writes the requests not yet refused. `None` when a duplicate message id refused one more
/// request and the attempt must be rolled back.
async fn write_attempt(
    tx: &mut PgConnection,
    ops: &[&Op],
    refused: &mut [Option<StoreError>],
) -> Result<Option<u64>, StoreError> {
    for (i, op) in ops.iter().enumerate() {
        if let (Op::Create(room), None) = (op, &refused[i]) {
            refused[i] = create(tx, room).await?.err();
        }
    }
    if ops.iter().any(|op| matches!(op, Op::Check)) {
        sqlx::query("UPDATE cluster SET key = key WHERE id = 1")
            .execute(&mut *tx)
            .await?;
    }
    let mut events = 0;
    for wave in waves(ops) {
        match append_wave(tx, ops, &wave, refused).await? {
            Some(n) => events += n,
            None => return Ok(None),
        }
    }
    Ok(Some(events))
}

/// Appends in order, split so that no room appears twice in one wave (its second batch must
/// see the head its first one wrote).
fn waves(ops: &[&Op]) -> Vec<Vec<usize>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut waves: Vec<Vec<usize>> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        if let Op::Append(batch) = op {
            let n = seen.entry(batch.room.as_str()).or_default();
            if waves.len() <= *n {
                waves.push(Vec::new());
            }
            waves[*n].push(i);
            *n += 1;
        }
    }
    waves
}

async fn create(
    tx: &mut PgConnection,
    room: &NewRoom,
) -> Result<Result<(), StoreError>, StoreError> {
    // A code stays taken while an attendance record of an earlier meeting holds it.
    let inserted = sqlx::query(
        "INSERT INTO rooms (code, params_json, epoch, created_at, group_id)
         SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM records WHERE room = $1)
         ON CONFLICT (code) DO NOTHING",
    )
    .bind(room.code.as_str())
    .bind(&room.params_json)
    .bind(i64::from(room.epoch))
    .bind(to_i64(room.created_at)?)
    .bind(room.group.as_ref().map(|g| g.id.as_str()))
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(Err(StoreError::Duplicate));
    }
    // Nobody owns a new room: the first node that gets a connection for it claims it, which
    // is the node the load balancer hashes its code to.
    sqlx::query("INSERT INTO room_heads (code, last_at) VALUES ($1, $2)")
        .bind(room.code.as_str())
        .bind(to_i64(room.created_at)?)
        .execute(&mut *tx)
        .await?;
    if let Some(group) = &room.group
        && !link_group(tx, group, room.created_at).await?
    {
        for table in [
            "DELETE FROM rooms WHERE code = $1",
            "DELETE FROM room_heads WHERE code = $1",
        ] {
            sqlx::query(table)
                .bind(room.code.as_str())
                .execute(&mut *tx)
                .await?;
        }
        return Ok(Err(StoreError::NotFound));
    }
    Ok(Ok(()))
}

/// Creates a new group, or marks an existing one as meeting again; `false` when the existing
/// group is gone.
async fn link_group(
    tx: &mut PgConnection,
    group: &GroupLink,
    at: Millis,
) -> Result<bool, StoreError> {
    let affected = match &group.new_token_hash {
        Some(token_hash) => sqlx::query(
            "INSERT INTO groups (id, token_hash, created_at, active_at) VALUES ($1, $2, $3, $3)",
        )
        .bind(&group.id)
        .bind(token_hash)
        .bind(to_i64(at)?),
        None => sqlx::query("UPDATE groups SET active_at = $1 WHERE id = $2")
            .bind(to_i64(at)?)
            .bind(&group.id),
    }
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(affected > 0)
}

/// One wave of appends: the fenced head update for all, then events and message ids for the
/// rooms whose head matched. `None` when a duplicate message id refused a request.
async fn append_wave(
    tx: &mut PgConnection,
    ops: &[&Op],
    wave: &[usize],
    refused: &mut [Option<StoreError>],
) -> Result<Option<u64>, StoreError> {
    let batches: Vec<(usize, &AppendBatch)> = wave
        .iter()
        .filter(|i| refused[**i].is_none())
        .filter_map(|i| match ops[*i] {
            Op::Append(batch) => Some((*i, batch)),
            _ => None,
        })
        .collect();
    if batches.is_empty() {
        return Ok(Some(0));
    }
    let matched = advance_heads(tx, &batches).await?;
    let unmatched: Vec<&str> = batches
        .iter()
        .map(|(_, b)| b.room.as_str())
        .filter(|c| !matched.contains(*c))
        .collect();
    if !unmatched.is_empty() {
        let heads = heads_of(tx, &unmatched).await?;
        for (i, batch) in &batches {
            if !matched.contains(batch.room.as_str()) {
                refused[*i] = Some(why_refused(batch, heads.get(batch.room.as_str())));
            }
        }
    }
    let accepted: Vec<(usize, &AppendBatch)> = batches
        .into_iter()
        .filter(|(_, b)| matched.contains(b.room.as_str()))
        .collect();
    let events = insert_events(tx, &accepted).await?;
    if !insert_msgs(tx, &accepted, refused).await? {
        return Ok(None);
    }
    for (_, batch) in &accepted {
        write_rare(tx, batch).await?;
    }
    Ok(Some(events))
}

/// Moves each batch's room head to its last event, in one statement, where the batch's lease
/// is still the room's and its first event follows the head. Returns the rooms it moved;
/// the others' batches are refused.
async fn advance_heads(
    tx: &mut PgConnection,
    batches: &[(usize, &AppendBatch)],
) -> Result<HashSet<String>, StoreError> {
    let mut codes = Vec::with_capacity(batches.len());
    let mut owners = Vec::with_capacity(batches.len());
    let mut terms = Vec::with_capacity(batches.len());
    let mut expected = Vec::with_capacity(batches.len());
    let mut lasts = Vec::with_capacity(batches.len());
    let mut ats = Vec::with_capacity(batches.len());
    for (_, batch) in batches {
        codes.push(batch.room.as_str());
        owners.push(&*batch.lease.node);
        terms.push(to_i64(batch.lease.term)?);
        match (batch.events.first(), batch.events.last()) {
            (Some(first), Some(last)) => {
                expected.push(to_i64(first.seq)? - 1);
                lasts.push(to_i64(last.seq)?);
                ats.push(to_i64(last.at)?);
            }
            // No events: the write only confirms the lease (and carries what else it has).
            _ => {
                expected.push(-1);
                lasts.push(-1);
                ats.push(-1);
            }
        }
    }
    let matched = sqlx::query_scalar(
        "UPDATE room_heads AS h
         SET last_seq = CASE WHEN v.expected < 0 THEN h.last_seq ELSE v.last END,
             last_at = CASE WHEN v.at < 0 THEN h.last_at ELSE v.at END
         FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[],
                     $6::bigint[]) AS v(code, owner, term, expected, last, at)
         WHERE h.code = v.code AND h.owner = v.owner AND h.term = v.term
           AND (v.expected < 0 OR h.last_seq = v.expected)
         RETURNING h.code",
    )
    .bind(&codes)
    .bind(&owners)
    .bind(&terms)
    .bind(&expected)
    .bind(&lasts)
    .bind(&ats)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    Ok(matched)
}

/// (owner, term, last_seq) of each room's head.
async fn heads_of(
    tx: &mut PgConnection,
    codes: &[&str],
) -> Result<HashMap<String, (Option<String>, i64, i64)>, StoreError> {
    let rows =
        sqlx::query("SELECT code, owner, term, last_seq FROM room_heads WHERE code = ANY($1)")
            .bind(codes)
            .fetch_all(&mut *tx)
            .await?;
    let mut heads = HashMap::new();
    for row in rows {
        heads.insert(
            row.try_get("code")?,
            (
                row.try_get("owner")?,
                row.try_get("term")?,
                row.try_get("last_seq")?,
            ),
        );
    }
    Ok(heads)
}

/// Why a head did not match: a lease that is not the room's comes first (a fenced writer's
/// sequence means nothing), then the sequence.
fn why_refused(batch: &AppendBatch, head: Option<&(Option<String>, i64, i64)>) -> StoreError {
    let Some((owner, term, last_seq)) = head else {
        return StoreError::NotFound;
    };
    let ours = owner.as_deref() == Some(&*batch.lease.node)
        && u64::try_from(*term).ok() == Some(batch.lease.term);
    if !ours {
        return StoreError::Fenced;
    }
    let expected = u64::try_from(*last_seq).unwrap_or(0) + 1;
    StoreError::Gap {
        expected,
        got: batch.events.first().map_or(expected, |e| e.seq),
    }
}

async fn insert_events(
    tx: &mut PgConnection,
    accepted: &[(usize, &AppendBatch)],
) -> Result<u64, StoreError> {
    let rows: Vec<(&str, &StoredEvent)> = accepted
        .iter()
        .flat_map(|(_, b)| b.events.iter().map(|e| (b.room.as_str(), e)))
        .collect();
    if rows.is_empty() {
        return Ok(0);
    }
    let mut rooms = Vec::with_capacity(rows.len());
    let mut seqs = Vec::with_capacity(rows.len());
    let mut ats = Vec::with_capacity(rows.len());
    let mut kinds = Vec::with_capacity(rows.len());
    let mut jsons = Vec::with_capacity(rows.len());
    for (room, event) in &rows {
        rooms.push(*room);
        seqs.push(to_i64(event.seq)?);
        ats.push(to_i64(event.at)?);
        kinds.push(event.kind.as_ref());
        jsons.push(event.json.as_str());
    }
    sqlx::query(
        "INSERT INTO events (room, seq, at, kind, json)
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[])",
    )
    .bind(&rooms)
    .bind(&seqs)
    .bind(&ats)
    .bind(&kinds)
    .bind(&jsons)
    .execute(&mut *tx)
    .await?;
    Ok(rows.len() as u64)
}

/// Inserts the message ids; `false` (and the request refused) when one was stored already.
/// Each stored id belongs to the first request that sent it; any later one is a duplicate.
async fn insert_msgs(
    tx: &mut PgConnection,
    accepted: &[(usize, &AppendBatch)],
    refused: &mut [Option<StoreError>],
) -> Result<bool, StoreError> {
    let rows: Vec<(usize, &str, i64, &str, &str)> = accepted
        .iter()
        .flat_map(|(i, b)| {
            b.msg_ids.iter().map(move |m| {
                (
                    *i,
                    b.room.as_str(),
                    i64::from(m.member.0),
                    m.msg_id.as_str(),
                    m.ack_json.as_str(),
                )
            })
        })
        .collect();
    if rows.is_empty() {
        return Ok(true);
    }
    let rooms: Vec<&str> = rows.iter().map(|r| r.1).collect();
    let members: Vec<i64> = rows.iter().map(|r| r.2).collect();
    let ids: Vec<&str> = rows.iter().map(|r| r.3).collect();
    let acks: Vec<&str> = rows.iter().map(|r| r.4).collect();
    let returned = sqlx::query(
        "INSERT INTO client_msgs (room, member, msg_id, ack_json)
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[])
         ON CONFLICT DO NOTHING RETURNING room, member, msg_id",
    )
    .bind(&rooms)
    .bind(&members)
    .bind(&ids)
    .bind(&acks)
    .fetch_all(&mut *tx)
    .await?;
    let mut stored: HashMap<(String, i64, String), usize> = HashMap::new();
    for row in stored_rows(returned)? {
        *stored.entry(row).or_default() += 1;
    }
    let mut all_stored = true;
    for (i, room, member, id, _) in &rows {
        let key = ((*room).to_owned(), *member, (*id).to_owned());
        match stored.get_mut(&key) {
            Some(n) if *n > 0 => *n -= 1,
            _ => {
                if refused[*i].is_none() {
                    refused[*i] = Some(StoreError::Backend(
                        "duplicate client message id".to_owned(),
                    ));
                }
                all_stored = false;
            }
        }
    }
    Ok(all_stored)
}

fn stored_rows(rows: Vec<sqlx::postgres::PgRow>) -> Result<Vec<(String, i64, String)>, StoreError> {
    rows.into_iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .collect()
}

/// What a batch carries now and then: a snapshot, the end, attendance, the meeting's record,
/// the group's carry.
async fn write_rare(tx: &mut PgConnection, batch: &AppendBatch) -> Result<(), StoreError> {
    if let Some(snapshot) = &batch.snapshot {
        sqlx::query(
            "INSERT INTO snapshots (room, seq, json) VALUES ($1, $2, $3)
             ON CONFLICT (room) DO UPDATE SET seq = excluded.seq, json = excluded.json",
        )
        .bind(batch.room.as_str())
        .bind(to_i64(snapshot.seq)?)
        .bind(&snapshot.json)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(ended_at) = batch.ended_at {
        sqlx::query("UPDATE rooms SET ended_at = $1 WHERE code = $2")
            .bind(to_i64(ended_at)?)
            .bind(batch.room.as_str())
            .execute(&mut *tx)
            .await?;
    }
    for record in &batch.attendance {
        sqlx::query(
            "INSERT INTO attendance (room, member, name, role, joined_at, present_ms, away_since)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (room, member) DO UPDATE SET
                 name = excluded.name, role = excluded.role, present_ms = excluded.present_ms,
                 away_since = excluded.away_since",
        )
        .bind(batch.room.as_str())
        .bind(i64::from(record.member.0))
        .bind(&record.name)
        .bind(record.role.as_str())
        .bind(to_i64(record.joined_at)?)
        .bind(to_i64(record.present_ms)?)
        .bind(record.away_since.map(to_i64).transpose()?)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(record) = &batch.record {
        super::records::write(tx, record).await?;
    }
    if let Some(carry) = &batch.carry_json {
        // Only for a room of a group; the carry outlives the room, not the group.
        sqlx::query(
            "INSERT INTO group_carry (group_id, room, json, created_at)
             SELECT group_id, code, $1, $2 FROM rooms
             WHERE code = $3 AND group_id IN (SELECT id FROM groups)",
        )
        .bind(carry)
        .bind(to_i64(batch.ended_at.unwrap_or(0))?)
        .bind(batch.room.as_str())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// A batch's own events must follow each other without a hole.
fn contiguous(events: &[StoredEvent]) -> Result<(), StoreError> {
    for pair in events.windows(2) {
        if pair[1].seq != pair[0].seq + 1 {
            return Err(StoreError::Gap {
                expected: pair[0].seq + 1,
                got: pair[1].seq,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn append(room: &str) -> Op {
        let room = kring_protocol::RoomCode::parse(&room.repeat(9)).unwrap();
        Op::Append(AppendBatch::new(room, crate::store::Lease::default()))
    }

    #[test]
    fn a_rooms_second_batch_goes_into_the_next_wave() {
        let ops = [
            append("A"),
            append("B"),
            append("A"),
            Op::Check,
            append("A"),
        ];
        let refs: Vec<&Op> = ops.iter().collect();
        assert_eq!(waves(&refs), vec![vec![0, 1], vec![2], vec![4]]);
    }

    #[test]
    fn a_hole_inside_a_batch_is_a_gap() {
        let event = |seq| StoredEvent {
            seq,
            at: 0,
            kind: "k".into(),
            json: String::new(),
        };
        assert!(contiguous(&[event(3), event(4)]).is_ok());
        assert!(matches!(
            contiguous(&[event(2), event(4)]),
            Err(StoreError::Gap {
                expected: 3,
                got: 4
            })
        ));
    }
}
