//! The limit on open files: raised to the hard limit at start; caps that do not fit under it
//! are lowered (defaults) or stop kring (set by the operator).

use crate::server::{Kring, free_port, with_files};
use std::process::Stdio;

/// The soft and hard "Max open files" of a running process.
fn open_files_limit(pid: u32) -> (u64, u64) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let numbers: Vec<u64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_soft_limit_is_raised_and_default_caps_are_lowered_to_fit() {
    let dir = tempfile::tempdir().unwrap();
    let json = ["--log-format", "json"];
    let kring = Kring::start_with_files(dir.path(), free_port(), (256, 2048), &json).await;
    assert_eq!(open_files_limit(kring.pid()), (2048, 2048));
    let output = kring.terminate();
    let warning = output
        .lines()
        .find(|l| l.contains("TOO LOW"))
        .unwrap_or_else(|| panic!("no warning:\n{output}"));
    // 2048 - 64 reserved: a quarter for HTTP, the rest for WebSockets.
    assert!(
        warning.contains("\"max_connections\":1488")
            && warning.contains("\"max_http_connections\":496")
            && warning.contains("\"max_http_connections_per_ip\":124"),
        "{warning}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caps_that_fit_start_without_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let flags = ["--max-connections", "1000", "--max-http-connections", "500"];
    let kring = Kring::start_with_files(dir.path(), free_port(), (256, 2048), &flags).await;
    assert_eq!(open_files_limit(kring.pid()), (2048, 2048));
    let output = kring.terminate();
    assert!(!output.contains("TOO LOW"), "{output}");
}

#[test]
fn caps_set_above_the_limit_stop_kring_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let output = with_files(256, 2048)
        .arg("--listen")
        .arg(format!("127.0.0.1:{}", free_port()))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--max-connections", "5000"])
        .env_remove("KRING_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the limit on open files is 2048")
            && stderr.contains("need 9160")
            && stderr.contains("LimitNOFILE"),
        "{stderr}"
    );
}
