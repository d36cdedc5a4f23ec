//! Wiring: store, hub, HTTP server, background jobs, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::clock::now_ms;
use crate::config::{Config, StoreKind};
use crate::http::{AppState, router};
use crate::hub::Hub;
use crate::limits::ConnLimits;
use crate::metrics::Metrics;
use crate::store::{MemoryStore, SqliteStore, Store};

/// Serves on `listener` until `shutdown` resolves, then stops within `cfg.shutdown_timeout`:
/// stop accepting, let rooms finish in-flight work and tell clients to reconnect, close the
/// store.
pub async fn run(
    listener: TcpListener,
    cfg: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    kring_engine::methods::check_builtin().map_err(|e| {
        anyhow::anyhow!(
            "built-in method template invalid at {}: {}",
            e.field,
            e.message
        )
    })?;
    let metrics = Arc::new(Metrics::new());
    let store: Arc<dyn Store> = match cfg.store {
        StoreKind::Sqlite => Arc::new(
            SqliteStore::open(&cfg.data_dir, metrics.clone())
                .await
                .context("opening the SQLite store")?,
        ),
        StoreKind::Memory => Arc::new(MemoryStore::new()),
    };
    let cfg = Arc::new(cfg);
    let hub = Hub::new(store.clone(), metrics, cfg.clone());

    let started = Instant::now();
    let rooms = hub.load_all().await.context("restoring rooms")?;
    tracing::info!(
        rooms,
        ms = started.elapsed().as_millis() as u64,
        "rooms restored"
    );

    let stop = CancellationToken::new();
    let purger = tokio::spawn(purge_loop(hub.clone(), stop.clone()));
    let app = router(AppState {
        hub: hub.clone(),
        connections: Arc::new(ConnLimits::new(
            cfg.max_connections,
            cfg.max_connections_per_ip,
        )),
    });
    let listener = listener.tap_io(tune_socket);
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop.clone().cancelled_owned());
    let server = tokio::spawn(server.into_future());

    shutdown.await;
    tracing::info!("shutting down");
    let deadline = Instant::now() + cfg.shutdown_timeout;
    stop.cancel();
    hub.shutdown(cfg.shutdown_timeout).await;
    let left = deadline.saturating_duration_since(Instant::now());
    if tokio::time::timeout(left, server).await.is_err() {
        tracing::warn!("HTTP requests still running at the shutdown deadline");
    }
    let _ = purger.await;
    store.close().await.context("closing the store")?;
    tracing::info!("stopped");
    Ok(())
}

/// Kernel send buffer of each socket (Linux doubles it). Left alone, Linux grows it to
/// `tcp_wmem` max (4 MiB), so every client that stops reading could pin megabytes of kernel
/// memory and be noticed only after thousands of frames. kring's frames are small: this holds
/// a few hundred, and a client that falls further behind fills its queue and is dropped.
const SEND_BUFFER: usize = 32 * 1024;

/// Set on every accepted stream, whatever listener the caller bound. `TCP_NODELAY`: small
/// frames must leave at once; with Nagle's algorithm a frame waits for the ACK of the one
/// before, which the peer may delay by 40 ms (p99 fan-out 45 ms instead of 3 ms in the
/// benchmark, docs/PERFORMANCE.md).
fn tune_socket(tcp: &mut tokio::net::TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::warn!(error = %e, "TCP_NODELAY not set");
    }
    if let Err(e) = socket2::SockRef::from(&*tcp).set_send_buffer_size(SEND_BUFFER) {
        tracing::warn!(error = %e, "send buffer size not set");
    }
}

async fn purge_loop(hub: Arc<Hub>, stop: CancellationToken) {
    loop {
        if let Err(e) = hub.purge(now_ms()).await {
            tracing::error!(error = %e, "purge failed");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(hub.config().purge_interval) => {}
        }
    }
}
