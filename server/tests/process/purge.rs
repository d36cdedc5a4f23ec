//! An ended session's content is deleted for good once retention passes: not readable from the
//! database, its WAL, or its shared-memory file. What stays is the meeting's attendance record,
//! which holds the members' names and nothing else of what was written.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::server::{Kring, free_port};
use crate::session::run_marked_session;

/// The files holding `needle` other than in one of the `kept` texts that start with it.
fn files_with_content(dir: &Path, needle: &str, kept: &[String]) -> Vec<String> {
    ["kring.db", "kring.db-wal", "kring.db-shm"]
        .into_iter()
        .filter(|name| {
            let bytes = std::fs::read(dir.join(name)).unwrap_or_default();
            (0..bytes.len().saturating_sub(needle.len() - 1)).any(|i| {
                bytes[i..].starts_with(needle.as_bytes())
                    && !kept.iter().any(|k| bytes[i..].starts_with(k.as_bytes()))
            })
        })
        .map(str::to_owned)
        .collect()
}

fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    ["kring.db", "kring.db-wal", "kring.db-shm"]
        .into_iter()
        .filter(|name| {
            std::fs::read(dir.join(name))
                .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
                .unwrap_or(false)
        })
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ended_sessions_are_purged_from_the_database_files() {
    let dir = tempfile::tempdir().unwrap();
    // Purging is held off (one hour) until the content has been seen in the files.
    let port = free_port();
    let hold = [
        "--retention",
        "1h",
        "--submit-limit",
        "1000/1s",
        "--message-rate",
        "1000/1s",
    ];
    let kring = Kring::start(dir.path(), port, &hold).await;
    let marker = "CANARY-PURGE-91c2";
    let marked = run_marked_session(&kring.client(), marker).await;
    kring.terminate();
    assert!(
        !files_containing(dir.path(), marker).is_empty(),
        "the content was written to the files (so this test can fail)"
    );

    let purge_now = ["--retention", "0", "--purge-interval", "100ms"];
    let kring = Kring::start(dir.path(), port, &purge_now).await;
    let server = kring.client();
    let url = server.url(&format!("/api/sessions/{}/summary", marked.session.code));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = server
            .http
            .get(&url)
            .bearer_auth(&marked.case_bringer_token)
            .send()
            .await
            .unwrap()
            .status();
        if status == 404 {
            break;
        }
        assert!(Instant::now() < deadline, "the session was not purged");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The attendance record keeps the members' names (registers need them); nothing else.
    let names: Vec<String> = ["facilitator", "carla", "piet"]
        .iter()
        .map(|who| format!("{marker} {who}"))
        .collect();
    assert_eq!(
        files_with_content(dir.path(), marker, &names),
        Vec::<String>::new(),
        "while running"
    );
    let list = server
        .http
        .get(server.url(&format!(
            "/api/sessions/{}/attendance?format=csv",
            marked.session.code
        )))
        .bearer_auth(&marked.session.facilitator_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains(&names[1]),
        "the record outlives the content: {list}"
    );
    kring.terminate();
    assert_eq!(
        files_with_content(dir.path(), marker, &names),
        Vec::<String>::new(),
        "after stopping"
    );
}
