//! The live session hub: joining, isolation, reconnect, idempotency, takeover, heartbeats,
//! bad input, shutdown.

use std::time::Duration;

use kring_protocol::*;

use crate::helpers::*;

/// Starts the session (basic method: the first phase takes case proposals).
async fn started(server: &TestServer) -> (SessionCreated, Client) {
    let session = server.create_session("basic").await;
    let mut facilitator = server.facilitator(&session).await;
    facilitator
        .command(Command::StartSession {})
        .await
        .expect("start");
    (session, facilitator)
}

fn case(text: &str) -> Command {
    submit(InputKind::Case, text)
}

#[tokio::test]
async fn create_and_join() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    assert!(
        session
            .join_url
            .ends_with(&format!("/join/{}", session.code))
    );
    assert!(session.facilitator_token.len() >= 32);
    assert_eq!(session.code.len(), 11, "shown as XXX-XXX-XXX");

    let facilitator = server.facilitator(&session).await;
    assert_eq!(
        facilitator.welcome.as_ref().unwrap().role,
        Role::Facilitator
    );
    let mut anna = server.join(&session, "Anna").await;
    let welcome = anna.welcome.clone().unwrap();
    assert_eq!(welcome.role, Role::Participant);
    let token = welcome.resume_token.clone().unwrap();
    assert!(token.len() >= 32, "resume token has at least 128 bits");
    assert_ne!(token, welcome.member.unwrap().to_string());
    let view = anna.view();
    assert_eq!(view.title, "Test session");
    assert_eq!(view.method.id, "basic");
    assert_eq!(view.members.len(), 2);
    assert!(view.members.iter().any(|m| m.name == "Anna" && m.online));

    // Case-insensitive, separators optional.
    let typed = session.code.replace('-', "").to_lowercase();
    let mut bob = server.connect(&typed).await;
    bob.hello(Join::Member { name: "Bob".into() }).await;
    let joined = anna
        .until_event(|e| matches!(e, Event::MemberJoined { .. }))
        .await;
    let Event::MemberJoined { member, .. } = joined.event else {
        unreachable!()
    };
    assert_eq!(member.name, "Bob");
}

#[tokio::test]
async fn many_rooms_in_parallel_stay_isolated() {
    let server = spawn_app().await;
    let mut rooms = Vec::new();
    for r in 0..12 {
        rooms.push(tokio::spawn({
            let server_url = server.addr;
            async move {
                let server = TestServerRef(server_url);
                server.run_room(r).await
            }
        }));
    }
    for room in rooms {
        let (r, texts) = room.await.expect("room task");
        assert_eq!(texts.len(), 3 * 3, "room {r} saw exactly its own 9 cases");
        assert!(
            texts.iter().all(|t| t.starts_with(&format!("room{r}:"))),
            "room {r}: {texts:?}"
        );
    }
}

/// A second handle on the same server address, usable from spawned tasks.
struct TestServerRef(std::net::SocketAddr);

impl TestServerRef {
    async fn run_room(&self, r: usize) -> (usize, Vec<String>) {
        let server = TestServer::attach(self.0);
        let (session, mut facilitator) = started(&server).await;
        let mut members = Vec::new();
        for m in 0..3 {
            members.push(server.join(&session, &format!("P{m}")).await);
        }
        for (m, member) in members.iter_mut().enumerate() {
            for k in 0..3 {
                member
                    .command(case(&format!("room{r}: case {m}.{k}")))
                    .await
                    .expect("case accepted");
            }
        }
        let target = members.iter().map(|m| m.last_seq).max().unwrap_or(0);
        facilitator.catch_up(target).await;
        let texts = facilitator
            .events
            .iter()
            .filter_map(|e| match &e.event {
                Event::ItemAdded { item } => item.text.clone().map(String::from),
                _ => None,
            })
            .collect();
        (r, texts)
    }
}

#[tokio::test]
async fn reconnect_gets_exactly_the_missed_events() {
    let server = spawn_app().await;
    let (session, mut facilitator) = started(&server).await;
    let mut anna = server.join(&session, "Anna").await;
    let mut bob = server.join(&session, "Bob").await;
    bob.command(case("before")).await.unwrap();
    anna.catch_up(bob.last_seq).await;

    let seen = bob.last_seq;
    let bob_token_client = bob;
    let mut missed = Vec::new();
    for k in 0..5 {
        let ack = anna.command(case(&format!("missed {k}"))).await.unwrap();
        missed.push(ack.seq);
    }
    assert_eq!(missed.len(), 5);
    facilitator.catch_up(anna.last_seq).await;

    let mut back = server.resume(&session, &bob_token_client).await;
    bob_token_client.drop_connection();
    let welcome = back.welcome.clone().unwrap();
    assert!(welcome.view.is_none(), "replay, not a full view");
    assert_eq!(welcome.seq, anna.last_seq);
    back.catch_up(welcome.seq).await;
    let replayed: Vec<Seq> = back.events.iter().map(|e| e.seq).collect();
    let expected: Vec<Seq> = (seen + 1..=welcome.seq).collect();
    assert_eq!(replayed, expected, "exactly the missed events, in order");
    let texts: Vec<String> = back
        .events
        .iter()
        .filter_map(|e| match &e.event {
            Event::ItemAdded { item } => item.text.clone().map(String::from),
            _ => None,
        })
        .collect();
    assert_eq!(
        texts,
        (0..5).map(|k| format!("missed {k}")).collect::<Vec<_>>()
    );

    // Live events keep flowing after the replay, without duplicates.
    anna.command(Command::RaiseHand {}).await.unwrap();
    let e = back
        .until_event(|e| matches!(e, Event::HandRaised { .. }))
        .await;
    assert_eq!(e.seq, anna.last_seq);
}

#[tokio::test]
async fn resume_with_a_foreign_epoch_gets_a_full_view() {
    let server = spawn_app().await;
    let (session, _facilitator) = started(&server).await;
    let anna = server.join(&session, "Anna").await;
    let mut back = server.connect(&session.code).await;
    let welcome = back
        .hello(Join::Resume {
            token: anna.token(),
            epoch: Some(anna.epoch().wrapping_add(1)),
            last_seq: Some(anna.last_seq),
        })
        .await;
    assert!(welcome.view.is_some());
    assert_eq!(welcome.member, Some(anna.member()));
}

#[tokio::test]
async fn a_retried_message_is_applied_once_and_acknowledged_again() {
    let server = spawn_app().await;
    let (session, mut facilitator) = started(&server).await;
    let mut anna = server.join(&session, "Anna").await;
    let phase = anna.phase_seq();
    let first = anna
        .command_with("retry-me".into(), phase, case("only once"))
        .await
        .unwrap();
    let again = anna
        .command_with("retry-me".into(), phase, case("only once"))
        .await
        .unwrap();
    assert_eq!(
        first, again,
        "the same ack, with the same sequence and item"
    );

    // Also after reconnecting (the ack was lost with the old socket).
    let mut back = server.resume(&session, &anna).await;
    anna.drop_connection();
    let third = back
        .command_with("retry-me".into(), phase, case("only once"))
        .await
        .unwrap();
    assert_eq!(first, third);

    // A different member may use the same id for their own command.
    let mut bob = server.join(&session, "Bob").await;
    let bobs = bob
        .command_with("retry-me".into(), phase, case("bob's"))
        .await
        .unwrap();
    assert_ne!(bobs.item, first.item);

    facilitator.catch_up(bob.last_seq).await;
    let added = facilitator
        .events
        .iter()
        .filter(|e| matches!(&e.event, Event::ItemAdded { item } if item.text.as_deref() == Some("only once")))
        .count();
    assert_eq!(added, 1);
}

#[tokio::test]
async fn a_second_device_takes_over_cleanly() {
    let server = spawn_app().await;
    let (session, mut facilitator) = started(&server).await;
    let mut phone = server.join(&session, "Anna").await;
    let members_before = facilitator_members(&server, &session).await;

    let mut laptop = server.resume(&session, &phone).await;
    assert_eq!(
        laptop.welcome.as_ref().unwrap().member,
        Some(phone.member())
    );
    let close = phone.closed().await.expect("close frame");
    assert_eq!(u16::from(close.code), 4409);
    assert_eq!(close.reason.as_str(), "taken_over");

    laptop.command(case("from the laptop")).await.unwrap();
    facilitator.catch_up(laptop.last_seq).await;
    assert_eq!(facilitator_members(&server, &session).await, members_before);
    let online = facilitator_online(&server, &session).await;
    assert!(online.contains(&laptop.member()), "still online, no ghost");
}

/// A fresh look at the room through the shared screen (which takes over nobody).
async fn screen_welcome(server: &TestServer, session: &SessionCreated) -> Welcome {
    let mut screen = server.connect(&session.code).await;
    screen
        .hello(Join::Screen {
            token: session.facilitator_token.clone(),
        })
        .await
        .clone()
}

async fn screen_view(server: &TestServer, session: &SessionCreated) -> SessionView {
    screen_welcome(server, session)
        .await
        .view
        .expect("screens get a full view")
}

async fn facilitator_members(server: &TestServer, session: &SessionCreated) -> usize {
    screen_view(server, session).await.members.len()
}

async fn facilitator_online(server: &TestServer, session: &SessionCreated) -> Vec<MemberId> {
    screen_welcome(server, session).await.online
}

#[tokio::test]
async fn a_silent_socket_is_marked_away_then_leaves_turns() {
    let server = spawn_with(|cfg| {
        cfg.heartbeat = Duration::from_millis(100);
        cfg.away_after = Duration::from_millis(600);
        cfg.turn_grace = Duration::from_millis(600);
    })
    .await;
    let session = server.create_session("basic").await;
    let mut facilitator = server.facilitator(&session).await;
    facilitator.command(Command::StartSession {}).await.unwrap();
    let mut anna = server.join(&session, "Anna").await;
    anna.command(case("stays after anna leaves")).await.unwrap();
    anna.command(Command::RaiseHand {}).await.unwrap();
    let anna_id = anna.member();

    // Anna's phone stops reading and answering (no pongs, nothing sent).
    let frozen = anna;
    loop {
        match facilitator.recv_any().await {
            ServerMsg::Presence {
                member,
                online: false,
            } if member == anna_id => break,
            _ => continue,
        }
    }
    let left = facilitator
        .until_event(|e| matches!(e, Event::LeftTurns { member } if *member == anna_id))
        .await;
    assert!(left.seq > 0);
    drop(frozen);

    let view = screen_view(&server, &session).await;
    assert!(!view.hands.contains(&anna_id), "no longer in the queue");
    assert!(
        view.items
            .iter()
            .any(|i| i.text.as_deref() == Some("stays after anna leaves")),
        "what she wrote stays"
    );
    let member = view.members.iter().find(|m| m.id == anna_id).unwrap();
    assert!(!member.online);
}

#[tokio::test]
async fn bad_input_gets_documented_errors_and_the_room_stays_healthy() {
    let server = spawn_app().await;
    let (session, mut facilitator) = started(&server).await;
    let mut anna = server.join(&session, "Anna").await;

    anna.send_raw("{not json").await;
    assert_eq!(anna.error().await.code, ErrorCode::BadJson);
    anna.send_raw(r#"{"type":"shout"}"#).await;
    assert_eq!(anna.error().await.code, ErrorCode::UnknownType);
    anna.send_raw(r#"{"type":"command","id":"x","command":{"kind":"raise_hand","loud":true}}"#)
        .await;
    let e = anna.error().await;
    assert_eq!(e.code, ErrorCode::BadMessage);
    assert_eq!(e.category, Category::Fix);
    anna.send_raw(
        r#"{"type":"command","id":"y","command":{"kind":"submit","input":"case","text":42}}"#,
    )
    .await;
    let e = anna.error().await;
    assert_eq!(e.code, ErrorCode::BadMessage);
    assert!(
        e.field.as_deref().unwrap_or("").starts_with("command"),
        "{:?}",
        e.field
    );
    anna.send(&ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        join: Join::Member {
            name: "Again".into(),
        },
    })
    .await;
    assert_eq!(anna.error().await.code, ErrorCode::AlreadyJoined);
    let oversized = format!(r#"{{"type":"ping","t":1,"pad":"{}"}}"#, "x".repeat(20_000));
    anna.send_raw(&oversized).await;
    assert_eq!(anna.error().await.code, ErrorCode::MessageTooLarge);

    // The same socket still works, and so does the room.
    anna.send(&ClientMsg::Ping { t: Some(7) }).await;
    assert!(matches!(
        anna.recv().await,
        ServerMsg::Pong { t: Some(7), .. }
    ));
    anna.command(case("still fine")).await.unwrap();
    facilitator.command(Command::NextPhase {}).await.ok();

    // Wrong protocol version: refused and closed, do not reconnect.
    let mut old = server.connect(&session.code).await;
    old.send_raw(r#"{"type":"hello","protocol":99,"join":{"as":"member","name":"Old"}}"#)
        .await;
    assert_eq!(old.error().await.code, ErrorCode::UnsupportedVersion);
    assert_eq!(u16::from(old.closed().await.unwrap().code), 4400);

    // Something other than hello first.
    let mut rude = server.connect(&session.code).await;
    rude.send(&ClientMsg::Ping { t: None }).await;
    assert_eq!(rude.error().await.code, ErrorCode::HelloRequired);
    assert_eq!(u16::from(rude.closed().await.unwrap().code), 4400);

    // Unknown room (well-formed and malformed codes alike).
    for code in ["ZZZ-ZZZ-ZZZ", "nope"] {
        let mut lost = server.connect(code).await;
        lost.send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            join: Join::Member {
                name: "Lost".into(),
            },
        })
        .await;
        let e = lost.error().await;
        assert_eq!(e.code, ErrorCode::RoomNotFound);
        assert_eq!(e.category, Category::Fatal);
        assert_eq!(u16::from(lost.closed().await.unwrap().code), 4404);
    }

    // Bad tokens and names.
    let mut thief = server.connect(&session.code).await;
    thief
        .send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            join: Join::Resume {
                token: "0".repeat(40),
                epoch: None,
                last_seq: None,
            },
        })
        .await;
    // An unknown token is answered as an unknown room: a guesser learns nothing.
    assert_eq!(thief.error().await.code, ErrorCode::RoomNotFound);
    let mut nameless = server.connect(&session.code).await;
    nameless
        .send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            join: Join::Member { name: "   ".into() },
        })
        .await;
    let e = nameless.error().await;
    assert_eq!(e.code, ErrorCode::InvalidName);
    // A fixable refusal leaves the socket open for another try.
    nameless
        .hello(Join::Member {
            name: "Named".into(),
        })
        .await;

    let mut bob = server.join(&session, "Bob").await;
    bob.command(case("the room is healthy")).await.unwrap();
}

#[tokio::test]
async fn guessing_room_codes_is_rate_limited() {
    let server = spawn_app().await;
    let mut last = None;
    // Each code counts once: a guesser tries many.
    for n in 0..25 {
        let mut c = server.connect(&crate::proxy::unknown_code(n)).await;
        c.send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            join: Join::Member {
                name: "Guess".into(),
            },
        })
        .await;
        last = Some(c.error().await);
    }
    let last = last.unwrap();
    assert_eq!(last.code, ErrorCode::TooManyAttempts);
    assert!(last.retry_after_ms.unwrap() > 0);
}

#[tokio::test]
async fn graceful_shutdown_tells_clients_to_reconnect() {
    let mut server = spawn_app().await;
    let (session, _facilitator) = started(&server).await;
    let mut anna = server.join(&session, "Anna").await;
    anna.command(case("in flight")).await.unwrap();
    let started = std::time::Instant::now();
    let shutdown = tokio::spawn(async move {
        server.shutdown().await.expect("clean shutdown");
        server
    });
    let e = anna.error().await;
    assert_eq!(e.code, ErrorCode::ShuttingDown);
    assert_eq!(e.category, Category::Reconnect);
    let close = anna.closed().await.expect("close frame");
    assert_eq!(u16::from(close.code), 1012);
    let _server = shutdown.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "bounded");
}

#[tokio::test]
async fn the_screen_token_opens_only_the_shared_screen() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    assert!(session.screen_url.ends_with(&format!(
        "/screen/{}#{}",
        session.code, session.screen_token
    )));
    assert_ne!(session.screen_token, session.facilitator_token);

    let mut screen = server.connect(&session.code).await;
    let welcome = screen
        .hello(Join::Screen {
            token: session.screen_token.clone(),
        })
        .await
        .clone();
    assert_eq!(welcome.role, Role::Screen);
    assert_eq!(welcome.member, None);
    assert!(welcome.resume_token.is_none());
    // The screen sees the settings too (anonymous posting is off by default).
    assert!(!welcome.view.expect("a view").settings.allow_anonymous);
    screen
        .send(&ClientMsg::Command(CommandEnvelope {
            id: "x".into(),
            phase: None,
            command: Command::StartSession {},
        }))
        .await;
    assert_eq!(screen.error().await.code, ErrorCode::ReadOnly, "read-only");

    let mut pretender = server.connect(&session.code).await;
    pretender
        .send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            join: Join::Facilitator {
                token: session.screen_token.clone(),
                name: "F".into(),
            },
        })
        .await;
    assert_eq!(pretender.error().await.code, ErrorCode::RoomNotFound);
}

#[tokio::test]
async fn a_client_far_behind_gets_a_full_view_instead_of_a_flood() {
    let server = spawn_with(|cfg| {
        cfg.client_queue = 32;
        cfg.submit_limit = kring_server::config::parse_submit_limit("1000/1s").unwrap();
        cfg.message_rate = kring_server::config::parse_rate("1000/1s").unwrap();
        cfg.message_burst = 1000;
    })
    .await;
    let (session, mut facilitator) = started(&server).await;
    let anna = server.join(&session, "Anna").await;
    let mut bob = server.join(&session, "Bob").await;
    // 36 events: more than the queue holds, fewer messages than the socket's burst allowance.
    for k in 0..12 {
        bob.command(case(&format!("while anna is away {k}")))
            .await
            .unwrap();
        bob.command(Command::RaiseHand {}).await.unwrap();
        bob.command(Command::LowerHand {}).await.unwrap();
    }
    facilitator.catch_up(bob.last_seq).await;
    assert!(
        bob.last_seq - anna.last_seq > 32,
        "more missed than the queue holds"
    );

    let mut back = server.resume(&session, &anna).await;
    anna.drop_connection();
    let welcome = back.welcome.clone().unwrap();
    let view = welcome
        .view
        .expect("a full view, not a replay that overflows the queue");
    assert_eq!(view.items.len(), 12);
    back.send(&ClientMsg::Ping { t: Some(1) }).await;
    assert!(
        matches!(back.recv().await, ServerMsg::Pong { .. }),
        "still connected"
    );
}

#[tokio::test]
async fn a_client_that_stops_reading_is_dropped_and_the_room_goes_on() {
    let server = spawn_with(|cfg| {
        cfg.client_queue = 16;
        cfg.submit_limit = kring_server::config::parse_submit_limit("1000/1s").unwrap();
    })
    .await;
    let (session, _facilitator) = started(&server).await;

    // A phone that stops reading, with a small receive buffer so the server notices soon.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(server.addr).await.unwrap();
    let url = format!("ws://{}/ws/{}", server.addr, session.code);
    let stream = tokio_tungstenite::MaybeTlsStream::Plain(stream);
    let (ws, _) = tokio_tungstenite::client_async(url, stream).await.unwrap();
    let mut frozen = Client::from_stream(ws);
    frozen
        .hello(Join::Member {
            name: "Frozen".into(),
        })
        .await;
    let frozen_token = frozen.token();

    // 80 events of about 800 bytes: far more than the queue and the socket buffers hold.
    // Four senders keep each within its socket's burst allowance.
    let mut senders = Vec::new();
    for name in ["Bob", "Carol", "Dirk", "Eva"] {
        senders.push(server.join(&session, name).await);
    }
    let started_at = std::time::Instant::now();
    for k in 0..20 {
        for sender in &mut senders {
            let text = format!("{k} {}", "x".repeat(560));
            sender.command(case(&text)).await.unwrap();
        }
    }
    assert!(
        started_at.elapsed() < Duration::from_secs(10),
        "the room did not wait for the frozen phone"
    );
    let metrics = server.get_text("/metrics").await;
    assert!(
        metrics.contains("kring_slow_consumers_total 1\n"),
        "dropped once: {metrics}"
    );

    // When the phone reads again it finds the socket gone, and comes back with a full view.
    frozen.closed().await;
    let mut back = server.connect(&session.code).await;
    let welcome = back
        .hello(Join::Resume {
            token: frozen_token,
            epoch: None,
            last_seq: None,
        })
        .await;
    assert_eq!(welcome.view.as_ref().unwrap().items.len(), 80);
}

#[tokio::test]
async fn the_welcome_says_how_long_the_server_keeps_what_was_written() {
    let server = spawn_with(|cfg| cfg.retention = std::time::Duration::from_secs(3 * 86_400)).await;
    let session = server.create_session("basic").await;
    let mut member = server.connect(&session.code).await;
    let welcome = member
        .hello(Join::Member {
            name: "Anna".into(),
        })
        .await;
    assert_eq!(welcome.retention_ms, 3 * 86_400_000);
}
