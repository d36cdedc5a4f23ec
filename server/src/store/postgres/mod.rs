//! PostgreSQL behind the [`Store`] trait, shared by several kring nodes, and the
//! [`Placement`](crate::cluster::Placement) that says which node serves which room.
//!
//! **Writes.** One writer task per node owns a connection and commits queued writes in
//! groups (`writer.rs`): one transaction for the appends of many rooms, written with a few
//! statements over arrays, replies after the commit (ack after commit; Postgres's
//! `synchronous_commit` decides what "durable" means, `on` by default). Every append is fenced
//! in that transaction: the room's head row is updated only if the batch's lease (owner node,
//! term) is still the room's and its first event follows the stored head.
//!
//! **Ownership** (`placement.rs`): a row per node with a lease that runs out `--owner-ttl`
//! after its last renewal, in the database's clock; a claim takes a room that is unowned,
//! already this node's, or whose owner's lease ran out, raising its term.
//!
//! **Reads.** A small pool; `load_room` reads in one `REPEATABLE READ` transaction so it sees
//! one state.
//!
//! **Attendance records** (`records.rs`): written whole in the append's transaction, read by
//! room or by certificate code, purged on their own clock with the same scrub.
//!
//! **Deletion** (`purge.rs`): `DELETE`, then the tables are rewritten (`VACUUM FULL`) so
//! deleted rows are not left in their files, and the WAL is switched and checkpointed where
//! the role may. What Postgres keeps beyond that (WAL archives, backups, replicas) is the
//! operator's to bound: docs/DEPLOY.md.
//!
//! Event, params, snapshot and ack JSON never reach a log or an error message from here:
//! statements carry only placeholders, and errors carry Postgres's message (never its detail,
//! which can quote a key).

mod load;
mod placement;
mod purge;
mod records;
mod schema;
mod writer;

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kring_protocol::{Millis, RoomCode};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Row};
use tokio::sync::{mpsc, oneshot};

use super::{
    AppendBatch, LoadedRoom, MeetingRecord, NewRoom, Store, StoreError, StoreFuture, StoredGroup,
};
use crate::metrics::Metrics;
use writer::{Op, Request, Writer};

/// Requests waiting for the writer; appenders wait (backpressure) when it is full.
const QUEUE: usize = 4096;
/// Reads, claims, renewals and owner lookups (one per WebSocket that reaches a node not running
/// its room). Four were too few for a thousand clients reconnecting at once after a node
/// went away (the cluster test's lookups waited out the pool's timeout).
const READERS: u32 = 10;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// What a node needs to join the cluster.
#[derive(Clone)]
pub struct PgConfig {
    /// `postgres://user:password@host:port/database?...`; never logged.
    pub url: String,
    /// A name for people (the host name by default); the node id adds a random suffix.
    pub node_name: String,
    /// Where other nodes reach this one to forward connections.
    pub node_url: Option<String>,
    /// How long this node's lease lasts after a renewal.
    pub ttl: Duration,
}

/// Postgres behind the [`Store`] trait. Open with [`PgStore::open`]; call [`Store::close`] on
/// shutdown, which also ends this node's lease at once.
pub struct PgStore {
    requests: mpsc::Sender<Request>,
    reads: PgPool,
    options: PgConnectOptions,
    node: Arc<str>,
    node_url: Option<String>,
    ttl: Duration,
    key: String,
    closed: AtomicBool,
    /// The WAL could not be switched for lack of privileges: said once, not every purge.
    wal_warned: AtomicBool,
}

impl PgStore {
    /// Connects, migrates the schema, registers this node with a lease of `ttl`, and starts
    /// the writer task. Must be called inside a tokio runtime.
    pub async fn open(cfg: &PgConfig, metrics: Arc<Metrics>) -> Result<PgStore, StoreError> {
        let options = session_options(&cfg.url, cfg.ttl)?;
        let mut conn = connect(&options).await?;
        schema::migrate(&mut conn, &crate::secrets::new_token()).await?;
        let key: String = sqlx::query_scalar("SELECT key FROM cluster WHERE id = 1")
            .fetch_one(&mut conn)
            .await?;
        let node: Arc<str> = Arc::from(format!(
            "{}-{}",
            cfg.node_name,
            &crate::secrets::new_token()[..8]
        ));
        sqlx::query(
            "INSERT INTO nodes (id, name, url, ttl_ms, started_at, expires_at)
             VALUES ($1, $2, $3, $4, clock_timestamp(),
                     clock_timestamp() + make_interval(secs => $4 / 1000.0))",
        )
        .bind(&*node)
        .bind(&cfg.node_name)
        .bind(cfg.node_url.as_deref())
        .bind(cfg.ttl.as_millis() as i64)
        .execute(&mut conn)
        .await?;
        let version: String = sqlx::query_scalar("SHOW server_version")
            .fetch_one(&mut conn)
            .await?;
        tracing::info!(%version, node = %node, "postgres store open");

        // Claims, releases and renewals are single statements: none may wait long for a lock
        // or hang on a database that stopped answering.
        let reads = PgPoolOptions::new()
            .max_connections(READERS)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(
                options
                    .clone()
                    .options([("lock_timeout", "2s"), ("statement_timeout", "10s")]),
            );
        let (requests, queue) = mpsc::channel(QUEUE);
        tokio::spawn(Writer::new(options.clone(), conn, queue, metrics).run());
        Ok(PgStore {
            requests,
            reads,
            options,
            node,
            node_url: cfg.node_url.clone(),
            ttl: cfg.ttl,
            key,
            closed: AtomicBool::new(false),
            wal_warned: AtomicBool::new(false),
        })
    }

    fn open_now(&self) -> Result<(), StoreError> {
        if self.closed.load(Ordering::Acquire) {
            Err(StoreError::Closed)
        } else {
            Ok(())
        }
    }

    async fn call(&self, op: Op) -> Result<(), StoreError> {
        self.open_now()?;
        let (reply, answer) = oneshot::channel::<Result<(), StoreError>>();
        let request = Request::Write {
            op,
            enqueued: Instant::now(),
            reply,
        };
        self.requests
            .send(request)
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn load(&self, code: &RoomCode) -> Result<Option<LoadedRoom>, StoreError> {
        self.open_now()?;
        let mut tx = self.reads.begin().await?;
        sqlx::raw_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let Some(room) = load::room(&mut tx, code).await? else {
            return Ok(None);
        };
        let code = code.as_str();
        let loaded = LoadedRoom {
            snapshot: load::snapshot(&mut tx, code).await?,
            events: load::events(&mut tx, code).await?,
            msg_ids: load::msg_ids(&mut tx, code).await?,
            attendance: load::attendance(&mut tx, code).await?,
            ..room
        };
        tx.rollback().await?;
        Ok(Some(loaded))
    }

    async fn codes(&self) -> Result<Vec<RoomCode>, StoreError> {
        self.open_now()?;
        let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM rooms ORDER BY code")
            .fetch_all(&self.reads)
            .await?;
        codes.iter().map(|code| super::stored_code(code)).collect()
    }

    async fn group(&self, token_hash: &str) -> Result<Option<StoredGroup>, StoreError> {
        self.open_now()?;
        let row = sqlx::query(
            "SELECT g.id,
                    (SELECT json FROM group_carry WHERE group_id = g.id ORDER BY id DESC LIMIT 1)
                    AS carry_json
             FROM groups AS g WHERE g.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.reads)
        .await?;
        row.map(|row| {
            Ok(StoredGroup {
                id: row.try_get("id")?,
                carry_json: row.try_get("carry_json")?,
            })
        })
        .transpose()
    }

    async fn shut(&self) -> Result<(), StoreError> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Err(StoreError::Closed);
        }
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(Request::Close { reply })
            .await
            .map_err(|_| StoreError::Closed)?;
        let written = answer.await.map_err(|_| StoreError::Closed)?;
        // This node's lease ends now: a room it could not release is claimable at once.
        let ended = sqlx::query("UPDATE nodes SET expires_at = clock_timestamp() WHERE id = $1")
            .bind(&*self.node)
            .execute(&self.reads)
            .await
            .map(|_| ())
            .map_err(StoreError::from);
        self.reads.close().await;
        written.and(ended)
    }
}

impl Store for PgStore {
    fn create_room(&self, room: NewRoom) -> StoreFuture<'_, ()> {
        Box::pin(self.call(Op::Create(room)))
    }

    fn append(&self, batch: AppendBatch) -> StoreFuture<'_, ()> {
        Box::pin(self.call(Op::Append(batch)))
    }

    fn load_room<'a>(&'a self, code: &'a RoomCode) -> StoreFuture<'a, Option<LoadedRoom>> {
        Box::pin(self.load(code))
    }

    fn room_codes(&self) -> StoreFuture<'_, Vec<RoomCode>> {
        Box::pin(self.codes())
    }

    fn purge_ended(
        &self,
        ended_before: Millis,
        idle_before: Millis,
    ) -> StoreFuture<'_, Vec<RoomCode>> {
        Box::pin(self.purge_rooms(ended_before, idle_before))
    }

    fn group_by_token<'a>(&'a self, token_hash: &'a str) -> StoreFuture<'a, Option<StoredGroup>> {
        Box::pin(self.group(token_hash))
    }

    fn purge_groups(&self, before: Millis) -> StoreFuture<'_, usize> {
        Box::pin(self.purge_old_groups(before))
    }

    fn record<'a>(&'a self, room: &'a RoomCode) -> StoreFuture<'a, Option<MeetingRecord>> {
        Box::pin(self.record_of(room))
    }

    fn record_by_certificate<'a>(
        &'a self,
        code: &'a str,
    ) -> StoreFuture<'a, Option<MeetingRecord>> {
        Box::pin(self.record_with_certificate(code))
    }

    fn purge_records(&self, before: Millis) -> StoreFuture<'_, usize> {
        Box::pin(self.purge_old_records(before))
    }

    fn check_writable(&self) -> StoreFuture<'_, ()> {
        Box::pin(self.call(Op::Check))
    }

    fn close(&self) -> StoreFuture<'_, ()> {
        Box::pin(self.shut())
    }
}

/// How every kring connection to `url` is set up.
///
/// A node frozen (or cut off) in the middle of a transaction keeps its row locks, and another
/// node's claim of its rooms would wait for them however long ago its lease ran out. Postgres
/// ends a session idle inside a transaction after a third of the ttl (kring's transactions
/// never wait between statements), so a claim proceeds once the lease has run out.
pub fn session_options(url: &str, ttl: Duration) -> Result<PgConnectOptions, StoreError> {
    let idle = (ttl / 3).max(Duration::from_secs(1));
    // sqlx's parse error can quote the URL, password and all.
    let options = PgConnectOptions::from_str(url)
        .map_err(|_| StoreError::Backend("the postgres URL is not valid".to_owned()))?;
    Ok(options
        .application_name("kring")
        .disable_statement_logging()
        .options([(
            "idle_in_transaction_session_timeout",
            format!("{}ms", idle.as_millis()),
        )]))
}

async fn connect(options: &PgConnectOptions) -> Result<PgConnection, StoreError> {
    tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(options))
        .await
        .map_err(|_| StoreError::Backend("postgres: connecting timed out".to_owned()))?
        .map_err(StoreError::from)
}

/// Database errors carry Postgres's message and SQLSTATE, never its detail (which can quote a
/// key, such as a client's message id).
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolClosed => StoreError::Closed,
            sqlx::Error::Database(db) => StoreError::Backend(format!(
                "postgres: {} ({})",
                db.message(),
                db.code().unwrap_or_default()
            )),
            other => StoreError::Backend(format!("postgres: {other}")),
        }
    }
}

/// The SQLSTATE of a database error.
fn sqlstate(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
        _ => None,
    }
}

fn to_i64(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Backend("value out of range for postgres".to_owned()))
}

fn to_u64(v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Backend("negative value in database".to_owned()))
}

fn to_u32(v: i64) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| StoreError::Backend("member id out of range".to_owned()))
}
