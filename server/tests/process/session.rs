//! A whole basic-model session with a unique marker in every piece of content, for the tests
//! that look for content where it must not be.

use kring_protocol::*;
use serde_json::json;

use crate::helpers::*;

pub struct Marked {
    pub session: SessionCreated,
    pub case_bringer_token: String,
}

/// Runs a session to its end; every text, name and title contains `marker`.
pub async fn run_marked_session(server: &TestServer, marker: &str) -> Marked {
    let session = server
        .create(json!({"method": "basic", "title": format!("{marker} title"), "language": "nl"}))
        .await;
    let mut f = server.connect(&session.code).await;
    f.hello(Join::Facilitator {
        token: session.facilitator_token.clone(),
        name: format!("{marker} facilitator"),
    })
    .await;
    let mut carla = server.join(&session, &format!("{marker} carla")).await;
    let mut piet = server.join(&session, &format!("{marker} piet")).await;
    let t = |what: &str| format!("{marker} {what}");

    f.command(Command::StartSession {}).await.unwrap();
    carla.catch_up(f.last_seq).await;
    piet.catch_up(f.last_seq).await;
    let case = carla
        .command(submit(InputKind::Case, &t("case")))
        .await
        .unwrap();
    piet.command(submit(InputKind::Case, &t("other case")))
        .await
        .unwrap();
    piet.command(Command::Vote {
        item: case.item.unwrap(),
    })
    .await
    .unwrap();
    f.command(Command::ChooseCase {
        case: case.item.unwrap(),
        keep_others: true,
    })
    .await
    .unwrap();
    f.command(Command::NextPhase {}).await.unwrap();
    carla.catch_up(f.last_seq).await;
    carla
        .command(submit(InputKind::Statement, &t("statement")))
        .await
        .unwrap();
    f.command(Command::NextPhase {}).await.unwrap();
    piet.catch_up(f.last_seq).await;
    carla.catch_up(f.last_seq).await;
    // Refused input and malformed input carry content too.
    assert!(
        piet.command(submit(InputKind::Advice, &t("early advice")))
            .await
            .is_err()
    );
    piet.send_raw(&format!(
        r#"{{"type":"command","id":"bad","command":{{"kind":"vote","item":"{marker} not a number"}}}}"#
    ))
    .await;
    assert_eq!(piet.error().await.code, ErrorCode::BadMessage);
    let q = piet
        .command(question(&t("what worries you?")))
        .await
        .unwrap();
    carla.catch_up(piet.last_seq).await;
    carla
        .command(Command::Submit {
            input: InputKind::Answer,
            text: t("answer").into(),
            reply_to: q.item,
            anonymous: false,
            confirm: false,
        })
        .await
        .unwrap();
    f.command(Command::NextPhase {}).await.unwrap();
    piet.catch_up(f.last_seq).await;
    carla.catch_up(f.last_seq).await;
    piet.command(submit(InputKind::Analysis, &t("analysis")))
        .await
        .unwrap();
    carla
        .command(submit(InputKind::KeyQuestion, &t("key question")))
        .await
        .unwrap();
    f.command(Command::NextPhase {}).await.unwrap();
    piet.catch_up(f.last_seq).await;
    carla.catch_up(f.last_seq).await;
    let advice = piet
        .command(submit(InputKind::Advice, &t("advice")))
        .await
        .unwrap();
    carla.catch_up(piet.last_seq).await;
    carla
        .command(Command::React {
            item: advice.item.unwrap(),
            reaction: Reaction {
                temperature: Temperature::None,
                useful: true,
            },
        })
        .await
        .unwrap();
    f.command(Command::NextPhase {}).await.unwrap();
    piet.catch_up(f.last_seq).await;
    carla.catch_up(f.last_seq).await;
    carla
        .command(submit(InputKind::Commitment, &t("commitment")))
        .await
        .unwrap();
    piet.command(submit(InputKind::Reflection, &t("reflection")))
        .await
        .unwrap();
    f.command(Command::EndSession {}).await.unwrap();
    Marked {
        session,
        case_bringer_token: carla.token(),
    }
}
