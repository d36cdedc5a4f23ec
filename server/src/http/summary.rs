//! The case-bringer's summary download: `GET /api/sessions/{code}/summary?format=md|html`
//! `[&case=N]` with `Authorization: Bearer <resume token>`. Each case-bringer of the meeting
//! gets the summary of the case rounds they brought (an earlier one's too), and only until
//! retention deletes the session.

use std::net::SocketAddr;

use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use kring_protocol::Language;
use serde::Deserialize;

use super::{ApiErr, AppState, query};
use crate::room;
use crate::summary;

#[derive(Deserialize)]
pub(super) struct Format {
    #[serde(default)]
    pub format: Option<String>,
    /// The reader's offset from UTC in minutes (east positive), for dates.
    #[serde(default)]
    pub offset: i32,
    /// Which of the reader's case rounds (0-based); default: the latest they brought.
    #[serde(default)]
    pub case: Option<u16>,
    /// The reader's language (`nl`, `en`, `de`, `fr`); anything else means the session's.
    #[serde(default)]
    pub lang: Option<String>,
}

impl Format {
    fn language(&self) -> Option<Language> {
        let lang = self.lang.as_deref()?;
        Language::ALL.into_iter().find(|l| l.as_str() == lang)
    }
}

/// A case-bringer's summary of a case they brought, with their resume token.
#[utoipa::path(
    get,
    path = "/api/sessions/{code}/summary",
    tag = "records",
    params(
        ("code" = String, Path, description = "The room code (case-insensitive, dashes optional)."),
        ("format" = Option<String>, Query, description = "`md` (default) or `html`."),
        ("offset" = Option<i32>, Query, description = "The reader's UTC offset in minutes, for local times."),
        ("case" = Option<u16>, Query, minimum = 0, maximum = 65535, description = "Which case of the meeting (0-based), among those the token's member brought; default: the latest."),
        ("lang" = Option<String>, Query, description = "The reader's language (`nl`, `en`, `de`, `fr`); anything else means the session's."),
    ),
    security(("token" = [])),
    responses(
        (status = 200, description = "The case-bringer's summary, as Markdown or a printable page.", body = String, content_type = "text/markdown"),
        (status = 400, description = "The query string does not parse (`invalid_request`).", body = kring_protocol::ApiError),
        (status = 401, description = "No bearer token (`bad_token`).", body = kring_protocol::ApiError),
        (status = 403, description = "The token is a member's who did not bring this case (or any).", body = kring_protocol::ApiError),
        (status = 404, description = "No such session, or a token it does not know (`room_not_found`, indistinguishable on purpose).", body = kring_protocol::ApiError),
    ),
)]
pub(super) async fn download(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    format: Result<Query<Format>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiErr> {
    let Query(format) = format.map_err(|_| ApiErr::bad_query())?;
    let language = format.language();
    let summary = query::ask(&app, peer.ip(), &code, &headers, |token_hash| {
        room::query::Summary {
            token_hash,
            case: format.case,
            language,
        }
    })
    .await?;
    let (mime, body, disposition) = match format.format.as_deref() {
        Some("html") => (
            "text/html; charset=utf-8",
            summary::html(&summary, format.offset),
            "attachment; filename=\"kring-summary.html\"",
        ),
        _ => (
            "text/markdown; charset=utf-8",
            summary::markdown(&summary, format.offset),
            "attachment; filename=\"kring-summary.md\"",
        ),
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static(disposition),
            ),
        ],
        body,
    )
        .into_response())
}

pub(super) async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        summary::CSS,
    )
}
