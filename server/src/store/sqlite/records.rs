//! Attendance records: the long-lived, content-free tables `records` and `record_members`.
//! They have no foreign key to `rooms`, so a room's purge leaves them; their own purge
//! (`--attendance-retention`) deletes them.

use kring_protocol::{MemberId, Millis, RoomCode};
use rusqlite::{Connection, OptionalExtension, params};

use super::{to_i64, to_u64};
use crate::store::{
    MeetingRecord, RecordMember, StoreError, language_from, language_str, role_from, stored_code,
};

/// Replaces the stored record of `record.room` whole, in the append's transaction (a meeting
/// has at most 40 members).
pub(super) fn write(tx: &Connection, record: &MeetingRecord) -> Result<(), StoreError> {
    let cases = serde_json::to_string(&record.cases).expect("cases serialise");
    let co_facilitators =
        serde_json::to_string(&record.co_facilitators).expect("strings serialise");
    tx.prepare_cached(
        "INSERT INTO records (room, facilitator_token_hash, language, time_zone, group_name,
                              cases_json, facilitator, co_facilitators_json, started_at,
                              ended_at, list_confirmed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (room) DO UPDATE SET
             language = excluded.language, time_zone = excluded.time_zone,
             group_name = excluded.group_name, cases_json = excluded.cases_json,
             facilitator = excluded.facilitator,
             co_facilitators_json = excluded.co_facilitators_json,
             started_at = excluded.started_at,
             ended_at = excluded.ended_at, list_confirmed_at = excluded.list_confirmed_at",
    )?
    .execute(params![
        record.room.as_str(),
        record.facilitator_token_hash,
        language_str(record.language),
        record.time_zone,
        record.group_name,
        cases,
        record.facilitator,
        co_facilitators,
        to_i64(record.started_at)?,
        record.ended_at.map(to_i64).transpose()?,
        record.list_confirmed_at.map(to_i64).transpose()?,
    ])?;
    tx.prepare_cached("DELETE FROM record_members WHERE room = ?")?
        .execute([record.room.as_str()])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO record_members (room, member, name, role, joined_at, present_ms,
                                         minutes_set, confirmed_at, registration, certificate,
                                         token_hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?;
    for m in &record.members {
        insert.execute(params![
            record.room.as_str(),
            m.member.0,
            m.name,
            m.role.as_str(),
            to_i64(m.joined_at)?,
            to_i64(m.present_ms)?,
            m.minutes_set,
            m.confirmed_at.map(to_i64).transpose()?,
            m.registration,
            m.certificate,
            m.token_hash,
        ])?;
    }
    Ok(())
}

/// The record of `room`, read in one transaction.
pub(super) fn read(
    conn: &mut Connection,
    room: &RoomCode,
) -> Result<Option<MeetingRecord>, StoreError> {
    let tx = conn.transaction()?;
    let record = read_in(&tx, room);
    drop(tx);
    record
}

/// The record with a member whose certificate has this code, read in one transaction.
pub(super) fn read_by_certificate(
    conn: &mut Connection,
    code: &str,
) -> Result<Option<MeetingRecord>, StoreError> {
    let tx = conn.transaction()?;
    let room: Option<String> = tx
        .prepare_cached("SELECT room FROM record_members WHERE certificate = ? LIMIT 1")?
        .query_row([code], |row| row.get(0))
        .optional()?;
    let record = match room {
        Some(room) => read_in(&tx, &stored_code(&room)?),
        None => Ok(None),
    };
    drop(tx);
    record
}

fn read_in(tx: &Connection, room: &RoomCode) -> Result<Option<MeetingRecord>, StoreError> {
    let Some(record) = record_head(tx, room)? else {
        return Ok(None);
    };
    Ok(Some(MeetingRecord {
        members: record_members(tx, room.as_str())?,
        ..record
    }))
}

/// The record's own row, without its members.
fn record_head(tx: &Connection, room: &RoomCode) -> Result<Option<MeetingRecord>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT facilitator_token_hash, language, time_zone, group_name, cases_json,
                facilitator, started_at, ended_at, list_confirmed_at, co_facilitators_json
         FROM records WHERE room = ?",
    )?;
    let mut rows = stmt.query([room.as_str()])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let cases: String = row.get("cases_json")?;
    let co: String = row.get("co_facilitators_json")?;
    Ok(Some(MeetingRecord {
        room: room.clone(),
        facilitator_token_hash: row.get("facilitator_token_hash")?,
        language: language_from(row.get("language")?),
        time_zone: row.get("time_zone")?,
        group_name: row.get("group_name")?,
        cases: serde_json::from_str(&cases)
            .map_err(|_| StoreError::Backend("unreadable cases in a record".to_owned()))?,
        facilitator: row.get("facilitator")?,
        co_facilitators: serde_json::from_str(&co).map_err(|_| {
            StoreError::Backend("unreadable co-facilitators in a record".to_owned())
        })?,
        started_at: to_u64(row.get("started_at")?)?,
        ended_at: opt_u64(row.get("ended_at")?)?,
        list_confirmed_at: opt_u64(row.get("list_confirmed_at")?)?,
        members: Vec::new(),
    }))
}

fn record_members(tx: &Connection, room: &str) -> Result<Vec<RecordMember>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT member, name, role, joined_at, present_ms, confirmed_at, registration,
                certificate, token_hash, minutes_set
         FROM record_members WHERE room = ? ORDER BY member",
    )?;
    let mut rows = stmt.query([room])?;
    let mut members = Vec::new();
    while let Some(row) = rows.next()? {
        let role: String = row.get("role")?;
        members.push(RecordMember {
            member: MemberId(row.get("member")?),
            name: row.get("name")?,
            role: role_from(&role),
            joined_at: to_u64(row.get("joined_at")?)?,
            present_ms: to_u64(row.get("present_ms")?)?,
            minutes_set: row.get("minutes_set")?,
            confirmed_at: opt_u64(row.get("confirmed_at")?)?,
            registration: row.get("registration")?,
            certificate: row.get("certificate")?,
            token_hash: row.get("token_hash")?,
        });
    }
    Ok(members)
}

/// Deletes the records of meetings that ended (or, never ended, started) before `before`.
pub(super) fn purge(tx: &Connection, before: Millis) -> Result<usize, StoreError> {
    tx.execute(
        "DELETE FROM records WHERE coalesce(ended_at, started_at) < ?",
        [to_i64(before)?],
    )
    .map_err(StoreError::from)
}

fn opt_u64(v: Option<i64>) -> Result<Option<u64>, StoreError> {
    v.map(to_u64).transpose()
}
