//! The attendance record for the facilitator: `GET /api/sessions/{code}/attendance` with
//! `Authorization: Bearer <facilitator token>`; JSON, or CSV with `?format=csv`. No content:
//! names, roles, when they joined, how long they were connected.

use std::fmt::Write;

use std::net::SocketAddr;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use kring_protocol::Attendance;

use super::summary::Format;
use super::{ApiErr, AppState, query};
use crate::room::{self, Answer};

/// Who attended, for the facilitator (facilitator token); no content.
#[utoipa::path(
    get,
    path = "/api/sessions/{code}/attendance",
    tag = "records",
    params(
        ("code" = String, Path, description = "The room code (case-insensitive, dashes optional)."),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`."),
    ),
    security(("token" = [])),
    responses(
        (status = 200, description = "Who attended, when and for how long; no content.", body = Attendance),
        (status = 400, description = "The query string does not parse (`invalid_request`).", body = kring_protocol::ApiError),
        (status = 401, description = "No bearer token (`bad_token`).", body = kring_protocol::ApiError),
        (status = 403, description = "The token is not the facilitator's.", body = kring_protocol::ApiError),
        (status = 404, description = "No such session, or a token it does not know (`room_not_found`).", body = kring_protocol::ApiError),
    ),
)]
pub async fn export(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    format: Result<Query<Format>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiErr> {
    let Query(format) = format.map_err(|_| ApiErr::bad_query())?;
    let answer = query::ask(&app, peer.ip(), &code, &headers, |token_hash| {
        room::Query::Attendance { token_hash }
    })
    .await?;
    let Answer::Attendance(attendance) = answer else {
        return Err(ApiErr::internal());
    };
    Ok(match format.format.as_deref() {
        Some("csv") => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"kring-attendance.csv\"",
                ),
            ],
            csv(&attendance),
        )
            .into_response(),
        _ => Json(attendance).into_response(),
    })
}

/// RFC 4180 CSV; times in UTC (ISO 8601), durations in whole minutes.
fn csv(a: &Attendance) -> String {
    let mut out = String::from("name,role,joined_at_utc,present_minutes\r\n");
    for row in &a.members {
        let _ = write!(
            out,
            "{},{},{},{}\r\n",
            field(&row.name),
            row.role.as_str(),
            crate::summary::timestamp(row.joined_at),
            row.present_ms / 60_000
        );
    }
    out
}

/// Quotes a CSV field, and defuses spreadsheet formulas (a name starting with `=`).
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("Anna \"A\""), "\"Anna \"\"A\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
    }
}
