//! Forwarding a WebSocket to the node that owns its room.
//!
//! The load balancer hashes the room code in `/ws/{code}`, so a room's clients normally reach
//! its owner. When one reaches another node (the hash moved because a node left or came back,
//! or a client bypassed the balancer), that node forwards the connection instead of taking
//! the room over: it opens a WebSocket to the owner, marked with the cluster key and the
//! client's address, and copies messages both ways. The owner serves it as its own (hello,
//! commands, the room's pings all pass through); the forwarding node only checks that the
//! client is alive and passes close frames on, so `room_moved`, `shutting_down` and the rest
//! reach the client unchanged.
//!
//! Cost: a second hop for every frame (measured in docs/PERFORMANCE.md), and the socket held
//! on both nodes. The alternative, a handoff (the owner flushes, releases and sends every
//! client of the room elsewhere), would interrupt every member of the room to serve one
//! straggler, and two nodes that both receive clients of a room (a balancer's hash split
//! during a change) would hand it back and forth. A forwarded room stays where it is until it
//! idles out of memory, when its owner releases it and the next connection claims it where the
//! balancer now sends it.

use std::net::IpAddr;
use std::time::Duration;

use axum::http::HeaderMap;
use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use kring_protocol::ErrorCode;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

/// Proves that a connection comes from another node (the key is shared through the store).
pub const KEY_HEADER: &str = "x-kring-cluster-key";
/// The address of the client a node forwards, trusted only with the right key.
pub const CLIENT_HEADER: &str = "x-kring-forwarded-for";

/// How long a forward may take to reach the owner before the room is served here instead
/// (the owner may have just died; then this node claims the room once its lease runs out).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// A write that takes longer means the peer is not reading.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_MESSAGE: usize = 64 * 1024;

pub type Upstream = WebSocketStream<MaybeTlsStream<TcpStream>>;
/// The client's side of a forwarded connection: the upgraded connection after kring's own
/// handshake (`crate::socket::handshake`), framed by tungstenite like the upstream. A
/// forwarding node only copies messages, so it needs none of `crate::socket`'s frames built
/// once; hyper's `Upgraded` hands back first whatever the client sent after its request.
pub type Client = WebSocketStream<TokioIo<Upgraded>>;

/// The forwarded client's address, when `headers` prove the request comes from a node.
pub fn forwarded_client(headers: &HeaderMap, key: Option<&str>) -> Option<IpAddr> {
    let given = headers.get(KEY_HEADER)?.to_str().ok()?;
    if !crate::secrets::same_hash(given, key?) {
        return None;
    }
    headers.get(CLIENT_HEADER)?.to_str().ok()?.parse().ok()
}

/// Opens the WebSocket to the owner at `node_url` for room `code`.
pub async fn connect(
    node_url: &str,
    code: &kring_protocol::RoomCode,
    client: IpAddr,
    key: &str,
) -> Result<Upstream, String> {
    let base = node_url
        .strip_prefix("http://")
        .ok_or_else(|| "the owner's URL is not http://".to_owned())?;
    let mut request = format!("ws://{base}/ws/{}", code.as_str())
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let headers = request.headers_mut();
    headers.insert(
        KEY_HEADER,
        HeaderValue::from_str(key).map_err(|e| e.to_string())?,
    );
    headers.insert(
        CLIENT_HEADER,
        HeaderValue::from_str(&client.to_string()).map_err(|e| e.to_string())?,
    );
    let connecting = tokio_tungstenite::connect_async_with_config(request, Some(config()), true);
    match timeout(CONNECT_TIMEOUT, connecting).await {
        Ok(Ok((upstream, _))) => Ok(upstream),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out".to_owned()),
    }
}

/// Frames the client's side of an upgrade this node accepted.
pub async fn client(upgraded: Upgraded) -> Client {
    WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config())).await
}

/// Both hops: small buffers, and no message larger than a client may send kring.
fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE))
}

/// How the forwarding node watches the client (`--heartbeat`, `--away-after`).
pub struct Timing {
    pub heartbeat: Duration,
    pub away_after: Duration,
}

/// Copies messages between the client and the owner until either side closes or this node
/// stops (the client is then told to reconnect, 1012). The client is pinged every
/// `heartbeat` and given up after `away_after` of silence (the owner then sees the forwarded
/// socket close, as it would see the client's).
pub async fn pump(
    mut client: Client,
    mut upstream: Upstream,
    timing: Timing,
    stopping: CancellationToken,
) {
    let Timing {
        heartbeat,
        away_after,
    } = timing;
    let mut ping = tokio::time::interval_at(Instant::now() + heartbeat, heartbeat);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            _ = stopping.cancelled() => {
                close_client(&mut client, ErrorCode::ShuttingDown).await;
                let _ = timeout(WRITE_TIMEOUT, upstream.close(None)).await;
                return;
            }
            msg = client.next() => {
                heard = Instant::now();
                let msg = match msg {
                    Some(Ok(msg)) => msg,
                    _ => {
                        let _ = timeout(WRITE_TIMEOUT, upstream.close(None)).await;
                        return;
                    }
                };
                let Some(out) = passed_on(msg) else { continue };
                let closing = matches!(out, Message::Close(_));
                let sent = timeout(WRITE_TIMEOUT, upstream.send(out)).await;
                if closing || !matches!(sent, Ok(Ok(()))) {
                    let _ = timeout(WRITE_TIMEOUT, upstream.close(None)).await;
                    return;
                }
            }
            msg = upstream.next() => {
                let msg = match msg {
                    Some(Ok(msg)) => msg,
                    // The owner went away without a close frame: the room is elsewhere now.
                    _ => {
                        close_client(&mut client, ErrorCode::RoomMoved).await;
                        return;
                    }
                };
                let Some(out) = passed_on(msg) else { continue };
                let closing = matches!(out, Message::Close(_));
                let sent = timeout(WRITE_TIMEOUT, client.send(out)).await;
                if closing || !matches!(sent, Ok(Ok(()))) {
                    let _ = timeout(WRITE_TIMEOUT, upstream.close(None)).await;
                    return;
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() >= away_after {
                    close_client(&mut client, ErrorCode::HeartbeatTimeout).await;
                    let _ = timeout(WRITE_TIMEOUT, upstream.close(None)).await;
                    return;
                }
                let sent = timeout(WRITE_TIMEOUT, client.send(Message::Ping(Default::default()))).await;
                if !matches!(sent, Ok(Ok(()))) {
                    let _ = timeout(WRITE_TIMEOUT, upstream.close(None)).await;
                    return;
                }
            }
        }
    }
}

async fn close_client(client: &mut Client, code: ErrorCode) {
    let frame = Message::Close(Some(CloseFrame {
        code: CloseCode::from(code.close_code().unwrap_or(1011)),
        reason: Utf8Bytes::from_static(code.as_str()),
    }));
    let _ = timeout(WRITE_TIMEOUT, client.send(frame)).await;
}

/// A frame for the other hop; pings and pongs stay on their own hop (tungstenite answers
/// pings itself).
fn passed_on(msg: Message) -> Option<Message> {
    match msg {
        Message::Text(_) | Message::Binary(_) | Message::Close(_) => Some(msg),
        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => None,
    }
}
