//! Complete sessions driven through decide/apply: a facilitator, a case-bringer and four
//! participants, including input that arrives in the wrong phase.

mod common;

use common::*;
use kring_engine::Viewer;
use kring_protocol::{Command, ErrorCode, Event, InputKind, MemberId, SessionStatus, TriageStatus};

fn forbids(room: &mut Room, actor: MemberId, command: Command, phases: &[u16]) {
    let name = command.name();
    let r = room.err(actor, command);
    assert_eq!(
        (r.code, r.phases.as_slice()),
        (ErrorCode::PhaseForbids, phases),
        "{name} by {actor}"
    );
}

/// The round's speakers, moved on by the facilitator, until the round is through.
fn walk_round(room: &mut Room) -> Vec<MemberId> {
    let mut spoke = Vec::new();
    while let Some(member) = room.floor() {
        spoke.push(member);
        room.advance(20_000);
        let stamp = room.stamp();
        room.run(room.f, Command::NextSpeaker {}, Some(stamp))
            .expect("next speaker");
    }
    spoke
}

fn assert_replays(room: &Room) {
    let replayed = room.replay(params(&room.s.params().method.id));
    let mut original = room.s.clone();
    for m in room.s.online_members() {
        original.set_online(m, false);
    }
    assert_eq!(replayed, original, "the journal rebuilds the session");
}

#[test]
fn a_complete_basic_model_session() {
    let mut room = Room::new("basic");
    let f = room.f;
    let carla = room.join("Carla");
    let piet = room.join("Piet");
    let anna = room.join("Anna");
    let bram = room.join("Bram");
    let dirk = room.join("Dirk");
    let everyone = [carla, piet, anna, bram, dirk];

    // Lobby: nothing can be posted yet.
    assert_eq!(
        room.code(piet, submit(InputKind::Case, "Een casus")),
        ErrorCode::NotStarted
    );
    room.ok(f, Command::StartSession {});

    // 0. Case inventory and dot voting.
    let carla_case = room.submit(carla, InputKind::Case, "Een ouder die mij steeds passeert.");
    let bram_case = room.submit(bram, InputKind::Case, "Te veel vergaderingen.");
    forbids(&mut room, piet, submit(InputKind::Advice, "Zeg nee."), &[4]);
    for voter in everyone {
        room.ok(voter, Command::Vote { item: carla_case });
    }
    room.ok(piet, Command::Vote { item: bram_case });
    assert_eq!(room.view(f).items[0].votes, 5);
    room.ok(
        f,
        Command::ChooseCase {
            case: carla_case,
            keep_others: true,
        },
    );
    assert_eq!(room.view(anna).case_bringer, Some(carla));
    let participants = [piet, anna, bram, dirk];

    // 1. The question is introduced; only the case-bringer posts and holds the floor.
    let stamp = room.stamp();
    room.run(f, Command::NextPhase {}, Some(stamp))
        .expect("next");
    let stale_stamp = room.stamp();
    assert_eq!(room.floor(), Some(carla));
    room.submit(
        carla,
        InputKind::Statement,
        "Een moeder mailt de directie over elk cijfer.",
    );
    forbids(
        &mut room,
        anna,
        submit(InputKind::Question, "Sinds wanneer?"),
        &[2],
    );

    // 2. Exploring: a round of open questions; the case-bringer answers them, without a turn
    // of her own.
    room.ok(f, Command::NextPhase {});
    let round = room.view(f).round.expect("round").order;
    assert_eq!(round, vec![piet, anna, bram, dirk]);
    let late = room.run(
        dirk,
        submit(InputKind::Question, "Wat vind je ervan?"),
        Some(stale_stamp),
    );
    assert_eq!(late.err().map(|r| r.code), Some(ErrorCode::PhaseClosed));
    let mut questions = Vec::new();
    for (i, p) in participants.iter().enumerate() {
        let q = room.submit(
            *p,
            InputKind::Question,
            &format!("Wat gebeurde er in week {i}?"),
        );
        room.ok(carla, answer(q, "Dat weet ik nog goed."));
        questions.push(q);
    }
    let r = room.err(
        anna,
        submit(
            InputKind::Question,
            "Heb je al eens geprobeerd haar te bellen?",
        ),
    );
    assert_eq!(r.code, ErrorCode::AdviceLikeQuestion);
    room.submit(anna, InputKind::Question, "Wat doet dat met je?");
    forbids(
        &mut room,
        piet,
        submit(InputKind::Advice, "Bel haar."),
        &[4],
    );
    room.ok(piet, Command::Vote { item: questions[1] });
    room.ok(
        carla,
        Command::Triage {
            item: questions[1],
            status: TriageStatus::Answered,
        },
    );
    assert_eq!(walk_round(&mut room), round);
    let view = room.view(f);
    assert!(
        view.members
            .iter()
            .filter(|m| m.id != f && m.id != carla)
            .all(|m| m.speaking_ms == 20_000)
    );

    // The time box runs out; the room announces it and the facilitator extends.
    room.now = room.s.next_deadline().expect("deadline");
    assert_eq!(room.tick().len(), 1);
    room.ok(f, Command::ExtendTimer { seconds: 300 });

    // 3. The core: analyses and the reworded key question.
    room.ok(f, Command::NextPhase {});
    for p in participants {
        room.submit(p, InputKind::Analysis, "Het gaat om grenzen stellen.");
    }
    room.submit(
        carla,
        InputKind::KeyQuestion,
        "Hoe stel ik een grens zonder de relatie te schaden?",
    );
    forbids(&mut room, carla, submit(InputKind::Advice, "x"), &[]);

    // 4. Advice round with reactions.
    room.ok(f, Command::NextPhase {});
    let mut advice = Vec::new();
    for p in participants {
        advice.push(room.submit(p, InputKind::Advice, "Plan een vast overlegmoment."));
    }
    room.ok(
        carla,
        Command::React {
            item: advice[0],
            reaction: USEFUL,
        },
    );
    room.ok(
        carla,
        Command::React {
            item: advice[1],
            reaction: NOT_FOR_ME,
        },
    );
    forbids(
        &mut room,
        piet,
        Command::React {
            item: advice[0],
            reaction: NOT_FOR_ME,
        },
        &[],
    );
    forbids(
        &mut room,
        carla,
        submit(InputKind::Commitment, "Ik bel haar."),
        &[5],
    );

    // 5. Evaluation.
    room.ok(f, Command::NextPhase {});
    room.submit(
        carla,
        InputKind::Commitment,
        "Ik plan maandag een gesprek met de moeder.",
    );
    room.submit(
        carla,
        InputKind::Reflection,
        "Ik zie nu mijn eigen aandeel.",
    );
    for p in participants {
        room.submit(p, InputKind::Reflection, "Goede vragen vandaag.");
    }
    assert_eq!(room.code(f, Command::NextPhase {}), ErrorCode::NoSuchPhase);
    room.ok(f, Command::EndSession {});
    assert_eq!(room.s.status(), SessionStatus::Ended);
    assert_eq!(
        room.code(piet, submit(InputKind::Reflection, "Nog iets")),
        ErrorCode::SessionEnded
    );

    let summary = room.s.summary(0).expect("the first case");
    assert_eq!(
        summary.case.as_deref(),
        Some("Een ouder die mij steeds passeert.")
    );
    assert_eq!(summary.questions.len(), 5);
    assert_eq!(summary.advice.len(), 4);
    assert_eq!(summary.commitments.len(), 1);
    let carried = room.s.carry_over();
    assert_eq!(carried.kept_cases.len(), 1);
    assert_eq!(carried.kept_cases[0].by_name, "Bram");
    assert_eq!(room.s.view(Viewer::Screen).status, SessionStatus::Ended);
    assert_replays(&room);
}

#[test]
fn a_complete_gossip_session() {
    let mut room = Room::new("gossip");
    let f = room.f;
    let carla = room.join("Carla");
    let participants = [
        room.join("Piet"),
        room.join("Anna"),
        room.join("Bram"),
        room.join("Dirk"),
    ];
    let [piet, anna, bram, dirk] = participants;

    // No case inventory in this method: the facilitator names the case-bringer.
    assert_eq!(
        room.code(f, Command::StartSession {}),
        ErrorCode::NoCaseBringer
    );
    room.ok(
        f,
        Command::SetCaseBringer {
            member: Some(carla),
        },
    );
    room.ok(f, Command::StartSession {});

    // 0. The case-bringer introduces the question.
    assert_eq!(room.floor(), Some(carla));
    room.submit(
        carla,
        InputKind::Statement,
        "Mijn nieuwe collega neemt mijn werk over.",
    );
    room.submit(
        carla,
        InputKind::KeyQuestion,
        "Hoe houd ik mijn plek in het team?",
    );
    forbids(
        &mut room,
        piet,
        submit(InputKind::Question, "Sinds wanneer?"),
        &[1],
    );

    // 1. Exploration: at most three questions each, in a round (the case-bringer answers).
    room.ok(f, Command::NextPhase {});
    assert_eq!(
        room.view(f).round.expect("round").order,
        vec![piet, anna, bram, dirk]
    );
    for p in participants {
        for n in 0..3 {
            room.advance(2_000);
            let q = room.submit(
                p,
                InputKind::Question,
                &format!("Wat merk je daarvan, {n}?"),
            );
            room.ok(carla, answer(q, "Vooral in overleggen."));
        }
    }
    assert_eq!(
        room.code(piet, submit(InputKind::Question, "En verder?")),
        ErrorCode::LimitReached
    );
    forbids(
        &mut room,
        anna,
        submit(InputKind::Advice, "Praat met haar."),
        &[2],
    );

    // 2. Gossip: the case-bringer turns away and only listens.
    room.advance(5 * 60_000);
    room.ok(f, Command::NextPhase {});
    assert_eq!(room.view(f).round, None);
    for command in [
        submit(InputKind::Answer, "Maar..."),
        Command::RaiseHand {},
        Command::Vote {
            item: kring_protocol::ItemId(3),
        },
    ] {
        assert_eq!(room.code(carla, command), ErrorCode::CaseBringerListens);
    }
    room.ok(bram, Command::RaiseHand {});
    room.ok(anna, Command::RaiseHand {});
    room.ok(f, Command::NextSpeaker {});
    assert_eq!(room.floor(), Some(bram));
    room.submit(
        bram,
        InputKind::Analysis,
        "Zij lijkt bang om overbodig te worden.",
    );
    let a1 = room.submit(
        anna,
        InputKind::Advice,
        "Ze zou haar collega kunnen inwerken.",
    );
    let a2 = room.submit(
        dirk,
        InputKind::Advice,
        "Ze kan haar taken op papier zetten.",
    );
    let a3 = room.submit(
        piet,
        InputKind::Advice,
        "Ze kan het met de teamleider bespreken.",
    );

    // 3. Response and harvest: the case-bringer reacts and commits.
    room.advance(5 * 60_000);
    room.ok(f, Command::NextPhase {});
    assert_eq!(room.floor(), Some(carla));
    room.ok(
        carla,
        Command::React {
            item: a1,
            reaction: USEFUL,
        },
    );
    room.ok(
        carla,
        Command::React {
            item: a2,
            reaction: NOT_FOR_ME,
        },
    );
    room.ok(
        carla,
        Command::React {
            item: a3,
            reaction: USEFUL,
        },
    );
    room.submit(
        carla,
        InputKind::Commitment,
        "Ik bied aan haar in te werken.",
    );
    forbids(
        &mut room,
        dirk,
        submit(InputKind::Advice, "Nog één ding"),
        &[2],
    );

    // 4. Evaluation round.
    room.advance(5 * 60_000);
    room.ok(f, Command::NextPhase {});
    for member in [carla, piet, anna, bram, dirk] {
        room.submit(
            member,
            InputKind::Reflection,
            "Spannend om te horen, maar nuttig.",
        );
    }
    assert_eq!(walk_round(&mut room).len(), 5);
    room.ok(f, Command::EndSession {});

    let summary = room.s.summary(0).expect("the first case");
    assert_eq!(summary.questions.len(), 12);
    assert!(summary.questions.iter().all(|q| q.answers.len() == 1));
    let useful: Vec<_> = summary
        .advice
        .iter()
        .filter(|a| a.reaction == USEFUL)
        .collect();
    assert_eq!(useful.len(), 2);
    let commitments: Vec<_> = summary.commitments.iter().map(|c| &c.text).collect();
    assert_eq!(commitments, vec!["Ik bied aan haar in te werken."]);
    let ended = room.journal.last().map(|(_, _, e)| e.clone());
    assert_eq!(ended, Some(Event::SessionEnded {}));
    assert_replays(&room);
}

/// Every built-in method, phase by phase: each member posts what the phase allows them, the
/// facilitator walks each round and reveals notes, and the session ends cleanly.
#[test]
fn every_builtin_method_runs_from_start_to_end() {
    for method in kring_engine::methods::builtin() {
        let mut room = Room::new(&method.id);
        let f = room.f;
        let carla = room.join("Carla");
        let members = [
            carla,
            room.join("Piet"),
            room.join("Anna"),
            room.join("Bram"),
            room.join("Dirk"),
        ];
        room.ok(
            f,
            Command::SetCaseBringer {
                member: Some(carla),
            },
        );
        room.ok(f, Command::StartSession {});
        for (index, phase) in method.phases.iter().enumerate() {
            if index > 0 {
                room.advance(u64::from(phase.minutes) * 60_000);
                room.ok(f, Command::NextPhase {});
            }
            assert_eq!(room.phase().0, index as u16);
            // The case-bringer last: answers and reactions need something to answer.
            for member in std::iter::once(f)
                .chain(members[1..].iter().copied())
                .chain([carla])
            {
                let role = room.s.member_role(member).expect("member");
                let kinds = phase.allowed(role).to_vec();
                if phase.one_per_turn && role != kring_protocol::Role::CaseBringer {
                    // One contribution per turn: each writes while holding the floor.
                    while let Some(holder) = room.floor() {
                        let role = room.s.member_role(holder).expect("member");
                        let kinds = phase.allowed(role).to_vec();
                        let text = format!("Wat deed {holder} als eerste?");
                        room.run(holder, submit(kinds[0], &text), Some(room.stamp()))
                            .unwrap_or_else(|r| panic!("{}: {:?}", phase.id, r.code));
                        if let Some(second) = kinds.get(1) {
                            let r = room.err(holder, submit(*second, "Nog een."));
                            assert_eq!(r.code, ErrorCode::WaitYourTurn, "one per turn");
                        }
                        room.ok(f, Command::NextSpeaker {});
                    }
                    continue;
                }
                for kind in kinds {
                    let items = room.view(f).items;
                    let find = |k: InputKind| items.iter().find(|i| i.kind == k).map(|i| i.id);
                    let command = match kind {
                        InputKind::Vote => Command::Vote {
                            item: find(InputKind::Case).expect("a case to vote on"),
                        },
                        InputKind::Reaction => Command::React {
                            item: find(InputKind::Advice).expect("advice to react to"),
                            reaction: USEFUL,
                        },
                        InputKind::Answer => answer(
                            find(InputKind::Question).expect("a question to answer"),
                            "Zo ging het.",
                        ),
                        InputKind::Question => submit(kind, "Wat maakt het lastig voor je?"),
                        _ => submit(kind, "Een bijdrage."),
                    };
                    if let Err(r) = room.run(member, command, Some(room.stamp())) {
                        panic!(
                            "{}/{}: {role:?} {kind:?}: {:?}",
                            method.id, phase.id, r.code
                        );
                    }
                }
            }
            if room.view(f).round.is_some() && !phase.one_per_turn {
                let spoke = walk_round(&mut room);
                assert!(!spoke.is_empty(), "{}/{}", method.id, phase.id);
            }
        }
        if room
            .view(f)
            .items
            .iter()
            .any(|i| i.kind == InputKind::PrivateNote)
        {
            room.ok(f, Command::RevealNotes {});
        }
        room.ok(f, Command::EndSession {});
        assert_eq!(room.s.status(), SessionStatus::Ended, "{}", method.id);
        assert_replays(&room);
    }
}
