//! What a resuming client is replayed: only history since its own join, and never the text of
//! an item that has since been hidden or withdrawn.

use kring_protocol::*;

use crate::helpers::*;

/// Resumes `old` on a new socket claiming to have seen up to `last_seq`; returns the welcome
/// and everything that came before the answer to a ping (the replay, if any).
async fn resume_from(
    server: &TestServer,
    session: &SessionCreated,
    old: &Client,
    last_seq: Seq,
) -> (Welcome, Vec<Sequenced>) {
    let mut client = server.connect(&session.code).await;
    client.last_seq = last_seq;
    let welcome = client
        .hello(Join::Resume {
            token: old.token(),
            epoch: Some(old.epoch()),
            last_seq: Some(last_seq),
        })
        .await
        .clone();
    client.send(&ClientMsg::Ping { t: Some(7) }).await;
    while !matches!(client.recv().await, ServerMsg::Pong { .. }) {}
    (welcome, client.events)
}

fn shows(welcome: &Welcome, events: &[Sequenced], canary: &str) -> bool {
    let in_view = welcome.view.as_ref().is_some_and(|v| {
        v.items
            .iter()
            .any(|i| i.text.as_deref().is_some_and(|t| t.contains(canary)))
    });
    in_view || serde_json::to_string(events).unwrap().contains(canary)
}

#[tokio::test]
async fn a_member_is_never_replayed_history_from_before_their_join() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let mut fac = server.facilitator(&session).await;
    let mut early = server.join(&session, "Early").await;
    fac.command(Command::StartSession {}).await.unwrap();
    early
        .command(submit(InputKind::Case, "CANARY-BEFORE-JOIN"))
        .await
        .unwrap();
    fac.command(Command::HideItem {
        item: ItemId(1),
        hidden: true,
    })
    .await
    .unwrap();
    let late = server.join(&session, "Late").await;
    let joined_at = late.last_seq;
    let (welcome, events) = resume_from(&server, &session, &late, 1).await;
    assert!(welcome.view.is_some(), "a full view, not a replay");
    assert!(events.is_empty());
    assert!(!shows(&welcome, &events, "CANARY-BEFORE-JOIN"));
    // From its own join on, it is replayed as before.
    let (welcome, _) = resume_from(&server, &session, &late, joined_at).await;
    assert!(welcome.view.is_none());
}

#[tokio::test]
async fn hidden_and_withdrawn_text_is_not_replayed() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let mut fac = server.facilitator(&session).await;
    let mut author = server.join(&session, "Author").await;
    let reader = server.join(&session, "Reader").await;
    fac.command(Command::StartSession {}).await.unwrap();
    let before = fac.last_seq;
    let hidden = author
        .command(submit(InputKind::Case, "CANARY-HIDDEN"))
        .await
        .unwrap()
        .item
        .unwrap();
    let withdrawn = author
        .command(submit(InputKind::Case, "CANARY-WITHDRAWN"))
        .await
        .unwrap()
        .item
        .unwrap();
    author
        .command(submit(InputKind::Case, "still visible"))
        .await
        .unwrap();
    fac.command(Command::HideItem {
        item: hidden,
        hidden: true,
    })
    .await
    .unwrap();
    author
        .command(Command::Withdraw { item: withdrawn })
        .await
        .unwrap();
    let (welcome, events) = resume_from(&server, &session, &reader, before).await;
    assert!(!shows(&welcome, &events, "CANARY-HIDDEN"));
    assert!(!shows(&welcome, &events, "CANARY-WITHDRAWN"));
    assert!(
        shows(&welcome, &events, "still visible"),
        "what is still on the board arrives"
    );
}
