//! Connection handling below the routes: the deadline on request headers.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::*;

const HEADER_TIMEOUT: Duration = Duration::from_millis(500);

/// Reads until the server closes the connection; `None` if it is still open after `within`.
async fn closes_within(tcp: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    match tokio::time::timeout(within, tcp.read_to_end(&mut seen)).await {
        Ok(_) => Some(seen),
        Err(_) => None,
    }
}

#[tokio::test]
async fn half_sent_headers_are_cut_off_at_the_header_timeout() {
    let server = spawn_with(|cfg| cfg.header_timeout = HEADER_TIMEOUT).await;
    // The server's clock starts at its accept, which may come before `connect` returns here.
    let started = Instant::now();
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();

    assert!(
        closes_within(&mut slow, Duration::from_millis(200))
            .await
            .is_none(),
        "closed before the header timeout"
    );
    // Everyone else is served meanwhile.
    let health = server
        .http
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    let answer = closes_within(&mut slow, Duration::from_secs(3))
        .await
        .expect("a half-sent request is cut off");
    let waited = started.elapsed();
    assert!(waited >= HEADER_TIMEOUT, "closed after {waited:?}");
    assert!(
        !String::from_utf8_lossy(&answer).contains(" 200 "),
        "a half-sent request got an answer"
    );
    assert!(
        closes_within(&mut silent, Duration::from_secs(3))
            .await
            .is_some(),
        "a connection that sends nothing is cut off too"
    );
}

#[tokio::test]
async fn websockets_outlive_the_header_timeout() {
    let server = spawn_with(|cfg| cfg.header_timeout = HEADER_TIMEOUT).await;
    let session = server.create_session("basic").await;
    let mut anna = server.join(&session, "Anna").await;
    tokio::time::sleep(HEADER_TIMEOUT * 3).await;

    let _bob = server.join(&session, "Bob").await;
    // Anna's socket is still served: she hears about Bob.
    anna.recv_any().await;
}

#[tokio::test]
async fn plain_http_sends_no_hsts() {
    let server = spawn_app().await;
    let health = server
        .http
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(!health.headers().contains_key("strict-transport-security"));
    let session = server.create_session("basic").await;
    assert!(
        session.join_url.starts_with("http://"),
        "{}",
        session.join_url
    );
}
