//! The case-bringer's summary download: `GET /api/sessions/{code}/summary?format=md|html`
//! `[&case=N]` with `Authorization: Bearer <resume token>`. Each case-bringer of the meeting
//! gets the summary of the case rounds they brought (an earlier one's too), and only until
//! retention deletes the session.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{ApiErr, AppState, query};
use crate::room::{self, Answer};
use crate::summary;

#[derive(Deserialize)]
pub struct Format {
    #[serde(default)]
    pub format: Option<String>,
    /// The reader's offset from UTC in minutes (east positive), for dates.
    #[serde(default)]
    pub offset: i32,
    /// Which of the reader's case rounds (0-based); default: the latest they brought.
    #[serde(default)]
    pub case: Option<u16>,
}

pub async fn download(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    Query(format): Query<Format>,
    headers: HeaderMap,
) -> Result<Response, ApiErr> {
    let answer = query::ask(&app, peer.ip(), &code, &headers, |token_hash| {
        room::Query::Summary {
            token_hash,
            case: format.case,
        }
    })
    .await?;
    let Answer::Summary(summary) = answer else {
        return Err(ApiErr::internal());
    };
    let (mime, body, ext) = match format.format.as_deref() {
        Some("html") => (
            "text/html; charset=utf-8",
            summary::html(&summary, format.offset),
            "html",
        ),
        _ => (
            "text/markdown; charset=utf-8",
            summary::markdown(&summary, format.offset),
            "md",
        ),
    };
    let disposition = format!("attachment; filename=\"kring-summary.{ext}\"");
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
