//! The SQLite store against its contract: durability, gap-free journals, group commit,
//! idempotent message ids, and deletion that really removes text from the files.

use std::path::Path;
use std::sync::Arc;

use kring_protocol::{MemberId, Role};
use kring_server::metrics::Metrics;
use kring_server::store::{
    AppendBatch, AttendanceRecord, GroupLink, MeetingRecord, MemoryStore, NewRoom, RecordCase,
    RecordMember, Snapshot, SqliteStore, Store, StoreError, StoredEvent, StoredMsgId,
};

async fn open(dir: &Path) -> (SqliteStore, Arc<Metrics>) {
    let metrics = Arc::new(Metrics::new());
    let store = SqliteStore::open(dir, metrics.clone())
        .await
        .expect("open store");
    (store, metrics)
}

fn new_room(code: &str, params_json: &str) -> NewRoom {
    NewRoom {
        code: code.to_owned(),
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
        kind: "item_added",
        json: json.to_owned(),
    }
}

fn batch(room: &str, events: Vec<StoredEvent>) -> AppendBatch {
    AppendBatch {
        room: room.to_owned(),
        events,
        msg_ids: Vec::new(),
        snapshot: None,
        ended_at: None,
        attendance: Vec::new(),
        carry_json: None,
        record: None,
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

#[tokio::test]
async fn a_room_reads_back_as_it_was_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, metrics) = open(dir.path()).await;
    store
        .create_room(new_room("ABCD", r#"{"title":"t"}"#))
        .await
        .expect("create");
    assert!(matches!(
        store.create_room(new_room("ABCD", "{}")).await,
        Err(StoreError::Duplicate)
    ));

    let mut first = batch("ABCD", vec![event(1, r#"{"a":1}"#), event(2, r#"{"a":2}"#)]);
    first.msg_ids = vec![msg(1, "m1", r#"{"ack":1}"#)];
    store.append(first).await.expect("append");
    let mut second = batch("ABCD", vec![event(3, r#"{"a":3}"#)]);
    second.msg_ids = vec![msg(2, "m1", r#"{"ack":2}"#)];
    store.append(second).await.expect("append");

    let room = store.load_room("ABCD").await.expect("load").expect("room");
    assert_eq!(room.code, "ABCD");
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
    assert!(store.load_room("NONE").await.expect("load").is_none());
    assert_eq!(store.room_codes().await.expect("codes"), vec!["ABCD"]);
    assert!(matches!(
        store.append(batch("NONE", vec![event(1, "{}")])).await,
        Err(StoreError::NotFound)
    ));
    store.check_writable().await.expect("writable");
    assert_eq!(metrics.store_commit_seconds.count(), 2);
    assert_eq!(metrics.store_batch_events.get(), 3);

    store.close().await.expect("close");
    assert!(matches!(
        store.append(batch("ABCD", vec![event(4, "{}")])).await,
        Err(StoreError::Closed)
    ));
    assert!(matches!(
        store.load_room("ABCD").await,
        Err(StoreError::Closed)
    ));
}

/// Runs on the current-thread runtime: both appends are queued before the writer runs, so
/// they are written by one transaction (checked through the commit counter).
#[tokio::test]
async fn a_gap_in_one_room_does_not_fail_another_room_in_the_same_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, metrics) = open(dir.path()).await;
    for code in ["AAAA", "BBBB"] {
        store
            .create_room(new_room(code, "{}"))
            .await
            .expect("create");
    }
    store
        .append(batch("AAAA", vec![event(1, "{}")]))
        .await
        .expect("append");

    let commits = metrics.store_commits.get();
    let (gap, fine) = tokio::join!(
        store.append(batch("AAAA", vec![event(3, "{}")])),
        store.append(batch("BBBB", vec![event(1, "{}"), event(2, "{}")])),
    );
    assert_eq!(
        metrics.store_commits.get(),
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
        store
            .append(batch("AAAA", vec![event(2, "{}"), event(4, "{}")]))
            .await,
        Err(StoreError::Gap {
            expected: 3,
            got: 4
        })
    ));

    let a = store.load_room("AAAA").await.expect("load").expect("room");
    let b = store.load_room("BBBB").await.expect("load").expect("room");
    assert_eq!(seqs(&a.events), vec![1]);
    assert_eq!(seqs(&b.events), vec![1, 2]);
    store.close().await.expect("close");
}

#[tokio::test]
async fn a_batch_is_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, metrics) = open(dir.path()).await;
    for code in ["AAAA", "BBBB"] {
        store
            .create_room(new_room(code, "{}"))
            .await
            .expect("create");
    }
    let mut first = batch("AAAA", vec![event(1, "{}")]);
    first.msg_ids = vec![msg(1, "m1", "{}")];
    store.append(first).await.expect("append");

    // The second batch passes the sequence check but its message id is taken: none of its
    // events, snapshot or end may remain, and the other room in the commit is unaffected.
    let mut dup = batch("AAAA", vec![event(2, "{}"), event(3, "{}")]);
    dup.msg_ids = vec![msg(1, "m2", "{}"), msg(1, "m1", "{}")];
    dup.snapshot = Some(Snapshot {
        seq: 3,
        json: "{}".to_owned(),
    });
    dup.ended_at = Some(5_000);
    let commits = metrics.store_commits.get();
    let (dup, fine) = tokio::join!(
        store.append(dup),
        store.append(batch("BBBB", vec![event(1, "{}")])),
    );
    assert_eq!(metrics.store_commits.get(), commits + 1);
    let err = dup.expect_err("duplicate message id");
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    fine.expect("other room");

    let a = store.load_room("AAAA").await.expect("load").expect("room");
    assert_eq!(seqs(&a.events), vec![1]);
    assert_eq!(a.msg_ids, vec![msg(1, "m1", "{}")]);
    assert_eq!(a.snapshot, None);
    assert_eq!(a.ended_at, None);
    // The refused batch left no trace in the sequence either: 2 is still next.
    store
        .append(batch("AAAA", vec![event(2, "{}")]))
        .await
        .expect("append after refusal");
    store.close().await.expect("close");
}

#[tokio::test]
async fn message_ids_are_unique_per_member_within_a_room() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = open(dir.path()).await;
    for code in ["AAAA", "BBBB"] {
        store
            .create_room(new_room(code, "{}"))
            .await
            .expect("create");
    }
    let mut ok = batch("AAAA", vec![event(1, "{}")]);
    ok.msg_ids = vec![msg(1, "x", "{}")];
    store.append(ok).await.expect("first");
    // Same id, another member: allowed.
    let mut ok = batch("AAAA", vec![event(2, "{}")]);
    ok.msg_ids = vec![msg(2, "x", "{}")];
    store.append(ok).await.expect("other member");
    // Same id and member, another room: allowed.
    let mut ok = batch("BBBB", vec![event(1, "{}")]);
    ok.msg_ids = vec![msg(1, "x", "{}")];
    store.append(ok).await.expect("other room");
    // Same id, member and room: refused.
    let mut dup = batch("AAAA", vec![event(3, "{}")]);
    dup.msg_ids = vec![msg(1, "x", "{}")];
    assert!(store.append(dup).await.is_err());
    let a = store.load_room("AAAA").await.expect("load").expect("room");
    assert_eq!(a.msg_ids.len(), 2);
    assert_eq!(seqs(&a.events), vec![1, 2]);
    store.close().await.expect("close");
}

/// Two requests in one commit sending the same id: the first keeps it, the second is refused
/// whole, and the rest of the commit (a third room, a later batch of the first) is written.
#[tokio::test]
async fn a_message_id_sent_twice_in_one_commit_is_stored_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, metrics) = open(dir.path()).await;
    for code in ["AAAA", "BBBB", "CCCC"] {
        store
            .create_room(new_room(code, "{}"))
            .await
            .expect("create");
    }
    let mut first = batch("AAAA", vec![event(1, r#"{"n":"first"}"#)]);
    first.msg_ids = vec![msg(1, "k", "{}")];
    let mut again = batch("BBBB", vec![event(1, "{}")]);
    again.msg_ids = vec![msg(1, "k", "{}"), msg(1, "k", "{}")];
    let mut second = batch("AAAA", vec![event(2, r#"{"n":"second"}"#)]);
    second.msg_ids = vec![msg(1, "k", "{}")];
    let commits = metrics.store_commits.get();
    let (first, again, second, other) = tokio::join!(
        store.append(first),
        store.append(again),
        store.append(second),
        store.append(batch("CCCC", vec![event(1, "{}")])),
    );
    assert_eq!(metrics.store_commits.get(), commits + 1);
    first.expect("first sender keeps the id");
    assert!(again.is_err(), "the same id twice in one batch");
    assert!(second.is_err(), "the same id again in the same room");
    other.expect("an unrelated room");
    let a = store.load_room("AAAA").await.expect("load").expect("room");
    assert_eq!(a.events, vec![event(1, r#"{"n":"first"}"#)]);
    assert_eq!(a.msg_ids, vec![msg(1, "k", "{}")]);
    let b = store.load_room("BBBB").await.expect("load").expect("room");
    assert!(b.events.is_empty() && b.msg_ids.is_empty());
    let c = store.load_room("CCCC").await.expect("load").expect("room");
    assert_eq!(seqs(&c.events), vec![1]);
    store.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_rooms_share_commits_and_keep_gap_free_journals() {
    const ROOMS: usize = 50;
    const EVENTS: u64 = 40;
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, metrics) = open(dir.path()).await;
    let store = Arc::new(store);
    for i in 0..ROOMS {
        store
            .create_room(new_room(&format!("R{i:03}"), "{}"))
            .await
            .expect("create");
    }
    let commits_before = metrics.store_commits.get();
    let tasks: Vec<_> = (0..ROOMS)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let code = format!("R{i:03}");
                for seq in 1..=EVENTS {
                    let json = format!(r#"{{"room":{i},"seq":{seq}}}"#);
                    store
                        .append(batch(&code, vec![event(seq, &json)]))
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
    let commits = metrics.store_commits.get() - commits_before;
    assert!(
        commits < appends,
        "group commit: {commits} transactions for {appends} appends"
    );
    assert_eq!(metrics.store_batch_events.get(), appends);
    for i in 0..ROOMS {
        let room = store
            .load_room(&format!("R{i:03}"))
            .await
            .expect("load")
            .expect("room");
        assert_eq!(seqs(&room.events), (1..=EVENTS).collect::<Vec<_>>());
        for e in &room.events {
            assert_eq!(e.json, format!(r#"{{"room":{i},"seq":{}}}"#, e.seq));
        }
    }
    store.close().await.expect("close");
}

#[tokio::test]
async fn a_snapshot_replaces_the_last_and_keeps_the_journal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = open(dir.path()).await;
    store
        .create_room(new_room("ABCD", "{}"))
        .await
        .expect("create");
    store
        .append(batch("ABCD", (1..=3).map(|s| event(s, "{}")).collect()))
        .await
        .expect("append");
    let mut snap = batch("ABCD", vec![event(4, "{}")]);
    snap.snapshot = Some(Snapshot {
        seq: 4,
        json: r#"{"v":4}"#.to_owned(),
    });
    store.append(snap).await.expect("snapshot 4");
    let mut snap = batch("ABCD", vec![event(5, "{}"), event(6, "{}")]);
    snap.snapshot = Some(Snapshot {
        seq: 6,
        json: r#"{"v":6}"#.to_owned(),
    });
    store.append(snap).await.expect("snapshot 6");
    store
        .append(batch("ABCD", vec![event(7, "{}")]))
        .await
        .expect("append");

    let room = store.load_room("ABCD").await.expect("load").expect("room");
    assert_eq!(
        room.snapshot,
        Some(Snapshot {
            seq: 6,
            json: r#"{"v":6}"#.to_owned()
        })
    );
    assert_eq!(seqs(&room.events), (1..=7).collect::<Vec<_>>());
    store.close().await.expect("close");

    // A cold start finds the sequence from the journal.
    let (store, _) = open(dir.path()).await;
    assert!(matches!(
        store.append(batch("ABCD", vec![event(9, "{}")])).await,
        Err(StoreError::Gap {
            expected: 8,
            got: 9
        })
    ));
    store
        .append(batch("ABCD", vec![event(8, "{}")]))
        .await
        .expect("append after reopen");
    store.close().await.expect("close");
}

#[tokio::test]
async fn a_reopened_store_has_everything_that_was_acknowledged() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (store, _) = open(dir.path()).await;
        store
            .create_room(new_room("ABCD", r#"{"p":1}"#))
            .await
            .expect("create");
        let mut b = batch("ABCD", (1..=5).map(|s| event(s, "{}")).collect());
        b.msg_ids = vec![msg(3, "q", r#"{"ok":true}"#)];
        b.snapshot = Some(Snapshot {
            seq: 5,
            json: "{}".to_owned(),
        });
        b.ended_at = Some(9_000);
        store.append(b).await.expect("append");
        // Dropped without close: the WAL is left for the next open to recover.
    }
    // The writer task lets go of the connection once it sees the queue closed.
    tokio::task::yield_now().await;
    let (store, _) = open(dir.path()).await;
    let room = store.load_room("ABCD").await.expect("load").expect("room");
    assert_eq!(room.params_json, r#"{"p":1}"#);
    assert_eq!(seqs(&room.events), vec![1, 2, 3, 4, 5]);
    assert_eq!(room.msg_ids, vec![msg(3, "q", r#"{"ok":true}"#)]);
    assert_eq!(room.snapshot.map(|s| s.seq), Some(5));
    assert_eq!(room.ended_at, Some(9_000));
    store
        .append(batch("ABCD", vec![event(6, "{}")]))
        .await
        .expect("continue after reopen");
    store.close().await.expect("close");
}

#[tokio::test]
async fn a_data_directory_serves_one_store_at_a_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = open(dir.path()).await;
    let second = SqliteStore::open(dir.path(), Arc::new(Metrics::new())).await;
    assert!(second.is_err(), "a second store on the same files");
    store.close().await.expect("close");
}

#[tokio::test]
async fn purge_removes_ended_and_idle_rooms_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = open(dir.path()).await;
    for code in ["ENDED", "IDLE", "LIVE", "RECENT"] {
        store
            .create_room(new_room(code, "{}"))
            .await
            .expect("create");
    }
    let mut end = batch("ENDED", vec![event(1, "{}")]);
    end.ended_at = Some(2_000);
    store.append(end).await.expect("end");
    let mut recent = batch("RECENT", vec![event(1, "{}")]);
    recent.events[0].at = 60_000;
    recent.ended_at = Some(50_000);
    store.append(recent).await.expect("end");
    let mut live = batch("LIVE", vec![event(1, "{}")]);
    live.events[0].at = 60_000;
    store.append(live).await.expect("live");
    // IDLE was last active at its creation (1_000).

    let mut purged = store.purge_ended(10_000, 5_000).await.expect("purge");
    purged.sort();
    assert_eq!(purged, vec!["ENDED", "IDLE"]);
    assert_eq!(
        store.room_codes().await.expect("codes"),
        vec!["LIVE", "RECENT"]
    );
    assert!(store.load_room("ENDED").await.expect("load").is_none());
    // A purged code is gone for appends too, even though the writer knew its sequence.
    assert!(matches!(
        store.append(batch("ENDED", vec![event(2, "{}")])).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .purge_ended(10_000, 5_000)
            .await
            .expect("purge")
            .is_empty()
    );
    store.close().await.expect("close");
}

const FILES: [&str; 3] = ["kring.db", "kring.db-wal", "kring.db-shm"];

/// Which canaries occur anywhere in the store's files.
fn canaries_in_files(dir: &Path, canaries: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for file in FILES {
        let Ok(bytes) = std::fs::read(dir.join(file)) else {
            continue;
        };
        for canary in canaries {
            if bytes.windows(canary.len()).any(|w| w == canary.as_bytes()) {
                found.push(format!("{canary} in {file}"));
            }
        }
    }
    found
}

async fn integrity_check(dir: &Path) -> String {
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

/// The promise to a group: once a session is purged, its text is in none of the files.
/// Canaries go into every place text is stored (params, events small and large enough to
/// spill into overflow pages, message ids, acks, snapshots that are later replaced), and the
/// purged room's rows are interleaved with a room that stays, so pages are shared, split and
/// rewritten before and after the purge.
#[tokio::test]
async fn purged_text_is_gone_from_every_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = open(dir.path()).await;
    let secret = |what: &str| format!("CANARY-{what}-7f3a9c");
    let canaries: Vec<String> = ["params", "event", "large", "msgid", "ack", "snap1", "snap2"]
        .iter()
        .map(|w| secret(w))
        .collect();

    store
        .create_room(new_room(
            "SECRET",
            &format!(r#"{{"title":"{}"}}"#, secret("params")),
        ))
        .await
        .expect("create");
    store
        .create_room(new_room("STAYS", r#"{"title":"ordinary"}"#))
        .await
        .expect("create");

    let filler = "x".repeat(200);
    for seq in 1..=300u64 {
        let json = match seq {
            150 => format!(r#"{{"text":"{}{}"}}"#, secret("large"), "y".repeat(20_000)),
            _ => format!(r#"{{"text":"{} {seq} {filler}"}}"#, secret("event")),
        };
        let mut b = batch("SECRET", vec![event(seq, &json)]);
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
        store.append(b).await.expect("append secret");
        store
            .append(batch(
                "STAYS",
                vec![event(seq, &format!(r#"{{"text":"{filler}"}}"#))],
            ))
            .await
            .expect("append stays");
    }
    let mut end = batch("SECRET", vec![event(301, "{}")]);
    end.ended_at = Some(10_000);
    store.append(end).await.expect("end");

    // The test can fail: every canary is on disk before the purge.
    let before = canaries_in_files(dir.path(), &canaries);
    for canary in &canaries {
        assert!(
            before.iter().any(|f| f.starts_with(canary.as_str())),
            "{canary} not written before the purge: {before:?}"
        );
    }

    let purged = store.purge_ended(20_000, 0).await.expect("purge");
    assert_eq!(purged, vec!["SECRET"]);
    let after_purge = canaries_in_files(dir.path(), &canaries);
    assert!(
        after_purge.is_empty(),
        "text left after purge: {after_purge:?}"
    );

    // The remaining room keeps writing (splitting and reusing freed pages); still clean.
    for seq in 301..=400u64 {
        store
            .append(batch(
                "STAYS",
                vec![event(seq, &format!(r#"{{"text":"{filler}"}}"#))],
            ))
            .await
            .expect("append stays");
    }
    store.close().await.expect("close");
    let after_close = canaries_in_files(dir.path(), &canaries);
    assert!(
        after_close.is_empty(),
        "text left after close: {after_close:?}"
    );
    assert_eq!(integrity_check(dir.path()).await, "ok");

    let (store, _) = open(dir.path()).await;
    let stays = store.load_room("STAYS").await.expect("load").expect("room");
    assert_eq!(seqs(&stays.events), (1..=400).collect::<Vec<_>>());
    assert!(store.load_room("SECRET").await.expect("load").is_none());
    store.close().await.expect("close");
}

/// A crash between a purge's delete and its scrub must not leave the text behind: the debt
/// is recorded with the delete, and the next start pays it before serving.
#[tokio::test]
async fn an_interrupted_purge_is_finished_at_the_next_start() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().expect("tempdir");
    let canary = "CANARY-interrupted-51c2e8".to_owned();
    {
        let (store, _) = open(dir.path()).await;
        store
            .create_room(new_room("GONE", "{}"))
            .await
            .expect("create");
        let text = format!(r#"{{"text":"{canary}"}}"#);
        store
            .append(batch("GONE", vec![event(1, &text), event(2, &text)]))
            .await
            .expect("append");
        store.close().await.expect("close");
    }
    // What a purge that died after its delete committed leaves: rows gone, text still in the
    // pages (here with secure_delete off, the worst case), and the debt recorded.
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.path().join("kring.db"))
            .pragma("secure_delete", "OFF");
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .expect("connect");
        sqlx::raw_sql(
            "PRAGMA foreign_keys = ON;
             DELETE FROM rooms WHERE code = 'GONE';
             UPDATE maintenance SET scrub_owed = 1;",
        )
        .execute(&mut conn)
        .await
        .expect("delete");
        conn.close().await.expect("close");
    }
    let left = canaries_in_files(dir.path(), std::slice::from_ref(&canary));
    assert!(!left.is_empty(), "the simulated crash must leave the text");

    let (store, _) = open(dir.path()).await;
    // Answered only after the start-up scrub, which runs before any request.
    store.check_writable().await.expect("writable");
    let left = canaries_in_files(dir.path(), std::slice::from_ref(&canary));
    assert!(left.is_empty(), "text left after restart: {left:?}");
    assert!(store.room_codes().await.expect("codes").is_empty());
    store.close().await.expect("close");
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

/// Everything the store and its driver log at TRACE, through a whole room's life, carries
/// no text of the session. (The only test here that installs a global subscriber.)
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

    let dir = tempfile::tempdir().expect("tempdir");
    let canary = "CANARY-logs-90d1b4";
    let (store, _) = open(dir.path()).await;
    store
        .create_room(new_room("LOGS", &format!(r#"{{"title":"{canary}"}}"#)))
        .await
        .expect("create");
    let text = format!(r#"{{"text":"{canary}"}}"#);
    let mut b = batch("LOGS", vec![event(1, &text)]);
    b.msg_ids = vec![msg(1, canary, &text)];
    b.snapshot = Some(Snapshot {
        seq: 1,
        json: text.clone(),
    });
    store.append(b.clone()).await.expect("append");
    assert!(store.append(b).await.is_err(), "a refused append logs too");
    store.load_room("LOGS").await.expect("load").expect("room");
    let mut end = batch("LOGS", vec![event(2, &text)]);
    end.ended_at = Some(2_000);
    store.append(end).await.expect("end");
    store.purge_ended(u64::MAX >> 2, 0).await.expect("purge");
    store.close().await.expect("close");

    let logs =
        String::from_utf8_lossy(&captured.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    assert!(logs.contains("sqlite store open"), "logs were captured");
    assert!(!logs.contains(canary), "session text in the logs:\n{logs}");
}

#[tokio::test]
async fn a_group_carry_outlives_its_session_until_the_group_goes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = open(dir.path()).await;
    let carry = "CARRY-CANARY-0a7e";
    let mut room = new_room("GROUPROOM", "{}");
    room.group = Some(GroupLink {
        id: "g1".into(),
        new_token_hash: Some("hash-of-g1".into()),
    });
    store.create_room(room).await.expect("create");
    let mut end = batch("GROUPROOM", vec![event(1, "{}")]);
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
    store.append(end).await.expect("end");

    let loaded = store
        .load_room("GROUPROOM")
        .await
        .expect("load")
        .expect("room");
    assert_eq!(loaded.group_id.as_deref(), Some("g1"));
    assert_eq!(loaded.attendance.len(), 1);
    assert_eq!(loaded.attendance[0].present_ms, 60_000);
    assert_eq!(loaded.attendance[0].away_since, Some(2_000));

    // The session goes; what the group kept stays.
    assert_eq!(
        store.purge_ended(10_000, 0).await.expect("purge"),
        ["GROUPROOM"]
    );
    let group = store
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
    store.create_room(next).await.expect("create next");
    assert!(store.group_by_token("other").await.expect("read").is_none());
    assert_eq!(store.purge_groups(40_000).await.expect("purge groups"), 0);

    // A group idle past retention goes, carry and all, and so does its text.
    assert_eq!(store.purge_groups(60_000).await.expect("purge groups"), 1);
    assert!(
        store
            .group_by_token("hash-of-g1")
            .await
            .expect("read")
            .is_none()
    );
    store.close().await.expect("close");
    assert_eq!(
        canaries_in_files(dir.path(), &[carry.to_owned()]),
        Vec::<String>::new()
    );
    assert_eq!(integrity_check(dir.path()).await, "ok");
}

fn meeting_record(room: &str, ended_at: Option<u64>, registration: &str) -> MeetingRecord {
    MeetingRecord {
        room: room.to_owned(),
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
                certificate: format!("{room}-CERT-1"),
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
                certificate: format!("{room}-CERT-2"),
                token_hash: Some("anna-hash".into()),
            },
        ],
    }
}

/// The contract for attendance records, for every store: written with an append, read back
/// whole by room and by certificate code, replaced by a later append, outliving the room's
/// purge, holding its code, and purged on their own clock.
async fn records_contract(store: &dyn Store) {
    store
        .create_room(new_room("RECROOM", "{}"))
        .await
        .expect("create");
    assert!(store.record("RECROOM").await.expect("read").is_none());
    let mut first = batch("RECROOM", vec![event(1, "{}")]);
    first.record = Some(Box::new(meeting_record("RECROOM", None, "BIG 1")));
    store.append(first).await.expect("append");
    let mut end = batch("RECROOM", vec![event(2, "{}")]);
    end.ended_at = Some(9_000_000);
    let ended = meeting_record("RECROOM", Some(9_000_000), "SKJ 100012345");
    end.record = Some(Box::new(ended.clone()));
    store.append(end).await.expect("end");

    assert_eq!(
        store.record("RECROOM").await.expect("read"),
        Some(ended.clone())
    );
    assert_eq!(
        store
            .record_by_certificate("RECROOM-CERT-2")
            .await
            .expect("read"),
        Some(ended.clone())
    );
    assert!(
        store
            .record_by_certificate("RECROOM-CERT-9")
            .await
            .expect("read")
            .is_none()
    );

    // The room's content goes after days; its record stays, and so does its code.
    assert_eq!(
        store.purge_ended(10_000_000, 0).await.expect("purge"),
        ["RECROOM"]
    );
    assert!(store.load_room("RECROOM").await.expect("load").is_none());
    assert_eq!(store.record("RECROOM").await.expect("read"), Some(ended));
    assert!(matches!(
        store.create_room(new_room("RECROOM", "{}")).await,
        Err(StoreError::Duplicate)
    ));

    // The record goes on its own clock: kept until its meeting ended before the cut-off.
    assert_eq!(store.purge_records(9_000_000).await.expect("purge"), 0);
    assert_eq!(store.purge_records(9_000_001).await.expect("purge"), 1);
    assert!(store.record("RECROOM").await.expect("read").is_none());
    assert!(
        store
            .record_by_certificate("RECROOM-CERT-2")
            .await
            .expect("read")
            .is_none()
    );
    store
        .create_room(new_room("RECROOM", "{}"))
        .await
        .expect("the code is free again");
}

#[tokio::test]
async fn attendance_records_outlive_their_room_in_sqlite_and_are_scrubbed_after_retention() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = open(dir.path()).await;
    records_contract(&store).await;
    store.close().await.expect("close");
    // A purged record's registration number is gone from the files too.
    assert_eq!(
        canaries_in_files(dir.path(), &["SKJ 100012345".to_owned()]),
        Vec::<String>::new()
    );
    assert_eq!(integrity_check(dir.path()).await, "ok");
}

#[tokio::test]
async fn attendance_records_outlive_their_room_in_memory() {
    records_contract(&MemoryStore::new()).await;
}

#[tokio::test]
async fn attendance_records_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = open(dir.path()).await;
    store
        .create_room(new_room("KEPTROOM", "{}"))
        .await
        .expect("create");
    let mut end = batch("KEPTROOM", vec![event(1, "{}")]);
    let record = meeting_record("KEPTROOM", Some(5_000), "BIG 19012345601");
    end.record = Some(Box::new(record.clone()));
    store.append(end).await.expect("append");
    store.close().await.expect("close");
    let (store, _) = open(dir.path()).await;
    assert_eq!(store.record("KEPTROOM").await.expect("read"), Some(record));
    store.close().await.expect("close");
}
