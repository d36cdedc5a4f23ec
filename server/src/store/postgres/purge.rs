//! Deleting ended sessions for good.
//!
//! A `DELETE` in Postgres only marks rows dead: their bytes stay in the table's pages (MVCC),
//! and a plain `VACUUM` frees the space for reuse without overwriting it (our purge test found
//! event text in the pages after one). So a purge that deleted anything is followed by a
//! *scrub*: every table that holds content is rewritten with `VACUUM FULL` (a new file from
//! the live rows; the old file is unlinked), and then, where the role is allowed to, the WAL
//! is switched to a new segment and a checkpoint lets Postgres drop the segments that still
//! hold the inserts (with `wal_recycle = off` they are unlinked, not renamed for reuse). The
//! scrub is owed in the `cluster` row from the delete's commit until it is done, so a node
//! that dies in between leaves it to the next purge on any node.
//!
//! `VACUUM FULL` keeps a row that some snapshot may still see, so the scrub waits while a
//! transaction (or replication slot) older than the delete holds the horizon back, and a scrub
//! takes each table's exclusive lock in turn: appends on every node wait for the rewrite of
//! the table they write (measured in docs/PERFORMANCE.md). One node purges at a time (an
//! advisory lock).

use std::sync::atomic::Ordering;
use std::time::Instant;

use kring_protocol::{Millis, RoomCode};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

use super::{PgStore, connect, sqlstate, to_i64};
use crate::store::StoreError;

/// Held (for the session) by the node that purges now.
const PURGE_LOCK: i64 = 0x6b72_696e_6702;

/// Tables whose rows carry session content or personal data, rewritten by a scrub. `rooms`
/// holds titles and method texts, `attendance` names, `client_msgs` ids that clients chose,
/// `records` and `record_members` group names, names and registration numbers.
const CONTENT_TABLES: [&str; 10] = [
    "events",
    "snapshots",
    "client_msgs",
    "attendance",
    "rooms",
    "room_heads",
    "group_carry",
    "groups",
    "records",
    "record_members",
];

impl PgStore {
    pub(super) async fn purge_rooms(
        &self,
        ended_before: Millis,
        idle_before: Millis,
    ) -> Result<Vec<RoomCode>, StoreError> {
        self.open_now()?;
        let Some(mut conn) = self.purge_connection().await? else {
            return Ok(Vec::new());
        };
        let started = Instant::now();
        let result = async {
            let mut tx = conn.begin().await?;
            // Rooms a live node serves are that node's to purge (it closes them first);
            // unowned rooms and those of nodes whose lease ran out are anyone's.
            let purged: Vec<String> = sqlx::query_scalar(
                "DELETE FROM room_heads AS h USING rooms AS r
                 WHERE r.code = h.code
                   AND ((r.ended_at IS NOT NULL AND r.ended_at < $1) OR h.last_at < $2)
                   AND (h.owner IS NULL OR h.owner = $3 OR NOT EXISTS (
                       SELECT 1 FROM nodes AS n
                       WHERE n.id = h.owner AND n.expires_at > clock_timestamp()))
                 RETURNING h.code",
            )
            .bind(to_i64(ended_before)?)
            .bind(to_i64(idle_before)?)
            .bind(&*self.node)
            .fetch_all(&mut *tx)
            .await?;
            if !purged.is_empty() {
                for table in ["rooms", "events", "snapshots", "client_msgs", "attendance"] {
                    let column = if table == "rooms" { "code" } else { "room" };
                    let sql = format!("DELETE FROM {table} WHERE {column} = ANY($1)");
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(&purged)
                        .execute(&mut *tx)
                        .await?;
                }
                owe_scrub(&mut tx).await?;
            }
            // Nodes gone for a day own nothing anyone waits for.
            sqlx::query(
                "DELETE FROM nodes WHERE expires_at < clock_timestamp() - interval '1 day'",
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            self.scrub_if_owed(&mut conn).await?;
            // A code that does not parse was never served (every live room's code was
            // parsed), so no node has it to close; its rows are gone all the same.
            Ok(purged
                .iter()
                .filter_map(|code| RoomCode::parse(code).ok())
                .collect::<Vec<_>>())
        }
        .await;
        release_purge_connection(conn).await;
        if let Ok(purged) = &result
            && !purged.is_empty()
        {
            tracing::info!(
                rooms = purged.len(),
                micros = started.elapsed().as_micros() as u64,
                "purged ended rooms"
            );
        }
        result
    }

    pub(super) async fn purge_old_groups(&self, before: Millis) -> Result<usize, StoreError> {
        self.open_now()?;
        let Some(mut conn) = self.purge_connection().await? else {
            return Ok(0);
        };
        let result = async {
            let mut tx = conn.begin().await?;
            let groups = sqlx::query("DELETE FROM groups WHERE active_at < $1")
                .bind(to_i64(before)?)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let carries = sqlx::query(
                "DELETE FROM group_carry WHERE id NOT IN
                     (SELECT max(id) FROM group_carry GROUP BY group_id)",
            )
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if groups + carries > 0 {
                owe_scrub(&mut tx).await?;
            }
            tx.commit().await?;
            self.scrub_if_owed(&mut conn).await?;
            if groups + carries > 0 {
                tracing::info!(groups, carries, "purged group carry-overs");
            }
            Ok(groups as usize)
        }
        .await;
        release_purge_connection(conn).await;
        result
    }

    /// A connection of its own holding the purge lock, or `None` when another node purges.
    pub(super) async fn purge_connection(&self) -> Result<Option<PgConnection>, StoreError> {
        let mut conn = connect(&self.options).await?;
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(PURGE_LOCK)
            .fetch_one(&mut conn)
            .await?;
        if !locked {
            let _ = conn.close().await;
            return Ok(None);
        }
        // The rewrite may take long; it must not wait long for a lock, though, since every
        // node's appends queue behind its request.
        sqlx::raw_sql("SET statement_timeout = 0; SET lock_timeout = '5s'")
            .execute(&mut conn)
            .await?;
        Ok(Some(conn))
    }

    pub(super) async fn scrub_if_owed(&self, conn: &mut PgConnection) -> Result<(), StoreError> {
        let owed: Option<String> =
            sqlx::query_scalar("SELECT scrub_xid FROM cluster WHERE id = 1 AND scrub_owed")
                .fetch_optional(&mut *conn)
                .await?
                .flatten();
        let Some(xid) = owed else {
            return Ok(());
        };
        // A snapshot older than the delete still sees the deleted rows, and VACUUM FULL would
        // copy them into the new file: wait for the next purge.
        let held: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                            WHERE backend_xmin IS NOT NULL
                              AND age(backend_xmin) >= age($1::xid))
                 OR EXISTS (SELECT 1 FROM pg_replication_slots
                            WHERE xmin IS NOT NULL AND age(xmin) >= age($1::xid))
                 OR EXISTS (SELECT 1 FROM pg_prepared_xacts
                            WHERE age(transaction) >= age($1::xid))",
        )
        .bind(&xid)
        .fetch_one(&mut *conn)
        .await?;
        if held {
            tracing::warn!(
                "an older transaction or replication slot still sees purged rows; \
                 the rewrite that removes them waits for the next purge"
            );
            return Ok(());
        }
        let started = Instant::now();
        for table in CONTENT_TABLES {
            let sql = format!("VACUUM (FULL) {table}");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query("UPDATE cluster SET scrub_owed = false, scrub_xid = NULL WHERE id = 1")
            .execute(&mut *conn)
            .await?;
        self.drop_old_wal(conn).await;
        tracing::info!(
            micros = started.elapsed().as_micros() as u64,
            "tables rewritten after a purge"
        );
        Ok(())
    }

    /// Switches to a new WAL segment and checkpoints, so the segments holding the deleted
    /// rows' inserts can go. Needs superuser or the `pg_checkpoint` role and `EXECUTE` on
    /// `pg_switch_wal()`; without them Postgres drops those segments by itself after later
    /// checkpoints (docs/DEPLOY.md), and this says so once.
    async fn drop_old_wal(&self, conn: &mut PgConnection) {
        let switched = sqlx::raw_sql("SELECT pg_switch_wal(); CHECKPOINT")
            .execute(&mut *conn)
            .await;
        if let Err(e) = switched {
            let denied = sqlstate(&e).as_deref() == Some("42501");
            if !self.wal_warned.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    error = %StoreError::from(e),
                    denied,
                    "could not switch and checkpoint the WAL after a purge: deleted text \
                     stays in WAL segments until Postgres recycles them (docs/DEPLOY.md)"
                );
            }
        }
    }
}

/// Records, in the deleting transaction, that the files still hold deleted rows, and which
/// transaction deleted them.
pub(super) async fn owe_scrub(tx: &mut PgConnection) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE cluster SET scrub_owed = true, scrub_xid = pg_current_xact_id()::xid::text
         WHERE id = 1",
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Gives the purge lock back before closing the connection. Closing alone sends the server its
/// goodbye and returns without waiting for the backend to end and drop its session locks, so
/// the next purge of the same pass (ended rooms, then groups, then records, back to back)
/// could find the lock still held and skip its work until the next pass, keeping content past
/// its retention.
pub(super) async fn release_purge_connection(mut conn: PgConnection) {
    let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(PURGE_LOCK)
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
}
