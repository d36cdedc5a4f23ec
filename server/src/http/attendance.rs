//! The attendance record for the facilitator: `GET /api/sessions/{code}/attendance` with
//! `Authorization: Bearer <facilitator token>`; JSON, or CSV with `?format=csv`. No content:
//! names, roles, when they joined, how long they were connected.

use std::fmt::Write;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kring_protocol::{Attendance, ErrorCode};
use tokio::sync::oneshot;

use super::summary::{Format, bearer};
use super::{ApiErr, AppState};
use crate::room::{self, Answer, RoomMsg};
use crate::secrets::{hash_token, normalize_code};

pub async fn export(
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
    let query = room::Query::Attendance {
        token_hash: hash_token(token),
    };
    room.tx
        .send(RoomMsg::Query { query, reply })
        .await
        .map_err(|_| ApiErr::internal())?;
    let attendance = match answer.await.map_err(|_| ApiErr::internal())? {
        Answer::Attendance(a) => a,
        _ => return Err(ApiErr::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden)),
    };
    Ok(match format.format.as_deref() {
        Some("csv") => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"kring-attendance-{code}.csv\""),
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
