//! The process evaluation's results for the facilitator: `GET /api/sessions/{code}/process`
//! with `Authorization: Bearer <token>` of a member who has the facilitator's rights now (the
//! facilitator token, the resume token of whoever the role was handed to, or a
//! co-facilitator's). Sums per item and anonymous remarks, per case round, only once at least
//! three members answered; never who answered what. Events cannot carry this (they go to
//! everyone), so the console asks for it.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use kring_protocol::ProcessResults;

use super::{ApiErr, AppState, query};
use crate::room::query::Process;

/// The process evaluation's sums and the group's trend, for whoever has the facilitator's
/// rights now.
#[utoipa::path(
    get,
    path = "/api/sessions/{code}/process",
    tag = "records",
    params(
        ("code" = String, Path, description = "The room code (case-insensitive, dashes optional)."),
    ),
    security(("token" = [])),
    responses(
        (status = 200, description = "Per case, the sums of the answers once at least three members answered, and the group's earlier meetings; no names.", body = ProcessResults),
        (status = 401, description = "No bearer token (`bad_token`).", body = kring_protocol::ApiError),
        (status = 403, description = "The token is a member's without the facilitator's rights.", body = kring_protocol::ApiError),
        (status = 404, description = "No such session, or a token it does not know (`room_not_found`, indistinguishable on purpose).", body = kring_protocol::ApiError),
    ),
)]
pub(super) async fn results(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Json<ProcessResults>, ApiErr> {
    let results = query::ask(&app, peer.ip(), &code, &headers, |token_hash| Process {
        token_hash,
    })
    .await?;
    Ok(Json(results))
}
