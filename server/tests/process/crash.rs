//! Killed with SIGKILL under a stream of submissions, again and again: after every restart each
//! acknowledged submission is in the journal exactly once, sequences have no gaps, and the
//! database passes `PRAGMA integrity_check`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use kring_protocol::*;
use sqlx::{Connection, Row, SqliteConnection};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::*;
use crate::server::{Kring, free_port};

const ROOMS: usize = 3;
const MEMBERS_PER_ROOM: usize = 4;
const KILLS: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_submissions_survive_sigkill_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let flags = [
        "--submit-limit",
        "100000/1s",
        "--message-rate",
        "100000/1s",
        "--log",
        "warn",
    ];
    let mut kring = Kring::start(dir.path(), port, &flags).await;

    let mut sessions = Vec::new();
    for _ in 0..ROOMS {
        let server = kring.client();
        let session = server.create_session("basic").await;
        let mut f = server.facilitator(&session).await;
        f.command(Command::StartSession {}).await.unwrap();
        sessions.push(session);
    }

    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for (r, session) in sessions.iter().enumerate() {
        for m in 0..MEMBERS_PER_ROOM {
            writers.push(tokio::spawn(writer(
                kring.addr,
                session.code.clone(),
                format!("r{r}m{m}"),
                acked.clone(),
                stop.clone(),
            )));
        }
    }

    for cycle in 0..KILLS {
        tokio::time::sleep(Duration::from_millis(400 + 150 * cycle as u64)).await;
        kring.kill();
        let acked_now = acked.lock().unwrap().clone();
        assert!(
            !acked_now.is_empty(),
            "writers made progress before kill {cycle}"
        );
        verify_journal(&dir.path().join("kring.db"), &acked_now).await;
        kring = Kring::start(dir.path(), port, &flags).await;
    }

    // Let the writers resume and get a few more through, then stop them.
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let acked_all = acked.lock().unwrap().clone();

    // The restarted server serves exactly what was acknowledged, once.
    let server = kring.client();
    let mut served: HashMap<String, usize> = HashMap::new();
    for session in &sessions {
        let mut screen = server.connect(&session.code).await;
        let welcome = screen
            .hello(Join::Screen {
                token: session.facilitator_token.clone(),
            })
            .await
            .clone();
        for item in welcome.view.unwrap().items {
            *served
                .entry(item.text.map(String::from).unwrap_or_default())
                .or_default() += 1;
        }
    }
    for text in &acked_all {
        assert_eq!(
            served.get(text),
            Some(&1),
            "{text} served {:?} times",
            served.get(text)
        );
    }
    kring.terminate();
    verify_journal(&dir.path().join("kring.db"), &acked_all).await;
    assert!(
        acked_all.len() > 50,
        "only {} submissions were acknowledged",
        acked_all.len()
    );
}

/// Reads the journal straight from the database file while no server runs.
async fn verify_journal(db: &Path, acked: &[String]) {
    let url = format!("sqlite://{}?mode=rw", db.display());
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    let check: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(check, "ok");

    let rows = sqlx::query("SELECT room, seq, json FROM events ORDER BY room, seq")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let mut last: HashMap<String, i64> = HashMap::new();
    let mut texts: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let room: String = row.get(0);
        let seq: i64 = row.get(1);
        let json: String = row.get(2);
        let expected = last.get(&room).map_or(1, |s| s + 1);
        assert_eq!(seq, expected, "room {room}: sequence gap");
        last.insert(room, seq);
        if let Event::ItemAdded { item } = serde_json::from_str::<Event>(&json).unwrap()
            && let Some(text) = item.text
        {
            *texts.entry(text.into_string()).or_default() += 1;
        }
    }
    for (text, count) in &texts {
        assert_eq!(*count, 1, "{text} recorded {count} times");
    }
    for text in acked {
        assert_eq!(texts.get(text), Some(&1), "acknowledged {text} is missing");
    }
    conn.close().await.unwrap();
}

/// One member submitting case proposals back to back. Survives the server dying: reconnects,
/// resumes with its token, and resends an unacknowledged command with the same id.
async fn writer(
    addr: SocketAddr,
    code: String,
    base: String,
    acked: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
) {
    let url = format!("ws://{addr}/ws/{code}");
    let mut token: Option<String> = None;
    let mut n = 0u32;
    let mut pending: Option<String> = None;
    // A member may add only so many items; then the writer carries on as a new member.
    let mut generation = 0u32;
    let mut name = base.clone();
    let mut made_by_this_member = 0u32;
    while !stop.load(Ordering::Relaxed) {
        let Ok((mut ws, _)) = tokio_tungstenite::connect_async(&url).await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let join = match &token {
            Some(token) => Join::Resume {
                token: token.clone(),
                epoch: None,
                last_seq: None,
            },
            None => Join::Member { name: name.clone() },
        };
        let hello = ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            join,
        };
        if ws
            .send(Message::text(serde_json::to_string(&hello).unwrap()))
            .await
            .is_err()
        {
            continue;
        }
        match next_msg(&mut ws).await {
            Some(ServerMsg::Welcome(w)) => token = w.resume_token.or(token),
            // The room holds as many members as it may: this writer is done.
            Some(ServerMsg::Error(e)) if e.code == ErrorCode::RoomFull => return,
            // An earlier join under this name was committed, but the server was killed before
            // its welcome arrived: that member is someone else now, carry on as a new one.
            Some(ServerMsg::Error(e)) if e.code == ErrorCode::NameTaken && token.is_none() => {
                generation += 1;
                name = format!("{base}g{generation}");
                made_by_this_member = 0;
                continue;
            }
            Some(ServerMsg::Error(e)) => panic!("{name}: refused: {:?}", e.code),
            _ => continue,
        }
        'socket: while !stop.load(Ordering::Relaxed) {
            let text = pending
                .get_or_insert_with(|| {
                    n += 1;
                    format!("{name}-{n}")
                })
                .clone();
            let msg = ClientMsg::Command(CommandEnvelope {
                id: text.clone(),
                phase: None,
                command: submit(InputKind::Case, &text),
            });
            if ws
                .send(Message::text(serde_json::to_string(&msg).unwrap()))
                .await
                .is_err()
            {
                break 'socket;
            }
            loop {
                match next_msg(&mut ws).await {
                    Some(ServerMsg::Ack(ack)) if ack.id == text => {
                        acked.lock().unwrap().push(text);
                        pending = None;
                        made_by_this_member += 1;
                        break;
                    }
                    Some(ServerMsg::Error(e)) if e.code == ErrorCode::LimitReached => {
                        // Refused for good, so never recorded: continue as a new member, unless
                        // the room itself is full.
                        if made_by_this_member == 0 {
                            return;
                        }
                        pending = None;
                        token = None;
                        generation += 1;
                        name = format!("{base}g{generation}");
                        made_by_this_member = 0;
                        break 'socket;
                    }
                    Some(ServerMsg::Error(e)) if e.category == Category::Retry => break 'socket,
                    Some(ServerMsg::Error(e)) => panic!("{name}: {text} refused: {:?}", e.code),
                    Some(_) => continue,
                    None => break 'socket,
                }
            }
        }
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next server message, or `None` when the socket is gone.
async fn next_msg(ws: &mut Ws) -> Option<ServerMsg> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).ok(),
            Ok(Some(Ok(Message::Close(_)))) | Ok(Some(Err(_))) | Ok(None) | Err(_) => return None,
            Ok(Some(Ok(_))) => continue,
        }
    }
}
