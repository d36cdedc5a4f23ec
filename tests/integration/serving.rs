//! Connection handling below the routes: deadlines on request headers and bodies, caps on
//! open HTTP connections, keep-alive.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::*;
use crate::rawhttp::{self, connect_from, exchange, get};

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

/// The attack from the review: a POST that announces 60,000 bytes and sends one.
const SLOW_BODY: &str = "POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                         Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n{";

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_answered_408_and_closed() {
    let body_timeout = Duration::from_millis(800);
    let server = spawn_with(|cfg| cfg.body_timeout = body_timeout).await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(SLOW_BODY.as_bytes()).await.unwrap();
    let sent = Instant::now();

    let answer = rawhttp::read_answer(&mut slow, Duration::from_secs(5))
        .await
        .expect("an answer at the deadline");
    let waited = sent.elapsed();
    assert_eq!(answer.status, 408, "{answer:?}");
    assert_eq!(answer.header("connection"), Some("close"));
    assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
    assert!(
        waited >= body_timeout - Duration::from_millis(50) && waited < body_timeout * 3,
        "answered after {waited:?}"
    );
    assert!(
        rawhttp::ends_within(&mut slow, Duration::from_secs(1)).await,
        "the connection stays open after the deadline"
    );
    let metrics = server.get_text("/metrics").await;
    assert_eq!(metric_value(&metrics, "kring_body_timeouts_total"), 1);

    // A body that trickles in, a byte at a time, is held to the same deadline in total.
    let mut trickle = TcpStream::connect(server.addr).await.unwrap();
    trickle
        .write_all(
            b"POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let mut closed_after = None;
    for _ in 0..40 {
        if trickle.write_all(b" ").await.is_err() {
            closed_after = Some(started.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let closed_after = closed_after.expect("a trickling body is cut off");
    assert!(
        closed_after < body_timeout * 3,
        "closed after {closed_after:?}"
    );
}

#[tokio::test]
async fn http_connections_are_capped_per_address_while_others_are_served() {
    let server = spawn_with(|cfg| cfg.max_http_connections_per_ip = 4).await;
    // The slow-body attack from one address: only four of its connections are taken.
    let mut held = Vec::new();
    let mut refused = 0;
    for _ in 0..10 {
        let mut tcp = connect_from([127, 0, 0, 1], server.addr).await;
        tcp.write_all(SLOW_BODY.as_bytes()).await.unwrap();
        held.push(tcp);
    }
    for tcp in &mut held {
        if let Some(bytes) = rawhttp::until_end(tcp, Duration::from_millis(500)).await {
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                text.is_empty() || text.starts_with("HTTP/1.1 503"),
                "{text}"
            );
            refused += 1;
        }
    }
    assert_eq!(refused, 6, "connections beyond the cap are refused at once");

    // Another address is served meanwhile.
    let mut other = connect_from([127, 0, 0, 2], server.addr).await;
    let answer = exchange(&mut other, &get("/healthz")).await.unwrap();
    assert_eq!(answer.status, 200);
    let answer = exchange(&mut other, &get("/metrics")).await.unwrap();
    assert_eq!(metric_value(&answer.body, "kring_refused_http_total"), 6);
    assert_eq!(metric_value(&answer.body, "kring_http_connections"), 5);

    // A place given back is a place to take.
    held.clear();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = connect_from([127, 0, 0, 1], server.addr).await;
    let answer = exchange(&mut again, &get("/healthz")).await.unwrap();
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn http_connections_are_capped_in_total() {
    let server = spawn_with(|cfg| cfg.max_http_connections = 2).await;
    let mut a = connect_from([127, 0, 0, 1], server.addr).await;
    let mut b = connect_from([127, 0, 0, 2], server.addr).await;
    assert_eq!(
        exchange(&mut a, &get("/healthz")).await.unwrap().status,
        200
    );
    assert_eq!(
        exchange(&mut b, &get("/healthz")).await.unwrap().status,
        200
    );
    let mut c = connect_from([127, 0, 0, 3], server.addr).await;
    let refused = exchange(&mut c, &get("/healthz")).await;
    assert!(
        refused.as_ref().is_none_or(|a| a.status == 503),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_websocket_leaves_the_http_caps() {
    let server = spawn_with(|cfg| cfg.max_http_connections_per_ip = 2).await;
    let session = server.create_session("basic").await;
    // More WebSockets than HTTP places: each gives its HTTP place back when it upgrades.
    let mut members = Vec::new();
    for name in ["Anna", "Bob", "Chris", "Dana"] {
        members.push(server.join(&session, name).await);
    }
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    assert_eq!(
        exchange(&mut tcp, &get("/healthz")).await.unwrap().status,
        200
    );
}

#[tokio::test]
async fn keep_alive_ends_after_the_last_request_and_when_idle() {
    let server = spawn_with(|cfg| {
        cfg.keep_alive_requests = 3;
        cfg.header_timeout = HEADER_TIMEOUT;
    })
    .await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    for n in 1..=3 {
        let answer = exchange(&mut tcp, &get("/healthz")).await.unwrap();
        assert_eq!(answer.status, 200);
        let close = answer.header("connection") == Some("close");
        assert_eq!(close, n == 3, "request {n}: {answer:?}");
    }
    assert!(rawhttp::ends_within(&mut tcp, Duration::from_secs(1)).await);

    // An idle keep-alive connection waits for its next request's headers no longer than
    // the header timeout.
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    assert_eq!(
        exchange(&mut idle, &get("/healthz")).await.unwrap().status,
        200
    );
    let started = Instant::now();
    assert!(rawhttp::ends_within(&mut idle, Duration::from_secs(3)).await);
    let waited = started.elapsed();
    assert!(
        waited >= HEADER_TIMEOUT - Duration::from_millis(50),
        "{waited:?}"
    );
}
