//! What a newcomer sees before joining (the join page's preview), and the video call a session
//! was created with.

use kring_protocol::*;
use serde_json::json;

use crate::helpers::*;

async fn preview(server: &TestServer, code: &str) -> (u16, String) {
    let response = server
        .http
        .get(server.url(&format!("/api/sessions/{code}/preview")))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_join_page_learns_the_title_of_an_open_room_only() {
    let server = spawn_app().await;
    let open = server
        .create(json!({"method": "basic", "title": "Team Noord, maart", "language": "de"}))
        .await;
    let (status, body) = preview(&server, &open.code.to_lowercase().replace('-', "")).await;
    assert_eq!(status, 200, "{body}");
    let shown: SessionPreview = serde_json::from_str(&body).unwrap();
    assert_eq!(
        shown,
        SessionPreview {
            title: "Team Noord, maart".into(),
            language: Language::De
        }
    );

    // Unknown, locked and ended rooms answer alike, as a join would.
    let locked = server.create_session("basic").await;
    let mut f = server.facilitator(&locked).await;
    f.command(Command::LockRoom { locked: true }).await.unwrap();
    let ended = server.create_session("basic").await;
    let mut g = server.facilitator(&ended).await;
    g.command(Command::EndSession {}).await.unwrap();
    let unknown = preview(&server, "ZZZ-ZZZ-ZZZ").await;
    assert_eq!(unknown.0, 404);
    assert_eq!(preview(&server, &locked.code).await, unknown);
    assert_eq!(preview(&server, &ended.code).await, unknown);
    assert_eq!(preview(&server, "not-a-code").await, unknown);

    // They count as failed joins of this address.
    let metrics = server.get_text("/metrics").await;
    assert!(metrics.contains("kring_failed_joins_total 4"), "{metrics}");
}

#[tokio::test]
async fn previews_are_blocked_with_joins_after_too_many_guesses() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    for i in 0..10 {
        assert_eq!(preview(&server, &format!("ZZZZZZZZ{}", i + 2)).await.0, 404);
    }
    assert_eq!(preview(&server, &session.code).await.0, 429);
}

#[tokio::test]
async fn a_video_call_link_is_checked_and_shown_to_members() {
    let server = spawn_app().await;
    let session = server
        .create(json!({
            "method": "basic",
            "title": "Hybride intervisie",
            "settings": {"video_url": "  https://meet.jit.si/kring-team-noord  "}
        }))
        .await;
    let anna = server.join(&session, "Anna").await;
    assert_eq!(
        anna.view().settings.video_url.as_deref(),
        Some("https://meet.jit.si/kring-team-noord")
    );
    // An empty field is no link.
    let none = server
        .create(json!({"title": "x", "settings": {"video_url": "  "}}))
        .await;
    let bram = server.join(&none, "Bram").await;
    assert_eq!(bram.view().settings.video_url, None);

    for bad in [
        "http://meet.example.org/x",
        "javascript:alert(1)",
        "https://",
        "https:///path",
        "https://meet.example.org/a b",
        "meet.jit.si/team",
    ] {
        let response = server
            .http
            .post(server.url("/api/sessions"))
            .json(&json!({"title": "x", "settings": {"video_url": bad}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{bad}");
        let error: ApiError = response.json().await.unwrap();
        assert_eq!(error.field.as_deref(), Some("settings.video_url"), "{bad}");
    }
    let long = format!("https://meet.example.org/{}", "x".repeat(480));
    let response = server
        .http
        .post(server.url("/api/sessions"))
        .json(&json!({"title": "x", "settings": {"video_url": long}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
}
