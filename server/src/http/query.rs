//! Reads of one room's state for the HTTP API, authorised by a bearer token.
//!
//! A wrong token and an unknown code get the same answer (404 `room_not_found`) and both count
//! as failed guesses of the caller's address, so they cannot be used to find rooms.

use std::net::IpAddr;

use axum::http::{HeaderMap, StatusCode, header};
use kring_protocol::ErrorCode;
use tokio::sync::oneshot;

use super::{ApiErr, AppState};
use crate::room::{Answer, Query, RoomMsg};
use crate::secrets::{hash_token, normalize_code};
use crate::store::MeetingRecord;

/// What a token-checked read found: the live room's answer, or (the room's content already
/// deleted) the meeting's stored attendance record, which the caller checks the token against.
pub enum Found {
    Room(Answer),
    Record(Box<MeetingRecord>, String),
}

/// Like [`ask`], but when the room is gone it looks for the meeting's attendance record, which
/// outlives the room's content.
pub async fn ask_or_record(
    app: &AppState,
    peer: IpAddr,
    code: &str,
    headers: &HeaderMap,
    query: impl FnOnce(String) -> Query,
) -> Result<Found, ApiErr> {
    if app.hub.may_try_join(peer).is_err() {
        return Err(too_many());
    }
    let token = bearer(headers)
        .ok_or_else(|| ApiErr::new(StatusCode::UNAUTHORIZED, ErrorCode::BadToken))?;
    let Some(canonical) = normalize_code(code) else {
        return Err(unknown(app, peer));
    };
    let live = app
        .hub
        .room(&canonical)
        .await
        .map_err(|_| ApiErr::internal())?
        .is_some();
    if live {
        return ask(app, peer, code, headers, query).await.map(Found::Room);
    }
    let record = app
        .hub
        .store()
        .record(&canonical)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "record lookup failed");
            ApiErr::internal()
        })?
        .ok_or_else(|| unknown(app, peer))?;
    Ok(Found::Record(Box::new(record), hash_token(token)))
}

/// A code or token that matched nothing: counted against the address, answered as an unknown
/// room.
pub fn unknown(app: &AppState, peer: IpAddr) -> ApiErr {
    app.hub.join_failed(peer);
    ApiErr::new(StatusCode::NOT_FOUND, ErrorCode::RoomNotFound)
}

pub fn too_many() -> ApiErr {
    ApiErr::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts)
}

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
        Answer::Forbidden => Err(ApiErr::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden)),
        // Answered as an unknown room, so that a token guess tells nothing about the code.
        Answer::UnknownToken => Err(not_found()),
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
