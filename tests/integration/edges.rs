//! Small things a review found: hyper's own error answers carry the security headers, JSON
//! with something after it is refused, unknown field names are not echoed, IPv6 limits hold
//! for a customer's whole /56 and /48.

use kring_protocol::*;
use kring_server::client::parse_net;

use crate::helpers::*;
use crate::raw;
use crate::rawhttp::connect_from;

/// Sends `request` as it is and returns hyper's answer.
async fn answer_to(server: &TestServer, request: &[u8]) -> crate::rawhttp::Answer {
    let mut tcp = connect_from([127, 0, 0, 1], server.addr).await;
    tokio::io::AsyncWriteExt::write_all(&mut tcp, request)
        .await
        .unwrap();
    crate::rawhttp::read_answer(&mut tcp, WAIT).await.unwrap()
}

#[tokio::test]
async fn requests_hyper_cannot_parse_are_answered_with_the_security_headers() {
    let server = spawn_app().await;
    let malformed = b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n".to_vec();
    let long_uri = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000));
    let mut many_headers = String::from("GET / HTTP/1.1\r\nHost: x\r\n");
    for n in 0..120 {
        many_headers.push_str(&format!("X-H{n}: {n}\r\n"));
    }
    many_headers.push_str("\r\n");
    for (request, status) in [
        (malformed, 400),
        (long_uri.into_bytes(), 414),
        (many_headers.into_bytes(), 431),
    ] {
        let answer = answer_to(&server, &request).await;
        assert_eq!(answer.status, status, "{answer:?}");
        assert_eq!(
            answer.header("x-content-type-options"),
            Some("nosniff"),
            "{answer:?}"
        );
        assert_eq!(answer.header("x-frame-options"), Some("deny"), "{answer:?}");
        assert_eq!(
            answer.header("referrer-policy"),
            Some("no-referrer"),
            "{answer:?}"
        );
        assert!(
            answer.header("content-security-policy").is_some(),
            "{answer:?}"
        );
    }
}

#[tokio::test]
async fn json_with_anything_after_it_is_refused() {
    let server = spawn_app().await;
    let body = r#"{"method":"basic","title":"T","language":"en"} {"title":"again"}"#;
    let response = server
        .http
        .post(server.url("/api/sessions"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    let session = server.create_session("basic").await;
    let mut anna = server.join(&session, "Anna").await;
    anna.send_raw(r#"{"type":"ping","t":1} {"type":"ping","t":2}"#)
        .await;
    assert_eq!(anna.error().await.code, ErrorCode::BadJson);
    anna.send_raw(r#"{"type":"ping","t":1}]"#).await;
    assert_eq!(anna.error().await.code, ErrorCode::BadJson);
}

#[tokio::test]
async fn unknown_field_names_are_not_echoed() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let mut anna = server.join(&session, "Anna").await;
    anna.send_raw(
        r#"{"type":"command","id":"c1","command":{"kind":"raise_hand","CANARY-FIELD":1}}"#,
    )
    .await;
    let error = anna.error().await;
    assert_eq!(error.code, ErrorCode::BadMessage);
    let shown = serde_json::to_string(&error).unwrap();
    assert!(!shown.contains("CANARY"), "{shown}");

    let response = server
        .http
        .post(server.url("/api/sessions"))
        .header("content-type", "application/json")
        .body(r#"{"title":"T","CANARY-FIELD":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body = response.text().await.unwrap();
    assert!(!body.contains("CANARY"), "{body}");
}

#[tokio::test]
async fn ipv6_connection_caps_hold_for_the_56_as_well_as_the_64() {
    let server = spawn_with(|cfg| {
        cfg.trusted_proxies = vec![parse_net("127.0.0.1").unwrap()];
        cfg.max_connections_per_ip = 1;
    })
    .await;
    let session = server.create_session("basic").await;
    let path = format!("/ws/{}", session.code);
    let upgrade = |client: String| {
        let path = path.clone();
        let addr = server.addr;
        async move {
            let tcp = connect_from([127, 0, 0, 1], addr).await;
            raw::upgrade_on(tcp, addr, &path, &[("X-Forwarded-For", client.as_str())]).await
        }
    };
    let mut held = Vec::new();
    // One socket per /64: the second from a /64 is refused.
    let (status, ws) = upgrade("2001:db8:0:1::1".into()).await;
    assert_eq!(status, 101);
    held.push(ws);
    assert_eq!(upgrade("2001:db8:0:1::2".into()).await.0, 503);
    // Four /64s of one /56, not five.
    for n in 2..5 {
        let (status, ws) = upgrade(format!("2001:db8:0:{n}::1")).await;
        assert_eq!(status, 101, "/64 number {n}");
        held.push(ws);
    }
    assert_eq!(upgrade("2001:db8:0:5::1".into()).await.0, 503);
    // Another /56 of the same /48 is served.
    assert_eq!(upgrade("2001:db8:0:100::1".into()).await.0, 101);
}
