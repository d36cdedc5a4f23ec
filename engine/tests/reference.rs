//! Generates the example sections of `docs/PROTOCOL.md` from a reference meeting driven through
//! the engine, and fails when the checked-in document is stale or misses a message, command or
//! event of the protocol.
//!
//! Every example is what the server would send or accept: commands are decided by the engine,
//! events are the public form the room broadcasts, and every JSON example is parsed back into
//! its type and must serialise to the same bytes. Regenerate with
//! `KRING_UPDATE_DOCS=1 cargo test -p kring-engine --test reference`.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

use common::*;
use kring_engine::{SessionParams, Viewer, permissions};
use kring_protocol::{
    Ack, ClientMsg, Command, CommandEnvelope, ErrorCode, ErrorMsg, Event, InputKind, ItemId, Join,
    MemberId, PROTOCOL_VERSION, Reaction, Role, Sequenced, ServerMsg, SessionSettings, Temperature,
    TriageStatus, Welcome,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// One accepted command as the reference meeting saw it.
struct CommandExample {
    who: String,
    phase: String,
    envelope: String,
    events: Vec<String>,
    ack: String,
}

/// Drives a room and keeps the first example of everything it sees.
struct Reference {
    room: Room,
    names: BTreeMap<MemberId, String>,
    next_id: u32,
    commands: BTreeMap<&'static str, CommandExample>,
    events: BTreeMap<&'static str, String>,
    /// By the code's place in the error table.
    errors: BTreeMap<usize, (ErrorCode, String, String)>,
}

/// Serialises `value` on one line, checking that it parses back into the same value and bytes.
fn wire<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) -> String {
    let json = serde_json::to_string(value).expect("serialises");
    let back: T = serde_json::from_str(&json).expect("the example parses into its type");
    assert_eq!(&back, value, "round trip of {json}");
    assert_eq!(serde_json::to_string(&back).expect("serialises"), json);
    json
}

/// Like [`wire`], pretty-printed, for the larger messages.
fn wire_pretty<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) -> String {
    wire(value);
    serde_json::to_string_pretty(value).expect("serialises")
}

impl Reference {
    fn new(method: &str) -> Reference {
        // A room code as the server makes them: nine characters.
        // A group that keeps its carry-over, so a commitment can be carried.
        let room = Room::with_params(SessionParams {
            code: kring_protocol::RoomCode::parse("K7M3QX9PA").expect("a room code"),
            settings: SessionSettings {
                keep_for_group: true,
                ..SessionSettings::default()
            },
            ..params(method)
        });
        let mut names = BTreeMap::new();
        names.insert(room.f, "Fenna (facilitator)".to_owned());
        let mut reference = Reference {
            room,
            names,
            next_id: 0,
            commands: BTreeMap::new(),
            events: BTreeMap::new(),
            errors: BTreeMap::new(),
        };
        let journal: Vec<_> = reference.room.journal.clone();
        for (seq, at, event) in &journal {
            reference.keep_event(*seq, *at, event);
        }
        reference
    }

    fn join(&mut self, name: &str) -> MemberId {
        let from = self.room.journal.len();
        let member = self.room.join(name);
        self.names.insert(member, name.to_owned());
        self.keep_journal_from(from);
        member
    }

    /// Applies events the room makes on its own (presence, the clock).
    fn room_events(&mut self, events: &[Event]) {
        assert!(!events.is_empty());
        let from = self.room.journal.len();
        self.room.apply(events);
        self.keep_journal_from(from);
    }

    fn keep_journal_from(&mut self, from: usize) {
        let new: Vec<_> = self.room.journal[from..].to_vec();
        for (seq, at, event) in &new {
            self.keep_event(*seq, *at, event);
        }
    }

    fn keep_event(&mut self, seq: u64, at: u64, event: &Event) -> String {
        let msg = ServerMsg::Event(Sequenced {
            seq,
            at,
            event: event.to_public(),
        });
        let json = wire(&msg);
        self.events
            .entry(event.name())
            .or_insert_with(|| json.clone());
        json
    }

    fn phase_name(&self) -> String {
        match self.room.s.current_phase() {
            None => "lobby".to_owned(),
            Some((index, _)) => {
                let phase = &self.room.s.method().phases[usize::from(index)];
                let round = self.room.s.case_round();
                if round == 0 {
                    format!("`{}` (phase {index})", phase.id)
                } else {
                    format!("`{}` (phase {index} of case round {round})", phase.id)
                }
            }
        }
    }

    fn envelope(&mut self, command: Command) -> CommandEnvelope {
        self.next_id += 1;
        CommandEnvelope {
            id: format!("c{}", self.next_id),
            phase: self.room.s.current_phase().map(|(_, seq)| seq),
            command,
        }
    }

    /// Sends a command that must be accepted; returns the item a submit made.
    #[track_caller]
    fn ok(&mut self, actor: MemberId, command: Command) -> Option<ItemId> {
        let envelope = self.envelope(command);
        let name = envelope.command.name();
        let phase = self.phase_name();
        let from = self.room.journal.len();
        let decision = match self
            .room
            .run(actor, envelope.command.clone(), envelope.phase)
        {
            Ok(d) => d,
            Err(r) => panic!("{name} refused: {:?}", r.code),
        };
        let new: Vec<_> = self.room.journal[from..].to_vec();
        let events: Vec<String> = new
            .iter()
            .map(|(seq, at, event)| self.keep_event(*seq, *at, event))
            .collect();
        let ack = ServerMsg::Ack(Ack {
            id: envelope.id.clone(),
            seq: self.room.s.seq(),
            item: decision.item,
        });
        let example = CommandExample {
            who: self.names[&actor].clone(),
            phase,
            envelope: wire(&ClientMsg::Command(envelope)),
            events,
            ack: wire(&ack),
        };
        self.commands.entry(name).or_insert(example);
        decision.item
    }

    /// Sends a command that must be refused with `code`, keeping the error as an example.
    #[track_caller]
    fn refused(&mut self, actor: MemberId, command: Command, stamp: Option<u32>, code: ErrorCode) {
        let mut envelope = self.envelope(command);
        envelope.phase = stamp.or(envelope.phase);
        let from = self.room.journal.len();
        let rejection = self
            .room
            .run(actor, envelope.command.clone(), envelope.phase)
            .expect_err("refused");
        assert_eq!(rejection.code, code);
        // A warning records its content-free tally although the command is refused.
        let recorded: Vec<_> = self.room.journal[from..].to_vec();
        for (seq, at, event) in &recorded {
            self.keep_event(*seq, *at, event);
        }
        let error = ServerMsg::Error(rejection.into_error_msg().with_id(envelope.id.clone()));
        let place = ErrorCode::ALL
            .iter()
            .position(|c| *c == code)
            .expect("in the table");
        let example = (code, wire(&ClientMsg::Command(envelope)), wire(&error));
        self.errors.entry(place).or_insert(example);
    }

    fn submit(&mut self, actor: MemberId, kind: InputKind, text: &str) -> ItemId {
        self.ok(actor, submit(kind, text))
            .expect("submit makes an item")
    }

    fn stamp(&self) -> u32 {
        self.room.stamp()
    }
}

/// The reference meeting: the basic model from lobby to end, with every command the method
/// can use, then a few commands of other methods.
fn reference_meeting() -> (Reference, Welcomes) {
    let mut r = Reference::new("basic");
    let f = r.room.f;
    let carla = r.join("Carla");
    let piet = r.join("Piet");
    let anna = r.join("Anna");
    let bram = r.join("Bram");
    let welcome_new = welcome_for(&r, piet, true);

    // Lobby: set-up commands.
    r.ok(
        piet,
        Command::Rename {
            name: "Piet K.".into(),
        },
    );
    r.ok(f, Command::LockRoom { locked: true });
    r.ok(f, Command::LockRoom { locked: false });
    r.ok(
        f,
        Command::SetRole {
            member: anna,
            role: Role::NoteTaker,
        },
    );
    r.ok(
        f,
        Command::SetRole {
            member: anna,
            role: Role::Participant,
        },
    );
    r.refused(
        piet,
        submit(InputKind::Case, "Een casus"),
        None,
        ErrorCode::NotStarted,
    );
    r.refused(
        piet,
        Command::StartSession {},
        None,
        ErrorCode::NotFacilitator,
    );
    r.ok(f, Command::StartSession {});

    // 0. Case inventory: proposals, dots, the floor in free turns.
    let carla_case = r.submit(carla, InputKind::Case, "Een ouder die mij steeds passeert.");
    let bram_case = r.submit(bram, InputKind::Case, "Te veel vergaderingen.");
    r.ok(anna, Command::Vote { item: bram_case });
    r.ok(anna, Command::Unvote { item: bram_case });
    for voter in [carla, piet, anna, bram] {
        r.ok(voter, Command::Vote { item: carla_case });
    }
    // The dot counts are shown once everyone has voted.
    r.ok(f, Command::RevealVotes {});
    r.refused(
        piet,
        submit(InputKind::Advice, "Zeg gewoon nee."),
        None,
        ErrorCode::PhaseForbids,
    );
    r.ok(piet, Command::RaiseHand {});
    r.ok(piet, Command::LowerHand {});
    r.ok(bram, Command::RaiseHand {});
    r.ok(f, Command::NextSpeaker {});
    r.ok(f, Command::EndFloor {});
    r.ok(f, Command::GiveFloor { member: carla });
    r.ok(f, Command::EndFloor {});
    r.ok(
        f,
        Command::KeepCase {
            case: bram_case,
            keep: true,
        },
    );
    r.ok(
        f,
        Command::ChooseCase {
            case: carla_case,
            keep_others: true,
        },
    );

    // 1. The case-bringer tells the case; moving back and forth between phases.
    let inventory_stamp = r.stamp();
    r.ok(f, Command::NextPhase {});
    r.refused(
        piet,
        submit(InputKind::Case, "Nog een casus"),
        Some(inventory_stamp),
        ErrorCode::PhaseClosed,
    );
    r.submit(
        carla,
        InputKind::Statement,
        "Een moeder mailt de directie over elk cijfer.",
    );
    r.ok(f, Command::PrevPhase {});
    r.ok(f, Command::GotoPhase { index: 2 });
    let statement_seq = r.room.s.seq();

    // 2. Exploring: a round of open questions.
    let q1 = r.submit(
        piet,
        InputKind::Question,
        "Wat gebeurde er bij het eerste mailtje?",
    );
    r.ok(carla, answer(q1, "Ik heb het doorgestuurd."));
    r.refused(
        anna,
        submit(
            InputKind::Question,
            "Heb je al eens geprobeerd haar te bellen?",
        ),
        None,
        ErrorCode::AdviceLikeQuestion,
    );
    r.refused(
        bram,
        submit(InputKind::Question, "Je moet haar gewoon terugbellen."),
        None,
        ErrorCode::AdviceLikeStatement,
    );
    r.refused(
        bram,
        submit(InputKind::Question, "Wat een lastige moeder."),
        None,
        ErrorCode::NotAQuestion,
    );
    // Anna sends her question anyway.
    r.ok(
        anna,
        Command::Submit {
            input: InputKind::Question,
            text: "Heb je al eens geprobeerd haar te bellen?".into(),
            reply_to: None,
            anonymous: false,
            confirm: true,
        },
    );
    r.ok(anna, Command::Vote { item: q1 });
    r.ok(
        carla,
        Command::Triage {
            item: q1,
            status: TriageStatus::Answered,
        },
    );
    // How the question touches her is her own business: the others get an empty event.
    r.ok(
        carla,
        Command::React {
            item: q1,
            reaction: Reaction {
                temperature: Temperature::Warm,
                useful: false,
            },
        },
    );
    let oops = r.submit(piet, InputKind::Question, "Hoe oud is de leerling?");
    r.ok(piet, Command::Withdraw { item: oops });
    r.ok(f, Command::NextSpeaker {});
    r.ok(anna, Command::Pass {});
    r.ok(f, Command::SkipSpeaker { member: bram });
    r.ok(f, Command::StartRound {});
    let q2 = r.submit(anna, InputKind::Question, "Wat raakt je hierin het meest?");
    r.ok(
        f,
        Command::HideItem {
            item: q2,
            hidden: true,
        },
    );
    r.ok(
        f,
        Command::HideItem {
            item: q2,
            hidden: false,
        },
    );
    r.ok(f, Command::ExtendTimer { seconds: 300 });
    // The clock paused for a break, set to ten minutes, running again; two minutes a turn.
    r.ok(f, Command::PauseTimer { paused: true });
    r.ok(f, Command::SetTimer { seconds: 600 });
    r.ok(f, Command::PauseTimer { paused: false });
    r.ok(f, Command::SetTurnLimit { seconds: Some(120) });
    // Bram's phone loses its connection past the turn grace, then comes back (the room, not a
    // command, produces these events).
    r.room.s.set_online(bram, false);
    let left = r.room.s.left_turns_at(bram, r.room.now);
    r.room_events(&left);
    r.room.s.set_online(bram, true);
    let back = r.room.s.rejoined_turns(bram);
    r.room_events(&back);
    r.room.now = r.room.s.next_deadline().expect("a time box");
    let time_up = r.room.s.tick(r.room.now);
    r.room_events(&time_up);
    let welcome_resume = welcome_resume_for(&r, anna, statement_seq);

    // 3. The core: analyses and the key question, proposed by the group and chosen by the
    // case-bringer, who speaks last in this round (the facilitator changes the order).
    r.ok(f, Command::NextPhase {});
    r.refused(
        piet,
        submit(
            InputKind::Analysis,
            "Ik denk dat ze bang is; ze moet de moeder een grens stellen.",
        ),
        None,
        ErrorCode::AdviceInAnalysis,
    );
    r.submit(piet, InputKind::Analysis, "Het gaat om grenzen stellen.");
    let proposal = r.submit(
        piet,
        InputKind::KeyQuestion,
        "Hoe blijf ik in gesprek met de moeder?",
    );
    r.ok(carla, Command::ChooseKeyQuestion { item: proposal });
    r.submit(
        carla,
        InputKind::KeyQuestion,
        "Hoe stel ik een grens zonder de relatie te schaden?",
    );
    let pending = r.room.view(f).round.expect("a round");
    let mut order: Vec<MemberId> = pending
        .order
        .iter()
        .filter(|m| !pending.done.contains(m))
        .copied()
        .collect();
    order.reverse();
    r.ok(f, Command::ReorderRound { order });

    // 4. Advice, with the case-bringer's reactions.
    r.ok(f, Command::NextPhase {});
    let advice = r.submit(
        bram,
        InputKind::Advice,
        "Plan een vast overlegmoment met de moeder.",
    );
    r.ok(carla, Command::ShareReactions { shared: true });
    r.ok(
        carla,
        Command::React {
            item: advice,
            reaction: Reaction {
                temperature: Temperature::None,
                useful: true,
            },
        },
    );
    r.ok(
        f,
        Command::SetCoFacilitator {
            member: anna,
            on: true,
        },
    );

    // 5. Evaluation: the commitment she takes to the group's next meeting, the process
    // evaluation (its public event is a count), and a second case in the same meeting, in
    // which Piet listens and keeps his notepad.
    r.ok(anna, Command::NextPhase {});
    let commitment = r.submit(
        carla,
        InputKind::Commitment,
        "Ik plan maandag een gesprek met de moeder.",
    );
    r.ok(
        carla,
        Command::CarryCommitment {
            item: commitment,
            carry: true,
        },
    );
    r.submit(anna, InputKind::Reflection, "Goede, open vragen vandaag.");
    r.ok(
        piet,
        Command::RateProcess {
            scores: vec![5, 4, 5, 4],
            remark: Some("Fijn tempo.".into()),
        },
    );
    r.ok(f, Command::RemoveMember { member: bram });
    // Someone who joined and left: the facilitator clears everyone offline at once.
    let eva = r.join("Eva");
    r.room.s.set_online(eva, false);
    r.ok(f, Command::RemoveOffline {});
    // Someone unwelcome: removed, and the link no longer lets anyone in.
    let dirk = r.join("Dirk");
    r.ok(f, Command::RemoveAndLock { member: dirk });
    r.ok(
        f,
        Command::StartCase {
            method: "gossip".into(),
            case_bringer: Some(piet),
        },
    );
    r.ok(f, Command::GotoPhase { index: 2 });
    r.submit(piet, InputKind::Notepad, "Ze zien mij als de strenge.");
    r.ok(f, Command::EndSession {});

    // 6. The attendance record, after the end: confirmations, a personal reflection, a
    // correction of minutes, and the facilitator's confirmation of the list.
    r.ok(
        anna,
        Command::ConfirmPresence {
            registration: Some("BIG 19012345601".into()),
        },
    );
    r.ok(
        anna,
        Command::WriteReflection {
            text: "Ik vraag voortaan eerst door.".into(),
        },
    );
    r.ok(
        f,
        Command::SetMinutes {
            member: carla,
            minutes: Some(120),
        },
    );
    r.ok(f, Command::ConfirmList {});

    // Other methods: a silent phase with private notes revealed at once (incident method), and
    // a method that starts without a case inventory, so the case-bringer is set before start
    // (gossip method).
    let mut incident = Reference::new("incident");
    let (fi, inge, joost) = (
        incident.room.f,
        incident.join("Inge"),
        incident.join("Joost"),
    );
    incident.ok(fi, Command::StartSession {});
    let case = incident.submit(inge, InputKind::Case, "Een melding die te laat kwam.");
    incident.ok(
        fi,
        Command::ChooseCase {
            case,
            keep_others: false,
        },
    );
    incident.ok(fi, Command::GotoPhase { index: 2 });
    incident.submit(joost, InputKind::PrivateNote, "Wie wist wat, en wanneer?");
    incident.ok(fi, Command::RevealNotes {});
    r.absorb(incident);

    // It also hands the facilitation to a member (a self-led group passes it around).
    let mut gossip = Reference::new("gossip");
    let (fg, gert, hanna) = (gossip.room.f, gossip.join("Gert"), gossip.join("Hanna"));
    gossip.refused(fg, Command::StartSession {}, None, ErrorCode::NoCaseBringer);
    gossip.ok(fg, Command::SetCaseBringer { member: Some(gert) });
    gossip.ok(fg, Command::StartSession {});
    gossip.ok(fg, Command::HandFacilitator { member: hanna });
    r.absorb(gossip);

    (
        r,
        Welcomes {
            new_member: welcome_new,
            resume: welcome_resume,
        },
    )
}

impl Reference {
    /// Keeps the examples of another meeting that this one has not seen.
    fn absorb(&mut self, other: Reference) {
        for (name, example) in other.commands {
            self.commands.entry(name).or_insert(example);
        }
        for (name, json) in other.events {
            self.events.entry(name).or_insert(json);
        }
        for (place, example) in other.errors {
            self.errors.entry(place).or_insert(example);
        }
    }
}

struct Welcomes {
    new_member: String,
    resume: String,
}

fn welcome_for(r: &Reference, member: MemberId, fresh: bool) -> String {
    let view = r.room.s.view(Viewer::Member(member));
    wire_pretty(&ServerMsg::Welcome(Welcome {
        protocol: PROTOCOL_VERSION,
        member: Some(member),
        role: r.room.s.member_role(member).expect("a member"),
        resume_token: fresh.then(|| "Q1VSVEFJTi1SRVNVTUUtVE9LRU4tMDAwMDAwMDA".to_owned()),
        epoch: 731_148_209,
        seq: r.room.s.seq(),
        server_time: r.room.now,
        online: r.room.s.online_members(),
        retention_ms: 86_400_000,
        view: Some(view),
    }))
}

/// The welcome of a member who comes back having seen up to `last_seq`: no view; the missed
/// events follow.
fn welcome_resume_for(r: &Reference, member: MemberId, last_seq: u64) -> String {
    let welcome = ServerMsg::Welcome(Welcome {
        protocol: PROTOCOL_VERSION,
        member: Some(member),
        role: r.room.s.member_role(member).expect("a member"),
        resume_token: None,
        epoch: 731_148_209,
        seq: r.room.s.seq(),
        server_time: r.room.now,
        online: r.room.s.online_members(),
        retention_ms: 86_400_000,
        view: None,
    });
    let hello = ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        join: Join::Resume {
            token: "Q1VSVEFJTi1SRVNVTUUtVE9LRU4tMDAwMDAwMDA".into(),
            epoch: Some(731_148_209),
            last_seq: Some(last_seq),
        },
    };
    let missed = r.room.s.seq() - last_seq;
    format!(
        "```json\n{}\n```\n\nanswered by\n\n```json\n{}\n```\n\nfollowed by the {missed} missed \
         `event` messages `{}..={}`, each as under [Events](#events).",
        wire(&hello),
        wire(&welcome),
        last_seq + 1,
        r.room.s.seq()
    )
}

/// The variant tags of a generated TypeScript union (`export type Name = { "tag": "x" ...`).
fn union_tags(name: &str, tag: &str) -> Vec<String> {
    let ts = kring_protocol::typescript::declarations();
    let head = format!("export type {name} =");
    let start = ts
        .find(&head)
        .unwrap_or_else(|| panic!("{name} is declared"));
    // A declaration runs to the blank line before the next one (field comments span lines).
    let rest = &ts[start..];
    let line = &rest[..rest.find("\n\nexport ").unwrap_or(rest.len())];
    let needle = format!("\"{tag}\": \"");
    line.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &line[i + needle.len()..];
            rest[..rest.find('"').expect("closing quote")].to_owned()
        })
        .collect()
}

fn who_may(command: &Command) -> &'static str {
    match command {
        Command::SetCoFacilitator { .. } | Command::HandFacilitator { .. } => "the facilitator",
        c if permissions::facilitator_only(c) => "the facilitator or a co-facilitator",
        Command::Triage { .. } => "the case-bringer",
        Command::React { .. }
        | Command::ShareReactions { .. }
        | Command::ChooseKeyQuestion { .. } => "the case-bringer of the running case",
        Command::CarryCommitment { .. } => "the commitment's author (its case-bringer)",
        Command::RateProcess { .. } => "any member but the facilitator, in a method's last phase",
        Command::Submit { .. } | Command::Vote { .. } | Command::Unvote { .. } => {
            "members, as the current phase allows for their role"
        }
        _ => "any member (not the shared screen)",
    }
}

fn commands_section(r: &Reference) -> String {
    let mut out = String::new();
    for kind in union_tags("Command", "kind") {
        let example = r
            .commands
            .get(kind.as_str())
            .unwrap_or_else(|| panic!("the reference meeting never sends `{kind}`: add it"));
        let command: ClientMsg = serde_json::from_str(&example.envelope).expect("parses");
        let ClientMsg::Command(envelope) = command else {
            unreachable!("commands are command envelopes")
        };
        let lobby = if permissions::allowed_in_lobby(&envelope.command) {
            ", also before the session starts"
        } else {
            ""
        };
        let _ = writeln!(out, "### `{kind}`\n");
        let _ = writeln!(
            out,
            "Sent by {}{lobby}. In the reference meeting: {} in {}.\n",
            who_may(&envelope.command),
            example.who,
            example.phase
        );
        let _ = writeln!(out, "```json\n{}\n```\n", example.envelope);
        let _ = writeln!(out, "produces, to every member:\n\n```json");
        for event in &example.events {
            let _ = writeln!(out, "{event}");
        }
        let _ = writeln!(
            out,
            "```\n\nthen, to the sender:\n\n```json\n{}\n```\n",
            example.ack
        );
    }
    out
}

fn events_section(r: &Reference) -> String {
    let mut out = String::new();
    for kind in union_tags("Event", "kind") {
        let json = r
            .events
            .get(kind.as_str())
            .unwrap_or_else(|| panic!("the reference meeting never produces `{kind}`: add it"));
        let _ = writeln!(out, "- `{kind}`\n\n  ```json\n  {json}\n  ```\n");
    }
    out
}

fn errors_section(r: &Reference) -> String {
    let mut out = String::new();
    for (code, sent, error) in r.errors.values() {
        let _ = writeln!(
            out,
            "`{code}`:\n\n```json\n{sent}\n```\n\n```json\n{error}\n```\n"
        );
    }
    out
}

fn client_messages_section() -> String {
    let token = "Q1VSVEFJTi1GQUNJTElUQVRPUi0wMDAwMDAwMA".to_owned();
    let hellos = [
        Join::Member {
            name: "Piet".into(),
        },
        Join::Facilitator {
            token: token.clone(),
            name: "Fenna".into(),
        },
        Join::Resume {
            token: "Q1VSVEFJTi1SRVNVTUUtVE9LRU4tMDAwMDAwMDA".into(),
            epoch: Some(731_148_209),
            last_seq: Some(42),
        },
        Join::Screen { token },
    ];
    let mut joins: Vec<String> = hellos
        .iter()
        .map(|join| match join {
            Join::Member { .. } => "member",
            Join::Facilitator { .. } => "facilitator",
            Join::Resume { .. } => "resume",
            Join::Screen { .. } => "screen",
        })
        .map(str::to_owned)
        .collect();
    joins.sort();
    let mut declared = union_tags("Join", "as");
    declared.sort();
    assert_eq!(joins, declared, "every way to join has an example");

    let mut msgs: Vec<(&str, ClientMsg)> = hellos
        .into_iter()
        .map(|join| {
            (
                "hello",
                ClientMsg::Hello {
                    protocol: PROTOCOL_VERSION,
                    join,
                },
            )
        })
        .collect();
    msgs.push((
        "command",
        ClientMsg::Command(CommandEnvelope {
            id: "c17".into(),
            phase: Some(3),
            command: Command::RaiseHand {},
        }),
    ));
    msgs.push(("ping", ClientMsg::Ping { t: Some(T0) }));
    msgs.push(("leave", ClientMsg::Leave {}));
    let mut types: Vec<&str> = msgs.iter().map(|(t, _)| *t).collect();
    types.dedup();
    assert_eq!(
        types,
        union_tags("ClientMsg", "type"),
        "every client message has an example"
    );

    let mut out = String::new();
    for (kind, msg) in &msgs {
        let _ = writeln!(out, "- `{kind}`\n\n  ```json\n  {}\n  ```\n", wire(msg));
    }
    out
}

fn server_messages_section(r: &Reference, welcomes: &Welcomes) -> String {
    let any_event = r.events.get("hand_raised").expect("a raised hand");
    let any_ack = &r.commands.get("raise_hand").expect("a raised hand").ack;
    let error = wire(&ServerMsg::Error(
        ErrorMsg::new(ErrorCode::RateLimited).with_id("c18"),
    ))
    .replace("\"message\"", "\"retry_after_ms\":2400,\"message\"");
    // The line above puts a field in the middle: check it still parses as the type.
    let parsed: ServerMsg = serde_json::from_str(&error).expect("parses");
    let error = wire(&parsed);
    let pong = wire(&ServerMsg::Pong {
        t: Some(T0),
        server_time: T0 + 12,
    });
    let presence = wire(&ServerMsg::Presence {
        member: MemberId(2),
        online: false,
    });
    let types = ["welcome", "event", "ack", "error", "pong", "presence"];
    assert_eq!(
        types.map(str::to_owned).to_vec(),
        union_tags("ServerMsg", "type"),
        "every server message has an example"
    );
    format!(
        "- `welcome` to a new member (the full view of the session as this member may see \
         it):\n\n```json\n{}\n```\n\n- `welcome` to a member who resumes: the missed events \
         follow instead of a view:\n\n{}\n\n- `event`\n\n  ```json\n  {any_event}\n  ```\n\n\
         - `ack`\n\n  ```json\n  {any_ack}\n  ```\n\n- `error`\n\n  ```json\n  {error}\n  \
         ```\n\n- `pong`\n\n  ```json\n  {pong}\n  ```\n\n- `presence`\n\n  ```json\n  \
         {presence}\n  ```\n",
        welcomes.new_member, welcomes.resume
    )
}

fn error_table() -> String {
    let mut out =
        String::from("| code | category | close code | default message |\n|---|---|---|---|\n");
    for code in ErrorCode::ALL {
        let close = code
            .close_code()
            .map_or_else(|| "stays open".to_owned(), |c| c.to_string());
        let category = serde_json::to_string(&code.category()).expect("serialises");
        let _ = writeln!(
            out,
            "| `{code}` | {} | {close} | {} |",
            category.trim_matches('"'),
            code.message()
        );
    }
    out
}

/// Replaces the text between `<!-- BEGIN GENERATED: name -->` and `<!-- END GENERATED: name -->`.
fn fill(doc: &str, name: &str, body: &str) -> String {
    let begin = format!("<!-- BEGIN GENERATED: {name} -->\n");
    let end = format!("<!-- END GENERATED: {name} -->");
    let start = doc.find(&begin).unwrap_or_else(|| panic!("marker {begin}")) + begin.len();
    let stop = doc[start..]
        .find(&end)
        .unwrap_or_else(|| panic!("marker {end}"))
        + start;
    format!("{}{}{}", &doc[..start], body, &doc[stop..])
}

#[test]
fn protocol_reference_is_current_and_complete() {
    let (r, welcomes) = reference_meeting();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/PROTOCOL.md");
    let on_disk = std::fs::read_to_string(&path).expect("docs/PROTOCOL.md exists");
    let mut fresh = on_disk.clone();
    fresh = fill(&fresh, "client messages", &client_messages_section());
    fresh = fill(
        &fresh,
        "server messages",
        &server_messages_section(&r, &welcomes),
    );
    fresh = fill(&fresh, "commands", &commands_section(&r));
    fresh = fill(&fresh, "events", &events_section(&r));
    fresh = fill(&fresh, "error examples", &errors_section(&r));
    fresh = fill(&fresh, "error table", &error_table());
    if std::env::var_os("KRING_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &fresh).expect("write docs/PROTOCOL.md");
        return;
    }
    assert!(
        on_disk == fresh,
        "docs/PROTOCOL.md is stale: run `KRING_UPDATE_DOCS=1 cargo test -p kring-engine --test \
         reference` and commit it"
    );
}

#[test]
fn every_json_example_in_the_reference_parses_into_a_protocol_type() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/PROTOCOL.md");
    let doc = std::fs::read_to_string(&path).expect("docs/PROTOCOL.md exists");
    let mut checked = 0;
    let mut rest = doc.as_str();
    while let Some(start) = rest.find("```json\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").expect("closed block");
        let json = body[..end].trim();
        rest = &body[end + 3..];
        // A block holds one message, or one message per line (the events of a command).
        let messages: Vec<&str> = if serde_json::from_str::<serde_json::Value>(json).is_ok() {
            vec![json]
        } else {
            json.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect()
        };
        for message in messages {
            let value: serde_json::Value = serde_json::from_str(message)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {message}"));
            // Every example is a whole message, from a client or from the server.
            let client = serde_json::from_value::<ClientMsg>(value.clone()).is_ok();
            let server = serde_json::from_value::<ServerMsg>(value).is_ok();
            assert!(client || server, "not a protocol message: {message}");
            checked += 1;
        }
    }
    assert!(checked > 80, "only {checked} examples");
}
