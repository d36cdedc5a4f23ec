//! The HTTP contract: health, metrics, methods, session creation, join links, the app.

use kring_protocol::*;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn health_metrics_and_methods() {
    let server = spawn_app().await;
    let health = server
        .http
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.text().await.unwrap(),
        "ok\nstore: memory, writable\n"
    );

    let methods: MethodList = server
        .http
        .get(server.url("/api/methods"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = methods.methods.iter().map(|m| m.id.as_str()).collect();
    for id in ["basic", "incident", "gossip", "balint", "tietze", "troika"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    for m in &methods.methods {
        assert!(!m.name.nl.is_empty() && !m.name.en.is_empty());
        assert!(!m.description.nl.is_empty() && !m.description.en.is_empty());
    }

    let session = server.create_session("basic").await;
    let _anna = server.join(&session, "Anna").await;
    let metrics = server.get_text("/metrics").await;
    assert!(metrics.contains("kring_connections 1"), "{metrics}");
    assert!(metrics.contains("kring_rooms 1"), "{metrics}");
    assert!(metrics.contains("kring_messages_in_total"));
    assert!(metrics.contains("kring_store_commit_seconds_bucket"));
}

#[tokio::test]
async fn creating_a_session_validates_with_field_errors() {
    let server = spawn_app().await;
    let cases = [
        (json!({"title": ""}), "title"),
        (json!({"title": "x", "method": "nope"}), "method"),
        (json!({"title": "x", "colour": "red"}), "colour"),
        (json!({"title": 5}), "title"),
        (
            json!({"title": "x", "template": {"id": "mine"}}),
            "template",
        ),
    ];
    for (body, field) in cases {
        let response = server
            .http
            .post(server.url("/api/sessions"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "{body}");
        let error: ApiError = response.json().await.unwrap();
        let got = error.field.clone().unwrap_or_default();
        assert!(
            got.starts_with(field),
            "{body}: field {got:?}, wanted {field:?}"
        );
    }
}

#[tokio::test]
async fn join_link_serves_the_app_with_a_strict_policy_and_a_qr_code() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let page = server
        .http
        .get(server.url(&format!("/join/{}", session.code)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csp = page
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(
        page.headers().get("referrer-policy").unwrap(),
        "no-referrer"
    );
    assert!(page.text().await.unwrap().contains("<html"));

    let qr = server
        .http
        .get(server.url(&session.qr_url))
        .send()
        .await
        .unwrap();
    assert_eq!(qr.status(), 200);
    assert_eq!(qr.headers().get("content-type").unwrap(), "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));
}
