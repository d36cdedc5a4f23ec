//! Members of the rooms under load: each submits case proposals at a steady pace through the
//! load balancer, one at a time, and keeps its own record of everything it saw. A member
//! survives its node going away: it notices a dead socket (no frame for a while), reconnects
//! with its resume token and last sequence, and sends an unacknowledged command again with
//! the same id, as the browser app does.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use kring_protocol::*;
use tokio::time::{Instant, sleep, timeout};
use tokio_tungstenite::tungstenite::Message;

/// No frame for this long: the socket is dead (the member pings every 2 s).
const DEAD_AFTER: Duration = Duration::from_secs(6);
/// A welcome may take this long: a node taking over a room from a node that died waits for
/// that node's lease to run out (up to the ttl) before it answers.
const WELCOME_WITHIN: Duration = Duration::from_secs(15);
const PING_EVERY: Duration = Duration::from_secs(2);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// What one member saw and did.
#[derive(Default)]
pub struct Record {
    pub name: String,
    pub room: String,
    pub connected: bool,
    /// When the current outage began (the socket was lost), if it is not over.
    pub lost_at: Option<Instant>,
    /// Outages: (lost, back).
    pub outages: Vec<(Instant, Instant)>,
    /// Welcomes that carried a full view after a resume (the replay could not cover the gap).
    pub full_views: u32,
    /// Event sequence numbers that did not follow the last one.
    pub gaps: Vec<(Seq, Seq)>,
    /// Close codes and error codes the member got.
    pub closes: Vec<u16>,
    pub errors: Vec<(Instant, ErrorCode)>,
    /// Every event seen: (seq, kind, text of an added item).
    pub events: Vec<(Seq, &'static str, Option<String>)>,
    /// Acknowledged submissions: (text, first sent, acknowledged).
    pub acked: Vec<(String, Instant, Instant)>,
    /// Commands sent and not (yet) acknowledged.
    pub pending: Option<String>,
    /// Fatal refusals (the session ended for this member, removed, ...).
    pub fatal: Vec<ErrorCode>,
    /// Connection attempts and how they ended, for a report on what went wrong.
    pub attempts: Vec<(Instant, &'static str)>,
}

pub type Shared = Arc<Mutex<Record>>;

pub struct Member {
    pub record: Shared,
    /// The member's task: it ends after `stop`, once its socket is closed. Nothing it sees
    /// after that can be recorded, which is what lets the journal be compared with the records.
    pub task: tokio::task::JoinHandle<()>,
}

/// Starts a member of room `code` (canonical) who submits every `every`.
pub fn spawn(
    lb: String,
    code: String,
    name: String,
    every: Duration,
    offset: Duration,
    stop: Arc<AtomicBool>,
) -> Member {
    let record = Arc::new(Mutex::new(Record {
        name: name.clone(),
        room: code.clone(),
        ..Record::default()
    }));
    let task = tokio::spawn(run(lb, code, name, every, offset, stop, record.clone()));
    Member { record, task }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct State {
    token: Option<String>,
    epoch: Option<Epoch>,
    last_seq: Seq,
    phase: Option<u32>,
    n: u32,
    /// The unacknowledged command: (id, text, first sent).
    pending: Option<(String, String, Instant)>,
    next_submit: Instant,
}

async fn run(
    lb: String,
    code: String,
    name: String,
    every: Duration,
    offset: Duration,
    stop: Arc<AtomicBool>,
    record: Shared,
) {
    let url = format!("ws://{lb}/ws/{code}");
    let mut st = State {
        token: None,
        epoch: None,
        last_seq: 0,
        phase: None,
        n: 0,
        pending: None,
        next_submit: Instant::now() + offset,
    };
    let mut attempt = 0u32;
    while !stop.load(Ordering::Relaxed) {
        let connected = timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(&url)).await;
        let mut ws = match connected {
            Ok(Ok((ws, _))) => ws,
            Ok(Err(_)) => {
                record
                    .lock()
                    .unwrap()
                    .attempts
                    .push((Instant::now(), "refused"));
                attempt += 1;
                backoff(attempt).await;
                continue;
            }
            Err(_) => {
                record
                    .lock()
                    .unwrap()
                    .attempts
                    .push((Instant::now(), "connect timeout"));
                attempt += 1;
                backoff(attempt).await;
                continue;
            }
        };
        record
            .lock()
            .unwrap()
            .attempts
            .push((Instant::now(), "connected"));
        match session(&mut ws, &name, every, &stop, &mut st, &record).await {
            End::Stop => {
                let _ = timeout(Duration::from_secs(2), ws.close(None)).await;
                return;
            }
            End::Fatal => return,
            End::Lost => {
                let mut r = record.lock().unwrap();
                if r.connected {
                    r.connected = false;
                    r.lost_at = Some(Instant::now());
                }
                attempt = 1;
            }
        }
        backoff(attempt).await;
    }
}

/// Full-jitter backoff from 100 ms, as the app does (with a smaller base).
async fn backoff(attempt: u32) {
    let cap = 100u64 << attempt.min(4);
    sleep(Duration::from_millis(fastrand_u64(cap))).await;
}

fn fastrand_u64(below: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(below);
    h.finish() % below.max(1)
}

enum End {
    Stop,
    Lost,
    Fatal,
}

async fn send(ws: &mut Ws, msg: &ClientMsg) -> bool {
    let text = serde_json::to_string(msg).expect("serialise");
    timeout(Duration::from_secs(5), ws.send(Message::text(text)))
        .await
        .is_ok_and(|r| r.is_ok())
}

async fn session(
    ws: &mut Ws,
    name: &str,
    every: Duration,
    stop: &AtomicBool,
    st: &mut State,
    record: &Shared,
) -> End {
    let join = match &st.token {
        Some(token) => Join::Resume {
            token: token.clone(),
            epoch: st.epoch,
            last_seq: Some(st.last_seq),
        },
        None => Join::Member {
            name: name.to_owned(),
        },
    };
    if !send(
        ws,
        &ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            join,
        },
    )
    .await
    {
        return End::Lost;
    }
    let mut heard = Instant::now();
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut welcomed = false;
    loop {
        if stop.load(Ordering::Relaxed) {
            return End::Stop;
        }
        let submit_at = if welcomed && st.pending.is_none() {
            st.next_submit
        } else {
            Instant::now() + Duration::from_secs(3600)
        };
        tokio::select! {
            frame = ws.next() => {
                heard = Instant::now();
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(frame))) => {
                        let code = frame.map_or(1005, |f| u16::from(f.code));
                        let mut r = record.lock().unwrap();
                        r.closes.push(code);
                        r.attempts.push((Instant::now(), "closed"));
                        drop(r);
                        if (4400..5000).contains(&code) {
                            return End::Fatal;
                        }
                        return End::Lost;
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(_)) | None => {
                        record.lock().unwrap().attempts.push((Instant::now(), "dropped"));
                        return End::Lost;
                    }
                };
                let Ok(msg) = serde_json::from_str::<ServerMsg>(&text) else { continue };
                match msg {
                    ServerMsg::Welcome(w) => {
                        welcomed = true;
                        record.lock().unwrap().attempts.push((Instant::now(), "welcome"));
                        let resumed = st.token.is_some();
                        st.token = w.resume_token.clone().or(st.token.take());
                        st.epoch = Some(w.epoch);
                        {
                            let mut r = record.lock().unwrap();
                            if let Some(view) = &w.view {
                                if resumed {
                                    r.full_views += 1;
                                }
                                st.last_seq = w.seq;
                                st.phase = view.phase.as_ref().map(|p| p.seq);
                            }
                            r.connected = true;
                            if let Some(lost) = r.lost_at.take() {
                                r.outages.push((lost, Instant::now()));
                            }
                        }
                        // The command that was not acknowledged goes again, same id (not once
                        // the run is over: nobody would be left to see it).
                        if stop.load(Ordering::Relaxed) {
                            return End::Stop;
                        }
                        if let Some((id, text, _)) = &st.pending {
                            let command = submission(id, text, st.phase);
                            if !send(ws, &command).await {
                                return End::Lost;
                            }
                        }
                    }
                    ServerMsg::Event(e) => {
                        let mut r = record.lock().unwrap();
                        if e.seq != st.last_seq + 1 {
                            r.gaps.push((st.last_seq, e.seq));
                        }
                        st.last_seq = e.seq;
                        if let Event::PhaseChanged { phase_seq, .. } = &e.event {
                            st.phase = Some(*phase_seq);
                        }
                        let text = match &e.event {
                            Event::ItemAdded { item } => item.text.clone().map(String::from),
                            _ => None,
                        };
                        r.events.push((e.seq, e.event.name(), text));
                    }
                    ServerMsg::Ack(ack) => {
                        if let Some((id, text, sent)) = st.pending.take() {
                            if ack.id == id {
                                let mut r = record.lock().unwrap();
                                r.acked.push((text, sent, Instant::now()));
                                r.pending = None;
                                st.next_submit = Instant::now() + every;
                            } else {
                                st.pending = Some((id, text, sent));
                            }
                        }
                    }
                    ServerMsg::Error(e) => {
                        record.lock().unwrap().errors.push((Instant::now(), e.code));
                        match e.category {
                            // Sent again (same id) after the wait.
                            Category::Retry if e.id.is_some() => {
                                let wait = Duration::from_millis(e.retry_after_ms.unwrap_or(500));
                                sleep(wait).await;
                                if let Some((id, text, _)) = &st.pending {
                                    let command = submission(id, text, st.phase);
                                    if !send(ws, &command).await {
                                        return End::Lost;
                                    }
                                }
                            }
                            Category::Fatal => {
                                record.lock().unwrap().fatal.push(e.code);
                            }
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            _ = ping.tick() => {
                let limit = if welcomed { DEAD_AFTER } else { WELCOME_WITHIN };
                if heard.elapsed() >= limit {
                    let why = if welcomed { "silent" } else { "no welcome" };
                    record.lock().unwrap().attempts.push((Instant::now(), why));
                    return End::Lost;
                }
                if welcomed && !send(ws, &ClientMsg::Ping { t: None }).await {
                    return End::Lost;
                }
            }
            _ = tokio::time::sleep_until(submit_at) => {
                st.n += 1;
                let id = format!("{name}-{}", st.n);
                let text = id.clone();
                let command = submission(&id, &text, st.phase);
                st.pending = Some((id, text.clone(), Instant::now()));
                record.lock().unwrap().pending = Some(text);
                if !send(ws, &command).await {
                    return End::Lost;
                }
            }
        }
    }
}

fn submission(id: &str, text: &str, phase: Option<u32>) -> ClientMsg {
    ClientMsg::Command(CommandEnvelope {
        id: id.to_owned(),
        phase,
        command: Command::Submit {
            input: InputKind::Case,
            text: text.into(),
            reply_to: None,
            anonymous: false,
            confirm: false,
        },
    })
}
