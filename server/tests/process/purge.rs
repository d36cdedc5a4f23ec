//! An ended session's content is deleted for good once retention passes: not readable from the
//! database, its WAL, or its shared-memory file.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::server::{Kring, free_port};
use crate::session::run_marked_session;

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
    assert_eq!(
        files_containing(dir.path(), marker),
        Vec::<String>::new(),
        "while running"
    );
    kring.terminate();
    assert_eq!(
        files_containing(dir.path(), marker),
        Vec::<String>::new(),
        "after stopping"
    );
}
