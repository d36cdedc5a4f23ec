//! Behind a reverse proxy: the client's address comes from trusted proxies only (their
//! forwarding header or PROXY protocol header), and every per-address limit counts by it.
//! With crafted headers and PROXY headers here; with a real nginx and HAProxy in
//! `real_proxies.rs`.

use std::net::SocketAddr;
use std::time::Duration;

use kring_server::client::parse_net;
use kring_server::config::parse_rate;
use kring_server::proxy_protocol::encode_v2;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::helpers::*;
use crate::raw;
use crate::rawhttp::{self, connect_from, exchange, get};

/// The `n`th of a series of room codes nobody created.
pub fn unknown_code(n: usize) -> String {
    const ALPHABET: &[u8] = kring_protocol::ROOM_CODE_ALPHABET;
    let mut code = String::new();
    let mut rest = n + 1_000_000;
    for _ in 0..kring_protocol::ROOM_CODE_LEN {
        code.push(ALPHABET[rest % ALPHABET.len()] as char);
        rest /= ALPHABET.len();
    }
    code
}

/// Joins room `code` as a new member on `tcp` (already connected to `addr`, after any PROXY
/// header) with `headers`; returns the close code the server ends with.
pub async fn join_by_code(
    tcp: TcpStream,
    addr: SocketAddr,
    code: &str,
    headers: &[(&str, &str)],
) -> u16 {
    let (status, ws) = raw::upgrade_on(tcp, addr, &format!("/ws/{code}"), headers).await;
    assert_eq!(status, 101);
    let mut ws = ws.unwrap();
    ws.send_text(
        &serde_json::json!({
            "type": "hello", "protocol": kring_protocol::PROTOCOL_VERSION,
            "join": {"as": "member", "name": "Guess"}
        })
        .to_string(),
    )
    .await;
    ws.close_frame().await.0
}

const NOT_FOUND: u16 = 4404;
const BLOCKED: u16 = 4029;

fn trusting_loopback(cfg: &mut kring_server::Config) {
    cfg.trusted_proxies = vec![parse_net("127.0.0.1").unwrap()];
    cfg.join_attempts = parse_rate("3/1m").unwrap();
}

#[tokio::test]
async fn behind_a_trusted_proxy_failed_joins_count_per_client() {
    let server = spawn_with(trusting_loopback).await;
    let addr = server.addr;
    // The client claims an address of its own choosing on the left; the proxy appends the one
    // it saw: only that one counts.
    let guesser = [("X-Forwarded-For", "198.51.100.1, 203.0.113.7")];
    for n in 0..3 {
        let tcp = connect_from([127, 0, 0, 1], addr).await;
        assert_eq!(
            join_by_code(tcp, addr, &unknown_code(n), &guesser).await,
            NOT_FOUND
        );
    }
    let tcp = connect_from([127, 0, 0, 1], addr).await;
    assert_eq!(
        join_by_code(tcp, addr, &unknown_code(3), &guesser).await,
        BLOCKED
    );

    // Another client of the same proxy is not blocked.
    let other = [("X-Forwarded-For", "203.0.113.8")];
    let tcp = connect_from([127, 0, 0, 1], addr).await;
    assert_eq!(
        join_by_code(tcp, addr, &unknown_code(4), &other).await,
        NOT_FOUND
    );
    // Nor is the proxy's own address (its health checks, say), ...
    let tcp = connect_from([127, 0, 0, 1], addr).await;
    assert_eq!(
        join_by_code(tcp, addr, &unknown_code(5), &[]).await,
        NOT_FOUND
    );
    // ... and a peer that is not a trusted proxy cannot take on the blocked address, or any.
    for n in 6..9 {
        let tcp = connect_from([127, 0, 0, 2], addr).await;
        let claim = [("X-Forwarded-For", "203.0.113.9")];
        assert_eq!(
            join_by_code(tcp, addr, &unknown_code(n), &claim).await,
            NOT_FOUND
        );
    }
    let tcp = connect_from([127, 0, 0, 2], addr).await;
    let claim = [("X-Forwarded-For", "203.0.113.9")];
    assert_eq!(
        join_by_code(tcp, addr, &unknown_code(9), &claim).await,
        BLOCKED
    );
    let tcp = connect_from([127, 0, 0, 1], addr).await;
    let spoofed = [("X-Forwarded-For", "203.0.113.9")];
    assert_eq!(
        join_by_code(tcp, addr, &unknown_code(10), &spoofed).await,
        NOT_FOUND
    );
}

#[tokio::test]
async fn without_trusted_proxies_forwarding_headers_are_ignored() {
    let server = spawn_with(|cfg| cfg.join_attempts = parse_rate("3/1m").unwrap()).await;
    let addr = server.addr;
    for n in 0..3 {
        let tcp = connect_from([127, 0, 0, 1], addr).await;
        let claim = format!("203.0.113.{n}");
        let headers = [
            ("X-Forwarded-For", claim.as_str()),
            ("Forwarded", "for=192.0.2.1"),
        ];
        assert_eq!(
            join_by_code(tcp, addr, &unknown_code(n), &headers).await,
            NOT_FOUND
        );
    }
    let tcp = connect_from([127, 0, 0, 1], addr).await;
    let headers = [("X-Forwarded-For", "203.0.113.200")];
    assert_eq!(
        join_by_code(tcp, addr, &unknown_code(3), &headers).await,
        BLOCKED
    );
}

#[tokio::test]
async fn the_forwarded_header_is_read_when_configured() {
    let server = spawn_with(|cfg| {
        trusting_loopback(cfg);
        cfg.forwarded_header = kring_server::client::ForwardedHeader::Forwarded;
    })
    .await;
    let addr = server.addr;
    let guesser = [("Forwarded", r#"for="[2001:db8:1:1::5]:4711";proto=https"#)];
    for n in 0..3 {
        let tcp = connect_from([127, 0, 0, 1], addr).await;
        assert_eq!(
            join_by_code(tcp, addr, &unknown_code(n), &guesser).await,
            NOT_FOUND
        );
    }
    let tcp = connect_from([127, 0, 0, 1], addr).await;
    assert_eq!(
        join_by_code(tcp, addr, &unknown_code(3), &guesser).await,
        BLOCKED
    );
    let other = [("Forwarded", "for=192.0.2.60")];
    let tcp = connect_from([127, 0, 0, 1], addr).await;
    assert_eq!(
        join_by_code(tcp, addr, &unknown_code(4), &other).await,
        NOT_FOUND
    );
}

#[tokio::test]
async fn connection_caps_count_the_client_behind_the_proxy() {
    let server = spawn_with(|cfg| {
        trusting_loopback(cfg);
        cfg.max_connections_per_ip = 2;
        cfg.max_http_connections_per_ip = 2;
    })
    .await;
    let addr = server.addr;
    let session = server.create_session("basic").await;
    let path = format!("/ws/{}", session.code);
    let a = [("X-Forwarded-For", "203.0.113.1")];
    let mut sockets = Vec::new();
    for _ in 0..2 {
        let tcp = connect_from([127, 0, 0, 1], addr).await;
        let (status, ws) = raw::upgrade_on(tcp, addr, &path, &a).await;
        assert_eq!(status, 101);
        sockets.push(ws);
    }
    let tcp = connect_from([127, 0, 0, 1], addr).await;
    assert_eq!(raw::upgrade_on(tcp, addr, &path, &a).await.0, 503);
    let b = [("X-Forwarded-For", "203.0.113.2")];
    let tcp = connect_from([127, 0, 0, 1], addr).await;
    assert_eq!(raw::upgrade_on(tcp, addr, &path, &b).await.0, 101);

    // Slow request bodies through the proxy: each holds a place of its client's, not of the
    // proxy's, and more proxy connections than the per-address cap are served.
    let slow = "POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 203.0.113.3\r\n\
                Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{";
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut tcp = connect_from([127, 0, 0, 1], addr).await;
        tcp.write_all(slow.as_bytes()).await.unwrap();
        held.push(tcp);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut third = connect_from([127, 0, 0, 1], addr).await;
    let request =
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 203.0.113.3\r\n\r\n";
    assert_eq!(exchange(&mut third, request).await.unwrap().status, 503);
    let mut fourth = connect_from([127, 0, 0, 1], addr).await;
    let request =
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 203.0.113.4\r\n\r\n";
    assert_eq!(exchange(&mut fourth, request).await.unwrap().status, 200);
}

fn with_proxy_protocol(cfg: &mut kring_server::Config) {
    trusting_loopback(cfg);
    cfg.proxy_protocol = true;
}

/// A connection from the trusted proxy address that starts with a PROXY v2 header for
/// `client`.
async fn via_proxy_protocol(addr: SocketAddr, client: &str) -> TcpStream {
    let mut tcp = connect_from([127, 0, 0, 1], addr).await;
    let header = encode_v2(client.parse().unwrap(), addr);
    tcp.write_all(&header).await.unwrap();
    tcp
}

#[tokio::test]
async fn the_proxy_protocol_gives_the_client_of_each_connection() {
    let server = spawn_with(with_proxy_protocol).await;
    let addr = server.addr;
    for n in 0..3 {
        let tcp = via_proxy_protocol(addr, "203.0.113.7:40000").await;
        assert_eq!(
            join_by_code(tcp, addr, &unknown_code(n), &[]).await,
            NOT_FOUND
        );
    }
    let tcp = via_proxy_protocol(addr, "203.0.113.7:40001").await;
    assert_eq!(
        join_by_code(tcp, addr, &unknown_code(3), &[]).await,
        BLOCKED
    );
    let tcp = via_proxy_protocol(addr, "[2001:db8::9]:40000").await;
    assert_eq!(
        join_by_code(tcp, addr, &unknown_code(4), &[]).await,
        NOT_FOUND
    );

    // A forwarding header from the client behind a PROXY header is not believed.
    let tcp = via_proxy_protocol(addr, "203.0.113.7:40002").await;
    let claim = [("X-Forwarded-For", "192.0.2.1")];
    assert_eq!(
        join_by_code(tcp, addr, &unknown_code(5), &claim).await,
        BLOCKED
    );

    // A trusted peer must send the header: a plain request is not served.
    let mut plain = connect_from([127, 0, 0, 1], addr).await;
    assert!(exchange(&mut plain, &get("/healthz")).await.is_none());
    // Other peers are served as they are.
    let mut other = connect_from([127, 0, 0, 2], addr).await;
    assert_eq!(
        exchange(&mut other, &get("/healthz")).await.unwrap().status,
        200
    );
    // The proxy's own health check (LOCAL) is served as the proxy.
    let mut local = connect_from([127, 0, 0, 1], addr).await;
    let mut header = kring_server::proxy_protocol::V2_SIGNATURE.to_vec();
    header.extend_from_slice(&[0x20, 0x00, 0x00, 0x00]);
    local.write_all(&header).await.unwrap();
    assert_eq!(
        exchange(&mut local, &get("/healthz")).await.unwrap().status,
        200
    );
    assert!(!rawhttp::ends_within(&mut local, Duration::from_millis(100)).await);
}
