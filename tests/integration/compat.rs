//! A journal written by an earlier version still opens as a working room: the server was
//! upgraded while a session was live, and nothing it had accepted may be lost.
//!
//! `fixtures/journal-before-case-rounds.json` was written by the engine as it was before case
//! rounds and private reactions (items carried `temperature` and `reaction`, triage carried the
//! temperature, a reaction was `"useful"` or `"not_for_me"`): a basic-model session up to its
//! evaluation phase, with votes, triage, a hidden and restored question, a key question, two
//! reactions to advice and a commitment.

use kring_protocol::*;
use kring_server::metrics::Metrics;
use kring_server::store::{AppendBatch, NewRoom, SqliteStore, Store, StoredEvent};
use serde_json::Value;

use crate::helpers::*;

const FIXTURE: &str = include_str!("fixtures/journal-before-case-rounds.json");

/// Puts the old journal into a SQLite store in `dir`, as the old server left it a minute ago
/// (its times moved to now, so the room is not idle past the timeout).
async fn store_old_journal(dir: &std::path::Path) -> Value {
    let mut doc: Value = serde_json::from_str(FIXTURE).unwrap();
    let last = doc["events"].as_array().unwrap().last().unwrap()["at"]
        .as_u64()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    shift_times(&mut doc, now - 60_000 - last);
    let store = SqliteStore::open(dir, std::sync::Arc::new(Metrics::new()))
        .await
        .unwrap();
    let params = &doc["params"];
    let code = kring_protocol::RoomCode::parse(params["code"].as_str().unwrap()).unwrap();
    store
        .create_room(NewRoom {
            code: code.clone(),
            params_json: params.to_string(),
            epoch: 1,
            created_at: params["created_at"].as_u64().unwrap(),
            group: None,
        })
        .await
        .unwrap();
    let events = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| StoredEvent {
            seq: e["seq"].as_u64().unwrap(),
            at: e["at"].as_u64().unwrap(),
            kind: e["kind"].as_str().unwrap().to_owned().into(),
            json: e["event"].to_string(),
        })
        .collect();
    store
        .append(AppendBatch {
            events,
            ..AppendBatch::new(code, Default::default())
        })
        .await
        .unwrap();
    store.close().await.unwrap();
    doc
}

/// Adds `by` to every time in the document (`at`, `deadline`, `created_at`).
fn shift_times(value: &mut Value, by: u64) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match (key.as_str(), v.as_u64()) {
                    ("at" | "deadline" | "created_at", Some(t)) => *v = Value::from(t + by),
                    _ => shift_times(v, by),
                }
            }
        }
        Value::Array(list) => list.iter_mut().for_each(|v| shift_times(v, by)),
        _ => {}
    }
}

async fn resume(server: &TestServer, code: &str, token: &str) -> Client {
    let mut client = server.connect(code).await;
    client
        .hello(Join::Resume {
            token: token.into(),
            epoch: None,
            last_seq: None,
        })
        .await;
    client
}

fn item_with(view: &SessionView, prefix: &str) -> ItemId {
    view.items
        .iter()
        .find(|i| i.text.as_deref().is_some_and(|t| t.starts_with(prefix)))
        .unwrap_or_else(|| panic!("{prefix} is on the board"))
        .id
}

#[tokio::test]
async fn a_journal_from_before_case_rounds_opens_as_a_working_room() {
    let dir = tempfile::tempdir().unwrap();
    let doc = store_old_journal(dir.path()).await;
    let code = doc["params"]["code"].as_str().unwrap();
    let tokens = &doc["tokens"];
    let server = spawn_with(|cfg| {
        cfg.store = kring_server::config::StoreKind::Sqlite;
        cfg.data_dir = dir.path().to_owned();
    })
    .await;

    // The case-bringer comes back to everything they had, with their old triage temperature
    // and reactions as their own (now private) reactions.
    let mut anna = resume(&server, code, tokens["case_bringer"].as_str().unwrap()).await;
    let view = anna.view().clone();
    assert_eq!(view.status, SessionStatus::Running);
    assert_eq!(view.me.role, Role::CaseBringer);
    assert_eq!(view.items.len(), 8, "every item of the old journal");
    let q1 = item_with(&view, "OLD-Q1");
    let q2 = item_with(&view, "OLD-Q2");
    let a1 = item_with(&view, "OLD-ADVICE1");
    let a2 = item_with(&view, "OLD-ADVICE2");
    assert!(view.reactions.is_empty(), "none shared");
    let reaction = |item| {
        view.me
            .reactions
            .iter()
            .find(|r| r.item == item)
            .map(|r| r.reaction)
    };
    let of = |temperature, useful| {
        Some(Reaction {
            temperature,
            useful,
        })
    };
    assert_eq!(reaction(q1), of(Temperature::Warm, false));
    assert_eq!(reaction(q2), of(Temperature::Cold, false));
    assert_eq!(reaction(a1), of(Temperature::None, true));
    assert_eq!(reaction(a2), of(Temperature::Cold, false));
    let question = view.items.iter().find(|i| i.id == q1).unwrap();
    assert_eq!(question.status, TriageStatus::Answered);
    assert_eq!(question.votes, 1);
    assert!(!question.hidden);
    assert_eq!(view.cases.len(), 1);
    assert_eq!(view.cases[0].case_bringer, Some(view.me.member.unwrap()));

    // Reactions are private now, also the old ones: another member does not see them.
    let bram = resume(&server, code, tokens["participant"].as_str().unwrap()).await;
    assert!(bram.view().reactions.is_empty());
    assert!(
        !serde_json::to_string(bram.view())
            .unwrap()
            .contains("\"warm\"")
    );

    // The room works: the facilitator and the case-bringer go on where they were.
    let mut fac = server.connect(code).await;
    fac.hello(Join::Facilitator {
        token: tokens["facilitator"].as_str().unwrap().into(),
        name: "Fenna".into(),
    })
    .await;
    assert_eq!(fac.view().me.role, Role::Facilitator);
    anna.command(Command::React {
        item: a2,
        reaction: Reaction {
            temperature: Temperature::Lukewarm,
            useful: true,
        },
    })
    .await
    .expect("a new reaction on an old item");
    anna.command(submit(InputKind::Commitment, "NEW-COMMITMENT"))
        .await
        .expect("the evaluation phase still takes commitments");

    // The summary holds the old and the new, as the case-bringer gave them.
    let response = server
        .http
        .get(server.url(&format!("/api/sessions/{code}/summary?format=md")))
        .bearer_auth(tokens["case_bringer"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let summary = response.text().await.unwrap();
    for expected in [
        "OLD-STATEMENT",
        "Key questions proposed (none was chosen)\n\n- OLD-KEY How do I reach him?",
        "OLD-Q1 When did it start? _(answered, warm; 1 wants to know too)_",
        "OLD-ADVICE1 Call him _(useful)_",
        "OLD-ADVICE2 Write a letter _(lukewarm, useful)_",
        "OLD-COMMITMENT",
        "NEW-COMMITMENT",
    ] {
        assert!(summary.contains(expected), "{expected} in\n{summary}");
    }

    // A page loaded before the upgrade speaks the old protocol: it is told to reload.
    let mut old_page = server.connect(code).await;
    old_page
        .send_raw(r#"{"type":"hello","protocol":1,"join":{"as":"resume","token":"x"}}"#)
        .await;
    assert_eq!(old_page.error().await.code, ErrorCode::UnsupportedVersion);

    // A member who joins now reads the same room from the journal, and the session ends.
    let mut late = server.connect(code).await;
    late.hello(Join::Member {
        name: "Dirk".into(),
    })
    .await;
    assert_eq!(late.view().items.len(), 9);
    fac.command(Command::EndSession {}).await.expect("end");
}

#[test]
fn every_event_of_the_old_journal_reads_and_replays() {
    let doc: Value = serde_json::from_str(FIXTURE).unwrap();
    let params: kring_engine::SessionParams =
        serde_json::from_value(doc["params"].clone()).expect("old parameters read");
    let mut session = kring_engine::Session::new(params);
    for e in doc["events"].as_array().unwrap() {
        let json = e["event"].to_string();
        let event = journal::read_event(&json).unwrap_or_else(|err| panic!("{err}: {json}"));
        session.apply(
            e["seq"].as_u64().unwrap(),
            e["at"].as_u64().unwrap(),
            &event,
        );
    }
    assert_eq!(session.rounds_brought_by(MemberId(2)), vec![0]);
}
