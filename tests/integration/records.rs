//! The attendance record over real sockets: confirmations, minutes present (a dropped socket
//! within the grace counts), the list as JSON, CSV and a printable page, certificates, their
//! verification, personal reflections, and the record outliving the session's content.

use std::time::Duration;

use kring_protocol::*;
use serde_json::json;

use crate::helpers::*;

async fn get(server: &TestServer, path: &str, token: Option<&str>) -> (u16, String) {
    let mut request = server.http.get(server.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn attendance(server: &TestServer, session: &SessionCreated) -> Attendance {
    let (status, body) = get(
        server,
        &format!("/api/sessions/{}/attendance", session.code),
        Some(&session.facilitator_token),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// The verification code printed on a certificate page.
fn code_on(certificate: &str) -> String {
    let start = certificate.find("<strong class=\"code\">").expect("a code") + 21;
    certificate[start..start + 19].to_owned()
}

/// A member's socket drops without a close handshake; returns what it needs to come back.
fn drop_socket(client: Client) -> (String, Epoch, Seq) {
    let saved = (client.token(), client.epoch(), client.last_seq);
    client.drop_connection();
    saved
}

async fn come_back(
    server: &TestServer,
    session: &SessionCreated,
    saved: (String, Epoch, Seq),
) -> Client {
    let mut client = server.connect(&session.code).await;
    client.last_seq = saved.2;
    client
        .hello(Join::Resume {
            token: saved.0,
            epoch: Some(saved.1),
            last_seq: Some(saved.2),
        })
        .await;
    client
}

fn member_row<'a>(a: &'a Attendance, name: &str) -> &'a AttendanceRow {
    a.members
        .iter()
        .find(|m| m.name == name)
        .expect("on the list")
}

#[tokio::test]
async fn minutes_count_from_the_room_and_a_short_drop_counts_as_present() {
    let server = spawn_with(|cfg| cfg.turn_grace = Duration::from_millis(1500)).await;
    let session = server
        .create(
            json!({"method": "basic", "title": "Team Noord", "language": "nl",
                       "group_name": "Intervisiegroep Noord", "time_zone": "Europe/Brussels"}),
        )
        .await;
    let mut f = server.facilitator(&session).await;
    let anna = server.join(&session, "Anna").await;
    let bram = server.join(&session, "Bram").await;
    let mut carla = server.join(&session, "Carla").await;
    // Time in the lobby does not count.
    tokio::time::sleep(Duration::from_millis(300)).await;
    f.command(Command::StartSession {}).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Anna's phone locks and drops its socket for less than the grace; Bram is gone for longer.
    let anna = drop_socket(anna);
    let bram = drop_socket(bram);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut anna = come_back(&server, &session, anna).await;
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let mut bram = come_back(&server, &session, bram).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    f.command(Command::EndSession {}).await.unwrap();
    // Nothing after the end counts either.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let a = attendance(&server, &session).await;
    let duration = a.ended_at.unwrap() - a.started_at.unwrap();
    let present = |name: &str| member_row(&a, name).present_ms;
    assert_eq!(present("Facilitator"), duration, "present throughout");
    assert_eq!(present("Carla"), duration, "present throughout");
    assert_eq!(
        present("Anna"),
        duration,
        "a drop within the grace counts as present"
    );
    assert!(
        present("Bram") + 1_700 <= duration && present("Bram") + 3_000 >= duration,
        "a drop past the grace counts as absent from its start: {} of {duration}",
        present("Bram")
    );
    assert_eq!(a.group_name.as_deref(), Some("Intervisiegroep Noord"));
    assert_eq!(a.time_zone, "Europe/Brussels");
    assert_eq!(a.methods, ["Basismodel (vijfstappenmodel)"]);
    assert_eq!(a.facilitator, "Facilitator");
    assert_eq!(
        a.title.as_deref(),
        Some("Team Noord"),
        "while the content is kept"
    );
    assert!(a.date.is_some() && a.start.is_some() && a.end.is_some());
    let _ = (anna.member(), bram.member(), carla.member());
    anna.catch_up(f.last_seq).await;
    bram.catch_up(f.last_seq).await;
    carla.catch_up(f.last_seq).await;
}

#[tokio::test]
async fn members_confirm_and_download_certificates_that_verify() {
    let server = spawn_app().await;
    let session = server
        .create(
            json!({"method": "incident", "title": "Maart", "language": "nl",
                       "group_name": "Groep <Zuid>"}),
        )
        .await;
    let mut f = server.facilitator(&session).await;
    let mut anna = server.join(&session, "Anna").await;
    let mut bram = server.join(&session, "Bram").await;
    let code = &session.code;
    let certificate = format!("/api/sessions/{code}/certificate");

    // Not before the start; then from any phase on, also after the end.
    assert_eq!(
        anna.command(Command::ConfirmPresence { registration: None })
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotStarted
    );
    f.command(Command::StartSession {}).await.unwrap();
    anna.catch_up(f.last_seq).await;
    anna.command(Command::ConfirmPresence {
        registration: Some("BIG 19012345601".into()),
    })
    .await
    .unwrap();
    // Others learn that Anna confirmed, never her number.
    let seen = bram
        .until_event(|e| matches!(e, Event::PresenceConfirmed { .. }))
        .await;
    assert_eq!(
        seen.event,
        Event::PresenceConfirmed {
            member: anna.member(),
            registration: None
        }
    );
    let (status, body) = get(&server, &certificate, Some(&anna.token())).await;
    assert_eq!(status, 409, "no certificate before the end: {body}");
    assert!(body.contains("not_ended"));

    f.command(Command::EndSession {}).await.unwrap();
    bram.catch_up(f.last_seq).await;
    let (status, body) = get(&server, &certificate, Some(&bram.token())).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("not_confirmed"), "confirm first");
    bram.command(Command::ConfirmPresence { registration: None })
        .await
        .unwrap();
    f.command(Command::ConfirmList {}).await.unwrap();

    // Anna's certificate: her name and number, the meeting, and a code.
    let (status, anna_page) = get(&server, &certificate, Some(&anna.token())).await;
    assert_eq!(status, 200, "{anna_page}");
    for part in [
        "Bewijs van deelname",
        "<strong>Anna</strong>",
        "BIG 19012345601",
        "Incidentmethode",
        "Groep &lt;Zuid&gt;",
        "Europe/Amsterdam",
        "<dt>Bevestigd door de begeleider</dt><dd>op ",
        "<svg",
    ] {
        assert!(anna_page.contains(part), "missing {part:?} in {anna_page}");
    }
    let anna_code = code_on(&anna_page);
    assert!(anna_page.contains(&format!("/verify/{anna_code}")));
    // Bram's has his own code and nothing of Anna's.
    let (status, bram_page) = get(&server, &certificate, Some(&bram.token())).await;
    assert_eq!(status, 200);
    assert!(!bram_page.contains("BIG 19012345601") && !bram_page.contains("Anna"));
    assert_ne!(code_on(&bram_page), anna_code);

    // A register checks the code: genuine, and what it states.
    let (status, page) = get(&server, &format!("/verify/{anna_code}"), None).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Dit deelnamebewijs is echt.") && page.contains("Anna"));
    let (status, body) = get(
        &server,
        &format!("/verify/{}?format=json", anna_code.to_lowercase()),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let v: Verification = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (
            v.name.as_str(),
            v.registration.as_deref(),
            v.methods.as_slice()
        ),
        (
            "Anna",
            Some("BIG 19012345601"),
            &["Incidentmethode".to_owned()][..]
        )
    );
    assert!(v.list_confirmed_at.is_some() && v.confirmed_at.is_some());
    assert_eq!(
        v.cases,
        [CertificateCase {
            method: "Incidentmethode".into(),
            brought: false
        }],
        "nobody brought a case"
    );

    // An edited code is refused: one character changed (a typo, caught by the check) ...
    let mut edited: Vec<char> = anna_code.chars().collect();
    edited[0] = if edited[0] == 'K' { 'M' } else { 'K' };
    let edited: String = edited.into_iter().collect();
    let (status, page) = get(&server, &format!("/verify/{edited}"), None).await;
    assert_eq!(status, 404);
    assert!(page.contains("tikfout") && !page.contains("Anna"), "{page}");
    // ... and a well-formed code that no certificate has.
    let forged = kring_server::records::certificate_code(code, "forged", MemberId(2), None);
    let (status, page) = get(&server, &format!("/verify/{forged}"), None).await;
    assert_eq!(status, 404);
    assert!(page.contains("Geen deelnamebewijs gevonden"), "{page}");
    let (status, _) = get(&server, &format!("/verify/{forged}?format=json"), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn unknown_certificate_codes_count_as_guesses() {
    let server =
        spawn_with(|cfg| cfg.join_attempts = kring_server::config::parse_rate("3/1m").unwrap())
            .await;
    for i in 0..3 {
        let code = kring_server::records::certificate_code("GUESSROOM", "x", MemberId(i), None);
        let (status, _) = get(&server, &format!("/verify/{code}"), None).await;
        assert_eq!(status, 404);
    }
    let code = kring_server::records::certificate_code("GUESSROOM", "x", MemberId(9), None);
    let (status, _) = get(&server, &format!("/verify/{code}"), None).await;
    assert_eq!(status, 429, "blocked after repeated unknown codes");
}

#[tokio::test]
async fn behind_a_trusted_proxy_certificate_guesses_count_per_client() {
    let server = spawn_with(|cfg| {
        cfg.trusted_proxies = vec![kring_server::client::parse_net("127.0.0.1").unwrap()];
        cfg.join_attempts = kring_server::config::parse_rate("3/1m").unwrap();
    })
    .await;
    let session = server.create_session("basic").await;
    let verify = |client: &'static str, n: u32| {
        let code = kring_server::records::certificate_code("GUESSROOM", "x", MemberId(n), None);
        server
            .http
            .get(server.url(&format!("/verify/{code}?format=json")))
            .header("X-Forwarded-For", client)
            .send()
    };
    let guesser = "198.51.100.1, 203.0.113.7";
    for n in 0..3 {
        assert_eq!(verify(guesser, n).await.unwrap().status(), 404);
    }
    let blocked = verify(guesser, 3).await.unwrap();
    assert_eq!(blocked.status(), 429);
    assert!(blocked.headers().contains_key("retry-after"));
    // Another client of the same proxy is not blocked.
    assert_eq!(verify("203.0.113.8", 4).await.unwrap().status(), 404);
    // A read with a token is never refused for its address: the facilitator behind the
    // blocked address still gets the list.
    let list = server
        .http
        .get(server.url(&format!(
            "/api/sessions/{}/attendance?format=csv",
            session.code
        )))
        .bearer_auth(&session.facilitator_token)
        .header("X-Forwarded-For", guesser)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 200);
}

#[tokio::test]
async fn the_list_prints_and_exports_without_registration_numbers_or_content() {
    let server = spawn_app().await;
    let session = server
        .create(
            json!({"method": "basic", "title": "April", "language": "en",
                       "group_name": "North"}),
        )
        .await;
    let mut f = server.facilitator(&session).await;
    let mut anna = server.join(&session, "Anna").await;
    let mut bram = server.join(&session, "=Bram").await;
    f.command(Command::StartSession {}).await.unwrap();
    anna.catch_up(f.last_seq).await;
    anna.command(Command::ConfirmPresence {
        registration: Some("SKJ 100012345".into()),
    })
    .await
    .unwrap();
    anna.command(Command::WriteReflection {
        text: "REFLECTION-CANARY".into(),
    })
    .await
    .unwrap();
    f.command(Command::EndSession {}).await.unwrap();
    bram.catch_up(f.last_seq).await;
    let base = format!("/api/sessions/{}/attendance", session.code);

    // Only the facilitator.
    let (status, _) = get(&server, &format!("{base}?format=html"), Some(&anna.token())).await;
    assert_eq!(status, 403);

    let (status, page) = get(
        &server,
        &format!("{base}?format=html"),
        Some(&session.facilitator_token),
    )
    .await;
    assert_eq!(status, 200);
    for part in [
        "Attendance list – North",
        "Basic model (five steps)",
        "Europe/Amsterdam",
        "Anna",
        "=Bram",
        "yes, at",
        "not confirmed the list yet",
    ] {
        assert!(page.contains(part), "missing {part:?} in {page}");
    }
    let (status, csv) = get(
        &server,
        &format!("{base}?format=csv"),
        Some(&session.facilitator_token),
    )
    .await;
    assert_eq!(status, 200);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "date,start,end,time_zone,group,methods,case_bringers,facilitator,co_facilitators,\
             name,role,minutes,hours,measured_minutes,minutes_set_by_facilitator,confirmed_at,list_confirmed_at,\
             started_at_utc,ended_at_utc"
        )
    );
    assert_eq!(lines.count(), 3, "one row per member");
    assert!(csv.contains("\"'=Bram\""), "formulas defused: {csv}");
    for secret in ["SKJ 100012345", "REFLECTION-CANARY"] {
        assert!(
            !csv.contains(secret) && !page.contains(secret),
            "{secret} leaked"
        );
    }
}

#[tokio::test]
async fn each_member_downloads_only_their_own_reflection() {
    let server = spawn_app().await;
    let session = server
        .create(json!({"method": "basic", "title": "Mei", "language": "nl", "group_name": "Groep Oost"}))
        .await;
    let mut f = server.facilitator(&session).await;
    let mut anna = server.join(&session, "Anna").await;
    let mut bram = server.join(&session, "Bram").await;
    f.command(Command::StartSession {}).await.unwrap();
    anna.catch_up(f.last_seq).await;
    bram.catch_up(f.last_seq).await;
    anna.command(Command::WriteReflection {
        text: "Ik vraag <eerst> door.".into(),
    })
    .await
    .unwrap();
    bram.command(Command::WriteReflection {
        text: "BRAM-PRIVATE".into(),
    })
    .await
    .unwrap();
    f.command(Command::EndSession {}).await.unwrap();
    anna.catch_up(f.last_seq).await;
    let path = format!("/api/sessions/{}/reflection", session.code);
    let (status, page) = get(&server, &path, Some(&anna.token())).await;
    assert_eq!(status, 200);
    for part in [
        "Mijn verslag van de bijeenkomst",
        "Ik vraag &lt;eerst&gt; door.",
        "Groep Oost",
        "Basismodel",
        "Facilitator",
        "Anna",
    ] {
        assert!(page.contains(part), "missing {part:?} in {page}");
    }
    assert!(
        !page.contains("BRAM-PRIVATE") && !page.contains("Bram"),
        "nothing of anyone else"
    );
    let (status, text) = get(&server, &format!("{path}?format=text"), Some(&anna.token())).await;
    assert_eq!(status, 200);
    assert!(text.contains("Ik vraag <eerst> door."));
    // Others' events never carried the text; a fresh view shows only one's own.
    let resumed = server.resume(&session, &anna).await;
    let _ = resumed;
    assert!(
        bram.events
            .iter()
            .all(|e| !serde_json::to_string(&e.event).unwrap().contains("eerst"))
    );
}

#[tokio::test]
async fn the_record_outlives_the_sessions_content() {
    let server = spawn_with(|cfg| {
        cfg.retention = Duration::ZERO;
        cfg.purge_interval = Duration::from_millis(100);
    })
    .await;
    let session = server
        .create(
            json!({"method": "basic", "title": "CONTENT-TITLE", "language": "en",
                       "group_name": "West"}),
        )
        .await;
    let mut f = server.facilitator(&session).await;
    let mut anna = server.join(&session, "Anna").await;
    let mut piet = server.join(&session, "Piet").await;
    f.command(Command::StartSession {}).await.unwrap();
    anna.catch_up(f.last_seq).await;
    anna.command(Command::ConfirmPresence {
        registration: Some("BIG 1".into()),
    })
    .await
    .unwrap();
    anna.command(Command::WriteReflection {
        text: "gone soon".into(),
    })
    .await
    .unwrap();
    f.command(Command::ConfirmList {}).await.unwrap();
    // The role is handed over; whoever leads at the end ends the meeting.
    f.command(Command::HandFacilitator {
        member: piet.member(),
    })
    .await
    .unwrap();
    piet.catch_up(f.last_seq).await;
    piet.command(Command::EndSession {}).await.unwrap();
    // Retention 0: the content is purged at once and the sockets are closed.
    let closed = anna.closed().await;
    assert!(closed.is_some(), "the purge closes the room");

    let a = attendance(&server, &session).await;
    assert_eq!(a.title, None, "the title was content and is gone");
    assert_eq!(a.group_name.as_deref(), Some("West"));
    let names: Vec<&str> = a.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Facilitator", "Anna", "Piet"]);
    assert!(member_row(&a, "Anna").confirmed_at.is_some());
    assert!(a.list_confirmed_at.is_some());
    // Someone else's token reads nothing, as for an unknown room, and no sooner than a
    // failed read of a live room is answered.
    let asked = std::time::Instant::now();
    let (status, _) = get(
        &server,
        &format!("/api/sessions/{}/attendance", session.code),
        Some(&anna.token()),
    )
    .await;
    assert_eq!(status, 404);
    assert!(asked.elapsed() >= kring_server::limits::FAILURE_FLOOR);
    // Whoever held the role at the end reads the stored list with their own token.
    let (status, body) = get(
        &server,
        &format!("/api/sessions/{}/attendance", session.code),
        Some(&piet.token()),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let (status, page) = get(
        &server,
        &format!("/api/sessions/{}/certificate", session.code),
        Some(&anna.token()),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let code = code_on(&page);
    let (status, page) = get(&server, &format!("/verify/{code}"), None).await;
    assert_eq!(status, 200);
    assert!(page.contains("genuine") || page.contains("echt"));
    // The reflection was content: gone with it.
    let (status, _) = get(
        &server,
        &format!("/api/sessions/{}/reflection", session.code),
        Some(&anna.token()),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn time_zones_and_group_names_are_checked_at_creation() {
    let server = spawn_app().await;
    for (body, field) in [
        (
            json!({"title": "t", "time_zone": "Europe/Utrecht"}),
            "time_zone",
        ),
        (
            json!({"title": "t", "group_name": "x".repeat(81)}),
            "group_name",
        ),
        // A bidi override would make every certificate show another group than it names.
        (
            json!({"title": "t", "group_name": "Noord \u{202e}dr\u{e9}en"}),
            "group_name",
        ),
    ] {
        let response = server
            .http
            .post(server.url("/api/sessions"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        let error: ApiError = response.json().await.unwrap();
        assert_eq!(error.field.as_deref(), Some(field));
    }
    let session = server.create(json!({"title": "t"})).await;
    let f = server.facilitator(&session).await;
    assert_eq!(f.view().time_zone, "Europe/Amsterdam");
    assert_eq!(f.view().group_name, None);
}

#[tokio::test]
async fn the_facilitator_corrects_minutes_and_the_list_says_so() {
    let server = spawn_app().await;
    let session = server
        .create(json!({"method": "basic", "title": "Juni", "language": "en"}))
        .await;
    let mut f = server.facilitator(&session).await;
    let mut anna = server.join(&session, "Anna").await;
    f.command(Command::StartSession {}).await.unwrap();
    anna.catch_up(f.last_seq).await;
    anna.command(Command::ConfirmPresence { registration: None })
        .await
        .unwrap();
    f.command(Command::EndSession {}).await.unwrap();
    f.command(Command::ConfirmList {}).await.unwrap();
    // Anna's phone was locked for most of the meeting; she sat in the room throughout.
    f.command(Command::SetMinutes {
        member: anna.member(),
        minutes: Some(120),
    })
    .await
    .unwrap();
    let seen = anna
        .until_event(|e| matches!(e, Event::MinutesSet { .. }))
        .await;
    assert_eq!(
        seen.event,
        Event::MinutesSet {
            member: anna.member(),
            minutes: None
        },
        "members do not see each other's minutes"
    );

    let a = attendance(&server, &session).await;
    let row = member_row(&a, "Anna");
    assert_eq!((row.minutes, row.measured_minutes), (120, 0));
    assert!(row.set_by_facilitator);
    assert_eq!(row.hours, 2.0);
    assert_eq!(
        a.list_confirmed_at, None,
        "the changed list is to be confirmed again"
    );
    let (_, page) = get(
        &server,
        &format!("/api/sessions/{}/attendance?format=html", session.code),
        Some(&session.facilitator_token),
    )
    .await;
    assert!(
        page.contains("120 (set by the facilitator, measured: 0)"),
        "{page}"
    );

    let (status, certificate) = get(
        &server,
        &format!("/api/sessions/{}/certificate", session.code),
        Some(&anna.token()),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        certificate.contains("120 minutes (2 hours), set by the facilitator"),
        "{certificate}"
    );
    let code = code_on(&certificate);
    let (_, body) = get(&server, &format!("/verify/{code}?format=json"), None).await;
    let v: Verification = serde_json::from_str(&body).unwrap();
    assert_eq!((v.minutes, v.set_by_facilitator), (120, true));
}

/// Two cases with their own methods and case-bringers, a co-facilitator, and the facilitator
/// role handed over: the list names every case with its case-bringer and everyone who led; a
/// certificate marks only its holder's own case.
#[tokio::test]
async fn a_two_case_meeting_records_every_case_and_everyone_who_led() {
    let server = spawn_app().await;
    let session = server
        .create(json!({"method": "basic", "title": "Twee casussen", "language": "nl"}))
        .await;
    let mut f = server.facilitator(&session).await;
    let mut carla = server.join(&session, "Carla").await;
    let mut anna = server.join(&session, "Anna").await;
    let mut piet = server.join(&session, "Piet").await;
    let mut eva = server.join(&session, "Eva").await;
    f.command(Command::SetCaseBringer {
        member: Some(carla.member()),
    })
    .await
    .unwrap();
    f.command(Command::StartSession {}).await.unwrap();
    f.command(Command::SetCoFacilitator {
        member: eva.member(),
        on: true,
    })
    .await
    .unwrap();
    // The second case: another method, another case-bringer.
    f.command(Command::StartCase {
        method: "incident".into(),
        case_bringer: Some(anna.member()),
    })
    .await
    .unwrap();
    // Piet takes over; Eva stops co-facilitating (she did co-lead).
    f.command(Command::SetCoFacilitator {
        member: eva.member(),
        on: false,
    })
    .await
    .unwrap();
    f.command(Command::HandFacilitator {
        member: piet.member(),
    })
    .await
    .unwrap();
    // Who reads the list now: the facilitator token still (whoever opened the room answers
    // for the record), the new facilitator with their own token; not a participant.
    let list = format!("/api/sessions/{}/attendance", session.code);
    for (token, status) in [
        (session.facilitator_token.clone(), 200),
        (piet.token(), 200),
        (carla.token(), 403),
    ] {
        let (got, body) = get(&server, &list, Some(&token)).await;
        assert_eq!(got, status, "{body}");
    }
    piet.catch_up(f.last_seq).await;
    piet.command(Command::EndSession {}).await.unwrap();
    let ended = piet.last_seq;
    for c in [&mut f, &mut carla, &mut anna, &mut piet, &mut eva] {
        c.catch_up(ended).await;
        c.command(Command::ConfirmPresence { registration: None })
            .await
            .unwrap();
    }

    let a = attendance(&server, &session).await;
    assert_eq!(
        a.methods,
        ["Basismodel (vijfstappenmodel)", "Incidentmethode"]
    );
    assert_eq!(
        a.cases,
        [
            AttendanceCase {
                method: "Basismodel (vijfstappenmodel)".into(),
                case_bringer: Some("Carla".into()),
            },
            AttendanceCase {
                method: "Incidentmethode".into(),
                case_bringer: Some("Anna".into()),
            },
        ]
    );
    assert_eq!(a.facilitator, "Facilitator, Piet", "in the order they led");
    assert_eq!(a.co_facilitators, ["Eva"]);
    let base = format!("/api/sessions/{}/attendance", session.code);
    let (_, page) = get(
        &server,
        &format!("{base}?format=html"),
        Some(&session.facilitator_token),
    )
    .await;
    for part in [
        "<dd>Basismodel (vijfstappenmodel) (inbrenger: Carla); Incidentmethode (inbrenger: Anna)</dd>",
        "<dt>Begeleider</dt><dd>Facilitator, Piet</dd><dt>Medebegeleider</dt><dd>Eva</dd>",
    ] {
        assert!(page.contains(part), "missing {part:?} in {page}");
    }
    let (_, csv) = get(
        &server,
        &format!("{base}?format=csv"),
        Some(&session.facilitator_token),
    )
    .await;
    assert!(
        csv.contains(
            "\"Basismodel (vijfstappenmodel); Incidentmethode\",\"Carla; Anna\",\"Facilitator, Piet\",\"Eva\""
        ),
        "{csv}"
    );

    // Each case-bringer's certificate marks their own case, and names no other case-bringer.
    let certificate = format!("/api/sessions/{}/certificate", session.code);
    for (client, own, other) in [(&anna, 1, "Carla"), (&carla, 0, "Anna")] {
        let (status, page) = get(&server, &certificate, Some(&client.token())).await;
        assert_eq!(status, 200, "{page}");
        assert!(!page.contains(other), "{other} on a certificate: {page}");
        let (_, body) = get(
            &server,
            &format!("/verify/{}?format=json", code_on(&page)),
            None,
        )
        .await;
        let v: Verification = serde_json::from_str(&body).unwrap();
        let brought: Vec<bool> = v.cases.iter().map(|c| c.brought).collect();
        assert_eq!(brought, [own == 0, own == 1]);
        assert_eq!(v.facilitator, "Facilitator, Piet");
        assert_eq!(v.co_facilitators, ["Eva"]);
    }
}
