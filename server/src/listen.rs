//! The accept loop: HTTP/1.1 with WebSocket upgrades, plain or over TLS, caps on open HTTP
//! connections (in total and per address), a deadline on each request's headers, a limit on
//! keep-alive, graceful shutdown.
//!
//! Ours rather than `axum::serve`, which sets no header timeout: a client that sends half a
//! request would hold its connection (and a file descriptor) for ever. The body's deadline is
//! the router's (`http::guard`), so that its 408 carries the usual headers.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, StatusCode, header};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use crate::client::TrustedProxies;
use crate::error_headers::ErrorHeaders;
use crate::http::Proxied;
use crate::limits::{CapReached, ConnLimits, ConnPermit};
use crate::metrics::Metrics;
use crate::proxy_protocol;
use crate::tls::TlsStream;

/// After an accept error that is not the peer's (out of file descriptors, out of memory),
/// retrying at once would spin; a short pause lets connections close and frees descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Kernel send buffer of each socket (Linux doubles it). Left alone, Linux grows it to
/// `tcp_wmem` max (4 MiB), so every client that stops reading could pin megabytes of kernel
/// memory and be noticed only after thousands of frames. kring's frames are small: this holds
/// a few hundred, and a client that falls further behind fills its queue and is dropped.
const SEND_BUFFER: usize = 32 * 1024;

/// What a connection refused at a cap is told (plain HTTP only; over TLS it is just closed).
/// Written without reading the request, with the headers every answer carries.
const REFUSED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: text/plain; charset=utf-8\r\n\
content-length: 21\r\n\
retry-after: 5\r\n\
connection: close\r\n\
x-content-type-options: nosniff\r\n\
x-frame-options: DENY\r\n\
referrer-policy: no-referrer\r\n\
content-security-policy: default-src 'none'; frame-ancestors 'none'\r\n\
\r\n\
too many connections\n";

/// How connections are served.
pub(crate) struct Serving {
    /// Deadline for a request's headers, and for the TLS handshake before them; also how long
    /// an idle keep-alive connection waits for its next request.
    pub header_timeout: Duration,
    /// Requests per connection; the answer to the last one closes it.
    pub keep_alive_requests: u32,
    /// `Some` to serve HTTPS only.
    pub tls: Option<Arc<ServerConfig>>,
    /// Caps on open HTTP connections (`--max-http-connections[-per-ip]`).
    pub limits: Arc<ConnLimits>,
    pub metrics: Arc<Metrics>,
    /// Whose word on the client's address is taken (`--trusted-proxies`).
    pub proxies: TrustedProxies,
    /// Trusted proxies start each connection with a PROXY protocol header.
    pub proxy_protocol: bool,
}

/// What every connection task shares.
struct Server {
    app: Router,
    http: http1::Builder,
    tls: Option<Arc<ServerConfig>>,
    header_timeout: Duration,
    keep_alive_requests: u32,
    limits: Arc<ConnLimits>,
    metrics: Arc<Metrics>,
    proxies: Arc<TrustedProxies>,
    proxy_protocol: bool,
}

/// An open HTTP connection's places under the caps, and its count in the metrics. Dropped
/// when the connection ends or becomes a WebSocket (which the WebSocket caps count instead).
struct Open {
    _permit: ConnPermit,
    metrics: Arc<Metrics>,
}

impl Drop for Open {
    fn drop(&mut self) {
        self.metrics.http_connections.dec();
    }
}

/// Serves `app` on `listener` until `stop` is cancelled, then stops accepting, lets requests in
/// flight finish and returns when their connections are done. Upgraded WebSockets are no
/// longer HTTP connections: the hub closes those.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    serving: Serving,
    stop: CancellationToken,
) {
    let server = Arc::new(Server {
        app,
        http: http_builder(serving.header_timeout),
        tls: serving.tls,
        header_timeout: serving.header_timeout,
        keep_alive_requests: serving.keep_alive_requests,
        limits: serving.limits,
        metrics: serving.metrics,
        proxies: Arc::new(serving.proxies),
        proxy_protocol: serving.proxy_protocol,
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
        mut tcp: TcpStream,
        peer: SocketAddr,
        stop: CancellationToken,
    ) {
        tune_socket(&tcp);
        let peer = SocketAddr::new(peer.ip().to_canonical(), peer.port());
        let client = if self.proxy_protocol && self.proxies.trusts(peer.ip()) {
            let header = proxy_protocol::read_header(&mut tcp);
            let read = tokio::select! {
                _ = stop.cancelled() => return,
                read = tokio::time::timeout(self.header_timeout, header) => read,
            };
            match read {
                Ok(Ok(Some(source))) => SocketAddr::new(source.ip().to_canonical(), source.port()),
                // The proxy speaking for itself (a health check).
                Ok(Ok(None)) => peer,
                Ok(Err(e)) => return tracing::debug!(error = %e, "PROXY header refused"),
                Err(_) => return tracing::debug!("PROXY header timed out"),
            }
        } else {
            peer
        };
        // A trusted proxy's connection carries many clients: each request is counted against
        // its own client (`http::guard`), the connection only in the total.
        let proxied = self.proxies.trusts(client.ip());
        let Some(open) = self.open(&tcp, client, proxied) else {
            return;
        };
        let Some(tls) = &self.tls else {
            return self.http(tcp, client, proxied, open, &stop).await;
        };
        let handshake =
            tokio::time::timeout(self.header_timeout, TlsStream::accept(tcp, tls.clone()));
        let done = tokio::select! {
            _ = stop.cancelled() => return,
            done = handshake => done,
        };
        match done {
            Ok(Ok(stream)) => self.http(stream, client, proxied, open, &stop).await,
            Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
            Err(_) => tracing::debug!("TLS handshake timed out"),
        }
    }

    /// Places for a new connection from `client` under the HTTP caps, or `None` (the
    /// connection is then refused) when the total or the client's share is taken. Counted at
    /// accept, not per request: a connection holds a descriptor whether or not it ever sends
    /// a request.
    fn open(&self, tcp: &TcpStream, client: SocketAddr, proxied: bool) -> Option<Open> {
        let permit = match proxied {
            true => self.limits.acquire_total(),
            false => self.limits.acquire(client.ip()),
        };
        match permit {
            Ok(permit) => {
                self.metrics.http_connections.inc();
                Some(Open {
                    _permit: permit,
                    metrics: self.metrics.clone(),
                })
            }
            Err(cap) => {
                self.metrics.refused_http.inc();
                if cap == CapReached::PerAddress {
                    tracing::debug!(client = %crate::limits::client_key(client.ip()), "HTTP connection refused: per-address cap");
                }
                if self.tls.is_none() {
                    // Best effort and without waiting: a client that does not read it loses
                    // nothing it could use.
                    let _ = tcp.try_write(REFUSED);
                }
                None
            }
        }
    }

    /// HTTP/1.1 on `io` until the client leaves, upgrades to a WebSocket, misses the header
    /// deadline, has made its last keep-alive request, or `stop` lets its request in flight
    /// finish. `open` is given back when this returns (an upgraded socket has left by then).
    async fn http<I>(
        &self,
        io: I,
        client: SocketAddr,
        proxied: bool,
        open: Open,
        stop: &CancellationToken,
    ) where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let _open = open;
        let app = self.app.clone();
        let last = self.keep_alive_requests;
        let served = AtomicU32::new(0);
        let proxies = self.proxies.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            let n = served.fetch_add(1, Ordering::Relaxed).saturating_add(1);
            // Handlers read the client's address (every per-address limit) from `ConnectInfo`.
            let client = match proxied {
                true => SocketAddr::new(proxies.client(client.ip(), request.headers()), 0),
                false => client,
            };
            request.extensions_mut().insert(ConnectInfo(client));
            if proxied {
                request.extensions_mut().insert(Proxied);
            }
            let app = app.clone();
            async move {
                let mut response = app.oneshot(request).await?;
                if n >= last && response.status() != StatusCode::SWITCHING_PROTOCOLS {
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
                Ok::<_, Infallible>(response)
            }
        });
        let mut conn = pin!(
            self.http
                .serve_connection(TokioIo::new(ErrorHeaders::new(io)), service)
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
