//! Where rooms run, and how connections reach them.

use std::time::{Duration, Instant};

use kring_protocol::*;

use crate::helpers::*;
use crate::nodes::{metric, metric_becomes, node};
use crate::postgres::Postgres;

/// Creating a session claims nothing: the first connection's node claims the room (the node
/// the load balancer hashes its code to), and a connection reaching another node is forwarded
/// there, transparently to both clients.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_connection_claims_the_room_and_other_nodes_forward_to_it() {
    let url = Postgres::shared().fresh_database("routing");
    let a = node(&url, "a").await;
    let b = node(&url, "b").await;
    let session = a.create_session("basic").await;
    assert_eq!(
        metric(&a, "kring_rooms_owned").await,
        0,
        "created, not claimed"
    );

    let mut f = b.facilitator(&session).await;
    assert_eq!(metric(&b, "kring_rooms_owned").await, 1);
    let health = b.get_text("/healthz").await;
    assert!(
        health.starts_with("ok\n")
            && health.contains("store: postgres, writable\nnode: b-")
            && health.contains("lease: valid\nrooms owned: 1\n"),
        "{health}"
    );
    assert_eq!(metric(&b, "kring_room_claims_total").await, 1);

    let mut anna = a.join(&session, "Anna").await;
    assert_eq!(metric(&a, "kring_forwarded_connections").await, 1);
    assert_eq!(metric(&a, "kring_forwarded_connections_total").await, 1);
    assert_eq!(
        metric(&a, "kring_rooms_owned").await,
        0,
        "a forwards, it does not claim"
    );
    assert_eq!(
        metric(&b, "kring_connections").await,
        2,
        "both sockets end on b"
    );

    f.command(Command::StartSession {}).await.expect("start");
    let started = anna
        .until_event(|e| matches!(e, Event::PhaseChanged { .. }))
        .await;
    let ack = anna
        .command(submit(InputKind::Case, "through the forward"))
        .await
        .expect("a forwarded member's command is acknowledged");
    assert!(ack.seq > started.seq);
    let added = f
        .until_event(|e| matches!(e, Event::ItemAdded { .. }))
        .await;
    assert_eq!(
        added.seq, ack.seq,
        "one history, seen the same on both nodes"
    );
    // Application pings pass through as well.
    anna.send(&ClientMsg::Ping { t: Some(7) }).await;
    loop {
        if let ServerMsg::Pong { t, .. } = anna.recv().await {
            assert_eq!(t, Some(7));
            break;
        }
    }

    // The client leaves: the forward ends on both nodes.
    anna.send(&ClientMsg::Leave {}).await;
    anna.closed().await;
    metric_becomes(&a, "kring_forwarded_connections", 0).await;
    metric_becomes(&b, "kring_connections", 1).await;
}

/// SIGTERM (here: a graceful stop) hands rooms over: each room commits what it has, releases
/// its ownership and tells its clients to reconnect (1012); another node claims it at once,
/// without waiting for a lease to run out, and the clients resume with exactly what they
/// missed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_node_hands_its_rooms_over_and_clients_resume_without_a_gap() {
    let url = Postgres::shared().fresh_database("handoff");
    let mut a = node(&url, "a").await;
    let b = node(&url, "b").await;
    let session = a.create_session("basic").await;
    let mut f = a.facilitator(&session).await;
    let mut anna = a.join(&session, "Anna").await;
    f.command(Command::StartSession {}).await.expect("start");
    let ack = anna
        .command(submit(InputKind::Case, "before the restart"))
        .await
        .expect("ack");
    anna.catch_up(ack.seq).await;
    f.catch_up(ack.seq).await;

    a.shutdown().await.expect("graceful stop");
    for client in [&mut f, &mut anna] {
        let close = client.closed().await.expect("a close frame");
        assert_eq!(u16::from(close.code), 1012);
        assert_eq!(close.reason.as_str(), "shutting_down");
    }

    let resumed_at = Instant::now();
    let mut anna2 = b.resume(&session, &anna).await;
    let waited = resumed_at.elapsed();
    assert!(
        waited < Duration::from_millis(1500),
        "a released room is claimed at once, not after the lease ({waited:?})"
    );
    assert!(
        anna2.welcome.as_ref().unwrap().view.is_none(),
        "resumed from the journal's replay, not a full view"
    );
    assert_eq!(anna2.welcome.as_ref().unwrap().seq, ack.seq, "nothing lost");
    assert_eq!(metric(&b, "kring_room_claims_total").await, 1);
    let mut f2 = b.resume(&session, &f).await;
    let next = anna2
        .command_with(
            "after-restart".into(),
            anna2.phase_seq(),
            submit(InputKind::Case, "after the restart"),
        )
        .await
        .expect("ack");
    assert_eq!(next.seq, ack.seq + 1, "no gap, no duplicate");
    let added = f2
        .until_event(|e| matches!(e, Event::ItemAdded { .. }))
        .await;
    assert_eq!(added.seq, next.seq);
}

/// Reads of a room's state over HTTP are answered on any node: from the room where it runs,
/// from the store elsewhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendance_is_answered_on_a_node_that_does_not_serve_the_room() {
    let url = Postgres::shared().fresh_database("reads");
    let a = node(&url, "a").await;
    let b = node(&url, "b").await;
    let session = a.create_session("basic").await;
    let mut f = a.facilitator(&session).await;
    let _anna = a.join(&session, "Anna").await;
    f.command(Command::StartSession {}).await.expect("start");
    for server in [&a, &b] {
        let response = server
            .http
            .get(server.url(&format!("/api/sessions/{}/attendance", session.code)))
            .bearer_auth(&session.facilitator_token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let attendance: Attendance = response.json().await.unwrap();
        let names: Vec<&str> = attendance.members.iter().map(|m| m.name.as_str()).collect();
        assert!(names.contains(&"Anna"), "{names:?}");
    }
    assert_eq!(
        metric(&b, "kring_rooms_owned").await,
        0,
        "b read it without claiming"
    );
    let wrong = b
        .http
        .get(b.url(&format!("/api/sessions/{}/attendance", session.code)))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
}

/// What a group keeps is in the store, so the next meeting may be created on any node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_carries_over_to_a_meeting_created_on_another_node() {
    let url = Postgres::shared().fresh_database("group");
    let a = node(&url, "a").await;
    let b = node(&url, "b").await;
    let first = a
        .create(serde_json::json!({
            "method": "basic", "title": "Meeting 1", "language": "en",
            "settings": {"keep_for_group": true}
        }))
        .await;
    let mut f = a.facilitator(&first).await;
    f.command(Command::StartSession {}).await.expect("start");
    f.command(Command::EndSession {}).await.expect("end");
    let next = b
        .create(serde_json::json!({
            "method": "basic", "title": "Meeting 2", "language": "en",
            "group_token": first.group_token
        }))
        .await;
    let mut f2 = b.facilitator(&next).await;
    let view = f2.view();
    assert!(
        view.report_back.is_some(),
        "the next meeting opens with the report-back"
    );
    f2.command(Command::StartSession {}).await.expect("start");
}

/// A node that stops tells the clients it forwards to reconnect too (1012), and the owner
/// sees them go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_node_tells_the_clients_it_forwards_to_reconnect() {
    let url = Postgres::shared().fresh_database("forwardstop");
    let owner = node(&url, "owner").await;
    let mut entry = node(&url, "entry").await;
    let session = owner.create_session("basic").await;
    let _f = owner.facilitator(&session).await;
    let mut anna = entry.join(&session, "Anna").await;
    assert_eq!(metric(&entry, "kring_forwarded_connections").await, 1);
    entry.shutdown().await.expect("graceful stop");
    let close = anna.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1012);
    metric_becomes(&owner, "kring_connections", 1).await;
    let back = owner.resume(&session, &anna).await;
    assert_eq!(
        back.welcome.as_ref().unwrap().member,
        anna.welcome.as_ref().unwrap().member
    );
}

/// A connection served on a node that does not own the room (here one forwarded to it by a
/// node with an out-of-date view) is sent on with `room_moved` at once when the owner is
/// alive, not after waiting out the owner's lease.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_for_a_live_owners_room_is_sent_on_at_once() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let pg = Postgres::shared();
    let url = pg.fresh_database("race");
    let owner = node(&url, "owner").await;
    let other = node(&url, "other").await;
    let session = owner.create_session("basic").await;
    let f = owner.facilitator(&session).await;
    let key = pg.psql(url.rsplit('/').next().unwrap(), "SELECT key FROM cluster");
    let code = session.code.replace('-', "");
    let mut request = format!("ws://{}/ws/{code}", other.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("x-kring-cluster-key", key.parse().unwrap());
    request
        .headers_mut()
        .insert("x-kring-forwarded-for", "192.0.2.7".parse().unwrap());
    let (ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let mut client = Client::from_stream(ws);
    let started = Instant::now();
    client
        .send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            join: Join::Resume {
                token: f.token(),
                epoch: None,
                last_seq: None,
            },
        })
        .await;
    let close = client.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 4004);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "sent on after {:?}",
        started.elapsed()
    );
    assert_eq!(metric(&other, "kring_rooms_owned").await, 0);
}
