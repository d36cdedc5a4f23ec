//! A room that lost its ownership, and a store that went away.

use std::time::Duration;

use kring_protocol::*;

use crate::helpers::*;
use crate::nodes::{metric, node, node_with};
use crate::postgres::Postgres;

/// Another node took the room while this one still served it (this node was paused or cut
/// off): the next append is refused by the store, nothing of its batch is shown, and the
/// room closes its sockets with `room_moved` (4004, reconnect). The client's command, sent
/// again with the same id after it reconnects, applies once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_another_node_took_closes_its_sockets_with_room_moved() {
    let pg = Postgres::shared();
    let url = pg.fresh_database("fenced");
    let a = node(&url, "a").await;
    let session = a.create_session("basic").await;
    let mut f = a.facilitator(&session).await;
    let mut anna = a.join(&session, "Anna").await;
    f.command(Command::StartSession {}).await.expect("start");
    let before = anna
        .command(submit(InputKind::Case, "kept"))
        .await
        .expect("ack");

    // What a claim by another node does to the head row (that node has since gone).
    let db = url.rsplit('/').next().unwrap();
    let code = session.code.replace('-', "");
    pg.psql(
        db,
        &format!(
            "UPDATE room_heads SET owner = 'elsewhere', term = term + 1 WHERE code = '{code}'"
        ),
    );
    let id = anna.fresh_id();
    let phase = anna.phase_seq();
    anna.send(&ClientMsg::Command(CommandEnvelope {
        id: id.clone(),
        phase,
        command: submit(InputKind::Case, "sent while fenced"),
    }))
    .await;
    for client in [&mut anna, &mut f] {
        let close = client.closed().await.expect("a close frame");
        assert_eq!(u16::from(close.code), 4004);
        assert_eq!(close.reason.as_str(), "room_moved");
    }
    assert!(
        !anna
            .events
            .iter()
            .any(|e| e.seq > before.seq && matches!(e.event, Event::ItemAdded { .. })),
        "nothing of the fenced batch was shown"
    );
    assert_eq!(metric(&a, "kring_fenced_appends_total").await, 1);

    // The other node is gone (no lease), so reconnecting claims the room here again.
    let mut anna2 = a.resume(&session, &anna).await;
    let ack = anna2
        .command_with(id, phase, submit(InputKind::Case, "sent while fenced"))
        .await
        .expect("the retried command applies");
    assert_eq!(ack.seq, before.seq + 1);
    let terms = pg.psql(
        db,
        &format!("SELECT term FROM room_heads WHERE code = '{code}'"),
    );
    assert_eq!(terms, "3", "claimed by a, taken, claimed again");
}

/// Postgres restarts under a room: the socket stays open, commands are refused with
/// `store_unavailable` (retry, same id) while it is away, and once it is back the room
/// reloads what is durable, the retried command applies once and nothing acknowledged is
/// lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_store_is_away_commands_are_refused_with_a_retry_code() {
    // A cluster of its own: this test stops it.
    let pg = Postgres::start();
    pg.psql("postgres", "CREATE DATABASE away");
    let url = pg.url("away");
    // Long enough that the room waits out the restart (it waits twice the ttl).
    let a = node_with(&url, "a", |cfg| cfg.owner_ttl = Duration::from_secs(10)).await;
    let session = a.create_session("basic").await;
    let mut f = a.facilitator(&session).await;
    let mut anna = a.join(&session, "Anna").await;
    f.command(Command::StartSession {}).await.expect("start");
    let kept = anna
        .command(submit(InputKind::Case, "acknowledged before"))
        .await
        .expect("ack");

    pg.stop();
    let id = anna.fresh_id();
    let phase = anna.phase_seq();
    let during = submit(InputKind::Case, "sent while the store is away");
    let refused = anna
        .command_with(id.clone(), phase, during.clone())
        .await
        .expect_err("refused while the store is away");
    assert_eq!(refused.code, ErrorCode::StoreUnavailable);
    assert_eq!(refused.category, Category::Retry);
    assert!(refused.retry_after_ms.is_some());
    // Still refused, on the same socket, while it stays away.
    let again = anna
        .command_with(id.clone(), phase, during.clone())
        .await
        .expect_err("still away");
    assert_eq!(again.code, ErrorCode::StoreUnavailable);
    assert_eq!(metric(&a, "kring_rooms_recovering").await, 1);
    // Health answers are reused for a second.
    let mut health = a.http.get(a.url("/healthz")).send().await.unwrap();
    for _ in 0..30 {
        if health.status() == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        health = a.http.get(a.url("/healthz")).send().await.unwrap();
    }
    assert_eq!(health.status(), 503);
    let health = health.text().await.unwrap();
    assert!(health.contains("store: postgres, not writable"), "{health}");

    pg.start_again();
    let mut applied = None;
    for _ in 0..100 {
        match anna.command_with(id.clone(), phase, during.clone()).await {
            Ok(ack) => {
                applied = Some(ack);
                break;
            }
            Err(e) if e.code == ErrorCode::StoreUnavailable => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("unexpected refusal {e:?}"),
        }
    }
    let applied = applied.expect("applied once the store is back");
    assert_eq!(applied.seq, kept.seq + 1, "nothing lost, nothing doubled");
    // The facilitator, on the same room, sees it too (its socket stayed open all along).
    let added = f
        .until_event(|e| matches!(e, Event::ItemAdded { item } if item.text.as_deref() == Some("sent while the store is away")))
        .await;
    assert_eq!(added.seq, applied.seq);
    assert_eq!(metric(&a, "kring_rooms_recovering").await, 0);
    let view = a.resume(&session, &f).await;
    assert!(view.welcome.is_some());
}
