//! Every built-in method, end to end through the real server: a facilitator, a case-bringer
//! and four participants walk every phase, submit what the phase allows, and have what it
//! forbids refused with the documented code.

use kring_protocol::*;
use kring_server::config::parse_submit_limit;

use crate::helpers::*;

/// The method tests are about permissions, not the anti-flood limit (tested in the engine).
async fn server() -> TestServer {
    spawn_with(|cfg| cfg.submit_limit = parse_submit_limit("10000/1s").expect("limit")).await
}

struct Group {
    f: Client,
    carla: Client,
    ps: Vec<Client>,
}

impl Group {
    async fn join(server: &TestServer, session: &SessionCreated) -> Group {
        let f = server.facilitator(session).await;
        let carla = server.join(session, "Carla").await;
        let mut ps = Vec::new();
        for name in ["Piet", "Anna", "Bram", "Dirk"] {
            ps.push(server.join(session, name).await);
        }
        Group { f, carla, ps }
    }

    /// Everyone has seen everything up to the latest event anyone saw.
    async fn sync(&mut self) {
        let mut seq = self.f.last_seq.max(self.carla.last_seq);
        for p in &self.ps {
            seq = seq.max(p.last_seq);
        }
        self.f.catch_up(seq).await;
        self.carla.catch_up(seq).await;
        for p in &mut self.ps {
            p.catch_up(seq).await;
        }
    }
}

fn text_for(kind: InputKind, who: &str) -> String {
    match kind {
        InputKind::Case => format!("{who}: a colleague keeps missing deadlines"),
        InputKind::Statement => format!("{who}: this is what happened last week"),
        InputKind::Question => format!("{who}: what makes this hard for you?"),
        InputKind::Answer => format!("{who}: mostly that I feel responsible"),
        InputKind::KeyQuestion => format!("{who}: how do I address this without damaging trust?"),
        InputKind::Analysis => format!("{who}: it strikes me that you carry this alone"),
        InputKind::Advice => format!("{who}: plan a conversation this week"),
        InputKind::PrivateNote => format!("{who}: my private note"),
        InputKind::Commitment => format!("{who}: I will talk to her on Monday"),
        InputKind::Reflection => format!("{who}: the questions helped me most"),
        InputKind::Notepad => format!("{who}: a note to myself"),
        InputKind::Vote | InputKind::Reaction => String::new(),
    }
}

fn phases_allowing(method: &MethodTemplate, role: Role, kind: InputKind) -> Vec<u16> {
    method
        .phases
        .iter()
        .enumerate()
        .filter(|(_, p)| p.allows(role, kind))
        .map(|(i, _)| i as u16)
        .collect()
}

async fn run_method(id: &str) {
    let server = server().await;
    let session = server.create_session(id).await;
    let mut g = Group::join(&server, &session).await;
    let method = g.f.view().method.clone();
    assert_eq!(method.id, id);

    let has_inventory = method
        .phases
        .iter()
        .any(|p| p.allows(Role::Participant, InputKind::Case));
    let mut case_bringer_set = false;
    if !has_inventory {
        g.f.command(Command::SetCaseBringer {
            member: Some(g.carla.member()),
        })
        .await
        .expect("set case-bringer");
        case_bringer_set = true;
    }
    g.f.command(Command::StartSession {}).await.expect("start");

    let mut carla_case = None;
    let mut questions = Vec::new();
    let mut advice = Vec::new();
    for (index, phase) in method.phases.iter().enumerate() {
        if index > 0 {
            g.f.command(Command::NextPhase {})
                .await
                .unwrap_or_else(|e| panic!("{id}: into phase {index}: {e:?}"));
        }
        g.sync().await;
        let carla_role = if case_bringer_set {
            Role::CaseBringer
        } else {
            Role::Participant
        };

        // Carla proposes a case while she is still a participant.
        if carla_role == Role::Participant && phase.allows(Role::Participant, InputKind::Case) {
            let ack = g
                .carla
                .command(submit(InputKind::Case, "carla: my case"))
                .await
                .expect("carla's case");
            carla_case = ack.item;
        }
        // What participants may do here, done by two of them; where the method allows one
        // contribution per turn, each on the floor and one kind only.
        let kinds = phase.allowed(Role::Participant);
        let kinds = if phase.one_per_turn {
            &kinds[..1]
        } else {
            kinds
        };
        for &kind in kinds {
            for p in 0..2 {
                if phase.one_per_turn {
                    let member = g.ps[p].member();
                    let _ = g.f.command(Command::GiveFloor { member }).await;
                }
                let who = format!("p{p}");
                let client = &mut g.ps[p];
                match kind {
                    InputKind::Vote => {
                        let case = carla_case.expect("a case to vote for");
                        client.command(Command::Vote { item: case }).await
                    }
                    InputKind::Reaction => continue,
                    _ => client.command(submit(kind, &text_for(kind, &who))).await,
                }
                .map(|ack| match kind {
                    InputKind::Question => questions.extend(ack.item),
                    InputKind::Advice => advice.extend(ack.item),
                    _ => {}
                })
                .unwrap_or_else(|e| panic!("{id} phase {index}: participant {kind:?}: {e:?}"));
            }
        }
        // What the case-bringer may do here.
        if carla_role == Role::CaseBringer {
            for &kind in phase.allowed(Role::CaseBringer) {
                let command = match kind {
                    InputKind::Answer => Command::Submit {
                        input: kind,
                        text: text_for(kind, "carla").into(),
                        reply_to: questions.first().copied(),
                        anonymous: false,
                        confirm: false,
                    },
                    InputKind::Reaction => Command::React {
                        item: *advice.first().expect("advice to react to"),
                        reaction: Reaction {
                            temperature: Temperature::None,
                            useful: true,
                        },
                    },
                    InputKind::Vote => continue,
                    _ => submit(kind, &text_for(kind, "carla")),
                };
                g.carla
                    .command(command)
                    .await
                    .unwrap_or_else(|e| panic!("{id} phase {index}: case-bringer {kind:?}: {e:?}"));
            }
        }
        for &kind in phase.allowed(Role::Facilitator) {
            g.f.command(submit(kind, &text_for(kind, "f")))
                .await
                .unwrap_or_else(|e| panic!("{id} phase {index}: facilitator {kind:?}: {e:?}"));
        }

        // Something the phase forbids participants is refused, naming where it is allowed.
        if let Some(kind) = InputKind::ALL
            .into_iter()
            .filter(|k| k.is_text())
            .find(|k| !phase.allows(Role::Participant, *k))
        {
            let error = g.ps[2]
                .command(submit(kind, &text_for(kind, "p2")))
                .await
                .expect_err("forbidden input refused");
            assert_eq!(
                error.code,
                ErrorCode::PhaseForbids,
                "{id} phase {index} {kind:?}"
            );
            assert_eq!(
                error.phases,
                phases_allowing(&method, Role::Participant, kind)
            );
        }
        // A case-bringer with their back turned reads but does not post.
        if phase.case_bringer_listens {
            let error = g
                .carla
                .command(submit(InputKind::Statement, "carla: may I add something?"))
                .await
                .expect_err("the case-bringer listens");
            assert_eq!(error.code, ErrorCode::CaseBringerListens);
        }
        // Private notes stay private until the facilitator reveals them all at once.
        if phase.allows(Role::Participant, InputKind::PrivateNote) {
            g.sync().await;
            let hidden = g.ps[3].events.iter().rev().find_map(|e| match &e.event {
                Event::ItemAdded { item } if item.kind == InputKind::PrivateNote => {
                    Some(item.clone())
                }
                _ => None,
            });
            assert_eq!(
                hidden.expect("note announced").text,
                None,
                "note text withheld"
            );
            g.f.command(Command::RevealNotes {}).await.expect("reveal");
            let revealed = g.ps[3]
                .until_event(|e| matches!(e, Event::NotesRevealed { .. }))
                .await;
            let Event::NotesRevealed { notes } = revealed.event else {
                unreachable!()
            };
            assert!(notes.len() >= 2);
            assert!(notes.iter().all(|n| n.text.is_some()));
        }
        // Turn-taking: a raised hand gets the floor in free phases.
        if phase.turns == TurnMode::Free {
            g.ps[3]
                .command(Command::RaiseHand {})
                .await
                .expect("raise hand");
            g.f.command(Command::NextSpeaker {})
                .await
                .expect("next speaker");
            let who = g.ps[3].member();
            g.ps[3]
                .until_event(|e| matches!(e, Event::FloorGiven { member } if *member == who))
                .await;
        }
        // Leaving the case inventory: the facilitator confirms Carla's case.
        let next_needs_inventory = method.phases.get(index + 1).is_some_and(|p| {
            p.allows(Role::Participant, InputKind::Case)
                || p.allows(Role::Participant, InputKind::Vote)
        });
        if let Some(case) = carla_case.filter(|_| !case_bringer_set && !next_needs_inventory) {
            g.f.command(Command::ChooseCase {
                case,
                keep_others: false,
            })
            .await
            .expect("choose case");
            case_bringer_set = true;
        }
    }

    g.f.command(Command::EndSession {}).await.expect("end");
    g.sync().await;
    let error = g.ps[0]
        .command(submit(InputKind::Reflection, "too late"))
        .await
        .expect_err("nothing after the end");
    assert_eq!(error.code, ErrorCode::SessionEnded);
    assert!(case_bringer_set, "{id}: the case-bringer was chosen or set");
}

#[tokio::test]
async fn basic_model_end_to_end() {
    run_method("basic").await;
}

#[tokio::test]
async fn incident_method_end_to_end() {
    run_method("incident").await;
}

#[tokio::test]
async fn gossip_method_end_to_end() {
    run_method("gossip").await;
}

#[tokio::test]
async fn balint_method_end_to_end() {
    run_method("balint").await;
}

#[tokio::test]
async fn tietze_method_end_to_end() {
    run_method("tietze").await;
}

#[tokio::test]
async fn troika_method_end_to_end() {
    run_method("troika").await;
}

/// The question phase of the basic model, as people meet it: advice is refused with a pointer
/// to the advice round, a disguised-advice question gets a warning, and a stale command from
/// a phone that was offline is refused.
#[tokio::test]
async fn question_phase_guards_the_method() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let mut g = Group::join(&server, &session).await;
    g.f.command(Command::SetCaseBringer {
        member: Some(g.carla.member()),
    })
    .await
    .unwrap();
    g.f.command(Command::StartSession {}).await.unwrap();
    g.f.command(Command::GotoPhase { index: 2 }).await.unwrap();
    g.sync().await;
    let stale_phase = g.ps[0].phase_seq();

    let advice = g.ps[0]
        .command(submit(InputKind::Advice, "Talk to her tomorrow."))
        .await
        .unwrap_err();
    assert_eq!(advice.code, ErrorCode::PhaseForbids);
    assert_eq!(advice.phases, vec![4], "the advice round");

    let disguised = g.ps[0]
        .command(question("Have you tried talking to her directly?"))
        .await
        .unwrap_err();
    assert_eq!(disguised.code, ErrorCode::AdviceLikeQuestion);
    assert_eq!(disguised.category, Category::Confirm);
    let confirmed = g.ps[0]
        .command(Command::Submit {
            input: InputKind::Question,
            text: "Have you tried talking to her directly?".into(),
            reply_to: None,
            anonymous: false,
            confirm: true,
        })
        .await;
    assert!(confirmed.is_ok(), "the member may send it anyway");
    let open = g.ps[1].command(question("What did you try so far?")).await;
    assert!(open.is_ok());

    // The facilitator moves on; a question typed offline in the old phase arrives late.
    g.f.command(Command::NextPhase {}).await.unwrap();
    g.sync().await;
    let id = g.ps[2].fresh_id();
    let late = g.ps[2]
        .command_with(id, stale_phase, question("What would help you most?"))
        .await
        .unwrap_err();
    assert_eq!(late.code, ErrorCode::PhaseClosed);

    // The round visits every present participant once.
    let order =
        g.f.events
            .iter()
            .rev()
            .find_map(|e| match &e.event {
                Event::PhaseChanged { round, .. } => Some(round.clone()),
                _ => None,
            })
            .expect("phase changed");
    let mut expected: Vec<MemberId> = g.ps.iter().map(Client::member).collect();
    expected.sort();
    let mut got = order.clone();
    got.sort();
    assert!(
        expected.iter().all(|m| got.contains(m)),
        "every participant is in the round: {order:?}"
    );
}

/// The room keeps the time: when the facilitator shortens the time box to nothing, every
/// member hears that the time is up, once, and the phase stays until the facilitator moves on.
#[tokio::test]
async fn the_room_announces_when_the_time_box_is_up() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let mut f = server.facilitator(&session).await;
    let mut anna = server.join(&session, "Anna").await;
    f.command(Command::StartSession {}).await.unwrap();
    f.command(Command::ExtendTimer {
        seconds: -24 * 3600,
    })
    .await
    .unwrap();
    let phase_seq = f.phase_seq().unwrap();
    let up = anna
        .until_event(|e| matches!(e, Event::TimeUp { .. }))
        .await;
    assert_eq!(up.event, Event::TimeUp { phase_seq });
    // Still the same phase: the facilitator decides when to move on.
    anna.command(submit(InputKind::Case, "still in time"))
        .await
        .unwrap();
    let times_up = anna
        .events
        .iter()
        .filter(|e| matches!(e.event, Event::TimeUp { .. }))
        .count();
    assert_eq!(times_up, 1);
}
