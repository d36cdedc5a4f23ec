//! Reading one room back, one table per step, by column name. The caller runs the steps in
//! one read-only, repeatable-read transaction, so they see the same moment.

use std::borrow::Cow;

use kring_protocol::{MemberId, Role, RoomCode};
use sqlx::Row;
use sqlx::postgres::{PgConnection, PgRow};

use super::{to_u32, to_u64};
use crate::store::{AttendanceRecord, LoadedRoom, Snapshot, StoreError, StoredEvent, StoredMsgId};

/// The room's own row, with nothing of its journal yet; `None`: no such room.
pub(super) async fn room(
    tx: &mut PgConnection,
    code: &RoomCode,
) -> Result<Option<LoadedRoom>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT params_json, epoch, created_at, ended_at, group_id FROM rooms WHERE code = $1",
    )
    .bind(code.as_str())
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let epoch: i64 = row.try_get("epoch")?;
    Ok(Some(LoadedRoom {
        code: code.clone(),
        params_json: row.try_get("params_json")?,
        epoch: u32::try_from(epoch)
            .map_err(|_| StoreError::Backend("epoch out of range".to_owned()))?,
        created_at: to_u64(row.try_get("created_at")?)?,
        ended_at: optional_u64(&row, "ended_at")?,
        group_id: row.try_get("group_id")?,
        snapshot: None,
        events: Vec::new(),
        msg_ids: Vec::new(),
        attendance: Vec::new(),
    }))
}

pub(super) async fn snapshot(
    tx: &mut PgConnection,
    code: &str,
) -> Result<Option<Snapshot>, StoreError> {
    let row = sqlx::query("SELECT seq, json FROM snapshots WHERE room = $1")
        .bind(code)
        .fetch_optional(&mut *tx)
        .await?;
    row.map(|row| {
        Ok(Snapshot {
            seq: to_u64(row.try_get("seq")?)?,
            json: row.try_get("json")?,
        })
    })
    .transpose()
}

/// The whole journal, in order.
pub(super) async fn events(
    tx: &mut PgConnection,
    code: &str,
) -> Result<Vec<StoredEvent>, StoreError> {
    sqlx::query("SELECT seq, at, kind, json FROM events WHERE room = $1 ORDER BY seq")
        .bind(code)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|row| {
            Ok(StoredEvent {
                seq: to_u64(row.try_get("seq")?)?,
                at: to_u64(row.try_get("at")?)?,
                kind: Cow::Owned(row.try_get("kind")?),
                json: row.try_get("json")?,
            })
        })
        .collect()
}

/// The client message ids that produced events, in the order they were accepted.
pub(super) async fn msg_ids(
    tx: &mut PgConnection,
    code: &str,
) -> Result<Vec<StoredMsgId>, StoreError> {
    sqlx::query("SELECT member, msg_id, ack_json FROM client_msgs WHERE room = $1 ORDER BY ord")
        .bind(code)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|row| {
            Ok(StoredMsgId {
                member: MemberId(to_u32(row.try_get("member")?)?),
                msg_id: row.try_get("msg_id")?,
                ack_json: row.try_get("ack_json")?,
            })
        })
        .collect()
}

pub(super) async fn attendance(
    tx: &mut PgConnection,
    code: &str,
) -> Result<Vec<AttendanceRecord>, StoreError> {
    sqlx::query(
        "SELECT member, name, role, joined_at, present_ms, away_since FROM attendance
         WHERE room = $1 ORDER BY member",
    )
    .bind(code)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|row| {
        let role: String = row.try_get("role")?;
        Ok(AttendanceRecord {
            member: MemberId(to_u32(row.try_get("member")?)?),
            name: row.try_get("name")?,
            role: Role::ALL
                .into_iter()
                .find(|r| r.as_str() == role)
                .unwrap_or(Role::Participant),
            joined_at: to_u64(row.try_get("joined_at")?)?,
            present_ms: to_u64(row.try_get("present_ms")?)?,
            away_since: optional_u64(&row, "away_since")?,
        })
    })
    .collect()
}

fn optional_u64(row: &PgRow, column: &str) -> Result<Option<u64>, StoreError> {
    row.try_get::<Option<i64>, _>(column)?
        .map(to_u64)
        .transpose()
}
