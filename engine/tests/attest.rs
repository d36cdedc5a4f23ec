//! The attendance record's commands: confirming presence (with a registration number for one's
//! own certificate), the personal reflection, and the facilitator's confirmation of the list.

mod common;

use common::*;
use kring_engine::Viewer;
use kring_protocol::*;

fn confirm(registration: Option<&str>) -> Command {
    Command::ConfirmPresence {
        registration: registration.map(str::to_owned),
    }
}

fn reflect(text: &str) -> Command {
    Command::WriteReflection { text: text.into() }
}

fn started() -> (Room, MemberId, MemberId) {
    let mut room = Room::new("basic");
    let anna = room.join("Anna");
    let bram = room.join("Bram");
    room.ok(room.f, Command::SetCaseBringer { member: Some(anna) });
    room.ok(room.f, Command::StartSession {});
    (room, anna, bram)
}

#[test]
fn nothing_is_confirmed_in_the_lobby() {
    let mut room = Room::new("basic");
    let anna = room.join("Anna");
    assert_eq!(room.code(anna, confirm(None)), ErrorCode::NotStarted);
    assert_eq!(room.code(anna, reflect("x")), ErrorCode::NotStarted);
    assert_eq!(
        room.code(room.f, Command::ConfirmList {}),
        ErrorCode::NotStarted
    );
}

#[test]
fn members_confirm_while_running_and_after_the_end() {
    let (mut room, anna, bram) = started();
    room.ok(anna, confirm(Some("  BIG 19012345601 ")));
    room.ok(room.f, Command::EndSession {});
    // After the end, the record's commands still work; nothing else does.
    room.ok(bram, confirm(None));
    room.ok(room.f, confirm(None));
    assert_eq!(
        room.code(bram, Command::RaiseHand {}),
        ErrorCode::SessionEnded
    );
    let view = room.view(anna);
    assert_eq!(view.attendance.confirmed, vec![anna, bram, room.f]);
    assert_eq!(view.me.registration.as_deref(), Some("BIG 19012345601"));
    assert_eq!(
        room.view(bram).me.registration,
        None,
        "nobody sees another's number"
    );
    assert_eq!(room.s.view(Viewer::Screen).me.registration, None);
}

#[test]
fn confirming_again_changes_only_the_number_and_keeps_the_first_time() {
    let (mut room, anna, _) = started();
    room.ok(anna, confirm(Some("SKJ 1")));
    let first = room.s.confirmation(anna).expect("confirmed").at;
    room.advance(60_000);
    assert_eq!(
        room.code(anna, confirm(Some("SKJ 1"))),
        ErrorCode::InvalidValue
    );
    room.ok(anna, confirm(Some("SKJ 2")));
    room.ok(anna, confirm(Some("")));
    let c = room.s.confirmation(anna).expect("confirmed");
    assert_eq!((c.at, c.registration.as_deref()), (first, None));
}

#[test]
fn registration_numbers_are_short_plain_text() {
    let (mut room, anna, _) = started();
    let long = "1".repeat(61);
    let r = room.err(anna, confirm(Some(&long)));
    assert_eq!(
        (r.code, r.field),
        (ErrorCode::InvalidValue, Some("command.registration"))
    );
    assert_eq!(
        room.code(anna, confirm(Some("BIG\n1"))),
        ErrorCode::InvalidValue
    );
    room.ok(anna, confirm(Some(&"1".repeat(60))));
    // A bidi override or a zero-width character would make the certificate show another
    // number than the one it holds.
    for hidden in ["BIG \u{202e}10654", "SKJ\u{200b}1"] {
        assert_eq!(
            room.code(anna, confirm(Some(hidden))),
            ErrorCode::InvalidValue,
            "{hidden:?}"
        );
    }
}

#[test]
fn a_reflection_is_private_and_replaced_by_a_new_one() {
    let (mut room, anna, bram) = started();
    room.ok(anna, reflect("Eerste gedachte."));
    let d = room.ok(anna, reflect("  Ik vraag eerst door.  "));
    // The journal keeps the text; what members receive does not.
    match &d.events[..] {
        [Event::ReflectionWritten { member, text }] => {
            assert_eq!(
                (*member, text.as_deref()),
                (anna, Some("Ik vraag eerst door."))
            );
        }
        other => panic!("unexpected events {other:?}"),
    }
    assert_eq!(
        d.events[0].to_public(),
        Event::ReflectionWritten {
            member: anna,
            text: None
        }
    );
    assert_eq!(
        room.view(anna).me.reflection.as_deref(),
        Some("Ik vraag eerst door.")
    );
    assert_eq!(room.view(bram).me.reflection, None);
    assert_eq!(
        room.view(room.f).me.reflection,
        None,
        "not even the facilitator"
    );
    assert_eq!(room.code(anna, reflect("   ")), ErrorCode::TextEmpty);
    assert_eq!(
        room.code(anna, reflect(&"x".repeat(3001))),
        ErrorCode::TextTooLong
    );
    room.ok(anna, reflect(&"x".repeat(3000)));
}

#[test]
fn a_reflection_holds_lines_and_tabs_but_no_other_controls() {
    let (mut room, anna, _) = started();
    let r = room.err(anna, reflect("Eerst\u{1}dit"));
    assert_eq!(
        (r.code, r.field),
        (ErrorCode::InvalidValue, Some("command.text"))
    );
    room.ok(anna, reflect("Eerst dit,\n\tdan dat."));
}

#[test]
fn reflection_writes_are_bounded_and_unchanged_ones_refused() {
    let (mut room, anna, bram) = started();
    room.ok(anna, reflect("Versie 0"));
    assert_eq!(
        room.code(anna, reflect(" Versie 0 ")),
        ErrorCode::InvalidValue,
        "the same text again grows only the journal"
    );
    for i in 1..kring_engine::limits::MAX_REFLECTION_WRITES {
        room.ok(anna, reflect(&format!("Versie {i}")));
    }
    assert_eq!(
        room.code(anna, reflect("Nog een versie")),
        ErrorCode::LimitReached
    );
    assert_eq!(
        room.view(anna).me.reflection.as_deref(),
        Some(format!("Versie {}", kring_engine::limits::MAX_REFLECTION_WRITES - 1).as_str())
    );
    // Per member, and a replay counts the same.
    room.ok(bram, reflect("Mijn eerste."));
    let replayed = room.replay(room.s.params().clone());
    let r = replayed.decide(anna, &reflect("Nog een versie"), None, room.now);
    assert_eq!(r.err().map(|r| r.code), Some(ErrorCode::LimitReached));
}

#[test]
fn the_confirmed_list_in_views_holds_members_on_the_roster_only() {
    let (mut room, anna, bram) = started();
    room.ok(anna, confirm(None));
    room.ok(bram, confirm(Some("BIG 2")));
    room.ok(room.f, Command::RemoveMember { member: bram });
    assert_eq!(room.view(anna).attendance.confirmed, vec![anna]);
    // The record still has Bram's confirmation.
    assert!(room.s.confirmation(bram).is_some());
}

#[test]
fn only_the_facilitator_confirms_the_list_and_only_once() {
    let (mut room, anna, _) = started();
    assert_eq!(
        room.code(anna, Command::ConfirmList {}),
        ErrorCode::NotFacilitator
    );
    room.ok(room.f, Command::EndSession {});
    assert_eq!(
        room.code(anna, Command::ConfirmList {}),
        ErrorCode::NotFacilitator
    );
    room.ok(room.f, Command::ConfirmList {});
    assert_eq!(room.view(anna).attendance.list_confirmed_at, Some(room.now));
    assert_eq!(
        room.code(room.f, Command::ConfirmList {}),
        ErrorCode::InvalidValue
    );
}

#[test]
fn the_record_is_not_tied_to_a_phase() {
    let (mut room, anna, _) = started();
    let old = room.stamp();
    room.ok(room.f, next());
    // A stale stamp closes phase-bound input, not the attendance record.
    assert_eq!(
        room.run(anna, Command::RaiseHand {}, Some(old))
            .map(|_| ())
            .unwrap_err()
            .code,
        ErrorCode::PhaseClosed
    );
    room.run(anna, confirm(None), Some(old)).expect("confirmed");
    room.run(anna, reflect("x"), Some(old)).expect("written");
}

#[test]
fn a_replay_rebuilds_confirmations_and_reflections() {
    let (mut room, anna, bram) = started();
    room.ok(anna, confirm(Some("BIG 1")));
    room.ok(bram, reflect("Goed gesprek."));
    room.ok(room.f, Command::EndSession {});
    room.ok(room.f, Command::ConfirmList {});
    let replayed = room.replay(room.s.params().clone());
    assert_eq!(replayed.reflection(bram), Some("Goed gesprek."));
    assert_eq!(
        replayed
            .confirmation(anna)
            .and_then(|c| c.registration.as_deref()),
        Some("BIG 1")
    );
    assert_eq!(replayed.list_confirmed_at(), room.s.list_confirmed_at());
    assert_eq!(
        replayed.view(Viewer::Member(anna)).attendance,
        room.view(anna).attendance
    );
}

fn set_minutes(member: MemberId, minutes: Option<u32>) -> Command {
    Command::SetMinutes { member, minutes }
}

#[test]
fn the_facilitator_corrects_minutes_and_confirms_the_list_again() {
    let (mut room, anna, bram) = started();
    assert_eq!(
        room.code(anna, set_minutes(bram, Some(90))),
        ErrorCode::NotFacilitator
    );
    room.ok(room.f, Command::ConfirmList {});
    let d = room.ok(room.f, set_minutes(bram, Some(90)));
    assert_eq!(room.s.minutes_set(bram), Some(90));
    // What members receive says whose minutes changed, not how many.
    assert_eq!(
        d.events[0].to_public(),
        Event::MinutesSet {
            member: bram,
            minutes: None
        }
    );
    assert_eq!(
        room.s.list_confirmed_at(),
        None,
        "a changed list is confirmed anew"
    );
    assert_eq!(
        room.code(room.f, set_minutes(bram, Some(90))),
        ErrorCode::InvalidValue
    );
    assert_eq!(
        room.code(room.f, set_minutes(bram, Some(1441))),
        ErrorCode::InvalidValue
    );
    assert_eq!(
        room.code(room.f, set_minutes(MemberId(99), Some(1))),
        ErrorCode::NoSuchMember
    );
    room.ok(room.f, Command::EndSession {});
    // After the end too, and back to the measured minutes with `null`.
    room.ok(room.f, set_minutes(bram, None));
    assert_eq!(room.s.minutes_set(bram), None);
    assert_eq!(room.s.minutes_set(anna), None);
}

#[test]
fn a_removed_members_minutes_can_be_set() {
    let (mut room, _, bram) = started();
    room.ok(room.f, Command::RemoveMember { member: bram });
    room.ok(room.f, set_minutes(bram, Some(30)));
    assert_eq!(room.s.minutes_set(bram), Some(30));
}

#[test]
fn the_record_names_every_case_its_case_bringer_and_everyone_who_led() {
    let mut room = Room::new("basic");
    let f = room.f;
    let carla = room.join("Carla");
    let anna = room.join("Anna");
    let piet = room.join("Piet");
    let eva = room.join("Eva");
    room.ok(
        f,
        Command::SetCaseBringer {
            member: Some(carla),
        },
    );
    room.ok(f, Command::StartSession {});
    room.ok(
        f,
        Command::SetCoFacilitator {
            member: eva,
            on: true,
        },
    );
    room.ok(
        f,
        Command::SetCoFacilitator {
            member: piet,
            on: true,
        },
    );
    room.ok(
        f,
        Command::StartCase {
            method: "incident".into(),
            case_bringer: Some(anna),
        },
    );
    // Eva's rights end, Piet (a co-facilitator) takes the role over.
    room.ok(
        f,
        Command::SetCoFacilitator {
            member: eva,
            on: false,
        },
    );
    room.ok(f, Command::HandFacilitator { member: piet });
    let rounds: Vec<(&str, Option<MemberId>)> = (room.s.case_rounds().into_iter())
        .map(|(method, cb)| (method.id.as_str(), cb))
        .collect();
    assert_eq!(rounds, [("basic", Some(carla)), ("incident", Some(anna))]);
    assert_eq!(room.s.facilitator_names(), ["Fenna", "Piet"]);
    assert_eq!(
        room.s.co_facilitator_names(),
        ["Eva"],
        "a co-facilitator stays on the record; one who took the role over is named as facilitator"
    );
    // A replay rebuilds the same.
    let replayed = room.replay(common::params("basic"));
    assert_eq!(replayed.facilitator_names(), ["Fenna", "Piet"]);
    assert_eq!(replayed.co_facilitator_names(), ["Eva"]);
}
