//! The room's byte budget: whatever the members do, the largest view the engine can produce
//! fits in one message the server can send, and so does every event.

// A failed serialisation fails the test; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use common::*;
use kring_engine::limits::{self, SubmitLimit};
use kring_engine::{Viewer, methods};
use kring_protocol::{
    CarriedItem, Command, ErrorCode, Event, InputKind, Localized, MAX_SERVER_MESSAGE_BYTES,
    MemberId, MethodTemplate, PhaseTemplate, Reaction, ReportBack, Role, Temperature, TurnMode,
};

/// Four bytes on the wire per character: the most a character allowed in names and item
/// text can cost.
const WIDE: &str = "😀";

fn wide(chars: usize) -> String {
    WIDE.repeat(chars)
}

fn localized(chars: usize) -> Localized {
    // Dutch and English only: a template that also fills German and French at these lengths
    // outgrows the view budget before anyone joins (only the engine takes such a template; the
    // HTTP body limit keeps a custom one near 64 KiB).
    Localized {
        nl: wide(chars),
        en: wide(chars),
        de: None,
        fr: None,
    }
}

/// A custom method as large as template validation allows, whose phases let participants write
/// every kind of text and the case-bringer keep a notepad; it rotates the case-bringer (Troika
/// style), so a meeting can hold as many case rounds as the engine allows, each with it.
fn largest_template() -> MethodTemplate {
    let kinds = vec![
        InputKind::PrivateNote,
        InputKind::Statement,
        InputKind::Analysis,
        InputKind::Question,
    ];
    let phases = (0..methods::MAX_PHASES)
        .map(|i| PhaseTemplate {
            id: format!("phase-{i}"),
            name: localized(80),
            instruction: localized(1000),
            minutes: 240,
            turns: TurnMode::Free,
            allow: BTreeMap::from([(Role::Participant, kinds.clone())]),
            case_bringer_listens: false,
            max_per_member: BTreeMap::new(),
            case_bringer_notes: true,
            one_per_turn: false,
            round_order: Default::default(),
        })
        .collect();
    let template = MethodTemplate {
        id: "largest".into(),
        name: localized(80),
        description: localized(2000),
        dots_per_member: 10,
        rotate_case_bringer: true,
        phases,
    };
    methods::validate(&template).expect("a valid template");
    template
}

/// A carry-over as large as a meeting may pass on.
fn largest_report_back() -> ReportBack {
    let item = || CarriedItem {
        text: wide(1000).into(),
        by_name: wide(limits::NAME_MAX_CHARS),
    };
    ReportBack {
        previous_title: wide(120),
        commitments: (0..100).map(|_| item()).collect(),
        ..report_back()
    }
}

/// The largest room: longest title, largest template and carry-over, every member with the
/// longest name, as many case rounds as a meeting may hold, and one member who wrote private
/// notes until the room was full (their own view shows every note twice: on the board without
/// text, under `me.notes` with it); the last case-bringer keeps a notepad and reacts to every
/// question, shared.
fn largest_room() -> (Room, Vec<MemberId>) {
    let mut p = params("basic");
    p.title = kring_protocol::Title::parse(&wide(limits::TITLE_MAX_CHARS)).expect("a title");
    p.method = largest_template();
    p.report_back = Some(largest_report_back());
    p.submit_limit = SubmitLimit {
        max: 0,
        window_ms: 1,
    };
    let mut room = Room::with_params(p);
    let members: Vec<MemberId> = (1..limits::MAX_MEMBERS)
        .map(|i| room.join(&format!("{}{i:02}", wide(limits::NAME_MAX_CHARS - 2))))
        .collect();
    room.ok(
        room.f,
        Command::SetCaseBringer {
            member: Some(members[0]),
        },
    );
    room.ok(room.f, Command::StartSession {});
    // Every case round the engine allows: Troika-style, the next member brings the next one.
    let last = u16::try_from(methods::MAX_PHASES).unwrap();
    for _ in 1..kring_engine::cases::MAX_CASE_ROUNDS {
        let end = if room.s.case_round() == 0 {
            last
        } else {
            last - 1
        };
        room.ok(room.f, goto(end));
        room.ok(room.f, Command::NextPhase {});
    }
    assert_eq!(
        usize::from(room.s.case_round()) + 1,
        kring_engine::cases::MAX_CASE_ROUNDS
    );
    // The case-bringer of the last case keeps a notepad (only in their own view).
    let cb = room.s.case_bringers().last().copied().flatten().unwrap();
    for _ in 0..20 {
        room.ok(cb, submit(InputKind::Notepad, &wide(1500)));
    }
    let writer = *members.last().unwrap();
    let mut refused = None;
    for _ in 0..limits::MAX_ITEMS_PER_MEMBER {
        match room.run(writer, submit(InputKind::PrivateNote, &wide(1500)), None) {
            Ok(_) => {}
            Err(r) => {
                refused = Some(r.code);
                break;
            }
        }
    }
    assert_eq!(refused, Some(ErrorCode::LimitReached), "the budget ends it");
    // Others fill what is left with smaller items.
    'fill: for &m in members.iter().filter(|m| **m != cb && **m != writer) {
        for _ in 0..limits::MAX_ITEMS_PER_MEMBER {
            if room
                .run(m, submit(InputKind::Question, "Why?"), None)
                .is_err()
            {
                break 'fill;
            }
        }
    }
    // The case-bringer reacts to every question of the case and shares it all.
    let round = room.s.case_round();
    let questions: Vec<_> = room
        .s
        .view(Viewer::Screen)
        .items
        .iter()
        .filter(|i| i.kind == InputKind::Question && i.case_round == round)
        .map(|i| i.id)
        .collect();
    for item in questions {
        room.ok(
            cb,
            Command::React {
                item,
                reaction: Reaction {
                    temperature: Temperature::Lukewarm,
                    useful: true,
                },
            },
        );
    }
    room.ok(cb, Command::ShareReactions { shared: true });
    (room, members)
}

fn view_bytes(room: &Room, viewer: Viewer) -> usize {
    serde_json::to_vec(&room.s.view(viewer)).unwrap().len()
}

#[test]
fn the_largest_room_fits_in_one_message_for_every_viewer() {
    let (room, members) = largest_room();
    assert!(room.s.items_bytes() <= room.s.item_budget());
    let mut largest = 0;
    for viewer in [Viewer::Member(room.f), Viewer::Screen]
        .into_iter()
        .chain(members.iter().map(|m| Viewer::Member(*m)))
    {
        largest = largest.max(view_bytes(&room, viewer));
    }
    eprintln!(
        "largest view: {largest} bytes (limit {}; items {} of {} budgeted bytes)",
        limits::MAX_VIEW_BYTES,
        room.s.items_bytes(),
        room.s.item_budget()
    );
    assert!(largest <= limits::MAX_VIEW_BYTES, "{largest}");
    // The budget is used, not merely respected: the room is close to the limit.
    assert!(largest > limits::MAX_VIEW_BYTES * 3 / 4, "{largest}");
}

/// Every member confirms with the longest registration number, and `writer` writes the
/// longest reflection; the facilitator confirms the list.
fn confirm_everything(room: &mut Room, members: &[MemberId], writer: MemberId) {
    let registration = wide(kring_protocol::limits::REGISTRATION_MAX_CHARS);
    for &m in members.iter().chain([room.f].iter()) {
        room.ok(
            m,
            Command::ConfirmPresence {
                registration: Some(registration.clone()),
            },
        );
    }
    room.ok(
        writer,
        Command::WriteReflection {
            text: wide(kring_protocol::limits::REFLECTION_MAX_CHARS).into(),
        },
    );
    room.ok(room.f, Command::ConfirmList {});
}

#[test]
fn confirmations_and_reflections_fit_what_the_budget_keeps_besides_items() {
    // A full roster with the longest names (offline, so they hold no seat), all confirmed with
    // the longest number, and a viewer with the longest reflection: the view without items
    // must fit in what the budget keeps for everything but items.
    let mut p = params("basic");
    p.title = kring_protocol::Title::parse(&wide(limits::TITLE_MAX_CHARS)).expect("a title");
    let mut room = Room::with_params(p);
    let members: Vec<MemberId> = (1..limits::MAX_ROSTER)
        .map(|i| {
            let m = room.join(&format!("{}{i:03}", wide(limits::NAME_MAX_CHARS - 3)));
            room.s.set_online(m, false);
            m
        })
        .collect();
    room.ok(room.f, Command::StartSession {});
    let writer = members[0];
    room.s.set_online(writer, true);
    confirm_everything(&mut room, &members, writer);
    let reserved = limits::MAX_VIEW_BYTES - room.s.item_budget();
    let bytes = view_bytes(&room, Viewer::Member(writer));
    eprintln!("view without items: {bytes} bytes, reserved {reserved}");
    assert!(bytes <= reserved, "{bytes} > {reserved}");
}

#[test]
fn the_largest_room_with_every_confirmation_fits_in_one_message() {
    let (mut room, members) = largest_room();
    confirm_everything(&mut room, &members, members[0]);
    for viewer in [Viewer::Member(room.f), Viewer::Screen]
        .into_iter()
        .chain(members.iter().map(|m| Viewer::Member(*m)))
    {
        let bytes = view_bytes(&room, viewer);
        assert!(bytes <= limits::MAX_VIEW_BYTES, "{viewer:?}: {bytes}");
    }
}

#[test]
fn revealing_a_full_board_of_notes_comes_in_bounded_events() {
    let (mut room, _) = largest_room();
    let decision = room.ok(room.f, Command::RevealNotes {});
    assert!(decision.events.len() > 1, "more than one event");
    let mut revealed = 0;
    for event in &decision.events {
        let Event::NotesRevealed { notes } = event.to_public() else {
            panic!("only notes_revealed");
        };
        revealed += notes.len();
        let bytes = serde_json::to_vec(&event.to_public()).unwrap().len();
        assert!(
            bytes <= limits::REVEAL_CHUNK_BYTES + limits::ITEM_OVERHEAD_BYTES,
            "{bytes}"
        );
        assert!(bytes < MAX_SERVER_MESSAGE_BYTES);
    }
    let notes = room
        .s
        .view(Viewer::Screen)
        .items
        .iter()
        .filter(|i| i.kind == InputKind::PrivateNote)
        .count();
    assert_eq!(revealed, notes, "every note, once");
    assert!(
        room.s
            .view(Viewer::Screen)
            .items
            .iter()
            .filter(|i| i.kind == InputKind::PrivateNote)
            .all(|i| i.revealed && i.text.is_some())
    );
}

#[test]
fn text_counts_in_the_bytes_it_costs_on_the_wire() {
    let mut room = Room::new("basic");
    let cb = room.join("Carla");
    let p = room.join("Piet");
    room.ok(room.f, Command::SetCaseBringer { member: Some(cb) });
    room.ok(room.f, Command::StartSession {});
    room.ok(room.f, goto(1));
    let before = room.s.items_bytes();
    room.ok(cb, submit(InputKind::Statement, "a\"b\\c\td"));
    assert_eq!(
        room.s.items_bytes() - before,
        limits::ITEM_OVERHEAD_BYTES + 10,
        "quote, backslash and tab take two bytes each"
    );
    assert_eq!(limits::json_len("\u{1}"), 6, "a C0 control escapes to six");
    let _ = p;
}

#[test]
fn withdrawing_gives_the_budget_back_and_replay_rebuilds_it() {
    let (mut room, members) = largest_room();
    let full = room.s.items_bytes();
    let writer = *members.last().unwrap();
    let r = room.err(writer, submit(InputKind::PrivateNote, &wide(1500)));
    assert_eq!(r.code, ErrorCode::LimitReached);
    let mine = room.view(writer).me.items[0];
    room.ok(writer, Command::Withdraw { item: mine });
    assert!(room.s.items_bytes() < full);
    room.submit(writer, InputKind::PrivateNote, &wide(1500));
    let replayed = room.replay(room.s.params().clone());
    assert_eq!(replayed.items_bytes(), room.s.items_bytes());
    assert_eq!(
        replayed.view(Viewer::Screen).items,
        room.s.view(Viewer::Screen).items
    );
}

#[test]
fn a_carry_over_is_bounded() {
    let mut room = Room::new("basic");
    let cb = room.join("Carla");
    room.ok(room.f, Command::SetCaseBringer { member: Some(cb) });
    room.s = {
        let mut p = room.s.params().clone();
        p.settings.keep_for_group = true;
        p.submit_limit = SubmitLimit {
            max: 0,
            window_ms: 1,
        };
        let mut fresh = Room::with_params(p);
        let cb = fresh.join("Carla");
        fresh.ok(fresh.f, Command::SetCaseBringer { member: Some(cb) });
        fresh.ok(fresh.f, Command::StartSession {});
        fresh.ok(fresh.f, goto(5));
        for _ in 0..100 {
            let item = fresh.submit(cb, InputKind::Commitment, &wide(1000));
            fresh.ok(cb, Command::CarryCommitment { item, carry: true });
        }
        fresh.s
    };
    let carry = room.s.carry_over();
    let bytes = serde_json::to_vec(&carry).unwrap().len();
    assert!(!carry.commitments.is_empty());
    assert!(carry.commitments.len() < 100, "{}", carry.commitments.len());
    assert!(bytes <= limits::MAX_CARRY_BYTES + 512, "{bytes}");
}
