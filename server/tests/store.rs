//! The stores against their contract: durability, gap-free journals, group commit, idempotent
//! message ids, and deletion that really removes text from the files. Every test of the
//! contract runs against SQLite (the embedded default) and against Postgres (a throwaway
//! cluster, see `tests/support/postgres.rs`); what only one of them has (SQLite's data
//! directory lock, Postgres's fencing and ownership) is tested on its own.

#[path = "../../tests/support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kring_protocol::{MemberId, Role, RoomCode};
use kring_server::cluster::{Claim, Placement};
use kring_server::metrics::Metrics;
use kring_server::store::postgres::PgConfig;
use kring_server::store::{
    AppendBatch, AttendanceRecord, GroupLink, Lease, MeetingRecord, MemoryStore, NewRoom, PgStore,
    RecordCase, RecordMember, Snapshot, SqliteStore, Store, StoreError, StoredEvent, StoredMsgId,
};
use postgres::Postgres;

/// Short, so that a test can let a node's lease run out.
const TTL: Duration = Duration::from_secs(1);

/// Tests on the shared PostgreSQL server read it (`Subject::postgres`), tests that hold a
/// transaction open on it write it. Such a transaction anywhere on the server holds back
/// what `VACUUM FULL` may remove in every database (each snapshot's xmin counts it), so a
/// test that purges and then looks for the purged text in the files must not run beside one.
static OLD_SNAPSHOTS: std::sync::LazyLock<Arc<tokio::sync::RwLock<()>>> =
    std::sync::LazyLock::new(Default::default);

/// Held by a test that keeps a transaction open on the shared server.
async fn holding_old_snapshots() -> tokio::sync::OwnedRwLockWriteGuard<()> {
    OLD_SNAPSHOTS.clone().write_owned().await
}

/// Where a store keeps its data: it can be opened again there.
#[derive(Clone)]
enum Place {
    Sqlite(Arc<tempfile::TempDir>),
    /// A database of the shared throwaway cluster.
    Postgres(String),
    /// Nothing outlives the process; only for contracts that need no reopening.
    Memory,
}

/// A store under test, with the leases it holds on the rooms it created (Postgres appends
/// only under a lease; SQLite ignores it).
struct Subject {
    place: Place,
    store: Arc<dyn Store>,
    pg: Option<Arc<PgStore>>,
    metrics: Arc<Metrics>,
    leases: Mutex<HashMap<RoomCode, Lease>>,
    /// Postgres: no test holds a transaction open on the server meanwhile.
    no_old_snapshots: Option<Arc<tokio::sync::OwnedRwLockReadGuard<()>>>,
}

impl std::ops::Deref for Subject {
    type Target = dyn Store;

    fn deref(&self) -> &Self::Target {
        &*self.store
    }
}

impl Subject {
    async fn sqlite() -> Subject {
        let dir = tempfile::tempdir().expect("tempdir");
        Subject::open(Place::Sqlite(Arc::new(dir))).await
    }

    async fn memory() -> Subject {
        Subject::open(Place::Memory).await
    }

    async fn postgres() -> Subject {
        let guard = OLD_SNAPSHOTS.clone().read_owned().await;
        let mut subject = Subject::postgres_beside_old_snapshots().await;
        subject.no_old_snapshots = Some(Arc::new(guard));
        subject
    }

    /// For a test that holds [`holding_old_snapshots`] itself.
    async fn postgres_beside_old_snapshots() -> Subject {
        let url = Postgres::shared().fresh_database("store");
        Subject::open(Place::Postgres(url)).await
    }

    async fn open(place: Place) -> Subject {
        let metrics = Arc::new(Metrics::new());
        let (store, pg): (Arc<dyn Store>, _) = match &place {
            Place::Sqlite(dir) => (
                Arc::new(
                    SqliteStore::open(dir.path(), metrics.clone())
                        .await
                        .expect("open sqlite"),
                ),
                None,
            ),
            Place::Postgres(url) => {
                let pg = Arc::new(open_pg(url, "node", metrics.clone()).await);
                (pg.clone(), Some(pg))
            }
            Place::Memory => (Arc::new(MemoryStore::new()), None),
        };
        Subject {
            place,
            store,
            pg,
            metrics,
            leases: Mutex::new(HashMap::new()),
            no_old_snapshots: None,
        }
    }

    /// Another store on the same data (after this one was closed or dropped).
    async fn again(&self) -> Subject {
        let mut subject = Subject::open(self.place.clone()).await;
        subject.no_old_snapshots = self.no_old_snapshots.clone();
        subject
    }

    /// Creates the room and, with Postgres, claims it.
    async fn create(&self, room: NewRoom) -> Result<(), StoreError> {
        let code = room.code.clone();
        self.store.create_room(room).await?;
        self.claim_code(&code).await;
        Ok(())
    }

    /// Claims `code` (waiting for an earlier owner's lease to run out) and keeps the lease.
    async fn claim(&self, label: &str) -> Lease {
        self.claim_code(&code(label)).await
    }

    async fn claim_code(&self, code: &RoomCode) -> Lease {
        let lease = match &self.pg {
            None => Lease::default(),
            Some(pg) => claim_code(pg, code).await,
        };
        self.leases
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(code.clone(), lease.clone());
        lease
    }

    fn batch(&self, label: &str, events: Vec<StoredEvent>) -> AppendBatch {
        let room = code(label);
        let lease = self
            .leases
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&room)
            .cloned()
            .unwrap_or_default();
        AppendBatch {
            events,
            ..AppendBatch::new(room, lease)
        }
    }

    /// With Postgres, waits until the scrub a purge owes is done. The tests share one cluster,
    /// and a scrub waits while any snapshot older than the delete exists, in any database
    /// (another test's transaction, or its own scrub's `VACUUM FULL`); the next purge does it
    /// (`a_scrub_waits_for_older_snapshots_and_is_done_by_the_next_purge`). A purge that
    /// deletes nothing runs the owed scrub, so this purges again until none is owed.
    async fn settle_scrub(&self) {
        let Place::Postgres(url) = &self.place else {
            return;
        };
        for _ in 0..100 {
            if Postgres::shared().psql(db_name(url), "SELECT scrub_owed FROM cluster") == "f" {
                return;
            }
            self.purge_records(0).await.expect("purge");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the scrub owed after a purge was never done");
    }

    /// Which canaries occur anywhere in the store's files (for Postgres: its database's files
    /// and the WAL, after a checkpoint has written everything there).
    fn canaries_in_files(&self, canaries: &[String]) -> Vec<String> {
        let files: Vec<PathBuf> = match &self.place {
            Place::Sqlite(dir) => ["kring.db", "kring.db-wal", "kring.db-shm"]
                .iter()
                .map(|f| dir.path().join(f))
                .collect(),
            Place::Postgres(url) => {
                let pg = Postgres::shared();
                pg.psql(db_name(url), "CHECKPOINT");
                pg.files_of(db_name(url))
            }
            Place::Memory => Vec::new(),
        };
        let mut found = Vec::new();
        for file in files {
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            for canary in canaries {
                if bytes.windows(canary.len()).any(|w| w == canary.as_bytes()) {
                    found.push(format!("{canary} in {}", file.display()));
                }
            }
        }
        found
    }
}

fn db_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or("")
}

async fn open_pg(url: &str, name: &str, metrics: Arc<Metrics>) -> PgStore {
    let cfg = PgConfig {
        url: url.to_owned(),
        node_name: name.to_owned(),
        node_url: Some("http://127.0.0.1:1".to_owned()),
        ttl: TTL,
    };
    PgStore::open(&cfg, metrics).await.expect("open postgres")
}

/// Claims the room `label`, waiting for an earlier owner's lease to run out.
async fn claim(pg: &PgStore, label: &str) -> Lease {
    claim_code(pg, &code(label)).await
}

async fn claim_code(pg: &PgStore, code: &RoomCode) -> Lease {
    for _ in 0..100 {
        match pg.claim(code).await.expect("claim") {
            Claim::Mine(lease) => return lease,
            Claim::Owned(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            Claim::NoRoom => panic!("no room {code} to claim", code = code.as_str()),
        }
    }
    panic!("{code} could not be claimed", code = code.as_str());
}

/// Runs a contract test against both stores.
macro_rules! both {
    ($name:ident) => {
        both!($name, "current_thread");
    };
    ($name:ident, $flavor:literal) => {
        mod $name {
            #[tokio::test(flavor = $flavor)]
            async fn sqlite() {
                super::$name(super::Subject::sqlite().await).await;
            }

            #[tokio::test(flavor = $flavor)]
            async fn postgres() {
                super::$name(super::Subject::postgres().await).await;
            }
        }
    };
}

/// The room code a test names `label` (capital letters, at most nine): letters map in order
/// onto the code alphabet and the rest is padded with its lowest character, so two labels'
/// codes differ and sort as the labels do.
fn code(label: &str) -> RoomCode {
    const ALPHABET: &[u8] = kring_protocol::ROOM_CODE_ALPHABET;
    assert!(
        label.len() <= kring_protocol::ROOM_CODE_LEN,
        "{label} is too long"
    );
    let mut typed: String = label
        .bytes()
        .map(|b| {
            assert!(b.is_ascii_uppercase(), "{label} is not capital letters");
            char::from(ALPHABET[3 + usize::from(b - b'A')])
        })
        .collect();
    while typed.len() < kring_protocol::ROOM_CODE_LEN {
        typed.push(char::from(ALPHABET[0]));
    }
    RoomCode::parse(&typed).expect("a room code")
}

/// The label of the `i`th of many rooms (below 26 * 26).
fn numbered(i: usize) -> String {
    let letter = |n: usize| char::from(b'A' + n as u8);
    format!("R{}{}", letter(i / 26), letter(i % 26))
}

fn codes(labels: &[&str]) -> Vec<RoomCode> {
    labels.iter().map(|l| code(l)).collect()
}

fn new_room(label: &str, params_json: &str) -> NewRoom {
    NewRoom {
        code: code(label),
        params_json: params_json.to_owned(),
        epoch: 7,
        created_at: 1_000,
        group: None,
    }
}

fn event(seq: u64, json: &str) -> StoredEvent {
    StoredEvent {
        seq,
        at: 1_000 + seq,
        kind: "item_added".into(),
        json: json.to_owned(),
    }
}

fn msg(member: u32, id: &str, ack: &str) -> StoredMsgId {
    StoredMsgId {
        member: MemberId(member),
        msg_id: id.to_owned(),
        ack_json: ack.to_owned(),
    }
}

fn seqs(events: &[StoredEvent]) -> Vec<u64> {
    events.iter().map(|e| e.seq).collect()
}

both!(a_room_reads_back_as_it_was_written);
async fn a_room_reads_back_as_it_was_written(s: Subject) {
    s.create(new_room("ABCD", r#"{"title":"t"}"#))
        .await
        .expect("create");
    assert!(matches!(
        s.create_room(new_room("ABCD", "{}")).await,
        Err(StoreError::Duplicate)
    ));

    let mut first = s.batch("ABCD", vec![event(1, r#"{"a":1}"#), event(2, r#"{"a":2}"#)]);
    first.msg_ids = vec![msg(1, "m1", r#"{"ack":1}"#)];
    s.append(first).await.expect("append");
    let mut second = s.batch("ABCD", vec![event(3, r#"{"a":3}"#)]);
    second.msg_ids = vec![msg(2, "m1", r#"{"ack":2}"#)];
    s.append(second).await.expect("append");

    let room = s
        .load_room(&code("ABCD"))
        .await
        .expect("load")
        .expect("room");
    assert_eq!(room.code, code("ABCD"));
    assert_eq!(room.params_json, r#"{"title":"t"}"#);
    assert_eq!(room.epoch, 7);
    assert_eq!(room.created_at, 1_000);
    assert_eq!(room.ended_at, None);
    assert_eq!(room.snapshot, None);
    assert_eq!(
        room.events,
        vec![
            event(1, r#"{"a":1}"#),
            event(2, r#"{"a":2}"#),
            event(3, r#"{"a":3}"#)
        ]
    );
    assert_eq!(
        room.msg_ids,
        vec![msg(1, "m1", r#"{"ack":1}"#), msg(2, "m1", r#"{"ack":2}"#)]
    );
    assert!(s.load_room(&code("NONE")).await.expect("load").is_none());
    assert_eq!(s.room_codes().await.expect("codes"), codes(&["ABCD"]));
    assert!(matches!(
        s.append(s.batch("NONE", vec![event(1, "{}")])).await,
        Err(StoreError::NotFound)
    ));
    s.check_writable().await.expect("writable");
    assert_eq!(s.metrics.store_commit_seconds.count(), 2);
    assert_eq!(s.metrics.store_batch_events.get(), 3);

    s.close().await.expect("close");
    assert!(matches!(
        s.append(s.batch("ABCD", vec![event(4, "{}")])).await,
        Err(StoreError::Closed)
    ));
    assert!(matches!(
        s.load_room(&code("ABCD")).await,
        Err(StoreError::Closed)
    ));
}

both!(a_gap_in_one_room_does_not_fail_another_room_in_the_same_commit);
/// Runs on the current-thread runtime: both appends are queued before the writer runs, so
/// they are written by one transaction (checked through the commit counter).
async fn a_gap_in_one_room_does_not_fail_another_room_in_the_same_commit(s: Subject) {
    for code in ["AAAA", "BBBB"] {
        s.create(new_room(code, "{}")).await.expect("create");
    }
    s.append(s.batch("AAAA", vec![event(1, "{}")]))
        .await
        .expect("append");

    let commits = s.metrics.store_commits.get();
    let (gap, fine) = tokio::join!(
        s.append(s.batch("AAAA", vec![event(3, "{}")])),
        s.append(s.batch("BBBB", vec![event(1, "{}"), event(2, "{}")])),
    );
    assert_eq!(
        s.metrics.store_commits.get(),
        commits + 1,
        "one transaction for both"
    );
    assert!(
        matches!(
            gap,
            Err(StoreError::Gap {
                expected: 2,
                got: 3
            })
        ),
        "{gap:?}"
    );
    fine.expect("the other room's batch commits");

    // A batch with a hole of its own is refused too.
    assert!(matches!(
        s.append(s.batch("AAAA", vec![event(2, "{}"), event(4, "{}")]))
            .await,
        Err(StoreError::Gap {
            expected: 3,
            got: 4
        })
    ));

    let a = s
        .load_room(&code("AAAA"))
        .await
        .expect("load")
        .expect("room");
    let b = s
        .load_room(&code("BBBB"))
        .await
        .expect("load")
        .expect("room");
    assert_eq!(seqs(&a.events), vec![1]);
    assert_eq!(seqs(&b.events), vec![1, 2]);
    s.close().await.expect("close");
}

both!(a_batch_is_written_whole_or_not_at_all);
async fn a_batch_is_written_whole_or_not_at_all(s: Subject) {
    for code in ["AAAA", "BBBB"] {
        s.create(new_room(code, "{}")).await.expect("create");
    }
    let mut first = s.batch("AAAA", vec![event(1, "{}")]);
    first.msg_ids = vec![msg(1, "m1", "{}")];
    s.append(first).await.expect("append");

    // The second batch passes the sequence check but its message id is taken: none of its
    // events, snapshot or end may remain, and the other room in the commit is unaffected.
    let mut dup = s.batch("AAAA", vec![event(2, "{}"), event(3, "{}")]);
    dup.msg_ids = vec![msg(1, "m2", "{}"), msg(1, "m1", "{}")];
    dup.snapshot = Some(Snapshot {
        seq: 3,
        json: "{}".to_owned(),
    });
    dup.ended_at = Some(5_000);
    let commits = s.metrics.store_commits.get();
    let (dup, fine) = tokio::join!(
        s.append(dup),
        s.append(s.batch("BBBB", vec![event(1, "{}")])),
    );
    assert_eq!(s.metrics.store_commits.get(), commits + 1);
    let err = dup.expect_err("duplicate message id");
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    fine.expect("other room");

    let a = s
        .load_room(&code("AAAA"))
        .await
        .expect("load")
        .expect("room");
    assert_eq!(seqs(&a.events), vec![1]);
    assert_eq!(a.msg_ids, vec![msg(1, "m1", "{}")]);
    assert_eq!(a.snapshot, None);
    assert_eq!(a.ended_at, None);
    // The refused batch left no trace in the sequence either: 2 is still next.
    s.append(s.batch("AAAA", vec![event(2, "{}")]))
        .await
        .expect("append after refusal");
    s.close().await.expect("close");
}

both!(message_ids_are_unique_per_member_within_a_room);
async fn message_ids_are_unique_per_member_within_a_room(s: Subject) {
    for code in ["AAAA", "BBBB"] {
        s.create(new_room(code, "{}")).await.expect("create");
    }
    let mut ok = s.batch("AAAA", vec![event(1, "{}")]);
    ok.msg_ids = vec![msg(1, "x", "{}")];
    s.append(ok).await.expect("first");
    // Same id, another member: allowed.
    let mut ok = s.batch("AAAA", vec![event(2, "{}")]);
    ok.msg_ids = vec![msg(2, "x", "{}")];
    s.append(ok).await.expect("other member");
    // Same id and member, another room: allowed.
    let mut ok = s.batch("BBBB", vec![event(1, "{}")]);
    ok.msg_ids = vec![msg(1, "x", "{}")];
    s.append(ok).await.expect("other room");
    // Same id, member and room: refused.
    let mut dup = s.batch("AAAA", vec![event(3, "{}")]);
    dup.msg_ids = vec![msg(1, "x", "{}")];
    assert!(s.append(dup).await.is_err());
    let a = s
        .load_room(&code("AAAA"))
        .await
        .expect("load")
        .expect("room");
    assert_eq!(a.msg_ids.len(), 2);
    assert_eq!(seqs(&a.events), vec![1, 2]);
    s.close().await.expect("close");
}

both!(a_message_id_sent_twice_in_one_commit_is_stored_once);
/// Two requests in one commit sending the same id: the first keeps it, the second is refused
/// whole, and the rest of the commit (a third room, a later batch of the first) is written.
async fn a_message_id_sent_twice_in_one_commit_is_stored_once(s: Subject) {
    for code in ["AAAA", "BBBB", "CCCC"] {
        s.create(new_room(code, "{}")).await.expect("create");
    }
    let mut first = s.batch("AAAA", vec![event(1, r#"{"n":"first"}"#)]);
    first.msg_ids = vec![msg(1, "k", "{}")];
    let mut again = s.batch("BBBB", vec![event(1, "{}")]);
    again.msg_ids = vec![msg(1, "k", "{}"), msg(1, "k", "{}")];
    let mut second = s.batch("AAAA", vec![event(2, r#"{"n":"second"}"#)]);
    second.msg_ids = vec![msg(1, "k", "{}")];
    let commits = s.metrics.store_commits.get();
    let (first, again, second, other) = tokio::join!(
        s.append(first),
        s.append(again),
        s.append(second),
        s.append(s.batch("CCCC", vec![event(1, "{}")])),
    );
    assert_eq!(s.metrics.store_commits.get(), commits + 1);
    first.expect("first sender keeps the id");
    assert!(again.is_err(), "the same id twice in one batch");
    assert!(second.is_err(), "the same id again in the same room");
    other.expect("an unrelated room");
    let a = s
        .load_room(&code("AAAA"))
        .await
        .expect("load")
        .expect("room");
    assert_eq!(a.events, vec![event(1, r#"{"n":"first"}"#)]);
    assert_eq!(a.msg_ids, vec![msg(1, "k", "{}")]);
    let b = s
        .load_room(&code("BBBB"))
        .await
        .expect("load")
        .expect("room");
    assert!(b.events.is_empty() && b.msg_ids.is_empty());
    let c = s
        .load_room(&code("CCCC"))
        .await
        .expect("load")
        .expect("room");
    assert_eq!(seqs(&c.events), vec![1]);
    s.close().await.expect("close");
}

both!(
    concurrent_rooms_share_commits_and_keep_gap_free_journals,
    "multi_thread"
);
async fn concurrent_rooms_share_commits_and_keep_gap_free_journals(s: Subject) {
    const ROOMS: usize = 50;
    const EVENTS: u64 = 40;
    for i in 0..ROOMS {
        s.create(new_room(&numbered(i), "{}"))
            .await
            .expect("create");
    }
    let s = Arc::new(s);
    let commits_before = s.metrics.store_commits.get();
    let tasks: Vec<_> = (0..ROOMS)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move {
                let code = numbered(i);
                for seq in 1..=EVENTS {
                    let json = format!(r#"{{"room":{i},"seq":{seq}}}"#);
                    s.append(s.batch(&code, vec![event(seq, &json)]))
                        .await
                        .expect("append");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let appends = ROOMS as u64 * EVENTS;
    let commits = s.metrics.store_commits.get() - commits_before;
    assert!(
        commits < appends,
        "group commit: {commits} transactions for {appends} appends"
    );
    assert_eq!(s.metrics.store_batch_events.get(), appends);
    for i in 0..ROOMS {
        let room = s
            .load_room(&code(&numbered(i)))
            .await
            .expect("load")
            .expect("room");
        assert_eq!(seqs(&room.events), (1..=EVENTS).collect::<Vec<_>>());
        for e in &room.events {
            assert_eq!(e.json, format!(r#"{{"room":{i},"seq":{}}}"#, e.seq));
        }
    }
    s.close().await.expect("close");
}

both!(a_snapshot_replaces_the_last_and_keeps_the_journal);
async fn a_snapshot_replaces_the_last_and_keeps_the_journal(s: Subject) {
    s.create(new_room("ABCD", "{}")).await.expect("create");
    s.append(s.batch("ABCD", (1..=3).map(|n| event(n, "{}")).collect()))
        .await
        .expect("append");
    let mut snap = s.batch("ABCD", vec![event(4, "{}")]);
    snap.snapshot = Some(Snapshot {
        seq: 4,
        json: r#"{"v":4}"#.to_owned(),
    });
    s.append(snap).await.expect("snapshot 4");
    let mut snap = s.batch("ABCD", vec![event(5, "{}"), event(6, "{}")]);
    snap.snapshot = Some(Snapshot {
        seq: 6,
        json: r#"{"v":6}"#.to_owned(),
    });
    s.append(snap).await.expect("snapshot 6");
    s.append(s.batch("ABCD", vec![event(7, "{}")]))
        .await
        .expect("append");

    let room = s
        .load_room(&code("ABCD"))
        .await
        .expect("load")
        .expect("room");
    assert_eq!(
        room.snapshot,
        Some(Snapshot {
            seq: 6,
            json: r#"{"v":6}"#.to_owned()
        })
    );
    assert_eq!(seqs(&room.events), (1..=7).collect::<Vec<_>>());
    s.close().await.expect("close");

    // A cold start finds the sequence from the journal.
    let s = s.again().await;
    s.claim("ABCD").await;
    assert!(matches!(
        s.append(s.batch("ABCD", vec![event(9, "{}")])).await,
        Err(StoreError::Gap {
            expected: 8,
            got: 9
        })
    ));
    s.append(s.batch("ABCD", vec![event(8, "{}")]))
        .await
        .expect("append after reopen");
    s.close().await.expect("close");
}

both!(a_reopened_store_has_everything_that_was_acknowledged);
async fn a_reopened_store_has_everything_that_was_acknowledged(s: Subject) {
    s.create(new_room("ABCD", r#"{"p":1}"#))
        .await
        .expect("create");
    let mut b = s.batch("ABCD", (1..=5).map(|n| event(n, "{}")).collect());
    b.msg_ids = vec![msg(3, "q", r#"{"ok":true}"#)];
    b.snapshot = Some(Snapshot {
        seq: 5,
        json: "{}".to_owned(),
    });
    b.ended_at = Some(9_000);
    s.append(b).await.expect("append");
    let place = s.place.clone();
    // Dropped without close: SQLite leaves the WAL for the next open to recover; the
    // Postgres node's lease is left to run out.
    drop(s);
    // The writer task lets go of the connection once it sees the queue closed.
    tokio::task::yield_now().await;
    let s = Subject::open(place).await;
    let room = s
        .load_room(&code("ABCD"))
        .await
        .expect("load")
        .expect("room");
    assert_eq!(room.params_json, r#"{"p":1}"#);
    assert_eq!(seqs(&room.events), vec![1, 2, 3, 4, 5]);
    assert_eq!(room.msg_ids, vec![msg(3, "q", r#"{"ok":true}"#)]);
    assert_eq!(room.snapshot.map(|s| s.seq), Some(5));
    assert_eq!(room.ended_at, Some(9_000));
    s.claim("ABCD").await;
    s.append(s.batch("ABCD", vec![event(6, "{}")]))
        .await
        .expect("continue after reopen");
    s.close().await.expect("close");
}

both!(purge_removes_ended_and_idle_rooms_only);
async fn purge_removes_ended_and_idle_rooms_only(s: Subject) {
    for code in ["ENDED", "IDLE", "LIVE", "RECENT"] {
        s.create(new_room(code, "{}")).await.expect("create");
    }
    let mut end = s.batch("ENDED", vec![event(1, "{}")]);
    end.ended_at = Some(2_000);
    s.append(end).await.expect("end");
    let mut recent = s.batch("RECENT", vec![event(1, "{}")]);
    recent.events[0].at = 60_000;
    recent.ended_at = Some(50_000);
    s.append(recent).await.expect("end");
    let mut live = s.batch("LIVE", vec![event(1, "{}")]);
    live.events[0].at = 60_000;
    s.append(live).await.expect("live");
    // IDLE was last active at its creation (1_000).

    let mut purged = s.purge_ended(10_000, 5_000).await.expect("purge");
    purged.sort();
    assert_eq!(purged, codes(&["ENDED", "IDLE"]));
    assert_eq!(
        s.room_codes().await.expect("codes"),
        codes(&["LIVE", "RECENT"])
    );
    assert!(s.load_room(&code("ENDED")).await.expect("load").is_none());
    // A purged code is gone for appends too, even though the writer knew its sequence.
    assert!(matches!(
        s.append(s.batch("ENDED", vec![event(2, "{}")])).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        s.purge_ended(10_000, 5_000)
            .await
            .expect("purge")
            .is_empty()
    );
    s.close().await.expect("close");
}

/// Text that no compressor shortens (Postgres compresses large values), so a canary in it is
/// stored as written.
fn incompressible(len: usize) -> String {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = String::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push_str(&format!("{x:016x}"));
    }
    out.truncate(len);
    out
}

both!(purged_text_is_gone_from_every_file);
/// The promise to a group: once a session is purged, its text is in none of the files.
/// Canaries go into every place text is stored (params, events small and large enough to
/// spill into overflow pages or TOAST, message ids, acks, snapshots that are later replaced),
/// and the purged room's rows are interleaved with a room that stays, so pages are shared,
/// split and rewritten before and after the purge.
async fn purged_text_is_gone_from_every_file(s: Subject) {
    let secret = |what: &str| format!("CANARY-{what}-7f3a9c");
    let canaries: Vec<String> = ["params", "event", "large", "msgid", "ack", "snap1", "snap2"]
        .iter()
        .map(|w| secret(w))
        .collect();

    s.create(new_room(
        "SECRET",
        &format!(r#"{{"title":"{}"}}"#, secret("params")),
    ))
    .await
    .expect("create");
    s.create(new_room("STAYS", r#"{"title":"ordinary"}"#))
        .await
        .expect("create");

    let filler = "x".repeat(200);
    for seq in 1..=300u64 {
        let json = match seq {
            150 => format!(
                r#"{{"text":"{}{}"}}"#,
                secret("large"),
                incompressible(20_000)
            ),
            _ => format!(r#"{{"text":"{} {seq} {filler}"}}"#, secret("event")),
        };
        let mut b = s.batch("SECRET", vec![event(seq, &json)]);
        if seq == 10 {
            b.msg_ids = vec![msg(1, &secret("msgid"), &secret("ack"))];
        }
        if seq == 100 || seq == 200 {
            let which = if seq == 100 { "snap1" } else { "snap2" };
            b.snapshot = Some(Snapshot {
                seq,
                json: format!(r#"{{"state":"{}"}}"#, secret(which)),
            });
        }
        s.append(b).await.expect("append secret");
        s.append(s.batch(
            "STAYS",
            vec![event(seq, &format!(r#"{{"text":"{filler}"}}"#))],
        ))
        .await
        .expect("append stays");
    }
    let mut end = s.batch("SECRET", vec![event(301, "{}")]);
    end.ended_at = Some(10_000);
    s.append(end).await.expect("end");

    // The test can fail: every canary is on disk before the purge.
    let before = s.canaries_in_files(&canaries);
    for canary in &canaries {
        assert!(
            before.iter().any(|f| f.starts_with(canary.as_str())),
            "{canary} not written before the purge: {before:?}"
        );
    }

    let purged = s.purge_ended(20_000, 0).await.expect("purge");
    assert_eq!(purged, codes(&["SECRET"]));
    s.settle_scrub().await;
    let after_purge = s.canaries_in_files(&canaries);
    assert!(
        after_purge.is_empty(),
        "text left after purge: {after_purge:?}"
    );

    // The remaining room keeps writing (splitting and reusing freed pages); still clean.
    for seq in 301..=400u64 {
        s.append(s.batch(
            "STAYS",
            vec![event(seq, &format!(r#"{{"text":"{filler}"}}"#))],
        ))
        .await
        .expect("append stays");
    }
    s.close().await.expect("close");
    let after_close = s.canaries_in_files(&canaries);
    assert!(
        after_close.is_empty(),
        "text left after close: {after_close:?}"
    );
    if let Place::Sqlite(dir) = &s.place {
        assert_eq!(integrity_check(dir.path()).await, "ok");
    }

    let s = s.again().await;
    let stays = s
        .load_room(&code("STAYS"))
        .await
        .expect("load")
        .expect("room");
    assert_eq!(seqs(&stays.events), (1..=400).collect::<Vec<_>>());
    assert!(s.load_room(&code("SECRET")).await.expect("load").is_none());
    s.close().await.expect("close");
}

both!(a_group_carry_outlives_its_session_until_the_group_goes);
async fn a_group_carry_outlives_its_session_until_the_group_goes(s: Subject) {
    let carry = "CARRY-CANARY-0a7e";
    let mut room = new_room("GROUPROOM", "{}");
    room.group = Some(GroupLink {
        id: "g1".into(),
        new_token_hash: Some("hash-of-g1".into()),
    });
    s.create(room).await.expect("create");
    let mut end = s.batch("GROUPROOM", vec![event(1, "{}")]);
    end.ended_at = Some(2_000);
    end.carry_json = Some(format!(r#"{{"text":"{carry}"}}"#));
    end.attendance = vec![AttendanceRecord {
        member: MemberId(1),
        name: "Anna".into(),
        role: Role::Participant,
        joined_at: 1_000,
        present_ms: 60_000,
        away_since: Some(2_000),
    }];
    s.append(end).await.expect("end");

    let loaded = s
        .load_room(&code("GROUPROOM"))
        .await
        .expect("load")
        .expect("room");
    assert_eq!(loaded.group_id.as_deref(), Some("g1"));
    assert_eq!(loaded.attendance.len(), 1);
    assert_eq!(loaded.attendance[0].present_ms, 60_000);
    assert_eq!(loaded.attendance[0].away_since, Some(2_000));

    // The session goes; what the group kept stays.
    assert_eq!(
        s.purge_ended(10_000, 0).await.expect("purge"),
        codes(&["GROUPROOM"])
    );
    let group = s
        .group_by_token("hash-of-g1")
        .await
        .expect("read")
        .expect("group");
    assert_eq!(group.id, "g1");
    assert!(group.carry_json.expect("carry").contains(carry));

    // A next meeting marks the group active; another token finds nothing.
    let mut next = new_room("NEXTROOM", "{}");
    next.created_at = 50_000;
    next.group = Some(GroupLink {
        id: "g1".into(),
        new_token_hash: None,
    });
    s.create(next).await.expect("create next");
    // A meeting of a group that is gone is refused, and leaves no room behind.
    let mut orphan = new_room("ORPHAN", "{}");
    orphan.group = Some(GroupLink {
        id: "no-such-group".into(),
        new_token_hash: None,
    });
    assert!(s.create_room(orphan).await.is_err());
    assert!(s.load_room(&code("ORPHAN")).await.expect("load").is_none());
    assert!(s.group_by_token("other").await.expect("read").is_none());
    assert_eq!(s.purge_groups(40_000).await.expect("purge groups"), 0);

    // A group idle past retention goes, carry and all, and so does its text.
    assert_eq!(s.purge_groups(60_000).await.expect("purge groups"), 1);
    assert!(
        s.group_by_token("hash-of-g1")
            .await
            .expect("read")
            .is_none()
    );
    s.settle_scrub().await;
    s.close().await.expect("close");
    assert_eq!(
        s.canaries_in_files(&[carry.to_owned()]),
        Vec::<String>::new()
    );
    if let Place::Sqlite(dir) = &s.place {
        assert_eq!(integrity_check(dir.path()).await, "ok");
    }
}

fn meeting_record(label: &str, ended_at: Option<u64>, registration: &str) -> MeetingRecord {
    MeetingRecord {
        room: code(label),
        facilitator_token_hash: "fac-hash".into(),
        language: kring_protocol::Language::Nl,
        time_zone: "Europe/Brussels".into(),
        group_name: Some("Groep Noord".into()),
        cases: vec![
            RecordCase {
                method: "Basismodel".into(),
                case_bringer: Some(MemberId(2)),
            },
            RecordCase {
                method: "Incidentmethode".into(),
                case_bringer: None,
            },
        ],
        facilitator: "Bea, Anna".into(),
        co_facilitators: vec!["Carla".into()],
        started_at: 1_000,
        ended_at,
        list_confirmed_at: ended_at,
        members: vec![
            RecordMember {
                member: MemberId(1),
                name: "Bea".into(),
                role: Role::Facilitator,
                joined_at: 900,
                present_ms: 7_200_000,
                minutes_set: None,
                confirmed_at: None,
                registration: None,
                certificate: format!("{label}-CERT-1"),
                token_hash: Some("fac-hash".into()),
            },
            RecordMember {
                member: MemberId(2),
                name: "Anna".into(),
                role: Role::CaseBringer,
                joined_at: 950,
                present_ms: 7_100_000,
                minutes_set: Some(120),
                confirmed_at: Some(8_000_000),
                registration: Some(registration.to_owned()),
                certificate: format!("{label}-CERT-2"),
                token_hash: Some("anna-hash".into()),
            },
        ],
    }
}

both!(records_contract);
/// The contract for attendance records, for every store: written with an append, read back
/// whole by room and by certificate code, replaced by a later append, outliving the room's
/// purge, holding its code, and purged on their own clock.
async fn records_contract(s: Subject) {
    s.create(new_room("RECROOM", "{}")).await.expect("create");
    assert!(s.record(&code("RECROOM")).await.expect("read").is_none());
    let mut first = s.batch("RECROOM", vec![event(1, "{}")]);
    first.record = Some(Box::new(meeting_record("RECROOM", None, "BIG 1")));
    s.append(first).await.expect("append");
    let mut end = s.batch("RECROOM", vec![event(2, "{}")]);
    end.ended_at = Some(9_000_000);
    let ended = meeting_record("RECROOM", Some(9_000_000), "SKJ 100012345");
    end.record = Some(Box::new(ended.clone()));
    s.append(end).await.expect("end");

    assert_eq!(
        s.record(&code("RECROOM")).await.expect("read"),
        Some(ended.clone())
    );
    assert_eq!(
        s.record_by_certificate("RECROOM-CERT-2")
            .await
            .expect("read"),
        Some(ended.clone())
    );
    assert!(
        s.record_by_certificate("RECROOM-CERT-9")
            .await
            .expect("read")
            .is_none()
    );

    // The room's content goes after days; its record stays, and so does its code.
    assert_eq!(
        s.purge_ended(10_000_000, 0).await.expect("purge"),
        codes(&["RECROOM"])
    );
    assert!(s.load_room(&code("RECROOM")).await.expect("load").is_none());
    assert_eq!(s.record(&code("RECROOM")).await.expect("read"), Some(ended));
    assert!(matches!(
        s.create_room(new_room("RECROOM", "{}")).await,
        Err(StoreError::Duplicate)
    ));

    // The record goes on its own clock: kept until its meeting ended before the cut-off.
    assert_eq!(s.purge_records(9_000_000).await.expect("purge"), 0);
    assert_eq!(s.purge_records(9_000_001).await.expect("purge"), 1);
    assert!(s.record(&code("RECROOM")).await.expect("read").is_none());
    assert!(
        s.record_by_certificate("RECROOM-CERT-2")
            .await
            .expect("read")
            .is_none()
    );
    s.create(new_room("RECROOM", "{}"))
        .await
        .expect("the code is free again");
    s.settle_scrub().await;
    s.close().await.expect("close");
    // A purged record's registration number is gone from the files too.
    assert_eq!(
        s.canaries_in_files(&["SKJ 100012345".to_owned()]),
        Vec::<String>::new()
    );
    if let Place::Sqlite(dir) = &s.place {
        assert_eq!(integrity_check(dir.path()).await, "ok");
    }
}

mod records_in_memory {
    #[tokio::test]
    async fn memory() {
        super::records_contract(super::Subject::memory().await).await;
    }
}

both!(attendance_records_survive_a_restart);
async fn attendance_records_survive_a_restart(s: Subject) {
    s.create(new_room("KEPTROOM", "{}")).await.expect("create");
    let mut end = s.batch("KEPTROOM", vec![event(1, "{}")]);
    let record = meeting_record("KEPTROOM", Some(5_000), "BIG 19012345601");
    end.record = Some(Box::new(record.clone()));
    s.append(end).await.expect("append");
    s.close().await.expect("close");
    let again = s.again().await;
    assert_eq!(
        again.record(&code("KEPTROOM")).await.expect("read"),
        Some(record)
    );
    again.close().await.expect("close");
}

both!(a_stored_code_that_does_not_parse_is_an_error_not_a_panic);
/// Codes read back are parsed like any other: a row whose code is no room code (written by
/// hand, or a damaged file) makes listing the rooms fail with a store error that does not
/// repeat it, rather than panic or hand the hub a code it never parsed.
async fn a_stored_code_that_does_not_parse_is_an_error_not_a_panic(s: Subject) {
    s.create(new_room("GOOD", "{}")).await.expect("create");
    s.create(new_room("BAD", "{}")).await.expect("create");
    s.close().await.expect("close");
    let bad = code("BAD");
    let rename = format!(
        "UPDATE rooms SET code = 'no-such-code' WHERE code = '{}'",
        bad.as_str()
    );
    match &s.place {
        Place::Sqlite(dir) => {
            use sqlx::Connection;
            let options =
                sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("kring.db"));
            let mut conn = sqlx::SqliteConnection::connect_with(&options)
                .await
                .expect("connect");
            let done = sqlx::query(sqlx::AssertSqlSafe(rename))
                .execute(&mut conn)
                .await
                .expect("rename");
            assert_eq!(done.rows_affected(), 1);
            conn.close().await.expect("close");
        }
        Place::Postgres(url) => {
            Postgres::shared().psql(db_name(url), &rename);
        }
        Place::Memory => unreachable!("not run on memory"),
    }
    let again = s.again().await;
    match again.room_codes().await {
        Err(StoreError::Backend(message)) => {
            assert!(!message.contains("no-such-code"), "{message}");
        }
        other => panic!("a malformed stored code must be an error: {other:?}"),
    }
    // The well-formed room is still there to load.
    assert!(
        again
            .load_room(&code("GOOD"))
            .await
            .expect("load")
            .is_some()
    );
    again.close().await.expect("close");
}

// ---- SQLite only -------------------------------------------------------------------------

async fn integrity_check(dir: &std::path::Path) -> String {
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(dir.join("kring.db"));
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .expect("connect");
    let result: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .expect("integrity_check");
    conn.close().await.expect("close");
    result
}

#[tokio::test]
async fn a_data_directory_serves_one_store_at_a_time() {
    let s = Subject::sqlite().await;
    let Place::Sqlite(dir) = &s.place else {
        unreachable!()
    };
    let second = SqliteStore::open(dir.path(), Arc::new(Metrics::new())).await;
    assert!(second.is_err(), "a second store on the same files");
    s.close().await.expect("close");
}

/// A crash between a purge's delete and its scrub must not leave the text behind: the debt
/// is recorded with the delete, and the next start pays it before serving.
#[tokio::test]
async fn an_interrupted_sqlite_purge_is_finished_at_the_next_start() {
    use sqlx::Connection;
    let s = Subject::sqlite().await;
    let Place::Sqlite(dir) = s.place.clone() else {
        unreachable!()
    };
    let canary = "CANARY-interrupted-51c2e8".to_owned();
    s.create(new_room("GONE", "{}")).await.expect("create");
    let text = format!(r#"{{"text":"{canary}"}}"#);
    s.append(s.batch("GONE", vec![event(1, &text), event(2, &text)]))
        .await
        .expect("append");
    s.close().await.expect("close");
    // What a purge that died after its delete committed leaves: rows gone, text still in the
    // pages (here with secure_delete off, the worst case), and the debt recorded.
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.path().join("kring.db"))
            .pragma("secure_delete", "OFF");
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .expect("connect");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "PRAGMA foreign_keys = ON;
             DELETE FROM rooms WHERE code = '{}';
             UPDATE maintenance SET scrub_owed = 1;",
            code("GONE").as_str()
        )))
        .execute(&mut conn)
        .await
        .expect("delete");
        conn.close().await.expect("close");
    }
    let left = s.canaries_in_files(std::slice::from_ref(&canary));
    assert!(!left.is_empty(), "the simulated crash must leave the text");

    let s = s.again().await;
    // Answered only after the start-up scrub, which runs before any request.
    s.check_writable().await.expect("writable");
    let left = s.canaries_in_files(std::slice::from_ref(&canary));
    assert!(left.is_empty(), "text left after restart: {left:?}");
    assert!(s.room_codes().await.expect("codes").is_empty());
    s.close().await.expect("close");
}

// ---- Postgres only -----------------------------------------------------------------------

/// Two nodes on one database.
async fn two_nodes() -> (PgStore, PgStore, String) {
    let url = Postgres::shared().fresh_database("fence");
    let a = open_pg(&url, "a", Arc::new(Metrics::new())).await;
    let b = open_pg(&url, "b", Arc::new(Metrics::new())).await;
    (a, b, url)
}

fn pg_batch(lease: &Lease, label: &str, events: Vec<StoredEvent>) -> AppendBatch {
    AppendBatch {
        events,
        ..AppendBatch::new(code(label), lease.clone())
    }
}

/// Exactly one owner per room: a second node sees the first as owner while its lease runs;
/// once it has run out, the second claims with a higher term, and from then on the store
/// refuses the first node's appends (and confirmations) as fenced, writing nothing of them.
#[tokio::test]
async fn a_room_claimed_by_another_node_refuses_the_old_owners_appends() {
    let (a, b, _) = two_nodes().await;
    a.create_room(new_room("ROOM", "{}")).await.expect("create");
    let Claim::Mine(lease_a) = a.claim(&code("ROOM")).await.expect("claim") else {
        panic!("an unowned room is claimed at once");
    };
    assert_eq!(lease_a.term, 1);
    assert_eq!(lease_a.node, *Placement::node(&a));
    match b.claim(&code("ROOM")).await.expect("claim") {
        Claim::Owned(owner) => {
            assert_eq!(owner.node, lease_a.node);
            assert!(owner.live());
            assert_eq!(owner.url.as_deref(), Some("http://127.0.0.1:1"));
        }
        other => panic!("the owner's lease has not run out: {other:?}"),
    }
    assert_eq!(
        b.owner(&code("ROOM")).await.expect("owner").map(|o| o.node),
        Some(lease_a.node.clone())
    );
    a.append(pg_batch(&lease_a, "ROOM", vec![event(1, r#"{"by":"a"}"#)]))
        .await
        .expect("the owner appends");
    // A batch with another node's name or another term is not the owner's.
    let forged = Lease {
        node: Placement::node(&b).clone(),
        term: lease_a.term,
    };
    assert!(matches!(
        b.append(pg_batch(&forged, "ROOM", vec![event(2, "{}")]))
            .await,
        Err(StoreError::Fenced)
    ));

    // A stops renewing (paused, cut off): after its ttl, B takes the room.
    tokio::time::sleep(TTL + Duration::from_millis(200)).await;
    let lease_b = claim(&b, "ROOM").await;
    assert_eq!(lease_b.term, 2);
    let fenced = a
        .append(pg_batch(&lease_a, "ROOM", vec![event(2, r#"{"by":"a"}"#)]))
        .await;
    assert!(matches!(fenced, Err(StoreError::Fenced)), "{fenced:?}");
    let confirm = a.append(pg_batch(&lease_a, "ROOM", Vec::new())).await;
    assert!(matches!(confirm, Err(StoreError::Fenced)), "{confirm:?}");
    b.append(pg_batch(&lease_b, "ROOM", vec![event(2, r#"{"by":"b"}"#)]))
        .await
        .expect("the new owner continues the journal");
    let room = b
        .load_room(&code("ROOM"))
        .await
        .expect("load")
        .expect("room");
    let by: Vec<&str> = room.events.iter().map(|e| e.json.as_str()).collect();
    assert_eq!(by, [r#"{"by":"a"}"#, r#"{"by":"b"}"#], "one history");

    // A released room is claimed at once, with the next term.
    b.release(&code("ROOM"), &lease_b).await.expect("release");
    assert!(b.owner(&code("ROOM")).await.expect("owner").is_none());
    let Claim::Mine(again) = a.claim(&code("ROOM")).await.expect("claim") else {
        panic!("a released room is claimed at once");
    };
    assert_eq!(again.term, 3);
    assert!(matches!(
        b.append(pg_batch(&lease_b, "ROOM", Vec::new())).await,
        Err(StoreError::Fenced)
    ));
    assert_eq!(
        a.claim(&code("NOROOM")).await.expect("claim"),
        Claim::NoRoom
    );
    a.close().await.expect("close");
    b.close().await.expect("close");
}

/// The fence is per room inside one group commit: a fenced room's batch is refused while
/// another room's batch in the same transaction commits.
#[tokio::test]
async fn a_fenced_room_does_not_fail_other_rooms_in_the_same_commit() {
    let metrics = Arc::new(Metrics::new());
    let url = Postgres::shared().fresh_database("fence");
    let a = open_pg(&url, "a", metrics.clone()).await;
    let b = open_pg(&url, "b", Arc::new(Metrics::new())).await;
    for code in ["KEPT", "TAKEN"] {
        a.create_room(new_room(code, "{}")).await.expect("create");
    }
    let kept = claim(&a, "KEPT").await;
    let old = claim(&a, "TAKEN").await;
    // B takes TAKEN the way a node takes a stale room: here A simply let it go and took it
    // again under a newer term, which fences the older lease just the same.
    a.release(&code("TAKEN"), &old).await.expect("release");
    let newer = claim(&b, "TAKEN").await;
    assert!(newer.term > old.term);
    let commits = metrics.store_commits.get();
    let (fine, fenced) = tokio::join!(
        a.append(pg_batch(&kept, "KEPT", vec![event(1, "{}")])),
        a.append(pg_batch(&old, "TAKEN", vec![event(1, "{}")])),
    );
    assert_eq!(metrics.store_commits.get(), commits + 1, "one transaction");
    fine.expect("the room still owned commits");
    assert!(matches!(fenced, Err(StoreError::Fenced)), "{fenced:?}");
    assert_eq!(metrics.fenced_appends.get(), 1);
    assert!(
        a.load_room(&code("TAKEN"))
            .await
            .expect("load")
            .expect("room")
            .events
            .is_empty()
    );
    a.close().await.expect("close");
    b.close().await.expect("close");
}

/// A renewal says whether the lease had run out before it: then other nodes may have taken
/// rooms, and the node must confirm each before serving it.
#[tokio::test]
async fn a_renewal_tells_whether_the_lease_ran_out_before() {
    let (a, b, _) = two_nodes().await;
    assert!(a.heartbeat().await.expect("renew"), "a fresh lease");
    assert!(a.heartbeat().await.expect("renew"), "renewed in time");
    tokio::time::sleep(TTL + Duration::from_millis(200)).await;
    assert!(!a.heartbeat().await.expect("renew"), "ran out before");
    assert!(a.heartbeat().await.expect("renew"));
    // A node that closes ends its lease: its rooms are claimable at once.
    b.create_room(new_room("ROOM", "{}")).await.expect("create");
    let lease = claim(&b, "ROOM").await;
    assert_eq!(lease.term, 1);
    b.close().await.expect("close");
    assert!(matches!(a.claim(&code("ROOM")).await.expect("claim"), Claim::Mine(l) if l.term == 2));
    a.close().await.expect("close");
}

/// `VACUUM FULL` copies rows that an older snapshot can still see; a scrub waits until no
/// snapshot older than the delete is left, and the next purge does it.
#[tokio::test]
async fn a_scrub_waits_for_older_snapshots_and_is_done_by_the_next_purge() {
    use sqlx::Connection;
    let _alone = holding_old_snapshots().await;
    let s = Subject::postgres_beside_old_snapshots().await;
    let Place::Postgres(url) = s.place.clone() else {
        unreachable!()
    };
    let canary = "CANARY-snapshot-3be1d0".to_owned();
    s.create(new_room("GONE", "{}")).await.expect("create");
    let mut end = s.batch("GONE", vec![event(1, &format!(r#"{{"text":"{canary}"}}"#))]);
    end.ended_at = Some(2_000);
    s.append(end).await.expect("append");

    // Someone (a report, a dump) holds a snapshot from before the purge.
    let mut reader = sqlx::PgConnection::connect(&url).await.expect("connect");
    sqlx::raw_sql("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM events")
        .execute(&mut reader)
        .await
        .expect("snapshot");
    assert_eq!(
        s.purge_ended(10_000, 0).await.expect("purge"),
        codes(&["GONE"])
    );
    assert!(s.load_room(&code("GONE")).await.expect("load").is_none());
    let owed = Postgres::shared().psql(db_name(&url), "SELECT scrub_owed FROM cluster");
    assert_eq!(owed, "t", "the scrub waits for the old snapshot");
    assert!(
        !s.canaries_in_files(std::slice::from_ref(&canary))
            .is_empty(),
        "the text is still in the table files while the snapshot may read it"
    );

    sqlx::raw_sql("COMMIT")
        .execute(&mut reader)
        .await
        .expect("end the snapshot");
    reader.close().await.expect("close");
    assert!(s.purge_ended(10_000, 0).await.expect("purge").is_empty());
    let owed = Postgres::shared().psql(db_name(&url), "SELECT scrub_owed FROM cluster");
    assert_eq!(owed, "f");
    let left = s.canaries_in_files(std::slice::from_ref(&canary));
    assert!(left.is_empty(), "text left after the next purge: {left:?}");
    s.close().await.expect("close");
}

/// A purge leaves alone the rooms a live node serves (that node purges them after closing
/// them), and takes those of nodes whose lease ran out.
#[tokio::test]
async fn a_purge_leaves_rooms_served_by_another_live_node() {
    let (a, b, _) = two_nodes().await;
    let mut lease = None;
    for code in ["SERVED", "FREE"] {
        a.create_room(new_room(code, "{}")).await.expect("create");
    }
    if let Claim::Mine(l) = b.claim(&code("SERVED")).await.expect("claim") {
        lease = Some(l);
    }
    let lease = lease.expect("claimed");
    let mut end = pg_batch(&lease, "SERVED", vec![event(1, "{}")]);
    end.ended_at = Some(2_000);
    b.append(end).await.expect("end");
    assert_eq!(
        a.purge_ended(10_000, 5_000).await.expect("purge"),
        codes(&["FREE"])
    );
    // B stops renewing; its room is anyone's to purge then.
    tokio::time::sleep(TTL + Duration::from_millis(200)).await;
    assert_eq!(
        a.purge_ended(10_000, 5_000).await.expect("purge"),
        codes(&["SERVED"])
    );
    a.close().await.expect("close");
    b.close().await.expect("close");
}

struct CaptureWriter(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CaptureWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything the stores and their drivers log at TRACE, through a whole room's life, carries
/// no text of the session. (The only test here that installs a global subscriber, so both
/// stores run in it.)
#[tokio::test]
async fn nothing_of_a_session_reaches_the_logs() {
    let captured = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || CaptureWriter(sink.clone()))
        .try_init()
        .expect("the only global subscriber in this test binary");

    let canary = "CANARY-logs-90d1b4";
    for s in [Subject::sqlite().await, Subject::postgres().await] {
        s.create(new_room("LOGS", &format!(r#"{{"title":"{canary}"}}"#)))
            .await
            .expect("create");
        let text = format!(r#"{{"text":"{canary}"}}"#);
        let mut b = s.batch("LOGS", vec![event(1, &text)]);
        b.msg_ids = vec![msg(1, canary, &text)];
        b.snapshot = Some(Snapshot {
            seq: 1,
            json: text.clone(),
        });
        s.append(b.clone()).await.expect("append");
        assert!(s.append(b).await.is_err(), "a refused append logs too");
        s.load_room(&code("LOGS"))
            .await
            .expect("load")
            .expect("room");
        let mut end = s.batch("LOGS", vec![event(2, &text)]);
        end.ended_at = Some(2_000);
        s.append(end).await.expect("end");
        s.purge_ended(u64::MAX >> 2, 0).await.expect("purge");
        s.close().await.expect("close");
    }

    let logs =
        String::from_utf8_lossy(&captured.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    assert!(logs.contains("sqlite store open"), "logs were captured");
    assert!(logs.contains("postgres store open"), "logs were captured");
    assert!(!logs.contains(canary), "session text in the logs:\n{logs}");
}

/// A node frozen in the middle of a commit holds the lock on its rooms' head rows. Postgres
/// ends its session once it has idled inside the transaction for a third of the ttl, so
/// another node's claim goes through after the lease has run out instead of waiting for a
/// node that may never come back.
#[tokio::test]
async fn a_node_frozen_inside_a_transaction_does_not_block_a_claim() {
    use sqlx::Connection;
    let _alone = holding_old_snapshots().await;
    let (a, b, url) = two_nodes().await;
    a.create_room(new_room("ROOM", "{}")).await.expect("create");
    let lease = claim(&a, "ROOM").await;
    // What A's writer does before it commits, on a connection set up as A's are.
    let options = kring_server::store::postgres::session_options(&url, TTL).expect("options");
    let mut frozen = sqlx::PgConnection::connect_with(&options)
        .await
        .expect("connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "BEGIN; UPDATE room_heads SET last_seq = last_seq WHERE code = '{}'",
        code("ROOM").as_str()
    )))
    .execute(&mut frozen)
    .await
    .expect("lock the head row");
    let started = std::time::Instant::now();
    let taken = claim(&b, "ROOM").await;
    assert!(taken.term > lease.term);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the claim waited {:?}",
        started.elapsed()
    );
    // The frozen session is gone: whatever it wanted to commit is not written.
    assert!(sqlx::raw_sql("COMMIT").execute(&mut frozen).await.is_err());
    a.close().await.expect("close");
    b.close().await.expect("close");
}

/// A purge gives its lock back before it returns, so the next purge of the same pass (ended
/// rooms, then groups, then records, back to back) finds it free and does its work. Closing
/// the connection alone returned before the server had dropped the lock: the next purge could
/// skip, keeping content past its retention until the next pass.
#[tokio::test]
async fn each_purge_of_a_pass_finds_the_lock_free() {
    use sqlx::Connection;
    let s = Subject::postgres().await;
    let Place::Postgres(url) = s.place.clone() else {
        unreachable!()
    };
    let mut watcher = sqlx::PgConnection::connect(&url).await.expect("connect");
    let held = "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                WHERE l.locktype = 'advisory' AND d.datname = current_database()";
    for round in 0..20u64 {
        let label = numbered(round as usize);
        let mut room = new_room(&label, "{}");
        room.group = Some(GroupLink {
            id: format!("g{round}"),
            new_token_hash: Some(format!("hash-{round}")),
        });
        s.create(room).await.expect("create");
        // Nothing to purge yet: this purge takes the lock and gives it back.
        assert!(s.purge_ended(0, 0).await.expect("purge").is_empty());
        let after: i64 = sqlx::query_scalar(held)
            .fetch_one(&mut watcher)
            .await
            .expect("locks");
        assert_eq!(
            after, 0,
            "round {round}: the purge lock is free once a purge returns"
        );
        assert_eq!(
            s.purge_groups(1_000_000).await.expect("purge groups"),
            1,
            "round {round}: the purge right after found the lock free"
        );
    }
    s.close().await.expect("close");
}
