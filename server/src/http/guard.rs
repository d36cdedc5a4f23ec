//! Checks every request passes before it reaches a handler: its `Host` must be one this
//! server answers to (DNS rebinding), a request that changes state must not come from
//! another site, a request that came through a trusted proxy takes a place in its client's
//! share of HTTP connections, and its body must arrive in time and fit the limit.
//!
//! Here rather than in the accept loop so that refusals carry the same headers as every other
//! answer (the router's header layers wrap this).

use std::net::SocketAddr;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::AppState;
use super::ws::origin_allowed;
use crate::config::Config;
use kring_protocol::ErrorCode;

/// Refuses a request whose `Host` this server does not answer to, and a request that changes
/// state (anything but GET, HEAD, OPTIONS) sent by a page of another site.
///
/// The host check is what keeps DNS rebinding out: a page on `evil.example` whose name is
/// re-pointed at a server on the visitor's network reaches it with `Host: evil.example`, as
/// the same origin. `/healthz` and `/metrics` are answered to any host (probes use container
/// names and addresses; neither says anything a page could use).
pub(super) async fn same_site(
    State(app): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let cfg = app.hub.config();
    let path = request.uri().path();
    if !matches!(path, "/healthz" | "/metrics") && !host_allowed(cfg, request.headers()) {
        app.hub.metrics().refused_origin.inc();
        return (StatusCode::MISDIRECTED_REQUEST, "unknown host\n").into_response();
    }
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && cross_site(cfg, request.headers()) {
        app.hub.metrics().refused_origin.inc();
        return super::ApiErr::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden)
            .message("Requests from pages of other sites are refused.")
            .into_response();
    }
    next.run(request).await
}

/// A browser says where a request comes from: `Sec-Fetch-Site` (all current browsers) and
/// `Origin` (on every POST). Either naming another site refuses it. A request with neither
/// is not a browser's and carries no browser user's credentials (kring sets no cookies).
fn cross_site(cfg: &Config, headers: &HeaderMap) -> bool {
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    fetch_site.eq_ignore_ascii_case("cross-site") || !origin_allowed(cfg, headers)
}

/// Whether the request's `Host` is one this server answers to: an address (a rebinding
/// attack needs a name of the attacker's), `localhost`, the host of `--public-url`, one of
/// `--allowed-hosts`, or any when kring serves TLS itself (its certificate names the hosts a
/// browser will talk to). A request without `Host` is not a browser's.
pub(super) fn host_allowed(cfg: &Config, headers: &HeaderMap) -> bool {
    if cfg.serves_tls() {
        return true;
    }
    let Some(host) = headers.get(header::HOST) else {
        return true;
    };
    let Some(host) = host.to_str().ok().and_then(host_name) else {
        return false;
    };
    if host.parse::<std::net::IpAddr>().is_ok()
        || host == "localhost"
        || host.ends_with(".localhost")
    {
        return true;
    }
    let public = cfg.public_url.as_deref().and_then(|url| {
        let authority = url.split_once("://")?.1.split('/').next()?;
        host_name(authority)
    });
    public.as_deref() == Some(host.as_str()) || cfg.allowed_hosts.contains(&host)
}

/// The host name of a `Host` value or URL authority, without port or brackets, lower case,
/// without a trailing dot.
pub(super) fn host_name(authority: &str) -> Option<String> {
    let authority = authority.trim().to_ascii_lowercase();
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split_once(']')?.0.to_owned(),
        None => match authority.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host.to_owned(),
            _ => authority,
        },
    };
    let host = host.trim_end_matches('.').to_owned();
    (!host.is_empty()).then_some(host)
}

/// The largest request body kring reads (a session's template is the largest).
pub(super) const MAX_BODY: usize = 64 * 1024;

/// Marks a request that came over a trusted proxy's connection. Such a connection is not
/// counted against any one client's share (it carries many clients), so each request is,
/// against the client's address `ConnectInfo` holds, for as long as it is being served.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Proxied;

/// Counts a proxied request against its client's share of HTTP connections.
pub(super) async fn client_share(
    State(app): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
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
pub(super) async fn read_body(
    State(app): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    if body.is_end_stream() {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let deadline = app.hub.config().body_timeout;
    let read = tokio::time::timeout(deadline, Limited::new(body, MAX_BODY).collect()).await;
    let bytes: Bytes = match read {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<LengthLimitError>() => {
            return closing(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The body is larger than 64 KiB.",
            );
        }
        Ok(Err(_)) => return closing(StatusCode::BAD_REQUEST, "The body could not be read."),
        Err(_) => {
            app.hub.metrics().body_timeouts.inc();
            return closing(
                StatusCode::REQUEST_TIMEOUT,
                "The body did not arrive in time.",
            );
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// An answer after which the connection is closed: what is left of the request body is not
/// read, so the connection cannot carry another request.
fn closing(status: StatusCode, message: &'static str) -> Response {
    let mut response = super::ApiErr::new(status, ErrorCode::InvalidRequest)
        .message(message)
        .into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
