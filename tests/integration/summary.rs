//! The case-bringer's summary: theirs alone, readable, and escaped.

use kring_protocol::*;

use crate::helpers::*;

async fn get_summary(
    server: &TestServer,
    code: &str,
    token: Option<&str>,
    format: &str,
) -> (u16, String) {
    let mut request = server
        .http
        .get(server.url(&format!("/api/sessions/{code}/summary?format={format}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn only_the_case_bringer_downloads_the_summary() {
    let server = spawn_app().await;
    let session = server.create_session("gossip").await;
    let mut f = server.facilitator(&session).await;
    let mut carla = server.join(&session, "Carla").await;
    let mut piet = server.join(&session, "Piet").await;
    f.command(Command::SetCaseBringer {
        member: Some(carla.member()),
    })
    .await
    .unwrap();
    f.command(Command::StartSession {}).await.unwrap();
    carla.catch_up(f.last_seq).await;
    carla
        .command(submit(
            InputKind::Statement,
            "My team lead ignores <b>me</b>",
        ))
        .await
        .unwrap();
    f.command(Command::NextPhase {}).await.unwrap();
    piet.catch_up(f.last_seq).await;
    let q = piet
        .command(question("What happened the last time you raised it?"))
        .await
        .unwrap();
    carla.catch_up(piet.last_seq).await;
    carla
        .command(Command::Triage {
            item: q.item.unwrap(),
            status: TriageStatus::Answered,
        })
        .await
        .unwrap();
    f.command(Command::NextPhase {}).await.unwrap();
    piet.catch_up(f.last_seq).await;
    let advice = piet
        .command(submit(
            InputKind::Advice,
            "Ask for a one-to-one <script>x</script>",
        ))
        .await
        .unwrap();
    f.command(Command::NextPhase {}).await.unwrap();
    carla.catch_up(f.last_seq).await;
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
    carla
        .command(submit(
            InputKind::Commitment,
            "Book the one-to-one on Monday",
        ))
        .await
        .unwrap();
    f.command(Command::EndSession {}).await.unwrap();

    let code = &session.code;
    assert_eq!(get_summary(&server, code, None, "md").await.0, 401);
    assert_eq!(
        get_summary(&server, code, Some(&piet.token()), "md")
            .await
            .0,
        403
    );
    assert_eq!(
        get_summary(&server, code, Some(&session.facilitator_token), "md")
            .await
            .0,
        403
    );
    assert_eq!(
        get_summary(&server, "ZZZ-ZZZ-ZZZ", Some(&carla.token()), "md")
            .await
            .0,
        404
    );

    let (status, md) = get_summary(&server, code, Some(&carla.token()), "md").await;
    assert_eq!(status, 200);
    for part in [
        "My team lead ignores \\<b\\>me\\</b\\>",
        "What happened the last time you raised it? _(answered)_",
        "Ask for a one-to-one \\<script\\>x\\</script\\> _(useful)_",
        "- Book the one-to-one on Monday",
    ] {
        assert!(md.contains(part), "missing {part:?} in\n{md}");
    }
    // In the reader's language when asked: German labels and the German method name.
    let (status, de) = get_summary(&server, code, Some(&carla.token()), "md&lang=de").await;
    assert_eq!(status, 200);
    for part in [
        "# Zusammenfassung:",
        "- Methode: Tratschmethode",
        "What happened the last time you raised it? _(beantwortet)_",
        "## Was du tun wirst",
    ] {
        assert!(de.contains(part), "missing {part:?} in\n{de}");
    }
    let (_, fr) = get_summary(&server, code, Some(&carla.token()), "html&lang=fr").await;
    assert!(
        fr.contains("<html lang=\"fr\">") && fr.contains("Conseils"),
        "{fr}"
    );
    // An unknown language is the session's.
    let (_, other) = get_summary(&server, code, Some(&carla.token()), "md&lang=xx").await;
    assert!(other.contains("# Summary:"), "{other}");

    let (status, html) = get_summary(&server, code, Some(&carla.token()), "html").await;
    assert_eq!(status, 200);
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<b>me</b>"));
}
