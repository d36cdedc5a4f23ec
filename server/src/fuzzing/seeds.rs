//! One valid message of every kind, aimed at what the fixtures hold (members 1 to 6, items 1
//! to 8, phase stamps 1 to 3), for the seed corpus.

use kring_protocol::{
    ClientMsg, Command, CommandEnvelope, InputKind, ItemId, Join, MemberId, PROTOCOL_VERSION,
    Reaction, Role, Temperature, TriageStatus,
};

/// Named seeds: a file name (without extension) and the message.
pub fn seed_messages() -> Vec<(String, ClientMsg)> {
    let mut seeds = hellos();
    seeds.push(("ping".into(), ClientMsg::Ping { t: Some(1_234) }));
    seeds.push(("leave".into(), ClientMsg::Leave {}));
    for (n, (command, phase)) in commands().into_iter().enumerate() {
        let name = format!("command-{}-{n:02}", command.name());
        let envelope = CommandEnvelope {
            id: format!("c{n}"),
            phase,
            command,
        };
        seeds.push((name, ClientMsg::Command(envelope)));
    }
    seeds
}

fn hellos() -> Vec<(String, ClientMsg)> {
    let token = "dGhpcy1pcy1hLXRva2VuLW9mLTEyOC1iaXRz".to_owned();
    let joins = [
        (
            "member",
            Join::Member {
                name: "Piet".into(),
            },
        ),
        (
            "facilitator",
            Join::Facilitator {
                token: token.clone(),
                name: "Fenna".into(),
            },
        ),
        (
            "resume",
            Join::Resume {
                token: token.clone(),
                epoch: Some(1),
                last_seq: Some(12),
            },
        ),
        ("screen", Join::Screen { token }),
    ];
    joins
        .into_iter()
        .map(|(name, join)| {
            let hello = ClientMsg::Hello {
                protocol: PROTOCOL_VERSION,
                join,
            };
            (format!("hello-{name}"), hello)
        })
        .collect()
}

/// Every command, some twice with other values; `Some` is a phase stamp.
fn commands() -> Vec<(Command, Option<u32>)> {
    let m = MemberId;
    let i = ItemId;
    let submit = |input, text: &str, reply_to, anonymous| Command::Submit {
        input,
        text: text.into(),
        reply_to,
        anonymous,
        confirm: false,
    };
    vec![
        (Command::StartSession {}, None),
        (Command::NextPhase {}, Some(2)),
        (Command::PrevPhase {}, None),
        (Command::GotoPhase { index: 3 }, None),
        (Command::ExtendTimer { seconds: -120 }, None),
        (Command::EndSession {}, None),
        (Command::LockRoom { locked: true }, None),
        (Command::SetCaseBringer { member: Some(m(3)) }, None),
        (Command::SetCaseBringer { member: None }, None),
        (
            Command::SetRole {
                member: m(3),
                role: Role::NoteTaker,
            },
            None,
        ),
        (Command::RemoveMember { member: m(3) }, None),
        (Command::RemoveAndLock { member: m(3) }, None),
        (Command::RemoveOffline {}, None),
        (
            Command::ChooseCase {
                case: i(1),
                keep_others: true,
            },
            None,
        ),
        (
            Command::KeepCase {
                case: i(2),
                keep: true,
            },
            None,
        ),
        (Command::GiveFloor { member: m(3) }, None),
        (Command::EndFloor {}, None),
        (Command::NextSpeaker {}, None),
        (Command::SkipSpeaker { member: m(4) }, None),
        (Command::StartRound {}, None),
        (
            Command::HideItem {
                item: i(2),
                hidden: true,
            },
            None,
        ),
        (Command::RevealNotes {}, None),
        (Command::RaiseHand {}, Some(3)),
        (Command::LowerHand {}, None),
        (Command::Pass {}, None),
        (
            submit(InputKind::Question, "What did you feel then?", None, false),
            Some(3),
        ),
        (
            submit(InputKind::Advice, "Talk to her soon.", None, true),
            None,
        ),
        (
            submit(InputKind::Answer, "Mostly tired.", Some(i(4)), false),
            None,
        ),
        (
            submit(InputKind::PrivateNote, "For later.", None, false),
            None,
        ),
        (Command::Vote { item: i(1) }, None),
        (Command::Unvote { item: i(1) }, None),
        (
            Command::Triage {
                item: i(4),
                status: TriageStatus::Answered,
            },
            None,
        ),
        (
            Command::React {
                item: i(6),
                reaction: Reaction {
                    temperature: Temperature::Cold,
                    useful: false,
                },
            },
            None,
        ),
        (Command::Withdraw { item: i(5) }, None),
        (
            Command::Rename {
                name: "Anna B.".into(),
            },
            None,
        ),
        (
            Command::StartCase {
                method: "incident".into(),
                case_bringer: Some(m(4)),
            },
            None,
        ),
        (
            Command::ReorderRound {
                order: vec![m(4), m(3)],
            },
            None,
        ),
        (
            Command::SetCoFacilitator {
                member: m(3),
                on: true,
            },
            None,
        ),
        (Command::HandFacilitator { member: m(4) }, None),
        (Command::ShareReactions { shared: true }, None),
        (Command::ChooseKeyQuestion { item: i(7) }, None),
        (
            Command::CarryCommitment {
                item: i(8),
                carry: true,
            },
            None,
        ),
        (
            Command::RateProcess {
                scores: vec![4, 5, 0, 3],
                remark: Some("Calm and clear.".into()),
            },
            None,
        ),
        (
            submit(InputKind::Notepad, "Ask about May.", None, false),
            None,
        ),
        // The clock, speakers' time boxes and showing the dots.
        (Command::PauseTimer { paused: true }, None),
        (Command::PauseTimer { paused: false }, None),
        (Command::SetTimer { seconds: 300 }, None),
        (Command::SetTurnLimit { seconds: Some(90) }, None),
        (Command::SetTurnLimit { seconds: None }, None),
        (Command::RevealVotes {}, None),
        (
            Command::ConfirmPresence {
                registration: Some("BIG 19012345601".into()),
            },
            None,
        ),
        (
            Command::WriteReflection {
                text: "Ik vraag eerst door voor ik advies geef.".into(),
            },
            None,
        ),
        (Command::ConfirmList {}, None),
        (
            Command::SetMinutes {
                member: m(2),
                minutes: Some(120),
            },
            None,
        ),
    ]
}
