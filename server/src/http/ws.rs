//! The WebSocket upgrade at `/ws/{code}`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::conn;
use crate::secrets::normalize_code;

/// Tungstenite's defaults (128 KiB buffers) would cost far more per idle socket than the
/// few-hundred-byte frames kring sends need. The read buffer is allocated up front for every
/// socket and grows on its own for a larger message; clients send commands of a few hundred
/// bytes (4 KiB -> 512 B: 12.9 -> 9.4 KB of server memory per idle connection, see
/// docs/PERFORMANCE.md).
const READ_BUFFER: usize = 512;
const WRITE_BUFFER: usize = 4 * 1024;
const MAX_WRITE_BUFFER: usize = 1024 * 1024;
/// Above the protocol limit, so an oversized message gets `message_too_large`, not a drop.
const MAX_MESSAGE: usize = 64 * 1024;

pub async fn upgrade(
    State(app): State<AppState>,
    Path(code): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !same_origin(&app, &headers) {
        return (StatusCode::FORBIDDEN, "cross-origin WebSocket refused\n").into_response();
    }
    let Ok(permit) = app.connections.clone().try_acquire_owned() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "too many connections\n").into_response();
    };
    let code = normalize_code(&code);
    let hub = app.hub.clone();
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .on_upgrade(move |socket| async move {
            conn::serve(socket, code, hub, peer.ip()).await;
            drop(permit);
        })
}

/// Browsers send `Origin`; a page on another site must not drive a member's socket. Clients
/// that are not browsers send none and are allowed.
fn same_origin(app: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    let origin_host = origin.split("://").nth(1).unwrap_or(origin);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let public_host = app
        .hub
        .config()
        .public_url
        .as_deref()
        .and_then(|u| u.split("://").nth(1))
        .map(|h| h.trim_end_matches('/'));
    Some(origin_host) == host || Some(origin_host) == public_host
}
