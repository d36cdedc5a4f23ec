//! What one participant can do to a room's size: the room is bounded in serialised bytes, and
//! the largest room the engine allows can still be joined by everyone, over real sockets.

use std::time::{Duration, Instant};

use kring_engine::limits;
use kring_protocol::*;
use kring_server::Config;
use kring_server::limits::Rate;

use crate::helpers::*;
use crate::raw;

/// Four bytes on the wire per character, the most a character of a name or an item can cost.
const WIDE: &str = "😀";

/// Limits a load test would raise, so one writer can fill a room in seconds.
fn unthrottled(cfg: &mut Config) {
    cfg.submit_limit = limits::SubmitLimit {
        max: 100_000,
        window_ms: 1_000,
    };
    cfg.message_rate = Rate::new(100_000, Duration::from_secs(1));
    cfg.message_burst = 100_000;
    cfg.member_joins = Rate::new(1000, Duration::from_secs(3600));
}

/// A custom method as large as the 64 KiB request body allows; its one phase lets participants
/// write private notes.
fn largest_template() -> serde_json::Value {
    let text = WIDE.repeat(160);
    let phases: Vec<serde_json::Value> = (0..30)
        .map(|i| {
            serde_json::json!({
                "id": format!("phase-{i}"),
                "name": {"nl": WIDE.repeat(80), "en": WIDE.repeat(80)},
                "instruction": {"nl": text, "en": text},
                "minutes": 240,
                "turns": "free",
                "allow": {"participant": ["private_note", "question"]},
            })
        })
        .collect();
    serde_json::json!({
        "id": "largest",
        "name": {"nl": "Groot", "en": "Large"},
        "description": {"nl": "Groot", "en": "Large"},
        "phases": phases,
    })
}

/// The largest room: the largest template and title, members with the longest names, and
/// one member writing private notes until the room refuses more. Returns the server, the
/// session, the facilitator, the members and the writer's note count.
async fn largest_room() -> (TestServer, SessionCreated, Client, Vec<Client>, usize) {
    largest_room_with(|_| {}).await
}

async fn largest_room_with(
    configure: impl FnOnce(&mut Config),
) -> (TestServer, SessionCreated, Client, Vec<Client>, usize) {
    let server = spawn_with(|cfg| {
        unthrottled(cfg);
        configure(cfg);
    })
    .await;
    let body = serde_json::json!({
        "template": largest_template(),
        "title": WIDE.repeat(120),
        "language": "en",
    });
    let bytes = serde_json::to_vec(&body).unwrap().len();
    assert!(bytes < 64 * 1024 && bytes > 60 * 1024, "{bytes}");
    let session = server.create(body).await;
    let mut fac = server.facilitator(&session).await;
    // Room for one more member to join later.
    let mut members = Vec::new();
    for i in 0..limits::MAX_MEMBERS - 2 {
        let name = format!("{}{i:02}", WIDE.repeat(limits::NAME_MAX_CHARS - 2));
        members.push(server.join(&session, &name).await);
    }
    fac.command(Command::StartSession {}).await.unwrap();
    let note = WIDE.repeat(1500);
    let mut written = 0;
    let refusal = loop {
        match members[0]
            .command(submit(InputKind::PrivateNote, &note))
            .await
        {
            Ok(_) => written += 1,
            Err(e) => break e,
        }
        assert!(written <= limits::MAX_ITEMS_PER_MEMBER, "never refused");
    };
    assert_eq!(refusal.code, ErrorCode::LimitReached, "{refusal:?}");
    // Others keep trying; the room refuses them too.
    let other = members[1]
        .command(submit(InputKind::PrivateNote, &note))
        .await
        .unwrap_err();
    assert_eq!(other.code, ErrorCode::LimitReached);
    (server, session, fac, members, written)
}

#[tokio::test]
async fn the_largest_room_can_be_joined_by_everyone() {
    let (server, session, mut fac, mut members, written) = largest_room().await;
    let seq = fac.last_seq;

    // The reveal at the limit: every socket gets every note, in bounded events, and stays.
    let ack = fac.command(Command::RevealNotes {}).await.unwrap();
    assert!(ack.seq > seq + 1, "more than one event");
    for client in members.iter_mut() {
        let mut revealed = 0;
        while revealed < written {
            if let ServerMsg::Event(e) = client.recv().await
                && let Event::NotesRevealed { notes } = &e.event
            {
                assert!(notes.iter().all(|n| n.text.is_some()));
                assert!(client.last_frame_bytes <= limits::REVEAL_CHUNK_BYTES + 1024);
                revealed += notes.len();
            }
        }
        assert_eq!(revealed, written);
        client.send(&ClientMsg::Ping { t: Some(1) }).await;
        assert!(matches!(client.recv().await, ServerMsg::Pong { .. }));
    }

    // Now every view carries every note's text: join as each kind of client.
    let mut report = Vec::new();
    let started = Instant::now();
    let newcomer = server.join(&session, "Latecomer").await;
    report.push(("member", newcomer.last_frame_bytes, started.elapsed()));
    assert_eq!(newcomer.view().items.len(), written);

    let started = Instant::now();
    let mut screen = server.connect(&session.code).await;
    screen
        .hello(Join::Screen {
            token: session.screen_token.clone(),
        })
        .await;
    report.push(("screen", screen.last_frame_bytes, started.elapsed()));

    // The facilitator opens the console again: the old socket is taken over, the new one works.
    let started = Instant::now();
    let mut console = server.facilitator(&session).await;
    report.push(("facilitator", console.last_frame_bytes, started.elapsed()));
    let old = fac.closed().await.expect("a close frame");
    assert_eq!(old.reason.as_str(), "taken_over");

    // The writer comes back having seen nothing: a full view with every note's text.
    let started = Instant::now();
    let mut writer = server.connect(&session.code).await;
    writer
        .hello(Join::Resume {
            token: members[0].token(),
            epoch: Some(members[0].epoch()),
            last_seq: Some(0),
        })
        .await;
    report.push(("resume from 0", writer.last_frame_bytes, started.elapsed()));
    assert!(writer.view().items.iter().all(|i| i.text.is_some()));

    for (who, bytes, took) in &report {
        eprintln!("welcome for {who}: {bytes} bytes in {took:?}");
        assert!(*bytes <= MAX_SERVER_MESSAGE_BYTES, "{who}: {bytes}");
        assert!(*bytes > MAX_SERVER_MESSAGE_BYTES * 3 / 4, "{who}: {bytes}");
    }
    // Everyone can still act.
    console.command(Command::NextPhase {}).await.unwrap();
    for client in [&mut screen, &mut writer] {
        client.send(&ClientMsg::Ping { t: Some(1) }).await;
        assert!(matches!(client.recv().await, ServerMsg::Pong { .. }));
    }
}

#[tokio::test]
async fn members_who_left_do_not_keep_a_room_full() {
    let server = spawn_with(|cfg| {
        cfg.member_joins = Rate::new(1000, Duration::from_secs(3600));
    })
    .await;
    let session = server.create_session("basic").await;
    let mut fac = server.facilitator(&session).await;
    // Bots join and leave, again and again.
    for i in 0..limits::MAX_MEMBERS + 5 {
        let mut bot = server.join(&session, &format!("Bot {i}")).await;
        bot.send(&ClientMsg::Leave {}).await;
        bot.closed().await;
    }
    let mut real = server.join(&session, "Real person").await;
    real.send(&ClientMsg::Ping { t: Some(1) }).await;
    assert!(matches!(real.recv().await, ServerMsg::Pong { .. }));

    // The facilitator clears the roster of everyone offline at once.
    let ack = fac.command(Command::RemoveOffline {}).await.unwrap();
    let removed = fac
        .events
        .iter()
        .filter(|e| e.seq <= ack.seq && matches!(e.event, Event::MemberRemoved { .. }))
        .count();
    assert_eq!(removed, limits::MAX_MEMBERS + 5);
    let mut console = server.facilitator(&session).await;
    let names: Vec<String> = console
        .view()
        .members
        .iter()
        .map(|m| m.name.to_string())
        .collect();
    assert_eq!(names, ["Facilitator", "Real person"]);

    // Remove and lock: the member's socket is closed and the link no longer lets anyone in.
    // (A new console numbers its commands afresh; this id is new for the facilitator.)
    console
        .command_with(
            "remove-and-lock".into(),
            None,
            Command::RemoveAndLock {
                member: real.member(),
            },
        )
        .await
        .unwrap();
    assert_eq!(real.closed().await.unwrap().reason.as_str(), "removed");
    let mut again = server.connect(&session.code).await;
    again
        .send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            join: Join::Member {
                name: "Real person again".into(),
            },
        })
        .await;
    assert_eq!(again.error().await.code, ErrorCode::RoomNotFound);
}

#[tokio::test]
async fn one_address_adds_only_so_many_new_members_to_a_room() {
    let server = spawn_with(|cfg| {
        cfg.member_joins = Rate::new(3, Duration::from_secs(3600));
    })
    .await;
    let session = server.create_session("basic").await;
    let _fac = server.facilitator(&session).await;
    let mut first = None;
    for i in 0..3 {
        let member = server.join(&session, &format!("Member {i}")).await;
        first.get_or_insert(member);
    }
    let mut fourth = server.connect(&session.code).await;
    fourth
        .send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            join: Join::Member {
                name: "Fourth".into(),
            },
        })
        .await;
    let refused = fourth.error().await;
    assert_eq!(refused.code, ErrorCode::RateLimited);
    assert!(refused.retry_after_ms.unwrap() > 0);
    // Coming back is not joining anew: the token still works.
    let first = first.unwrap();
    let back = server.resume(&session, &first).await;
    assert_eq!(back.member(), first.member());
    // Another room is another count.
    let other = server.create_session("basic").await;
    server.join(&other, "Fourth").await;
}

#[tokio::test]
async fn renames_and_commands_are_bounded_per_member() {
    let server = spawn_with(unthrottled).await;
    let session = server.create_session("basic").await;
    let mut fac = server.facilitator(&session).await;
    let mut member = server.join(&session, "Anna").await;
    let same = member
        .command(Command::Rename {
            name: "Anna".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(same.code, ErrorCode::InvalidValue, "a no-op rename");
    member
        .command(Command::Rename {
            name: "Anne".into(),
        })
        .await
        .unwrap();
    let again = member
        .command(Command::Rename {
            name: "Anna".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::RateLimited);
    assert!(again.retry_after_ms.is_some() && again.id.is_some());

    // A member's accepted commands are capped for the session.
    fac.command(Command::StartSession {}).await.unwrap();
    // Nobody reads the facilitator's socket during the loop: two thousand
    // events would overflow its queue wherever the kernel's socket buffers
    // are small, and the room would rightly drop it as a slow consumer.
    drop(fac);
    let mut refused = None;
    for i in 0..=kring_server::limits::MAX_COMMANDS_PER_MEMBER {
        let command = if i % 2 == 0 {
            Command::RaiseHand {}
        } else {
            Command::LowerHand {}
        };
        if let Err(e) = member.command(command).await {
            refused = Some((i, e.code));
            break;
        }
    }
    let (at, code) = refused.expect("refused at the cap");
    assert_eq!(code, ErrorCode::LimitReached);
    // One rename and the hands before it.
    assert_eq!(at + 1, kring_server::limits::MAX_COMMANDS_PER_MEMBER);
    // The facilitator is not capped by it.
    let mut fac = server.facilitator(&session).await;
    fac.command(Command::LockRoom { locked: true })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_session_ends_at_its_maximum_age_however_active() {
    let server = spawn_with(|cfg| cfg.max_session_age = std::time::Duration::from_secs(2)).await;
    let session = server.create_session("basic").await;
    let mut fac = server.facilitator(&session).await;
    fac.command(Command::StartSession {}).await.unwrap();
    let ended = fac
        .until_event(|e| matches!(e, Event::SessionEnded {}))
        .await;
    assert!(ended.seq > 0);
}

#[tokio::test]
async fn live_sessions_per_address_and_free_disk_space_are_bounded() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    let server = spawn_with(move |cfg| {
        cfg.max_live_sessions_per_ip = 2;
        cfg.data_dir = dir;
    })
    .await;
    let body = serde_json::json!({"method": "basic", "title": "T"});
    server.create(body.clone()).await;
    server.create(body.clone()).await;
    let third = server
        .http
        .post(server.url("/api/sessions"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(third.status(), 429);
    assert!(third.headers().contains_key("retry-after"));
    let health = server.get_text("/healthz").await;
    assert!(health.starts_with("ok\ndisk_free_bytes "), "{health}");

    // Below the watermark: the server stays healthy, new sessions wait for space.
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    let low = spawn_with(move |cfg| {
        cfg.min_free_disk = u64::MAX;
        cfg.data_dir = dir;
    })
    .await;
    let refused = low
        .http
        .post(low.url("/api/sessions"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 507);
    let refused: ApiError = refused.json().await.unwrap();
    assert_eq!(refused.code, ErrorCode::StoreUnavailable);
    let health = low.get_text("/healthz").await;
    assert!(health.contains("low: new sessions refused"), "{health}");
}

#[tokio::test]
async fn clients_that_do_not_read_their_welcome_are_dropped_soon_and_bounded_per_address() {
    let (server, session, mut fac, members, _) = largest_room_with(|cfg| {
        cfg.address_queue_bytes = 8 << 20;
    })
    .await;
    // (The test's own members share the address; they leave before the big frames come.)
    for member in members {
        member.drop_connection();
    }
    fac.command(Command::RevealNotes {}).await.unwrap();
    // Twenty screens ask for the ~900 KB view and never read it.
    let hello = serde_json::json!({
        "type": "hello", "protocol": PROTOCOL_VERSION,
        "join": {"as": "screen", "token": session.screen_token},
    })
    .to_string();
    let started = std::time::Instant::now();
    let mut frozen = Vec::new();
    for _ in 0..20 {
        let mut ws = raw::connect_small(server.addr, &session.code).await;
        ws.send_text(&hello).await;
        frozen.push(ws);
    }
    // Past the welcome's deadline, before the ordinary write deadline.
    tokio::time::sleep(std::time::Duration::from_millis(6_500).saturating_sub(started.elapsed()))
        .await;
    let (mut over_budget, mut dropped) = (0, 0);
    for mut ws in frozen {
        let mut first = None;
        loop {
            match ws.frame_within(std::time::Duration::from_secs(1)).await {
                Some(frame) if frame.opcode == raw::CLOSE => {
                    first.get_or_insert(frame.close().0);
                    break;
                }
                Some(frame) => {
                    first.get_or_insert(0);
                    let _ = frame;
                }
                None => break,
            }
        }
        match first {
            // Refused at once: the address's queued bytes were used up.
            Some(4000) => over_budget += 1,
            // Got (part of) its welcome, then the connection was dropped.
            _ => dropped += 1,
        }
    }
    eprintln!("{over_budget} refused for the address, {dropped} dropped at the deadline");
    assert!(over_budget >= 8, "{over_budget} refused for the address");
    assert!(dropped >= 1, "some got part of their welcome");
    assert_eq!(over_budget + dropped, 20, "every frozen socket was let go");
    // The room and its readers did not notice.
    fac.send(&ClientMsg::Ping { t: Some(2) }).await;
    loop {
        if let ServerMsg::Pong { .. } = fac.recv().await {
            break;
        }
    }
}
