//! HTTP errors: the same codes as the socket, as JSON.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kring_protocol::{ApiError, ErrorCode};

#[derive(Debug)]
pub struct ApiErr {
    pub status: StatusCode,
    pub body: ApiError,
}

impl ApiErr {
    pub fn new(status: StatusCode, code: ErrorCode) -> Self {
        ApiErr {
            status,
            body: ApiError {
                code,
                category: code.category(),
                message: code.message().to_owned(),
                field: None,
            },
        }
    }

    pub fn field(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self.body.message = message.into();
        self
    }

    pub fn internal() -> Self {
        ApiErr::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
    }
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
