//! Checks every request passes before it reaches a handler: its body must arrive in time and
//! fit the limit.
//!
//! Here rather than in the accept loop so that refusals carry the same headers as every other
//! answer (the router's header layers wrap this).

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::AppState;

/// The largest request body kring reads (a session's template is the largest).
pub const MAX_BODY: usize = 64 * 1024;

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
