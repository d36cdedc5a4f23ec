//! The case-bringer's summary as Markdown and as a printable HTML page.
//!
//! Only ever rendered in answer to the case-bringer's own request; never logged.

use std::fmt::Write;

use kring_engine::Summary;
use kring_engine::summary::{SummaryItem, SummaryQuestion};
use kring_protocol::{Language, Reaction, Temperature, TriageStatus};

struct Labels {
    summary: &'static str,
    method: &'static str,
    date: &'static str,
    case_no: &'static str,
    case: &'static str,
    told: &'static str,
    key_question: &'static str,
    key_question_proposals: &'static str,
    questions: &'static str,
    analyses: &'static str,
    notes: &'static str,
    advice: &'static str,
    notepad: &'static str,
    commitments: &'static str,
    carried: &'static str,
    none: &'static str,
    answered: &'static str,
    parked: &'static str,
    open: &'static str,
    warm: &'static str,
    lukewarm: &'static str,
    cold: &'static str,
    useful: &'static str,
    /// "wants to know too" for one member, then for several.
    votes: [&'static str; 2],
    answer: &'static str,
    confidential: &'static str,
}

const NL: Labels = Labels {
    summary: "Samenvatting",
    method: "Methode",
    date: "Datum",
    case_no: "Casus",
    case: "Casus",
    told: "Zoals het verteld werd",
    key_question: "Kernvraag",
    key_question_proposals: "Voorgestelde kernvragen (er is er geen gekozen)",
    questions: "Vragen",
    analyses: "Analyses en hypothesen",
    notes: "Gedeelde notities",
    advice: "Adviezen",
    notepad: "Je eigen aantekeningen",
    commitments: "Wat je gaat doen",
    carried: "gaat mee naar de volgende bijeenkomst",
    none: "(geen)",
    answered: "beantwoord",
    parked: "geparkeerd",
    open: "open",
    warm: "warm",
    lukewarm: "lauw",
    cold: "koud",
    useful: "bruikbaar",
    votes: ["wil dit ook weten", "willen dit ook weten"],
    answer: "Antwoord",
    confidential: "Vertrouwelijk: alleen voor de inbrenger.",
};

const EN: Labels = Labels {
    summary: "Summary",
    method: "Method",
    date: "Date",
    case_no: "Case",
    case: "Case",
    told: "As it was told",
    key_question: "Key question",
    key_question_proposals: "Key questions proposed (none was chosen)",
    questions: "Questions",
    analyses: "Analyses and hypotheses",
    notes: "Shared notes",
    advice: "Advice",
    notepad: "Your own notes",
    commitments: "What you will do",
    carried: "goes to the next meeting",
    none: "(none)",
    answered: "answered",
    parked: "parked",
    open: "open",
    warm: "warm",
    lukewarm: "lukewarm",
    cold: "cold",
    useful: "useful",
    votes: ["wants to know too", "want to know too"],
    answer: "Answer",
    confidential: "Confidential: for the case-bringer only.",
};

const DE: Labels = Labels {
    summary: "Zusammenfassung",
    method: "Methode",
    date: "Datum",
    case_no: "Fall",
    case: "Fall",
    told: "Wie es erzählt wurde",
    key_question: "Schlüsselfrage",
    key_question_proposals: "Vorgeschlagene Schlüsselfragen (keine wurde gewählt)",
    questions: "Fragen",
    analyses: "Analysen und Hypothesen",
    notes: "Geteilte Notizen",
    advice: "Ratschläge",
    notepad: "Deine eigenen Notizen",
    commitments: "Was du tun wirst",
    carried: "geht mit zum nächsten Treffen",
    none: "(keine)",
    answered: "beantwortet",
    parked: "geparkt",
    open: "offen",
    warm: "warm",
    lukewarm: "lauwarm",
    cold: "kalt",
    useful: "hilfreich",
    votes: ["möchte das auch wissen", "möchten das auch wissen"],
    answer: "Antwort",
    confidential: "Vertraulich: nur für die Fallgeberin oder den Fallgeber.",
};

const FR: Labels = Labels {
    summary: "Synthèse",
    method: "Méthode",
    date: "Date",
    case_no: "Cas",
    case: "Cas",
    told: "Tel qu'il a été raconté",
    key_question: "Question clé",
    key_question_proposals: "Questions clés proposées (aucune n'a été choisie)",
    questions: "Questions",
    analyses: "Analyses et hypothèses",
    notes: "Notes partagées",
    advice: "Conseils",
    notepad: "Vos propres notes",
    commitments: "Ce que vous allez faire",
    carried: "sera repris à la prochaine rencontre",
    none: "(aucun)",
    answered: "répondue",
    parked: "mise de côté",
    open: "ouverte",
    warm: "chaud",
    lukewarm: "tiède",
    cold: "froid",
    useful: "utile",
    votes: ["veut aussi le savoir", "veulent aussi le savoir"],
    answer: "Réponse",
    confidential: "Confidentiel : pour le client ou la cliente uniquement.",
};

fn labels(language: Language) -> &'static Labels {
    match language {
        Language::Nl => &NL,
        Language::En => &EN,
        Language::De => &DE,
        Language::Fr => &FR,
    }
}

/// The case-bringer's own reaction in words, e.g. "warm, useful".
fn reaction(l: &Labels, r: Reaction) -> Option<String> {
    let temperature = match r.temperature {
        Temperature::None => None,
        Temperature::Warm => Some(l.warm),
        Temperature::Lukewarm => Some(l.lukewarm),
        Temperature::Cold => Some(l.cold),
    };
    let parts: Vec<&str> = temperature
        .into_iter()
        .chain(r.useful.then_some(l.useful))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn triage(l: &Labels, q: &SummaryQuestion) -> String {
    let status = match q.status {
        TriageStatus::Open => l.open,
        TriageStatus::Answered => l.answered,
        TriageStatus::Parked => l.parked,
    };
    let mut out = status.to_owned();
    if let Some(r) = reaction(l, q.reaction) {
        out = format!("{out}, {r}");
    }
    if q.votes > 0 {
        let words = l.votes[usize::from(q.votes != 1)];
        out = format!("{out}; {} {words}", q.votes);
    }
    out
}

/// The sections of plain items with a reaction each, in the order a method produces them.
fn item_sections<'a>(l: &Labels, s: &'a Summary) -> [(&'static str, &'a [SummaryItem]); 3] {
    [
        (l.analyses, &s.analyses),
        (l.notes, &s.notes),
        (l.advice, &s.advice),
    ]
}

/// `YYYY-MM-DD` (UTC) without a date library.
fn date(ms: u64) -> String {
    let days = (ms / 86_400_000) as i64;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDTHH:MM:SSZ` (UTC).
pub(crate) fn timestamp(ms: u64) -> String {
    let secs = ms / 1000;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date(ms),
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

/// Member text as Markdown that shows exactly what was typed: characters that Markdown or
/// embedded HTML would interpret are backslash-escaped, so nobody's text becomes a link, an
/// image, a heading or markup in the case-bringer's viewer. Continuation lines are indented
/// to stay inside their list item.
fn md_block(text: &str, indent: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.trim().chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => {
                out.push('\n');
                out.push_str(indent);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Shifts a UTC time by the reader's offset from UTC (minutes, at most ±14 hours), so the date
/// is the one they lived.
fn local(ms: u64, offset_minutes: i32) -> u64 {
    let offset = i64::from(offset_minutes.clamp(-14 * 60, 14 * 60)) * 60_000;
    (ms as i64).saturating_add(offset).max(0) as u64
}

/// The summary as Markdown; dates in the reader's time zone (`offset_minutes` east of UTC).
pub(crate) fn markdown(s: &Summary, offset_minutes: i32) -> String {
    let l = labels(s.language);
    let mut out = String::new();
    let _ = writeln!(out, "# {}: {}\n", l.summary, md_block(&s.title, ""));
    let _ = writeln!(out, "- {}: {}", l.method, md_block(&s.method_name, ""));
    let _ = writeln!(out, "- {}: {}", l.case_no, s.case_round + 1);
    let _ = writeln!(
        out,
        "- {}: {}\n",
        l.date,
        date(local(s.date, offset_minutes))
    );
    let _ = writeln!(out, "_{}_\n", l.confidential);
    if let Some(case) = &s.case {
        let _ = writeln!(out, "## {}\n\n{}\n", l.case, md_block(case, ""));
    }
    if !s.statements.is_empty() {
        let _ = writeln!(out, "## {}\n", l.told);
        for st in &s.statements {
            let by = if st.by_name.is_empty() {
                String::new()
            } else {
                format!("**{}:** ", md_block(&st.by_name, ""))
            };
            let _ = writeln!(out, "{by}{}\n", md_block(&st.text, ""));
        }
    }
    if let Some(k) = &s.key_question {
        let _ = writeln!(out, "## {}\n\n> {}\n", l.key_question, md_block(k, "> "));
    } else if !s.key_question_proposals.is_empty() {
        let _ = writeln!(out, "## {}\n", l.key_question_proposals);
        for k in &s.key_question_proposals {
            let _ = writeln!(out, "- {}", md_block(k, "  "));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## {}\n", l.questions);
    if s.questions.is_empty() {
        let _ = writeln!(out, "{}\n", l.none);
    }
    for q in &s.questions {
        let _ = writeln!(out, "- {} _({})_", md_block(&q.text, "  "), triage(l, q));
        for a in &q.answers {
            let _ = writeln!(out, "  - {}: {}", l.answer, md_block(a, "    "));
        }
    }
    for (title, items) in item_sections(l, s) {
        if items.is_empty() && title != l.advice {
            continue;
        }
        let _ = writeln!(out, "\n## {title}\n");
        if items.is_empty() {
            let _ = writeln!(out, "{}", l.none);
        }
        for item in items {
            match reaction(l, item.reaction) {
                Some(r) => {
                    let _ = writeln!(out, "- {} _({r})_", md_block(&item.text, "  "));
                }
                None => {
                    let _ = writeln!(out, "- {}", md_block(&item.text, "  "));
                }
            }
        }
    }
    if !s.notepad.is_empty() {
        let _ = writeln!(out, "\n## {}\n", l.notepad);
        for n in &s.notepad {
            let _ = writeln!(out, "- {}", md_block(n, "  "));
        }
    }
    let _ = writeln!(out, "\n## {}\n", l.commitments);
    if s.commitments.is_empty() {
        let _ = writeln!(out, "{}", l.none);
    }
    for c in &s.commitments {
        let carried = if c.carried {
            format!(" _({})_", l.carried)
        } else {
            String::new()
        };
        let _ = writeln!(out, "- {}{carried}", md_block(&c.text, "  "));
    }
    out
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A self-contained page without scripts, styled by `/summary.css` (print-friendly).
/// The summary as a printable page; dates as in [`markdown`].
pub(crate) fn html(s: &Summary, offset_minutes: i32) -> String {
    let l = labels(s.language);
    let lang = s.language.as_str();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} – {}</title><link rel=\"stylesheet\" href=\"/summary.css\"></head><body><main>",
        esc(l.summary),
        esc(&s.title)
    );
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"meta\">{}: {} · {} {} · {}: {}</p><p class=\"confidential\">{}</p>",
        esc(&s.title),
        esc(l.method),
        esc(&s.method_name),
        esc(l.case_no),
        s.case_round + 1,
        esc(l.date),
        date(local(s.date, offset_minutes)),
        esc(l.confidential)
    );
    if let Some(case) = &s.case {
        let _ = write!(out, "<h2>{}</h2><p>{}</p>", esc(l.case), esc(case));
    }
    if !s.statements.is_empty() {
        let _ = write!(out, "<h2>{}</h2>", esc(l.told));
        for st in &s.statements {
            let by = if st.by_name.is_empty() {
                String::new()
            } else {
                format!("<strong>{}:</strong> ", esc(&st.by_name))
            };
            let _ = write!(out, "<p>{by}{}</p>", esc(&st.text));
        }
    }
    if let Some(k) = &s.key_question {
        let _ = write!(
            out,
            "<h2>{}</h2><blockquote>{}</blockquote>",
            esc(l.key_question),
            esc(k)
        );
    } else if !s.key_question_proposals.is_empty() {
        let _ = write!(out, "<h2>{}</h2><ul>", esc(l.key_question_proposals));
        for k in &s.key_question_proposals {
            let _ = write!(out, "<li>{}</li>", esc(k));
        }
        out.push_str("</ul>");
    }
    let _ = write!(out, "<h2>{}</h2>", esc(l.questions));
    if s.questions.is_empty() {
        let _ = write!(out, "<p>{}</p>", esc(l.none));
    } else {
        out.push_str("<ul>");
        for q in &s.questions {
            let _ = write!(
                out,
                "<li>{} <span class=\"tag\">{}</span>",
                esc(&q.text),
                esc(&triage(l, q)),
            );
            if !q.answers.is_empty() {
                out.push_str("<ul>");
                for a in &q.answers {
                    let _ = write!(
                        out,
                        "<li><strong>{}:</strong> {}</li>",
                        esc(l.answer),
                        esc(a)
                    );
                }
                out.push_str("</ul>");
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    for (title, items) in item_sections(l, s) {
        if items.is_empty() && title != l.advice {
            continue;
        }
        let _ = write!(out, "<h2>{}</h2>", esc(title));
        if items.is_empty() {
            let _ = write!(out, "<p>{}</p>", esc(l.none));
            continue;
        }
        out.push_str("<ul>");
        for item in items {
            let tag = reaction(l, item.reaction)
                .map(|r| format!(" <span class=\"tag\">{}</span>", esc(&r)))
                .unwrap_or_default();
            let _ = write!(out, "<li>{}{tag}</li>", esc(&item.text));
        }
        out.push_str("</ul>");
    }
    if !s.notepad.is_empty() {
        let _ = write!(out, "<h2>{}</h2><ul>", esc(l.notepad));
        for n in &s.notepad {
            let _ = write!(out, "<li>{}</li>", esc(n));
        }
        out.push_str("</ul>");
    }
    let _ = write!(out, "<h2>{}</h2>", esc(l.commitments));
    if s.commitments.is_empty() {
        let _ = write!(out, "<p>{}</p>", esc(l.none));
    } else {
        out.push_str("<ul>");
        for c in &s.commitments {
            let tag = if c.carried {
                format!(" <span class=\"tag\">{}</span>", esc(l.carried))
            } else {
                String::new()
            };
            let _ = write!(out, "<li>{}{tag}</li>", esc(&c.text));
        }
        out.push_str("</ul>");
    }
    out.push_str("</main></body></html>\n");
    out
}

/// The summary page's style: readable on screen, clean on paper.
pub(crate) const CSS: &str = "body{font:16px/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fff;margin:0}\
main{max-width:46rem;margin:0 auto;padding:1.5rem}\
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem;border-bottom:1px solid #ccc}\
.meta{color:#444;margin:0}.confidential{font-style:italic;color:#6b2a00}\
blockquote{margin:0;padding:.25rem 1rem;border-left:4px solid #2f5d8a}\
.tag{color:#444;font-size:.9em;white-space:nowrap}li{margin:.25rem 0;white-space:pre-wrap}\
p{white-space:pre-wrap}\
@media print{main{padding:0}a{color:inherit}h2{break-after:avoid}li{break-inside:avoid}}";

#[cfg(test)]
mod tests {
    use kring_engine::summary::{SummaryCommitment, SummaryItem, SummaryQuestion, SummaryText};

    use super::*;

    fn sample(text: &str) -> Summary {
        Summary {
            title: kring_protocol::Title::parse("Team <b>Noord</b>").unwrap(),
            method_name: "Basic model".into(),
            language: Language::En,
            date: 1_700_000_000_000,
            case_round: 1,
            case: Some(text.into()),
            statements: vec![SummaryText {
                text: "It started in May".into(),
                by_name: "Carla".into(),
            }],
            key_question: Some("How do I start?".into()),
            key_question_proposals: Vec::new(),
            questions: vec![SummaryQuestion {
                text: text.into(),
                status: TriageStatus::Answered,
                votes: 2,
                answers: vec!["Mostly fear".into()],
                reaction: Reaction {
                    temperature: Temperature::Warm,
                    useful: false,
                },
            }],
            analyses: vec![SummaryItem {
                text: "A loyalty conflict".into(),
                reaction: Reaction {
                    temperature: Temperature::Lukewarm,
                    useful: true,
                },
            }],
            notes: vec![],
            advice: vec![SummaryItem {
                text: "Talk first".into(),
                reaction: Reaction {
                    temperature: Temperature::None,
                    useful: true,
                },
            }],
            notepad: vec!["Ask Piet later".into()],
            commitments: vec![SummaryCommitment {
                text: "Call her Monday".into(),
                carried: true,
            }],
        }
    }

    #[test]
    fn html_escapes_every_user_text() {
        let page = html(&sample("<img src=x onerror=alert(1)>"), 0);
        assert!(!page.contains("<img"), "{page}");
        assert!(!page.contains("<b>"));
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!page.contains("<script"));
    }

    #[test]
    fn markdown_has_every_part_with_triage_and_reactions() {
        let md = markdown(&sample("What worries you?"), 0);
        for part in [
            "# Summary: Team \\<b\\>Noord\\</b\\>",
            "2023-11-14",
            "> How do I start?",
            "- Case: 2",
            "**Carla:** It started in May",
            "- What worries you? _(answered, warm; 2 want to know too)_",
            "  - Answer: Mostly fear",
            "## Analyses and hypotheses",
            "- A loyalty conflict _(lukewarm, useful)_",
            "- Talk first _(useful)_",
            "## Your own notes",
            "- Ask Piet later",
            "- Call her Monday _(goes to the next meeting)_",
        ] {
            assert!(md.contains(part), "missing {part:?} in\n{md}");
        }
    }

    #[test]
    fn markdown_shows_member_text_literally() {
        let md = markdown(
            &sample("[click](javascript:alert(1)) <img src=x> # not a heading"),
            0,
        );
        assert!(
            md.contains("\\[click\\](javascript:alert(1)) \\<img src=x\\> \\# not a heading"),
            "{md}"
        );
        assert!(!md.contains("[click]"));
    }

    #[test]
    fn dates_follow_the_readers_offset() {
        // 2023-11-14T23:30:00Z is half past midnight on the 15th in Amsterdam (UTC+1).
        let just_after_midnight_in_amsterdam = 1_700_004_600_000;
        assert_eq!(
            date(local(just_after_midnight_in_amsterdam, 0)),
            "2023-11-14"
        );
        assert_eq!(
            date(local(just_after_midnight_in_amsterdam, 60)),
            "2023-11-15"
        );
        assert_eq!(local(10, -600), 0, "never before the epoch");
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(timestamp(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(date(951_782_400_000), "2000-02-29");
    }
}
