//! Reads of one room's state for the HTTP API, authorised by a bearer token.
//!
//! A wrong token and an unknown code get the same answer (404 `room_not_found`) and both count
//! as failed guesses of the caller's address, so they cannot be used to find rooms.

use std::net::IpAddr;

use axum::http::{HeaderMap, StatusCode, header};
use kring_protocol::ErrorCode;

use super::{ApiErr, AppState};
use crate::room::{Answer, Query};
use crate::secrets::{hash_token, normalize_code};

/// Asks the room `code` the query built from the caller's token hash.
pub async fn ask(
    app: &AppState,
    peer: IpAddr,
    code: &str,
    headers: &HeaderMap,
    query: impl FnOnce(String) -> Query,
) -> Result<Answer, ApiErr> {
    if app.hub.may_try_join(peer).is_err() {
        return Err(ApiErr::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyAttempts,
        ));
    }
    let token = bearer(headers)
        .ok_or_else(|| ApiErr::new(StatusCode::UNAUTHORIZED, ErrorCode::BadToken))?;
    let not_found = || {
        app.hub.join_failed(peer);
        ApiErr::new(StatusCode::NOT_FOUND, ErrorCode::RoomNotFound)
    };
    let code = normalize_code(code).ok_or_else(not_found)?;
    let answer = app
        .hub
        .query(&code, query(hash_token(token)))
        .await
        .map_err(|_| ApiErr::internal())?
        .ok_or_else(not_found)?;
    match answer {
        Answer::Forbidden => Err(ApiErr::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden)),
        // Answered as an unknown room, so that a token guess tells nothing about the code.
        Answer::UnknownToken => Err(not_found()),
        Answer::Unavailable => Err(ApiErr::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::StoreUnavailable,
        )),
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
