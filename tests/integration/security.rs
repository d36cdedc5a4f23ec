//! Limits and abuse: message sizes, rates, connection caps, code guessing, origins, heartbeats,
//! close handshakes and security headers.

use std::time::{Duration, Instant};

use kring_protocol::*;
use kring_server::config::{parse_origin, parse_rate};

use crate::helpers::*;
use crate::raw::{self, BINARY, CONTINUATION, PING, PONG, TEXT};

#[tokio::test]
async fn a_message_above_64_kib_is_closed_with_1009_within_a_second() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;

    // In one frame.
    let mut ws = raw::connect(server.addr, &session.code).await;
    ws.join_member("Anna").await;
    let sent = Instant::now();
    ws.send_text(&"x".repeat(65 * 1024)).await;
    assert_eq!(ws.close_frame().await, (1009, "message_too_large".into()));
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "{:?}",
        sent.elapsed()
    );

    // Only the header of a huge frame: refused before its payload arrives.
    let mut ws = raw::connect(server.addr, &session.code).await;
    ws.send_header_only(TEXT, 1 << 40).await;
    let sent = Instant::now();
    assert_eq!(ws.close_frame().await.0, 1009);
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "{:?}",
        sent.elapsed()
    );

    // In fragments that are small on their own.
    let mut ws = raw::connect(server.addr, &session.code).await;
    let part = vec![b'x'; 40 * 1024];
    ws.send_frame(TEXT, false, &part).await;
    ws.send_frame(CONTINUATION, true, &part).await;
    assert_eq!(ws.close_frame().await.0, 1009);
    let metrics = server.get_text("/metrics").await;
    assert!(
        metrics.contains("kring_abusive_closes_total 3"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_message_between_16_and_64_kib_is_refused_and_the_connection_stays() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let mut ws = raw::connect(server.addr, &session.code).await;
    ws.join_member("Anna").await;
    let big = format!(
        r#"{{"type":"ping","t":1,"pad":"{}"}}"#,
        "x".repeat(20 * 1024)
    );
    ws.send_text(&big).await;
    assert_eq!(ws.message().await["code"], "message_too_large");
    ws.send_text(r#"{"type":"ping","t":7}"#).await;
    let pong = ws.message().await;
    assert_eq!(
        (pong["type"].as_str(), pong["t"].as_u64()),
        (Some("pong"), Some(7))
    );
}

#[tokio::test]
async fn text_that_is_not_utf8_is_closed_with_1007() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let mut ws = raw::connect(server.addr, &session.code).await;
    ws.join_member("Anna").await;
    ws.send_frame(TEXT, true, b"{\"type\":\"ping\",\"t\":\xff\xfe}")
        .await;
    assert_eq!(ws.close_frame().await, (1007, "bad_message".into()));
    // A frame the WebSocket layer refuses fails the connection (RFC 6455, 7.1.7): the close
    // frame says why, then the server ends it without reading further.
    assert!(ws.ends_within(Duration::from_secs(2)).await);
}

#[tokio::test]
async fn a_server_close_waits_for_the_clients_close_frame() {
    let server = spawn_app().await;
    let mut ws = raw::connect(server.addr, "ZZZZZZZZZ").await;
    let hello = serde_json::json!({
        "type": "hello", "protocol": PROTOCOL_VERSION, "join": {"as": "member", "name": "A"}
    });
    ws.send_text(&hello.to_string()).await;
    assert_eq!(ws.message().await["code"], "room_not_found");
    assert_eq!(ws.close_frame().await, (4404, "room_not_found".into()));
    assert!(
        !ws.ends_within(Duration::from_millis(300)).await,
        "the server must not drop the connection before the close handshake completes"
    );
    ws.send_close(4404).await;
    assert!(ws.ends_within(Duration::from_secs(2)).await);
}

#[tokio::test]
async fn a_client_close_is_answered_then_the_server_ends_the_connection() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let mut ws = raw::connect(server.addr, &session.code).await;
    ws.join_member("Anna").await;
    ws.send_close(1000).await;
    assert_eq!(ws.close_frame().await.0, 1000);
    assert!(ws.ends_within(Duration::from_secs(2)).await);

    // `leave` is a close handshake too.
    let mut ws = raw::connect(server.addr, &session.code).await;
    ws.join_member("Bram").await;
    ws.send_text(r#"{"type":"leave"}"#).await;
    assert_eq!(ws.close_frame().await, (1000, "leave".into()));
    assert!(!ws.ends_within(Duration::from_millis(200)).await);
    ws.send_close(1000).await;
    assert!(ws.ends_within(Duration::from_secs(2)).await);
}

#[tokio::test]
async fn a_silent_client_is_dropped_after_two_unanswered_pings() {
    assert_eq!(
        kring_server::Config::for_tests().away_after,
        2 * kring_server::Config::for_tests().heartbeat,
        "by default a socket may miss one ping, not two"
    );
    let server = spawn_with(|cfg| {
        cfg.heartbeat = Duration::from_millis(200);
        cfg.away_after = Duration::from_millis(400);
    })
    .await;
    let session = server.create_session("basic").await;

    // Answers pings: stays.
    let mut alive = raw::connect(server.addr, &session.code).await;
    alive.join_member("Alive").await;
    // Answers nothing: goes.
    let mut dead = raw::connect(server.addr, &session.code).await;
    dead.join_member("Dead").await;
    let joined = Instant::now();

    let answering = async {
        let until = Instant::now() + Duration::from_millis(1500);
        while Instant::now() < until {
            let frame = alive.frame_within(Duration::from_secs(2)).await.unwrap();
            if frame.opcode == PING {
                alive.send_frame(PONG, true, &frame.payload).await;
            }
        }
        alive
    };
    let dying = async {
        let closed = dead.close_frame().await;
        (closed, joined.elapsed())
    };
    let (mut alive, (closed, after)) = tokio::join!(answering, dying);
    assert_eq!(closed, (4001, "heartbeat_timeout".into()));
    assert!(after < Duration::from_millis(1200), "{after:?}");
    alive.send_text(r#"{"type":"ping","t":1}"#).await;
    assert_eq!(alive.message().await["type"], "pong");
}

#[tokio::test]
async fn a_flooding_connection_is_refused_then_closed_with_1008() {
    let server = spawn_with(|cfg| {
        cfg.message_rate = parse_rate("60/1m").unwrap();
        cfg.message_burst = 5;
    })
    .await;
    let session = server.create_session("basic").await;
    let mut calm = server.join(&session, "Calm").await;
    let mut ws = raw::connect(server.addr, &session.code).await;
    let welcome = ws.join_member("Flood").await;
    let token = welcome["resume_token"].as_str().unwrap().to_owned();
    for t in 0..4 {
        ws.send_text(&format!(r#"{{"type":"ping","t":{t}}}"#)).await;
        assert_eq!(ws.message().await["type"], "pong");
    }
    ws.send_text(r#"{"type":"ping","t":9}"#).await;
    ws.send_text(r#"{"type":"ping","t":10}"#).await;
    let mut limited = 0;
    let closed = loop {
        let frame = ws.non_ping().await.expect("close frame before the end");
        if frame.opcode == raw::CLOSE {
            break frame.close();
        }
        let msg: serde_json::Value = serde_json::from_str(&frame.text()).unwrap();
        match msg["type"].as_str() {
            Some("error") => {
                assert_eq!(msg["code"], "rate_limited");
                assert!(msg["retry_after_ms"].as_u64().unwrap() > 0);
                limited += 1;
                // Ignores the advice to wait, and keeps sending.
                ws.send_text(r#"{"type":"ping","t":11}"#).await;
            }
            _ => continue,
        }
    };
    assert_eq!(closed, (1008, "flooding".into()));
    assert!(limited >= 10, "{limited} refusals before the close");

    // Coming straight back does not refill the budget: the member is kept out a while.
    let mut back = raw::connect(server.addr, &session.code).await;
    let resume = serde_json::json!({
        "type": "hello", "protocol": PROTOCOL_VERSION, "join": {"as": "resume", "token": token}
    });
    back.send_text(&resume.to_string()).await;
    let refused = back.message().await;
    assert_eq!(refused["code"], "flooding");
    let wait = refused["retry_after_ms"].as_u64().unwrap();
    assert!((5_000..=10_000).contains(&wait), "{wait}");
    assert_eq!(back.close_frame().await.0, 1008);
    // The room's other members did not notice.
    calm.send(&ClientMsg::Ping { t: Some(5) }).await;
    loop {
        match calm.recv().await {
            ServerMsg::Pong { t, .. } => break assert_eq!(t, Some(5)),
            ServerMsg::Event(_) => continue,
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_flood_of_ping_frames_is_closed_with_1008_too() {
    let server = spawn_with(|cfg| {
        cfg.message_rate = parse_rate("60/1m").unwrap();
        cfg.message_burst = 5;
    })
    .await;
    let session = server.create_session("basic").await;
    let mut ws = raw::connect(server.addr, &session.code).await;
    ws.join_member("Pinger").await;
    for _ in 0..40 {
        ws.send_frame(PING, true, b"hi").await;
    }
    assert_eq!(ws.close_frame().await, (1008, "flooding".into()));
}

#[tokio::test]
async fn connections_are_capped_per_address_and_in_total() {
    let server = spawn_with(|cfg| cfg.max_connections_per_ip = 3).await;
    let session = server.create_session("basic").await;
    let path = format!("/ws/{}", session.code);
    let mut open = Vec::new();
    for _ in 0..3 {
        let (status, ws) = raw::upgrade(server.addr, &path, &[]).await;
        assert_eq!(status, 101);
        open.push(ws.unwrap());
    }
    assert_eq!(raw::upgrade(server.addr, &path, &[]).await.0, 503);
    let mut first = open.remove(0);
    first.send_close(1000).await;
    assert!(first.ends_within(Duration::from_secs(2)).await);
    // The place is given back once the connection has ended.
    let mut status = 0;
    for _ in 0..50 {
        status = raw::upgrade(server.addr, &path, &[]).await.0;
        if status == 101 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, 101);

    let server = spawn_with(|cfg| cfg.max_connections = 2).await;
    let session = server.create_session("basic").await;
    let path = format!("/ws/{}", session.code);
    let _a = raw::upgrade(server.addr, &path, &[]).await.1.unwrap();
    let _b = raw::upgrade(server.addr, &path, &[]).await.1.unwrap();
    assert_eq!(raw::upgrade(server.addr, &path, &[]).await.0, 503);
    let metrics = server.get_text("/metrics").await;
    assert!(
        metrics.contains("kring_refused_capacity_total 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_address_that_reconnects_in_a_loop_is_refused_before_the_upgrade() {
    let server = spawn_with(|cfg| cfg.connect_limit = parse_rate("5/1m").unwrap()).await;
    let session = server.create_session("basic").await;
    let path = format!("/ws/{}", session.code);
    for _ in 0..5 {
        let (status, ws) = raw::upgrade(server.addr, &path, &[]).await;
        assert_eq!(status, 101);
        drop(ws);
    }
    assert_eq!(raw::upgrade(server.addr, &path, &[]).await.0, 429);
}

#[tokio::test]
async fn origins_are_checked_before_the_upgrade() {
    let server = spawn_with(|cfg| cfg.public_url = Some("https://kring.example".into())).await;
    let session = server.create_session("basic").await;
    let path = format!("/ws/{}", session.code);
    let status = |origin: &'static str| {
        let path = path.clone();
        let addr = server.addr;
        async move {
            let headers: &[(&str, &str)] = if origin.is_empty() {
                &[]
            } else {
                &[("Origin", origin)]
            };
            raw::upgrade(addr, &path, headers).await.0
        }
    };
    assert_eq!(status("https://kring.example").await, 101);
    assert_eq!(status("HTTPS://KRING.EXAMPLE:443").await, 101);
    assert_eq!(status("https://evil.example").await, 403);
    assert_eq!(status("https://kring.example.evil.com").await, 403);
    assert_eq!(status("http://kring.example").await, 403, "scheme matters");
    assert_eq!(
        status("https://kring.example:8443").await,
        403,
        "port matters"
    );
    assert_eq!(status("null").await, 403);
    // Not a browser: documented as allowed (see SECURITY.md).
    assert_eq!(status("").await, 101);
    let metrics = server.get_text("/metrics").await;
    assert!(
        metrics.contains("kring_refused_origin_total 5"),
        "{metrics}"
    );

    // An explicit list replaces the public URL's origin.
    let server = spawn_with(|cfg| {
        cfg.public_url = Some("https://kring.example".into());
        cfg.allowed_origins = vec![parse_origin("https://intranet.example:8443").unwrap()];
    })
    .await;
    let session = server.create_session("basic").await;
    let path = format!("/ws/{}", session.code);
    let ok = [("Origin", "https://intranet.example:8443")];
    assert_eq!(raw::upgrade(server.addr, &path, &ok).await.0, 101);
    let old = [("Origin", "https://kring.example")];
    assert_eq!(raw::upgrade(server.addr, &path, &old).await.0, 403);

    // Nothing configured: the page must come from the host it connects to.
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let path = format!("/ws/{}", session.code);
    let same = format!("http://{}", server.addr);
    let same = [("Origin", same.as_str())];
    assert_eq!(raw::upgrade(server.addr, &path, &same).await.0, 101);
    let other = format!("http://127.0.0.1:{}", server.addr.port() + 1);
    let other = [("Origin", other.as_str())];
    assert_eq!(raw::upgrade(server.addr, &path, &other).await.0, 403);
}

/// The error and close frames a joining client gets, as bytes on the wire.
async fn refusal(
    server: &TestServer,
    code: &str,
    join: serde_json::Value,
) -> (String, (u16, String)) {
    let mut ws = raw::connect(server.addr, code).await;
    let hello = serde_json::json!({"type": "hello", "protocol": PROTOCOL_VERSION, "join": join});
    ws.send_text(&hello.to_string()).await;
    let error = ws.non_ping().await.unwrap().text();
    (error, ws.close_frame().await)
}

#[tokio::test]
async fn unknown_locked_and_ended_rooms_and_unknown_tokens_look_the_same() {
    let server = spawn_app().await;
    let member = || serde_json::json!({"as": "member", "name": "Guess"});
    let locked = server.create_session("basic").await;
    let mut f = server.facilitator(&locked).await;
    f.command(Command::LockRoom { locked: true }).await.unwrap();
    let ended = server.create_session("basic").await;
    let mut f2 = server.facilitator(&ended).await;
    f2.command(Command::EndSession {}).await.unwrap();
    let open = server.create_session("basic").await;

    let unknown = refusal(&server, "ZZZZZZZZZ", member()).await;
    assert!(unknown.0.contains("\"room_not_found\""), "{}", unknown.0);
    assert_eq!(unknown.1.0, 4404);
    assert_eq!(refusal(&server, &locked.code, member()).await, unknown);
    assert_eq!(refusal(&server, &ended.code, member()).await, unknown);
    let stranger = serde_json::json!({"as": "resume", "token": "0".repeat(40)});
    assert_eq!(refusal(&server, &open.code, stranger).await, unknown);
    let screen = serde_json::json!({"as": "screen", "token": "1".repeat(40)});
    assert_eq!(refusal(&server, &open.code, screen).await, unknown);
    // A bad name in a locked room tells nothing either.
    let nameless = serde_json::json!({"as": "member", "name": ""});
    assert_eq!(refusal(&server, &locked.code, nameless).await, unknown);

    // The facilitator, who holds the token, still gets in, also after the end.
    server.facilitator(&locked).await;
    let mut back = server.connect(&ended.code).await;
    back.send(&ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        join: Join::Facilitator {
            token: ended.facilitator_token.clone(),
            name: "F".into(),
        },
    })
    .await;
    assert_eq!(back.error().await.code, ErrorCode::SessionEnded);
}

#[tokio::test]
async fn guessing_codes_is_blocked_after_ten_failures_with_growing_waits() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let member = || serde_json::json!({"as": "member", "name": "Guess"});
    for i in 0..10 {
        let code = format!(
            "ZZZZZZZZ{}",
            ["2", "3", "4", "5", "6", "7", "8", "9", "A", "B"][i]
        );
        let (_, (close, _)) = refusal(&server, &code, member()).await;
        assert_eq!(close, 4404, "guess {i}");
    }
    // Blocked now, even for the right code.
    let (error, (close, reason)) = refusal(&server, &session.code, member()).await;
    assert_eq!((close, reason.as_str()), (4029, "too_many_attempts"));
    let error: serde_json::Value = serde_json::from_str(&error).unwrap();
    let wait = error["retry_after_ms"].as_u64().unwrap();
    assert!((50_000..=60_000).contains(&wait), "{wait}");
    // A token read is not refused for the address; a wrong token still fails, and counts.
    let summary = server
        .http
        .get(server.url(&format!("/api/sessions/{}/summary", session.code)))
        .bearer_auth("0".repeat(40))
        .send()
        .await
        .unwrap();
    assert_eq!(summary.status(), 404);
    let metrics = server.get_text("/metrics").await;
    assert!(metrics.contains("kring_failed_joins_total 11"), "{metrics}");
    assert!(metrics.contains("kring_joins_blocked_total 1"), "{metrics}");
}

#[tokio::test]
async fn a_valid_token_is_never_refused_because_its_address_is_blocked() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let facilitator = server.facilitator(&session).await;
    let anna = server.join(&session, "Anna").await;
    let member = || serde_json::json!({"as": "member", "name": "Guess"});
    for n in 0..10 {
        let (_, (close, _)) = refusal(&server, &crate::proxy::unknown_code(n), member()).await;
        assert_eq!(close, 4404);
    }
    // New members are kept out now, even with the right code...
    let (_, (close, _)) = refusal(&server, &session.code, member()).await;
    assert_eq!(close, 4029);
    // ... but the facilitator, a returning member and the screen come in,
    drop(facilitator);
    let _facilitator = server.facilitator(&session).await;
    let _anna = server.resume(&session, &anna).await;
    let mut screen = server.connect(&session.code).await;
    screen
        .hello(Join::Screen {
            token: session.screen_token.clone(),
        })
        .await;
    // and token reads are answered.
    let attendance = server
        .http
        .get(server.url(&format!("/api/sessions/{}/attendance", session.code)))
        .bearer_auth(&session.facilitator_token)
        .send()
        .await
        .unwrap();
    assert_eq!(attendance.status(), 200);
    // A made-up token fails as before (and is answered no faster than an unknown room).
    let started = Instant::now();
    let stranger = serde_json::json!({"as": "resume", "token": "0".repeat(40)});
    let (_, (close, _)) = refusal(&server, &session.code, stranger).await;
    assert_eq!(close, 4404);
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn a_burst_of_hellos_gets_no_more_lookups_than_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_with(|cfg| {
        cfg.store = kring_server::config::StoreKind::Sqlite;
        cfg.data_dir = dir.path().to_owned();
    })
    .await;
    let mut sockets = Vec::new();
    for n in 0..100 {
        let code = crate::proxy::unknown_code(n);
        sockets.push(raw::connect(server.addr, &code).await);
    }
    let hello = serde_json::json!({
        "type": "hello", "protocol": PROTOCOL_VERSION, "join": {"as": "member", "name": "G"}
    })
    .to_string();
    let closes = futures_util::future::join_all(sockets.iter_mut().map(|ws| {
        let hello = hello.clone();
        async move {
            ws.send_text(&hello).await;
            ws.close_frame().await.0
        }
    }))
    .await;
    let not_found = closes.iter().filter(|c| **c == 4404).count();
    let blocked = closes.iter().filter(|c| **c == 4029).count();
    assert_eq!((not_found, blocked), (10, 90), "{closes:?}");
    let metrics = server.get_text("/metrics").await;
    assert_eq!(metric_value(&metrics, "kring_failed_joins_total"), 10);
}

#[tokio::test]
async fn token_reads_answer_an_unknown_token_as_an_unknown_room() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let get = |code: String, token: String| {
        let request = server
            .http
            .get(server.url(&format!("/api/sessions/{code}/attendance")))
            .bearer_auth(token);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let unknown_room = get("ZZZZZZZZZ".into(), "0".repeat(40)).await;
    let unknown_token = get(session.code.clone(), "0".repeat(40)).await;
    assert_eq!(unknown_room.0, 404);
    assert_eq!(unknown_room, unknown_token);
}

#[tokio::test]
async fn tokens_are_long_random_and_never_in_join_links() {
    let server = spawn_app().await;
    let a = server.create_session("basic").await;
    let b = server.create_session("basic").await;
    for token in [&a.facilitator_token, &a.screen_token, &a.group_token] {
        assert!(token.len() * 4 >= 128, "{} bits", token.len() * 4);
        assert!(token.bytes().all(|c| c.is_ascii_hexdigit()));
    }
    assert_ne!(a.facilitator_token, b.facilitator_token);
    assert_ne!(a.facilitator_token, a.screen_token);
    let member = server.join(&a, "Anna").await;
    assert!(member.token().len() * 4 >= 128);
    for url in [&a.join_url, &a.qr_url, &a.ws_path] {
        assert!(!url.contains(&a.facilitator_token), "{url}");
        assert!(!url.contains(&a.screen_token), "{url}");
    }
    // The screen link keeps its token in the fragment, which browsers never send to a server
    // (nor in a Referer); the app removes it from the address bar at once.
    let (before, fragment) = a.screen_url.split_once('#').unwrap();
    assert!(!before.contains(&a.screen_token));
    assert!(fragment.contains(&a.screen_token));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let client = &server.http;
    let code = &session.code;
    let requests = [
        client.get(server.url("/")),
        client.get(server.url("/src/main.js")),
        client.get(server.url("/no/such/file.js")),
        client.get(server.url(&format!("/join/{code}"))),
        client.get(server.url("/join/not-a-code")),
        client.get(server.url(&format!("/join/{code}/qr.svg"))),
        client.get(server.url(&format!("/session/{code}"))),
        client.get(server.url(&format!("/screen/{code}"))),
        client.get(server.url("/api/methods")),
        client.post(server.url("/api/sessions")).body("{nope"),
        client.get(server.url(&format!("/api/sessions/{code}/summary"))),
        client
            .get(server.url(&format!("/api/sessions/{code}/attendance?format=html")))
            .bearer_auth(&session.facilitator_token),
        client.get(server.url(&format!("/api/sessions/{code}/certificate"))),
        client.get(server.url(&format!("/api/sessions/{code}/reflection"))),
        client.get(server.url("/verify/K7MQ-3QX9-PA2T-8CWR")),
        client.get(server.url("/verify/K7MQ-3QX9-PA2T-8CWR?format=json")),
        client.get(server.url("/records.css")),
        client.get(server.url("/healthz")),
        client.get(server.url("/metrics")),
        client
            .get(server.url(&format!("/ws/{code}")))
            .header("Origin", "https://evil.example"),
        client.get(server.url("/ws/x")),
    ];
    for request in requests {
        let response = request.send().await.unwrap();
        let url = response.url().to_string();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("{url}: no {name}"))
                .to_owned()
        };
        let csp = header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{url}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{url}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{url}: {csp}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{url}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{url}");
        assert_eq!(header("x-frame-options"), "DENY", "{url}");
    }
}

#[tokio::test]
async fn a_binary_frame_is_refused_and_the_connection_stays() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let mut ws = raw::connect(server.addr, &session.code).await;
    ws.join_member("Anna").await;
    ws.send_frame(BINARY, true, br#"{"type":"ping","t":1}"#)
        .await;
    assert_eq!(ws.message().await["code"], "bad_message");
    ws.send_text(r#"{"type":"ping","t":2}"#).await;
    assert_eq!(ws.message().await["type"], "pong");
}

#[tokio::test]
async fn creating_sessions_is_limited_per_address() {
    let server = spawn_with(|cfg| cfg.create_limit = parse_rate("3/1h").unwrap()).await;
    for _ in 0..3 {
        server.create_session("basic").await;
    }
    let refused = server
        .http
        .post(server.url("/api/sessions"))
        .json(&serde_json::json!({"method": "basic", "title": "One more", "language": "en"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3500..=3600).contains(&wait), "{wait}");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
}

#[tokio::test]
async fn hammering_the_health_check_does_not_load_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_with(|cfg| {
        cfg.store = kring_server::config::StoreKind::Sqlite;
        cfg.data_dir = dir.path().to_owned();
    })
    .await;
    let commits = |metrics: &str| metric_value(metrics, "kring_store_commits_total");
    assert_eq!(
        server
            .http
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let before = commits(&server.get_text("/metrics").await);
    let started = Instant::now();
    for _ in 0..200 {
        let health = server
            .http
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
    }
    let after = commits(&server.get_text("/metrics").await);
    // One write per second at most, however often it is asked.
    let seconds = started.elapsed().as_secs() + 1;
    assert!(
        after - before <= seconds,
        "{} commits for 200 checks",
        after - before
    );
}

#[tokio::test]
async fn every_refusal_names_the_command_it_refuses() {
    let server = spawn_with(|cfg| {
        cfg.message_rate = parse_rate("60/1m").unwrap();
        cfg.message_burst = 3;
    })
    .await;
    let session = server.create_session("basic").await;
    let mut member = server.join(&session, "Busy").await;
    // Several commands in flight at once, beyond the budget.
    let ids: Vec<String> = (0..8).map(|i| format!("hand-{i}")).collect();
    for id in &ids {
        member
            .send(&ClientMsg::Command(CommandEnvelope {
                id: id.clone(),
                phase: None,
                command: Command::RaiseHand {},
            }))
            .await;
    }
    let mut answered = Vec::new();
    while answered.len() < ids.len() {
        match member.recv().await {
            ServerMsg::Error(e) => {
                let id = e.id.clone().expect("the refused command's id");
                if e.code == ErrorCode::RateLimited {
                    assert!(e.retry_after_ms.is_some());
                }
                answered.push(id);
            }
            ServerMsg::Ack(ack) => answered.push(ack.id),
            ServerMsg::Event(_) => {}
            other => panic!("{other:?}"),
        }
    }
    answered.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(answered, expected, "each command answered once, by its id");

    // A command before hello is refused by its id too.
    let mut early = raw::connect(server.addr, &session.code).await;
    early
        .send_text(r#"{"type":"command","id":"too-early","command":{"kind":"raise_hand"}}"#)
        .await;
    let refused = early.message().await;
    assert_eq!(refused["code"], "hello_required");
    assert_eq!(refused["id"], "too-early");
}

#[tokio::test]
async fn names_that_hide_or_pose_are_refused_and_item_text_has_no_controls() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let mut fac = server.facilitator(&session).await;
    let mut anna = server.join(&session, "Anna").await;
    for (name, code) in [
        ("Anna\u{202E}droW", ErrorCode::InvalidName),
        ("\u{200B}\u{3164}", ErrorCode::InvalidName),
        ("\u{410}NNA", ErrorCode::NameTaken),
        ("Facilitator", ErrorCode::NameTaken),
    ] {
        let mut client = server.connect(&session.code).await;
        client
            .send(&ClientMsg::Hello {
                protocol: PROTOCOL_VERSION,
                join: Join::Member { name: name.into() },
            })
            .await;
        let refused = client.error().await;
        assert_eq!(refused.code, code, "{name:?}");
    }
    fac.command(Command::StartSession {}).await.unwrap();
    let refused = anna
        .command(submit(InputKind::Case, "Bell\u{7} and escape\u{1b}[2J"))
        .await
        .unwrap_err();
    assert_eq!(
        (refused.code, refused.field.as_deref()),
        (ErrorCode::InvalidValue, Some("command.text"))
    );
    anna.command(submit(InputKind::Case, "Two lines\n\tand a tab"))
        .await
        .unwrap();
}
