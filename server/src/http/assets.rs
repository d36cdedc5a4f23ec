//! The embedded browser app.

use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/web_client_files.rs"));

pub async fn serve(uri: Uri) -> Response {
    let path = match uri.path() {
        "/" => "/index.html",
        p => p,
    };
    file(path).unwrap_or_else(|| (StatusCode::NOT_FOUND, "not found\n").into_response())
}

/// The app's entry page, for every route the app handles itself (e.g. `/join/{code}`).
pub fn index() -> Response {
    file("/index.html").unwrap_or_else(|| (StatusCode::NOT_FOUND, "not found\n").into_response())
}

fn file(path: &str) -> Option<Response> {
    let (_, body) = FILES.iter().find(|(p, _)| *p == path)?;
    let mime = match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        _ => "text/plain; charset=utf-8",
    };
    Some(
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                // Revalidate every time: a new server version must not meet a stale app.
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            *body,
        )
            .into_response(),
    )
}
