//! The JSON shapes clients rely on, and the rejection of anything else.

use kring_protocol::*;
use serde_json::json;

fn parse(v: serde_json::Value) -> Result<ClientMsg, serde_json::Error> {
    serde_json::from_value(v)
}

#[test]
fn hello_parses() {
    let msg =
        parse(json!({"type": "hello", "protocol": 2, "join": {"as": "member", "name": "Anna"}}))
            .unwrap();
    assert_eq!(
        msg,
        ClientMsg::Hello {
            protocol: 2,
            join: Join::Member {
                name: "Anna".into()
            }
        }
    );
}

#[test]
fn resume_fields_are_optional() {
    let msg =
        parse(json!({"type": "hello", "protocol": 2, "join": {"as": "resume", "token": "t"}}))
            .unwrap();
    assert!(matches!(
        msg,
        ClientMsg::Hello {
            join: Join::Resume {
                epoch: None,
                last_seq: None,
                ..
            },
            ..
        }
    ));
}

#[test]
fn command_envelope_parses_with_and_without_stamp() {
    let msg = parse(json!({"type": "command", "id": "a1", "phase": 3,
        "command": {"kind": "submit", "input": "question", "text": "Wat maakt dit lastig?"}}))
    .unwrap();
    let ClientMsg::Command(env) = msg else {
        panic!("not a command")
    };
    assert_eq!(env.phase, Some(3));
    assert!(matches!(
        env.command,
        Command::Submit {
            input: InputKind::Question,
            anonymous: false,
            confirm: false,
            reply_to: None,
            ..
        }
    ));
    let msg =
        parse(json!({"type": "command", "id": "a2", "command": {"kind": "raise_hand"}})).unwrap();
    assert!(matches!(
        msg,
        ClientMsg::Command(CommandEnvelope { phase: None, .. })
    ));
}

#[test]
fn unknown_fields_are_rejected_everywhere() {
    let cases = [
        json!({"type": "hello", "protocol": 2, "join": {"as": "member", "name": "A"}, "x": 1}),
        json!({"type": "hello", "protocol": 2, "join": {"as": "member", "name": "A", "x": 1}}),
        json!({"type": "command", "id": "a", "command": {"kind": "raise_hand"}, "x": 1}),
        json!({"type": "command", "id": "a", "command": {"kind": "raise_hand", "x": 1}}),
        json!({"type": "command", "id": "a", "command": {"kind": "vote", "item": 1, "x": 1}}),
        json!({"type": "ping", "t": 1, "x": 1}),
        json!({"type": "leave", "x": 1}),
    ];
    for case in cases {
        assert!(parse(case.clone()).is_err(), "accepted {case}");
    }
}

#[test]
fn unknown_type_and_kind_are_rejected() {
    assert!(parse(json!({"type": "shout"})).is_err());
    assert!(parse(json!({"type": "command", "id": "a", "command": {"kind": "shout"}})).is_err());
}

#[test]
fn server_messages_round_trip() {
    let msgs = vec![
        ServerMsg::Ack(Ack {
            id: "a".into(),
            seq: 7,
            item: Some(ItemId(3)),
        }),
        ServerMsg::Error(ErrorMsg::new(ErrorCode::PhaseForbids).with_id("b")),
        ServerMsg::Pong {
            t: Some(5),
            server_time: 6,
        },
        ServerMsg::Presence {
            member: MemberId(2),
            online: true,
        },
        ServerMsg::Event(Sequenced {
            seq: 1,
            at: 2,
            event: Event::SessionEnded {},
        }),
    ];
    for msg in msgs {
        let text = serde_json::to_string(&msg).unwrap();
        let back: ServerMsg = serde_json::from_str(&text).unwrap();
        assert_eq!(back, msg);
    }
}

#[test]
fn event_json_matches_the_enum_form() {
    let event = Event::HandRaised {
        member: MemberId(4),
    };
    let fast = event_json(9, 10, &event);
    let slow = serde_json::to_string(&ServerMsg::Event(Sequenced {
        seq: 9,
        at: 10,
        event,
    }))
    .unwrap();
    let a: serde_json::Value = serde_json::from_str(&fast).unwrap();
    let b: serde_json::Value = serde_json::from_str(&slow).unwrap();
    assert_eq!(a, b);
}

#[test]
fn public_events_drop_journal_only_and_private_fields() {
    let note = Item {
        id: ItemId(1),
        kind: InputKind::PrivateNote,
        by: Some(MemberId(2)),
        anonymous: false,
        text: Some("secret".into()),
        phase: 0,
        phase_seq: 1,
        at: 0,
        reply_to: None,
        votes: 0,
        status: TriageStatus::Open,
        case_round: 0,
        hidden: false,
        kept: false,
        chosen: false,
        revealed: false,
    };
    let Event::ItemAdded { item } = (Event::ItemAdded { item: note.clone() }).to_public() else {
        panic!()
    };
    assert_eq!(item.text, None);
    assert_eq!(item.by, Some(MemberId(2)));

    let anon = Item {
        kind: InputKind::Question,
        anonymous: true,
        ..note.clone()
    };
    let Event::ItemAdded { item } = (Event::ItemAdded { item: anon }).to_public() else {
        panic!()
    };
    assert_eq!(item.by, None);
    assert_eq!(item.text.as_deref(), Some("secret"));

    let joined = Event::MemberJoined {
        member: MemberInfo {
            id: MemberId(1),
            name: DisplayName::parse("A").expect("a name"),
            role: Role::Participant,
        },
        token_hash: Some("abc".into()),
    };
    let text = serde_json::to_string(&joined.to_public()).unwrap();
    assert!(!text.contains("token_hash"), "{text}");
    let vote = Event::ItemVoted {
        item: ItemId(1),
        votes: 1,
        up: true,
        by: Some(MemberId(3)),
    };
    let text = serde_json::to_string(&vote.to_public()).unwrap();
    assert!(!text.contains("\"by\""), "{text}");
}

#[test]
fn the_case_bringers_private_events_say_nothing_in_public() {
    let warm = Reaction {
        temperature: Temperature::Warm,
        useful: true,
    };
    let private = Event::ItemReacted {
        item: Some(ItemId(4)),
        reaction: Some(warm),
        shared: false,
    };
    assert_eq!(
        private.to_public(),
        Event::ItemReacted {
            item: None,
            reaction: None,
            shared: false
        }
    );
    let shared = Event::ItemReacted {
        item: Some(ItemId(4)),
        reaction: Some(warm),
        shared: true,
    };
    assert_eq!(
        shared.to_public(),
        shared,
        "shared reactions are for everyone"
    );
    let hidden_again = Event::ReactionsShared {
        case_round: 0,
        shared: false,
        reactions: vec![ReactionEntry {
            item: ItemId(4),
            reaction: warm,
        }],
    };
    let Event::ReactionsShared { reactions, .. } = hidden_again.to_public() else {
        panic!()
    };
    assert!(reactions.is_empty());
    let note = Event::NoteTaken {
        note: Some(Item {
            id: ItemId(9),
            kind: InputKind::Notepad,
            by: Some(MemberId(2)),
            anonymous: false,
            text: Some("mine alone".into()),
            phase: 3,
            phase_seq: 4,
            case_round: 1,
            at: 0,
            reply_to: None,
            votes: 0,
            status: TriageStatus::Open,
            hidden: false,
            kept: false,
            chosen: false,
            revealed: false,
        }),
    };
    let text = serde_json::to_string(&note.to_public()).unwrap();
    assert!(!text.contains("mine alone"), "{text}");
    let rated = Event::ProcessRated {
        case_round: 0,
        count: 2,
        by: Some(MemberId(3)),
        scores: Some(vec![5, 4, 3, 0]),
        remark: Some("too fast".into()),
    };
    let text = serde_json::to_string(&rated.to_public()).unwrap();
    assert_eq!(
        text, r#"{"kind":"process_rated","case_round":0,"count":2}"#,
        "only the count"
    );
}

/// Whatever a log line prints with `{:?}` (a client message, a command, an event, a view's
/// member), the text and names in it show only as lengths.
#[test]
fn debug_of_messages_names_no_content() {
    let msg = parse(json!({"type": "command", "id": "c1", "command": {
        "kind": "submit", "input": "question", "text": "Wat zegt je leidinggevende?"
    }}))
    .unwrap();
    let shown = format!("{msg:?}");
    assert!(shown.contains("Text(len=27)"), "{shown}");
    assert!(!shown.contains("leidinggevende"), "{shown}");

    let item = Item {
        id: ItemId(1),
        kind: InputKind::Advice,
        by: Some(MemberId(2)),
        anonymous: false,
        text: Some("Praat met je team".into()),
        phase: 0,
        phase_seq: 1,
        at: 0,
        reply_to: None,
        votes: 0,
        status: TriageStatus::Open,
        case_round: 0,
        hidden: false,
        kept: false,
        chosen: false,
        revealed: false,
    };
    let events = [
        Event::ItemAdded { item },
        Event::MemberJoined {
            member: MemberInfo {
                id: MemberId(3),
                name: DisplayName::parse("Marieke").unwrap(),
                role: Role::Participant,
            },
            token_hash: None,
        },
        Event::MemberRenamed {
            member: MemberId(3),
            name: DisplayName::parse("Marieke B.").unwrap(),
        },
    ];
    let shown = format!("{events:?}");
    for secret in ["Praat", "Marieke"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    // The recorded form reads back as it was written.
    for event in events {
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
    }
}
