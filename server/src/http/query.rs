//! Reads of one room's state for the HTTP API, authorised by a bearer token.
//!
//! A wrong token and an unknown code get the same answer (404 `room_not_found`) and both count
//! as failed guesses of the caller's address, so they cannot be used to find rooms. A read is
//! never refused for its address: a blocked address only keeps new members out.

use std::net::IpAddr;

use axum::http::{HeaderMap, StatusCode, header};
use kring_protocol::{ErrorCode, RoomCode};
use tokio::time::Instant;

use super::{ApiErr, AppState};
use crate::hub::HubError;
use crate::limits::{Attempt, FAILURE_FLOOR};
use crate::redact::RoomTag;
use crate::room::query::{QueryError, Question, Reply};
use crate::secrets::hash_token;
use crate::store::MeetingRecord;

/// What a token-checked read found: the live room's answer, or (the room's content already
/// deleted) the meeting's stored attendance record, which the caller checks the token against.
pub(super) enum Found<T> {
    Room(T),
    Record(Box<MeetingRecord>, String),
}

/// Like [`ask`], but when the room is gone it looks for the meeting's attendance record, which
/// outlives the room's content. Never refused for the caller's address either; a record's
/// caller checks the token against it and answers a mismatch with [`unknown`].
pub(super) async fn ask_or_record<Q: Question>(
    app: &AppState,
    peer: IpAddr,
    code: &str,
    headers: &HeaderMap,
    question: impl FnOnce(String) -> Q,
) -> Result<Found<Q::Answer>, ApiErr> {
    let started = Instant::now();
    let token = bearer(headers)
        .ok_or_else(|| ApiErr::new(StatusCode::UNAUTHORIZED, ErrorCode::BadToken))?;
    let Some(canonical) = RoomCode::parse(code).ok() else {
        return Err(unknown(app, peer, code, started).await);
    };
    // Through the hub's query, which reaches the room on whichever node owns it.
    match app.hub.query(&canonical, question(hash_token(token))).await {
        Ok(Some(answer)) => {
            return answered(app, peer, code, started, answer)
                .await
                .map(Found::Room);
        }
        Ok(None) => {}
        Err(e) => return Err(failed(&canonical, &e)),
    }
    let record = app.hub.store().record(&canonical).await.map_err(|e| {
        tracing::error!(room = %RoomTag(&canonical), error = %e, "record lookup failed");
        ApiErr::internal()
    })?;
    match record {
        Some(record) => Ok(Found::Record(Box::new(record), hash_token(token))),
        None => Err(unknown(app, peer, code, started).await),
    }
}

/// A code or token that matched nothing: counted against the address, answered as an unknown
/// room no sooner than [`FAILURE_FLOOR`] after `started` (when the request began).
pub(super) async fn unknown(app: &AppState, peer: IpAddr, code: &str, started: Instant) -> ApiErr {
    app.hub.join_failed(peer, code, None);
    tokio::time::sleep_until(started + FAILURE_FLOOR).await;
    ApiErr::new(StatusCode::NOT_FOUND, ErrorCode::RoomNotFound)
}

/// Asks the room `code` the query built from the caller's token hash.
pub(super) async fn ask<Q: Question>(
    app: &AppState,
    peer: IpAddr,
    code: &str,
    headers: &HeaderMap,
    question: impl FnOnce(String) -> Q,
) -> Result<Q::Answer, ApiErr> {
    // Never refused for the caller's address: a token is worth answering wherever it comes
    // from. Failures count against the address (and are answered no sooner than the floor).
    let started = Instant::now();
    let token = bearer(headers)
        .ok_or_else(|| ApiErr::new(StatusCode::UNAUTHORIZED, ErrorCode::BadToken))?;
    let Some(canonical) = RoomCode::parse(code).ok() else {
        return Err(unknown(app, peer, code, started).await);
    };
    let answer = match app.hub.query(&canonical, question(hash_token(token))).await {
        Ok(Some(answer)) => answer,
        Ok(None) => return Err(unknown(app, peer, code, started).await),
        Err(e) => return Err(failed(&canonical, &e)),
    };
    answered(app, peer, code, started, answer).await
}

/// A token-checked room's answer as the API gives it.
async fn answered<T>(
    app: &AppState,
    peer: IpAddr,
    code: &str,
    started: Instant,
    answer: Reply<T>,
) -> Result<T, ApiErr> {
    match answer {
        Ok(answer) => Ok(answer),
        Err(QueryError::Forbidden) => Err(ApiErr::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden)),
        // Answered as an unknown room, so that a token guess tells nothing about the code.
        Err(QueryError::UnknownToken) => Err(unknown(app, peer, code, started).await),
        Err(QueryError::Unavailable) => Err(unavailable()),
        Err(QueryError::NotYet(code)) => Err(not_yet(code)),
    }
}

/// Not available yet, for the reason `code` gives (e.g. `not_ended`).
pub(super) fn not_yet(code: ErrorCode) -> ApiErr {
    ApiErr::new(StatusCode::CONFLICT, code)
}

fn unavailable() -> ApiErr {
    ApiErr::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::StoreUnavailable)
}

/// The hub could not put the question to the room (its stored state cannot be restored, the
/// store failed, the room stopped while asked): logged, with the room's tag only, and
/// answered 500.
fn failed(canonical: &RoomCode, error: &HubError) -> ApiErr {
    tracing::error!(room = %RoomTag(canonical), error = %error, "room query failed");
    ApiErr::internal()
}

/// Asks the room `code` a query that needs no token (what a join page shows before asking a
/// name). It is a join by code alone and treated as one: it reserves an attempt (a blocked
/// address gets `too_many_attempts`), an unknown, locked or ended room is `room_not_found`,
/// and a miss counts as a failed join, answered no sooner than the floor.
pub(super) async fn ask_untokened<Q: Question>(
    app: &AppState,
    peer: IpAddr,
    code: &str,
    question: Q,
) -> Result<Q::Answer, ApiErr> {
    let started = Instant::now();
    let attempt = app.hub.reserve_join(peer).await.map_err(|wait| {
        ApiErr::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts).retry_after(wait)
    })?;
    let not_found = |attempt: Attempt| async move {
        app.hub.join_failed(peer, code, Some(attempt));
        tokio::time::sleep_until(started + FAILURE_FLOOR).await;
        ApiErr::new(StatusCode::NOT_FOUND, ErrorCode::RoomNotFound)
    };
    let Some(canonical) = RoomCode::parse(code).ok() else {
        return Err(not_found(attempt).await);
    };
    // Through the hub's query, which reaches the room on whichever node owns it.
    let answer = match app.hub.query(&canonical, question).await {
        Ok(Some(answer)) => answer,
        Ok(None) => return Err(not_found(attempt).await),
        Err(e) => return Err(failed(&canonical, &e)),
    };
    match answer {
        // Found: the reservation ends without counting (dropped).
        Ok(answer) => Ok(answer),
        // A room this newcomer could not join (locked, ended) looks like no room at all.
        Err(QueryError::UnknownToken | QueryError::Forbidden) => Err(not_found(attempt).await),
        Err(QueryError::Unavailable) => Err(unavailable()),
        Err(QueryError::NotYet(code)) => Err(not_yet(code)),
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
