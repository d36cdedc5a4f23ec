//! Attendance records: the long-lived, content-free tables `records` and `record_members`
//! (as in the SQLite store). They have no foreign key to `rooms`, so a room's purge leaves
//! them; their own purge (`--attendance-retention`) deletes them and owes a scrub like any
//! other purge, since names and registration numbers are personal data.

use kring_protocol::{MemberId, Millis, RoomCode};
use sqlx::Connection;
use sqlx::Row;
use sqlx::postgres::PgConnection;

use super::{PgStore, to_i64, to_u32, to_u64};
use crate::store::{
    MeetingRecord, RecordMember, StoreError, language_from, language_str, role_from, stored_code,
};

/// Replaces the stored record of `record.room` whole, in the append's transaction (a meeting
/// has at most 40 members: one statement for all of them).
pub(super) async fn write(tx: &mut PgConnection, record: &MeetingRecord) -> Result<(), StoreError> {
    write_head(tx, record).await?;
    write_members(tx, record).await
}

/// The record's own row, inserted or updated.
async fn write_head(tx: &mut PgConnection, record: &MeetingRecord) -> Result<(), StoreError> {
    let cases = serde_json::to_string(&record.cases).expect("cases serialise");
    let co_facilitators =
        serde_json::to_string(&record.co_facilitators).expect("strings serialise");
    sqlx::query(
        "INSERT INTO records (room, facilitator_token_hash, language, time_zone, group_name,
                              cases_json, facilitator, co_facilitators_json, started_at,
                              ended_at, list_confirmed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (room) DO UPDATE SET
             language = excluded.language, time_zone = excluded.time_zone,
             group_name = excluded.group_name, cases_json = excluded.cases_json,
             facilitator = excluded.facilitator,
             co_facilitators_json = excluded.co_facilitators_json,
             started_at = excluded.started_at,
             ended_at = excluded.ended_at, list_confirmed_at = excluded.list_confirmed_at",
    )
    .bind(record.room.as_str())
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
    .await?;
    Ok(())
}

/// The record's members, replacing those stored before, in one statement.
async fn write_members(tx: &mut PgConnection, record: &MeetingRecord) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM record_members WHERE room = $1")
        .bind(record.room.as_str())
        .execute(&mut *tx)
        .await?;
    if record.members.is_empty() {
        return Ok(());
    }
    let n = record.members.len();
    let mut members = Vec::with_capacity(n);
    let mut names = Vec::with_capacity(n);
    let mut roles = Vec::with_capacity(n);
    let mut joined = Vec::with_capacity(n);
    let mut present = Vec::with_capacity(n);
    let mut minutes = Vec::with_capacity(n);
    let mut confirmed = Vec::with_capacity(n);
    let mut registrations = Vec::with_capacity(n);
    let mut certificates = Vec::with_capacity(n);
    let mut tokens = Vec::with_capacity(n);
    for m in &record.members {
        members.push(i64::from(m.member.0));
        names.push(m.name.as_str());
        roles.push(m.role.as_str());
        joined.push(to_i64(m.joined_at)?);
        present.push(to_i64(m.present_ms)?);
        minutes.push(m.minutes_set.map(i64::from));
        confirmed.push(m.confirmed_at.map(to_i64).transpose()?);
        registrations.push(m.registration.as_deref());
        certificates.push(m.certificate.as_str());
        tokens.push(m.token_hash.as_deref());
    }
    sqlx::query(
        "INSERT INTO record_members (room, member, name, role, joined_at, present_ms,
                                     minutes_set, confirmed_at, registration, certificate,
                                     token_hash)
         SELECT $1, * FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::bigint[],
                                  $6::bigint[], $7::bigint[], $8::bigint[], $9::text[],
                                  $10::text[], $11::text[])",
    )
    .bind(record.room.as_str())
    .bind(&members)
    .bind(&names)
    .bind(&roles)
    .bind(&joined)
    .bind(&present)
    .bind(&minutes)
    .bind(&confirmed)
    .bind(&registrations)
    .bind(&certificates)
    .bind(&tokens)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl PgStore {
    /// The record of `room`, read in one snapshot.
    pub(super) async fn record_of(
        &self,
        room: &RoomCode,
    ) -> Result<Option<MeetingRecord>, StoreError> {
        self.open_now()?;
        let mut tx = self.reads.begin().await?;
        sqlx::raw_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let record = read(&mut tx, room).await;
        tx.rollback().await?;
        record
    }

    /// The record with a member whose certificate has this code.
    pub(super) async fn record_with_certificate(
        &self,
        code: &str,
    ) -> Result<Option<MeetingRecord>, StoreError> {
        self.open_now()?;
        let mut tx = self.reads.begin().await?;
        sqlx::raw_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let room: Option<String> =
            sqlx::query_scalar("SELECT room FROM record_members WHERE certificate = $1 LIMIT 1")
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?;
        let record = match room {
            Some(room) => match stored_code(&room) {
                Ok(room) => read(&mut tx, &room).await,
                Err(e) => Err(e),
            },
            None => Ok(None),
        };
        tx.rollback().await?;
        record
    }

    /// Deletes the records of meetings that ended (or, never ended, started) before `before`,
    /// then scrubs the files like after any purge.
    pub(super) async fn purge_old_records(&self, before: Millis) -> Result<usize, StoreError> {
        self.open_now()?;
        let Some(mut conn) = self.purge_connection().await? else {
            return Ok(0);
        };
        let result = async {
            let mut tx = conn.begin().await?;
            let deleted =
                sqlx::query("DELETE FROM records WHERE coalesce(ended_at, started_at) < $1")
                    .bind(to_i64(before)?)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if deleted > 0 {
                super::purge::owe_scrub(&mut tx).await?;
            }
            tx.commit().await?;
            self.scrub_if_owed(&mut conn).await?;
            if deleted > 0 {
                tracing::info!(records = deleted, "purged attendance records");
            }
            Ok(deleted as usize)
        }
        .await;
        super::purge::release_purge_connection(conn).await;
        result
    }
}

async fn read(tx: &mut PgConnection, room: &RoomCode) -> Result<Option<MeetingRecord>, StoreError> {
    let Some(record) = record_head(tx, room).await? else {
        return Ok(None);
    };
    Ok(Some(MeetingRecord {
        members: record_members(tx, room.as_str()).await?,
        ..record
    }))
}

/// The record's own row, without its members.
async fn record_head(
    tx: &mut PgConnection,
    room: &RoomCode,
) -> Result<Option<MeetingRecord>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT facilitator_token_hash, language, time_zone, group_name, cases_json,
                facilitator, started_at, ended_at, list_confirmed_at, co_facilitators_json
         FROM records WHERE room = $1",
    )
    .bind(room.as_str())
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let cases: String = row.try_get("cases_json")?;
    let co_facilitators: String = row.try_get("co_facilitators_json")?;
    Ok(Some(MeetingRecord {
        room: room.clone(),
        facilitator_token_hash: row.try_get("facilitator_token_hash")?,
        language: language_from(row.try_get("language")?),
        time_zone: row.try_get("time_zone")?,
        group_name: row.try_get("group_name")?,
        cases: serde_json::from_str(&cases)
            .map_err(|_| StoreError::Backend("unreadable cases in a record".to_owned()))?,
        facilitator: row.try_get("facilitator")?,
        co_facilitators: serde_json::from_str(&co_facilitators).map_err(|_| {
            StoreError::Backend("unreadable co-facilitators in a record".to_owned())
        })?,
        started_at: to_u64(row.try_get("started_at")?)?,
        ended_at: opt_u64(row.try_get("ended_at")?)?,
        list_confirmed_at: opt_u64(row.try_get("list_confirmed_at")?)?,
        members: Vec::new(),
    }))
}

async fn record_members(
    tx: &mut PgConnection,
    room: &str,
) -> Result<Vec<RecordMember>, StoreError> {
    sqlx::query(
        "SELECT member, name, role, joined_at, present_ms, confirmed_at, registration,
                certificate, token_hash, minutes_set
         FROM record_members WHERE room = $1 ORDER BY member",
    )
    .bind(room)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|row| {
        let role: String = row.try_get("role")?;
        let minutes_set: Option<i64> = row.try_get("minutes_set")?;
        Ok(RecordMember {
            member: MemberId(to_u32(row.try_get("member")?)?),
            name: row.try_get("name")?,
            role: role_from(&role),
            joined_at: to_u64(row.try_get("joined_at")?)?,
            present_ms: to_u64(row.try_get("present_ms")?)?,
            confirmed_at: opt_u64(row.try_get("confirmed_at")?)?,
            registration: row.try_get("registration")?,
            certificate: row.try_get("certificate")?,
            token_hash: row.try_get("token_hash")?,
            minutes_set: minutes_set
                .map(|m| {
                    u32::try_from(m).map_err(|_| {
                        StoreError::Backend("minutes out of range in a record".to_owned())
                    })
                })
                .transpose()?,
        })
    })
    .collect()
}

fn opt_u64(v: Option<i64>) -> Result<Option<u64>, StoreError> {
    v.map(to_u64).transpose()
}
