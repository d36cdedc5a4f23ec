//! Requests from other sites and for other hosts: session creation takes JSON only and no
//! state-changing request from another site's page; a `Host` the server does not answer to is
//! refused (DNS rebinding).

use crate::helpers::*;
use crate::raw;
use crate::rawhttp::{connect_from, exchange};

const BODY: &str = r#"{"method":"basic","title":"T","language":"en"}"#;

async fn post(server: &TestServer, headers: &[(&str, &str)]) -> u16 {
    let mut request = server.http.post(server.url("/api/sessions")).body(BODY);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn sessions_are_created_from_json_only() {
    let server = spawn_app().await;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        assert_eq!(
            post(&server, &[("content-type", content_type)]).await,
            415,
            "{content_type}"
        );
    }
    assert_eq!(post(&server, &[]).await, 415);
    let json = [("content-type", "application/json; charset=utf-8")];
    assert_eq!(post(&server, &json).await, 201);
}

#[tokio::test]
async fn pages_of_other_sites_cannot_create_sessions() {
    let server = spawn_app().await;
    let own = format!("http://{}", server.addr);
    let json = ("content-type", "application/json");
    assert_eq!(
        post(&server, &[json, ("origin", "https://evil.example")]).await,
        403
    );
    assert_eq!(post(&server, &[json, ("origin", "null")]).await, 403);
    assert_eq!(
        post(&server, &[json, ("sec-fetch-site", "cross-site")]).await,
        403
    );
    assert_eq!(
        post(
            &server,
            &[
                json,
                ("origin", own.as_str()),
                ("sec-fetch-site", "same-origin")
            ]
        )
        .await,
        201
    );
    let metrics = server.get_text("/metrics").await;
    assert_eq!(metric_value(&metrics, "kring_refused_origin_total"), 3);
}

/// A GET of `path` with `Host: host` from loopback, and the status.
async fn get_with_host(server: &TestServer, path: &str, host: &str) -> u16 {
    let mut tcp = connect_from([127, 0, 0, 1], server.addr).await;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n");
    exchange(&mut tcp, &request).await.unwrap().status
}

#[tokio::test]
async fn a_host_the_server_does_not_answer_to_is_refused() {
    let server = spawn_with(|cfg| {
        cfg.allowed_hosts = vec!["kring.lan".into()];
    })
    .await;
    let port = server.addr.port();
    let session = server.create_session("basic").await;
    let join = format!("/join/{}", session.code);
    // DNS rebinding: evil.example now points at this server.
    assert_eq!(
        get_with_host(&server, &join, &format!("evil.example:{port}")).await,
        421
    );
    assert_eq!(get_with_host(&server, "/", "evil.example").await, 421);
    // The register's check of a certificate too: a rebound page must not read what it says.
    assert_eq!(
        get_with_host(&server, "/verify/K7MQ3QX9PA2T8CWR", "evil.example").await,
        421
    );
    let evil = format!("http://evil.example:{port}");
    let host = format!("evil.example:{port}");
    let (status, _) = raw::upgrade(
        server.addr,
        &format!("/ws/{}", session.code),
        &[("Host", host.as_str()), ("Origin", evil.as_str())],
    )
    .await;
    assert_ne!(status, 101);
    // Its own addresses, localhost and the allowed names are served.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "KRING.LAN.".to_owned(),
        format!("kring.lan:{port}"),
        "[::1]:8080".to_owned(),
    ] {
        assert_eq!(get_with_host(&server, &join, &host).await, 200, "{host}");
    }
    // Probes are answered to any host.
    assert_eq!(
        get_with_host(&server, "/healthz", "kring-container:8080").await,
        200
    );
}

#[tokio::test]
async fn the_public_url_host_is_allowed() {
    let server = spawn_with(|cfg| cfg.public_url = Some("https://kring.example.org".into())).await;
    assert_eq!(get_with_host(&server, "/", "kring.example.org").await, 200);
    assert_eq!(get_with_host(&server, "/", "other.example.org").await, 421);
}
