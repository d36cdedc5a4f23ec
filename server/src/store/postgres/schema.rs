//! The tables and their migrations. Every node runs the migrations at start, one at a time
//! (an advisory lock), so a rolling upgrade that adds a version applies it once.

use sqlx::postgres::PgConnection;
use sqlx::{Connection, Row};

use crate::store::StoreError;

/// Serialises migrations between nodes starting at once.
const MIGRATION_LOCK: i64 = 0x6b72_696e_6701;

/// Schema versions, applied in order; `kring_schema.version` is the number applied. Append
/// new versions; never edit one that has shipped, and never drop or rename in one what the
/// version before still reads: during a rolling upgrade nodes of both run side by side.
pub(super) const MIGRATIONS: &[&str] = &[
    // v1
    "
    CREATE TABLE rooms (
        code        text PRIMARY KEY,
        params_json text NOT NULL,
        epoch       bigint NOT NULL,
        created_at  bigint NOT NULL,
        ended_at    bigint,
        -- The group this session is a meeting of (no foreign key: a group may go first).
        group_id    text
    );
    CREATE INDEX rooms_ended ON rooms (ended_at) WHERE ended_at IS NOT NULL;
    -- The head of each room's journal and who may write it. Every append updates this row
    -- only WHERE owner and term are the writer's and last_seq is what it expects: that
    -- condition is the fence. A narrow row of its own, so that the update per commit copies
    -- little; fillfactor leaves room on the page for those updates (HOT, no index change).
    CREATE TABLE room_heads (
        code     text PRIMARY KEY,
        last_seq bigint NOT NULL DEFAULT 0,
        -- Newest event's time (or creation): idle rooms are purged by it.
        last_at  bigint NOT NULL,
        owner    text,
        term     bigint NOT NULL DEFAULT 0
    ) WITH (fillfactor = 70);
    CREATE INDEX room_heads_last_at ON room_heads (last_at);
    -- The journal, whole: the source of truth. No foreign keys: a key check per event row
    -- would cost a lookup and a row lock on every insert; a purge deletes explicitly.
    CREATE TABLE events (
        room text NOT NULL,
        seq  bigint NOT NULL,
        at   bigint NOT NULL,
        kind text NOT NULL,
        json text NOT NULL,
        PRIMARY KEY (room, seq)
    );
    CREATE TABLE snapshots (
        room text PRIMARY KEY,
        seq  bigint NOT NULL,
        json text NOT NULL
    );
    -- Client message ids that produced events, unique per member within a room; `ord` keeps
    -- them in the order they were accepted.
    CREATE TABLE client_msgs (
        room     text NOT NULL,
        member   bigint NOT NULL,
        msg_id   text NOT NULL,
        ack_json text NOT NULL,
        ord      bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (room, member, msg_id)
    );
    CREATE TABLE attendance (
        room       text NOT NULL,
        member     bigint NOT NULL,
        name       text NOT NULL,
        role       text NOT NULL,
        joined_at  bigint NOT NULL,
        present_ms bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (room, member)
    );
    -- A group that meets again; only the hash of its secret token is kept.
    CREATE TABLE groups (
        id         text PRIMARY KEY,
        token_hash text NOT NULL UNIQUE,
        created_at bigint NOT NULL,
        active_at  bigint NOT NULL
    );
    -- What a group carries to its next meeting: the only content that outlives a session.
    CREATE TABLE group_carry (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        group_id   text NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        room       text NOT NULL,
        json       text NOT NULL,
        created_at bigint NOT NULL
    );
    CREATE INDEX group_carry_by_group ON group_carry (group_id, id);
    -- One row per node process: its lease runs until expires_at (the database's clock).
    CREATE TABLE nodes (
        id         text PRIMARY KEY,
        name       text NOT NULL,
        url        text,
        ttl_ms     bigint NOT NULL,
        started_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        checked_at timestamptz
    );
    -- Shared by every node: the key that authenticates forwarded connections, and whether a
    -- purge deleted rows whose text may still be in the table files (set with the delete,
    -- cleared once they are rewritten, so a node that dies in between leaves the work owed).
    CREATE TABLE cluster (
        id          integer PRIMARY KEY CHECK (id = 1),
        key         text NOT NULL,
        scrub_owed  boolean NOT NULL DEFAULT false,
        -- The deleting transaction: a scrub must wait until no snapshot is older.
        scrub_xid   text
    );
    -- Statistics would keep sampled values of these columns (session text) in the catalog,
    -- beyond any purge of the table itself.
    ALTER TABLE events ALTER COLUMN json SET STATISTICS 0;
    ALTER TABLE snapshots ALTER COLUMN json SET STATISTICS 0;
    ALTER TABLE client_msgs ALTER COLUMN msg_id SET STATISTICS 0;
    ALTER TABLE client_msgs ALTER COLUMN ack_json SET STATISTICS 0;
    ALTER TABLE attendance ALTER COLUMN name SET STATISTICS 0;
    ALTER TABLE rooms ALTER COLUMN params_json SET STATISTICS 0;
    ALTER TABLE group_carry ALTER COLUMN json SET STATISTICS 0;
    ",
    // v2
    "
    -- Until when a member's present time counted, while they may still come back within the
    -- grace (see room/attendance.rs).
    ALTER TABLE attendance ADD COLUMN away_since bigint;
    -- The attendance record of a meeting, for professional registers: content-free, kept for
    -- --attendance-retention (years). No foreign key to rooms: it outlives their purge, and
    -- while it exists its room code is not given to a new session.
    CREATE TABLE records (
        room                   text PRIMARY KEY,
        facilitator_token_hash text NOT NULL,
        language               text NOT NULL,
        time_zone              text NOT NULL,
        group_name             text,
        -- Each case round, a JSON array of objects: the method's name, the case-bringer's id.
        cases_json             text NOT NULL,
        -- Everyone who held the facilitator role; the co-facilitators (a JSON array).
        facilitator            text NOT NULL,
        co_facilitators_json   text NOT NULL,
        started_at             bigint NOT NULL,
        ended_at               bigint,
        list_confirmed_at      bigint
    );
    CREATE INDEX records_by_time ON records ((coalesce(ended_at, started_at)));
    CREATE TABLE record_members (
        room         text NOT NULL REFERENCES records(room) ON DELETE CASCADE,
        member       bigint NOT NULL,
        name         text NOT NULL,
        role         text NOT NULL,
        joined_at    bigint NOT NULL,
        present_ms   bigint NOT NULL,
        -- Minutes the facilitator set instead of the measured ones.
        minutes_set  bigint,
        confirmed_at bigint,
        registration text,
        -- The certificate's verification code (random-looking, derived from secrets).
        certificate  text NOT NULL,
        token_hash   text,
        PRIMARY KEY (room, member)
    );
    CREATE INDEX record_members_by_certificate ON record_members (certificate);
    -- Personal data: no sampled values in the catalog's statistics.
    ALTER TABLE records ALTER COLUMN group_name SET STATISTICS 0;
    ALTER TABLE records ALTER COLUMN facilitator SET STATISTICS 0;
    ALTER TABLE records ALTER COLUMN co_facilitators_json SET STATISTICS 0;
    ALTER TABLE record_members ALTER COLUMN name SET STATISTICS 0;
    ALTER TABLE record_members ALTER COLUMN registration SET STATISTICS 0;
    ",
];

/// Applies the migrations not yet applied, holding the migration lock, and makes sure the
/// cluster row exists (with `new_key` if it is created now).
pub(super) async fn migrate(conn: &mut PgConnection, new_key: &str) -> Result<(), StoreError> {
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await?;
    sqlx::raw_sql("CREATE TABLE IF NOT EXISTS kring_schema (version integer NOT NULL)")
        .execute(&mut *tx)
        .await?;
    let version: i64 = sqlx::query("SELECT coalesce(max(version), 0)::bigint FROM kring_schema")
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::Backend(format!(
            "database schema version {version} is newer than this server's ({known})"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        sqlx::raw_sql(*sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO kring_schema (version) VALUES ($1)")
            .bind(i as i32 + 1)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("INSERT INTO cluster (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
        .bind(new_key)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    if version < known {
        tracing::info!(from = version, to = known, "postgres schema migrated");
    }
    Ok(())
}
