//! The HTTP surface: browser app, REST API, join links with QR codes, WebSocket upgrade,
//! health and metrics.

mod api;
mod assets;
mod attendance;
mod error;
mod guard;
mod join;
mod openapi;
mod process;
mod query;
mod records;
mod summary;
mod ws;

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::hub::Hub;
use crate::limits::ConnLimits;

pub(crate) use error::ApiErr;
pub(crate) use guard::Proxied;

#[derive(Clone)]
pub(crate) struct AppState {
    pub hub: Arc<Hub>,
    /// Caps on open WebSockets (`--max-connections`, `--max-connections-per-ip`).
    pub connections: Arc<ConnLimits>,
    /// Caps on open HTTP connections (`--max-http-connections[-per-ip]`); the accept loop
    /// counts connections, the guard counts requests that came through a trusted proxy.
    pub http_connections: Arc<ConnLimits>,
    pub health: HealthCache,
}

/// Everything the browser may load comes from this server; nothing inline, no frames.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";

/// Once a browser has reached kring over its own TLS, nobody on the network may talk it down to
/// plain HTTP, where room codes and tokens travel readable.
const HSTS: &str = "max-age=31536000";

pub(crate) fn router(state: AppState) -> Router {
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/methods", get(api::methods))
        .route("/api/openapi.json", get(openapi::openapi_json))
        .route("/api/sessions", post(api::create_session))
        .route("/api/sessions/{code}/preview", get(api::preview))
        .route("/api/sessions/{code}/summary", get(summary::download))
        .route("/api/sessions/{code}/attendance", get(attendance::export))
        .route("/api/sessions/{code}/process", get(process::results))
        .route(
            "/api/sessions/{code}/certificate",
            get(records::certificate),
        )
        .route("/api/sessions/{code}/reflection", get(records::reflection))
        .route("/verify/{code}", get(records::verify))
        .route("/records.css", get(records::css))
        .route("/summary.css", get(summary::css))
        .route("/ws/{code}", get(ws::upgrade))
        .route("/join/{code}", get(join::page))
        .route("/session/{code}", get(join::page))
        .route("/screen/{code}", get(join::page))
        .route("/join/{code}/qr.svg", get(join::qr))
        .fallback(get(assets::serve))
        .layer(DefaultBodyLimit::max(guard::MAX_BODY))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::read_body,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::client_share,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::same_site,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Join links carry room codes; never hand them to other sites.
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ));
    let router = if state.hub.config().serves_tls() {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ))
    } else {
        router
    };
    router.with_state(state)
}

/// How long a health check's answer is reused. The check writes to the store; anyone can
/// call it, and a write per call would let them load the one writer every room commits on.
const HEALTH_FRESH: Duration = Duration::from_secs(1);

/// The last health check: when it ran and whether the store took the write.
pub(crate) type HealthCache = Arc<tokio::sync::Mutex<Option<(Instant, bool)>>>;

/// Whether the server can serve and its store is writable.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "meta",
    responses(
        (status = 200, description = "The server can serve and its store is writable. The body's second line reports the data directory's free space (`disk_free_bytes N`, marked low below `--min-free-disk`, when new sessions are refused); then the store (`store: sqlite|memory|postgres, writable`) and, with a shared store, the node, its lease and the rooms it owns.", body = String, content_type = "text/plain"),
        (status = 503, description = "The store is not writable.", body = String, content_type = "text/plain"),
    ),
)]
async fn healthz(State(app): State<AppState>) -> impl IntoResponse {
    // Held across the check, so that concurrent callers wait for one write.
    let mut last = app.health.lock().await;
    let writable = match *last {
        Some((at, writable)) if at.elapsed() < HEALTH_FRESH => writable,
        _ => {
            let writable = match app.hub.store().check_writable().await {
                Ok(()) => true,
                Err(e) => {
                    tracing::error!(error = %e, "health check: store not writable");
                    false
                }
            };
            *last = Some((Instant::now(), writable));
            writable
        }
    };
    drop(last);
    let hub = &app.hub;
    // Free space is reported (an operator alerts on it); below the watermark new sessions are
    // refused, the server itself stays healthy for the sessions it has.
    let disk = match hub.disk_free() {
        Some(free) if free < hub.config().min_free_disk => {
            format!("disk_free_bytes {free} (low: new sessions refused)\n")
        }
        Some(free) => format!("disk_free_bytes {free}\n"),
        None => String::new(),
    };
    let store = match hub.config().store_kind() {
        crate::config::StoreKind::Sqlite => "sqlite",
        crate::config::StoreKind::Memory => "memory",
        crate::config::StoreKind::Postgres(_) => "postgres",
    };
    let mut body = if writable {
        format!("ok\n{disk}store: {store}, writable\n")
    } else {
        format!("store not writable\n{disk}store: {store}, not writable\n")
    };
    let placement = hub.placement();
    if placement.shared() {
        let lease = if hub.lease().view().valid {
            "valid"
        } else {
            "not valid (cannot renew it)"
        };
        body.push_str(&format!(
            "node: {}\nlease: {lease}\nrooms owned: {}\n",
            placement.node(),
            hub.metrics().rooms_owned.get()
        ));
    }
    let status = if writable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, body)
}

async fn metrics(State(app): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.hub.metrics().render(),
    )
}
