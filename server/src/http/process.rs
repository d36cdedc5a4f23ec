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
use crate::room::{self, Answer};

pub async fn results(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Json<ProcessResults>, ApiErr> {
    let answer = query::ask(&app, peer.ip(), &code, &headers, |token_hash| {
        room::Query::Process { token_hash }
    })
    .await?;
    let Answer::Process(results) = answer else {
        return Err(ApiErr::internal());
    };
    Ok(Json(results))
}
