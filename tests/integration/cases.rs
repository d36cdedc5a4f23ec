//! The method rules over real sockets: the case-bringer's private notepad and reactions, the
//! chosen key question, round order, one contribution per turn, several cases per meeting with
//! a summary for each case-bringer, Troika's rotations, the process evaluation and self-led
//! groups.

use kring_protocol::*;
use serde_json::json;

use crate::helpers::*;

async fn get_summary(
    server: &TestServer,
    code: &str,
    token: &str,
    case: Option<u16>,
) -> (u16, String) {
    let case = case.map(|c| format!("&case={c}")).unwrap_or_default();
    let response = server
        .http
        .get(server.url(&format!("/api/sessions/{code}/summary?format=md{case}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// What a member sees after coming back on a new socket: the full view, from the server.
async fn fresh(server: &TestServer, session: &SessionCreated, token: String) -> Client {
    let mut client = server.connect(&session.code).await;
    client
        .hello(Join::Resume {
            token,
            epoch: None,
            last_seq: None,
        })
        .await;
    client
}

fn phase(client: &Client, id: &str) -> u16 {
    client
        .view()
        .method
        .phases
        .iter()
        .position(|p| p.id == id)
        .unwrap() as u16
}

/// Everything `client` received, as text.
fn received(client: &Client) -> String {
    serde_json::to_string(&client.events).unwrap()
}

#[tokio::test]
async fn reactions_and_the_notepad_reach_only_the_case_bringer() {
    let server = spawn_app().await;
    let session = server.create_session("gossip").await;
    let mut f = server.facilitator(&session).await;
    let mut carla = server.join(&session, "Carla").await;
    let mut piet = server.join(&session, "Piet").await;
    let mut screen = server.connect(&session.code).await;
    screen
        .hello(Join::Screen {
            token: session.screen_token.clone(),
        })
        .await;
    f.command(Command::SetCaseBringer {
        member: Some(carla.member()),
    })
    .await
    .unwrap();
    f.command(Command::StartSession {}).await.unwrap();
    let gossip = phase(&f, "gossip");
    f.command(Command::GotoPhase { index: gossip })
        .await
        .unwrap();
    piet.catch_up(f.last_seq).await;
    let analysis = piet
        .command(submit(InputKind::Analysis, "She carries the team alone"))
        .await
        .unwrap()
        .item
        .unwrap();
    carla.catch_up(piet.last_seq).await;
    let listens = carla
        .command(submit(InputKind::Analysis, "I want to say something"))
        .await
        .unwrap_err();
    assert_eq!(listens.code, ErrorCode::CaseBringerListens);
    carla
        .command(submit(
            InputKind::Notepad,
            "notepad-secret: ask Piet about May",
        ))
        .await
        .unwrap();
    carla
        .command(Command::React {
            item: analysis,
            reaction: Reaction {
                temperature: Temperature::Lukewarm,
                useful: true,
            },
        })
        .await
        .unwrap();
    piet.catch_up(carla.last_seq).await;
    screen.catch_up(carla.last_seq).await;
    f.catch_up(carla.last_seq).await;
    for (who, client) in [("piet", &piet), ("screen", &screen), ("facilitator", &f)] {
        let seen = received(client);
        assert!(!seen.contains("notepad-secret"), "{who} got the notepad");
        assert!(!seen.contains("lukewarm"), "{who} got the reaction");
    }
    let carla = fresh(&server, &session, carla.token()).await;
    assert_eq!(carla.view().me.reactions.len(), 1);
    assert!(carla.view().reactions.is_empty(), "not shared");
    assert_eq!(carla.view().me.notepad.len(), 1);
    let mut piet = fresh(&server, &session, piet.token()).await;
    assert!(piet.view().reactions.is_empty());
    assert!(
        !serde_json::to_string(piet.view())
            .unwrap()
            .contains("notepad-secret")
    );

    // Shared: now everyone sees them.
    let mut carla = carla;
    carla
        .command(Command::ShareReactions { shared: true })
        .await
        .unwrap();
    let shared = piet
        .until_event(|e| matches!(e, Event::ReactionsShared { .. }))
        .await;
    let Event::ReactionsShared { reactions, .. } = shared.event else {
        panic!()
    };
    assert_eq!(reactions.len(), 1);
    let (status, md) = get_summary(&server, &session.code, &carla.token(), None).await;
    assert_eq!(status, 200);
    assert!(
        md.contains("She carries the team alone _(lukewarm, useful)_"),
        "{md}"
    );
    assert!(md.contains("notepad-secret: ask Piet about May"), "{md}");
}

#[tokio::test]
async fn turns_follow_the_method() {
    let server = spawn_app().await;
    let session = server.create_session("incident").await;
    let mut f = server.facilitator(&session).await;
    let mut carla = server.join(&session, "Carla").await;
    let mut piet = server.join(&session, "Piet").await;
    let mut anna = server.join(&session, "Anna").await;
    f.command(Command::SetCaseBringer {
        member: Some(carla.member()),
    })
    .await
    .unwrap();
    f.command(Command::StartSession {}).await.unwrap();
    // Where only the case-bringer speaks, nobody else gets the floor or raises a hand.
    let sketch = phase(&f, "sketch");
    f.command(Command::GotoPhase { index: sketch })
        .await
        .unwrap();
    let refused = f
        .command(Command::GiveFloor {
            member: piet.member(),
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::PhaseForbids);
    piet.catch_up(f.last_seq).await;
    let hand = piet.command(Command::RaiseHand {}).await.unwrap_err();
    assert_eq!(hand.code, ErrorCode::PhaseForbids);
    // One question per person per turn, from whoever holds the floor.
    let info = phase(&f, "information");
    f.command(Command::GotoPhase { index: info }).await.unwrap();
    anna.catch_up(f.last_seq).await;
    let wait = anna
        .command(submit(InputKind::Question, "Who was there?"))
        .await
        .unwrap_err();
    assert_eq!(wait.code, ErrorCode::WaitYourTurn);
    piet.catch_up(f.last_seq).await;
    piet.command(submit(InputKind::Question, "Who was there?"))
        .await
        .unwrap();
    let second = piet
        .command(submit(InputKind::Question, "And where?"))
        .await
        .unwrap_err();
    assert_eq!(second.code, ErrorCode::WaitYourTurn);
    f.command(Command::NextSpeaker {}).await.unwrap();
    anna.catch_up(f.last_seq).await;
    anna.command(submit(InputKind::Question, "When was it?"))
        .await
        .unwrap();
    // The evaluation: the case-bringer first; the facilitator may reorder the rest.
    let evaluation = phase(&f, "evaluation");
    let events = f
        .command(Command::GotoPhase { index: evaluation })
        .await
        .unwrap();
    let _ = events;
    let order = f
        .events
        .iter()
        .rev()
        .find_map(|e| match &e.event {
            Event::PhaseChanged { round, .. } => Some(round.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(order, vec![carla.member(), piet.member(), anna.member()]);
    f.command(Command::ReorderRound {
        order: vec![carla.member(), anna.member(), piet.member()],
    })
    .await
    .unwrap();
    carla.catch_up(f.last_seq).await;
}

#[tokio::test]
async fn the_case_bringer_chooses_the_key_question() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let mut f = server.facilitator(&session).await;
    let mut carla = server.join(&session, "Carla").await;
    let mut piet = server.join(&session, "Piet").await;
    f.command(Command::SetCaseBringer {
        member: Some(carla.member()),
    })
    .await
    .unwrap();
    f.command(Command::StartSession {}).await.unwrap();
    let core = phase(&f, "core");
    f.command(Command::GotoPhase { index: core }).await.unwrap();
    piet.catch_up(f.last_seq).await;
    let proposal = piet
        .command(submit(
            InputKind::KeyQuestion,
            "How do I keep my boundaries?",
        ))
        .await
        .unwrap()
        .item
        .unwrap();
    piet.command(submit(InputKind::KeyQuestion, "A later proposal"))
        .await
        .unwrap();
    let not_yours = piet
        .command(Command::ChooseKeyQuestion { item: proposal })
        .await
        .unwrap_err();
    assert_eq!(not_yours.code, ErrorCode::NotCaseBringer);
    carla.catch_up(piet.last_seq).await;
    carla
        .command(Command::ChooseKeyQuestion { item: proposal })
        .await
        .unwrap();
    let (_, md) = get_summary(&server, &session.code, &carla.token(), None).await;
    assert!(md.contains("> How do I keep my boundaries?"), "{md}");
    assert!(!md.contains("> A later proposal"), "{md}");
}

/// Runs the facilitator to the method's last phase.
async fn to_last_phase(f: &mut Client) {
    let last = f.view().method.phases.len() as u16 - 1;
    f.command(Command::GotoPhase { index: last }).await.unwrap();
}

#[tokio::test]
async fn a_two_case_meeting_gives_each_case_bringer_their_summary() {
    let server = spawn_app().await;
    let session = server
        .create(
            json!({"method": "basic", "title": "Two cases", "language": "en",
                       "settings": {"keep_for_group": true}}),
        )
        .await;
    let mut f = server.facilitator(&session).await;
    let mut carla = server.join(&session, "Carla").await;
    let mut anna = server.join(&session, "Anna").await;
    let mut piet = server.join(&session, "Piet").await;
    f.command(Command::SetCaseBringer {
        member: Some(carla.member()),
    })
    .await
    .unwrap();
    f.command(Command::StartSession {}).await.unwrap();
    f.command(Command::GotoPhase { index: 1 }).await.unwrap();
    carla.catch_up(f.last_seq).await;
    carla
        .command(submit(InputKind::Statement, "carla-case: my team lead"))
        .await
        .unwrap();
    to_last_phase(&mut f).await;
    carla.catch_up(f.last_seq).await;
    let c1 = carla
        .command(submit(InputKind::Commitment, "Call my team lead"))
        .await
        .unwrap();
    carla
        .command(Command::CarryCommitment {
            item: c1.item.unwrap(),
            carry: true,
        })
        .await
        .unwrap();
    // Three answer the process evaluation (fewer would not be summed: it is anonymous).
    for (c, scores) in [
        (&mut piet, vec![5, 4, 5, 4]),
        (&mut anna, vec![4, 4, 4, 4]),
        (&mut carla, vec![3, 0, 5, 5]),
    ] {
        c.catch_up(f.last_seq).await;
        c.command(Command::RateProcess {
            scores,
            remark: None,
        })
        .await
        .unwrap();
    }

    // The second case, with the incident method: it chooses its case first.
    f.command(Command::StartCase {
        method: "incident".into(),
        case_bringer: None,
    })
    .await
    .unwrap();
    anna.catch_up(f.last_seq).await;
    let case = anna
        .command(submit(
            InputKind::Case,
            "anna-case: an incident at the desk",
        ))
        .await
        .unwrap();
    f.command(Command::ChooseCase {
        case: case.item.unwrap(),
        keep_others: false,
    })
    .await
    .unwrap();
    f.command(Command::NextPhase {}).await.unwrap();
    anna.catch_up(f.last_seq).await;
    anna.command(submit(InputKind::Statement, "anna-case: what happened"))
        .await
        .unwrap();
    let mut screen = server.connect(&session.code).await;
    screen
        .hello(Join::Screen {
            token: session.screen_token.clone(),
        })
        .await;
    assert_eq!(screen.view().case_round, 1);
    assert_eq!(screen.view().method.id, "incident");
    assert_eq!(screen.view().cases.len(), 2);
    assert_eq!(screen.view().cases[0].case_bringer, Some(carla.member()));
    assert_eq!(screen.view().cases[1].case_bringer, Some(anna.member()));
    f.command(Command::GotoPhase { index: 9 }).await.unwrap();
    anna.catch_up(f.last_seq).await;
    let c2 = anna
        .command(submit(InputKind::Commitment, "Ask for help"))
        .await
        .unwrap();
    anna.command(Command::CarryCommitment {
        item: c2.item.unwrap(),
        carry: true,
    })
    .await
    .unwrap();
    f.command(Command::EndSession {}).await.unwrap();

    // Each case-bringer downloads their own; the earlier one still can.
    let (status, first) = get_summary(&server, &session.code, &carla.token(), None).await;
    assert_eq!(status, 200);
    assert!(first.contains("carla-case: my team lead"), "{first}");
    assert!(!first.contains("anna-case"), "{first}");
    let (status, second) = get_summary(&server, &session.code, &anna.token(), None).await;
    assert_eq!(status, 200);
    assert!(second.contains("anna-case: what happened"), "{second}");
    assert!(second.contains("Incident method"), "{second}");
    assert!(!second.contains("carla-case"), "{second}");
    let (status, _) = get_summary(&server, &session.code, &anna.token(), Some(0)).await;
    assert_eq!(status, 403, "not someone else's case");
    let (status, _) = get_summary(&server, &session.code, &piet.token(), None).await;
    assert_eq!(status, 403);

    // The group's next meeting holds both case-bringers' commitments and the process numbers.
    let next = server
        .create(json!({"method": "basic", "title": "Next", "language": "en",
                       "group_token": session.group_token}))
        .await;
    let f2 = server.facilitator(&next).await;
    let report = f2.view().report_back.clone().expect("a report-back");
    assert!(report.process.is_empty(), "the trend is not in the view");
    let (status, trend) = process(&server, &next.code, &next.facilitator_token).await;
    assert_eq!(status, 200);
    let trend: Vec<ProcessPoint> = serde_json::from_value(trend["trend"].clone()).unwrap();
    let names: Vec<&str> = report
        .commitments
        .iter()
        .map(|c| c.by_name.as_str())
        .collect();
    assert_eq!(names, ["Carla", "Anna"]);
    assert_eq!(trend.len(), 1);
    assert_eq!(trend[0].sums, vec![12, 8, 14, 13]);
    assert_eq!(trend[0].answered, vec![3, 2, 3, 3]);
}

#[tokio::test]
async fn a_troika_runs_three_rotations_with_a_summary_each() {
    let server = spawn_app().await;
    let session = server.create_session("troika").await;
    let mut f = server.facilitator(&session).await;
    let mut trio = [
        server.join(&session, "Carla").await,
        server.join(&session, "Piet").await,
        server.join(&session, "Anna").await,
    ];
    f.command(Command::SetCaseBringer {
        member: Some(trio[0].member()),
    })
    .await
    .unwrap();
    f.command(Command::StartSession {}).await.unwrap();
    let phases = f.view().method.phases.len();
    for rotation in 0..3 {
        trio[rotation].catch_up(f.last_seq).await;
        trio[rotation]
            .command(submit(
                InputKind::Notepad,
                &format!("rotation-{rotation} question"),
            ))
            .await
            .unwrap();
        for _ in 1..phases {
            f.command(Command::NextPhase {}).await.unwrap();
        }
        trio[rotation].catch_up(f.last_seq).await;
        trio[rotation]
            .command(submit(
                InputKind::Commitment,
                &format!("rotation-{rotation} step"),
            ))
            .await
            .unwrap();
        let next = f.command(Command::NextPhase {}).await;
        if rotation < 2 {
            next.unwrap();
            let started = f
                .events
                .iter()
                .rev()
                .find_map(|e| match &e.event {
                    Event::CaseRoundStarted {
                        index,
                        case_bringer,
                        ..
                    } => Some((*index, *case_bringer)),
                    _ => None,
                })
                .unwrap();
            assert_eq!(
                started,
                (rotation as u16 + 1, Some(trio[rotation + 1].member()))
            );
        } else {
            assert_eq!(next.unwrap_err().code, ErrorCode::NoSuchPhase);
        }
    }
    f.command(Command::EndSession {}).await.unwrap();
    for (rotation, member) in trio.iter().enumerate() {
        let (status, md) = get_summary(&server, &session.code, &member.token(), None).await;
        assert_eq!(status, 200);
        assert!(
            md.contains(&format!("rotation-{rotation} question")),
            "{md}"
        );
        assert!(md.contains(&format!("rotation-{rotation} step")), "{md}");
        for other in (0..3).filter(|o| *o != rotation) {
            assert!(!md.contains(&format!("rotation-{other}")), "{md}");
        }
    }
}

#[tokio::test]
async fn the_process_evaluation_reaches_the_facilitator_as_sums() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    let mut f = server.facilitator(&session).await;
    let mut carla = server.join(&session, "Carla").await;
    let mut piet = server.join(&session, "Piet").await;
    let mut anna = server.join(&session, "Anna").await;
    f.command(Command::SetCaseBringer {
        member: Some(carla.member()),
    })
    .await
    .unwrap();
    f.command(Command::StartSession {}).await.unwrap();
    to_last_phase(&mut f).await;
    for c in [&mut carla, &mut piet, &mut anna] {
        c.catch_up(f.last_seq).await;
    }
    carla
        .command(Command::RateProcess {
            scores: vec![4, 4, 5, 3],
            remark: Some("remark-secret: a bit fast".into()),
        })
        .await
        .unwrap();
    piet.command(Command::RateProcess {
        scores: vec![2, 0, 4, 5],
        remark: None,
    })
    .await
    .unwrap();
    let refused = f
        .command(Command::RateProcess {
            scores: vec![5, 5, 5, 5],
            remark: None,
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::PhaseForbids);
    // Two answers: the facilitator sees how many, not what (it would say who gave which).
    let (status, body) = process(&server, &session.code, &session.facilitator_token).await;
    assert_eq!(status, 200);
    assert_eq!(body["process"], json!([]));
    anna.command(Command::RateProcess {
        scores: vec![3, 4, 0, 4],
        remark: None,
    })
    .await
    .unwrap();
    piet.catch_up(f.last_seq + 1).await;
    assert!(!received(&piet).contains("remark-secret"));
    // The console asks for the sums: they are in nobody's view (events could not keep them).
    let f = fresh(&server, &session, session.facilitator_token.clone()).await;
    assert!(
        !serde_json::to_string(f.view())
            .unwrap()
            .contains("remark-secret")
    );
    let (status, body) = process(&server, &session.code, &session.facilitator_token).await;
    assert_eq!(status, 200);
    let aggregate: Vec<ProcessAggregate> = serde_json::from_value(body["process"].clone()).unwrap();
    assert_eq!(aggregate[0].count, 3);
    assert_eq!(aggregate[0].sums, vec![9, 8, 9, 12]);
    assert_eq!(aggregate[0].answered, vec![3, 2, 2, 3]);
    assert_eq!(aggregate[0].remarks, vec!["remark-secret: a bit fast"]);
    // Nobody else: not a participant, not the case-bringer, not an unknown token.
    let (status, _) = process(&server, &session.code, &piet.token()).await;
    assert_eq!(status, 403);
    let (status, _) = process(&server, &session.code, &carla.token()).await;
    assert_eq!(status, 403);
    let (status, _) = process(&server, &session.code, "not-a-token").await;
    assert_eq!(status, 404);
    let piet = fresh(&server, &session, piet.token()).await;
    assert_eq!(piet.view().me.rated, vec![0]);
}

/// `GET /api/sessions/{code}/process` with a bearer token: status and JSON body.
async fn process(server: &TestServer, code: &str, token: &str) -> (u16, serde_json::Value) {
    let response = server
        .http
        .get(server.url(&format!("/api/sessions/{code}/process")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_self_led_group_shares_and_hands_over_the_facilitation() {
    let server = spawn_app().await;
    let session = server
        .create(
            json!({"method": "basic", "title": "Self-led", "language": "en",
                       "settings": {"facilitator_takes_part": true}}),
        )
        .await;
    let mut f = server.facilitator(&session).await;
    let mut carla = server.join(&session, "Carla").await;
    let mut piet = server.join(&session, "Piet").await;
    let mut anna = server.join(&session, "Anna").await;
    f.command(Command::SetCaseBringer {
        member: Some(carla.member()),
    })
    .await
    .unwrap();
    f.command(Command::StartSession {}).await.unwrap();
    f.command(Command::GotoPhase { index: 2 }).await.unwrap();
    // The facilitator takes part: posts and takes turns.
    f.command(submit(InputKind::Question, "What is your part in it?"))
        .await
        .unwrap();
    let anonymous = f
        .command(Command::Submit {
            input: InputKind::Question,
            text: "Who decides?".into(),
            reply_to: None,
            anonymous: true,
            confirm: false,
        })
        .await
        .unwrap_err();
    assert_eq!(
        anonymous.code,
        ErrorCode::AnonymityDisabled,
        "off by default"
    );
    // A co-facilitator gets a console with the facilitator's rights.
    f.command(Command::SetCoFacilitator {
        member: piet.member(),
        on: true,
    })
    .await
    .unwrap();
    piet.catch_up(f.last_seq).await;
    piet.command(Command::NextPhase {}).await.unwrap();
    let no = piet
        .command(Command::HandFacilitator {
            member: anna.member(),
        })
        .await
        .unwrap_err();
    assert_eq!(no.code, ErrorCode::NotFacilitator);
    // Handing the facilitator role to Anna.
    f.catch_up(piet.last_seq).await;
    f.command(Command::HandFacilitator {
        member: anna.member(),
    })
    .await
    .unwrap();
    anna.catch_up(f.last_seq).await;
    anna.command(Command::NextPhase {}).await.unwrap();
    let gone = f.command(Command::NextPhase {}).await.unwrap_err();
    assert_eq!(gone.code, ErrorCode::NotFacilitator);
    // The facilitator token opens the old facilitator's place, as a participant now.
    let back = server.facilitator(&session).await;
    assert_eq!(back.welcome.as_ref().unwrap().role, Role::Participant);
    assert_eq!(back.member(), f.member());
    let _ = carla.catch_up(0).await;
    // The process results follow the rights: the co-facilitator and the new facilitator may
    // read them, the token of the one who handed the role over no longer.
    for (token, status) in [
        (piet.token(), 200),
        (anna.token(), 200),
        (session.facilitator_token.clone(), 403),
        (carla.token(), 403),
    ] {
        assert_eq!(process(&server, &session.code, &token).await.0, status);
    }
}
