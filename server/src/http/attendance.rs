//! The attendance record for the facilitator: `GET /api/sessions/{code}/attendance` with
//! `Authorization: Bearer <facilitator token>` (or the resume token of a member with the
//! facilitator's rights now: whoever the role was handed to, a co-facilitator); JSON, CSV with `?format=csv`, or a printable
//! page with `?format=html`. No content: names, roles, minutes present, confirmations.
//!
//! While the session is kept the room answers (with its minutes as they stand); afterwards the
//! stored record does, for `--attendance-retention`.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use kring_protocol::Attendance;
use tokio::time::Instant;

use super::query::{self, Found};
use super::summary::Format;
use super::{ApiErr, AppState};
use crate::records::{self, render};
use crate::room;
use crate::secrets::same_hash;

/// The meeting's attendance record, for the facilitator (facilitator token, or the resume token
/// of a member with the facilitator's rights now); no content.
#[utoipa::path(
    get,
    path = "/api/sessions/{code}/attendance",
    tag = "records",
    params(
        ("code" = String, Path, description = "The room code (case-insensitive, dashes optional)."),
        ("format" = Option<String>, Query, description = "`json` (default), `csv`, or `html` (a printable list)."),
    ),
    security(("token" = [])),
    responses(
        (status = 200, description = "The attendance record: date, local times, method, facilitator, group, and per member role, minutes and confirmation; no content. Also after the session's content is deleted.", body = Attendance),
        (status = 400, description = "The query string does not parse (`invalid_request`).", body = kring_protocol::ApiError),
        (status = 401, description = "No bearer token (`bad_token`).", body = kring_protocol::ApiError),
        (status = 403, description = "The token is a member's without the facilitator's rights.", body = kring_protocol::ApiError),
        (status = 404, description = "No such session or record, or a token it does not know (`room_not_found`).", body = kring_protocol::ApiError),
    ),
)]
pub(super) async fn export(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    format: Result<Query<Format>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiErr> {
    let started = Instant::now();
    let Query(format) = format.map_err(|_| ApiErr::bad_query())?;
    let found = query::ask_or_record(&app, peer.ip(), &code, &headers, |token_hash| {
        room::query::Attendance { token_hash }
    })
    .await?;
    let (attendance, language) = match found {
        Found::Room((attendance, language)) => (*attendance, language),
        Found::Record(record, token_hash) => {
            // The facilitator token, or the resume token of whoever held the role at the end
            // (the role handed over); a co-facilitator's rights end with the content.
            let led = record.members.iter().any(|m| {
                m.role == kring_protocol::Role::Facilitator
                    && m.token_hash
                        .as_deref()
                        .is_some_and(|h| same_hash(&token_hash, h))
            });
            if !led && !same_hash(&token_hash, &record.facilitator_token_hash) {
                return Err(query::unknown(&app, peer.ip(), &code, started).await);
            }
            (records::attendance(&record, None), record.language)
        }
    };
    Ok(match format.format.as_deref() {
        Some("csv") => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"kring-attendance.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            render::list_csv(&attendance),
        )
            .into_response(),
        Some("html") => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            render::list_html(&attendance, language),
        )
            .into_response(),
        _ => ([(header::CACHE_CONTROL, "no-store")], Json(attendance)).into_response(),
    })
}
