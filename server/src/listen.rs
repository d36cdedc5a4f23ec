//! The accept loop: HTTP/1.1 with WebSocket upgrades, plain or over TLS, a deadline on each
//! request's headers, graceful shutdown.
//!
//! Ours rather than `axum::serve`, which sets no header timeout: a client that sends half a
//! request would hold its connection (and a file descriptor) for ever.

use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Extension};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_layer::Layer;

/// After an accept error that is not the peer's (out of file descriptors, out of memory),
/// retrying at once would spin; a short pause lets connections close and frees descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Kernel send buffer of each socket (Linux doubles it). Left alone, Linux grows it to
/// `tcp_wmem` max (4 MiB), so every client that stops reading could pin megabytes of kernel
/// memory and be noticed only after thousands of frames. kring's frames are small: this holds
/// a few hundred, and a client that falls further behind fills its queue and is dropped.
const SEND_BUFFER: usize = 32 * 1024;

/// How connections are served.
pub struct Serving {
    /// Deadline for a request's headers, and for the TLS handshake before them.
    pub header_timeout: Duration,
    /// `Some` to serve HTTPS only.
    pub tls: Option<TlsAcceptor>,
}

/// What every connection task shares.
struct Server {
    app: Router,
    http: http1::Builder,
    tls: Option<TlsAcceptor>,
    header_timeout: Duration,
}

/// Serves `app` on `listener` until `stop` is cancelled, then stops accepting, lets requests in
/// flight finish and returns when their connections are done. Upgraded WebSockets are no
/// longer HTTP connections: the hub closes those.
pub async fn serve(listener: TcpListener, app: Router, serving: Serving, stop: CancellationToken) {
    let server = Arc::new(Server {
        app,
        http: http_builder(serving.header_timeout),
        tls: serving.tls,
        header_timeout: serving.header_timeout,
    });
    let connections = TaskTracker::new();
    while let Some((tcp, peer)) = accept(&listener, &stop).await {
        connections.spawn(server.clone().connection(tcp, peer, stop.clone()));
    }
    drop(listener);
    connections.close();
    connections.wait().await;
}

fn http_builder(header_timeout: Duration) -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder
}

/// The next connection, or `None` once `stop` is cancelled. Accept errors never end the loop.
async fn accept(
    listener: &TcpListener,
    stop: &CancellationToken,
) -> Option<(TcpStream, SocketAddr)> {
    loop {
        let accepted = tokio::select! {
            _ = stop.cancelled() => return None,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok(connection) => return Some(connection),
            // The peer gave up before we got to it; nothing is wrong here.
            Err(e) if is_peer_error(&e) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::select! {
                    _ = stop.cancelled() => return None,
                    _ = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                }
            }
        }
    }
}

fn is_peer_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    )
}

impl Server {
    /// One connection's task. The TLS handshake runs here, not in the accept loop, so a slow
    /// client cannot hold up everyone else's connections.
    async fn connection(
        self: Arc<Self>,
        tcp: TcpStream,
        peer: SocketAddr,
        stop: CancellationToken,
    ) {
        tune_socket(&tcp);
        let Some(tls) = &self.tls else {
            return self.http(tcp, peer, &stop).await;
        };
        let handshake = tokio::time::timeout(self.header_timeout, tls.accept(tcp));
        let done = tokio::select! {
            _ = stop.cancelled() => return,
            done = handshake => done,
        };
        match done {
            Ok(Ok(stream)) => self.http(stream, peer, &stop).await,
            Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
            Err(_) => tracing::debug!("TLS handshake timed out"),
        }
    }

    /// HTTP/1.1 on `io` until the client leaves, upgrades to a WebSocket, misses the header
    /// deadline, or `stop` lets its request in flight finish.
    async fn http<I>(&self, io: I, peer: SocketAddr, stop: &CancellationToken)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        // Handlers read the peer address (per-address limits) from `ConnectInfo`.
        let app = Extension(ConnectInfo(peer)).layer(self.app.clone());
        let service = TowerToHyperService::new(app);
        let mut conn = pin!(
            self.http
                .serve_connection(TokioIo::new(io), service)
                .with_upgrades()
        );
        let result = tokio::select! {
            result = conn.as_mut() => result,
            _ = stop.cancelled() => {
                conn.as_mut().graceful_shutdown();
                conn.await
            }
        };
        if let Err(e) = result {
            tracing::debug!(error = %e, "HTTP connection ended with an error");
        }
    }
}

/// Set on every accepted stream. `TCP_NODELAY`: small frames must leave at once; with Nagle's
/// algorithm a frame waits for the ACK of the one before, which the peer may delay by 40 ms
/// (p99 fan-out 45 ms instead of 3 ms in the benchmark, docs/PERFORMANCE.md).
fn tune_socket(tcp: &TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::warn!(error = %e, "TCP_NODELAY not set");
    }
    if let Err(e) = socket2::SockRef::from(tcp).set_send_buffer_size(SEND_BUFFER) {
        tracing::warn!(error = %e, "send buffer size not set");
    }
}
