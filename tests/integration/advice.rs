//! The warnings on advice over real sockets: in the question round a question that is advice, a
//! "question" that is plain advice and one that asks nothing; in the analysis phase an analysis
//! that advises. Each in Dutch, English and German, each rephrased and each sent anyway, and
//! the facilitator's tally of it all.

use kring_protocol::*;
use kring_server::config::parse_submit_limit;

use crate::helpers::*;

struct Case {
    text: &'static str,
    code: ErrorCode,
    /// The words the warning points at.
    words: &'static [&'static str],
    /// An open question or a plain observation instead.
    rephrased: &'static str,
}

const QUESTION_ROUND: [Case; 9] = [
    Case {
        text: "Heb je de ouders al gebeld?",
        code: ErrorCode::AdviceLikeQuestion,
        words: &["Heb je", "al"],
        rephrased: "Wat heb je al geprobeerd?",
    },
    Case {
        text: "Je moet echt grenzen stellen.",
        code: ErrorCode::AdviceLikeStatement,
        words: &["Je moet"],
        rephrased: "Wat maakt het lastig om grenzen te stellen?",
    },
    Case {
        text: "Wat een heftig verhaal.",
        code: ErrorCode::NotAQuestion,
        words: &[],
        rephrased: "Hoe gaat het nu met je?",
    },
    Case {
        text: "Have you tried talking to her about it?",
        code: ErrorCode::AdviceLikeQuestion,
        words: &["Have you tried"],
        rephrased: "What have you tried so far?",
    },
    Case {
        text: "You should talk to your manager.",
        code: ErrorCode::AdviceLikeStatement,
        words: &["You should"],
        rephrased: "How does your manager see this?",
    },
    Case {
        text: "That must have been so hard for you.",
        code: ErrorCode::NotAQuestion,
        words: &[],
        rephrased: "How are you doing now?",
    },
    Case {
        text: "Hast du die Eltern schon angerufen?",
        code: ErrorCode::AdviceLikeQuestion,
        words: &["Hast du", "schon", "angerufen"],
        rephrased: "Was hast du schon versucht?",
    },
    Case {
        text: "Du musst da klare Grenzen setzen.",
        code: ErrorCode::AdviceLikeStatement,
        words: &["Du musst"],
        rephrased: "Was macht es dir schwer, Grenzen zu setzen?",
    },
    Case {
        text: "Das kenne ich aus meiner eigenen Arbeit.",
        code: ErrorCode::NotAQuestion,
        words: &[],
        rephrased: "Wie geht es dir jetzt damit?",
    },
];

const ANALYSIS: [Case; 3] = [
    Case {
        text: "Ik denk dat ze bang is, dus ze moet eerst met haar teamleider praten.",
        code: ErrorCode::AdviceInAnalysis,
        words: &["ze moet"],
        rephrased: "Ik denk dat ze bang is om het gesprek aan te gaan.",
    },
    Case {
        text: "She should speak to occupational health.",
        code: ErrorCode::AdviceInAnalysis,
        words: &["should"],
        rephrased: "She seems worn out by the extra shifts.",
    },
    Case {
        text: "Sie sollte mal mit dem Betriebsarzt reden.",
        code: ErrorCode::AdviceInAnalysis,
        words: &["sollte"],
        rephrased: "Sie wirkt erschöpft von den vielen Diensten.",
    },
];

fn input(kind: InputKind, text: &str, confirm: bool) -> Command {
    Command::Submit {
        input: kind,
        text: text.into(),
        reply_to: None,
        anonymous: false,
        confirm,
    }
}

/// The words an error's cues point at, cut from the text the command carried.
fn cue_words(text: &str, error: &ErrorMsg) -> Vec<String> {
    let utf16: Vec<u16> = text.encode_utf16().collect();
    error
        .cues
        .iter()
        .map(|c| String::from_utf16_lossy(&utf16[c.start as usize..c.end as usize]))
        .collect()
}

fn text_of(client: &Client, item: ItemId) -> Option<String> {
    client.events.iter().find_map(|e| match &e.event {
        Event::ItemAdded { item: i } if i.id == item => i.text.clone().map(String::from),
        _ => None,
    })
}

/// Warns, then takes the rephrased text, then the original sent anyway.
async fn warn_rephrase_send_anyway(p: &mut Client, kind: InputKind, case: &Case) {
    let error = p.command(input(kind, case.text, false)).await.unwrap_err();
    assert_eq!(error.code, case.code, "{}", case.text);
    assert_eq!(error.category, Category::Confirm, "{}", case.text);
    assert_eq!(error.field.as_deref(), Some("command.text"));
    assert_eq!(cue_words(case.text, &error), case.words, "{}", case.text);
    assert!(
        !error.message.contains(case.text) && !case.words.iter().any(|w| error.message.contains(w)),
        "the error carries no content"
    );
    let expected_phases: &[u16] = if kind == InputKind::Analysis {
        &[4]
    } else {
        &[]
    };
    assert_eq!(error.phases, expected_phases, "{}", case.text);

    let rephrased = p.command(input(kind, case.rephrased, false)).await;
    let item = rephrased
        .unwrap_or_else(|e| panic!("{}: {e:?}", case.rephrased))
        .item;
    assert_eq!(text_of(p, item.unwrap()).as_deref(), Some(case.rephrased));

    let anyway = p.command(input(kind, case.text, true)).await.unwrap();
    assert_eq!(text_of(p, anyway.item.unwrap()).as_deref(), Some(case.text));
}

#[tokio::test]
async fn every_warning_in_every_language_can_be_rephrased_or_sent_anyway_and_is_counted() {
    let server = spawn_with(|cfg| {
        cfg.submit_limit = parse_submit_limit("1000/1s").unwrap();
        cfg.message_burst = 1000;
    })
    .await;
    let session = server.create_session("basic").await;
    let mut f = server.facilitator(&session).await;
    let carla = server.join(&session, "Carla").await;
    let mut piet = server.join(&session, "Piet").await;
    f.command(Command::SetCaseBringer {
        member: Some(carla.member()),
    })
    .await
    .unwrap();
    f.command(Command::StartSession {}).await.unwrap();
    f.command(Command::GotoPhase { index: 2 }).await.unwrap(); // questions
    piet.catch_up(f.last_seq).await;
    for case in &QUESTION_ROUND {
        warn_rephrase_send_anyway(&mut piet, InputKind::Question, case).await;
    }
    f.command(Command::GotoPhase { index: 3 }).await.unwrap(); // analysis; advice is phase 4
    piet.catch_up(f.last_seq).await;
    for case in &ANALYSIS {
        warn_rephrase_send_anyway(&mut piet, InputKind::Analysis, case).await;
    }

    // The facilitator saw the tally grow, live: one `warning_shown` and one
    // `warning_overridden` for every case, content-free.
    f.catch_up(piet.last_seq).await;
    let count = |pred: &dyn Fn(&Event) -> bool| f.events.iter().filter(|e| pred(&e.event)).count();
    assert_eq!(count(&|e| matches!(e, Event::WarningShown { .. })), 12);
    assert_eq!(count(&|e| matches!(e, Event::WarningOverridden { .. })), 12);

    // And sees it in a fresh view, as a facilitator who reconnects would; nobody else does.
    let expected: Vec<WarningTally> = Warning::ALL
        .into_iter()
        .map(|warning| WarningTally {
            warning,
            shown: 3,
            sent_anyway: 3,
        })
        .collect();
    let again = fresh_view(&server, &session, &f).await;
    assert_eq!(again.view().me.warnings, expected);
    let late = server.join(&session, "Late").await;
    assert!(late.view().me.warnings.is_empty());
    let piet_again = fresh_view(&server, &session, &piet).await;
    assert!(piet_again.view().me.warnings.is_empty());
}

/// The member back on a new socket, asking for a full view rather than the missed events.
async fn fresh_view(server: &TestServer, session: &SessionCreated, old: &Client) -> Client {
    let mut client = server.connect(&session.code).await;
    client
        .hello(Join::Resume {
            token: old.token(),
            epoch: None,
            last_seq: None,
        })
        .await;
    client
}
