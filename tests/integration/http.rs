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
        // An unknown field is named by where it is, not by its (the client's) name.
        (json!({"title": "x", "colour": "red"}), "."),
        (
            json!({"title": "x", "settings": {"colour": "red"}}),
            "settings",
        ),
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

    // Like the other links, the QR code's is absolute.
    assert_eq!(session.qr_url, format!("{}/qr.svg", session.join_url));
    let qr = server.http.get(&session.qr_url).send().await.unwrap();
    assert_eq!(qr.status(), 200);
    assert_eq!(qr.headers().get("content-type").unwrap(), "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));
}

#[tokio::test]
async fn the_api_is_described_at_openapi_json() {
    let server = spawn_app().await;
    let doc: serde_json::Value = server
        .http
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let create = &doc["paths"]["/api/sessions"]["post"];
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/CreateSession"
    );
    assert!(create["responses"]["201"].is_object());
}

#[tokio::test]
async fn a_query_string_that_does_not_parse_gets_an_api_error() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let response = server
        .http
        .get(server.url(&format!(
            "/api/sessions/{}/attendance?offset=2147483648",
            session.code
        )))
        .bearer_auth(&session.facilitator_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: ApiError = response.json().await.unwrap();
    assert_eq!(
        (error.code, error.field.as_deref()),
        (ErrorCode::InvalidRequest, Some("query"))
    );
}
