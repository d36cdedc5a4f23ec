//! A fixed group's next meeting opens with what it chose to keep, and the facilitator can
//! export an attendance record without content.

use kring_protocol::*;
use serde_json::json;

use crate::helpers::*;

/// A basic-model meeting where Carla's case is chosen, Piet's is kept for next time, and
/// Carla commits to something.
async fn meeting(server: &TestServer, body: serde_json::Value) -> (SessionCreated, Client, Client) {
    let keeps = body["settings"]["keep_for_group"] == json!(true);
    let session = server.create(body).await;
    let mut f = server.facilitator(&session).await;
    let mut carla = server.join(&session, "Carla").await;
    let mut piet = server.join(&session, "Piet").await;
    let phase = |id: &str| {
        f.view()
            .method
            .phases
            .iter()
            .position(|p| p.id == id)
            .unwrap() as u16
    };
    let (inventory, evaluation) = (phase("inventory"), phase("evaluation"));
    f.command(Command::StartSession {}).await.unwrap();
    f.command(Command::GotoPhase { index: inventory })
        .await
        .ok();
    carla.catch_up(f.last_seq).await;
    piet.catch_up(f.last_seq).await;
    let case = carla
        .command(submit(InputKind::Case, "Carla's case"))
        .await
        .unwrap();
    let kept = piet
        .command(submit(InputKind::Case, "Piet's case for later"))
        .await
        .unwrap();
    f.command(Command::ChooseCase {
        case: case.item.unwrap(),
        keep_others: true,
    })
    .await
    .unwrap();
    f.command(Command::GotoPhase { index: evaluation })
        .await
        .unwrap();
    carla.catch_up(f.last_seq).await;
    let commitment = carla
        .command(submit(
            InputKind::Commitment,
            "Talk to my manager before Friday",
        ))
        .await
        .unwrap();
    // Her consent: this one may go to the next meeting. Another one stays hers. A session
    // that keeps nothing for the group has nothing to consent to.
    let consent = carla
        .command(Command::CarryCommitment {
            item: commitment.item.unwrap(),
            carry: true,
        })
        .await;
    match consent {
        Ok(_) => assert!(keeps),
        Err(refused) => {
            assert!(!keeps);
            assert_eq!(refused.code, ErrorCode::InvalidValue);
        }
    }
    carla
        .command(submit(InputKind::Commitment, "Something only for me"))
        .await
        .unwrap();
    f.command(Command::EndSession {}).await.unwrap();
    let _ = kept;
    (session, f, carla)
}

#[tokio::test]
async fn the_next_meeting_reports_back_on_what_the_group_kept() {
    let server = spawn_app().await;
    let first = json!({"method": "basic", "title": "March", "language": "en",
                       "settings": {"allow_anonymous": true, "keep_for_group": true}});
    let (march, _, _) = meeting(&server, first).await;

    let april = server
        .create(
            json!({"method": "basic", "title": "April", "language": "en",
                       "group_token": march.group_token}),
        )
        .await;
    assert_eq!(
        april.group_token, march.group_token,
        "the group keeps its token"
    );
    let f = server.facilitator(&april).await;
    let view = f.view();
    let report = view.report_back.as_ref().expect("a report-back");
    assert_eq!(report.previous_title, "March");
    let commitments: Vec<&str> = report.commitments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(commitments, ["Talk to my manager before Friday"]);
    assert_eq!(report.commitments[0].by_name, "Carla");
    let kept: Vec<&str> = report.kept_cases.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(kept, ["Piet's case for later"]);
    assert_eq!(
        view.method.phases[0].id, "report-back",
        "the meeting opens with it"
    );
    // Nothing else of March came along.
    assert!(view.items.is_empty());

    // April keeps nothing: May must not see March's commitments again.
    let april_body = json!({"method": "basic", "title": "April bis", "language": "en",
                            "group_token": march.group_token});
    let (_, _, _) = meeting(&server, april_body).await;
    let may = server
        .create(json!({"method": "basic", "title": "May", "group_token": march.group_token}))
        .await;
    let f = server.facilitator(&may).await;
    let report = f.view().report_back.clone().expect("a follow-up");
    assert_eq!(
        report.previous_title, "",
        "a meeting that keeps nothing keeps not even its title"
    );
    assert!(report.previous_date > 0);
    assert!(
        report.commitments.is_empty(),
        "old commitments never resurface"
    );

    // A group that kept nothing gets an empty report-back.
    let nothing = json!({"method": "basic", "title": "May", "language": "en"});
    let (may, _, _) = meeting(&server, nothing).await;
    let june = server
        .create(json!({"method": "basic", "title": "June", "group_token": may.group_token}))
        .await;
    let f = server.facilitator(&june).await;
    let report = f.view().report_back.clone().expect("still a follow-up");
    assert!(report.commitments.is_empty() && report.kept_cases.is_empty());

    // An unknown group token is refused, naming the field.
    let response = server
        .http
        .post(server.url("/api/sessions"))
        .json(&json!({"title": "x", "group_token": "0".repeat(40)}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let error: ApiError = response.json().await.unwrap();
    assert_eq!(error.field.as_deref(), Some("group_token"));
}

#[tokio::test]
async fn the_facilitator_exports_attendance_without_content() {
    let server = spawn_app().await;
    let body = json!({"method": "basic", "title": "Attendance", "language": "en"});
    let (session, _f, carla) = meeting(&server, body).await;
    let url = server.url(&format!("/api/sessions/{}/attendance", session.code));

    let forbidden = server
        .http
        .get(&url)
        .bearer_auth(carla.token())
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), 403);
    let missing = server.http.get(&url).send().await.unwrap();
    assert_eq!(missing.status(), 401);

    let attendance: Attendance = server
        .http
        .get(&url)
        .bearer_auth(&session.facilitator_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = attendance.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Facilitator", "Carla", "Piet"]);
    assert_eq!(attendance.members[1].role, Role::CaseBringer);
    assert!(attendance.started_at.is_some() && attendance.ended_at.is_some());
    assert!(attendance.members.iter().all(|m| m.joined_at > 0));

    let csv = server
        .http
        .get(format!("{url}?format=csv"))
        .bearer_auth(&session.facilitator_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("date,start,end,time_zone,"), "{csv}");
    assert!(csv.contains("\"Carla\",\"case_bringer\","), "{csv}");
    assert!(
        !csv.contains("case for later") && !csv.contains("manager"),
        "no content"
    );
}
