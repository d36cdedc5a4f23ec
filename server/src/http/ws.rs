//! The WebSocket upgrade at `/ws/{code}`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kring_protocol::RoomCode;

use super::AppState;
use crate::cluster::forward;
use crate::config::{Config, normalize_origin, parse_origin};
use crate::conn;
use crate::limits::CapReached;
use crate::socket::{Stream, handshake};

/// Upgrades to a WebSocket served by [`conn::serve`] on the stream hyper hands over (no
/// WebSocket library in between; see `crate::socket`).
pub(super) async fn upgrade(
    State(app): State<AppState>,
    Path(code): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
) -> Response {
    let accept = match handshake::accept_key(request.headers()) {
        Ok(accept) => accept,
        Err(refused) => return refused.into_response(),
    };
    let Some(on_upgrade) = request
        .extensions_mut()
        .remove::<hyper::upgrade::OnUpgrade>()
    else {
        return (
            StatusCode::UPGRADE_REQUIRED,
            "connection is not upgradable\n",
        )
            .into_response();
    };
    let headers = request.headers();
    let metrics = app.hub.metrics();
    // A connection another node forwards was checked there (origin, connections opened);
    // it counts here against the client's own address.
    let forwarded = forward::forwarded_client(headers, app.hub.placement().cluster_key());
    let client = forwarded.unwrap_or(peer.ip());
    if forwarded.is_none() && !origin_allowed(app.hub.config(), headers) {
        metrics.refused_origin.inc();
        return (StatusCode::FORBIDDEN, "origin not allowed\n").into_response();
    }
    if forwarded.is_none()
        && let Err(wait) = app.hub.may_connect(peer.ip())
    {
        metrics.refused_capacity.inc();
        let seconds = wait.as_secs().max(1).to_string();
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, seconds)],
            "too many connections opened from this address\n",
        )
            .into_response();
    }
    let permit = match app.connections.acquire(client) {
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
    // Parsed here, once; behind this line a code is a `RoomCode`.
    let code = RoomCode::parse(&code).ok();
    let hub = app.hub.clone();
    // Never forwarded twice: a node that gets a forwarded connection serves it (claiming
    // the room if it must).
    let route = match (&code, forwarded) {
        (Some(code), None) => forward_to_owner(&app, code, client).await,
        _ => Route::Here { unreachable: None },
    };
    let unreachable = match route {
        Route::Here { unreachable } => unreachable,
        Route::Forward(upstream) => {
            let metrics = metrics.clone();
            let cfg = app.hub.config().clone();
            let stopping = app.hub.stopping();
            let forwarding = hub.track_forward(async move {
                let upgraded = match on_upgrade.await {
                    Ok(upgraded) => upgraded,
                    Err(e) => {
                        tracing::debug!(error = %e, "WebSocket upgrade failed");
                        return;
                    }
                };
                metrics.forwarded.inc();
                metrics.forwarded_total.inc();
                let timing = forward::Timing {
                    heartbeat: cfg.heartbeat,
                    away_after: cfg.away_after,
                };
                let client = forward::client(upgraded).await;
                forward::pump(client, *upstream, timing, stopping).await;
                metrics.forwarded.dec();
                drop(permit);
            });
            tokio::spawn(forwarding);
            return handshake::switching(accept);
        }
    };
    tokio::spawn(async move {
        let upgraded = match on_upgrade.await {
            Ok(upgraded) => upgraded,
            Err(e) => {
                tracing::debug!(error = %e, "WebSocket upgrade failed");
                return;
            }
        };
        let Some((stream, early)) = Stream::from_upgraded(upgraded) else {
            tracing::error!("upgraded connection of an unknown kind");
            return;
        };
        conn::serve(stream, early, code, hub, client, unreachable).await;
        drop(permit);
    });
    handshake::switching(accept)
}

/// Where a connection is served.
enum Route {
    /// By the room's owner on another node.
    Forward(Box<forward::Upstream>),
    /// Here; `unreachable` is the owner that could not be reached, if any.
    Here { unreachable: Option<Arc<str>> },
}

/// With a shared store: forwarded to the live owner of `code` when another node serves it;
/// otherwise here (this node serves it, nobody does, or its owner's lease ran out). An owner
/// that cannot be reached is named, so that this node takes the room over once that owner's
/// lease runs out.
async fn forward_to_owner(app: &AppState, code: &RoomCode, client: std::net::IpAddr) -> Route {
    let here = Route::Here { unreachable: None };
    let hub = &app.hub;
    let placement = hub.placement();
    if !placement.shared() || hub.serves(code) {
        return here;
    }
    let owner = match placement.owner(code).await {
        Ok(Some(owner)) => owner,
        Ok(None) => return here,
        Err(e) => {
            tracing::warn!(room = %crate::redact::RoomTag(code), error = %e, "room owner lookup failed");
            return here;
        }
    };
    if !owner.live() || owner.node == *placement.node() {
        return here;
    }
    let (Some(url), Some(key)) = (owner.url.as_deref(), placement.cluster_key()) else {
        return here;
    };
    match forward::connect(url, code, client, key).await {
        Ok(upstream) => Route::Forward(Box::new(upstream)),
        Err(e) => {
            hub.metrics().forward_failures.inc();
            tracing::warn!(room = %crate::redact::RoomTag(code), owner = %owner.node, error = %e, "owner unreachable; serving the room here");
            Route::Here {
                unreachable: Some(owner.node),
            }
        }
    }
}

/// Browsers always send `Origin` on a WebSocket upgrade; a page on another site must not
/// drive a member's socket. Allowed: the configured origins, else the public URL's origin,
/// else the request's own host. Clients that are not browsers send no `Origin` and are
/// allowed: they hold no browser user's credentials (kring sets no cookies), so they can only
/// do what their own token allows.
pub(super) fn origin_allowed(cfg: &Config, headers: &HeaderMap) -> bool {
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
