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
}
