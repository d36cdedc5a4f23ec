//! The method rules of the case-bringer's private notepad and reactions, the chosen key
//! question, round order, one contribution per turn, several cases per meeting, the process
//! evaluation and self-led groups.

mod common;

use common::*;
use kring_engine::Viewer;
use kring_protocol::{Command, ErrorCode, Event, InputKind, Reaction, Role, Temperature};

fn started(
    method: &str,
) -> (
    Room,
    kring_protocol::MemberId,
    [kring_protocol::MemberId; 3],
) {
    started_with(common::params(method))
}

/// A started session of a group that keeps its carry-over for the next meeting.
fn started_keeping(
    method: &str,
) -> (
    Room,
    kring_protocol::MemberId,
    [kring_protocol::MemberId; 3],
) {
    let mut params = common::params(method);
    params.settings.keep_for_group = true;
    started_with(params)
}

fn started_with(
    params: kring_engine::SessionParams,
) -> (
    Room,
    kring_protocol::MemberId,
    [kring_protocol::MemberId; 3],
) {
    let mut room = Room::with_params(params);
    let cb = room.join("Carla");
    let ps = [room.join("Piet"), room.join("Anna"), room.join("Bram")];
    room.ok(room.f, Command::SetCaseBringer { member: Some(cb) });
    room.ok(room.f, Command::StartSession {});
    (room, cb, ps)
}

fn phase_of(room: &Room, id: &str) -> u16 {
    room.view(room.f)
        .method
        .phases
        .iter()
        .position(|p| p.id == id)
        .expect("phase") as u16
}

const WARM_USEFUL: Reaction = Reaction {
    temperature: Temperature::Warm,
    useful: true,
};

#[test]
fn the_listening_case_bringer_keeps_a_private_notepad() {
    let (mut room, cb, [p, ..]) = started("gossip");
    let f = room.f;
    // Not where the template does not allow it.
    let r = room.err(cb, submit(InputKind::Notepad, "Te vroeg"));
    assert_eq!((r.code, r.phases), (ErrorCode::PhaseForbids, vec![2]));
    room.ok(f, goto(2)); // gossip: the case-bringer listens
    assert_eq!(
        room.code(cb, submit(InputKind::Analysis, "Ik wil iets zeggen")),
        ErrorCode::CaseBringerListens
    );
    let note = room.ok(cb, submit(InputKind::Notepad, "Piet raakt iets: grenzen"));
    assert!(
        matches!(&note.events[0], Event::NoteTaken { note: Some(n) } if n.kind == InputKind::Notepad)
    );
    assert_eq!(
        room.code(p, submit(InputKind::Notepad, "Mag ik ook?")),
        ErrorCode::PhaseForbids
    );
    // Only the case-bringer ever sees it.
    assert_eq!(room.view(cb).me.notepad.len(), 1);
    for viewer in [Viewer::Member(f), Viewer::Member(p), Viewer::Screen] {
        let view = room.s.view(viewer);
        let json = serde_json::to_string(&view).expect("view serialises");
        assert!(!json.contains("grenzen"), "{viewer:?} sees the notepad");
    }
    let public = serde_json::to_string(&note.events[0].to_public()).expect("json");
    assert!(!public.contains("grenzen"));
    let summary = room.s.summary(0).expect("the case");
    assert_eq!(summary.notepad, vec!["Piet raakt iets: grenzen"]);
}

#[test]
fn reactions_are_private_to_the_case_bringer_until_shared() {
    let (mut room, cb, [p, a, _]) = started("basic");
    let f = room.f;
    room.ok(f, goto(2));
    let q = room.submit(p, InputKind::Question, "Wat wil je bereiken?");
    room.ok(f, goto(3));
    let analysis = room.submit(p, InputKind::Analysis, "Het gaat om loyaliteit.");
    room.ok(f, goto(4));
    let advice = room.submit(a, InputKind::Advice, "Bespreek het met je team.");
    for item in [q, analysis, advice] {
        room.ok(
            cb,
            Command::React {
                item,
                reaction: WARM_USEFUL,
            },
        );
    }
    let own = room.plant(InputKind::Commitment, cb, "Ik doe het");
    assert_eq!(
        room.code(
            cb,
            Command::React {
                item: own,
                reaction: WARM_USEFUL
            }
        ),
        ErrorCode::InvalidTarget
    );
    assert_eq!(
        room.code(
            p,
            Command::React {
                item: advice,
                reaction: WARM_USEFUL
            }
        ),
        ErrorCode::PhaseForbids
    );
    // Hers alone, in her own part of the view; the part every viewer shares holds none.
    assert_eq!(room.view(cb).me.reactions.len(), 3);
    assert!(room.view(cb).reactions.is_empty());
    for viewer in [Viewer::Member(f), Viewer::Member(p), Viewer::Screen] {
        let view = room.s.view(viewer);
        assert!(
            view.reactions.is_empty() && view.me.reactions.is_empty(),
            "{viewer:?}"
        );
    }
    // Every public event of the journal is silent about them.
    for (_, _, event) in &room.journal {
        if let Event::ItemReacted { .. } = event {
            assert_eq!(
                event.to_public(),
                Event::ItemReacted {
                    item: None,
                    reaction: None,
                    shared: false
                }
            );
        }
    }
    assert_eq!(
        room.code(p, Command::ShareReactions { shared: true }),
        ErrorCode::NotCaseBringer
    );
    room.ok(cb, Command::ShareReactions { shared: true });
    assert_eq!(room.s.view(Viewer::Screen).reactions.len(), 3);
    assert_eq!(room.view(p).reactions.len(), 3);
    assert_eq!(
        room.view(cb).reactions,
        room.view(p).reactions,
        "the same for everyone"
    );
    room.ok(cb, Command::ShareReactions { shared: false });
    assert!(room.s.view(Viewer::Screen).reactions.is_empty());
    assert_eq!(room.view(cb).me.reactions.len(), 3, "still hers");
    let summary = room.s.summary(0).expect("case");
    assert_eq!(summary.questions[0].reaction, WARM_USEFUL);
    assert_eq!(summary.analyses[0].reaction, WARM_USEFUL);
    assert_eq!(summary.advice[0].reaction, WARM_USEFUL);
    assert_replays(&room);
}

#[test]
fn revealed_notes_can_be_reacted_to_unrevealed_ones_not() {
    let (mut room, cb, [p, ..]) = started("incident");
    room.ok(room.f, goto(2));
    let note = room.submit(p, InputKind::PrivateNote, "Wie belde wie?");
    assert_eq!(
        room.code(
            cb,
            Command::React {
                item: note,
                reaction: WARM_USEFUL
            }
        ),
        ErrorCode::InvalidTarget
    );
    room.ok(room.f, Command::RevealNotes {});
    room.ok(
        cb,
        Command::React {
            item: note,
            reaction: WARM_USEFUL,
        },
    );
    assert_eq!(
        room.s.summary(0).expect("case").notes[0].reaction,
        WARM_USEFUL
    );
}

#[test]
fn the_case_bringer_chooses_the_key_question() {
    let (mut room, cb, [p, a, b]) = started("basic");
    let f = room.f;
    room.ok(f, goto(3)); // the core: proposals, then the case-bringer
    let round = room.view(f).round.expect("round").order;
    assert_eq!(round, vec![p, a, b, cb], "the case-bringer rewords last");
    let first = room.submit(p, InputKind::KeyQuestion, "Hoe houd ik grenzen?");
    let second = room.submit(a, InputKind::KeyQuestion, "Wat heb ik nodig?");
    assert_eq!(
        room.code(p, Command::ChooseKeyQuestion { item: first }),
        ErrorCode::NotCaseBringer
    );
    room.ok(cb, Command::ChooseKeyQuestion { item: second });
    assert_eq!(
        room.s.summary(0).expect("case").key_question.as_deref(),
        Some("Wat heb ik nodig?"),
        "the chosen one, not the last one posted"
    );
    room.ok(cb, Command::ChooseKeyQuestion { item: first });
    let view = room.view(p);
    assert!(
        view.items
            .iter()
            .find(|i| i.id == first)
            .expect("first")
            .chosen
    );
    assert!(
        !view
            .items
            .iter()
            .find(|i| i.id == second)
            .expect("second")
            .chosen
    );
    assert_eq!(view.cases[0].key_question, Some(first));
    // Writing their own is choosing it.
    room.submit(
        cb,
        InputKind::KeyQuestion,
        "Hoe zeg ik nee zonder schuldgevoel?",
    );
    room.submit(b, InputKind::KeyQuestion, "Een laat voorstel");
    assert_eq!(
        room.s.summary(0).expect("case").key_question.as_deref(),
        Some("Hoe zeg ik nee zonder schuldgevoel?")
    );
}

#[test]
fn a_statement_stays_under_its_real_author() {
    let (mut room, cb, _) = started("tietze");
    let f = room.f;
    room.ok(f, goto(1));
    room.submit(cb, InputKind::Statement, "Het begon in mei.");
    room.ok(f, goto(3));
    room.submit(f, InputKind::Statement, "We kiezen hypothesen.");
    let view = room.view(cb);
    let by: Vec<_> = view
        .items
        .iter()
        .filter(|i| i.kind == InputKind::Statement)
        .map(|i| i.by)
        .collect();
    assert_eq!(by, vec![Some(cb), Some(f)]);
    let told: Vec<_> = room
        .s
        .summary(0)
        .expect("case")
        .statements
        .into_iter()
        .map(|s| s.by_name)
        .collect();
    assert_eq!(told, vec!["Carla", "Fenna"]);
}

#[test]
fn round_order_comes_from_the_method_and_the_facilitator_can_reorder() {
    let (mut room, cb, [p, a, b]) = started("basic");
    let f = room.f;
    room.ok(f, goto(5)); // evaluation: the case-bringer first
    assert_eq!(room.view(f).round.expect("round").order, vec![cb, p, a, b]);
    room.ok(f, Command::NextSpeaker {});
    assert_eq!(
        room.code(f, Command::ReorderRound { order: vec![b, a] }),
        ErrorCode::InvalidValue
    );
    assert_eq!(
        room.code(
            p,
            Command::ReorderRound {
                order: vec![b, a, p]
            }
        ),
        ErrorCode::NotFacilitator
    );
    room.ok(
        f,
        Command::ReorderRound {
            order: vec![b, a, p],
        },
    );
    assert_eq!(room.view(f).round.expect("round").order, vec![cb, b, a, p]);
    assert_eq!(room.floor(), Some(p), "the floor stays where it is");
    room.ok(f, Command::NextSpeaker {});
    assert_eq!(room.floor(), Some(b));
    assert_replays(&room);
}

#[test]
fn one_contribution_per_turn_where_the_method_says_so() {
    let (mut room, cb, [p, a, _]) = started("incident");
    let f = room.f;
    let info = phase_of(&room, "information");
    room.ok(f, goto(info));
    assert_eq!(room.floor(), Some(p));
    let r = room.err(a, submit(InputKind::Question, "Wie was erbij?"));
    assert_eq!(r.code, ErrorCode::WaitYourTurn, "a's turn is coming");
    let q = room.submit(p, InputKind::Question, "Wie was erbij?");
    assert_eq!(
        room.code(p, submit(InputKind::Question, "En waar?")),
        ErrorCode::WaitYourTurn
    );
    room.ok(cb, answer(q, "De teamleider."));
    room.ok(f, Command::NextSpeaker {});
    let r = room.err(a, submit(InputKind::Question, "wie was erbij"));
    assert_eq!(r.code, ErrorCode::InvalidValue, "each question once");
    room.submit(a, InputKind::Question, "Wanneer was het?");
    // Elsewhere input is free as before.
    room.ok(f, goto(1 + info)); // analysis, free
    room.submit(a, InputKind::Analysis, "Eén");
    room.submit(a, InputKind::Analysis, "Twee");
}

#[test]
fn nobody_else_takes_the_floor_where_only_the_case_bringer_speaks() {
    let (mut room, cb, [p, ..]) = started("basic");
    let f = room.f;
    room.ok(f, goto(1));
    assert_eq!(room.floor(), Some(cb));
    let r = room.err(p, Command::RaiseHand {});
    assert_eq!(r.code, ErrorCode::PhaseForbids);
    assert!(!r.phases.contains(&1));
    assert_eq!(
        room.code(f, Command::GiveFloor { member: p }),
        ErrorCode::PhaseForbids
    );
    assert_eq!(
        room.code(f, Command::StartRound {}),
        ErrorCode::PhaseForbids
    );
    room.ok(f, Command::EndFloor {});
    room.ok(f, Command::GiveFloor { member: cb });
}

#[test]
fn a_meeting_holds_two_cases_each_with_its_own_summary() {
    let (mut room, carla, [piet, anna, _]) = started_keeping("basic");
    let f = room.f;
    room.ok(f, goto(1));
    room.submit(carla, InputKind::Statement, "Mijn eerste casus.");
    room.ok(f, goto(5));
    let c1 = room.submit(carla, InputKind::Commitment, "Ik bel maandag.");
    room.ok(
        carla,
        Command::CarryCommitment {
            item: c1,
            carry: true,
        },
    );
    assert_eq!(
        room.code(
            f,
            Command::StartCase {
                method: "nope".into(),
                case_bringer: None
            }
        ),
        ErrorCode::InvalidValue
    );
    assert_eq!(
        room.code(
            piet,
            Command::StartCase {
                method: "incident".into(),
                case_bringer: None
            }
        ),
        ErrorCode::NotFacilitator
    );
    let events = room
        .ok(
            f,
            Command::StartCase {
                method: "incident".into(),
                case_bringer: None,
            },
        )
        .events;
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::CaseRoundStarted { index: 1, .. }))
    );
    let view = room.view(f);
    assert_eq!((view.case_round, view.method.id.as_str()), (1, "incident"));
    assert_eq!(view.phase.expect("running").index, 0);
    assert_eq!(
        view.case_bringer, None,
        "the incident method chooses its case"
    );
    let case = room.submit(anna, InputKind::Case, "Een incident op de gang");
    room.ok(anna, Command::Vote { item: case });
    room.ok(
        f,
        Command::ChooseCase {
            case,
            keep_others: false,
        },
    );
    assert_eq!(room.view(f).case_bringer, Some(anna));
    room.ok(f, next());
    room.submit(anna, InputKind::Statement, "Het incident.");
    room.ok(f, goto(9));
    let c2 = room.submit(anna, InputKind::Commitment, "Ik vraag hulp.");
    room.ok(
        anna,
        Command::CarryCommitment {
            item: c2,
            carry: true,
        },
    );
    room.ok(f, Command::EndSession {});

    assert_eq!(room.s.rounds_brought_by(carla), vec![0]);
    assert_eq!(room.s.rounds_brought_by(anna), vec![1]);
    let first = room.s.summary(0).expect("first");
    let second = room.s.summary(1).expect("second");
    assert_eq!(first.statements[0].text, "Mijn eerste casus.");
    assert_eq!(first.commitments[0].text, "Ik bel maandag.");
    assert_eq!(second.statements[0].text, "Het incident.");
    assert_eq!(second.case.as_deref(), Some("Een incident op de gang"));
    assert_eq!(second.method_name, "Incidentmethode");
    let carried: Vec<_> = room
        .s
        .carry_over()
        .commitments
        .into_iter()
        .map(|c| c.by_name)
        .collect();
    assert_eq!(
        carried,
        vec!["Carla", "Anna"],
        "every case-bringer's commitments"
    );
    assert_eq!(room.s.methods_used(), vec!["basic", "incident"]);
    assert_replays(&room);
}

#[test]
fn troika_runs_all_three_rotations() {
    let mut room = Room::new("troika");
    let f = room.f;
    let trio = [room.join("Carla"), room.join("Piet"), room.join("Anna")];
    room.ok(
        f,
        Command::SetCaseBringer {
            member: Some(trio[0]),
        },
    );
    room.ok(f, Command::StartSession {});
    for (rotation, cb) in trio.iter().enumerate() {
        let view = room.view(f);
        assert_eq!(view.case_round as usize, rotation);
        assert_eq!(view.case_bringer, Some(*cb));
        room.submit(*cb, InputKind::Notepad, "Mijn vraag");
        for _ in 1..view.method.phases.len() {
            room.ok(f, next());
        }
        room.submit(*cb, InputKind::Commitment, "Mijn stap");
        if rotation < 2 {
            room.ok(f, next());
        }
    }
    assert_eq!(
        room.code(f, next()),
        ErrorCode::NoSuchPhase,
        "everyone had a turn"
    );
    for (round, cb) in trio.iter().enumerate() {
        assert_eq!(room.s.rounds_brought_by(*cb), vec![round as u16]);
        assert_eq!(
            room.s.summary(round as u16).expect("summary").notepad,
            vec!["Mijn vraag"]
        );
    }
    assert_eq!(room.s.methods_used(), vec!["troika"; 3]);
    assert_replays(&room);
}

#[test]
fn the_process_is_evaluated_anonymously_at_the_end_of_every_method() {
    let (mut room, cb, [p, a, _]) = started("basic");
    let f = room.f;
    let rate = |scores: Vec<u8>| Command::RateProcess {
        scores,
        remark: None,
    };
    let r = room.err(p, rate(vec![5, 4, 4, 3]));
    assert_eq!((r.code, r.phases), (ErrorCode::PhaseForbids, vec![5]));
    room.ok(f, goto(5));
    assert_eq!(
        room.code(f, rate(vec![5, 5, 5, 5])),
        ErrorCode::PhaseForbids,
        "not their own"
    );
    assert_eq!(room.code(p, rate(vec![5, 4, 4])), ErrorCode::InvalidValue);
    assert_eq!(
        room.code(p, rate(vec![6, 4, 4, 4])),
        ErrorCode::InvalidValue
    );
    room.ok(p, rate(vec![5, 4, 4, 3]));
    room.ok(p, rate(vec![4, 4, 4, 3])); // changed their mind: replaces
    room.ok(
        cb,
        Command::RateProcess {
            scores: vec![2, 0, 5, 4],
            remark: Some(" Te snel ".into()),
        },
    );
    // Two answers would tell the facilitator too much: only the count until the third.
    assert!(room.s.process_aggregates().is_empty());
    assert_eq!(room.view(f).cases[0].process_count, 2);
    let rated = room.ok(a, rate(vec![3, 3, 3, 3])).events;
    let public = serde_json::to_string(&rated[0].to_public()).expect("json");
    assert_eq!(
        public,
        r#"{"kind":"process_rated","case_round":0,"count":3}"#
    );
    let process = room.s.process_aggregates();
    assert_eq!(process.len(), 1);
    assert_eq!(process[0].count, 3);
    assert_eq!(process[0].sums, vec![9, 7, 12, 10]);
    assert_eq!(process[0].answered, vec![3, 2, 3, 3]);
    assert_eq!(process[0].remarks, vec!["Te snel"]);
    // In nobody's view, the facilitator's included: the view is what events can build.
    for viewer in [
        Viewer::Member(f),
        Viewer::Member(p),
        Viewer::Member(cb),
        Viewer::Screen,
    ] {
        let json = serde_json::to_string(&room.s.view(viewer)).expect("json");
        assert!(
            !json.contains("Te snel") && !json.contains("sums"),
            "{viewer:?}"
        );
    }
    assert_eq!(room.view(p).me.rated, vec![0]);
    assert_eq!(room.view(f).cases[0].process_count, 3);
    // Kept for the group as numbers only.
    let carried = room.s.carry_over();
    assert_eq!(carried.process.len(), 1);
    assert_eq!(carried.process[0].sums, vec![9, 7, 12, 10]);
    let json = serde_json::to_string(&carried).expect("json");
    assert!(!json.contains("Te snel"));
    assert_replays(&room);
}

#[test]
fn a_self_led_group_with_a_co_facilitator_and_a_new_facilitator() {
    let mut params = params("basic");
    params.settings.facilitator_takes_part = true;
    let mut room = Room::with_params(params);
    let f = room.f;
    let cb = room.join("Carla");
    let [p, a] = [room.join("Piet"), room.join("Anna")];
    room.ok(f, Command::SetCaseBringer { member: Some(cb) });
    room.ok(f, Command::StartSession {});
    room.ok(f, goto(2));
    assert_eq!(
        room.view(f).round.expect("round").order,
        vec![f, p, a],
        "takes turns"
    );
    room.submit(f, InputKind::Question, "Wat is je rol?");
    // A co-facilitator: facilitator rights, not a takeover.
    assert_eq!(
        room.code(p, Command::NextPhase {}),
        ErrorCode::NotFacilitator
    );
    room.ok(
        f,
        Command::SetCoFacilitator {
            member: p,
            on: true,
        },
    );
    room.ok(p, Command::NextPhase {});
    assert_eq!(
        room.view(f)
            .members
            .iter()
            .find(|m| m.id == p)
            .map(|m| m.co_facilitator),
        Some(true)
    );
    assert_eq!(
        room.code(p, Command::HandFacilitator { member: a }),
        ErrorCode::NotFacilitator
    );
    assert_eq!(
        room.code(
            p,
            Command::SetCoFacilitator {
                member: a,
                on: true
            }
        ),
        ErrorCode::NotFacilitator
    );
    assert_eq!(room.s.member_role(p), Some(Role::Participant));
    // Handing over.
    assert_eq!(
        room.code(f, Command::HandFacilitator { member: cb }),
        ErrorCode::InvalidValue
    );
    room.ok(f, Command::HandFacilitator { member: a });
    assert_eq!(room.s.member_role(a), Some(Role::Facilitator));
    assert_eq!(room.s.member_role(f), Some(Role::Participant));
    assert_eq!(
        room.code(f, Command::NextPhase {}),
        ErrorCode::NotFacilitator
    );
    room.ok(a, Command::NextPhase {});
    // The old facilitator's token still opens their own place, not the new facilitator's.
    let again = room
        .s
        .decide_join(
            &kring_engine::JoinAs::Facilitator { name: "F".into() },
            "f-hash",
            room.now,
        )
        .expect("joins");
    assert_eq!(again.member, f);
    assert_replays(&room);
}

#[test]
fn anonymous_posting_is_off_by_default() {
    let (mut room, _, [p, ..]) = started("basic");
    room.ok(room.f, goto(2));
    let anon = Command::Submit {
        input: InputKind::Question,
        text: "Wat wil je?".into(),
        reply_to: None,
        anonymous: true,
        confirm: false,
    };
    assert_eq!(room.code(p, anon), ErrorCode::AnonymityDisabled);
}

#[test]
fn only_commitments_with_consent_go_to_the_next_meeting() {
    // A session that keeps nothing for the group has nothing to consent to.
    let (mut room, cb, _) = started("basic");
    room.ok(room.f, goto(5));
    let mine = room.submit(cb, InputKind::Commitment, "Van mij alleen");
    let carry = Command::CarryCommitment {
        item: mine,
        carry: true,
    };
    assert_eq!(room.code(cb, carry), ErrorCode::InvalidValue);

    let (mut room, cb, [p, ..]) = started_keeping("basic");
    room.ok(room.f, goto(5));
    let yes = room.submit(cb, InputKind::Commitment, "Dit mag mee");
    room.submit(cb, InputKind::Commitment, "Dit blijft van mij");
    assert_eq!(
        room.code(
            p,
            Command::CarryCommitment {
                item: yes,
                carry: true
            }
        ),
        ErrorCode::NotAuthor
    );
    room.ok(
        cb,
        Command::CarryCommitment {
            item: yes,
            carry: true,
        },
    );
    assert_eq!(
        room.code(
            cb,
            Command::CarryCommitment {
                item: yes,
                carry: true
            }
        ),
        ErrorCode::InvalidValue
    );
    let carried: Vec<_> = room
        .s
        .carry_over()
        .commitments
        .into_iter()
        .map(|c| c.text)
        .collect();
    assert_eq!(carried, vec!["Dit mag mee"]);
}

/// The journal rebuilds the session exactly (case rounds, private state and all).
fn assert_replays(room: &Room) {
    let replayed = room.replay(room.s.params().clone());
    let mut original = room.s.clone();
    for m in room.s.online_members() {
        original.set_online(m, false);
    }
    assert_eq!(replayed, original, "the journal rebuilds the session");
}

#[test]
fn a_new_case_bringer_does_not_inherit_the_previous_ones_reactions() {
    let (mut room, cb, [p, a, _]) = started("basic");
    let f = room.f;
    room.ok(f, goto(2));
    let q = room.submit(p, InputKind::Question, "Wat wil je bereiken?");
    room.ok(
        cb,
        Command::React {
            item: q,
            reaction: WARM_USEFUL,
        },
    );
    room.ok(cb, Command::ShareReactions { shared: true });
    assert_eq!(room.view(a).reactions.len(), 1);
    // Another member brings this case after all: Carla's reactions were hers, not Anna's.
    room.ok(f, Command::SetCaseBringer { member: Some(a) });
    assert!(room.view(a).me.reactions.is_empty(), "not inherited");
    for viewer in [Viewer::Member(a), Viewer::Member(cb), Viewer::Screen] {
        assert!(room.s.view(viewer).reactions.is_empty(), "{viewer:?}");
    }
    assert!(
        !room.view(a).cases[0].reactions_shared,
        "Anna shares her own, if she wants"
    );
    assert!(room.s.summary(0).expect("case").questions[0].reaction == Reaction::default());
}

#[test]
fn a_reaction_goes_with_its_withdrawn_item() {
    let (mut room, cb, [p, ..]) = started("basic");
    room.ok(room.f, goto(2));
    let q = room.submit(p, InputKind::Question, "Wat wil je bereiken?");
    room.ok(
        cb,
        Command::React {
            item: q,
            reaction: WARM_USEFUL,
        },
    );
    room.ok(cb, Command::ShareReactions { shared: true });
    room.ok(p, Command::Withdraw { item: q });
    assert!(room.view(cb).me.reactions.is_empty());
    assert!(room.view(p).reactions.is_empty());
}
