//! The WebSocket upgrade at `/ws/{code}`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::config::{Config, normalize_origin, parse_origin};
use crate::conn;
use crate::limits::CapReached;
use crate::secrets::normalize_code;

/// Tungstenite's defaults (128 KiB buffers) would cost far more per idle socket than the
/// few-hundred-byte frames kring sends need. The read buffer is allocated up front for every
/// socket and grows on its own for a larger message; clients send commands of a few hundred
/// bytes (4 KiB -> 512 B: 12.9 -> 9.4 KB of server memory per idle connection, see
/// docs/PERFORMANCE.md).
const READ_BUFFER: usize = 512;
const WRITE_BUFFER: usize = 4 * 1024;
/// A message is written whole into this buffer, so the largest message the server sends (a
/// full view of the largest room, [`kring_protocol::MAX_SERVER_MESSAGE_BYTES`]) must fit, with
/// room for small frames queued before it and a pong.
const MAX_WRITE_BUFFER: usize = 1024 * 1024;
const _: () = assert!(kring_protocol::MAX_SERVER_MESSAGE_BYTES + 32 * 1024 <= MAX_WRITE_BUFFER);
/// Above the protocol limit, so an oversized message gets `message_too_large`, not a drop.
const MAX_MESSAGE: usize = 64 * 1024;

pub async fn upgrade(
    State(app): State<AppState>,
    Path(code): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let metrics = app.hub.metrics();
    if !origin_allowed(app.hub.config(), &headers) {
        metrics.refused_origin.inc();
        return (StatusCode::FORBIDDEN, "origin not allowed\n").into_response();
    }
    if let Err(wait) = app.hub.may_connect(peer.ip()) {
        metrics.refused_capacity.inc();
        let seconds = wait.as_secs().max(1).to_string();
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, seconds)],
            "too many connections opened from this address\n",
        )
            .into_response();
    }
    let permit = match app.connections.acquire(peer.ip()) {
        Ok(permit) => permit,
        Err(cap) => {
            metrics.refused_capacity.inc();
            let why = match cap {
                CapReached::Total => "too many connections\n",
                CapReached::PerAddress => "too many connections from this address\n",
            };
            return (StatusCode::SERVICE_UNAVAILABLE, why).into_response();
        }
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

/// Browsers always send `Origin` on a WebSocket upgrade; a page on another site must not
/// drive a member's socket. Allowed: the configured origins, else the public URL's origin,
/// else the request's own host. Clients that are not browsers send no `Origin` and are
/// allowed: they hold no browser user's credentials (kring sets no cookies), so they can only
/// do what their own token allows.
pub fn origin_allowed(cfg: &Config, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Some(origin) = origin.to_str().ok().and_then(normalize_origin) else {
        return false;
    };
    if !cfg.allowed_origins.is_empty() {
        return cfg.allowed_origins.contains(&origin);
    }
    if let Some(public) = cfg.public_url.as_deref() {
        return parse_origin(public).is_ok_and(|public| public == origin);
    }
    // No origin configured: same host as the request (the scheme may differ behind a proxy
    // that terminates TLS).
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let authority = origin.split_once("://").map_or("", |(_, a)| a);
    let host = host.to_ascii_lowercase();
    let host = host
        .strip_suffix(":80")
        .or_else(|| host.strip_suffix(":443"))
        .unwrap_or(&host);
    authority == host
}
