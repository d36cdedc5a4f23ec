//! Nodes of a cluster in this process.

use std::time::Duration;

use kring_server::Config;
use kring_server::config::{DbUrl, StoreKind};
use tokio::net::TcpListener;

use crate::helpers::{TestServer, spawn_on};

/// The ownership ttl of test nodes: short, so that failover tests wait little.
pub const TTL: Duration = Duration::from_secs(2);

/// Starts a node on database `url`.
pub async fn node(url: &str, name: &str) -> TestServer {
    node_with(url, name, |_| {}).await
}

pub async fn node_with(url: &str, name: &str, configure: impl FnOnce(&mut Config)) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut cfg = Config::for_tests();
    cfg.store = StoreKind::Postgres(DbUrl(url.to_owned()));
    cfg.node_name = Some(name.to_owned());
    cfg.node_url = Some(format!("http://{addr}"));
    cfg.owner_ttl = TTL;
    configure(&mut cfg);
    let server = spawn_on(listener, cfg);
    wait_ready(&server).await;
    server
}

async fn wait_ready(server: &TestServer) {
    for _ in 0..200 {
        if let Ok(r) = server.http.get(server.url("/healthz")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("node at {} did not become ready", server.addr);
}

/// A metric's value on a node.
pub async fn metric(server: &TestServer, name: &str) -> u64 {
    let text = server.get_text("/metrics").await;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no metric {name}"))
}

/// Waits until a metric has `value` (gauges settle after a socket closes).
pub async fn metric_becomes(server: &TestServer, name: &str, value: u64) {
    for _ in 0..200 {
        if metric(server, name).await == value {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "{name} never became {value}: {}",
        metric(server, name).await
    );
}
