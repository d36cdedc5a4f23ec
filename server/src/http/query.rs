//! Reads of one room's state for the HTTP API, authorised by a bearer token.
//!
//! A wrong token and an unknown code both count as failed guesses of the caller's address, so
//! the difference between "no such room" and "not yours" cannot be used to find rooms.

use std::net::IpAddr;

use axum::http::{HeaderMap, StatusCode, header};
use kring_protocol::ErrorCode;
use tokio::sync::oneshot;

use super::{ApiErr, AppState};
use crate::room::{Answer, Query, RoomMsg};
use crate::secrets::{hash_token, normalize_code};

/// Asks the room `code` the query built from the caller's token hash.
pub async fn ask(
    app: &AppState,
    peer: IpAddr,
    code: &str,
    headers: &HeaderMap,
    query: impl FnOnce(String) -> Query,
) -> Result<Answer, ApiErr> {
    let guesses = &app.hub.guesses;
    if guesses.check(peer).is_err() {
        return Err(ApiErr::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyAttempts,
        ));
    }
    let token = bearer(headers)
        .ok_or_else(|| ApiErr::new(StatusCode::UNAUTHORIZED, ErrorCode::BadToken))?;
    let not_found = || {
        guesses.failed(peer);
        ApiErr::new(StatusCode::NOT_FOUND, ErrorCode::RoomNotFound)
    };
    let code = normalize_code(code).ok_or_else(not_found)?;
    let room = app
        .hub
        .room(&code)
        .await
        .map_err(|_| ApiErr::internal())?
        .ok_or_else(not_found)?;
    let (reply, answer) = oneshot::channel();
    room.tx
        .send(RoomMsg::Query {
            query: query(hash_token(token)),
            reply,
        })
        .await
        .map_err(|_| ApiErr::internal())?;
    match answer.await.map_err(|_| ApiErr::internal())? {
        Answer::Forbidden => {
            guesses.failed(peer);
            Err(ApiErr::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden))
        }
        answer => Ok(answer),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}
