//! Random sessions over real sockets: a facilitator, a case-bringer, participants and the
//! shared screen send random commands (valid ones, and invalid ones on purpose: wrong roles,
//! stale phase stamps, unknown items, over-long text, malformed frames, retries) in a random
//! method, moving through its phases. Throughout and afterwards:
//!
//! * every client sees the same gap-free history, and the speaker queue never holds anyone
//!   twice;
//! * every command gets its ack or an error with a documented code, and a refused one changes
//!   nothing;
//! * what a client can know (its welcome view and the events after it, applied by the engine)
//!   is what the room shows a client that joins afresh;
//! * the room still answers, and the server shuts down cleanly.

mod fold;
mod steps;

use std::sync::LazyLock;

use kring_engine::{Viewer, permissions};
use kring_protocol::*;
use proptest::prelude::*;

use crate::helpers::*;
use fold::{Fold, Mine};
use steps::{Choice, FACILITATOR, Garbage, NAMES, SCREEN, Stamp, Step, Targets, method, step};

/// Every code the engine documents refusing a command or a join with (its crate docs).
static DOCUMENTED: LazyLock<Vec<ErrorCode>> = LazyLock::new(|| {
    let docs = include_str!("../../engine/src/lib.rs");
    let rejections = docs
        .split("# Rejections")
        .nth(1)
        .and_then(|rest| rest.split("The rules are split").next())
        .expect("the engine documents its rejections");
    ErrorCode::ALL
        .iter()
        .copied()
        .filter(|code| rejections.contains(&format!("`{}`", code.as_str())))
        .collect()
});

/// What a command must get.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    AckOrRefusal,
    Refusal,
    Code(ErrorCode),
}

struct Room {
    server: TestServer,
    session: SessionCreated,
    screen: Client,
    fold: Fold,
    /// By client index; `None` once removed.
    clients: Vec<Option<Client>>,
    members: Vec<MemberId>,
    tokens: Vec<String>,
    welcomed_at: Vec<Seq>,
    mine: Vec<Mine>,
    last_acked: Vec<Option<(CommandEnvelope, Ack)>>,
}

impl Room {
    async fn open(method: &str) -> Room {
        // Each step is a message; the per-connection budget is not what is tested here.
        let server = spawn_with(|cfg| cfg.message_burst = 1000).await;
        let session = server.create_session(method).await;
        // The screen joins first, so it receives the room's whole history as events.
        let mut screen = server.connect(&session.code).await;
        let token = session.screen_token.clone();
        screen.hello(Join::Screen { token }).await;
        let mut room = Room {
            fold: Fold::new(screen.view()),
            screen,
            clients: Vec::new(),
            members: Vec::new(),
            tokens: Vec::new(),
            welcomed_at: Vec::new(),
            mine: Vec::new(),
            last_acked: Vec::new(),
            server,
            session,
        };
        let facilitator = room.server.facilitator(&room.session).await;
        room.admit(facilitator).await;
        for name in NAMES {
            let member = room.server.join(&room.session, name).await;
            room.admit(member).await;
        }
        room.sync().await;
        room
    }

    /// A new member's welcome view must be what the history so far shows it.
    async fn admit(&mut self, client: Client) {
        let welcome = client.welcome.clone().expect("welcomed");
        self.screen_up_to(welcome.seq).await;
        let expected = self.fold.view(welcome.member, &Mine::default());
        assert_eq!(client.view(), &expected, "a welcome view");
        assert_eq!(welcome.role, expected.me.role);
        self.members.push(client.member());
        self.tokens.push(client.token());
        self.welcomed_at.push(welcome.seq);
        self.clients.push(Some(client));
        self.mine.push(Mine::default());
        self.last_acked.push(None);
    }

    async fn screen_up_to(&mut self, seq: Seq) {
        self.screen.catch_up(seq).await;
        for e in &self.screen.events[self.fold.seq() as usize..] {
            self.fold.apply(e);
        }
    }

    fn client(&mut self, actor: usize) -> Option<&mut Client> {
        match actor {
            SCREEN => Some(&mut self.screen),
            i => self.clients[i].as_mut(),
        }
    }

    async fn run(&mut self, step: &Step) {
        match step {
            Step::Command {
                actor,
                choice,
                stamp,
            } => {
                let actor = match choice {
                    Choice::Submit { steer: true, .. } => self.contributor(*actor),
                    _ => *actor,
                };
                let (command, invalid) = self.targets(actor).command(choice);
                self.command(actor, command, *stamp, invalid).await;
            }
            Step::Retry { actor } => self.retry(*actor).await,
            Step::Garbage { actor, frame } => self.garbage(*actor, *frame).await,
        }
        self.sync().await;
    }

    /// The first member from `actor` on who may submit something in this phase.
    fn contributor(&self, actor: usize) -> usize {
        let members = self.clients.len();
        (actor..actor + members)
            .map(|i| i % members)
            .find(|i| self.clients[*i].is_some() && !self.targets(*i).allowed.is_empty())
            .unwrap_or(actor)
    }

    fn targets(&self, actor: usize) -> Targets {
        let session = self.fold.session();
        let view = session.view(Viewer::Screen);
        let items: Vec<ItemId> = view.items.iter().map(|i| i.id).collect();
        let allowed = match (session.current_phase(), self.members.get(actor)) {
            (Some((index, _)), Some(member)) => {
                let phase = &view.method.phases[usize::from(index)];
                let role = session.member_role(*member).unwrap_or(Role::Screen);
                permissions::allowed(phase, role).to_vec()
            }
            _ => Vec::new(),
        };
        let mut members = [MemberId(777); 6];
        members[..self.members.len()].copy_from_slice(&self.members);
        Targets {
            members,
            items,
            allowed,
        }
    }

    async fn command(&mut self, actor: usize, command: Command, stamp: Stamp, invalid: bool) {
        let session = self.fold.session();
        let current = session.current_phase().map(|(_, seq)| seq);
        let stamp = match stamp {
            Stamp::Current => current,
            Stamp::Absent => None,
            Stamp::Stale(off) => Some(current.unwrap_or(1).wrapping_add_signed(off.into())),
        };
        // A stamp of a closed phase, or one from the future (made up by the client).
        let stamp_order = stamp.zip(current).map(|(s, c)| s.cmp(&c));
        let expect = expectation(session, actor, &command, invalid, stamp_order);
        let Some(client) = self.client(actor) else {
            return;
        };
        let before = client.events.len();
        let id = client.fresh_id();
        let result = client
            .command_with(id.clone(), stamp, command.clone())
            .await;
        let during = &client.events[before..];
        match result {
            Ok(ack) => {
                assert_eq!(expect, Expect::AckOrRefusal, "{} accepted", command.name());
                assert!(
                    during.iter().any(|e| !is_timer(&e.event)),
                    "{} accepted without events",
                    command.name()
                );
                assert_eq!(ack.seq, client.last_seq, "the ack follows its events");
                self.mine[actor].accepted(&command, &ack);
                let envelope = CommandEnvelope {
                    id,
                    phase: stamp,
                    command,
                };
                self.last_acked[actor] = Some((envelope, ack));
            }
            Err(error) => {
                refusal(&error, &id, expect, command.name());
                // A warning adds nothing but its content-free tally.
                let tally =
                    Warning::of_code(error.code).map(|warning| Event::WarningShown { warning });
                assert!(
                    during
                        .iter()
                        .all(|e| is_timer(&e.event) || Some(&e.event) == tally.as_ref()),
                    "refused {} changed the room",
                    command.name()
                );
            }
        }
    }

    /// The same command with the same id: the same ack, and nothing happens again.
    async fn retry(&mut self, actor: usize) {
        let Some((envelope, ack)) = self.last_acked[actor].clone() else {
            return;
        };
        let Some(client) = self.client(actor) else {
            return;
        };
        let before = client.events.len();
        let CommandEnvelope { id, phase, command } = envelope;
        let again = client.command_with(id, phase, command).await;
        assert_eq!(again, Ok(ack), "a retry is acknowledged as before");
        let during = &client.events[before..];
        assert!(
            during.iter().all(|e| is_timer(&e.event)),
            "a retry did more"
        );
    }

    async fn garbage(&mut self, actor: usize, frame: Garbage) {
        let Some(client) = self.client(actor) else {
            return;
        };
        let before = client.events.len();
        let names_command = matches!(frame, Garbage::UnknownField);
        let expected = match frame {
            Garbage::NotJson => {
                client.send_raw("{nope").await;
                Some(ErrorCode::BadJson)
            }
            Garbage::UnknownType => {
                client.send_raw(r#"{"type":"shout"}"#).await;
                Some(ErrorCode::UnknownType)
            }
            Garbage::UnknownField => {
                let frame = r#"{"type":"command","id":"g","command":{"kind":"pass","loud":1}}"#;
                client.send_raw(frame).await;
                Some(ErrorCode::BadMessage)
            }
            Garbage::SecondHello => {
                let join = Join::Member {
                    name: "Again".into(),
                };
                let protocol = PROTOCOL_VERSION;
                client.send(&ClientMsg::Hello { protocol, join }).await;
                Some(ErrorCode::AlreadyJoined)
            }
            Garbage::Ping => {
                client.send(&ClientMsg::Ping { t: Some(7) }).await;
                None
            }
        };
        let reply = loop {
            match client.recv().await {
                ServerMsg::Event(_) => continue,
                reply => break reply,
            }
        };
        match (expected, reply) {
            (Some(code), ServerMsg::Error(error)) => {
                assert_eq!(error.code, code);
                // A command that does not decode is still named, when its id can be read.
                let id = names_command.then(|| "g".to_owned());
                assert_eq!(error.id, id, "names the command it is about");
                assert_eq!(error.category, code.category());
            }
            (None, ServerMsg::Pong { t, .. }) => assert_eq!(t, Some(7)),
            (expected, reply) => panic!("expected {expected:?}, got {reply:?}"),
        }
        let during = &client.events[before..];
        assert!(
            during.iter().all(|e| is_timer(&e.event)),
            "garbage did something"
        );
    }

    /// Everyone reads up to the latest event anyone saw; removed members' sockets close.
    async fn sync(&mut self) {
        let live = self.clients.iter().flatten();
        let seq = live
            .map(|c| c.last_seq)
            .fold(self.screen.last_seq, Seq::max);
        let from = self.fold.seq() as usize;
        self.screen_up_to(seq).await;
        let removed: Vec<MemberId> = self.screen.events[from..]
            .iter()
            .filter_map(|e| match e.event {
                Event::MemberRemoved { member } => Some(member),
                _ => None,
            })
            .collect();
        for member in removed {
            let index = self.index_of(member);
            let mut client = self.clients[index].take().expect("removed once");
            let frame = client.closed().await.expect("a close frame");
            assert_eq!(u16::from(frame.code), 4403, "closed as removed");
            self.same_history(&client, index);
        }
        for client in self.clients.iter_mut().flatten() {
            client.catch_up(seq).await;
        }
    }

    fn index_of(&self, member: MemberId) -> usize {
        let index = self.members.iter().position(|m| *m == member);
        index.expect("a member of the test")
    }

    /// A client's events are the screen's, from its welcome on.
    fn same_history(&self, client: &Client, index: usize) {
        let from = self.welcomed_at[index] as usize;
        let to = client.last_seq as usize;
        assert_eq!(
            client.events,
            self.screen.events[from..to],
            "client {index} saw another history"
        );
    }

    /// Every client against a fresh welcome; then the room and the server must still work.
    async fn close(mut self) {
        self.sync().await;
        let mut fresh_clients = Vec::new();
        for index in 0..self.clients.len() {
            match self.clients[index].take() {
                Some(old) => fresh_clients.push(self.rejoin(old, index).await),
                None => self.refused_after_removal(index).await,
            }
        }
        let mut screen = self.server.connect(&self.session.code).await;
        let token = self.session.screen_token.clone();
        screen.hello(Join::Screen { token }).await;
        self.screen_up_to(screen.welcome.as_ref().expect("welcomed").seq)
            .await;
        let expected = self.fold.view(None, &Mine::default());
        assert_eq!(screen.view(), &expected, "the screen's view");

        for client in &mut fresh_clients {
            client.send(&ClientMsg::Ping { t: Some(1) }).await;
            while !matches!(client.recv().await, ServerMsg::Pong { .. }) {}
        }
        let health = self.server.http.get(self.server.url("/healthz")).send();
        assert!(health.await.expect("GET /healthz").status().is_success());
        self.server.shutdown().await.expect("a clean shutdown");
    }

    /// Joins again for a full view, which must be what the client could know.
    async fn rejoin(&mut self, mut old: Client, index: usize) -> Client {
        self.same_history(&old, index);
        let mut fresh = self.server.connect(&self.session.code).await;
        let join = Join::Resume {
            token: old.token(),
            epoch: None,
            last_seq: None,
        };
        fresh.hello(join).await;
        let seq = fresh.welcome.as_ref().expect("welcomed").seq;
        self.screen_up_to(seq).await;
        let expected = self.fold.view(Some(self.members[index]), &self.mine[index]);
        assert_eq!(fresh.view(), &expected, "what client {index} knows");
        let frame = old.closed().await.expect("a close frame");
        assert_eq!(u16::from(frame.code), 4409, "taken over");
        fresh
    }

    /// A removed member's token no longer opens the room.
    async fn refused_after_removal(&mut self, index: usize) {
        let mut client = self.server.connect(&self.session.code).await;
        let join = Join::Resume {
            token: self.tokens[index].clone(),
            epoch: None,
            last_seq: None,
        };
        let protocol = PROTOCOL_VERSION;
        client.send(&ClientMsg::Hello { protocol, join }).await;
        match client.recv().await {
            // Answered as an unknown token is: like an unknown room.
            ServerMsg::Error(error) => assert_eq!(error.code, ErrorCode::RoomNotFound),
            other => panic!("a removed member resumed: {other:?}"),
        }
    }
}

fn is_timer(event: &Event) -> bool {
    matches!(event, Event::TimeUp { .. })
}

fn expectation(
    session: &kring_engine::Session,
    actor: usize,
    command: &Command,
    invalid: bool,
    stamp_order: Option<std::cmp::Ordering>,
) -> Expect {
    let status = session.status();
    let running = status == SessionStatus::Running;
    if actor == SCREEN {
        Expect::Code(ErrorCode::ReadOnly)
    } else if status == SessionStatus::Ended {
        Expect::Code(ErrorCode::SessionEnded)
    } else if permissions::facilitator_only(command) && actor != FACILITATOR {
        Expect::Code(ErrorCode::NotFacilitator)
    } else if running && matches!(command, Command::StartSession {}) {
        Expect::Code(ErrorCode::AlreadyStarted)
    } else if running && stamp_order == Some(std::cmp::Ordering::Less) {
        Expect::Code(ErrorCode::PhaseClosed)
    } else if running && stamp_order == Some(std::cmp::Ordering::Greater) {
        Expect::Code(ErrorCode::InvalidValue)
    } else if invalid {
        Expect::Refusal
    } else {
        Expect::AckOrRefusal
    }
}

fn refusal(error: &ErrorMsg, id: &str, expect: Expect, name: &str) {
    assert_eq!(
        error.id.as_deref(),
        Some(id),
        "{name}: the refusal names the command"
    );
    assert_eq!(error.category, error.code.category());
    match expect {
        Expect::Code(code) => assert_eq!(error.code, code, "{name}"),
        Expect::Refusal | Expect::AckOrRefusal => assert!(
            DOCUMENTED.contains(&error.code),
            "{name} refused with the undocumented {}",
            error.code
        ),
    }
}

async fn run(method: &str, case_bringer: bool, start: bool, steps: Vec<Step>) {
    let mut room = Room::open(method).await;
    let setup = [
        case_bringer.then_some(Choice::SetCaseBringer(Some(1))),
        start.then_some(Choice::StartSession),
    ];
    for choice in setup.into_iter().flatten() {
        let step = Step::Command {
            actor: FACILITATOR,
            choice,
            stamp: Stamp::Current,
        };
        room.run(&step).await;
    }
    for step in &steps {
        room.run(step).await;
    }
    room.close().await;
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 32,
        failure_persistence: None,
        // A stuck room costs a whole wait per try: keep a failure's report within minutes.
        max_shrink_iters: 64,
        max_shrink_time: 120_000,
        ..ProptestConfig::default()
    })]

    /// Random commands from random members in a random method keep every client in step with
    /// the room (see the module documentation for everything checked).
    #[test]
    fn random_commands_keep_every_client_in_step_with_the_room(
        method in method(),
        case_bringer in proptest::bool::weighted(0.8),
        start in proptest::bool::weighted(0.9),
        steps in prop::collection::vec(step(), 12..=36),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(run(method, case_bringer, start, steps));
    }
}
