//! The case-bringer's summary download: `GET /api/sessions/{code}/summary?format=md|html`
//! with `Authorization: Bearer <resume token>`. Only the current case-bringer gets it, and
//! only until retention deletes the session.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kring_protocol::ErrorCode;
use serde::Deserialize;
use tokio::sync::oneshot;

use super::{ApiErr, AppState};
use crate::room::{self, Answer, RoomMsg};
use crate::secrets::{hash_token, normalize_code};
use crate::summary;

#[derive(Deserialize)]
pub struct Format {
    #[serde(default)]
    pub format: Option<String>,
}

pub async fn download(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Query(format): Query<Format>,
    headers: HeaderMap,
) -> Result<Response, ApiErr> {
    let token = bearer(&headers)
        .ok_or_else(|| ApiErr::new(StatusCode::UNAUTHORIZED, ErrorCode::BadToken))?;
    let not_found = || ApiErr::new(StatusCode::NOT_FOUND, ErrorCode::RoomNotFound);
    let code = normalize_code(&code).ok_or_else(not_found)?;
    let room = app
        .hub
        .room(&code)
        .await
        .map_err(|_| ApiErr::internal())?
        .ok_or_else(not_found)?;
    let (reply, answer) = oneshot::channel();
    let query = room::Query::Summary {
        token_hash: hash_token(token),
    };
    room.tx
        .send(RoomMsg::Query { query, reply })
        .await
        .map_err(|_| ApiErr::internal())?;
    let summary = match answer.await.map_err(|_| ApiErr::internal())? {
        Answer::Summary(summary) => summary,
        _ => return Err(ApiErr::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden)),
    };
    let (mime, body, ext) = match format.format.as_deref() {
        Some("html") => ("text/html; charset=utf-8", summary::html(&summary), "html"),
        _ => (
            "text/markdown; charset=utf-8",
            summary::markdown(&summary),
            "md",
        ),
    };
    let disposition = format!("attachment; filename=\"kring-summary-{code}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(|_| ApiErr::internal())?,
            ),
        ],
        body,
    )
        .into_response())
}

pub async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        summary::CSS,
    )
}

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}
