//! One WebSocket, served by one task: it reads frames (decode, validate, rate-limit, forward
//! to the room), writes what the socket did not take at once, pings, and notices silence.
//!
//! Most writing does not happen here: whoever queues a frame for a plain socket writes it
//! straight to the socket when nothing is waiting before it (`room::outbox`), so a broadcast
//! wakes no connection task. This task is woken to write only when the socket's buffer was
//! full, for a TLS socket, and to close. One task rather than a reader/writer pair halves what
//! an idle connection costs; the task never waits on the room (a full room queue refuses the
//! command with a retry code), so writing never stalls behind reading.

use std::future::poll_fn;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use kring_protocol::{
    ClientMsg, CommandEnvelope, ErrorCode, ErrorMsg, Join, MAX_CLIENT_MESSAGE_BYTES,
    MAX_COMMAND_ID_LEN, MemberId, PROTOCOL_VERSION, RoomCode, ServerMsg,
};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, Sleep, sleep_until, timeout, timeout_at};

use crate::clock::now_ms;
use crate::hub::{Hub, HubError};
use crate::limits::{Budget, FAILURE_FLOOR, Over, SharedBudget};
use crate::room::{ConnSink, Flush, JoinError, RoomHandle, RoomMsg, Taken, close_frame};
use crate::socket::{Frame, FrameError, Incoming, Reader, Stream};

/// The first message must arrive within this.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// A write that takes longer means the peer is not reading.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The welcome (up to 960 KiB) must be taken within this: a client that asks to join and
/// then does not read would otherwise hold its full view in memory for the whole
/// `WRITE_TIMEOUT`. 5 s is the largest welcome at about 1.6 Mbit/s.
const WELCOME_TIMEOUT: Duration = Duration::from_secs(5);
/// Sending our close frame may take this long (a peer that does not read never takes it).
const CLOSE_SEND_TIMEOUT: Duration = Duration::from_secs(1);
/// After our close frame, how long we read on, waiting for the peer's.
const CLOSE_WAIT: Duration = Duration::from_secs(2);
/// Above the protocol limit, so an oversized message gets `message_too_large`, not a drop;
/// a frame or message above this closes the connection with 1009.
const MAX_MESSAGE: usize = 64 * 1024;

static CONN_IDS: AtomicU64 = AtomicU64::new(1);

/// Serves one upgraded socket until it closes. `early`: bytes the client sent right after its
/// upgrade request. `code` is the canonical room code, or `None` when the path cannot be a
/// room code. `unreachable`: the node that owns the room as far as the upgrade knew, which it
/// could not forward to.
pub(crate) async fn serve(
    stream: Stream,
    early: Bytes,
    code: Option<RoomCode>,
    hub: Arc<Hub>,
    peer: IpAddr,
    unreachable: Option<Arc<str>>,
) {
    let metrics = hub.metrics().clone();
    metrics.connections.inc();
    metrics.connections_total.inc();
    let cfg = hub.config();
    let sink = ConnSink::bounded(
        CONN_IDS.fetch_add(1, Ordering::Relaxed),
        cfg.client_queue,
        usize::try_from(cfg.client_queue_bytes).unwrap_or(usize::MAX),
        Some((
            hub.queued_bytes(peer),
            usize::try_from(cfg.address_queue_bytes).unwrap_or(usize::MAX),
        )),
        stream.direct(),
    );
    let now = Instant::now();
    let next_ping = now + hub.config().heartbeat;
    let budget = Arc::new(Mutex::new(Budget::for_messages(hub.config())));
    let mut reader = Reader::new(MAX_MESSAGE);
    reader.extend(&early);
    // `early` may share its allocation with the HTTP layer's whole read buffer; the socket
    // must not keep that for its lifetime.
    drop(early);
    let mut conn = Conn {
        hub,
        sink,
        peer,
        budget,
        stream,
        reader,
        next_ping,
        last_heard: now,
        timer: Box::pin(tokio::time::sleep_until(next_ping.min(now + HELLO_TIMEOUT))),
        joined: None,
        unreachable,
        left: false,
        welcome_pending: false,
    };
    conn.run(code).await;
    if let Some((room, _)) = &conn.joined {
        let gone = RoomMsg::Gone {
            conn: conn.sink.id,
            left: conn.left,
        };
        let _ = room.tx.send(gone).await;
    }
    let hub = conn.hub.clone();
    drop(conn);
    hub.release_queued_bytes(peer);
    metrics.connections.dec();
}

struct Conn {
    hub: Arc<Hub>,
    sink: ConnSink,
    peer: IpAddr,
    /// The socket's own until it joins; then the member's, which outlives the socket.
    budget: SharedBudget,
    stream: Stream,
    reader: Reader,
    next_ping: Instant,
    last_heard: Instant,
    /// The socket's one timer: it fires for the next ping or when the peer may have gone
    /// silent, whichever comes first, and is re-armed only when it fires, so reading a frame
    /// costs no timer update. (One timer rather than two: each is a heap allocation that
    /// every idle connection carries.)
    timer: Pin<Box<Sleep>>,
    /// The room and who this socket is in it (`None` member: the shared screen).
    joined: Option<(RoomHandle, Option<MemberId>)>,
    /// The room's owner that this connection could not be forwarded to.
    unreachable: Option<Arc<str>>,
    /// The client said `leave`: it closed the tab on purpose.
    left: bool,
    /// The next write carries the welcome (see [`WELCOME_TIMEOUT`]).
    welcome_pending: bool,
}

/// What the loop does after one step.
enum Step {
    Go,
    End,
}

impl Conn {
    async fn run(&mut self, code: Option<RoomCode>) {
        // The client may have sent its hello with the upgrade request.
        if let Step::End = self.read_messages(code.as_ref()).await {
            return;
        }
        loop {
            let step = tokio::select! {
                biased;
                // Boxed, like every rarely taken path below: an idle connection's task is no
                // bigger than its common path needs.
                _ = self.sink.outbox().notified() => Box::pin(self.write()).await,
                read = poll_fn(|cx| self.stream.poll_fill(cx, &mut self.reader)) => match read {
                    Ok(0) | Err(_) => Step::End,
                    Ok(_) => self.read_messages(code.as_ref()).await,
                },
                _ = self.timer.as_mut() => self.on_timer().await,
            };
            if let Step::End = step {
                return;
            }
        }
    }

    /// The timer fired: ping if it is time, give up on a peer silent too long, and re-arm.
    async fn on_timer(&mut self) -> Step {
        let now = Instant::now();
        let allowed = match self.joined {
            Some(_) => self.hub.config().away_after,
            None => HELLO_TIMEOUT,
        };
        let silent_at = self.last_heard + allowed;
        if silent_at <= now {
            let code = match self.joined {
                Some(_) => ErrorCode::HeartbeatTimeout,
                None => ErrorCode::HelloRequired,
            };
            Box::pin(self.kill_now(code)).await;
            return Step::End;
        }
        if self.next_ping <= now {
            self.sink.outbox().push(&Frame::ping());
            let heartbeat = self.hub.config().heartbeat;
            self.next_ping += heartbeat;
            if self.next_ping <= now {
                // Late (a busy machine): the next one a whole period from now.
                self.next_ping = now + heartbeat;
            }
        }
        self.timer.as_mut().reset(self.next_ping.min(silent_at));
        Step::Go
    }

    /// Writes what is queued, as far as the socket takes it within [`WRITE_TIMEOUT`] (the
    /// welcome within [`WELCOME_TIMEOUT`]). Ends at a close frame (after the close handshake),
    /// a kill or a failure.
    async fn write(&mut self) -> Step {
        let deadline = Instant::now()
            + if std::mem::take(&mut self.welcome_pending) {
                WELCOME_TIMEOUT
            } else {
                WRITE_TIMEOUT
            };
        loop {
            let flush = match &self.stream {
                Stream::Plain(tcp) => self.sink.outbox().flush(tcp),
                Stream::Tls(_) => return self.write_tls(deadline).await,
            };
            match flush {
                Flush::Done => return Step::Go,
                Flush::Blocked => {
                    let Stream::Plain(tcp) = &self.stream else {
                        return Step::End;
                    };
                    let outbox = self.sink.outbox();
                    // Writable again, or killed meanwhile (a queue that overflowed).
                    let woke = timeout_at(deadline, async {
                        tokio::select! {
                            ready = tcp.writable() => ready.is_ok(),
                            _ = outbox.notified() => true,
                        }
                    })
                    .await;
                    match woke {
                        Ok(true) => {}
                        Ok(false) => return Step::End,
                        Err(_) => {
                            self.did_not_read();
                            return Step::End;
                        }
                    }
                }
                Flush::Closed(_) => {
                    self.await_peer_close(CLOSE_WAIT).await;
                    return Step::End;
                }
                Flush::Killed(code) => {
                    self.kill_now(code).await;
                    return Step::End;
                }
                Flush::Broken => {
                    tracing::debug!(conn = self.sink.id, "write to client failed");
                    return Step::End;
                }
            }
        }
    }

    /// A TLS socket: the task writes every batch itself.
    async fn write_tls(&mut self, deadline: Instant) -> Step {
        loop {
            let (frames, closing) = match self.sink.outbox().take() {
                Taken::Killed(code) => {
                    self.kill_now(code).await;
                    return Step::End;
                }
                Taken::Frames(frames, closing) => (frames, closing),
            };
            if frames.is_empty() {
                return Step::Go;
            }
            let bytes: usize = frames.iter().map(Bytes::len).sum();
            let stream = &mut self.stream;
            let written = timeout_at(deadline, async {
                for frame in &frames {
                    stream.write_all(frame).await?;
                }
                stream.flush().await
            })
            .await;
            match written {
                Ok(Ok(())) => self.sink.outbox().written(bytes),
                Ok(Err(error)) => {
                    tracing::debug!(conn = self.sink.id, bytes, error = %error.kind(), "write to client failed");
                    return Step::End;
                }
                Err(_) => {
                    self.did_not_read();
                    return Step::End;
                }
            }
            if closing.is_some() {
                self.await_peer_close(CLOSE_WAIT).await;
                return Step::End;
            }
        }
    }

    fn did_not_read(&self) {
        tracing::info!(
            conn = self.sink.id,
            "client did not read in time; connection dropped"
        );
    }

    /// Closes at once with `code`, dropping what is queued (a peer that is too slow or silent
    /// would not read it anyway).
    async fn kill_now(&mut self, code: ErrorCode) {
        self.sink.kill(code);
        self.close_handshake(close_frame(code), Duration::from_secs(1))
            .await;
    }

    /// Sends what must go before it and our close frame, then reads on (discarding data)
    /// until the peer's close frame arrives or `wait` runs out, so the peer sees a completed
    /// close handshake and the server, not the client, closes the TCP connection (RFC 6455,
    /// 7.1.1).
    async fn close_handshake(&mut self, close: Frame, wait: Duration) {
        if !self.send_last(close).await || wait.is_zero() {
            return;
        }
        self.await_peer_close(wait).await;
    }

    /// Writes what is still queued and then `close`; nothing can be queued after it.
    async fn send_last(&mut self, close: Frame) -> bool {
        let before = self.sink.outbox().seal();
        let stream = &mut self.stream;
        let sent = timeout(CLOSE_SEND_TIMEOUT, async {
            for bytes in &before {
                stream.write_all(bytes).await?;
            }
            stream.write_all(close.wire()).await?;
            stream.flush().await
        })
        .await;
        matches!(sent, Ok(Ok(())))
    }

    /// Reads and discards until the peer's close frame, the end of the stream, or `wait`.
    async fn await_peer_close(&mut self, wait: Duration) {
        let reader = &mut self.reader;
        let stream = &mut self.stream;
        let _ = timeout(wait, async {
            loop {
                loop {
                    match reader.next_message() {
                        Ok(Some(Incoming::Close(_))) | Err(_) => return,
                        Ok(Some(_)) => {}
                        Ok(None) => break,
                    }
                }
                match poll_fn(|cx| stream.poll_fill(cx, reader)).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await;
    }

    /// The peer sent a close frame: answer it with its code and end.
    async fn answer_close(&mut self, code: Option<u16>) {
        let reply = match code {
            Some(code) => Frame::close(code, ""),
            None => Frame::close_empty(),
        };
        self.send_last(reply).await;
    }

    /// The client's frames broke the WebSocket protocol: close with the standard code that
    /// says why, instead of just dropping the TCP connection.
    async fn refuse_frame(&mut self, error: FrameError) {
        let code = match error {
            FrameError::TooLarge => ErrorCode::MessageTooLarge,
            FrameError::Utf8 | FrameError::Protocol(_) => ErrorCode::BadMessage,
        };
        self.hub.metrics().reject(code);
        if error == FrameError::TooLarge {
            self.hub.metrics().abusive_closes.inc();
        }
        // This fails the connection (RFC 6455, 7.1.7): nothing is read after a frame that was
        // refused (after an oversized one the stream is mid-frame), so the close frame says
        // why and the connection ends without waiting for the peer's answer.
        self.close_handshake(
            Frame::close(error.close_code(), code.as_str()),
            Duration::ZERO,
        )
        .await;
    }

    /// Handles every complete message received so far.
    async fn read_messages(&mut self, code: Option<&RoomCode>) -> Step {
        loop {
            match self.reader.next_message() {
                Ok(None) => return Step::Go,
                Ok(Some(message)) => {
                    if let Step::End = self.read(message, code).await {
                        return Step::End;
                    }
                }
                Err(error) => {
                    Box::pin(self.refuse_frame(error)).await;
                    return Step::End;
                }
            }
        }
    }

    async fn read(&mut self, message: Incoming, code: Option<&RoomCode>) -> Step {
        self.last_heard = Instant::now();
        if let Incoming::Close(code) = message {
            Box::pin(self.answer_close(code)).await;
            return Step::End;
        }
        self.hub.metrics().messages_in.inc();
        // Control frames count too: each ping is answered, so a ping flood costs as much as
        // any other.
        let spent = self
            .budget
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .spend();
        if let Err(over) = spent {
            let data = matches!(message, Incoming::Text(_) | Incoming::Binary);
            // A client with several commands in flight must know which one to send again.
            let id = match &message {
                Incoming::Text(text) => command_id(text),
                _ => None,
            };
            return Box::pin(self.over_rate(over, data, id)).await;
        }
        let text = match message {
            Incoming::Text(text) => text,
            Incoming::Binary => {
                self.error(
                    ErrorMsg::new(ErrorCode::BadMessage)
                        .with_message("Messages are JSON text frames."),
                );
                return Step::Go;
            }
            Incoming::Ping(payload) => {
                self.sink.outbox().push(&Frame::pong(&payload));
                return Step::Go;
            }
            // Any frame proves the peer alive.
            Incoming::Pong | Incoming::Close(_) => return Step::Go,
        };
        let Some(msg) = self.decode(&text) else {
            return Step::Go;
        };
        match (&self.joined, msg) {
            (None, ClientMsg::Hello { protocol, join }) => {
                if protocol != PROTOCOL_VERSION {
                    self.sink.close_with(ErrorCode::UnsupportedVersion);
                    return Step::Go;
                }
                // Joining awaits deep futures (room lookup, loading from the store) that are
                // done once; boxed, their size is not carried by every idle connection.
                match Box::pin(self.join(code, join)).await {
                    Ok((room, member, budget)) => {
                        self.joined = Some((room, member));
                        self.welcome_pending = true;
                        if let Some(budget) = budget {
                            self.budget = budget;
                        }
                        let silent_at = self.last_heard + self.hub.config().away_after;
                        self.timer.as_mut().reset(self.next_ping.min(silent_at));
                    }
                    // Refused with a fixable code: the socket stays for another hello.
                    Err(Some(code)) if code.close_code().is_none() => {}
                    // The refusal and its close frame are queued; the writer ends the socket.
                    Err(_) => {}
                }
                Step::Go
            }
            (None, msg) => {
                let mut error = ErrorMsg::new(ErrorCode::HelloRequired);
                if let ClientMsg::Command(envelope) = msg {
                    error.id = Some(envelope.id);
                }
                self.error(error);
                self.sink.push_close(ErrorCode::HelloRequired);
                Step::Go
            }
            (Some(_), ClientMsg::Hello { .. }) => {
                self.error(ErrorMsg::new(ErrorCode::AlreadyJoined));
                Step::Go
            }
            (Some(_), ClientMsg::Ping { t }) => {
                self.sink.send(&ServerMsg::Pong {
                    t,
                    server_time: now_ms(),
                });
                Step::Go
            }
            (Some(_), ClientMsg::Leave {}) => {
                self.left = true;
                Box::pin(self.close_handshake(Frame::close(1000, "leave"), CLOSE_WAIT)).await;
                Step::End
            }
            (Some(_), ClientMsg::Command(envelope)) => self.forward(envelope),
        }
    }

    /// A frame beyond the budget: refused (a data frame gets `rate_limited` and when to
    /// retry), or, after too many refusals in a row, the connection is closed for flooding and
    /// its member kept out for a while.
    async fn over_rate(&mut self, over: Over, data: bool, id: Option<String>) -> Step {
        let wait = match over {
            Over::Refuse(wait) => wait,
            Over::Flooding => {
                self.budget.lock().unwrap_or_else(|e| e.into_inner()).ban();
                self.hub.metrics().abusive_closes.inc();
                self.hub.metrics().reject(ErrorCode::Flooding);
                self.kill_now(ErrorCode::Flooding).await;
                return Step::End;
            }
        };
        if data {
            let mut error = ErrorMsg::new(ErrorCode::RateLimited);
            error.id = id;
            error.retry_after_ms = Some(wait.as_millis().max(1) as u64);
            self.error(error);
        }
        Step::Go
    }

    /// Hands a command to the room without waiting on its queue.
    fn forward(&mut self, envelope: CommandEnvelope) -> Step {
        let Some((room, member)) = &self.joined else {
            return Step::Go;
        };
        let Some(member) = *member else {
            self.error(ErrorMsg::new(ErrorCode::ReadOnly).with_id(envelope.id));
            return Step::Go;
        };
        if envelope.id.is_empty() || envelope.id.len() > MAX_COMMAND_ID_LEN {
            let mut error = ErrorMsg::new(ErrorCode::BadMessage)
                .with_message("The command id must be 1 to 64 characters.");
            error.field = Some("id".into());
            self.error(error);
            return Step::Go;
        }
        let id = envelope.id.clone();
        let msg = RoomMsg::Command {
            member,
            conn: self.sink.id,
            envelope,
        };
        match room.tx.try_send(msg) {
            Ok(()) => Step::Go,
            Err(mpsc::error::TrySendError::Full(_)) => {
                // The room is flooded: the client retries the same id later.
                let mut error = ErrorMsg::new(ErrorCode::RateLimited).with_id(id);
                error.retry_after_ms = Some(200);
                self.error(error);
                Step::Go
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                // The room is stopping (shutdown, another node took it): it closes this socket
                // itself in a moment, with the code that says why, after it has released the
                // room. Closing first would send the client to another node too early.
                let mut error = ErrorMsg::new(ErrorCode::StoreUnavailable).with_id(id);
                error.retry_after_ms = Some(500);
                self.error(error);
                Step::Go
            }
        }
    }

    /// `Err(Some(code))`: refused with `code` (already sent). `Err(None)`: connection over.
    async fn join(
        &mut self,
        code: Option<&RoomCode>,
        join: Join,
    ) -> Result<(RoomHandle, Option<MemberId>, Option<SharedBudget>), Option<ErrorCode>> {
        let started = Instant::now();
        // Only a join by code alone is kept out for its address's failures: a token is never
        // refused for where it comes from (a venue's other phones hold valid ones).
        let mut attempt = None;
        if matches!(join, Join::Member { .. }) {
            match self.hub.reserve_join(self.peer).await {
                Ok(reserved) => attempt = Some(reserved),
                Err(wait) => {
                    let mut error = ErrorMsg::new(ErrorCode::TooManyAttempts);
                    error.retry_after_ms = Some(wait.as_millis() as u64);
                    self.sink.send(&ServerMsg::Error(error));
                    self.sink.push_close(ErrorCode::TooManyAttempts);
                    return Err(None);
                }
            }
        }
        // What the failed-join limiter counts: the code as the path gave it (canonical, or
        // empty when it was no room code).
        let typed = code.map_or("", RoomCode::as_str);
        // A room can stop between lookup and join (unloaded while idle); look it up again.
        for _ in 0..3 {
            let room = match code {
                Some(code) => self.hub.room(code, self.unreachable.as_deref()).await,
                None => Ok(None),
            };
            let room = match room {
                Ok(Some(room)) => room,
                Ok(None) => {
                    self.hub.join_failed(self.peer, typed, attempt.take());
                    self.sink.close_with(ErrorCode::RoomNotFound);
                    sleep_until(started + FAILURE_FLOOR).await;
                    return Err(None);
                }
                Err(HubError::ShuttingDown) => {
                    self.sink.close_with(ErrorCode::ShuttingDown);
                    return Err(None);
                }
                // Another node serves the room: reconnecting reaches it (forwarded).
                Err(HubError::Moved(_)) => {
                    self.sink.close_with(ErrorCode::RoomMoved);
                    return Err(None);
                }
                Err(HubError::Store(e)) => {
                    tracing::warn!(error = %e, "room cannot be loaded now");
                    self.sink.close_with(ErrorCode::StoreUnavailable);
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
                peer: self.peer,
                conn: self.sink.clone(),
                reply,
            };
            if room.tx.send(msg).await.is_err() {
                continue;
            }
            match answer.await {
                Ok(Ok(joined)) => return Ok((room, joined.member, joined.budget)),
                Ok(Err(JoinError::Refused(code))) => {
                    // Unknown, locked and ended rooms and unknown tokens all arrive as this.
                    if code == ErrorCode::RoomNotFound {
                        self.hub.join_failed(self.peer, typed, attempt.take());
                        sleep_until(started + FAILURE_FLOOR).await;
                    }
                    if code.close_code().is_some() {
                        self.sink.push_close(code);
                    }
                    return Err(Some(code));
                }
                Ok(Err(JoinError::RoomGone)) | Err(_) => continue,
            }
        }
        self.sink.close_with(ErrorCode::Internal);
        Err(None)
    }

    fn decode(&self, text: &str) -> Option<ClientMsg> {
        match decode(text) {
            Ok(msg) => Some(msg),
            Err(mut error) => {
                // A client waits for an answer per command id; name it when it can be read.
                error.id = command_id(text);
                self.error(error);
                None
            }
        }
    }

    fn error(&self, error: ErrorMsg) {
        self.hub.metrics().reject(error.code);
        self.sink.send(&ServerMsg::Error(error));
    }
}

/// Parses a client frame, with an error that says what is wrong without echoing content.
pub fn decode(text: &str) -> Result<ClientMsg, ErrorMsg> {
    if text.len() > MAX_CLIENT_MESSAGE_BYTES {
        return Err(ErrorMsg::new(ErrorCode::MessageTooLarge));
    }
    // Most frames are valid: decoded without tracking the path, which only an error needs.
    if let Ok(msg) = serde_json::from_str::<ClientMsg>(text) {
        return Ok(msg);
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    let error = match serde_path_to_error::deserialize::<_, ClientMsg>(&mut *de) {
        // One message per frame: anything after it (another message, stray bytes) is refused
        // rather than ignored.
        Ok(msg) => {
            return de
                .end()
                .map(|()| msg)
                .map_err(|_| ErrorMsg::new(ErrorCode::BadJson));
        }
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
    // missing field (one of ours) completes it. An unknown field's name is the client's own
    // text and is not echoed.
    let mut field = (path != ".").then_some(path);
    if kind == "missing field"
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

/// The `id` of a command frame, read without decoding the rest (for refusals of frames that
/// did not decode or were not let through), if it has a readable one.
fn command_id(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Probe<'a> {
        #[serde(rename = "type", borrow)]
        kind: std::borrow::Cow<'a, str>,
        #[serde(default, borrow)]
        id: Option<std::borrow::Cow<'a, str>>,
    }
    if text.len() > MAX_CLIENT_MESSAGE_BYTES {
        return None;
    }
    let probe: Probe<'_> = serde_json::from_str(text).ok()?;
    if probe.kind != "command" {
        return None;
    }
    let id = probe.id?;
    (id.len() <= MAX_COMMAND_ID_LEN).then(|| id.into_owned())
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
        let err = decode(
            r#"{"type":"command","id":"a","command":{"kind":"raise_hand","SECRET-NAME":1}}"#,
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::BadMessage);
        assert!(err.message.contains("unknown field"), "{}", err.message);
        let shown = format!("{:?} {}", err.field, err.message);
        assert!(!shown.contains("SECRET"), "{shown}");
        // A missing field is one of ours, and named.
        let err = decode(r#"{"type":"command","command":{"kind":"raise_hand"}}"#).unwrap_err();
        assert!(
            err.field.as_deref().unwrap_or("").ends_with("id"),
            "{err:?}"
        );
        // Trailing data after the message.
        assert_eq!(
            decode(r#"{"type":"ping","t":1} {"type":"ping","t":2}"#)
                .unwrap_err()
                .code,
            ErrorCode::BadJson
        );
        assert_eq!(
            decode(r#"{"type":"ping","t":1}x"#).unwrap_err().code,
            ErrorCode::BadJson
        );
        assert!(decode("{\"type\":\"ping\",\"t\":1}\n").is_ok());
        let err = decode(
            r#"{"type":"command","id":"a","command":{"kind":"vote","item":"SECRET-CANARY"}}"#,
        )
        .unwrap_err();
        assert!(!err.message.contains("SECRET-CANARY"), "{}", err.message);
        let big = format!(r#"{{"type":"ping","t":1,"x":"{}"}}"#, "a".repeat(20_000));
        assert_eq!(decode(&big).unwrap_err().code, ErrorCode::MessageTooLarge);
    }
}
