//! Checks every request passes before it reaches a handler: a request that came through a
//! trusted proxy takes a place in its client's share of HTTP connections; its body must
//! arrive in time and fit the limit.
//!
//! Here rather than in the accept loop so that refusals carry the same headers as every other
//! answer (the router's header layers wrap this).

use std::net::SocketAddr;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::AppState;

/// The largest request body kring reads (a session's template is the largest).
pub const MAX_BODY: usize = 64 * 1024;

/// Marks a request that came over a trusted proxy's connection. Such a connection is not
/// counted against any one client's share (it carries many clients), so each request is,
/// against the client's address `ConnectInfo` holds, for as long as it is being served.
#[derive(Clone, Copy, Debug)]
pub struct Proxied;

/// Counts a proxied request against its client's share of HTTP connections.
pub async fn client_share(State(app): State<AppState>, request: Request, next: Next) -> Response {
    if request.extensions().get::<Proxied>().is_none() {
        return next.run(request).await;
    }
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let Some(client) = client else {
        return next.run(request).await;
    };
    let Ok(_place) = app.http_connections.acquire_address(client) else {
        app.hub.metrics().refused_http.inc();
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, HeaderValue::from_static("5"))],
            "too many connections from this address\n",
        )
            .into_response();
    };
    next.run(request).await
}

/// Reads the whole body before the handler runs, within `--body-timeout` of the headers and
/// at most [`MAX_BODY`] bytes. A client that sends a body slowly gets 408 and its connection
/// closed at the deadline instead of holding it (and a descriptor) as long as it likes.
pub async fn read_body(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    if body.is_end_stream() {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let deadline = app.hub.config().body_timeout;
    let read = tokio::time::timeout(deadline, Limited::new(body, MAX_BODY).collect()).await;
    let bytes: Bytes = match read {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<LengthLimitError>() => {
            return closing(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
        }
        Ok(Err(_)) => return closing(StatusCode::BAD_REQUEST, "request body unreadable\n"),
        Err(_) => {
            app.hub.metrics().body_timeouts.inc();
            return closing(
                StatusCode::REQUEST_TIMEOUT,
                "request body not received in time\n",
            );
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// An answer after which the connection is closed: what is left of the request body is not
/// read, so the connection cannot carry another request.
fn closing(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONNECTION, HeaderValue::from_static("close"))],
        text,
    )
        .into_response()
}
