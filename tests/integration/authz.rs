//! Authorisation on every message: each command type sent by each role that may not give it.

use kring_protocol::*;

use crate::helpers::*;

/// The specification, written out independently of the engine's own list: whether only the
/// facilitator may give `command`. No wildcard arm, so a new command does not compile until
/// someone decides here who may give it.
fn facilitator_only(command: &Command) -> bool {
    match command {
        Command::StartSession {}
        | Command::NextPhase {}
        | Command::PrevPhase {}
        | Command::GotoPhase { .. }
        | Command::ExtendTimer { .. }
        | Command::PauseTimer { .. }
        | Command::SetTimer { .. }
        | Command::SetTurnLimit { .. }
        | Command::EndSession {}
        | Command::LockRoom { .. }
        | Command::SetCaseBringer { .. }
        | Command::SetRole { .. }
        | Command::RemoveMember { .. }
        | Command::RemoveAndLock { .. }
        | Command::RemoveOffline {}
        | Command::ChooseCase { .. }
        | Command::KeepCase { .. }
        | Command::GiveFloor { .. }
        | Command::EndFloor {}
        | Command::NextSpeaker {}
        | Command::SkipSpeaker { .. }
        | Command::StartRound {}
        | Command::HideItem { .. }
        | Command::RevealNotes {}
        | Command::StartCase { .. }
        | Command::ReorderRound { .. }
        | Command::SetCoFacilitator { .. }
        | Command::HandFacilitator { .. }
        | Command::RevealVotes {}
        | Command::ConfirmList {}
        | Command::SetMinutes { .. } => true,
        Command::RaiseHand {}
        | Command::ShareReactions { .. }
        | Command::ChooseKeyQuestion { .. }
        | Command::CarryCommitment { .. }
        | Command::RateProcess { .. }
        | Command::LowerHand {}
        | Command::Pass {}
        | Command::Submit { .. }
        | Command::Vote { .. }
        | Command::Unvote { .. }
        | Command::Triage { .. }
        | Command::React { .. }
        | Command::Withdraw { .. }
        | Command::Rename { .. }
        | Command::ConfirmPresence { .. }
        | Command::WriteReflection { .. } => false,
    }
}

/// One command of every type, aimed at real members and a real item.
fn every_command(member: MemberId, item: ItemId) -> Vec<Command> {
    vec![
        Command::StartSession {},
        Command::NextPhase {},
        Command::PrevPhase {},
        Command::GotoPhase { index: 0 },
        Command::ExtendTimer { seconds: 60 },
        Command::PauseTimer { paused: true },
        Command::SetTimer { seconds: 300 },
        Command::SetTurnLimit { seconds: Some(120) },
        Command::EndSession {},
        Command::LockRoom { locked: true },
        Command::SetCaseBringer {
            member: Some(member),
        },
        Command::SetRole {
            member,
            role: Role::NoteTaker,
        },
        Command::RemoveMember { member },
        Command::RemoveAndLock { member },
        Command::RemoveOffline {},
        Command::ChooseCase {
            case: item,
            keep_others: false,
        },
        Command::KeepCase {
            case: item,
            keep: true,
        },
        Command::GiveFloor { member },
        Command::EndFloor {},
        Command::NextSpeaker {},
        Command::SkipSpeaker { member },
        Command::StartRound {},
        Command::HideItem { item, hidden: true },
        Command::RevealNotes {},
        Command::RevealVotes {},
        Command::RaiseHand {},
        Command::LowerHand {},
        Command::Pass {},
        Command::Submit {
            input: InputKind::Question,
            text: "What did you try first?".into(),
            reply_to: None,
            anonymous: false,
            confirm: false,
        },
        Command::Vote { item },
        Command::Unvote { item },
        Command::Triage {
            item,
            status: TriageStatus::Answered,
        },
        Command::React {
            item,
            reaction: Reaction {
                temperature: Temperature::None,
                useful: true,
            },
        },
        Command::Withdraw { item },
        Command::Rename {
            name: "Someone".into(),
        },
        Command::StartCase {
            method: "incident".into(),
            case_bringer: Some(member),
        },
        Command::ReorderRound {
            order: vec![member],
        },
        Command::SetCoFacilitator { member, on: true },
        Command::HandFacilitator { member },
        Command::ShareReactions { shared: true },
        Command::ChooseKeyQuestion { item },
        Command::CarryCommitment { item, carry: true },
        Command::RateProcess {
            scores: vec![5, 5, 5, 5],
            remark: None,
        },
        Command::ConfirmPresence {
            registration: Some("BIG 19012345601".into()),
        },
        Command::WriteReflection {
            text: "I learnt to ask before advising.".into(),
        },
        Command::ConfirmList {},
        Command::SetMinutes {
            member,
            minutes: Some(90),
        },
    ]
}

#[tokio::test]
async fn no_role_but_the_facilitator_can_give_a_facilitator_command() {
    // Sixty commands in a row from one socket is not what people do; lift the rate limit.
    let server = spawn_with(|cfg| cfg.message_burst = 1000).await;
    let session = server.create_session("basic").await;
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
    let questions = f
        .view()
        .method
        .phases
        .iter()
        .position(|p| p.id == "explore")
        .unwrap() as u16;
    f.command(Command::GotoPhase { index: questions })
        .await
        .unwrap();
    piet.catch_up(f.last_seq).await;
    carla.catch_up(f.last_seq).await;
    let question = piet
        .command(Command::Submit {
            input: InputKind::Question,
            text: "What happened next?".into(),
            reply_to: None,
            anonymous: false,
            confirm: false,
        })
        .await
        .unwrap()
        .item
        .unwrap();
    f.catch_up(piet.last_seq).await;
    carla.catch_up(piet.last_seq).await;
    let before = f.last_seq;

    let commands = every_command(piet.member(), question);
    let kinds: std::collections::BTreeSet<_> = commands.iter().map(Command::name).collect();
    assert_eq!(kinds.len(), commands.len(), "one command of each type");
    let mut checked = 0;
    for command in &commands {
        for (role, client) in [("participant", &mut piet), ("case-bringer", &mut carla)] {
            let result = client.command(command.clone()).await;
            if facilitator_only(command) {
                let error = result.expect_err(&format!("{role} gave {}", command.name()));
                assert_eq!(
                    error.code,
                    ErrorCode::NotFacilitator,
                    "{role}: {}",
                    command.name()
                );
                checked += 1;
            } else if let Err(error) = result {
                assert_ne!(
                    error.code,
                    ErrorCode::NotFacilitator,
                    "{role}: {}",
                    command.name()
                );
            }
        }
        // The screen is read-only: every command, of every type, is refused.
        let id = screen.fresh_id();
        let error = screen
            .command_with(id, None, command.clone())
            .await
            .expect_err(command.name());
        assert_eq!(
            error.code,
            ErrorCode::ReadOnly,
            "screen: {}",
            command.name()
        );
    }
    assert_eq!(checked, 2 * 31, "31 facilitator commands, by two roles");

    // None of the refused commands changed anything: only what members may do was recorded.
    f.catch_up(piet.last_seq.max(carla.last_seq)).await;
    for event in f.events.iter().filter(|e| e.seq > before) {
        assert!(
            matches!(
                event.event,
                Event::HandRaised { .. }
                    | Event::HandLowered { .. }
                    | Event::ItemAdded { .. }
                    | Event::ItemVoted { .. }
                    | Event::ItemTriaged { .. }
                    | Event::ItemReacted { .. }
                    | Event::ReactionsShared { .. }
                    | Event::KeyQuestionChosen { .. }
                    | Event::CommitmentCarried { .. }
                    | Event::ProcessRated { .. }
                    | Event::NoteTaken { .. }
                    | Event::ItemWithdrawn { .. }
                    | Event::MemberRenamed { .. }
                    | Event::RoundTurnDone { .. }
                    | Event::PresenceConfirmed { .. }
                    | Event::ReflectionWritten { .. }
                    // A member's pass or lowered hand ends their own floor.
                    | Event::FloorEnded { .. }
            ),
            "a refused command was applied: {:?}",
            event.event
        );
    }
}
