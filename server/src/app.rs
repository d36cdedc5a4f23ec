//! Wiring: store, hub, HTTP server, background jobs, graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::clock::now_ms;
use crate::cluster::{LocalPlacement, NodeLease, Placement};
use crate::config::{Config, StoreKind};
use crate::http::{AppState, router};
use crate::hub::Hub;
use crate::limits::ConnLimits;
use crate::listen::{self, Serving};
use crate::metrics::Metrics;
use crate::store::postgres::PgConfig;
use crate::store::{MemoryStore, PgStore, SqliteStore, Store};

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
    // Before the store is opened: a certificate that cannot be read stops start-up at once,
    // with nothing to undo.
    let tls = match (&cfg.tls_cert, &cfg.tls_key) {
        (Some(cert), Some(key)) => Some(crate::tls::config(cert, key)?),
        _ => None,
    };
    let metrics = Arc::new(Metrics::new());
    let (store, placement): (Arc<dyn Store>, Arc<dyn Placement>) = match cfg.store_kind() {
        StoreKind::Sqlite => (
            Arc::new(
                SqliteStore::open(&cfg.data_dir, metrics.clone())
                    .await
                    .context("opening the SQLite store")?,
            ),
            Arc::new(LocalPlacement::new()),
        ),
        StoreKind::Memory => (
            Arc::new(MemoryStore::new()),
            Arc::new(LocalPlacement::new()),
        ),
        StoreKind::Postgres(url) => {
            if tls.is_some() {
                anyhow::bail!(
                    "--tls-cert with a Postgres store: nodes forward connections to each other \
                     over plain HTTP; terminate TLS at the load balancer (docs/DEPLOY.md)"
                );
            }
            let pg = PgConfig {
                url: url.0,
                node_name: cfg.node_name(),
                node_url: Some(cfg.node_url().map_err(anyhow::Error::msg)?),
                ttl: cfg.owner_ttl,
            };
            let store = Arc::new(
                PgStore::open(&pg, metrics.clone())
                    .await
                    .context("opening the Postgres store")?,
            );
            (store.clone(), store)
        }
    };
    crate::redact::init((cfg.store_kind() == StoreKind::Sqlite).then_some(cfg.data_dir.as_path()));
    let lease = if placement.shared() {
        NodeLease::new()
    } else {
        NodeLease::local()
    };
    if placement.shared() {
        let sent = std::time::Instant::now();
        let continuous = placement
            .heartbeat()
            .await
            .context("taking this node's lease")?;
        lease.renewed(sent, placement.ttl(), continuous);
    }
    let cfg = Arc::new(cfg);
    let stop = CancellationToken::new();
    // Renewed until the rooms have been handed over, after the rest has stopped.
    let keeper_stop = CancellationToken::new();
    let keeper = placement.shared().then(|| {
        tokio::spawn(crate::cluster::lease::keep(
            lease.clone(),
            placement.clone(),
            metrics.clone(),
            keeper_stop.clone(),
        ))
    });
    let hub = Hub::new(store.clone(), placement, lease, metrics, cfg.clone());

    let started = Instant::now();
    let rooms = hub.load_all().await.context("restoring rooms")?;
    tracing::info!(
        rooms,
        ms = started.elapsed().as_millis() as u64,
        "rooms restored"
    );

    let purger = tokio::spawn(purge_loop(hub.clone(), stop.clone()));
    let http_connections = Arc::new(ConnLimits::new(
        cfg.max_http_connections,
        cfg.max_http_connections_per_ip,
    ));
    let app = router(AppState {
        hub: hub.clone(),
        connections: Arc::new(ConnLimits::new(
            cfg.max_connections,
            cfg.max_connections_per_ip,
        )),
        http_connections: http_connections.clone(),
        health: Default::default(),
    });
    let serving = Serving {
        header_timeout: cfg.header_timeout,
        keep_alive_requests: cfg.keep_alive_requests,
        tls,
        limits: http_connections,
        metrics: hub.metrics().clone(),
        proxies: cfg.proxies(),
        proxy_protocol: cfg.proxy_protocol,
    };
    let server = tokio::spawn(listen::serve(listener, app, serving, stop.clone()));

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
    keeper_stop.cancel();
    if let Some(keeper) = keeper {
        let _ = keeper.await;
    }
    store.close().await.context("closing the store")?;
    tracing::info!("stopped");
    Ok(())
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
