//! The case-bringer's summary download: `GET /api/sessions/{code}/summary?format=md|html`
//! with `Authorization: Bearer <resume token>`. Only the current case-bringer gets it, and
//! only until retention deletes the session.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use kring_protocol::Language;
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

pub async fn download(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    Query(format): Query<Format>,
    headers: HeaderMap,
) -> Result<Response, ApiErr> {
    let language = format.language();
    let answer = query::ask(&app, peer.ip(), &code, &headers, |token_hash| {
        room::Query::Summary {
            token_hash,
            language,
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
