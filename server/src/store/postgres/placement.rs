//! Room ownership in Postgres: a node row with a lease, a head row per room with its owner
//! and term. Time is the database's (`clock_timestamp()`), so nodes' clocks need not agree;
//! each node's ttl is stored with it, so a claim judges an owner by the owner's own ttl.

use std::sync::Arc;
use std::time::Duration;

use kring_protocol::RoomCode;
use sqlx::Row;

use super::{PgStore, to_i64};
use crate::cluster::{Claim, Owner, Placement};
use crate::store::{Lease, StoreError, StoreFuture};

impl PgStore {
    async fn try_claim(&self, room: &str) -> Result<Claim, StoreError> {
        self.open_now()?;
        for _ in 0..3 {
            let term: Option<i64> = sqlx::query_scalar(
                "UPDATE room_heads AS h SET owner = $2, term = h.term + 1
                 WHERE h.code = $1 AND (h.owner IS NULL OR h.owner = $2 OR NOT EXISTS (
                     SELECT 1 FROM nodes AS n
                     WHERE n.id = h.owner AND n.expires_at > clock_timestamp()))
                 RETURNING h.term",
            )
            .bind(room)
            .bind(&*self.node)
            .fetch_optional(&self.reads)
            .await?;
            if let Some(term) = term {
                return Ok(Claim::Mine(Lease {
                    node: self.node.clone(),
                    term: super::to_u64(term)?,
                }));
            }
            match self.find_owner(room).await? {
                Lookup::NoRoom => return Ok(Claim::NoRoom),
                Lookup::Owned(owner) if owner.live() => return Ok(Claim::Owned(owner)),
                // Unowned or run out between the two statements: try again.
                Lookup::Owned(_) | Lookup::Unowned => continue,
            }
        }
        Err(StoreError::Backend(
            "room ownership changed during three claims in a row".to_owned(),
        ))
    }

    async fn find_owner(&self, room: &str) -> Result<Lookup, StoreError> {
        let row = sqlx::query(
            "SELECT h.owner, n.url,
                    greatest(0, (extract(epoch FROM n.expires_at - clock_timestamp()) * 1000))::bigint
             FROM room_heads AS h LEFT JOIN nodes AS n ON n.id = h.owner
             WHERE h.code = $1",
        )
        .bind(room)
        .fetch_optional(&self.reads)
        .await?;
        let Some(row) = row else {
            return Ok(Lookup::NoRoom);
        };
        let Some(node) = row.try_get::<Option<String>, _>(0)? else {
            return Ok(Lookup::Unowned);
        };
        let left: Option<i64> = row.try_get(2)?;
        Ok(Lookup::Owned(Owner {
            node: Arc::from(node),
            url: row.try_get(1)?,
            expires_in: Duration::from_millis(left.unwrap_or(0).max(0) as u64),
        }))
    }

    async fn give_up(&self, room: &str, lease: &Lease) -> Result<(), StoreError> {
        self.open_now()?;
        sqlx::query(
            "UPDATE room_heads SET owner = NULL WHERE code = $1 AND owner = $2 AND term = $3",
        )
        .bind(room)
        .bind(&*lease.node)
        .bind(to_i64(lease.term)?)
        .execute(&self.reads)
        .await?;
        Ok(())
    }

    /// Renews the lease; `true` when it had not run out. A node row that is gone (a node
    /// paused for longer than the nodes are kept) is registered again, as a lapse.
    async fn renew(&self) -> Result<bool, StoreError> {
        self.open_now()?;
        let ttl_ms = self.ttl.as_millis() as i64;
        let continuous: Option<bool> = sqlx::query_scalar(
            "WITH old AS (SELECT expires_at > clock_timestamp() AS live
                          FROM nodes WHERE id = $1 FOR UPDATE)
             UPDATE nodes AS n
             SET expires_at = clock_timestamp() + make_interval(secs => $2 / 1000.0), url = $3
             FROM old WHERE n.id = $1
             RETURNING old.live",
        )
        .bind(&*self.node)
        .bind(ttl_ms)
        .bind(self.node_url.as_deref())
        .fetch_optional(&self.reads)
        .await?;
        if let Some(continuous) = continuous {
            return Ok(continuous);
        }
        sqlx::query(
            "INSERT INTO nodes (id, name, url, ttl_ms, started_at, expires_at)
             VALUES ($1, $1, $2, $3, clock_timestamp(),
                     clock_timestamp() + make_interval(secs => $3 / 1000.0))",
        )
        .bind(&*self.node)
        .bind(self.node_url.as_deref())
        .bind(ttl_ms)
        .execute(&self.reads)
        .await?;
        Ok(false)
    }
}

enum Lookup {
    NoRoom,
    Unowned,
    Owned(Owner),
}

impl Placement for PgStore {
    fn node(&self) -> &Arc<str> {
        &self.node
    }

    fn shared(&self) -> bool {
        true
    }

    fn ttl(&self) -> Duration {
        self.ttl
    }

    fn claim<'a>(&'a self, room: &'a RoomCode) -> StoreFuture<'a, Claim> {
        Box::pin(self.try_claim(room.as_str()))
    }

    fn release<'a>(&'a self, room: &'a RoomCode, lease: &'a Lease) -> StoreFuture<'a, ()> {
        Box::pin(self.give_up(room.as_str(), lease))
    }

    fn heartbeat(&self) -> StoreFuture<'_, bool> {
        Box::pin(self.renew())
    }

    fn owner<'a>(&'a self, room: &'a RoomCode) -> StoreFuture<'a, Option<Owner>> {
        Box::pin(async move {
            self.open_now()?;
            Ok(match self.find_owner(room.as_str()).await? {
                Lookup::Owned(owner) => Some(owner),
                Lookup::NoRoom | Lookup::Unowned => None,
            })
        })
    }

    fn cluster_key(&self) -> Option<&str> {
        Some(&self.key)
    }
}
