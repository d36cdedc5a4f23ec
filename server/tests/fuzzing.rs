//! The body of the `client_message` fuzz target, with plain `cargo test`: over the committed
//! seed corpus (which must match the protocol types) and over a few thousand inputs derived
//! from the seeds at random. The fuzzer itself (`scripts/fuzz.sh`, nightly) explores much
//! further; an input it fails on belongs here as a test of its own.

use std::collections::BTreeSet;
use std::path::PathBuf;

use kring_protocol::{ClientMsg, Command, Join};
use kring_server::fuzzing::{client_frame, seed_messages};
use proptest::prelude::*;
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/client_message")
}

/// The seed corpus as files: name and content.
fn seed_files() -> Vec<(String, String)> {
    seed_messages()
        .into_iter()
        .map(|(name, msg)| {
            let json = serde_json::to_string(&msg).expect("a seed serialises");
            (format!("{name}.json"), json)
        })
        .collect()
}

#[test]
fn seed_corpus_is_current() {
    let dir = corpus_dir();
    let fresh = seed_files();
    if std::env::var_os("KRING_UPDATE_CORPUS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the corpus directory");
        for (name, json) in &fresh {
            std::fs::write(dir.join(name), json).expect("write a seed");
        }
        return;
    }
    let mut on_disk: Vec<(String, String)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .map(|e| e.expect("a directory entry").path())
                .map(|path| {
                    let name = path.file_name().expect("a file name");
                    let json = std::fs::read_to_string(&path).unwrap_or_default();
                    (name.to_string_lossy().into_owned(), json)
                })
                .collect()
        })
        .unwrap_or_default();
    on_disk.sort();
    let mut fresh = fresh;
    fresh.sort();
    assert!(
        on_disk == fresh,
        "fuzz/corpus/client_message is stale: run \
         `KRING_UPDATE_CORPUS=1 cargo test -p kring-server --test fuzzing` and commit it"
    );
}

/// A number per command kind; a new command does not compile here until it gets one, and the
/// test below fails until it has a seed.
fn command_number(command: &Command) -> usize {
    match command {
        Command::StartSession {} => 0,
        Command::NextPhase {} => 1,
        Command::PrevPhase {} => 2,
        Command::GotoPhase { .. } => 3,
        Command::ExtendTimer { .. } => 4,
        Command::EndSession {} => 5,
        Command::LockRoom { .. } => 6,
        Command::SetCaseBringer { .. } => 7,
        Command::SetRole { .. } => 8,
        Command::RemoveMember { .. } => 9,
        Command::ChooseCase { .. } => 10,
        Command::KeepCase { .. } => 11,
        Command::GiveFloor { .. } => 12,
        Command::EndFloor {} => 13,
        Command::NextSpeaker {} => 14,
        Command::SkipSpeaker { .. } => 15,
        Command::StartRound {} => 16,
        Command::HideItem { .. } => 17,
        Command::RevealNotes {} => 18,
        Command::RaiseHand {} => 19,
        Command::LowerHand {} => 20,
        Command::Pass {} => 21,
        Command::Submit { .. } => 22,
        Command::Vote { .. } => 23,
        Command::Unvote { .. } => 24,
        Command::Triage { .. } => 25,
        Command::React { .. } => 26,
        Command::Withdraw { .. } => 27,
        Command::Rename { .. } => 28,
        Command::RemoveAndLock { .. } => 29,
        Command::RemoveOffline {} => 30,
        Command::StartCase { .. } => 31,
        Command::ReorderRound { .. } => 32,
        Command::SetCoFacilitator { .. } => 33,
        Command::HandFacilitator { .. } => 34,
        Command::ShareReactions { .. } => 35,
        Command::ChooseKeyQuestion { .. } => 36,
        Command::CarryCommitment { .. } => 37,
        Command::RateProcess { .. } => 38,
        Command::PauseTimer { .. } => 39,
        Command::SetTimer { .. } => 40,
        Command::SetTurnLimit { .. } => 41,
        Command::RevealVotes {} => 42,
        Command::ConfirmPresence { .. } => 43,
        Command::WriteReflection { .. } => 44,
        Command::ConfirmList {} => 45,
        Command::SetMinutes { .. } => 46,
    }
}
const COMMANDS: usize = 47;

/// The same for every other message (and way of joining).
fn message_number(msg: &ClientMsg) -> usize {
    match msg {
        ClientMsg::Hello { join, .. } => match join {
            Join::Member { .. } => 0,
            Join::Facilitator { .. } => 1,
            Join::Resume { .. } => 2,
            Join::Screen { .. } => 3,
        },
        ClientMsg::Ping { .. } => 4,
        ClientMsg::Leave {} => 5,
        ClientMsg::Command(envelope) => 6 + command_number(&envelope.command),
    }
}

#[test]
fn every_message_kind_has_a_seed() {
    let seeded: BTreeSet<usize> = seed_messages()
        .iter()
        .map(|(_, msg)| message_number(msg))
        .collect();
    let all: BTreeSet<usize> = (0..6 + COMMANDS).collect();
    let missing: Vec<_> = all.difference(&seeded).collect();
    assert!(
        missing.is_empty(),
        "no seed for message numbers {missing:?}"
    );
}

#[test]
fn the_seed_corpus_holds() {
    for (name, json) in seed_files() {
        assert!(
            kring_server::conn::decode(&json).is_ok(),
            "seed {name} does not decode"
        );
        client_frame(json.as_bytes());
    }
}

/// Tokens that make JSON interesting to a decoder.
const TOKENS: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1e3",
    "0.5",
    "65536",
    "4294967296",
    "\\u0000",
    "\\ud800",
    "é",
    "\u{1F600}",
    "\"kind\":",
    "\"type\":",
];

#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, usize),
    Delete(usize, usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Replace(at, byte)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Edit::Insert(at, token)),
        (any::<usize>(), 1..8usize).prop_map(|(at, len)| Edit::Delete(at, len)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply_edit(bytes: &mut Vec<u8>, edit: &Edit) {
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
    match *edit {
        Edit::Replace(i, byte) if !bytes.is_empty() => {
            let i = at(i, bytes.len());
            bytes[i] = byte;
        }
        Edit::Replace(..) => {}
        Edit::Insert(i, token) => {
            let i = at(i, bytes.len() + 1);
            bytes.splice(i..i, TOKENS[token].bytes());
        }
        Edit::Delete(i, len) => {
            let i = at(i, bytes.len());
            let end = (i + len).min(bytes.len());
            bytes.drain(i..end);
        }
        Edit::Truncate(i) => bytes.truncate(at(i, bytes.len() + 1)),
    }
}

/// A new value for one field: mostly of the field's own type (edges of every number type, texts
/// at and past the limits, names of roles, kinds and statuses), sometimes of another.
#[derive(Debug, Clone)]
struct Change {
    target: usize,
    number: i64,
    text: String,
    mistyped: Option<Value>,
}

fn change() -> impl Strategy<Value = Change> {
    let numbers = prop_oneof![
        4 => 0..14i64,
        1 => proptest::sample::select(vec![
            65_535i64,
            65_536,
            2_147_483_647,
            4_294_967_295,
            4_294_967_296,
            -1,
            -2_147_483_648,
        ]),
    ];
    let words = [
        "",
        " ",
        "x",
        "\u{0}",
        "Have you tried asking her?",
        "question",
        "advice",
        "case",
        "vote",
        "private_note",
        "answer",
        "participant",
        "note_taker",
        "facilitator",
        "case_bringer",
        "useful",
        "parked",
        "warm",
        "command",
        "raise_hand",
    ];
    let texts = prop_oneof![
        3 => proptest::sample::select(words.to_vec()).prop_map(str::to_owned),
        1 => (1..4200usize).prop_map(|n| "a".repeat(n)),
    ];
    let mistyped = proptest::option::weighted(
        0.1,
        prop_oneof![
            Just(Value::Null),
            Just(Value::from(true)),
            Just(Value::from(-1)),
            Just(Value::from("x")),
            Just(serde_json::json!({})),
        ],
    );
    (any::<usize>(), numbers, texts, mistyped).prop_map(|(target, number, text, mistyped)| Change {
        target,
        number,
        text,
        mistyped,
    })
}

/// JSON pointers to every leaf (and every object, to add a field to).
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            out.push(at.clone());
            for (key, v) in map {
                pointers(v, format!("{at}/{key}"), out);
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => out.push(at),
    }
}

fn reshape(json: &str, changes: &[Change]) -> String {
    let mut doc: Value = serde_json::from_str(json).expect("a seed is JSON");
    for change in changes {
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        let pointer = &all[change.target % all.len()];
        let Some(field) = doc.pointer_mut(pointer) else {
            continue;
        };
        match (field, &change.mistyped) {
            (Value::Object(map), Some(value)) => {
                let key = ["extra", "phase", "reply_to", "anonymous"][change.target % 4];
                map.insert(key.to_owned(), value.clone());
            }
            (Value::Object(_), None) => {}
            (field, Some(value)) => *field = value.clone(),
            (field @ (Value::Number(_) | Value::Null), None) => *field = change.number.into(),
            (Value::Bool(b), None) => *b = !*b,
            (field, None) => *field = Value::from(change.text.clone()),
        }
    }
    doc.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1500,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Seeds with bytes replaced, tokens inserted, spans deleted: mostly frames the decoder
    /// must refuse with a code, and some it must accept.
    #[test]
    fn mutated_frames_hold(seed in any::<usize>(), edits in prop::collection::vec(edit(), 1..6)) {
        let files = seed_files();
        let mut bytes = files[seed % files.len()].1.clone().into_bytes();
        for edit in &edits {
            apply_edit(&mut bytes, edit);
        }
        client_frame(&bytes);
    }

    /// Seeds with fields given other values: mostly valid messages, so commands reach the
    /// engine with values it must refuse or handle.
    #[test]
    fn reshaped_messages_hold(
        seed in any::<usize>(),
        changes in prop::collection::vec(change(), 1..4),
    ) {
        let files = seed_files();
        let frame = reshape(&files[seed % files.len()].1, &changes);
        client_frame(frame.as_bytes());
    }
}
