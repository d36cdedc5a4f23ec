//! Malformed input, row by row: each gets its documented error, the connection and the room
//! stay up, and nothing of what was accepted before is lost.

use kring_protocol::*;

use crate::helpers::*;

/// What the server must answer to one frame.
enum Expect {
    /// An error with this code (and, where given, this field).
    Error(&'static str, Option<&'static str>),
    /// An ack: the input was valid and is kept exactly as sent.
    Accepted,
}

use Expect::*;

fn command(id: &str, phase: u64, command: &str) -> String {
    format!(r#"{{"type":"command","id":"{id}","phase":{phase},"command":{command}}}"#)
}

fn question(id: &str, phase: u64, text_json: &str) -> String {
    command(
        id,
        phase,
        &format!(r#"{{"kind":"submit","input":"question","text":{text_json}}}"#),
    )
}

#[tokio::test]
async fn malformed_frames_get_documented_errors_and_break_nothing() {
    let server = spawn_with(|cfg| cfg.message_burst = 1000).await;
    let session = server.create_session("basic").await;
    let mut f = server.facilitator(&session).await;
    let carla = server.join(&session, "Carla").await;
    let mut anna = server.join(&session, "Anna").await;
    f.command(Command::SetCaseBringer {
        member: Some(carla.member()),
    })
    .await
    .unwrap();
    f.command(Command::StartSession {}).await.unwrap();
    f.command(Command::GotoPhase { index: 2 }).await.unwrap();
    anna.catch_up(f.last_seq).await;
    let p = u64::from(anna.phase_seq().unwrap());
    let first = anna
        .command(Command::Submit {
            input: InputKind::Question,
            text: "What did you try first?".into(),
            reply_to: None,
            anonymous: false,
            confirm: false,
        })
        .await
        .unwrap();

    let emoji_rtl = "Wat heb je geprobeerd? 🤔👩🏽‍⚕️ ما الذي جربته؟ \u{202E}שאלה\u{202C} 中文";
    // Inside an object, where serde buffers the value before it knows the message type.
    let deep = format!(
        r#"{{"type":"ping","x":{}{}}}"#,
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let rows: Vec<(&str, String, Expect)> = vec![
        ("not JSON", "{nope".into(), Error("bad_json", None)),
        ("empty frame", String::new(), Error("bad_json", None)),
        (
            "byte order mark",
            "\u{FEFF}{\"type\":\"ping\"}".into(),
            Error("bad_json", None),
        ),
        ("JSON null", "null".into(), Error("bad_message", None)),
        ("JSON array", "[]".into(), Error("bad_message", None)),
        ("nested 5,000 deep", deep, Error("bad_json", None)),
        (
            "unknown type",
            r#"{"type":"shout"}"#.into(),
            Error("unknown_type", None),
        ),
        (
            "no type",
            r#"{"t":1}"#.into(),
            Error("bad_message", Some("type")),
        ),
        (
            // The name of an unknown field is the client's text: not echoed.
            "unknown field",
            r#"{"type":"ping","t":1,"x":1}"#.into(),
            Error("bad_message", None),
        ),
        (
            "duplicate field",
            r#"{"type":"ping","t":1,"t":2}"#.into(),
            Error("bad_message", None),
        ),
        (
            "wrong type",
            r#"{"type":"ping","t":"soon"}"#.into(),
            Error("bad_message", None),
        ),
        (
            "huge number",
            r#"{"type":"ping","t":1e400}"#.into(),
            Error("bad_json", None),
        ),
        (
            "number above u64",
            r#"{"type":"ping","t":18446744073709551616}"#.into(),
            Error("bad_message", None),
        ),
        (
            "negative time",
            r#"{"type":"ping","t":-1}"#.into(),
            Error("bad_message", None),
        ),
        (
            "phase stamp above u32",
            command("c-a", 4_294_967_296, r#"{"kind":"raise_hand"}"#),
            Error("bad_message", Some("phase")),
        ),
        (
            "seconds above i32",
            command("c-b", p, r#"{"kind":"extend_timer","seconds":99999999999}"#),
            Error("bad_message", Some("command")),
        ),
        (
            "negative phase index",
            command("c-c", p, r#"{"kind":"goto_phase","index":-1}"#),
            Error("bad_message", Some("command")),
        ),
        (
            "unknown command",
            command("c-d", p, r#"{"kind":"become_facilitator"}"#),
            Error("bad_message", Some("command.kind")),
        ),
        (
            "unknown command field",
            command("c-e", p, r#"{"kind":"raise_hand","loud":true}"#),
            Error("bad_message", Some("command")),
        ),
        (
            "text is a number",
            question("c-f", p, "42"),
            Error("bad_message", Some("command")),
        ),
        (
            "lone surrogate",
            question("c-g", p, r#""\ud800""#),
            Error("bad_json", None),
        ),
        (
            "empty text",
            question("c-h", p, r#""   ""#),
            Error("text_empty", None),
        ),
        (
            "text one character too long",
            question("c-i", p, &format!("\"{}\"", "é".repeat(501))),
            Error("text_too_long", None),
        ),
        (
            "unknown item",
            command("c-j", p, r#"{"kind":"vote","item":999999}"#),
            Error("no_such_item", None),
        ),
        (
            "stale phase stamp",
            command("c-k", p - 1, r#"{"kind":"raise_hand"}"#),
            Error("phase_closed", None),
        ),
        (
            "null bytes in text",
            question("c-l", p, r#""Why\u0000 then?""#),
            Error("invalid_value", Some("command.text")),
        ),
        (
            "emoji and right-to-left text",
            question("c-m", p, &serde_json::to_string(emoji_rtl).unwrap()),
            Accepted,
        ),
        (
            // 499 emoji and a question mark (a text that asks nothing gets `not_a_question`).
            "500 characters, 499 of them emoji",
            question(
                "c-n",
                p,
                &serde_json::to_string(&format!("{}?", "🤔".repeat(499))).unwrap(),
            ),
            Accepted,
        ),
        (
            "command id of 65 characters",
            command(&"i".repeat(65), p, r#"{"kind":"raise_hand"}"#),
            Error("bad_message", Some("id")),
        ),
        (
            "empty command id",
            command("", p, r#"{"kind":"raise_hand"}"#),
            Error("bad_message", Some("id")),
        ),
        (
            "second hello",
            r#"{"type":"hello","protocol":1,"join":{"as":"member","name":"Again"}}"#.into(),
            Error("already_joined", None),
        ),
    ];
    let mut accepted = Vec::new();
    for (name, frame, expect) in rows {
        anna.send_raw(&frame).await;
        let reply = loop {
            match anna.recv().await {
                ServerMsg::Event(_) => continue,
                other => break other,
            }
        };
        match (expect, reply) {
            (Error(code, field), ServerMsg::Error(e)) => {
                assert_eq!(e.code.as_str(), code, "{name}: {e:?}");
                if let Some(field) = field {
                    assert_eq!(e.field.as_deref(), Some(field), "{name}: {e:?}");
                }
                assert!(!e.message.contains("Why"), "{name}: content echoed");
                // A command's id is named even when another part of the frame is bad (here a
                // lone surrogate in the text); the id itself must be readable.
                #[derive(serde::Deserialize)]
                struct Probe {
                    #[serde(rename = "type")]
                    kind: String,
                    id: Option<String>,
                }
                let sent: Option<Probe> = serde_json::from_str(&frame).ok();
                let id = sent
                    .as_ref()
                    .filter(|p| p.kind == "command")
                    .and_then(|p| p.id.as_deref())
                    .filter(|id| !id.is_empty() && id.len() <= MAX_COMMAND_ID_LEN);
                assert_eq!(e.id.as_deref(), id, "{name}: the error names the command");
            }
            (Accepted, ServerMsg::Ack(ack)) => {
                let text: serde_json::Value = serde_json::from_str(&frame).unwrap();
                accepted.push((ack.item.unwrap(), text["command"]["text"].clone()));
            }
            (_, other) => panic!("{name}: unexpected {other:?}"),
        }
    }

    // The room still works, and holds exactly what was accepted, character for character.
    anna.send_raw(r#"{"type":"ping","t":3}"#).await;
    assert!(matches!(anna.recv().await, ServerMsg::Pong { .. }));
    let mut late = server.join(&session, "Late").await;
    let items = &late.view().items;
    let text_of = |id: ItemId| {
        items
            .iter()
            .find(|i| i.id == id)
            .and_then(|i| i.text.clone())
            .map(String::from)
            .unwrap_or_default()
    };
    assert_eq!(text_of(first.item.unwrap()), "What did you try first?");
    for (id, sent) in accepted {
        assert_eq!(serde_json::Value::String(text_of(id)), sent);
    }
    late.command(Command::RaiseHand {}).await.unwrap();
}
