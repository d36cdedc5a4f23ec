//! Join links (`/join/{code}`) and their QR codes.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kring_protocol::RoomCode;
use qrcode::QrCode;
use qrcode::render::svg;

use super::AppState;

/// The app itself reads the code from the address; it asks for a name, then joins.
pub(super) async fn page(Path(_code): Path<String>, headers: HeaderMap) -> Response {
    super::assets::index(&headers)
}

/// The join link as an SVG QR code. Made for any well-formed code without looking it up, so
/// it tells nobody whether a room exists.
pub(super) async fn qr(
    State(app): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(code) = RoomCode::parse(&code) else {
        return (StatusCode::NOT_FOUND, "not a room code\n").into_response();
    };
    let url = format!("{}/join/{}", base_url(&app, &headers), code.display());
    let Ok(qr) = QrCode::new(url.as_bytes()) else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "qr failed\n").into_response();
    };
    let image = qr
        .render::<svg::Color>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build();
    ([(header::CONTENT_TYPE, "image/svg+xml")], image).into_response()
}

/// `--public-url`, or the address the request came to: over https when kring serves TLS
/// itself. Behind a proxy that terminates TLS this is http, so set `--public-url` there
/// (`X-Forwarded-Proto` is not trusted: any client could send it).
pub(super) fn base_url(app: &AppState, headers: &HeaderMap) -> String {
    let cfg = app.hub.config();
    if let Some(url) = &cfg.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if cfg.serves_tls() { "https" } else { "http" };
    format!("{scheme}://{host}")
}
