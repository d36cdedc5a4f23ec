//! Attendance records: the long-lived, content-free tables `records` and `record_members`.
//! They have no foreign key to `rooms`, so a room's purge leaves them; their own purge
//! (`--attendance-retention`) deletes them.

use kring_protocol::{MemberId, Millis};

use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqlitePool};

use super::{backend, to_i64, to_u64};
use crate::store::{
    MeetingRecord, RecordMember, StoreError, language_from, language_str, role_from,
};

/// Replaces the stored record of `record.room` whole (a meeting has at most 40 members).
pub(super) async fn write(
    tx: &mut SqliteConnection,
    record: &MeetingRecord,
) -> Result<(), StoreError> {
    let cases = serde_json::to_string(&record.cases).expect("cases serialise");
    let co_facilitators =
        serde_json::to_string(&record.co_facilitators).expect("strings serialise");
    sqlx::query(
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
    )
    .bind(&record.room)
    .bind(&record.facilitator_token_hash)
    .bind(language_str(record.language))
    .bind(&record.time_zone)
    .bind(&record.group_name)
    .bind(cases)
    .bind(&record.facilitator)
    .bind(co_facilitators)
    .bind(to_i64(record.started_at)?)
    .bind(record.ended_at.map(to_i64).transpose()?)
    .bind(record.list_confirmed_at.map(to_i64).transpose()?)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    sqlx::query("DELETE FROM record_members WHERE room = ?")
        .bind(&record.room)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    for m in &record.members {
        sqlx::query(
            "INSERT INTO record_members (room, member, name, role, joined_at, present_ms,
                                         minutes_set, confirmed_at, registration, certificate,
                                         token_hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&record.room)
        .bind(m.member.0)
        .bind(&m.name)
        .bind(m.role.as_str())
        .bind(to_i64(m.joined_at)?)
        .bind(to_i64(m.present_ms)?)
        .bind(m.minutes_set)
        .bind(m.confirmed_at.map(to_i64).transpose()?)
        .bind(&m.registration)
        .bind(&m.certificate)
        .bind(&m.token_hash)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

/// The record of `room`, read in one transaction.
pub(super) async fn read(
    pool: &SqlitePool,
    room: &str,
) -> Result<Option<MeetingRecord>, StoreError> {
    let mut tx = pool.begin().await.map_err(backend)?;
    let Some(row) = sqlx::query(
        "SELECT facilitator_token_hash, language, time_zone, group_name, cases_json,
                facilitator, started_at, ended_at, list_confirmed_at, co_facilitators_json
         FROM records WHERE room = ?",
    )
    .bind(room)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?
    else {
        return Ok(None);
    };
    let language: String = row.try_get(1).map_err(backend)?;
    let cases: String = row.try_get(4).map_err(backend)?;
    let co_facilitators: String = row.try_get(9).map_err(backend)?;
    let members = sqlx::query(
        "SELECT member, name, role, joined_at, present_ms, confirmed_at, registration,
                certificate, token_hash, minutes_set
         FROM record_members WHERE room = ? ORDER BY member",
    )
    .bind(room)
    .fetch_all(&mut *tx)
    .await
    .map_err(backend)?
    .into_iter()
    .map(|row| {
        let role: String = row.try_get(2).map_err(backend)?;
        Ok(RecordMember {
            member: MemberId(row.try_get(0).map_err(backend)?),
            name: row.try_get(1).map_err(backend)?,
            role: role_from(&role),
            joined_at: to_u64(row.try_get(3).map_err(backend)?)?,
            present_ms: to_u64(row.try_get(4).map_err(backend)?)?,
            confirmed_at: opt_u64(row.try_get(5).map_err(backend)?)?,
            registration: row.try_get(6).map_err(backend)?,
            certificate: row.try_get(7).map_err(backend)?,
            token_hash: row.try_get(8).map_err(backend)?,
            minutes_set: row.try_get(9).map_err(backend)?,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    tx.rollback().await.map_err(backend)?;
    Ok(Some(MeetingRecord {
        room: room.to_owned(),
        facilitator_token_hash: row.try_get(0).map_err(backend)?,
        language: language_from(language),
        time_zone: row.try_get(2).map_err(backend)?,
        group_name: row.try_get(3).map_err(backend)?,
        cases: serde_json::from_str(&cases)
            .map_err(|_| StoreError::Backend("unreadable cases in a record".to_owned()))?,
        facilitator: row.try_get(5).map_err(backend)?,
        co_facilitators: serde_json::from_str(&co_facilitators).map_err(|_| {
            StoreError::Backend("unreadable co-facilitators in a record".to_owned())
        })?,
        started_at: to_u64(row.try_get(6).map_err(backend)?)?,
        ended_at: opt_u64(row.try_get(7).map_err(backend)?)?,
        list_confirmed_at: opt_u64(row.try_get(8).map_err(backend)?)?,
        members,
    }))
}

/// The room whose record has a member with this certificate code.
pub(super) async fn room_of_certificate(
    pool: &SqlitePool,
    code: &str,
) -> Result<Option<String>, StoreError> {
    sqlx::query_scalar("SELECT room FROM record_members WHERE certificate = ? LIMIT 1")
        .bind(code)
        .fetch_optional(pool)
        .await
        .map_err(backend)
}

/// Deletes the records of meetings that ended (or, never ended, started) before `before`.
pub(super) async fn purge(tx: &mut SqliteConnection, before: Millis) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM records WHERE coalesce(ended_at, started_at) < ?")
            .bind(to_i64(before)?)
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected(),
    )
}

fn opt_u64(v: Option<i64>) -> Result<Option<u64>, StoreError> {
    v.map(to_u64).transpose()
}
