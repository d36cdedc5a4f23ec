//! One WebSocket: a reader (decode, validate, rate-limit, forward to the room) and a writer
//! (drain the bounded queue in batches, ping). Either ending ends both.

use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use kring_protocol::{
    ClientMsg, ErrorCode, ErrorMsg, Join, MAX_CLIENT_MESSAGE_BYTES, MemberId, PROTOCOL_VERSION,
    ServerMsg,
};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, timeout};
use tokio_util::sync::WaitForCancellationFutureOwned;

use crate::clock::now_ms;
use crate::hub::{Hub, HubError};
use crate::room::{ConnSink, JoinError, Outbound, RoomHandle, RoomMsg};

/// The first message must arrive within this.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// A write that takes longer means the peer is not reading.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Frames written before one flush.
const WRITE_BATCH: usize = 64;
/// Messages per second a client may send on average, and in a burst.
const RATE_PER_SEC: f64 = 20.0;
const RATE_BURST: f64 = 40.0;

static CONN_IDS: AtomicU64 = AtomicU64::new(1);

/// Serves one upgraded socket until it closes. `code` is the canonical room code, or `None`
/// when the path cannot be a room code.
pub async fn serve(socket: WebSocket, code: Option<String>, hub: Arc<Hub>, peer: IpAddr) {
    let metrics = hub.metrics().clone();
    metrics.connections.inc();
    metrics.connections_total.inc();
    let (ws_tx, ws_rx) = socket.split();
    let (tx, rx) = mpsc::channel(hub.config().client_queue);
    let sink = ConnSink::new(CONN_IDS.fetch_add(1, Ordering::Relaxed), tx);
    let writer = tokio::spawn(write_loop(ws_tx, rx, sink.clone(), hub.config().heartbeat));
    let mut reader = Reader {
        hub,
        killed: Box::pin(sink.killed().clone().cancelled_owned()),
        sink,
        peer,
        bucket: TokenBucket::new(RATE_PER_SEC, RATE_BURST),
    };
    let joined = reader.run(ws_rx, code).await;
    if let Some((room, _)) = joined {
        let _ = room
            .tx
            .send(RoomMsg::Gone {
                conn: reader.sink.id,
            })
            .await;
    }
    // Our handle is dropped here; once the room has dropped its own, the writer's queue
    // closes and it ends after sending what is queued.
    let killed = reader.sink.killed().clone();
    drop(reader);
    if timeout(WRITE_TIMEOUT, writer).await.is_err() {
        killed.cancel();
    }
    metrics.connections.dec();
}

struct Reader {
    hub: Arc<Hub>,
    sink: ConnSink,
    peer: IpAddr,
    bucket: TokenBucket,
    /// The sink's kill signal, made once rather than per message.
    killed: Pin<Box<WaitForCancellationFutureOwned>>,
}

enum Next {
    Text(Utf8Bytes),
    /// The socket closed, failed, or was killed.
    End,
    Silent,
}

impl Reader {
    async fn run(
        &mut self,
        mut ws: SplitStream<WebSocket>,
        code: Option<String>,
    ) -> Option<(RoomHandle, Option<MemberId>)> {
        // Joining awaits deep futures (room lookup, loading from the store) that are done once;
        // boxed, their size is not carried by every idle connection's task for its lifetime.
        let (room, member) = Box::pin(self.hello(&mut ws, code)).await?;
        let away_after = self.hub.config().away_after;
        loop {
            let text = match self.next(&mut ws, away_after).await {
                Next::Text(text) => text,
                Next::End => break,
                Next::Silent => {
                    self.sink.kill(ErrorCode::HeartbeatTimeout);
                    break;
                }
            };
            let msg = match self.decode(&text) {
                Some(msg) => msg,
                None => continue,
            };
            match msg {
                ClientMsg::Hello { .. } => self.error(ErrorMsg::new(ErrorCode::AlreadyJoined)),
                ClientMsg::Ping { t } => {
                    self.sink.send(&ServerMsg::Pong {
                        t,
                        server_time: now_ms(),
                    });
                }
                ClientMsg::Leave {} => break,
                ClientMsg::Command(envelope) => {
                    let Some(member) = member else {
                        self.error(
                            ErrorMsg::new(ErrorCode::BadMessage)
                                .with_id(envelope.id)
                                .with_message("The shared screen is read-only."),
                        );
                        continue;
                    };
                    let sent = room
                        .tx
                        .send(RoomMsg::Command {
                            member,
                            conn: self.sink.id,
                            envelope,
                        })
                        .await;
                    if sent.is_err() {
                        // The room stopped (store failure or shutdown): reconnect and resume.
                        self.sink.close_with(ErrorCode::Internal);
                        break;
                    }
                }
            }
        }
        Some((room, member))
    }

    /// Waits for `hello` and joins the room.
    async fn hello(
        &mut self,
        ws: &mut SplitStream<WebSocket>,
        code: Option<String>,
    ) -> Option<(RoomHandle, Option<MemberId>)> {
        loop {
            let text = match self.next(ws, HELLO_TIMEOUT).await {
                Next::Text(text) => text,
                Next::End | Next::Silent => return None,
            };
            let (protocol, join) = match self.decode(&text)? {
                ClientMsg::Hello { protocol, join } => (protocol, join),
                _ => {
                    self.sink.close_with(ErrorCode::HelloRequired);
                    return None;
                }
            };
            if protocol != PROTOCOL_VERSION {
                self.sink.close_with(ErrorCode::UnsupportedVersion);
                return None;
            }
            match self.join(code.as_deref(), join).await {
                Ok(joined) => return Some(joined),
                Err(Some(code)) if code.close_code().is_none() => continue,
                Err(_) => return None,
            }
        }
    }

    /// `Err(Some(code))`: refused with `code` (already sent). `Err(None)`: connection over.
    async fn join(
        &mut self,
        code: Option<&str>,
        join: Join,
    ) -> Result<(RoomHandle, Option<MemberId>), Option<ErrorCode>> {
        let guesses = &self.hub.guesses;
        if let Err(wait) = guesses.check(self.peer) {
            let mut error = ErrorMsg::new(ErrorCode::TooManyAttempts);
            error.retry_after_ms = Some(wait.as_millis() as u64);
            self.sink.send(&ServerMsg::Error(error));
            self.close(ErrorCode::TooManyAttempts);
            return Err(None);
        }
        // A room can stop between lookup and join (unloaded while idle); look it up again.
        for _ in 0..3 {
            let room = match code {
                Some(code) => self.hub.room(code).await,
                None => Ok(None),
            };
            let room = match room {
                Ok(Some(room)) => room,
                Ok(None) => {
                    guesses.failed(self.peer);
                    self.sink.close_with(ErrorCode::RoomNotFound);
                    return Err(None);
                }
                Err(HubError::ShuttingDown) => {
                    self.sink.close_with(ErrorCode::ShuttingDown);
                    return Err(None);
                }
                Err(e) => {
                    tracing::error!(error = %e, "room lookup failed");
                    self.sink.close_with(ErrorCode::Internal);
                    return Err(None);
                }
            };
            let (reply, answer) = oneshot::channel();
            let msg = RoomMsg::Join {
                join: join.clone(),
                conn: self.sink.clone(),
                reply,
            };
            if room.tx.send(msg).await.is_err() {
                continue;
            }
            match answer.await {
                Ok(Ok(joined)) => return Ok((room, joined.member)),
                Ok(Err(JoinError::Refused(code))) => {
                    if code == ErrorCode::BadToken {
                        guesses.failed(self.peer);
                    }
                    if code.close_code().is_some() {
                        self.close(code);
                    }
                    return Err(Some(code));
                }
                Ok(Err(JoinError::RoomGone)) | Err(_) => continue,
            }
        }
        self.sink.close_with(ErrorCode::Internal);
        Err(None)
    }

    async fn next(&mut self, ws: &mut SplitStream<WebSocket>, silence: Duration) -> Next {
        loop {
            let frame = tokio::select! {
                _ = self.killed.as_mut() => return Next::End,
                frame = timeout(silence, ws.next()) => frame,
            };
            match frame {
                Err(_) => return Next::Silent,
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return Next::End,
                Ok(Some(Ok(Message::Text(text)))) => {
                    self.hub.metrics().messages_in.inc();
                    if let Err(wait) = self.bucket.take() {
                        let mut error = ErrorMsg::new(ErrorCode::RateLimited);
                        error.retry_after_ms = Some(wait.as_millis() as u64);
                        self.error(error);
                        continue;
                    }
                    return Next::Text(text);
                }
                Ok(Some(Ok(Message::Binary(_)))) => self.error(
                    ErrorMsg::new(ErrorCode::BadMessage)
                        .with_message("Messages are JSON text frames."),
                ),
                // Pings are answered by the WebSocket layer; any frame proves the peer alive.
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            }
        }
    }

    fn decode(&self, text: &str) -> Option<ClientMsg> {
        match decode(text) {
            Ok(msg) => Some(msg),
            Err(error) => {
                self.error(error);
                None
            }
        }
    }

    fn error(&self, error: ErrorMsg) {
        self.hub.metrics().reject(error.code);
        self.sink.send(&ServerMsg::Error(error));
    }

    fn close(&self, code: ErrorCode) {
        self.sink.push_close(code);
    }
}

/// Parses a client frame, with an error that says what is wrong without echoing content.
pub fn decode(text: &str) -> Result<ClientMsg, ErrorMsg> {
    if text.len() > MAX_CLIENT_MESSAGE_BYTES {
        return Err(ErrorMsg::new(ErrorCode::MessageTooLarge));
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    let error = match serde_path_to_error::deserialize::<_, ClientMsg>(de) {
        Ok(msg) => return Ok(msg),
        Err(error) => error,
    };
    let mut path = error.path().to_string();
    let inner = error.into_inner();
    if !inner.is_data() {
        return Err(ErrorMsg::new(ErrorCode::BadJson));
    }
    if path == "." {
        path = envelope_path(text).unwrap_or(path);
    }
    // serde's message may quote the offending value (session text); only its kind is used.
    let text = inner.to_string();
    let kind = [
        "unknown variant",
        "unknown field",
        "missing field",
        "invalid type",
        "invalid value",
        "invalid length",
    ]
    .into_iter()
    .find(|k| text.starts_with(k))
    .unwrap_or("invalid message");
    if kind == "unknown variant" && (path == "." || path == "type") {
        return Err(ErrorMsg::new(ErrorCode::UnknownType));
    }
    // Inside internally tagged enums serde cannot track the path any deeper; the name of a
    // missing or unknown field (an identifier, not content) completes it.
    let mut field = (path != ".").then_some(path);
    if matches!(kind, "unknown field" | "missing field")
        && let Some(name) = text.split('`').nth(1)
    {
        field = Some(match field {
            Some(path) => format!("{path}.{name}"),
            None => name.to_owned(),
        });
    }
    let mut msg = ErrorMsg::new(ErrorCode::BadMessage);
    msg.message = match &field {
        Some(field) => format!("The message does not match the protocol at `{field}`: {kind}."),
        None => format!("The message does not match the protocol: {kind}."),
    };
    msg.field = field;
    Err(msg)
}

/// Serde loses the path inside an internally tagged enum; parsing a command's envelope on its
/// own finds at least which envelope field is wrong.
fn envelope_path(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut object = value.as_object()?.clone();
    if object.remove("type")?.as_str()? != "command" {
        return None;
    }
    let error = serde_path_to_error::deserialize::<_, kring_protocol::CommandEnvelope>(
        serde_json::Value::Object(object),
    )
    .err()?;
    Some(error.path().to_string())
}

async fn write_loop(
    mut ws: SplitSink<WebSocket, Message>,
    mut rx: mpsc::Receiver<Outbound>,
    sink: ConnSink,
    heartbeat: Duration,
) {
    let mut ping = tokio::time::interval_at(Instant::now() + heartbeat, heartbeat);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let killed = sink.killed().clone();
    // Made once: each `cancelled()` call locks the token's tree, and this loop turns once per
    // batch of frames.
    let cancelled = killed.cancelled();
    tokio::pin!(cancelled);
    loop {
        let first = tokio::select! {
            biased;
            _ = &mut cancelled => {
                let code = sink.reason().unwrap_or(ErrorCode::SlowConsumer);
                let _ = timeout(Duration::from_secs(1), ws.send(close_frame(code))).await;
                break;
            }
            out = rx.recv() => match out {
                Some(out) => out,
                None => break,
            },
            _ = ping.tick() => {
                match timeout(WRITE_TIMEOUT, ws.send(Message::Ping(Default::default()))).await {
                    Ok(Ok(())) => continue,
                    _ => break,
                }
            }
        };
        match timeout(WRITE_TIMEOUT, write_batch(&mut ws, &mut rx, first)).await {
            Ok(Ok(false)) => {}
            Ok(Ok(true)) | Ok(Err(_)) | Err(_) => break,
        }
    }
    // Ends the reader too, whatever ended the writer.
    killed.cancel();
}

/// Feeds queued frames and flushes once. `Ok(true)` when a close frame was sent.
async fn write_batch(
    ws: &mut SplitSink<WebSocket, Message>,
    rx: &mut mpsc::Receiver<Outbound>,
    first: Outbound,
) -> Result<bool, axum::Error> {
    let mut next = Some(first);
    let mut written = 0;
    while let Some(out) = next.take() {
        match out {
            Outbound::Frame(frame) => ws.feed(Message::Text(frame)).await?,
            Outbound::Close(code) => {
                ws.feed(close_frame(code)).await?;
                ws.flush().await?;
                return Ok(true);
            }
        }
        written += 1;
        if written < WRITE_BATCH {
            next = rx.try_recv().ok();
        }
    }
    ws.flush().await?;
    Ok(false)
}

fn close_frame(code: ErrorCode) -> Message {
    Message::Close(Some(CloseFrame {
        code: code.close_code().unwrap_or(1008),
        reason: Utf8Bytes::from_static(code.as_str()),
    }))
}

/// Average `rate` per second, bursts up to `burst`.
struct TokenBucket {
    tokens: f64,
    rate: f64,
    burst: f64,
    at: Instant,
}

impl TokenBucket {
    fn new(rate: f64, burst: f64) -> Self {
        TokenBucket {
            tokens: burst,
            rate,
            burst,
            at: Instant::now(),
        }
    }

    fn take(&mut self) -> Result<(), Duration> {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * self.rate).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / self.rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_classifies_errors_without_echoing_content() {
        assert_eq!(decode("{nope").unwrap_err().code, ErrorCode::BadJson);
        assert_eq!(
            decode(r#"{"type":"shout"}"#).unwrap_err().code,
            ErrorCode::UnknownType
        );
        let err = decode(
            r#"{"type":"command","id":"a","command":{"kind":"submit","input":"question","text":5}}"#,
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::BadMessage);
        assert!(
            err.field.as_deref().unwrap_or("").starts_with("command"),
            "{:?}",
            err.field
        );
        let err = decode(r#"{"type":"command","id":"a","command":{"kind":"raise_hand","loud":1}}"#)
            .unwrap_err();
        assert!(
            err.field.as_deref().unwrap_or("").ends_with("loud"),
            "{:?}",
            err.field
        );
        let err = decode(
            r#"{"type":"command","id":"a","command":{"kind":"vote","item":"SECRET-CANARY"}}"#,
        )
        .unwrap_err();
        assert!(!err.message.contains("SECRET-CANARY"), "{}", err.message);
        let big = format!(r#"{{"type":"ping","t":1,"x":"{}"}}"#, "a".repeat(20_000));
        assert_eq!(decode(&big).unwrap_err().code, ErrorCode::MessageTooLarge);
    }

    #[test]
    fn token_bucket_allows_bursts_then_limits() {
        let mut bucket = TokenBucket::new(1.0, 3.0);
        assert!(bucket.take().is_ok());
        assert!(bucket.take().is_ok());
        assert!(bucket.take().is_ok());
        assert!(bucket.take().is_err());
    }
}
