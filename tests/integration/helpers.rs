//! Starting the real server on port 0 and talking to it with real WebSocket clients.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use kring_protocol::*;
use kring_server::Config;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for any single message before failing.
pub const WAIT: Duration = Duration::from_secs(10);

pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    pub http: reqwest::Client,
}

pub async fn spawn_app() -> TestServer {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestServer {
    let mut cfg = Config::for_tests();
    configure(&mut cfg);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    spawn_on(listener, cfg)
}

/// Starts the server on a listener bound by the caller (who may need its address in `cfg`).
pub fn spawn_on(listener: TcpListener, cfg: Config) -> TestServer {
    let addr = listener.local_addr().expect("local addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(kring_server::run(listener, cfg, async {
        let _ = stopped.await;
    }));
    TestServer {
        addr,
        stop: Some(stop),
        task: Some(task),
        http: crate::http_client::client(),
    }
}

impl TestServer {
    /// A handle on a server someone else started (for spawned tasks).
    pub fn attach(addr: SocketAddr) -> TestServer {
        TestServer {
            addr,
            stop: None,
            task: None,
            http: crate::http_client::client(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Starts a graceful shutdown and waits for the server to finish it.
    pub async fn shutdown(&mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await?,
            None => Ok(()),
        }
    }

    /// The body of a GET, as text (e.g. `/metrics`).
    pub async fn get_text(&self, path: &str) -> String {
        let response = self.http.get(self.url(path)).send().await.expect("GET");
        response.text().await.expect("a text body")
    }

    pub async fn create_session(&self, method: &str) -> SessionCreated {
        self.create(
            serde_json::json!({"method": method, "title": "Test session", "language": "en"}),
        )
        .await
    }

    pub async fn create(&self, body: serde_json::Value) -> SessionCreated {
        let response = self
            .http
            .post(self.url("/api/sessions"))
            .json(&body)
            .send()
            .await
            .expect("POST /api/sessions");
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
        response.json().await.expect("SessionCreated body")
    }

    pub async fn connect(&self, code: &str) -> Client {
        let url = format!("ws://{}/ws/{code}", self.addr);
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("connect");
        Client::new(ws)
    }

    pub async fn join(&self, session: &SessionCreated, name: &str) -> Client {
        let mut client = self.connect(&session.code).await;
        client.hello(Join::Member { name: name.into() }).await;
        client
    }

    pub async fn facilitator(&self, session: &SessionCreated) -> Client {
        let mut client = self.connect(&session.code).await;
        client
            .hello(Join::Facilitator {
                token: session.facilitator_token.clone(),
                name: "Facilitator".into(),
            })
            .await;
        client
    }

    /// A member coming back on a new socket with what it saw last.
    pub async fn resume(&self, session: &SessionCreated, old: &Client) -> Client {
        let mut client = self.connect(&session.code).await;
        client.last_seq = old.last_seq;
        client
            .hello(Join::Resume {
                token: old.token(),
                epoch: Some(old.epoch()),
                last_seq: Some(old.last_seq),
            })
            .await;
        client
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub welcome: Option<Welcome>,
    /// Every event received, in order.
    pub events: Vec<Sequenced>,
    pub last_seq: Seq,
    /// Size of the last text frame received, in bytes.
    pub last_frame_bytes: usize,
    next_id: u32,
}

impl Client {
    /// A client over a WebSocket the test set up itself (e.g. with special socket options).
    pub fn from_stream(ws: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Self {
        Client::new(ws)
    }

    fn new(ws: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Self {
        Client {
            ws,
            welcome: None,
            events: Vec::new(),
            last_seq: 0,
            last_frame_bytes: 0,
            next_id: 0,
        }
    }

    pub fn member(&self) -> MemberId {
        self.welcome
            .as_ref()
            .and_then(|w| w.member)
            .expect("joined as a member")
    }

    pub fn token(&self) -> String {
        self.welcome
            .as_ref()
            .and_then(|w| w.resume_token.clone())
            .expect("has a resume token")
    }

    pub fn epoch(&self) -> Epoch {
        self.welcome.as_ref().expect("joined").epoch
    }

    pub fn view(&self) -> &SessionView {
        self.welcome
            .as_ref()
            .and_then(|w| w.view.as_ref())
            .expect("welcome with a view")
    }

    /// The phase stamp of the current phase, from what this client saw.
    pub fn phase_seq(&self) -> Option<u32> {
        let from_events = self.events.iter().rev().find_map(|e| match e.event {
            Event::PhaseChanged { phase_seq, .. } => Some(phase_seq),
            _ => None,
        });
        from_events.or_else(|| {
            self.welcome
                .as_ref()
                .and_then(|w| w.view.as_ref())
                .and_then(|v| v.phase.as_ref())
                .map(|p| p.seq)
        })
    }

    pub async fn send(&mut self, msg: &ClientMsg) {
        let text = serde_json::to_string(msg).expect("serialise");
        self.send_raw(&text).await;
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.ws
            .send(Message::text(text.to_owned()))
            .await
            .expect("send");
    }

    /// Sends hello and waits for the welcome (or panics with the error).
    pub async fn hello(&mut self, join: Join) -> &Welcome {
        self.send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            join,
        })
        .await;
        match self.recv().await {
            ServerMsg::Welcome(w) => {
                // With a view the client starts at the room's sequence; without one, the
                // missed events follow and continue from what it saw.
                if w.view.is_some() {
                    self.last_seq = w.seq;
                }
                self.welcome = Some(w);
                self.welcome.as_ref().expect("just set")
            }
            other => panic!("expected welcome, got {other:?}"),
        }
    }

    /// The next message that is not a presence update; events are recorded.
    pub async fn recv(&mut self) -> ServerMsg {
        loop {
            let msg = self.recv_any().await;
            match msg {
                ServerMsg::Presence { .. } => continue,
                other => return other,
            }
        }
    }

    /// The next message of any kind; events are recorded.
    pub async fn recv_any(&mut self) -> ServerMsg {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("timed out waiting for a message")
                .expect("socket closed")
                .expect("socket error");
            match frame {
                Message::Text(text) => {
                    self.last_frame_bytes = text.len();
                    let msg: ServerMsg = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("bad server message {text}: {e}"));
                    if let ServerMsg::Event(e) = &msg {
                        assert_eq!(e.seq, self.last_seq + 1, "events arrive in order, no gaps");
                        self.last_seq = e.seq;
                        self.events.push(e.clone());
                    }
                    return msg;
                }
                Message::Close(frame) => panic!("socket closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Waits for the socket to close; returns the close frame.
    pub async fn closed(&mut self) -> Option<CloseFrame> {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("timed out waiting for close");
            match frame {
                None | Some(Err(_)) => return None,
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(Message::Text(text))) => {
                    if let Ok(ServerMsg::Event(e)) = serde_json::from_str::<ServerMsg>(&text) {
                        self.last_seq = e.seq;
                        self.events.push(e);
                    }
                }
                Some(Ok(_)) => {}
            }
        }
    }

    /// The next error message (skipping events).
    pub async fn error(&mut self) -> ErrorMsg {
        loop {
            match self.recv().await {
                ServerMsg::Error(e) => return e,
                ServerMsg::Event(_) => continue,
                other => panic!("expected an error, got {other:?}"),
            }
        }
    }

    pub fn fresh_id(&mut self) -> String {
        self.next_id += 1;
        format!("c{}", self.next_id)
    }

    /// Sends a command stamped with the current phase and waits for its ack or error.
    pub async fn command(&mut self, command: Command) -> Result<Ack, ErrorMsg> {
        let id = self.fresh_id();
        let phase = self.phase_seq();
        self.command_with(id, phase, command).await
    }

    pub async fn command_with(
        &mut self,
        id: String,
        phase: Option<u32>,
        command: Command,
    ) -> Result<Ack, ErrorMsg> {
        self.send(&ClientMsg::Command(CommandEnvelope {
            id: id.clone(),
            phase,
            command,
        }))
        .await;
        loop {
            match self.recv().await {
                ServerMsg::Ack(ack) if ack.id == id => return Ok(ack),
                ServerMsg::Error(e) if e.id.as_deref() == Some(&id) => return Err(e),
                ServerMsg::Event(_) => continue,
                other => panic!("unexpected while waiting for {id}: {other:?}"),
            }
        }
    }

    /// Reads events until one matches.
    pub async fn until_event(&mut self, pred: impl Fn(&Event) -> bool) -> Sequenced {
        loop {
            if let ServerMsg::Event(e) = self.recv().await
                && pred(&e.event)
            {
                return e;
            }
        }
    }

    /// Reads until the client has seen event `seq`.
    pub async fn catch_up(&mut self, seq: Seq) {
        while self.last_seq < seq {
            self.recv().await;
        }
    }

    /// Drops the TCP connection without a close handshake (a phone losing Wi-Fi).
    pub fn drop_connection(self) {
        drop(self.ws);
    }
}

pub fn question(text: &str) -> Command {
    Command::Submit {
        input: InputKind::Question,
        text: text.into(),
        reply_to: None,
        anonymous: false,
        confirm: false,
    }
}

pub fn submit(input: InputKind, text: &str) -> Command {
    Command::Submit {
        input,
        text: text.into(),
        reply_to: None,
        anonymous: false,
        confirm: false,
    }
}

/// The value of an unlabelled metric in `/metrics` text.
pub fn metric_value(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name}"))
        .trim()
        .parse()
        .unwrap()
}
