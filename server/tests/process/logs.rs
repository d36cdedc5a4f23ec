//! At TRACE level, with JSON logs, no session content reaches stdout or stderr.

use sqlx::{Connection, SqliteConnection};

use crate::server::{Kring, free_port};
use crate::session::run_marked_session;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_logs_carry_no_session_content() {
    let dir = tempfile::tempdir().unwrap();
    let flags = [
        "--log",
        "trace",
        "--log-format",
        "json",
        "--submit-limit",
        "1000/1s",
        "--message-rate",
        "1000/1s",
    ];
    let kring = Kring::start(dir.path(), free_port(), &flags).await;
    let marker = "CANARY-LOG-4b1d";
    let marked = run_marked_session(&kring.client(), marker).await;
    let summary = kring
        .client()
        .http
        .get(
            kring
                .client()
                .url(&format!("/api/sessions/{}/summary", marked.session.code)),
        )
        .bearer_auth(&marked.case_bringer_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        summary.contains(marker),
        "the summary itself does carry the content"
    );

    let output = kring.terminate();
    assert!(
        output.contains("\"level\":\"TRACE\""),
        "TRACE logging was on:\n{output}"
    );
    assert!(output.contains("session created"));
    assert!(output.contains("batch committed") && output.contains("command refused"));
    if let Some(line) = output.lines().find(|l| l.contains("CANARY")) {
        panic!("session content in the log: {line}");
    }
    assert_no_room_code(&output, &marked.session.code);
}

/// Room codes are keys to rooms: logs name rooms by a keyed hash (`redact.rs`).
fn assert_no_room_code(output: &str, code: &str) {
    let canonical = code.replace('-', "");
    if let Some(line) = output
        .lines()
        .find(|l| l.contains(code) || l.contains(&canonical))
    {
        panic!("a room code in the log: {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_for_library_modules_cannot_lift_the_caps() {
    let dir = tempfile::tempdir().unwrap();
    let filter = "info,tungstenite::protocol=trace,tungstenite::protocol::frame=trace,\
                  tokio_tungstenite=trace,hyper::proto=trace,hyper_util=trace,axum=trace,\
                  kring_server=trace";
    let flags = [
        "--log",
        filter,
        "--submit-limit",
        "1000/1s",
        "--message-rate",
        "1000/1s",
    ];
    let kring = Kring::start(dir.path(), free_port(), &flags).await;
    let marker = "CANARY-CAPS-7e2a";
    let marked = run_marked_session(&kring.client(), marker).await;
    let output = kring.terminate();
    assert!(output.contains("session created"), "{output}");
    for secret in [marker, marked.case_bringer_token.as_str()] {
        if let Some(line) = output.lines().find(|l| l.contains(secret)) {
            panic!("a secret in the log: {line}");
        }
    }
    assert_no_room_code(&output, &marked.session.code);
}

/// A room whose stored state cannot be rebuilt is a genuine internal failure: a read of it is
/// answered 500 (`internal`), and the log says so, naming the room by its tag only and
/// without the text the broken JSON holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_that_cannot_be_restored_is_logged_and_answered_500() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let kring = Kring::start(dir.path(), port, &[]).await;
    let session = kring.client().create_session("basic").await;
    kring.terminate();

    // A JSON string where the session's parameters belong: its parser's message would quote it.
    let marker = "CANARY-RESTORE-7c1e";
    let url = format!("sqlite://{}?mode=rw", dir.path().join("kring.db").display());
    let mut db = SqliteConnection::connect(&url).await.unwrap();
    let changed = sqlx::query("UPDATE rooms SET params_json = ?")
        .bind(format!("\"{marker}\""))
        .execute(&mut db)
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    db.close().await.unwrap();

    let kring = Kring::start(dir.path(), port, &["--log-format", "json"]).await;
    let server = kring.client();
    let response = server
        .http
        .get(server.url(&format!("/api/sessions/{}/attendance", session.code)))
        .bearer_auth(&session.facilitator_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "internal");

    let output = kring.terminate();
    let logged = output
        .lines()
        .find(|l| l.contains("room query failed"))
        .unwrap_or_else(|| panic!("the failure is not logged:\n{output}"));
    assert!(
        logged.contains("\"room\":\""),
        "the room's tag is named: {logged}"
    );
    assert!(
        logged.contains("cannot be read"),
        "the cause is named: {logged}"
    );
    if let Some(line) = output.lines().find(|l| l.contains("CANARY")) {
        panic!("stored content in the log: {line}");
    }
    assert_no_room_code(&output, &session.code);
}
