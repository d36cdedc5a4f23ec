//! The rules one by one: joining, the lifecycle, time boxes, turns, boards, roles, views.

mod common;

use common::*;
use kring_engine::{JoinAs, Viewer, limits};
use kring_protocol::{
    Command, ErrorCode, Event, InputKind, MemberId, Reaction, Role, SessionStatus, Temperature,
    TriageStatus, Warning, WarningTally,
};

/// Basic model with a facilitator, a case-bringer and three participants, all present.
fn basic() -> (Room, MemberId, [MemberId; 3]) {
    let mut room = Room::new("basic");
    let cb = room.join("Carla");
    let ps = [room.join("Piet"), room.join("Anna"), room.join("Bram")];
    room.ok(room.f, Command::SetCaseBringer { member: Some(cb) });
    room.ok(room.f, Command::StartSession {});
    (room, cb, ps)
}

// ---------------------------------------------------------------- joining

#[test]
fn names_are_trimmed_and_checked() {
    let room = Room::new("basic");
    let join = |name: &str| {
        room.s
            .decide_join(&JoinAs::Member { name: name.into() }, "h", room.now)
    };
    let ok = join("  Anna  ").expect("valid");
    assert!(matches!(&ok.events[0], Event::MemberJoined { member, .. } if member.name == "Anna"));
    for bad in ["", "   ", &"x".repeat(41), "An\u{7}na", "An\nna"] {
        let r = join(bad).expect_err("invalid");
        assert_eq!(
            (r.code, r.field),
            (ErrorCode::InvalidName, Some("join.name"))
        );
    }
    assert!(join(&"é".repeat(40)).is_ok(), "40 characters, not bytes");
}

#[test]
fn a_locked_room_admits_only_the_facilitator() {
    let mut room = Room::new("basic");
    room.ok(room.f, Command::LockRoom { locked: true });
    let member = room.s.decide_join(
        &JoinAs::Member {
            name: "Late".into(),
        },
        "h",
        room.now,
    );
    assert_eq!(member.err().map(|r| r.code), Some(ErrorCode::RoomLocked));
    let again = room
        .s
        .decide_join(
            &JoinAs::Facilitator { name: "F".into() },
            "f-hash",
            room.now,
        )
        .expect("facilitator comes back");
    assert_eq!(again.member, room.f);
    assert!(again.events.is_empty());
    assert_eq!(room.s.member_by_token_hash("f-hash"), Some(room.f));
    room.ok(room.f, Command::LockRoom { locked: false });
    assert!(room.view(room.f).members.len() == 1 && !room.view(room.f).locked);
}

#[test]
fn a_full_room_refuses_new_members() {
    let mut room = Room::new("basic");
    for i in 1..limits::MAX_MEMBERS {
        room.join(&format!("P{i}"));
    }
    let r = room.s.decide_join(
        &JoinAs::Member {
            name: "One more".into(),
        },
        "h",
        room.now,
    );
    assert_eq!(r.err().map(|r| r.code), Some(ErrorCode::RoomFull));
}

#[test]
fn rename_checks_the_name() {
    let (mut room, _, [p, ..]) = basic();
    room.ok(
        p,
        Command::Rename {
            name: " Pieter ".into(),
        },
    );
    assert_eq!(room.view(p).members[2].name, "Pieter");
    let r = room.err(p, Command::Rename { name: "".into() });
    assert_eq!(
        (r.code, r.field),
        (ErrorCode::InvalidName, Some("command.name"))
    );
}

// ---------------------------------------------------------------- lifecycle

#[test]
fn phases_that_need_a_case_bringer_wait_for_one() {
    let mut room = Room::new("gossip");
    room.join("Piet");
    assert_eq!(
        room.code(room.f, Command::StartSession {}),
        ErrorCode::NoCaseBringer
    );
    let mut room = Room::new("basic");
    let p = room.join("Piet");
    room.ok(room.f, Command::StartSession {});
    assert_eq!(room.code(room.f, next()), ErrorCode::NoCaseBringer);
    let case = room.submit(p, InputKind::Case, "Mijn teamleider luistert niet");
    room.ok(
        room.f,
        Command::ChooseCase {
            case,
            keep_others: false,
        },
    );
    room.ok(room.f, next());
    assert_eq!(room.floor(), Some(p), "the case-bringer holds the floor");
}

#[test]
fn entering_a_phase_stamps_times_and_clears_turns() {
    let (mut room, cb, [p, a, b]) = basic();
    assert_eq!(room.phase(), (0, 1));
    let view = room.view(p);
    let phase = view.phase.expect("running");
    assert_eq!(phase.deadline, Some(room.now + 10 * 60_000));
    assert_eq!(view.status, SessionStatus::Running);
    room.ok(p, Command::RaiseHand {});
    room.ok(a, Command::RaiseHand {});
    room.ok(room.f, Command::NextSpeaker {});
    room.advance(5_000);
    let events = room.ok(room.f, next()).events;
    assert!(matches!(events[0], Event::FloorEnded { member, speaking_ms: 5_000 } if member == p));
    assert!(room.view(p).hands.is_empty());
    assert_eq!(room.floor(), Some(cb), "case_bringer_only");

    room.s.set_online(a, false);
    room.ok(room.f, next());
    let round = room.view(p).round.expect("a round phase");
    assert_eq!(
        round.order,
        vec![p, b],
        "join order, present only, no facilitator; the case-bringer answers, not in turn"
    );
    assert_eq!(room.floor(), Some(p));
    room.ok(room.f, Command::PrevPhase {});
    room.ok(room.f, next());
    assert_eq!(room.phase(), (2, 5), "going back is a new phase stamp too");
}

#[test]
fn phase_indices_outside_the_method_are_refused() {
    let (mut room, ..) = basic();
    assert_eq!(
        room.code(room.f, Command::PrevPhase {}),
        ErrorCode::NoSuchPhase
    );
    assert_eq!(room.code(room.f, goto(6)), ErrorCode::NoSuchPhase);
    assert_eq!(room.err(room.f, goto(6)).field, Some("command.index"));
    assert_eq!(room.code(room.f, goto(u16::MAX)), ErrorCode::NoSuchPhase);
    room.ok(room.f, goto(5));
    // `next_phase` has no index: the refusal names no field.
    let past_the_end = room.err(room.f, next());
    assert_eq!(
        (past_the_end.code, past_the_end.field),
        (ErrorCode::NoSuchPhase, None)
    );
    room.ok(room.f, Command::EndSession {});
    assert_eq!(room.s.status(), SessionStatus::Ended);
    assert_eq!(room.s.next_deadline(), None);
}

#[test]
fn time_up_is_announced_once_and_extending_rearms_it() {
    let (mut room, ..) = basic();
    let deadline = room.s.next_deadline().expect("a deadline");
    room.now = deadline - 1;
    assert!(room.tick().is_empty());
    room.now = deadline;
    assert_eq!(room.tick(), vec![Event::TimeUp { phase_seq: 1 }]);
    assert!(room.tick().is_empty(), "once");
    assert_eq!(room.s.next_deadline(), None);
    assert!(room.view(room.f).phase.expect("running").time_up);

    // Extending a time box that ran out counts from now.
    room.advance(60_000);
    room.ok(room.f, Command::ExtendTimer { seconds: 120 });
    assert_eq!(room.s.next_deadline(), Some(room.now + 120_000));
    assert!(!room.view(room.f).phase.expect("running").time_up);
    room.ok(room.f, Command::ExtendTimer { seconds: -60 });
    assert_eq!(room.s.next_deadline(), Some(room.now + 60_000));
    room.ok(room.f, Command::ExtendTimer { seconds: i32::MIN });
    assert_eq!(room.s.next_deadline(), Some(room.now), "never before now");
    room.ok(room.f, Command::ExtendTimer { seconds: i32::MAX });
    let r = room.err(room.f, Command::ExtendTimer { seconds: 0 });
    assert_eq!(
        (r.code, r.field),
        (ErrorCode::InvalidValue, Some("command.seconds"))
    );
}

#[test]
fn a_paused_clock_keeps_what_is_left_and_never_runs_out() {
    let (mut room, cb, [p, ..]) = basic();
    let deadline = room.s.next_deadline().expect("a deadline");
    room.advance(4 * 60_000);
    let left = deadline - room.now;
    room.ok(room.f, Command::PauseTimer { paused: true });
    let phase = room.view(p).phase.expect("running");
    assert_eq!((phase.deadline, phase.paused_left), (None, Some(left)));
    assert_eq!(room.s.next_deadline(), None, "no time-up while paused");
    room.advance(3_600_000);
    assert!(room.tick().is_empty());
    let r = room.err(room.f, Command::PauseTimer { paused: true });
    assert_eq!(
        (r.code, r.field),
        (ErrorCode::InvalidValue, Some("command.paused"))
    );
    // Changing the time while paused changes what is left; the pause stays.
    room.ok(room.f, Command::ExtendTimer { seconds: 60 });
    assert_eq!(room.view(p).phase.unwrap().paused_left, Some(left + 60_000));
    room.ok(room.f, Command::SetTimer { seconds: 300 });
    assert_eq!(room.view(p).phase.unwrap().paused_left, Some(300_000));
    room.ok(room.f, Command::PauseTimer { paused: false });
    let phase = room.view(cb).phase.expect("running");
    assert_eq!(
        (phase.deadline, phase.paused_left),
        (Some(room.now + 300_000), None)
    );
    assert_eq!(
        room.code(room.f, Command::PauseTimer { paused: false }),
        ErrorCode::InvalidValue,
        "resuming a running clock"
    );
    // Set to N minutes from now; then a time-up as usual.
    room.ok(room.f, Command::SetTimer { seconds: 120 });
    assert_eq!(room.s.next_deadline(), Some(room.now + 120_000));
    room.advance(120_000);
    assert_eq!(room.tick().len(), 1);
    assert_eq!(
        room.code(
            room.f,
            Command::SetTimer {
                seconds: 240 * 60 + 1
            }
        ),
        ErrorCode::InvalidValue
    );
    // A clock past its deadline pauses with nothing left.
    room.ok(room.f, Command::PauseTimer { paused: true });
    assert_eq!(room.view(p).phase.unwrap().paused_left, Some(0));
    // Only the facilitator, and a new phase starts a fresh, running clock.
    assert_eq!(
        room.code(p, Command::PauseTimer { paused: false }),
        ErrorCode::NotFacilitator
    );
    room.ok(room.f, next());
    let phase = room.view(p).phase.unwrap();
    assert!(phase.deadline.is_some() && phase.paused_left.is_none());
    let replayed = room.replay(params("basic"));
    assert_eq!(
        replayed.view(Viewer::Member(p)).phase,
        room.view(p).phase,
        "replayed alike"
    );
}

#[test]
fn a_turn_limit_holds_for_the_phase_and_is_checked() {
    let (mut room, _, [p, ..]) = basic();
    room.ok(room.f, goto(2));
    room.ok(room.f, Command::SetTurnLimit { seconds: Some(90) });
    assert_eq!(room.view(p).phase.unwrap().turn_limit, Some(90));
    for bad in [Some(0), Some(9), Some(3601), Some(90)] {
        let r = room.err(room.f, Command::SetTurnLimit { seconds: bad });
        assert_eq!(
            (r.code, r.field),
            (ErrorCode::InvalidValue, Some("command.seconds"))
        );
    }
    assert_eq!(
        room.code(p, Command::SetTurnLimit { seconds: None }),
        ErrorCode::NotFacilitator
    );
    room.ok(room.f, Command::SetTurnLimit { seconds: None });
    assert_eq!(room.view(p).phase.unwrap().turn_limit, None);
    room.ok(room.f, Command::SetTurnLimit { seconds: Some(60) });
    room.ok(room.f, next());
    assert_eq!(room.view(p).phase.unwrap().turn_limit, None, "per phase");
}

#[test]
fn dot_counts_are_revealed_once_per_phase() {
    let mut room = Room::new("basic");
    let p = room.join("Piet");
    room.ok(room.f, Command::StartSession {});
    assert!(!room.view(p).phase.unwrap().votes_revealed);
    assert_eq!(
        room.code(p, Command::RevealVotes {}),
        ErrorCode::NotFacilitator
    );
    room.ok(room.f, Command::RevealVotes {});
    assert!(room.view(p).phase.unwrap().votes_revealed);
    assert_eq!(
        room.code(room.f, Command::RevealVotes {}),
        ErrorCode::InvalidValue,
        "once"
    );
    let replayed = room.replay(params("basic"));
    assert_eq!(
        replayed.view(Viewer::Member(p)).phase,
        room.view(p).phase,
        "replayed alike"
    );
}

// ---------------------------------------------------------------- turns

#[test]
fn the_free_queue_keeps_order_and_counts_speaking_time() {
    let (mut room, _, [p, a, b]) = basic();
    let f = room.f;
    room.ok(a, Command::RaiseHand {});
    room.ok(p, Command::RaiseHand {});
    assert_eq!(
        room.code(p, Command::RaiseHand {}),
        ErrorCode::AlreadyInQueue
    );
    assert_eq!(room.code(b, Command::LowerHand {}), ErrorCode::NotInQueue);
    assert_eq!(room.view(b).hands, vec![a, p]);
    room.ok(f, Command::NextSpeaker {});
    assert_eq!(
        (room.floor(), room.view(b).hands.clone()),
        (Some(a), vec![p])
    );
    room.advance(30_000);
    room.ok(f, Command::NextSpeaker {});
    assert_eq!(room.floor(), Some(p));
    room.advance(10_000);
    room.ok(f, Command::GiveFloor { member: a });
    room.advance(5_000);
    room.ok(f, Command::EndFloor {});
    let view = room.view(f);
    let ms = |id| {
        view.members
            .iter()
            .find(|m| m.id == id)
            .expect("member")
            .speaking_ms
    };
    assert_eq!((ms(a), ms(p), ms(b)), (35_000, 10_000, 0));
    assert_eq!(
        room.err(f, Command::EndFloor {}).code,
        ErrorCode::InvalidValue
    );
    assert_eq!(room.code(f, Command::NextSpeaker {}), ErrorCode::NotInQueue);
    room.ok(b, Command::RaiseHand {});
    let events = room.ok(f, Command::GiveFloor { member: b }).events;
    assert!(events.contains(&Event::HandLowered { member: b }));
    assert_eq!(
        room.code(f, Command::GiveFloor { member: b }),
        ErrorCode::InvalidValue
    );
    assert_eq!(
        room.code(
            f,
            Command::GiveFloor {
                member: MemberId(77)
            }
        ),
        ErrorCode::NoSuchMember
    );
    room.ok(p, Command::RaiseHand {});
    room.ok(f, Command::SkipSpeaker { member: p });
    assert!(room.view(f).hands.is_empty());
    assert_eq!(
        room.code(f, Command::SkipSpeaker { member: p }),
        ErrorCode::NotInQueue
    );
}

#[test]
fn a_round_walks_the_order_with_passes_and_skips() {
    let (mut room, cb, [p, a, b]) = basic();
    let f = room.f;
    assert_eq!(room.code(p, Command::Pass {}), ErrorCode::NoRound);
    room.ok(f, goto(5)); // the evaluation: the case-bringer speaks first
    assert_eq!(room.view(f).round.expect("round").order, vec![cb, p, a, b]);
    assert_eq!(room.floor(), Some(cb));
    room.ok(f, Command::NextSpeaker {});
    assert_eq!(room.floor(), Some(p));
    room.ok(b, Command::Pass {}); // ahead of time
    assert_eq!(
        room.floor(),
        Some(p),
        "passing ahead does not take the floor"
    );
    room.ok(p, Command::Pass {}); // the current speaker passes
    assert_eq!(room.floor(), Some(a));
    assert_eq!(room.code(p, Command::Pass {}), ErrorCode::NotYourTurn);
    assert_eq!(room.code(f, Command::Pass {}), ErrorCode::NotYourTurn);
    room.ok(f, Command::SkipSpeaker { member: a });
    let round = room.view(f).round.expect("round");
    assert_eq!(round.done, vec![cb, b, p, a]);
    assert_eq!(round.passed, vec![b, p, a]);
    assert_eq!(room.floor(), None, "everyone had a turn");
    // The round is through: the queue takes over.
    room.ok(a, Command::RaiseHand {});
    room.ok(f, Command::NextSpeaker {});
    assert_eq!(room.floor(), Some(a));
    // A new round over who is present now.
    room.s.set_online(p, false);
    room.ok(f, Command::StartRound {});
    assert_eq!(room.view(f).round.expect("round").order, vec![cb, a, b]);
    assert_eq!(room.floor(), Some(cb));
}

#[test]
fn away_members_are_skipped_and_leave_turns_after_the_grace_period() {
    let (mut room, cb, [p, a, b]) = basic();
    let f = room.f;
    room.ok(f, goto(5));
    room.s.set_online(p, false);
    room.ok(f, Command::NextSpeaker {});
    assert_eq!(room.floor(), Some(a), "away member skipped, still pending");
    room.advance(2_000);
    // The speaker drops out; the server calls left_turns after the grace period.
    let events = room.s.left_turns_at(a, room.now);
    assert_eq!(
        events,
        vec![
            Event::FloorEnded {
                member: a,
                speaking_ms: 2_000
            },
            Event::LeftTurns { member: a }
        ]
    );
    room.apply(&events);
    let view = room.view(f);
    assert_eq!(view.round.expect("round").order, vec![cb, p, b]);
    assert!(!view.members.iter().find(|m| m.id == a).expect("a").in_turns);
    assert!(room.s.left_turns(a).is_empty(), "nothing left to leave");
    assert!(room.s.left_turns(b).len() == 1, "b is pending in the round");
    // Coming back.
    let back = room.s.rejoined_turns(a);
    assert_eq!(back, vec![Event::RejoinedTurns { member: a }]);
    room.apply(&back);
    assert!(room.s.rejoined_turns(a).is_empty());
    room.s.set_online(p, true);
    room.ok(f, Command::NextSpeaker {});
    assert_eq!(
        room.floor(),
        Some(p),
        "back before the round ended: gets the turn"
    );
}

#[test]
fn the_floor_skips_who_cannot_take_it_now() {
    let mut room = Room::new("gossip");
    let cb = room.join("Carla");
    let [p, a, b] = [room.join("Piet"), room.join("Anna"), room.join("Bram")];
    let f = room.f;
    room.ok(f, Command::SetCaseBringer { member: Some(cb) });
    room.ok(f, Command::StartSession {});
    room.ok(f, goto(2)); // gossip: free turns, the case-bringer listens
    room.ok(p, Command::RaiseHand {});
    room.ok(a, Command::RaiseHand {});
    room.ok(b, Command::RaiseHand {});
    room.s.set_online(p, false);
    room.ok(f, Command::SetCaseBringer { member: Some(a) });
    room.ok(f, Command::NextSpeaker {});
    assert_eq!(
        room.floor(),
        Some(b),
        "away and listening members are passed over"
    );
    assert_eq!(room.view(f).hands, vec![p, a]);
    // A round started earlier skips a case-bringer appointed while it runs.
    room.ok(f, Command::SetCaseBringer { member: Some(cb) });
    room.s.set_online(p, true);
    room.ok(f, Command::StartRound {});
    assert_eq!(room.view(f).round.expect("round").order, vec![p, a, b]);
    room.ok(f, Command::SetCaseBringer { member: Some(a) });
    room.ok(f, Command::NextSpeaker {});
    assert_eq!(room.floor(), Some(b));
}

#[test]
fn silent_and_listening_phases_limit_turn_taking() {
    let mut room = Room::new("incident");
    let cb = room.join("Carla");
    let p = room.join("Piet");
    room.ok(room.f, Command::SetCaseBringer { member: Some(cb) });
    room.ok(room.f, Command::StartSession {});
    room.ok(room.f, goto(2)); // silent
    let r = room.err(p, Command::RaiseHand {});
    assert_eq!(r.code, ErrorCode::PhaseForbids);
    // Not where only the case-bringer speaks (1, 7), nor in silence (2, 5).
    assert_eq!(r.phases, vec![0, 3, 4, 6, 8, 9]);
    assert_eq!(
        room.code(room.f, Command::StartRound {}),
        ErrorCode::PhaseForbids
    );
    room.ok(room.f, goto(4)); // analysis, the case-bringer listens
    assert_eq!(
        room.code(cb, Command::RaiseHand {}),
        ErrorCode::CaseBringerListens
    );
    assert_eq!(
        room.code(room.f, Command::GiveFloor { member: cb }),
        ErrorCode::CaseBringerListens
    );
    let q = room.plant(InputKind::Question, p, "Wie was erbij?");
    let triage = Command::Triage {
        item: q,
        status: TriageStatus::Parked,
    };
    assert_eq!(room.code(cb, triage), ErrorCode::CaseBringerListens);
    room.ok(p, Command::RaiseHand {});
}

// ---------------------------------------------------------------- boards

#[test]
fn answers_need_a_question_and_text_is_checked() {
    let (mut room, cb, [p, ..]) = basic();
    room.ok(room.f, goto(2));
    let q = room.submit(p, InputKind::Question, "  Wat maakt het zo lastig?  ");
    assert_eq!(
        room.view(p)
            .items
            .last()
            .and_then(|i| i.text.clone())
            .as_deref(),
        Some("Wat maakt het zo lastig?")
    );
    let missing = Command::Submit {
        input: InputKind::Answer,
        text: "Ja".into(),
        reply_to: None,
        anonymous: false,
        confirm: false,
    };
    let r = room.err(cb, missing);
    assert_eq!(
        (r.code, r.field),
        (ErrorCode::InvalidTarget, Some("command.reply_to"))
    );
    let case = room.plant(InputKind::Case, p, "Casus");
    assert_eq!(room.code(cb, answer(case, "Ja")), ErrorCode::InvalidTarget);
    assert_eq!(
        room.code(cb, answer(kring_protocol::ItemId(999), "Ja")),
        ErrorCode::NoSuchItem
    );
    let id = room
        .ok(cb, answer(q, "Dat ik alleen sta."))
        .item
        .expect("item");
    assert_eq!(
        room.view(p).items.last().map(|i| (i.id, i.reply_to)),
        Some((id, Some(q)))
    );
    let r = room.err(p, submit(InputKind::Question, " \n "));
    assert_eq!(
        (r.code, r.field),
        (ErrorCode::TextEmpty, Some("command.text"))
    );
    let r = room.err(p, submit(InputKind::Question, &"w".repeat(501)));
    assert_eq!(
        (r.code, r.field),
        (ErrorCode::TextTooLong, Some("command.text"))
    );
    room.submit(p, InputKind::Question, &format!("{}?", "w".repeat(499)));
    let r = room.err(p, submit(InputKind::Vote, "x"));
    assert_eq!(
        (r.code, r.field),
        (ErrorCode::InvalidValue, Some("command.input"))
    );
}

#[test]
fn per_member_limits_and_the_rate_limit() {
    let mut room = Room::new("gossip");
    let cb = room.join("Carla");
    let p = room.join("Piet");
    let a = room.join("Anna");
    room.ok(room.f, Command::SetCaseBringer { member: Some(cb) });
    room.ok(room.f, Command::StartSession {});
    room.ok(room.f, next());
    for i in 0..3 {
        room.advance(1_000);
        room.submit(
            p,
            InputKind::Question,
            &format!("Wat gebeurde er op dag {i}?"),
        );
    }
    let r = room.err(p, submit(InputKind::Question, "Hoe voelde dat?"));
    assert_eq!(r.code, ErrorCode::LimitReached);
    room.submit(a, InputKind::Question, "Hoe voelde dat?");
    // Going back does not grant new questions.
    room.ok(room.f, Command::PrevPhase {});
    room.ok(room.f, next());
    assert_eq!(
        room.code(p, submit(InputKind::Question, "En toen?")),
        ErrorCode::LimitReached
    );

    // Six submissions in ten seconds, then wait.
    let (mut room, _, [p, ..]) = basic();
    room.ok(room.f, goto(4 - 1)); // analysis: no per-member limit
    for i in 0..limits::SubmitLimit::default().max {
        room.advance(100);
        room.submit(p, InputKind::Analysis, &format!("Opvallend {i}"));
    }
    let r = room.err(p, submit(InputKind::Analysis, "Nog een"));
    assert_eq!(r.code, ErrorCode::RateLimited);
    assert_eq!(r.retry_after_ms, Some(10_000 - 500));
    room.advance(10_000 - 500);
    room.submit(p, InputKind::Analysis, "Nog een");
}

#[test]
fn a_member_cannot_fill_the_boards_for_everyone() {
    let (mut room, _, [p, a, ..]) = basic();
    room.ok(room.f, goto(4 - 1)); // analysis: no per-member limit
    for i in 0..limits::MAX_ITEMS_PER_MEMBER {
        room.advance(2_000);
        room.submit(p, InputKind::Analysis, &format!("Opvallend {i}"));
    }
    room.advance(60_000);
    let r = room.err(p, submit(InputKind::Analysis, "Nog een"));
    assert_eq!(r.code, ErrorCode::LimitReached);
    // The others can still write.
    room.submit(a, InputKind::Analysis, "Mijn eerste");
}

fn confirmed(kind: InputKind, text: &str) -> Command {
    Command::Submit {
        input: kind,
        text: text.into(),
        reply_to: None,
        anonymous: false,
        confirm: true,
    }
}

/// The words a warning points at, cut from the text as sent.
fn cue_words(text: &str, r: &kring_engine::Rejection) -> Vec<String> {
    let utf16: Vec<u16> = text.encode_utf16().collect();
    r.cues
        .iter()
        .map(|c| String::from_utf16_lossy(&utf16[c.start as usize..c.end as usize]))
        .collect()
}

#[test]
fn disguised_advice_needs_confirmation() {
    let (mut room, _, [p, ..]) = basic();
    room.ok(room.f, goto(2));
    let advice = "Heb je al eens geprobeerd om het gewoon te zeggen?";
    let r = room.err(p, submit(InputKind::Question, advice));
    assert_eq!(
        (r.code, r.field),
        (ErrorCode::AdviceLikeQuestion, Some("command.text"))
    );
    assert_eq!(r.code.category(), kring_protocol::Category::Confirm);
    assert_eq!(cue_words(advice, &r), ["Heb je al", "geprobeerd"]);
    assert!(room.view(p).items.is_empty(), "nothing recorded");
    room.ok(p, confirmed(InputKind::Question, advice));
    room.submit(p, InputKind::Question, "Wat maakt het voor jou zo lastig?");
}

#[test]
fn every_warning_of_the_question_round_and_sending_anyway() {
    let (mut room, _, [p, ..]) = basic();
    room.ok(room.f, goto(2));
    // (text, code, words): the spans count from the text as sent, leading spaces included.
    let cases: [(&str, ErrorCode, &[&str]); 6] = [
        (
            "  Je moet echt grenzen stellen.",
            ErrorCode::AdviceLikeStatement,
            &["Je moet"],
        ),
        (
            "You should talk to your manager.",
            ErrorCode::AdviceLikeStatement,
            &["You should"],
        ),
        (
            "Du musst da klare Grenzen setzen.",
            ErrorCode::AdviceLikeStatement,
            &["Du musst"],
        ),
        (
            "Why don’t you just tell him?",
            ErrorCode::AdviceLikeQuestion,
            &["Why don’t you"],
        ),
        (
            "Wäre es nicht besser, das aufzuschreiben?",
            ErrorCode::AdviceLikeQuestion,
            &["Wäre es nicht besser"],
        ),
        ("Wat een heftig verhaal.", ErrorCode::NotAQuestion, &[]),
    ];
    for (text, code, words) in cases {
        let r = room.err(p, submit(InputKind::Question, text));
        assert_eq!((r.code, r.field), (code, Some("command.text")), "{text}");
        assert_eq!(cue_words(text, &r), words, "{text}");
        assert!(r.phases.is_empty());
        room.advance(2_000);
        room.ok(p, confirmed(InputKind::Question, text));
        room.advance(2_000);
    }
    for text in [
        "Zou je misschien kunnen vertellen wat er toen gebeurde?",
        "Did you try to reach the GP that night?",
        "Haben Sie mit der Mutter gesprochen?",
        "Ik ben benieuwd hoe de moeder reageerde.",
    ] {
        room.advance(2_000);
        room.submit(p, InputKind::Question, text);
    }
}

#[test]
fn advice_in_an_analysis_is_warned_with_the_phase_where_advice_belongs() {
    let (mut room, _, [p, ..]) = basic();
    room.ok(room.f, goto(3)); // core: analysis; the advice round is phase 4
    for text in [
        "Ik denk dat ze bang is, dus ze moet eerst met haar teamleider praten.",
        "She should speak to occupational health.",
        "Sie sollte mal mit dem Betriebsarzt reden.",
    ] {
        let r = room.err(p, submit(InputKind::Analysis, text));
        assert_eq!(r.code, ErrorCode::AdviceInAnalysis, "{text}");
        assert_eq!(r.phases, vec![4], "{text}");
        assert!(!r.cues.is_empty(), "{text}");
        room.advance(2_000);
    }
    room.submit(
        p,
        InputKind::Analysis,
        "Mijn hypothese is dat de moeder zich niet gehoord voelt.",
    );
    room.advance(2_000);
    room.ok(
        p,
        confirmed(InputKind::Analysis, "Ze moet leren nee te zeggen."),
    );
}

#[test]
fn where_advice_is_welcome_an_analysis_that_advises_is_not_warned() {
    // The gossip method: analysis and advice share the gossip phase.
    let mut room = Room::new("gossip");
    let cb = room.join("Carla");
    let p = room.join("Piet");
    room.ok(room.f, Command::SetCaseBringer { member: Some(cb) });
    room.ok(room.f, Command::StartSession {});
    room.ok(room.f, goto(2));
    room.submit(
        p,
        InputKind::Analysis,
        "Volgens mij moet Carla gewoon een melding doen.",
    );
}

#[test]
fn the_facilitator_sees_how_often_warnings_were_shown_and_overridden_and_nothing_more() {
    let (mut room, cb, [p, a, _]) = basic();
    room.ok(room.f, goto(2));
    let advice = "Heb je de ouders al gebeld?";
    room.err(p, submit(InputKind::Question, advice));
    room.err(a, submit(InputKind::Question, advice));
    room.ok(p, confirmed(InputKind::Question, advice));
    room.err(a, submit(InputKind::Question, "Wat een verhaal."));
    // A confirmed text that needs no warning is no override.
    room.advance(2_000);
    room.ok(
        a,
        confirmed(InputKind::Question, "Wat maakt het zo lastig?"),
    );
    let tally = room.view(room.f).me.warnings;
    assert_eq!(
        tally,
        vec![
            WarningTally {
                warning: Warning::AdviceQuestion,
                shown: 2,
                sent_anyway: 1
            },
            WarningTally {
                warning: Warning::NotAQuestion,
                shown: 1,
                sent_anyway: 0
            },
        ]
    );
    for member in [p, a, cb] {
        assert!(
            room.view(member).me.warnings.is_empty(),
            "only the facilitator"
        );
    }
    // The tally is in the journal: a replay shows the same.
    let replayed = room.replay(params("basic"));
    assert_eq!(replayed.view(Viewer::Member(room.f)).me.warnings, tally);
}

#[test]
fn anonymity_hides_the_author_from_others_only() {
    let mut anonymous = params("basic");
    anonymous.settings.allow_anonymous = true;
    let mut room = Room::with_params(anonymous);
    let cb = room.join("Carla");
    let [p, a] = [room.join("Piet"), room.join("Anna")];
    room.ok(room.f, Command::SetCaseBringer { member: Some(cb) });
    room.ok(room.f, Command::StartSession {});
    room.ok(room.f, goto(2));
    let anon = Command::Submit {
        input: InputKind::Question,
        text: "Wat wil je zelf?".into(),
        reply_to: None,
        anonymous: true,
        confirm: false,
    };
    let id = room.ok(p, anon.clone()).item.expect("item");
    for viewer in [a, cb, room.f] {
        assert_eq!(room.view(viewer).items[0].by, None);
    }
    assert_eq!(room.view(p).me.items, vec![id]);
    assert!(room.view(a).me.items.is_empty());

    let mut params = params("basic");
    params.settings.allow_anonymous = false;
    let mut room = Room::with_params(params);
    let cb = room.join("Carla");
    let p = room.join("Piet");
    room.ok(room.f, Command::SetCaseBringer { member: Some(cb) });
    room.ok(room.f, Command::StartSession {});
    room.ok(room.f, goto(2));
    let r = room.err(p, anon);
    assert_eq!(
        (r.code, r.field),
        (ErrorCode::AnonymityDisabled, Some("command.anonymous"))
    );
}

#[test]
fn dots_upvotes_and_taking_them_back() {
    let (mut room, cb, [p, a, _]) = basic();
    let c1 = room.submit(p, InputKind::Case, "Casus één");
    let c2 = room.submit(a, InputKind::Case, "Casus twee");
    for item in [c1, c1, c2] {
        room.ok(p, Command::Vote { item });
    }
    assert_eq!(
        room.code(p, Command::Vote { item: c2 }),
        ErrorCode::VoteLimit
    );
    assert_eq!(room.view(p).me.votes, vec![c1, c1, c2]);
    room.ok(p, Command::Unvote { item: c1 });
    assert_eq!(room.view(a).items[0].votes, 1);
    room.ok(p, Command::Vote { item: c2 });
    assert_eq!(
        room.code(a, Command::Unvote { item: c1 }),
        ErrorCode::NotVoted
    );
    assert_eq!(
        room.code(
            p,
            Command::Vote {
                item: kring_protocol::ItemId(99)
            }
        ),
        ErrorCode::NoSuchItem
    );
    // The chosen case's proposer becomes the case-bringer; the old one a participant.
    let events = room
        .ok(
            room.f,
            Command::ChooseCase {
                case: c2,
                keep_others: true,
            },
        )
        .events;
    assert_eq!(
        events,
        vec![
            Event::RoleChanged {
                member: cb,
                role: Role::Participant
            },
            Event::RoleChanged {
                member: a,
                role: Role::CaseBringer
            },
            Event::CaseChosen {
                case: c2,
                case_bringer: a
            },
            Event::CaseKept {
                case: c1,
                keep: true
            },
        ]
    );
    assert_eq!(room.view(p).case_bringer, Some(a));
    assert_eq!(
        room.code(
            room.f,
            Command::KeepCase {
                case: c1,
                keep: true
            }
        ),
        ErrorCode::InvalidValue
    );
    room.ok(
        room.f,
        Command::KeepCase {
            case: c1,
            keep: false,
        },
    );

    // Upvotes on questions: one each, for whoever may ask questions now.
    room.ok(room.f, goto(2));
    let q = room.submit(p, InputKind::Question, "Wat wil jij bereiken?");
    room.ok(cb, Command::Vote { item: q });
    assert_eq!(
        room.code(cb, Command::Vote { item: q }),
        ErrorCode::VoteLimit
    );
    let r = room.err(a, Command::Vote { item: q });
    assert_eq!((r.code, r.phases), (ErrorCode::PhaseForbids, vec![]));
    assert_eq!(
        room.code(p, Command::Vote { item: c1 }),
        ErrorCode::PhaseForbids
    );
}

#[test]
fn triage_hide_react_and_withdraw() {
    let (mut room, cb, [p, a, _]) = basic();
    let f = room.f;
    room.ok(f, goto(2));
    let q = room.submit(p, InputKind::Question, "Wat wil je?");
    let triage = Command::Triage {
        item: q,
        status: TriageStatus::Answered,
    };
    assert_eq!(room.code(p, triage.clone()), ErrorCode::PhaseForbids);
    room.ok(cb, triage);
    assert_eq!(room.view(a).items[0].status, TriageStatus::Answered);

    room.ok(
        f,
        Command::HideItem {
            item: q,
            hidden: true,
        },
    );
    assert_eq!(room.view(a).items[0].text, None);
    assert_eq!(room.view(f).items[0].text.as_deref(), Some("Wat wil je?"));
    assert_eq!(
        room.code(
            f,
            Command::HideItem {
                item: q,
                hidden: true
            }
        ),
        ErrorCode::InvalidValue
    );
    let events = room
        .ok(
            f,
            Command::HideItem {
                item: q,
                hidden: false,
            },
        )
        .events;
    assert!(
        matches!(&events[0], Event::ItemHidden { restored: Some(item), .. }
        if item.text.as_deref() == Some("Wat wil je?") && !item.hidden)
    );

    // Withdraw: own item, same phase only.
    let mine = room.submit(a, InputKind::Question, "Wie nog meer?");
    assert_eq!(
        room.code(p, Command::Withdraw { item: mine }),
        ErrorCode::NotAuthor
    );
    room.ok(a, Command::Withdraw { item: mine });
    assert_eq!(
        room.code(a, Command::Withdraw { item: mine }),
        ErrorCode::NoSuchItem
    );
    let next_id = room.submit(a, InputKind::Question, "Wie nog meer wel?");
    assert!(next_id.0 > mine.0, "ids are never reused");
    room.ok(f, next());
    assert_eq!(
        room.code(a, Command::Withdraw { item: next_id }),
        ErrorCode::NotAuthor
    );

    // Reactions: on what is addressed to the case-bringer, by the case-bringer only, and
    // seen by nobody else.
    room.ok(f, goto(4));
    let advice = room.submit(p, InputKind::Advice, "Neem een dag vrij.");
    let react = |item| Command::React {
        item,
        reaction: NOT_FOR_ME,
    };
    let own = room.plant(InputKind::Statement, cb, "Mijn verhaal");
    assert_eq!(room.code(cb, react(own)), ErrorCode::InvalidTarget);
    assert_eq!(room.code(p, react(advice)), ErrorCode::PhaseForbids);
    room.ok(cb, react(advice));
    room.ok(cb, react(q));
    assert!(room.view(p).reactions.is_empty());
    assert_eq!(room.view(cb).me.reactions.len(), 2);
}

#[test]
fn private_notes_stay_private_until_revealed_all_at_once() {
    let mut room = Room::new("incident");
    let cb = room.join("Carla");
    let p = room.join("Piet");
    let a = room.join("Anna");
    let f = room.f;
    room.ok(f, Command::SetCaseBringer { member: Some(cb) });
    room.ok(f, Command::StartSession {});
    room.ok(f, goto(2));
    assert_eq!(room.code(f, Command::RevealNotes {}), ErrorCode::NoSuchItem);
    let n1 = room.submit(p, InputKind::PrivateNote, "Wie had dienst?");
    room.submit(a, InputKind::PrivateNote, "Hoe laat was het?");
    for viewer in [a, cb, f] {
        assert!(room.view(viewer).items.iter().all(|i| i.text.is_none()));
    }
    assert!(
        room.s
            .view(Viewer::Screen)
            .items
            .iter()
            .all(|i| i.text.is_none())
    );
    let mine = room.view(p).me.notes;
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].id, mine[0].text.as_deref()),
        (n1, Some("Wie had dienst?"))
    );
    let events = room.ok(f, Command::RevealNotes {}).events;
    assert!(matches!(&events[0], Event::NotesRevealed { notes } if notes.len() == 2));
    assert!(
        room.view(a)
            .items
            .iter()
            .all(|i| i.text.is_some() && i.revealed)
    );
    assert!(room.view(p).me.notes.is_empty());
}

// ---------------------------------------------------------------- roles and members

#[test]
fn roles_and_removal() {
    let (mut room, cb, [p, a, _]) = basic();
    let f = room.f;
    room.ok(
        f,
        Command::SetRole {
            member: p,
            role: Role::NoteTaker,
        },
    );
    assert_eq!(room.s.member_role(p), Some(Role::NoteTaker));
    for (member, role) in [
        (p, Role::NoteTaker),
        (cb, Role::Participant),
        (f, Role::NoteTaker),
        (a, Role::CaseBringer),
        (a, Role::Facilitator),
    ] {
        let r = room.err(f, Command::SetRole { member, role });
        assert_eq!(r.code, ErrorCode::InvalidValue, "{member} -> {role:?}");
    }
    assert_eq!(
        room.code(f, Command::SetCaseBringer { member: Some(f) }),
        ErrorCode::InvalidValue
    );
    assert_eq!(
        room.code(f, Command::SetCaseBringer { member: Some(cb) }),
        ErrorCode::InvalidValue
    );
    room.ok(f, Command::SetCaseBringer { member: None });
    assert_eq!(room.view(f).case_bringer, None);
    room.ok(f, Command::SetCaseBringer { member: Some(a) });

    room.ok(a, Command::RaiseHand {});
    room.ok(f, Command::NextSpeaker {});
    room.advance(1_000);
    assert_eq!(
        room.code(f, Command::RemoveMember { member: f }),
        ErrorCode::InvalidValue
    );
    let events = room.ok(f, Command::RemoveMember { member: a }).events;
    assert_eq!(
        events,
        vec![
            Event::FloorEnded {
                member: a,
                speaking_ms: 1_000
            },
            Event::MemberRemoved { member: a }
        ]
    );
    assert!(room.s.was_removed(a));
    assert_eq!(room.s.member_by_token_hash("hash-Anna"), None);
    assert_eq!(room.s.member_role(a), None);
    assert_eq!(room.view(f).case_bringer, None);
    assert_eq!(room.code(a, Command::RaiseHand {}), ErrorCode::NoSuchMember);
    assert_eq!(
        room.code(f, Command::RemoveMember { member: a }),
        ErrorCode::NoSuchMember
    );
    // A removed member's id is never reused.
    let z = room.join("Zoë");
    assert!(z.0 > a.0);
}

// ---------------------------------------------------------------- views and what lasts

#[test]
fn the_screen_and_presence_in_views() {
    let (mut room, _, [p, ..]) = basic();
    room.s.set_online(p, false);
    let view = room.s.view(Viewer::Screen);
    assert_eq!((view.me.member, view.me.role), (None, Role::Screen));
    assert!(!view.members.iter().find(|m| m.id == p).expect("p").online);
    assert_eq!(room.s.online_members().len(), 4);
    let mine = room.view(p);
    assert_eq!((mine.me.member, mine.me.role), (Some(p), Role::Participant));
}

#[test]
fn a_follow_up_meeting_opens_with_report_back_and_carries_over() {
    let mut keeping = params("basic");
    keeping.settings.keep_for_group = true;
    let mut room = Room::with_params(keeping);
    let cb = room.join("Carla");
    let [p, a, _] = [room.join("Piet"), room.join("Anna"), room.join("Bram")];
    room.ok(room.f, Command::SetCaseBringer { member: Some(cb) });
    room.ok(room.f, Command::StartSession {});
    let f = room.f;
    let c = room.submit(a, InputKind::Case, "Werkdruk in het team");
    room.ok(
        f,
        Command::KeepCase {
            case: c,
            keep: true,
        },
    );
    room.ok(f, goto(5));
    room.submit(
        cb,
        InputKind::Commitment,
        "Ik plan een gesprek met mijn leidinggevende.",
    );
    let hidden = room.submit(cb, InputKind::Commitment, "Weg ermee");
    room.submit(cb, InputKind::Commitment, "Niet voor de groep");
    let first = room.view(cb).me.items[0];
    for item in [first, hidden] {
        room.ok(cb, Command::CarryCommitment { item, carry: true });
    }
    room.ok(
        f,
        Command::HideItem {
            item: hidden,
            hidden: true,
        },
    );
    room.submit(p, InputKind::Reflection, "Fijne sessie");
    let carried = room.s.carry_over();
    assert_eq!(carried.previous_title, "Team Noord, maart");
    assert_eq!(carried.commitments.len(), 1);
    assert_eq!(carried.commitments[0].by_name, "Carla");
    assert_eq!(carried.kept_cases[0].text, "Werkdruk in het team");
    assert_eq!(carried.kept_cases[0].by_name, "Anna");

    let mut next_params = params("basic");
    next_params.report_back = Some(carried.clone());
    let mut next_room = Room::with_params(next_params);
    let phases = &next_room.s.params().method.phases;
    assert_eq!(phases.len(), 7);
    assert_eq!(phases[0].id, "report-back");
    assert_eq!(phases[0].name.nl, "Terugkoppeling");
    next_room.join("Piet");
    next_room.ok(next_room.f, Command::StartSession {});
    let view = next_room.view(next_room.f);
    assert_eq!(view.report_back, Some(carried));
    assert_eq!(view.method.phases[0].id, "report-back");
}

#[test]
fn the_summary_holds_the_case_bringers_harvest() {
    let (mut room, cb, [p, a, _]) = basic();
    let f = room.f;
    room.ok(f, goto(1));
    room.submit(cb, InputKind::Statement, "Mijn team mist deadlines.");
    room.ok(f, next());
    let q = room.submit(p, InputKind::Question, "Wat doe je nu al?");
    room.ok(cb, answer(q, "Ik herinner ze eraan."));
    room.ok(
        cb,
        Command::Triage {
            item: q,
            status: TriageStatus::Answered,
        },
    );
    let q2 = room.submit(a, InputKind::Question, "Wie besluit?");
    room.ok(
        f,
        Command::HideItem {
            item: q2,
            hidden: true,
        },
    );
    room.ok(f, next());
    room.submit(cb, InputKind::KeyQuestion, "Hoe krijg ik eigenaarschap?");
    room.ok(f, next());
    let adv = room.submit(p, InputKind::Advice, "Maak afspraken samen.");
    room.ok(
        cb,
        Command::React {
            item: adv,
            reaction: USEFUL,
        },
    );
    room.ok(
        cb,
        Command::React {
            item: q,
            reaction: Reaction {
                temperature: Temperature::Warm,
                useful: false,
            },
        },
    );
    room.ok(f, next());
    room.submit(cb, InputKind::Commitment, "Ik bespreek het maandag.");
    let summary = room.s.summary(0).expect("the first case");
    assert_eq!(summary.method_name, "Basismodel (vijfstappenmodel)");
    let told: Vec<_> = summary.statements.iter().map(|s| &s.text).collect();
    assert_eq!(told, vec!["Mijn team mist deadlines."]);
    assert_eq!(summary.statements[0].by_name, "Carla");
    assert_eq!(
        summary.key_question.as_deref(),
        Some("Hoe krijg ik eigenaarschap?")
    );
    assert_eq!(summary.questions.len(), 1, "hidden questions are left out");
    assert_eq!(summary.questions[0].answers, vec!["Ik herinner ze eraan."]);
    assert_eq!(summary.questions[0].reaction.temperature, Temperature::Warm);
    assert_eq!(summary.advice[0].reaction, USEFUL);
    let commitments: Vec<_> = summary.commitments.iter().map(|c| &c.text).collect();
    assert_eq!(commitments, vec!["Ik bespreek het maandag."]);
    assert_eq!(summary.date, T0);
}

#[test]
fn debug_output_never_shows_content() {
    let (mut room, ..) = basic();
    let p = room.join("Piet2");
    room.ok(room.f, goto(2));
    let secret = "directeur drinkt op het werk";
    let decision = room.ok(
        p,
        submit(InputKind::Question, &format!("Wat doe je als je {secret}?")),
    );
    let rejection = room.err(
        p,
        submit(
            InputKind::Question,
            &format!("Heb je al eens geprobeerd of de {secret}?"),
        ),
    );
    let mut with_report = params("basic");
    with_report.report_back = Some(kring_protocol::ReportBack {
        commitments: vec![kring_protocol::CarriedItem {
            text: secret.into(),
            by_name: "Carla".into(),
        }],
        ..report_back()
    });
    for text in [
        format!("{:?}", room.s),
        format!("{decision:?}"),
        format!("{rejection:?}"),
        format!("{:?}", room.s.summary(0).expect("the first case")),
        format!("{with_report:?}"),
    ] {
        assert!(
            !text.contains("directeur"),
            "content in debug output: {text}"
        );
    }
}

#[test]
fn joins_debug_without_names_or_token_hashes() {
    let room = Room::new("basic");
    let join = JoinAs::Member {
        name: "SECRET-NAME".into(),
    };
    let joined = room
        .s
        .decide_join(&join, "SECRET-HASH", room.now)
        .expect("joins");
    let shown = format!("{join:?} {joined:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
    assert!(shown.contains("member_joined"), "{shown}");
}

#[test]
fn names_without_visible_characters_or_with_format_characters_are_refused() {
    let mut room = Room::new("basic");
    let join = |room: &Room, name: &str| {
        room.s
            .decide_join(&JoinAs::Member { name: name.into() }, "h", room.now)
    };
    for bad in [
        "\u{200B}",
        "\u{3164}\u{3164}",
        "\u{2800}",
        "Anna\u{202E}droW",
        "An\u{200D}na",
        "\u{FEFF}Anna",
        "Anna\u{E0041}",
        "Ann\u{2066}a\u{2069}",
    ] {
        let r = join(&room, bad).expect_err(bad);
        assert_eq!(r.code, ErrorCode::InvalidName, "{bad:?}");
    }
    room.join("Anna");
    // The same name, in other case or with a look-alike letter, is someone else's.
    for confusable in ["Anna", "anna", "ANNA", "\u{410}nna", "Αnna"] {
        let r = join(&room, confusable).expect_err(confusable);
        assert_eq!(
            (r.code, r.field),
            (ErrorCode::NameTaken, Some("join.name")),
            "{confusable:?}"
        );
    }
    assert!(join(&room, "Anne").is_ok());
    let bram = room.join("Bram");
    let r = room.err(
        bram,
        Command::Rename {
            name: "ANNA".into(),
        },
    );
    assert_eq!(r.code, ErrorCode::NameTaken);
    let r = room.err(
        bram,
        Command::Rename {
            name: " Bram ".into(),
        },
    );
    assert_eq!(
        (r.code, r.field),
        (ErrorCode::InvalidValue, Some("command.name")),
        "a rename to the same name changes nothing"
    );
    room.ok(
        bram,
        Command::Rename {
            name: "bram".into(),
        },
    );
}

#[test]
fn item_text_may_hold_line_breaks_and_tabs_but_no_other_controls() {
    let (mut room, _, ps) = basic();
    room.ok(room.f, goto(2));
    let stamp = Some(room.stamp());
    let _ = stamp;
    let r = room.err(ps[0], submit(InputKind::Question, "Why\u{1}?"));
    assert_eq!(
        (r.code, r.field),
        (ErrorCode::InvalidValue, Some("command.text"))
    );
    for control in ["\r", "\u{1b}", "\u{7}"] {
        let r = room.err(
            ps[0],
            submit(InputKind::Question, &format!("Why{control}now?")),
        );
        assert_eq!(r.code, ErrorCode::InvalidValue, "{control:?}");
    }
    room.submit(ps[0], InputKind::Question, "Why\n\tnow?");
}

#[test]
fn seats_are_for_members_present_or_just_gone_and_the_roster_is_bounded() {
    let mut room = Room::new("basic");
    let mut members = Vec::new();
    for i in 1..limits::MAX_MEMBERS {
        members.push(room.join(&format!("P{i}")));
    }
    let one_more = |room: &Room, name: &str| {
        room.s
            .decide_join(&JoinAs::Member { name: name.into() }, "h", room.now)
            .err()
            .map(|r| r.code)
    };
    assert_eq!(one_more(&room, "Late"), Some(ErrorCode::RoomFull));
    // Everyone leaves; for a while their seats are kept (a phone that lost its network).
    for m in &members {
        room.s.set_presence(*m, false, room.now);
    }
    assert_eq!(one_more(&room, "Late"), Some(ErrorCode::RoomFull));
    room.advance(limits::SEAT_KEPT_MS);
    assert_eq!(
        one_more(&room, "Late"),
        None,
        "long gone: their seats are free"
    );
    // Joining and leaving fills the roster, not the seats; the roster has its own bound.
    for i in members.len()..limits::MAX_ROSTER - 1 {
        let m = room.join(&format!("Q{i}"));
        room.s.set_presence(m, false, 0);
    }
    assert_eq!(one_more(&room, "Late"), Some(ErrorCode::RoomFull));
    // The facilitator removes everyone offline: the roster is free again.
    let removed = room.ok(room.f, Command::RemoveOffline {});
    assert_eq!(removed.events.len(), limits::MAX_ROSTER - 1);
    assert_eq!(room.view(room.f).members.len(), 1);
    assert_eq!(one_more(&room, "Late"), None);
    assert_eq!(
        room.code(room.f, Command::RemoveOffline {}),
        ErrorCode::NoSuchMember,
        "nobody left to remove"
    );
}

#[test]
fn remove_and_lock_keeps_the_member_out_of_the_link_too() {
    let (mut room, _, [p, ..]) = basic();
    let d = room.ok(room.f, Command::RemoveAndLock { member: p });
    assert!(matches!(
        d.events.as_slice(),
        [
            Event::MemberRemoved { .. },
            Event::RoomLocked { locked: true }
        ]
    ));
    let r = room
        .s
        .decide_join(
            &JoinAs::Member {
                name: "Piet".into(),
            },
            "h",
            room.now,
        )
        .err()
        .map(|r| r.code);
    assert_eq!(r, Some(ErrorCode::RoomLocked));
    let p2 = room.view(room.f).members[1].id;
    let d = room.ok(room.f, Command::RemoveAndLock { member: p2 });
    assert_eq!(d.events.len(), 1, "already locked");
}

#[test]
fn renames_are_limited_in_rate_and_number() {
    let (mut room, _, [p, ..]) = basic();
    room.ok(p, Command::Rename { name: "P0".into() });
    let r = room.err(p, Command::Rename { name: "P1".into() });
    assert_eq!(r.code, ErrorCode::RateLimited);
    assert_eq!(r.retry_after_ms, Some(limits::RENAME_INTERVAL_MS));
    for i in 1..limits::MAX_RENAMES {
        room.advance(limits::RENAME_INTERVAL_MS);
        room.ok(
            p,
            Command::Rename {
                name: format!("P{i}"),
            },
        );
    }
    room.advance(limits::RENAME_INTERVAL_MS);
    let r = room.err(
        p,
        Command::Rename {
            name: "Last".into(),
        },
    );
    assert_eq!(r.code, ErrorCode::LimitReached);
}

#[test]
fn a_room_records_a_bounded_number_of_events() {
    let (mut room, _, [p, ..]) = basic();
    while room.s.seq() < limits::MAX_EVENTS_PER_ROOM {
        let hand = if room.view(p).hands.contains(&p) {
            Command::LowerHand {}
        } else {
            Command::RaiseHand {}
        };
        room.ok(p, hand);
    }
    assert_eq!(room.code(p, Command::RaiseHand {}), ErrorCode::LimitReached);
    let r = room
        .s
        .decide_join(
            &JoinAs::Member {
                name: "Late".into(),
            },
            "h",
            room.now,
        )
        .err()
        .map(|r| r.code);
    assert_eq!(r, Some(ErrorCode::RoomFull));
    // The facilitator can still steer, and end the session in any case.
    room.ok(room.f, Command::ExtendTimer { seconds: 60 });
    room.ok(room.f, Command::EndSession {});
}

#[test]
fn a_session_past_its_age_ends() {
    let (mut room, _, _) = basic();
    let events = room.s.expire(room.now);
    assert!(matches!(events.last(), Some(Event::SessionEnded {})));
    room.apply(&events);
    assert!(room.s.expire(room.now).is_empty());
}
