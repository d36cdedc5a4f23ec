//! Table-driven permission tests: every built-in method x phase x role x input kind, and the
//! commands only the facilitator may give, stale phase stamps, the lobby and an ended session.
//!
//! The expectations come from the tables below, written from the method descriptions in the
//! domain notes, not from the engine's own permission functions.

mod common;

use common::*;
use kring_protocol::{Command, ErrorCode, Event, InputKind, ItemId, MemberId, Role};

/// One line per phase: `turns [flags] | ROLE: kinds; ROLE: kinds`. Roles: F facilitator,
/// CB case-bringer, P participant, NT note-taker (when absent, a note-taker may do what a
/// participant may). Flags: `listens` (the case-bringer only listens), `notes` (the
/// case-bringer may keep a private notepad), `one` (one contribution per turn, from the member
/// on the floor), `cb_first` / `cb_last` (where the case-bringer comes in the round).
/// Reactions are the case-bringer's private business in every phase, so no row lists them.
const TABLE: &[(&str, &[&str])] = &[
    (
        "basic",
        &[
            "free | P: case vote",
            "case_bringer_only | CB: statement",
            "round | P: question; CB: answer",
            "round cb_last | P: analysis key_question; CB: key_question",
            "round | P: advice",
            "round cb_first | P: reflection; CB: commitment reflection",
        ],
    ),
    (
        "incident",
        &[
            "free | P: case vote",
            "case_bringer_only | CB: statement",
            "silent | P: private_note",
            "round one | P: question; CB: answer",
            "free listens notes | P: analysis",
            "silent | P: private_note",
            "round listens notes | P: advice",
            "case_bringer_only | CB: statement",
            "free |",
            "round cb_first | P: reflection; CB: commitment reflection",
        ],
    ),
    (
        "gossip",
        &[
            "case_bringer_only | CB: statement key_question",
            "round | P: question; CB: answer",
            "free listens notes | P: analysis advice",
            "case_bringer_only | CB: commitment",
            "round cb_first | P: reflection; CB: reflection",
        ],
    ),
    (
        "balint",
        &[
            "round | P: case",
            "free | P: vote",
            "case_bringer_only | CB: statement",
            "silent | P: private_note",
            "free | P: question; CB: answer",
            "silent | P: private_note",
            "round listens notes | P: advice",
            "case_bringer_only | CB: statement commitment",
            "round cb_first | P: reflection; CB: reflection",
        ],
    ),
    (
        "tietze",
        &[
            "free | P: case vote",
            "free | P: question; CB: statement answer",
            "free | P: key_question; CB: key_question",
            "free | F: statement",
            "round listens notes one | P: advice analysis",
            "case_bringer_only | CB: commitment",
        ],
    ),
    (
        "troika",
        &[
            "silent notes |",
            "case_bringer_only | CB: statement key_question",
            "free | P: question; CB: answer",
            "free listens notes | P: analysis advice",
            "case_bringer_only | CB: commitment",
        ],
    ),
];

struct PhaseRow {
    turns: String,
    listens: bool,
    notes: bool,
    one: bool,
    order: &'static str,
    allow: Vec<(String, Vec<String>)>,
}

fn parse_row(line: &str) -> PhaseRow {
    let (head, allow) = line.split_once('|').expect("row has a |");
    let mut head = head.split_whitespace();
    let turns = head.next().expect("turns").to_owned();
    let flags: Vec<&str> = head.collect();
    let order = if flags.contains(&"cb_first") {
        "case_bringer_first"
    } else if flags.contains(&"cb_last") {
        "case_bringer_last"
    } else {
        "joined"
    };
    let allow = allow
        .split(';')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (role, kinds) = part.split_once(':').expect("ROLE: kinds");
            (
                role.trim().to_owned(),
                kinds.split_whitespace().map(str::to_owned).collect(),
            )
        })
        .collect();
    PhaseRow {
        turns,
        listens: flags.contains(&"listens"),
        notes: flags.contains(&"notes"),
        one: flags.contains(&"one"),
        order,
        allow,
    }
}

fn key(role: Role) -> &'static str {
    match role {
        Role::Facilitator => "F",
        Role::CaseBringer => "CB",
        Role::Participant => "P",
        Role::NoteTaker => "NT",
        Role::Screen => "S",
    }
}

fn table_allows(row: &PhaseRow, role: Role, kind: InputKind) -> bool {
    match kind {
        InputKind::Reaction => return role == Role::CaseBringer,
        InputKind::Notepad => return role == Role::CaseBringer && row.notes,
        _ if role == Role::CaseBringer && row.listens => return false,
        _ => {}
    }
    let lookup = |k: &str| row.allow.iter().find(|(r, _)| r == k).map(|(_, v)| v);
    let kinds = match role {
        Role::NoteTaker => lookup("NT").or_else(|| lookup("P")),
        _ => lookup(key(role)),
    };
    kinds.is_some_and(|k| k.iter().any(|k| k == kind.as_str()))
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Forbids(Vec<u16>),
    Listens,
    Other(ErrorCode),
}

/// `on_floor`: whether the member holds the floor (it matters where `one` applies).
fn expected(
    rows: &[PhaseRow],
    phase: usize,
    role: Role,
    kind: InputKind,
    on_floor: bool,
) -> Outcome {
    let private = matches!(kind, InputKind::Reaction | InputKind::Notepad);
    if role == Role::CaseBringer && rows[phase].listens && !private {
        return Outcome::Listens;
    }
    if table_allows(&rows[phase], role, kind) {
        let takes_a_turn = !matches!(kind, InputKind::Answer | InputKind::Vote) && !private;
        if rows[phase].one && takes_a_turn && !on_floor {
            return Outcome::Other(ErrorCode::WaitYourTurn);
        }
        return Outcome::Accepted;
    }
    Outcome::Forbids(
        rows.iter()
            .enumerate()
            .filter(|(_, row)| table_allows(row, role, kind))
            .map(|(i, _)| i as u16)
            .collect(),
    )
}

struct Cast {
    cb: MemberId,
    p: MemberId,
    nt: MemberId,
    case: ItemId,
    question: ItemId,
    advice: ItemId,
}

/// A running session of `method` in phase `index`, with one member in every role and a case,
/// a question and an advice item to act on.
fn room_in_phase(method: &str, index: u16) -> (Room, Cast) {
    let mut room = Room::new(method);
    let cb = room.join("Carla");
    let p = room.join("Piet");
    let nt = room.join("Noor");
    let f = room.f;
    room.ok(f, Command::SetCaseBringer { member: Some(cb) });
    room.ok(
        f,
        Command::SetRole {
            member: nt,
            role: Role::NoteTaker,
        },
    );
    let case = room.plant(InputKind::Case, p, "Een lastige collega");
    let question = room.plant(InputKind::Question, p, "Wat maakt het lastig?");
    let advice = room.plant(InputKind::Advice, p, "Bespreek het met haar");
    room.ok(f, Command::StartSession {});
    if index > 0 {
        room.ok(f, goto(index));
    }
    (
        room,
        Cast {
            cb,
            p,
            nt,
            case,
            question,
            advice,
        },
    )
}

fn command_for(kind: InputKind, cast: &Cast) -> Command {
    match kind {
        InputKind::Vote => Command::Vote { item: cast.case },
        InputKind::Reaction => Command::React {
            item: cast.advice,
            reaction: USEFUL,
        },
        InputKind::Answer => answer(cast.question, "Dat weet ik niet precies."),
        InputKind::Question => submit(kind, "Wat maakt het voor jou zo lastig?"),
        _ => submit(kind, "Een gewone tekst."),
    }
}

#[test]
fn templates_match_the_table() {
    for (method, lines) in TABLE {
        let template = kring_engine::methods::find(method).expect("built-in");
        assert_eq!(template.phases.len(), lines.len(), "{method}: phase count");
        for (i, (phase, line)) in template.phases.iter().zip(lines.iter()).enumerate() {
            let row = parse_row(line);
            let turns = serde_json::to_value(phase.turns).expect("turns serialise");
            assert_eq!(turns, row.turns.as_str(), "{method} phase {i}: turns");
            assert_eq!(
                phase.case_bringer_listens, row.listens,
                "{method} phase {i}: listens"
            );
            assert_eq!(
                phase.case_bringer_notes, row.notes,
                "{method} phase {i}: notes"
            );
            assert_eq!(phase.one_per_turn, row.one, "{method} phase {i}: one");
            let order = serde_json::to_value(phase.round_order).expect("order serialises");
            assert_eq!(order, row.order, "{method} phase {i}: round order");
        }
    }
}

#[test]
fn every_method_phase_role_and_kind() {
    let mut checked = 0;
    for (method, lines) in TABLE {
        let rows: Vec<PhaseRow> = lines.iter().map(|l| parse_row(l)).collect();
        for phase in 0..rows.len() {
            let (room, cast) = room_in_phase(method, phase as u16);
            let roles = [
                (room.f, Role::Facilitator),
                (cast.cb, Role::CaseBringer),
                (cast.p, Role::Participant),
                (cast.nt, Role::NoteTaker),
            ];
            for (member, role) in roles {
                assert_eq!(room.s.member_role(member), Some(role));
                for kind in InputKind::ALL {
                    let command = command_for(kind, &cast);
                    let got = match room
                        .s
                        .decide(member, &command, Some(room.stamp()), room.now)
                    {
                        Ok(decision) => {
                            let event = decision.events.first().expect("an event");
                            let fits = match kind {
                                InputKind::Vote => matches!(event, Event::ItemVoted { .. }),
                                InputKind::Reaction => {
                                    matches!(event, Event::ItemReacted { .. })
                                }
                                InputKind::Notepad => {
                                    matches!(event, Event::NoteTaken { note: Some(n) } if n.kind == kind)
                                }
                                _ => {
                                    matches!(event, Event::ItemAdded { item } if item.kind == kind)
                                }
                            };
                            assert!(fits, "{method}/{phase}/{role:?}/{kind:?}: {decision:?}");
                            Outcome::Accepted
                        }
                        Err(r) if r.code == ErrorCode::PhaseForbids => Outcome::Forbids(r.phases),
                        Err(r) if r.code == ErrorCode::CaseBringerListens => Outcome::Listens,
                        Err(r) => Outcome::Other(r.code),
                    };
                    let on_floor = room.floor() == Some(member);
                    assert_eq!(
                        got,
                        expected(&rows, phase, role, kind, on_floor),
                        "{method} phase {phase} ({}), {role:?} submits {}",
                        room.s.params().method.phases[phase].id,
                        kind.as_str()
                    );
                    checked += 1;
                }
            }
        }
    }
    // 6 methods, 41 phases, 4 roles, 13 kinds.
    assert_eq!(checked, 41 * 4 * 13);
}

fn facilitator_commands(cast: &Cast) -> Vec<Command> {
    vec![
        Command::StartSession {},
        next(),
        Command::PrevPhase {},
        goto(0),
        Command::ExtendTimer { seconds: 60 },
        Command::PauseTimer { paused: true },
        Command::SetTimer { seconds: 300 },
        Command::SetTurnLimit { seconds: Some(120) },
        Command::EndSession {},
        Command::LockRoom { locked: true },
        Command::SetCaseBringer {
            member: Some(cast.p),
        },
        Command::SetRole {
            member: cast.p,
            role: Role::NoteTaker,
        },
        Command::RemoveMember { member: cast.p },
        Command::RemoveAndLock { member: cast.p },
        Command::RemoveOffline {},
        Command::ChooseCase {
            case: cast.case,
            keep_others: false,
        },
        Command::KeepCase {
            case: cast.case,
            keep: true,
        },
        Command::GiveFloor { member: cast.p },
        Command::EndFloor {},
        Command::NextSpeaker {},
        Command::SkipSpeaker { member: cast.p },
        Command::StartRound {},
        Command::HideItem {
            item: cast.question,
            hidden: true,
        },
        Command::RevealNotes {},
        Command::RevealVotes {},
    ]
}

fn member_commands(cast: &Cast) -> Vec<Command> {
    vec![
        Command::RaiseHand {},
        Command::LowerHand {},
        Command::Pass {},
        submit(InputKind::Question, "Wat gebeurde er toen?"),
        Command::Vote { item: cast.case },
        Command::Unvote { item: cast.case },
        Command::Triage {
            item: cast.question,
            status: kring_protocol::TriageStatus::Answered,
        },
        Command::React {
            item: cast.advice,
            reaction: USEFUL,
        },
        Command::Withdraw {
            item: cast.question,
        },
        Command::Rename {
            name: "Pieter".into(),
        },
    ]
}

#[test]
fn facilitator_only_commands_by_every_other_role() {
    for running in [false, true] {
        let (mut room, cast) = room_in_phase("basic", 2);
        if !running {
            room = Room::new("basic");
            let cb = room.join("Carla");
            let p = room.join("Piet");
            let nt = room.join("Noor");
            assert_eq!((cb, p, nt), (cast.cb, cast.p, cast.nt));
            room.ok(room.f, Command::SetCaseBringer { member: Some(cb) });
            room.ok(
                room.f,
                Command::SetRole {
                    member: nt,
                    role: Role::NoteTaker,
                },
            );
        }
        for command in facilitator_commands(&cast) {
            for member in [cast.cb, cast.p, cast.nt] {
                let got = room.s.decide(member, &command, None, room.now);
                assert_eq!(
                    got.map(|_| ()).map_err(|r| r.code),
                    Err(ErrorCode::NotFacilitator),
                    "{} by {member} (running: {running})",
                    command.name()
                );
            }
            let by_facilitator = room.s.decide(room.f, &command, None, room.now);
            assert_ne!(
                by_facilitator.err().map(|r| r.code),
                Some(ErrorCode::NotFacilitator),
                "{}",
                command.name()
            );
        }
    }
}

#[test]
fn stale_phase_stamps_are_refused() {
    let (mut room, cast) = room_in_phase("basic", 2);
    room.ok(room.f, next());
    room.ok(room.f, Command::PrevPhase {});
    let current = room.stamp();
    assert_eq!(current, 4);
    let cases: Vec<(MemberId, Command)> = facilitator_commands(&cast)
        .into_iter()
        .filter(|c| !matches!(c, Command::StartSession {}))
        .map(|c| (room.f, c))
        .chain(member_commands(&cast).into_iter().map(|c| (cast.p, c)))
        .collect();
    for (actor, command) in &cases {
        for stale in [current - 1, 1] {
            let got = room.s.decide(*actor, command, Some(stale), room.now);
            assert_eq!(
                got.map(|_| ()).map_err(|r| r.code),
                Err(ErrorCode::PhaseClosed),
                "{} stamped {stale} in phase seq {current}",
                command.name()
            );
        }
        // A stamp from the future is not a closed phase: the client made it up.
        let future = room.s.decide(*actor, command, Some(current + 1), room.now);
        let future = future.err().map(|r| (r.code, r.field));
        assert_eq!(
            future,
            Some((ErrorCode::InvalidValue, Some("phase"))),
            "{} stamped {} in phase seq {current}",
            command.name(),
            current + 1
        );
        let fresh = room.s.decide(*actor, command, Some(current), room.now);
        assert_ne!(
            fresh.err().map(|r| r.code),
            Some(ErrorCode::PhaseClosed),
            "{}",
            command.name()
        );
    }
}

#[test]
fn a_double_clicked_next_moves_one_phase() {
    let (mut room, _) = room_in_phase("basic", 2);
    let stamp = room.stamp();
    room.run(room.f, next(), Some(stamp)).expect("first click");
    let second = room.run(room.f, next(), Some(stamp));
    assert_eq!(second.err().map(|r| r.code), Some(ErrorCode::PhaseClosed));
    assert_eq!(room.phase().0, 3);
}

#[test]
fn the_lobby_accepts_only_setup_commands() {
    let (_, cast) = room_in_phase("basic", 0);
    let mut room = Room::new("basic");
    let cb = room.join("Carla");
    let p = room.join("Piet");
    room.join("Noor");
    room.plant(InputKind::Case, p, "Een casus");
    room.plant(InputKind::Question, p, "Een vraag");
    room.plant(InputKind::Advice, p, "Een advies");
    room.ok(room.f, Command::SetCaseBringer { member: Some(cb) });
    let setup = [
        "start_session",
        "end_session",
        "lock_room",
        "set_case_bringer",
        "set_role",
        "remove_member",
        "remove_and_lock",
        "remove_offline",
        "rename",
    ];
    for command in facilitator_commands(&cast) {
        let got = room.s.decide(room.f, &command, None, room.now);
        let code = got.err().map(|r| r.code);
        if setup.contains(&command.name()) {
            assert_ne!(code, Some(ErrorCode::NotStarted), "{}", command.name());
        } else {
            assert_eq!(code, Some(ErrorCode::NotStarted), "{}", command.name());
        }
    }
    for command in member_commands(&cast) {
        let got = room.s.decide(p, &command, None, room.now);
        let code = got.err().map(|r| r.code);
        if setup.contains(&command.name()) {
            assert_eq!(code, None, "{}", command.name());
        } else {
            assert_eq!(code, Some(ErrorCode::NotStarted), "{}", command.name());
        }
    }
}

#[test]
fn an_ended_session_refuses_everything() {
    let (mut room, cast) = room_in_phase("basic", 3);
    room.ok(room.f, Command::EndSession {});
    let all: Vec<Command> = facilitator_commands(&cast)
        .into_iter()
        .chain(member_commands(&cast))
        .collect();
    for command in &all {
        for member in [room.f, cast.cb, cast.p, cast.nt] {
            let got = room.s.decide(member, command, None, room.now);
            assert_eq!(
                got.err().map(|r| r.code),
                Some(ErrorCode::SessionEnded),
                "{} by {member}",
                command.name()
            );
        }
    }
    let join = room.s.decide_join(
        &kring_engine::JoinAs::Member {
            name: "Laat".into(),
        },
        "h",
        room.now,
    );
    assert_eq!(join.err().map(|r| r.code), Some(ErrorCode::SessionEnded));
}

#[test]
fn running_commands_refuse_start_and_unknown_members() {
    let (mut room, _) = room_in_phase("basic", 1);
    assert_eq!(
        room.code(room.f, Command::StartSession {}),
        ErrorCode::AlreadyStarted
    );
    assert_eq!(
        room.code(MemberId(99), Command::RaiseHand {}),
        ErrorCode::NoSuchMember
    );
}
