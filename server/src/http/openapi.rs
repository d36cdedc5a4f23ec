//! The HTTP API described as OpenAPI 3.1, generated from the handlers' annotations and the
//! protocol's body types, served at `GET /api/openapi.json`. The WebSocket protocol is not
//! HTTP and is described in `docs/PROTOCOL.md` instead.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The bearer tokens: the facilitator token (attendance) or a member's resume token (summary,
/// certificate, reflection; the process evaluation for a co-facilitator or whoever the role
/// was handed to).
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kring",
        description = "Live intervision sessions: create a session, read the methods, download \
                       what a session leaves behind. A session itself runs over the WebSocket \
                       at `ws_path` (docs/PROTOCOL.md). Every error body is an `ApiError` with \
                       a code from the protocol's error table.",
    ),
    paths(
        super::api::methods,
        super::api::create_session,
        super::api::preview,
        super::summary::download,
        super::attendance::export,
        super::records::certificate,
        super::records::reflection,
        super::records::verify,
        super::process::results,
        super::healthz,
        openapi_json,
    ),
    modifiers(&BearerToken),
)]
pub(super) struct ApiDoc;

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    responses((status = 200, description = "This document (OpenAPI 3.1).", content_type = "application/json")),
)]
pub(super) async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use kring_engine::methods::{MAX_DOTS, MAX_MINUTES, MAX_PHASES};
    use kring_protocol::limits::TITLE_MAX_CHARS;
    use serde_json::Value;

    use super::*;

    fn doc() -> Value {
        serde_json::to_value(ApiDoc::openapi()).expect("serialises")
    }

    fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
        &doc["components"]["schemas"][name]
    }

    #[test]
    fn documents_every_api_route() {
        let doc = doc();
        let mut paths: Vec<&str> = doc["paths"]
            .as_object()
            .expect("paths")
            .keys()
            .map(String::as_str)
            .collect();
        paths.sort_unstable();
        assert_eq!(
            paths,
            [
                "/api/methods",
                "/api/openapi.json",
                "/api/sessions",
                "/api/sessions/{code}/attendance",
                "/api/sessions/{code}/certificate",
                "/api/sessions/{code}/preview",
                "/api/sessions/{code}/process",
                "/api/sessions/{code}/reflection",
                "/api/sessions/{code}/summary",
                "/healthz",
                "/verify/{code}",
            ]
        );
    }

    #[test]
    fn schema_bounds_are_the_rules_bounds() {
        let doc = doc();
        let method = schema(&doc, "MethodTemplate");
        assert_eq!(method["properties"]["dots_per_member"]["maximum"], MAX_DOTS);
        assert_eq!(method["properties"]["phases"]["maxItems"], MAX_PHASES);
        let phase = schema(&doc, "PhaseTemplate");
        assert_eq!(phase["properties"]["minutes"]["maximum"], MAX_MINUTES);
        let title = schema(&doc, "CreateSession")["properties"]["title"]["pattern"]
            .as_str()
            .expect("a title pattern");
        // The pattern bounds the trimmed title: one first and one last visible character
        // around at most this many in between.
        assert!(
            title.contains(&format!("{{0,{}}}", TITLE_MAX_CHARS - 2)),
            "{title}"
        );
    }
}
