//! The file on disk: its directory and lock, the schema and its migrations, and the pragmas
//! every connection must have.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::{BUSY_TIMEOUT, CACHE_KIB, DB_FILE, JOURNAL_SIZE_LIMIT, LOCK_FILE};
use crate::store::StoreError;

/// Schema versions, applied in order; `PRAGMA user_version` is the number applied.
/// Append new versions; never edit one that has shipped.
pub(super) const MIGRATIONS: &[&str] = &[
    // v1
    "
    CREATE TABLE rooms (
        code        TEXT PRIMARY KEY NOT NULL,
        params_json TEXT NOT NULL,
        epoch       INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        ended_at    INTEGER
    );
    -- The journal, whole: the source of truth. Snapshots never truncate it (the engine's
    -- snapshot format is disposable); purge deletes it with the room.
    CREATE TABLE events (
        room TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
        seq  INTEGER NOT NULL,
        at   INTEGER NOT NULL,
        kind TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (room, seq)
    ) WITHOUT ROWID;
    -- The latest snapshot of each room (engine state after event `seq`).
    CREATE TABLE snapshots (
        room TEXT PRIMARY KEY NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
        seq  INTEGER NOT NULL,
        json TEXT NOT NULL
    );
    -- Client message ids that produced events, unique per member within a room; rowid keeps
    -- them in the order they were accepted.
    CREATE TABLE client_msgs (
        room     TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
        member   INTEGER NOT NULL,
        msg_id   TEXT NOT NULL,
        ack_json TEXT NOT NULL,
        UNIQUE (room, member, msg_id)
    );
    -- Content-free record of who attended a session, when and how long; deleted with the room.
    CREATE TABLE attendance (
        room       TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
        member     INTEGER NOT NULL,
        name       TEXT NOT NULL,
        role       TEXT NOT NULL,
        joined_at  INTEGER NOT NULL,
        present_ms INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (room, member)
    ) WITHOUT ROWID;
    -- A group that meets again; only the hash of its secret token is kept.
    CREATE TABLE groups (
        id         TEXT PRIMARY KEY NOT NULL,
        token_hash BLOB NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
    );
    -- What a group chose to carry to its next meeting (commitments, kept cases): the only
    -- content that outlives a session. No foreign key to rooms: it survives their purge.
    CREATE TABLE group_carry (
        group_id   TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        room       TEXT NOT NULL,
        json       TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX group_carry_by_group ON group_carry (group_id, created_at);
    -- One row, rewritten by check_writable: proves a real write reaches the disk.
    CREATE TABLE heartbeat (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        at INTEGER NOT NULL
    );
    ",
    // v2
    "
    -- Set in the transaction that deletes purged rooms, cleared once the files are scrubbed:
    -- a crash in between makes the next start scrub first.
    CREATE TABLE maintenance (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        scrub_owed INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO maintenance (id) VALUES (1);
    ",
    // v3
    "
    -- The group a session is a meeting of (no foreign key: a group may be purged first).
    ALTER TABLE rooms ADD COLUMN group_id TEXT;
    -- When the group last met (its newest session's creation): groups idle past retention go.
    ALTER TABLE groups ADD COLUMN active_at INTEGER NOT NULL DEFAULT 0;
    ",
    // v4
    "
    -- Until when a member's present time counted, while they may still come back within the
    -- grace (see room/attendance.rs).
    ALTER TABLE attendance ADD COLUMN away_since INTEGER;
    -- The attendance record of a meeting, for professional registers: content-free, kept for
    -- --attendance-retention (years). No foreign key to rooms: it outlives their purge.
    CREATE TABLE records (
        room                   TEXT PRIMARY KEY NOT NULL,
        facilitator_token_hash TEXT NOT NULL,
        language               TEXT NOT NULL,
        time_zone              TEXT NOT NULL,
        group_name             TEXT,
        -- Each case round, a JSON array of objects: the method's name, the case-bringer's id.
        cases_json             TEXT NOT NULL,
        -- Everyone who held the facilitator role; the co-facilitators (a JSON array).
        facilitator            TEXT NOT NULL,
        co_facilitators_json   TEXT NOT NULL,
        started_at             INTEGER NOT NULL,
        ended_at               INTEGER,
        list_confirmed_at      INTEGER
    );
    CREATE INDEX records_by_time ON records (coalesce(ended_at, started_at));
    CREATE TABLE record_members (
        room         TEXT NOT NULL REFERENCES records(room) ON DELETE CASCADE,
        member       INTEGER NOT NULL,
        name         TEXT NOT NULL,
        role         TEXT NOT NULL,
        joined_at    INTEGER NOT NULL,
        present_ms   INTEGER NOT NULL,
        -- Minutes the facilitator set instead of the measured ones.
        minutes_set  INTEGER,
        confirmed_at INTEGER,
        registration TEXT,
        -- The certificate's verification code (random-looking, derived from secrets).
        certificate  TEXT NOT NULL,
        token_hash   TEXT,
        PRIMARY KEY (room, member)
    ) WITHOUT ROWID;
    CREATE INDEX record_members_by_certificate ON record_members (certificate);
    ",
    // v5
    "
    -- Events and client message ids in one table, in the order they were written. The old
    -- tables were keyed by room: with hundreds of rooms appending at once, every event of a
    -- group commit landed on a leaf page of its own in each of two b-trees, and rebalancing
    -- in the middle of a b-tree rewrote the neighbouring pages too (3.4-3.7 pages of 4 KiB to
    -- the WAL per event; 20 KB written per event with checkpoints in examples/store_load.rs).
    -- Appended by rowid, a commit's rows share a few pages at the end of the table, and the
    -- one index by room takes a room's event and its message id on the same leaf: 1.2-1.5
    -- pages per event, 7 KB written, and about twice the events per second. Loading a room
    -- reads its rows from more pages (up to 2x the time per row read).
    --
    -- A row is an event (at, kind and json set) or a client message id (member, msg_id and
    -- ack_json set). A message id's seq is the room's last sequence when it was accepted (its
    -- batch's last event), so that it sits beside that event in the index; ids carried over
    -- from v4 have 0 and come first. Message ids are read back in rowid order, the order they
    -- were accepted. Their uniqueness per (room, member, msg_id) and the events' per (room,
    -- seq) are enforced by the store's only writer (see writer.rs), not by a second index.
    CREATE TABLE journal (
        room     TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
        seq      INTEGER NOT NULL,
        at       INTEGER,
        kind     TEXT,
        json     TEXT,
        member   INTEGER,
        msg_id   TEXT,
        ack_json TEXT,
        CHECK ((kind IS NOT NULL AND at IS NOT NULL AND json IS NOT NULL
                AND member IS NULL AND msg_id IS NULL AND ack_json IS NULL)
            OR (kind IS NULL AND at IS NULL AND json IS NULL
                AND member IS NOT NULL AND msg_id IS NOT NULL AND ack_json IS NOT NULL))
    );
    INSERT INTO journal (room, seq, at, kind, json)
        SELECT room, seq, at, kind, json FROM events ORDER BY room, seq;
    INSERT INTO journal (room, seq, member, msg_id, ack_json)
        SELECT room, 0, member, msg_id, ack_json FROM client_msgs ORDER BY rowid;
    DROP TABLE events;
    DROP TABLE client_msgs;
    CREATE INDEX journal_by_room ON journal (room, seq);
    -- The old tables' shape, for anyone reading the file with other tools.
    CREATE VIEW events AS
        SELECT room, seq, at, kind, json FROM journal WHERE kind IS NOT NULL;
    CREATE VIEW client_msgs AS
        SELECT room, member, msg_id, ack_json FROM journal WHERE msg_id IS NOT NULL;
    ",
    // v6
    "
    -- A row may be an event and a client message id at once: a command's event and its
    -- message id share a room and a sequence, so one row and one index entry carry both, not
    -- two (the writer inserted half as many rows per command; see writer.rs). The table is
    -- copied with its rowids, so message ids keep their order; only the CHECK changes.
    CREATE TABLE journal_v6 (
        room     TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
        seq      INTEGER NOT NULL,
        at       INTEGER,
        kind     TEXT,
        json     TEXT,
        member   INTEGER,
        msg_id   TEXT,
        ack_json TEXT,
        CHECK ((kind IS NULL) = (at IS NULL) AND (kind IS NULL) = (json IS NULL)
            AND (msg_id IS NULL) = (member IS NULL) AND (msg_id IS NULL) = (ack_json IS NULL)
            AND (kind IS NOT NULL OR msg_id IS NOT NULL))
    );
    INSERT INTO journal_v6 (rowid, room, seq, at, kind, json, member, msg_id, ack_json)
        SELECT rowid, room, seq, at, kind, json, member, msg_id, ack_json
        FROM journal ORDER BY rowid;
    DROP VIEW events;
    DROP VIEW client_msgs;
    DROP TABLE journal;
    ALTER TABLE journal_v6 RENAME TO journal;
    CREATE INDEX journal_by_room ON journal (room, seq);
    CREATE VIEW events AS
        SELECT room, seq, at, kind, json FROM journal WHERE kind IS NOT NULL;
    CREATE VIEW client_msgs AS
        SELECT room, member, msg_id, ack_json FROM journal WHERE msg_id IS NOT NULL;
    ",
];

/// Creates the directory (owner-only on Unix when new), takes the process lock, and creates
/// the database file owner-only so that the `-wal` and `-shm` files SQLite adds inherit that.
pub(super) fn prepare_dir(dir: &Path) -> Result<std::fs::File, StoreError> {
    let io = |what: &str, e: std::io::Error| StoreError::Backend(format!("{what}: {e}"));
    let existed = dir.exists();
    std::fs::create_dir_all(dir).map_err(|e| io("create data directory", e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !existed {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| io("restrict data directory", e))?;
        }
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(dir.join(DB_FILE))
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io("create database file", e)),
        }
    }
    #[cfg(not(unix))]
    let _ = existed;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))
        .map_err(|e| io("open lock file", e))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Backend(
            "data directory is in use by another store".to_owned(),
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(io("lock data directory", e)),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    Write,
    Read,
}

/// Opens a connection with every pragma this store relies on, and checks them.
pub(super) fn connect(path: &Path, access: Access) -> Result<Connection, StoreError> {
    let flags = match access {
        Access::Write => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        // Read-write at the file level: a reader must be able to take part in WAL recovery
        // and its shared-memory index; `query_only` stops it from writing rows.
        Access::Read => OpenFlags::SQLITE_OPEN_READ_WRITE,
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Statements carry only placeholders; the cache holds every text this store prepares.
    conn.set_prepared_statement_cache_capacity(64);
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT};
         PRAGMA cache_size = -{CACHE_KIB};
         PRAGMA query_only = {};",
        i32::from(access == Access::Read)
    ))?;
    check_pragmas(&conn, access)?;
    Ok(conn)
}

/// The pragmas as a connection reports them.
#[derive(Debug, PartialEq, Eq)]
struct Pragmas {
    journal_mode: String,
    synchronous: i64,
    secure_delete: i64,
    foreign_keys: i64,
    busy_timeout_ms: i64,
    temp_store: i64,
    query_only: i64,
}

fn read_pragmas(conn: &Connection) -> Result<Pragmas, StoreError> {
    let int = |name: &str| -> Result<i64, StoreError> {
        conn.pragma_query_value(None, name, |row| row.get(0))
            .map_err(StoreError::from)
    };
    Ok(Pragmas {
        journal_mode: conn.pragma_query_value(None, "journal_mode", |row| row.get(0))?,
        synchronous: int("synchronous")?,
        secure_delete: int("secure_delete")?,
        foreign_keys: int("foreign_keys")?,
        busy_timeout_ms: int("busy_timeout")?,
        temp_store: int("temp_store")?,
        query_only: int("query_only")?,
    })
}

/// Reads every pragma back: a setting SQLite silently ignored (a build without WAL, a
/// read-only file system, an unknown pragma) must stop the server, not weaken its promises.
pub(super) fn check_pragmas(conn: &Connection, access: Access) -> Result<(), StoreError> {
    let p = read_pragmas(conn)?;
    let want_ms = BUSY_TIMEOUT.as_millis() as i64;
    let want_query_only = i64::from(access == Access::Read);
    let wrong = |name: &str, got: &dyn std::fmt::Display, want: &str| {
        Err(StoreError::Backend(format!(
            "sqlite pragma {name} is {got}, expected {want}"
        )))
    };
    if !p.journal_mode.eq_ignore_ascii_case("wal") {
        return wrong("journal_mode", &p.journal_mode, "wal");
    }
    if p.synchronous != 2 {
        return wrong("synchronous", &p.synchronous, "2 (FULL)");
    }
    if p.secure_delete != 1 {
        return wrong("secure_delete", &p.secure_delete, "1 (ON)");
    }
    if p.foreign_keys != 1 {
        return wrong("foreign_keys", &p.foreign_keys, "1 (ON)");
    }
    if p.busy_timeout_ms != want_ms {
        return wrong("busy_timeout", &p.busy_timeout_ms, &want_ms.to_string());
    }
    if p.temp_store != 2 {
        return wrong("temp_store", &p.temp_store, "2 (MEMORY)");
    }
    if p.query_only != want_query_only {
        return wrong("query_only", &p.query_only, &want_query_only.to_string());
    }
    Ok(())
}

pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::Backend(format!(
            "database schema version {version} is newer than this server's ({known})"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    if version < known {
        tracing::info!(from = version, to = known, "sqlite schema migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_report_the_pragmas_they_rely_on() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(DB_FILE);
        let mut writer = connect(&path, Access::Write).expect("writer");
        migrate(&mut writer).expect("migrate");
        let reader = connect(&path, Access::Read).expect("reader");
        assert_eq!(
            read_pragmas(&reader).expect("pragmas"),
            Pragmas {
                journal_mode: "wal".to_owned(),
                synchronous: 2,
                secure_delete: 1,
                foreign_keys: 1,
                busy_timeout_ms: 5000,
                temp_store: 2,
                query_only: 1,
            }
        );
        assert!(
            reader
                .execute("INSERT INTO heartbeat (id, at) VALUES (1, 1)", [])
                .is_err(),
            "a reader cannot write"
        );
        assert_eq!(read_pragmas(&writer).expect("pragmas").query_only, 0);
    }

    #[test]
    fn the_pragma_check_refuses_a_weaker_connection() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = connect(&dir.path().join(DB_FILE), Access::Write).expect("connect");
        conn.pragma_update(None, "synchronous", "NORMAL")
            .expect("pragma");
        let err =
            check_pragmas(&conn, Access::Write).expect_err("synchronous=NORMAL must be refused");
        assert!(err.to_string().contains("synchronous"), "{err}");

        conn.pragma_update(None, "synchronous", "FULL")
            .expect("pragma");
        conn.pragma_update(None, "secure_delete", "OFF")
            .expect("pragma");
        let err =
            check_pragmas(&conn, Access::Write).expect_err("secure_delete=OFF must be refused");
        assert!(err.to_string().contains("secure_delete"), "{err}");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = connect(&dir.path().join(DB_FILE), Access::Write).expect("connect");
        conn.pragma_update(None, "user_version", MIGRATIONS.len() as i64 + 1)
            .expect("pragma");
        let err = migrate(&mut conn).expect_err("newer schema");
        assert!(err.to_string().contains("newer"), "{err}");
    }
}
