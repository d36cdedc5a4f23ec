//! Attendance records: the long-lived, content-free tables `records` and `record_members`.
//! They have no foreign key to `rooms`, so a room's purge leaves them; their own purge
//! (`--attendance-retention`) deletes them.

use kring_protocol::{MemberId, Millis};
use rusqlite::{Connection, OptionalExtension, params};

use super::{to_i64, to_u64};
use crate::store::{
    MeetingRecord, RecordMember, StoreError, language_from, language_str, role_from,
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
        record.room,
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
        .execute([&record.room])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO record_members (room, member, name, role, joined_at, present_ms,
                                         minutes_set, confirmed_at, registration, certificate,
                                         token_hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?;
    for m in &record.members {
        insert.execute(params![
            record.room,
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
pub(super) fn read(conn: &mut Connection, room: &str) -> Result<Option<MeetingRecord>, StoreError> {
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
        Some(room) => read_in(&tx, &room),
        None => Ok(None),
    };
    drop(tx);
    record
}

fn read_in(tx: &Connection, room: &str) -> Result<Option<MeetingRecord>, StoreError> {
    type Head = (
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        i64,
        Option<i64>,
        Option<i64>,
        String,
    );
    let Some(head): Option<Head> = tx
        .prepare_cached(
            "SELECT facilitator_token_hash, language, time_zone, group_name, cases_json,
                    facilitator, started_at, ended_at, list_confirmed_at, co_facilitators_json
             FROM records WHERE room = ?",
        )?
        .query_row([room], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
                row.get(6)?,
                row.get(7)?,
                row.get(8)?,
                row.get(9)?,
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let (fac_hash, language, time_zone, group_name, cases, facilitator, started, ended, listed, co) =
        head;
    let mut members = Vec::new();
    let mut stmt = tx.prepare_cached(
        "SELECT member, name, role, joined_at, present_ms, confirmed_at, registration,
                    certificate, token_hash, minutes_set
             FROM record_members WHERE room = ? ORDER BY member",
    )?;
    let rows = stmt.query_map([room], |row| {
        Ok((
            row.get::<_, u32>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, i64>(4)?,
            row.get::<_, Option<i64>>(5)?,
            row.get::<_, Option<String>>(6)?,
            row.get::<_, String>(7)?,
            row.get::<_, Option<String>>(8)?,
            row.get::<_, Option<u32>>(9)?,
        ))
    })?;
    for row in rows {
        let (
            member,
            name,
            role,
            joined,
            present,
            confirmed,
            registration,
            certificate,
            token,
            minutes,
        ) = row?;
        members.push(RecordMember {
            member: MemberId(member),
            name,
            role: role_from(&role),
            joined_at: to_u64(joined)?,
            present_ms: to_u64(present)?,
            minutes_set: minutes,
            confirmed_at: opt_u64(confirmed)?,
            registration,
            certificate,
            token_hash: token,
        });
    }
    Ok(Some(MeetingRecord {
        room: room.to_owned(),
        facilitator_token_hash: fac_hash,
        language: language_from(language),
        time_zone,
        group_name,
        cases: serde_json::from_str(&cases)
            .map_err(|_| StoreError::Backend("unreadable cases in a record".to_owned()))?,
        facilitator,
        co_facilitators: serde_json::from_str(&co).map_err(|_| {
            StoreError::Backend("unreadable co-facilitators in a record".to_owned())
        })?,
        started_at: to_u64(started)?,
        ended_at: opt_u64(ended)?,
        list_confirmed_at: opt_u64(listed)?,
        members,
    }))
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
