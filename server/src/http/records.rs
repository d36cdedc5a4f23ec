//! What each member takes home, and how a register checks it:
//!
//! - `GET /api/sessions/{code}/certificate` (`Authorization: Bearer <resume token>`): the
//!   member's certificate of participation, a printable page. Once the session has ended and
//!   the member has confirmed their presence; from the stored record after the session's
//!   content is deleted, for `--attendance-retention`.
//! - `GET /api/sessions/{code}/reflection?format=html|text` (resume token): the member's
//!   one-page record with their personal reflection; only while the session's content is kept
//!   (a reflection is content).
//! - `GET /verify/{code}` (`?format=json`): whether a certificate is genuine, and what it
//!   states. Looked up like a join by room code alone: unknown codes count as failed guesses
//!   of the caller's address, which is refused (429) while it is blocked; a mistyped code (its
//!   check character fails) is answered without a lookup.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kring_protocol::{ApiError, ErrorCode, Verification};
use tokio::time::Instant;

use super::join::base_url;
use super::query::{self, Found, not_yet};
use super::summary::Format;
use super::{ApiErr, AppState};
use crate::limits::FAILURE_FLOOR;
use crate::records::{self, Typed, render};
use crate::room;
use crate::secrets::same_hash;

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// A member's certificate of participation (their resume token), as a printable page.
#[utoipa::path(
    get,
    path = "/api/sessions/{code}/certificate",
    tag = "records",
    params(
        ("code" = String, Path, description = "The room code (case-insensitive, dashes optional)."),
    ),
    security(("token" = [])),
    responses(
        (status = 200, description = "The member's certificate of participation, with its verification code and link; also after the session's content is deleted.", body = String, content_type = "text/html"),
        (status = 401, description = "No bearer token (`bad_token`).", body = ApiError),
        (status = 404, description = "No such session or record, or a token it does not know (`room_not_found`).", body = ApiError),
        (status = 409, description = "Not yet: the session has not ended (`not_ended`), or the member has not confirmed their presence (`not_confirmed`).", body = ApiError),
    ),
)]
pub(super) async fn certificate(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiErr> {
    let started = Instant::now();
    let found = query::ask_or_record(&app, peer.ip(), &code, &headers, |token_hash| {
        room::query::Certificate { token_hash }
    })
    .await?;
    let (record, member) = match found {
        Found::Room((record, member)) => (record, member),
        Found::Record(record, token_hash) => {
            let member = record
                .members
                .iter()
                .find(|m| {
                    m.token_hash
                        .as_deref()
                        .is_some_and(|h| same_hash(h, &token_hash))
                })
                .map(|m| (m.member, m.confirmed_at.is_some()));
            match member {
                None => return Err(query::unknown(&app, peer.ip(), &code, started).await),
                Some((_, false)) => return Err(not_yet(ErrorCode::NotConfirmed)),
                Some((id, true)) => (record, id),
            }
        }
    };
    // The room and the stored record both name a member of the record itself.
    let Some(entry) = record.members.iter().find(|m| m.member == member) else {
        tracing::error!(room = %crate::redact::RoomTag(&record.room), "certificate's member missing from the meeting's record");
        return Err(ApiErr::internal());
    };
    let statement =
        records::verification(&record, entry).ok_or_else(|| not_yet(ErrorCode::NotEnded))?;
    let url = format!("{}/verify/{}", base_url(&app, &headers), statement.code);
    Ok(html(
        StatusCode::OK,
        render::certificate_html(&statement, record.language, &url),
    ))
}

/// A member's one-page record with their personal reflection (their resume token).
#[utoipa::path(
    get,
    path = "/api/sessions/{code}/reflection",
    tag = "records",
    params(
        ("code" = String, Path, description = "The room code (case-insensitive, dashes optional)."),
        ("format" = Option<String>, Query, description = "`html` (default, printable) or `text`."),
    ),
    security(("token" = [])),
    responses(
        (status = 200, description = "The member's record: date, local times, method, facilitator, group, their name and their reflection; nothing of anyone else.", content(
            (String = "text/html"),
            (String = "text/plain"),
        )),
        (status = 400, description = "The query string does not parse (`invalid_request`).", body = ApiError),
        (status = 401, description = "No bearer token (`bad_token`).", body = ApiError),
        (status = 404, description = "No such session (or its content is deleted), or a token it does not know (`room_not_found`).", body = ApiError),
        (status = 409, description = "The session has not started (`not_started`).", body = ApiError),
    ),
)]
pub(super) async fn reflection(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    format: Result<Query<Format>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiErr> {
    let Query(format) = format.map_err(|_| ApiErr::bad_query())?;
    let page = query::ask(&app, peer.ip(), &code, &headers, |token_hash| {
        room::query::Reflection { token_hash }
    })
    .await?;
    Ok(match format.format.as_deref() {
        Some("text") => (
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"kring-reflection.txt\"",
                ),
            ],
            render::reflection_text(&page),
        )
            .into_response(),
        _ => html(StatusCode::OK, render::reflection_html(&page)),
    })
}

/// Whether a certificate's verification code is genuine, and what the certificate states.
#[utoipa::path(
    get,
    path = "/verify/{code}",
    tag = "records",
    params(
        ("code" = String, Path, description = "The verification code on a certificate, e.g. `K7MQ-3QX9-PA2T-8CWR` (case-insensitive, dashes optional)."),
        ("format" = Option<String>, Query, description = "`html` (default, a page for people) or `json`."),
    ),
    responses(
        (status = 200, description = "Genuine: what the certificate states.", content(
            (String = "text/html"),
            (Verification = "application/json"),
        )),
        (status = 400, description = "The query string does not parse (`invalid_request`).", body = ApiError),
        (status = 404, description = "Not genuine: no certificate has this code, or the code is mistyped (its check character fails).", content(
            (String = "text/html"),
            (ApiError = "application/json"),
        )),
        (status = 429, description = "This address tried too many unknown codes lately (`too_many_attempts`; see `Retry-After`).", body = ApiError),
    ),
)]
pub(super) async fn verify(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    format: Result<Query<Format>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiErr> {
    let Query(format) = format.map_err(|_| ApiErr::bad_query())?;
    let json = format.format.as_deref() == Some("json");
    let language = render::language_of(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let refused = |verdict: render::Verdict<'_>, code: ErrorCode| -> Response {
        if json {
            ApiErr::new(StatusCode::NOT_FOUND, code).into_response()
        } else {
            html(
                StatusCode::NOT_FOUND,
                render::verify_html(verdict, language),
            )
        }
    };
    let Typed::Code(code) = records::parse_certificate(&code) else {
        return Ok(refused(render::Verdict::Malformed, ErrorCode::NotFound));
    };
    // Like a join by code alone: refused while the address is blocked for failing too often.
    let started = Instant::now();
    let attempt = app.hub.reserve_join(peer.ip()).await.map_err(|wait| {
        ApiErr::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts).retry_after(wait)
    })?;
    let record = app
        .hub
        .store()
        .record_by_certificate(&code)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "certificate lookup failed");
            ApiErr::internal()
        })?;
    let statement = record.as_ref().and_then(|record| {
        let member = record.members.iter().find(|m| m.certificate == code)?;
        // Only what a certificate could have been issued for: an ended meeting, a confirmed member.
        member.confirmed_at?;
        records::verification(record, member)
    });
    let Some(statement) = statement else {
        app.hub.join_failed(peer.ip(), &code, Some(attempt));
        tokio::time::sleep_until(started + FAILURE_FLOOR).await;
        return Ok(refused(render::Verdict::Unknown, ErrorCode::NotFound));
    };
    Ok(if json {
        ([(header::CACHE_CONTROL, "no-store")], Json(statement)).into_response()
    } else {
        html(
            StatusCode::OK,
            render::verify_html(render::Verdict::Genuine(&statement), language),
        )
    })
}

pub(super) async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        render::CSS,
    )
}
