//! At TRACE level, with JSON logs, no session content reaches stdout or stderr.

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
