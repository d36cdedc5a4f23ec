//! One simulated member: a real WebSocket client that joins a room, sends the commands the
//! scheduler fires, checks that the events it receives are gap-free, and reports fan-out
//! latency per `(room, seq)`.
//!
//! Latency is measured from the moment the scheduler meant a command to be sent (open loop:
//! a late send counts against the server, not for it) to the moment each member of the room
//! received the resulting event. The sender learns the event's `seq` from its ack; members who
//! receive the event before that ack park their receive time with the room until it arrives.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{Instant, timeout};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{WebSocketStream, client_async_with_config};
use tokio_util::either::Either;

use kring_protocol::{Command, Epoch};

use crate::wire::{self, WelcomeHead};

/// A client's stream: plain TCP, or TLS for a server started with `--tls-cert`.
pub type Io = Either<TcpStream, TlsStream<TcpStream>>;
pub type Ws = WebSocketStream<Io>;

/// Loopback source addresses to spread client ports over (each has its own ~28k ports, and
/// kring's per-address limits count each as one host): 40 clients per address at 10,000.
const SOURCE_ADDRS: usize = 250;
/// Receive buffer of a client that never reads, so the server notices it soon.
const SLOW_RCVBUF: u32 = 4 * 1024;
const JOIN_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a dropped client keeps trying to come back.
const RESUME_DEADLINE: Duration = Duration::from_secs(20);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Counters shared by every client of one run.
pub struct Shared {
    pub addr: SocketAddr,
    /// Set when the server speaks TLS.
    pub tls: Option<TlsConnector>,
    /// Deliveries are counted only while this is set (the measurement window).
    pub counting: AtomicBool,
    pub deliveries: AtomicU64,
    pub bytes: AtomicU64,
    pub sent: AtomicU64,
    pub acks: AtomicU64,
    /// Events that skipped a sequence number, and events seen twice (must stay 0).
    pub gaps: AtomicU64,
    pub dups: AtomicU64,
    pub errors: Mutex<BTreeMap<String, u64>>,
    /// How sockets ended: a close code or `eof`.
    pub closes: Mutex<BTreeMap<String, u64>>,
    /// When a socket ends, resume instead of stopping.
    pub auto_resume: AtomicBool,
    /// Resumes answered with the missed events (`view: null`) or with a full view.
    pub replayed: AtomicU64,
    pub full_views: AtomicU64,
    pub resume_failed: AtomicU64,
    pub last_back: Mutex<Option<Instant>>,
    next_source: AtomicU64,
}

impl Shared {
    pub fn new(addr: SocketAddr) -> Arc<Shared> {
        Shared::with_tls(addr, None)
    }

    pub fn with_tls(addr: SocketAddr, tls: Option<TlsConnector>) -> Arc<Shared> {
        Arc::new(Shared {
            addr,
            tls,
            counting: AtomicBool::new(false),
            deliveries: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            acks: AtomicU64::new(0),
            gaps: AtomicU64::new(0),
            dups: AtomicU64::new(0),
            errors: Mutex::new(BTreeMap::new()),
            closes: Mutex::new(BTreeMap::new()),
            auto_resume: AtomicBool::new(false),
            replayed: AtomicU64::new(0),
            full_views: AtomicU64::new(0),
            resume_failed: AtomicU64::new(0),
            last_back: Mutex::new(None),
            next_source: AtomicU64::new(0),
        })
    }

    pub fn count(map: &Mutex<BTreeMap<String, u64>>, key: &str) {
        *lock(map).entry(key.to_owned()).or_default() += 1;
    }

    pub fn errors(&self) -> BTreeMap<String, u64> {
        lock(&self.errors).clone()
    }

    pub fn closes(&self) -> BTreeMap<String, u64> {
        lock(&self.closes).clone()
    }
}

/// What the members of one room share: the latency tracker and the questions to vote on.
pub struct RoomState {
    pub ws_path: String,
    /// Members who receive every event (the expected deliveries per event).
    pub members: usize,
    track: Mutex<Track>,
    items: Mutex<Vec<u64>>,
}

#[derive(Default)]
struct Track {
    pending: HashMap<u64, Entry>,
    latencies_us: Vec<u32>,
}

#[derive(Default)]
struct Entry {
    sent: Option<(Instant, bool)>,
    early: Vec<Instant>,
    got: u32,
}

fn micros(d: Duration) -> u32 {
    d.as_micros().min(u128::from(u32::MAX)) as u32
}

impl RoomState {
    pub fn new(ws_path: String, members: usize) -> Arc<RoomState> {
        Arc::new(RoomState {
            ws_path,
            members,
            track: Mutex::new(Track::default()),
            items: Mutex::new(Vec::new()),
        })
    }

    fn received(&self, seq: u64, at: Instant) {
        let mut t = lock(&self.track);
        let Track {
            pending,
            latencies_us,
        } = &mut *t;
        let e = pending.entry(seq).or_default();
        e.got += 1;
        match e.sent {
            Some((t0, record)) => {
                if record {
                    latencies_us.push(micros(at.saturating_duration_since(t0)));
                }
                if e.got as usize >= self.members {
                    pending.remove(&seq);
                }
            }
            None => e.early.push(at),
        }
    }

    fn acked(&self, seq: u64, t0: Instant, record: bool) {
        let mut t = lock(&self.track);
        let Track {
            pending,
            latencies_us,
        } = &mut *t;
        let e = pending.entry(seq).or_default();
        e.sent = Some((t0, record));
        for at in e.early.drain(..) {
            if record {
                latencies_us.push(micros(at.saturating_duration_since(t0)));
            }
        }
        if e.got as usize >= self.members {
            pending.remove(&seq);
        }
    }

    /// Takes the latencies recorded so far and forgets unmatched events.
    pub fn take_latencies(&self) -> Vec<u32> {
        let mut t = lock(&self.track);
        t.pending.clear();
        std::mem::take(&mut t.latencies_us)
    }

    fn add_item(&self, id: u64) {
        lock(&self.items).push(id);
    }

    /// A recent question this member has not voted on yet.
    fn votable(&self, voted: &HashSet<u64>) -> Option<u64> {
        let items = lock(&self.items);
        items
            .iter()
            .rev()
            .take(16)
            .find(|i| !voted.contains(i))
            .copied()
    }
}

/// Orders to a client task.
pub enum Ctl {
    /// Send the next command; it was due at `t0`. `record`: within the measurement window.
    Fire {
        t0: Instant,
        record: bool,
    },
    /// Drop the socket abruptly and resume at once (reconnect storm).
    Drop,
    /// A client that never read starts reading again: it takes what is buffered, sees how the
    /// server ended it, and resumes.
    Drain,
    Stop,
}

/// How a client joins.
pub enum JoinAs {
    Facilitator(String),
    Member(String),
}

/// How long a join took.
#[derive(Clone, Copy, Debug)]
pub struct JoinTimes {
    /// TCP connect, TLS and the WebSocket upgrade.
    pub connect: Duration,
    /// From sending the hello to receiving the welcome.
    pub hello: Duration,
}

/// The scheduler's end of one client.
pub struct Handle {
    pub tx: mpsc::UnboundedSender<Ctl>,
    pub slow: bool,
    pub last_seq: Arc<AtomicU64>,
}

pub struct Client {
    ws: Ws,
    shared: Arc<Shared>,
    room: Arc<RoomState>,
    /// The client that records the room's questions for everyone to vote on.
    recorder: bool,
    slow: bool,
    token: String,
    epoch: Option<Epoch>,
    last_seq: Arc<AtomicU64>,
    hand_up: bool,
    voted: HashSet<u64>,
    inflight: VecDeque<(u64, Instant, bool)>,
    next_cmd: u64,
}

/// What one server frame was, as far as the client cares.
enum Frame {
    Event,
    Reply(String),
    Other,
}

fn ws_config() -> WebSocketConfig {
    // The generator must stay cheap: small buffers, every frame written at once.
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(Some(16 << 20))
}

pub async fn open(shared: &Shared, path: &str, slow: bool) -> anyhow::Result<Ws> {
    let n = shared.next_source.fetch_add(1, Ordering::Relaxed) as usize % SOURCE_ADDRS;
    open_from(shared, path, slow, Ipv4Addr::new(127, 0, 1, 1 + n as u8)).await
}

/// Opens a socket from the loopback address `source` (the flood scenario's attacker is one
/// host, so kring's per-address limits see it as one).
pub async fn open_from(
    shared: &Shared,
    path: &str,
    slow: bool,
    source: Ipv4Addr,
) -> anyhow::Result<Ws> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((source, 0)))?;
    if slow {
        socket.set_recv_buffer_size(SLOW_RCVBUF)?;
    }
    let stream = socket.connect(shared.addr).await?;
    stream.set_nodelay(true)?;
    let (url, io) = match &shared.tls {
        Some(connector) => (
            format!("wss://localhost:{}{}", shared.addr.port(), path),
            Either::Right(crate::tls::connect(connector, stream).await?),
        ),
        None => (
            format!("ws://{}{}", shared.addr, path),
            Either::Left(stream),
        ),
    };
    let (ws, _) = client_async_with_config(url, io, Some(ws_config())).await?;
    Ok(ws)
}

/// Comes back on `ws` as the member holding `token`; counts whether the welcome replayed the
/// missed events or carried a full view, and returns it.
pub async fn resume(
    ws: &mut Ws,
    shared: &Shared,
    token: &str,
    epoch: Option<Epoch>,
    last_seq: u64,
) -> anyhow::Result<WelcomeHead> {
    let hello = wire::hello(wire::resume(token, epoch, last_seq));
    ws.send(Message::text(hello)).await?;
    let welcome = timeout(JOIN_TIMEOUT, welcome(ws))
        .await
        .context("no welcome in time")??;
    let counter = if welcome.full_view() {
        &shared.full_views
    } else {
        &shared.replayed
    };
    counter.fetch_add(1, Ordering::Relaxed);
    Ok(welcome)
}

pub fn number_after(text: &str, key: &str) -> Option<u64> {
    let start = text.find(key)? + key.len();
    let digits: &str = &text[start..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

pub fn string_after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let start = text.find(key)? + key.len();
    let rest = &text[start..];
    Some(&rest[..rest.find('"')?])
}

const SCENES: [&str; 8] = [
    "the team meeting went quiet after you shared the plan",
    "your manager moved the deadline without asking you",
    "the client called you directly on a Sunday evening",
    "a colleague took over the conversation with the parents",
    "you noticed you were the only one who kept the notes",
    "the new intern asked for help for the third time that day",
    "the budget discussion turned into a discussion about trust",
    "you decided to say nothing in the evaluation",
];

const ASKS: [&str; 6] = [
    "What did you notice in yourself when",
    "How did you feel at the moment when",
    "What did you hope would happen after",
    "What was going through your mind when",
    "Who else was affected when",
    "What did you do in the first minute after",
];

/// A realistic open question of 60 to 250 characters (a command frame of about 170 to 450
/// bytes).
pub fn question_text(n: u64) -> String {
    let ask = ASKS[fastrand::usize(..ASKS.len())];
    let scene = SCENES[fastrand::usize(..SCENES.len())];
    let mut text = format!("{ask} {scene}?");
    if fastrand::bool() {
        text.push_str(" And what would you want the others to understand about that moment?");
    }
    if fastrand::u8(..4) == 0 {
        text.push_str(" I am asking because it sounds like it mattered a lot to you.");
    }
    text.push_str(&format!(" (#{n})"));
    text
}

/// A question whose text depends on `n` only: the same run after run (instruction counts).
pub fn question_text_fixed(n: u64) -> String {
    let ask = ASKS[(n % ASKS.len() as u64) as usize];
    let scene = SCENES[(n / 3 % SCENES.len() as u64) as usize];
    format!("{ask} {scene}? (#{n})")
}

impl Client {
    /// Connects and joins; returns once the welcome has arrived.
    pub async fn join(
        shared: Arc<Shared>,
        room: Arc<RoomState>,
        join: JoinAs,
        recorder: bool,
        slow: bool,
    ) -> anyhow::Result<Client> {
        Ok(Client::join_timed(shared, room, join, recorder, slow)
            .await?
            .0)
    }

    /// [`Client::join`], also returning how long the connection (TCP, TLS, upgrade) and the
    /// hello (sent until the welcome arrived) took.
    pub async fn join_timed(
        shared: Arc<Shared>,
        room: Arc<RoomState>,
        join: JoinAs,
        recorder: bool,
        slow: bool,
    ) -> anyhow::Result<(Client, JoinTimes)> {
        let began = Instant::now();
        let mut ws = open(&shared, &room.ws_path, slow).await?;
        let connected = Instant::now();
        let join = match join {
            JoinAs::Facilitator(token) => wire::facilitator(token),
            JoinAs::Member(name) => wire::member(name),
        };
        ws.send(Message::text(wire::hello(join))).await?;
        let welcome = timeout(JOIN_TIMEOUT, welcome(&mut ws))
            .await
            .context("no welcome in time")??;
        let times = JoinTimes {
            connect: connected.duration_since(began),
            hello: connected.elapsed(),
        };
        let client = Client {
            ws,
            shared,
            room,
            recorder,
            slow,
            token: welcome
                .resume_token
                .context("welcome without resume token")?,
            epoch: Some(welcome.epoch),
            last_seq: Arc::new(AtomicU64::new(welcome.seq)),
            hand_up: false,
            voted: HashSet::new(),
            inflight: VecDeque::new(),
            next_cmd: 1,
        };
        Ok((client, times))
    }

    /// Sends a command and reads until its ack (setup only, before the client runs).
    pub async fn request(&mut self, id: &str, command: Command) -> anyhow::Result<()> {
        self.ws
            .send(Message::text(wire::command(id, command)))
            .await?;
        loop {
            let next = timeout(JOIN_TIMEOUT, self.ws.next())
                .await
                .context("no reply in time")?;
            match next {
                Some(Ok(Message::Text(text))) => {
                    if let Frame::Reply(text) = self.on_frame(&text, Instant::now())
                        && text.contains(&format!("\"id\":\"{id}\""))
                    {
                        if text.starts_with("{\"type\":\"error\"") {
                            bail!("command refused: {text}");
                        }
                        return Ok(());
                    }
                }
                Some(Ok(_)) => {}
                _ => bail!("socket closed during setup"),
            }
        }
    }

    /// Starts the client's task and returns the scheduler's handle to it.
    pub fn spawn(self) -> Handle {
        let (tx, rx) = mpsc::unbounded_channel();
        let handle = Handle {
            tx,
            slow: self.slow,
            last_seq: self.last_seq.clone(),
        };
        tokio::spawn(self.run(rx));
        handle
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Ctl>) {
        loop {
            if self.slow {
                // Never reads: the server must notice and drop it without slowing the room.
                match rx.recv().await {
                    Some(Ctl::Drain) => {
                        self.slow = false;
                        self.drain().await;
                        if self.resume().await.is_err() {
                            return;
                        }
                    }
                    Some(Ctl::Stop) | None => return,
                    Some(_) => {}
                }
                continue;
            }
            tokio::select! {
                ctl = rx.recv() => match ctl {
                    Some(Ctl::Fire { t0, record }) => self.fire(t0, record).await,
                    Some(Ctl::Drop) => {
                        if self.resume().await.is_err() {
                            return;
                        }
                    }
                    Some(Ctl::Drain) => {}
                    Some(Ctl::Stop) | None => return,
                },
                msg = self.ws.next() => {
                    let ended = match msg {
                        Some(Ok(Message::Text(text))) => {
                            self.on_frame(&text, Instant::now());
                            None
                        }
                        Some(Ok(Message::Close(frame))) => Some(
                            frame.map_or_else(|| "close".to_owned(), |f| u16::from(f.code).to_string()),
                        ),
                        Some(Ok(_)) => None,
                        Some(Err(_)) | None => Some("eof".to_owned()),
                    };
                    if let Some(how) = ended {
                        Shared::count(&self.shared.closes, &how);
                        if !self.shared.auto_resume.load(Ordering::Relaxed) || self.resume().await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    }

    /// Reads whatever the server managed to send before it ended this socket.
    async fn drain(&mut self) {
        loop {
            match timeout(Duration::from_secs(3), self.ws.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => {
                    self.on_frame(&text, Instant::now());
                }
                Ok(Some(Ok(Message::Close(frame)))) => {
                    let how =
                        frame.map_or_else(|| "close".to_owned(), |f| u16::from(f.code).to_string());
                    Shared::count(&self.shared.closes, &format!("slow:{how}"));
                    return;
                }
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(_)) | None) => {
                    Shared::count(&self.shared.closes, "slow:eof");
                    return;
                }
                Err(_) => {
                    Shared::count(&self.shared.closes, "slow:still-open");
                    return;
                }
            }
        }
    }

    /// Reconnects with the resume token and the last sequence seen, retrying while the server
    /// is away (restart).
    async fn resume(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + RESUME_DEADLINE;
        // Commands in flight on the old socket may or may not have been applied.
        self.inflight.clear();
        let mut attempt = 0u32;
        loop {
            match self.try_resume().await {
                Ok(()) => {
                    let now = Instant::now();
                    let mut last = lock(&self.shared.last_back);
                    *last = Some(last.map_or(now, |l| l.max(now)));
                    return Ok(());
                }
                Err(e) if Instant::now() >= deadline => {
                    self.shared.resume_failed.fetch_add(1, Ordering::Relaxed);
                    return Err(e);
                }
                Err(e) => {
                    if attempt == 0 {
                        let what = format!("{e:#}");
                        let what: String = what.chars().take(60).collect();
                        Shared::count(&self.shared.closes, &format!("resume-retry:{what}"));
                    }
                    // Back off while the server is away, without hammering its port.
                    let wait = (10u64 << attempt.min(5)).min(200) + fastrand::u64(..30);
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                }
            }
        }
    }

    async fn try_resume(&mut self) -> anyhow::Result<()> {
        let mut ws = open(&self.shared, &self.room.ws_path, false).await?;
        let last = self.last_seq.load(Ordering::Relaxed);
        let welcome = resume(&mut ws, &self.shared, &self.token, self.epoch, last).await?;
        if welcome.full_view() {
            // Too far behind (or another epoch): a full view, and events from its seq on.
            self.epoch = Some(welcome.epoch);
            self.last_seq.store(welcome.seq, Ordering::Relaxed);
        }
        let old = std::mem::replace(&mut self.ws, ws);
        drop(old);
        Ok(())
    }

    async fn fire(&mut self, t0: Instant, record: bool) {
        let n = self.next_cmd;
        self.next_cmd += 1;
        let pick = fastrand::u8(..100);
        let command = if pick >= 70 {
            self.hand_up = !self.hand_up;
            if self.hand_up {
                Command::RaiseHand {}
            } else {
                Command::LowerHand {}
            }
        } else if let Some(item) = (pick >= 40)
            .then(|| self.room.votable(&self.voted))
            .flatten()
        {
            self.voted.insert(item);
            wire::vote(item)
        } else {
            wire::question(question_text(n))
        };
        let msg = wire::command(format!("c{n}"), command);
        self.inflight.push_back((n, t0, record));
        if self.ws.send(Message::text(msg)).await.is_ok() {
            self.shared.sent.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn on_frame(&mut self, text: &str, at: Instant) -> Frame {
        const EVENT: &str = r#"{"type":"event","seq":"#;
        if text.starts_with(EVENT) {
            let Some(seq) = number_after(text, EVENT) else {
                return Frame::Other;
            };
            let last = self.last_seq.load(Ordering::Relaxed);
            if seq <= last {
                self.shared.dups.fetch_add(1, Ordering::Relaxed);
                return Frame::Event;
            }
            if seq != last + 1 {
                self.shared
                    .gaps
                    .fetch_add(seq - last - 1, Ordering::Relaxed);
            }
            self.last_seq.store(seq, Ordering::Relaxed);
            if self.shared.counting.load(Ordering::Relaxed) {
                self.shared.deliveries.fetch_add(1, Ordering::Relaxed);
                self.shared
                    .bytes
                    .fetch_add(text.len() as u64, Ordering::Relaxed);
            }
            self.room.received(seq, at);
            if self.recorder
                && let Some(item) = number_after(text, r#""kind":"item_added","item":{"id":"#)
            {
                self.room.add_item(item);
            }
            return Frame::Event;
        }
        let ack = text.starts_with(r#"{"type":"ack""#);
        let error = !ack && text.starts_with(r#"{"type":"error""#);
        if !ack && !error {
            return Frame::Other;
        }
        if error {
            let code = string_after(text, r#""code":""#).unwrap_or("?");
            Shared::count(&self.shared.errors, code);
        }
        if let Some(n) = number_after(text, r#""id":"c"#) {
            while let Some(&(m, t0, record)) = self.inflight.front() {
                if m > n {
                    break;
                }
                self.inflight.pop_front();
                if m == n && ack {
                    self.shared.acks.fetch_add(1, Ordering::Relaxed);
                    if let Some(seq) = number_after(text, r#""seq":"#) {
                        self.room.acked(seq, t0, record);
                    }
                }
            }
        }
        Frame::Reply(text.to_owned())
    }
}

/// Reads frames until the welcome; fails on an error or a close.
pub async fn welcome(ws: &mut Ws) -> anyhow::Result<WelcomeHead> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                if text.starts_with(r#"{"type":"welcome""#) {
                    return WelcomeHead::parse(&text);
                }
                if text.starts_with(r#"{"type":"error""#) {
                    bail!(
                        "join refused: {}",
                        string_after(&text, r#""code":""#).unwrap_or("?")
                    );
                }
            }
            Some(Ok(Message::Close(_))) | None => bail!("closed before welcome"),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_parsed_without_a_json_parser() {
        let ev = r#"{"type":"event","seq":42,"at":1,"event":{"kind":"item_added","item":{"id":7,"kind":"question"}}}"#;
        assert_eq!(number_after(ev, r#"{"type":"event","seq":"#), Some(42));
        assert_eq!(
            number_after(ev, r#""kind":"item_added","item":{"id":"#),
            Some(7)
        );
        let err = r#"{"type":"error","id":"c9","code":"vote_limit","category":"fix"}"#;
        assert_eq!(number_after(err, r#""id":"c"#), Some(9));
        assert_eq!(string_after(err, r#""code":""#), Some("vote_limit"));
    }

    #[test]
    fn questions_are_realistic_sizes() {
        for n in 0..200 {
            let q = question_text(n);
            assert!((40..=300).contains(&q.len()), "{q}");
            assert!(q.starts_with("What") || q.starts_with("How") || q.starts_with("Who"));
        }
    }

    #[test]
    fn latency_is_matched_whichever_comes_first() {
        let room = RoomState::new("/ws/x".into(), 2);
        let t0 = Instant::now();
        room.received(1, t0 + Duration::from_millis(3));
        room.acked(1, t0, true);
        room.received(1, t0 + Duration::from_millis(5));
        let mut l = room.take_latencies();
        l.sort();
        assert_eq!(l, vec![3000, 5000]);
    }
}
