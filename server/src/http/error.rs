//! HTTP errors: the same codes as the socket, as JSON.

use axum::Json;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kring_protocol::{ApiError, ErrorCode};

#[derive(Debug)]
pub(crate) struct ApiErr {
    pub status: StatusCode,
    pub body: ApiError,
    /// Sent as `Retry-After` (whole seconds, rounded up).
    pub retry_after: Option<Duration>,
}

impl ApiErr {
    pub(crate) fn new(status: StatusCode, code: ErrorCode) -> Self {
        ApiErr {
            status,
            body: ApiError {
                code,
                category: code.category(),
                message: code.message().to_owned(),
                field: None,
            },
            retry_after: None,
        }
    }

    pub(crate) fn message(mut self, message: impl Into<String>) -> Self {
        self.body.message = message.into();
        self
    }

    pub(crate) fn retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    pub(crate) fn field(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self.body.message = message.into();
        self
    }

    /// A query string that does not parse. Answered with the API's error body rather than the
    /// framework's plain text, and without echoing what was sent.
    pub(crate) fn bad_query() -> Self {
        ApiErr::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest)
            .field("query", "The query string is not valid.")
    }

    pub(crate) fn internal() -> Self {
        ApiErr::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
    }
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(wait) = self.retry_after {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
