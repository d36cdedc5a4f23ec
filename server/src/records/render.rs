//! The attendance record on paper: the printable list and its CSV, a member's certificate of
//! participation, a member's one-page record with their reflection, and the `/verify` page.
//!
//! Pages are self-contained HTML without scripts, styled by `/records.css` (print-friendly),
//! every text escaped. Never logged.

use std::fmt::Write;

use kring_protocol::{Attendance, Language, Millis, Role, Verification};

use super::local;
use crate::summary::esc;

struct Labels {
    lang: &'static str,
    list_title: &'static str,
    certificate_title: &'static str,
    reflection_title: &'static str,
    verify_title: &'static str,
    date: &'static str,
    time: &'static str,
    time_zone: &'static str,
    method: &'static str,
    facilitator: &'static str,
    group: &'static str,
    name: &'static str,
    role: &'static str,
    minutes: &'static str,
    hours: &'static str,
    confirmed: &'static str,
    yes_at: &'static str,
    no: &'static str,
    not_ended: &'static str,
    list_confirmed: &'static str,
    list_not_confirmed: &'static str,
    registration: &'static str,
    present: &'static str,
    took_part: &'static str,
    by_participant: &'static str,
    by_facilitator: &'static str,
    on: &'static str,
    not_yet: &'static str,
    verify_with: &'static str,
    code: &'static str,
    genuine: &'static str,
    states: &'static str,
    unknown: &'static str,
    malformed: &'static str,
    verify_hint: &'static str,
    reflection: &'static str,
    private: &'static str,
    counting: &'static str,
    none: &'static str,
    roles: [&'static str; 5],
    minutes_unit: &'static str,
    hours_unit: &'static str,
    short_meeting: &'static str,
    measured: &'static str,
    set_by_facilitator: &'static str,
    co_facilitator: &'static str,
    case_bringer: &'static str,
    own_case: &'static str,
}

const NL: Labels = Labels {
    lang: "nl",
    list_title: "Presentielijst",
    certificate_title: "Bewijs van deelname",
    reflection_title: "Mijn verslag van de bijeenkomst",
    verify_title: "Deelnamebewijs controleren",
    date: "Datum",
    time: "Tijd",
    time_zone: "Tijdzone",
    method: "Methode",
    facilitator: "Begeleider",
    group: "Groep",
    name: "Naam",
    role: "Rol",
    minutes: "Minuten aanwezig",
    hours: "Uren (zoals registers tellen)",
    confirmed: "Aanwezigheid bevestigd",
    yes_at: "ja, om",
    no: "nee",
    not_ended: "nog niet afgesloten",
    list_confirmed: "Lijst bevestigd door de begeleider op",
    list_not_confirmed: "De begeleider heeft de lijst nog niet bevestigd.",
    registration: "Registratienummer",
    present: "Aanwezig",
    took_part: "nam deel aan deze intervisiebijeenkomst.",
    by_participant: "Bevestigd door de deelnemer",
    by_facilitator: "Bevestigd door de begeleider",
    on: "op",
    not_yet: "nog niet",
    verify_with: "Controleer dit bewijs op",
    code: "Controlecode",
    genuine: "Dit deelnamebewijs is echt.",
    states: "Het vermeldt:",
    unknown: "Geen deelnamebewijs gevonden met deze code. Het bewijs is niet echt, of de code is veranderd.",
    malformed: "Deze code klopt niet: er zit waarschijnlijk een tikfout in. Controleer de code op het bewijs.",
    verify_hint: "Een register kan hier nagaan of een deelnamebewijs van kring echt is en niet is veranderd.",
    reflection: "Mijn reflectie",
    private: "Persoonlijk: alleen voor jou. Er staat niets in van anderen.",
    counting: "Minuten: afgerond op hele minuten. Uren: naar beneden afgerond op hele kwartieren, zoals registers tellen. Een korte onderbreking van de verbinding (tot de ingestelde wachttijd) telt als aanwezig.",
    none: "(geen)",
    roles: ["begeleider", "inbrenger", "deelnemer", "notulist", "scherm"],
    minutes_unit: "minuten",
    hours_unit: "uur",
    short_meeting: "Korter dan een uur: veel registers tellen dit niet mee.",
    measured: "gemeten",
    set_by_facilitator: "vastgesteld door de begeleider",
    co_facilitator: "Medebegeleider",
    case_bringer: "inbrenger",
    own_case: "eigen casus ingebracht",
};

const EN: Labels = Labels {
    lang: "en",
    list_title: "Attendance list",
    certificate_title: "Certificate of participation",
    reflection_title: "My record of the meeting",
    verify_title: "Check a certificate of participation",
    date: "Date",
    time: "Time",
    time_zone: "Time zone",
    method: "Method",
    facilitator: "Facilitator",
    group: "Group",
    name: "Name",
    role: "Role",
    minutes: "Minutes present",
    hours: "Hours (as registers count)",
    confirmed: "Presence confirmed",
    yes_at: "yes, at",
    no: "no",
    not_ended: "not ended yet",
    list_confirmed: "List confirmed by the facilitator on",
    list_not_confirmed: "The facilitator has not confirmed the list yet.",
    registration: "Registration number",
    present: "Present",
    took_part: "took part in this intervision meeting.",
    by_participant: "Confirmed by the participant",
    by_facilitator: "Confirmed by the facilitator",
    on: "on",
    not_yet: "not yet",
    verify_with: "Check this certificate at",
    code: "Verification code",
    genuine: "This certificate of participation is genuine.",
    states: "It states:",
    unknown: "No certificate has this code. The certificate is not genuine, or its code was changed.",
    malformed: "This code does not check out: it probably has a typing error. Check the code on the certificate.",
    verify_hint: "A register can check here whether a kring certificate of participation is genuine and unchanged.",
    reflection: "My reflection",
    private: "Personal: for you only. Nothing of anyone else is in it.",
    counting: "Minutes: rounded to whole minutes. Hours: rounded down to whole quarter hours, as registers count. A short break in the connection (up to the configured grace) counts as present.",
    none: "(none)",
    roles: [
        "facilitator",
        "case-bringer",
        "participant",
        "note-taker",
        "screen",
    ],
    minutes_unit: "minutes",
    hours_unit: "hours",
    short_meeting: "Shorter than an hour: many registers do not count it.",
    measured: "measured",
    set_by_facilitator: "set by the facilitator",
    co_facilitator: "Co-facilitator",
    case_bringer: "case-bringer",
    own_case: "brought their own case",
};

const DE: Labels = Labels {
    lang: "de",
    list_title: "Anwesenheitsliste",
    certificate_title: "Teilnahmebescheinigung",
    reflection_title: "Mein Bericht über das Treffen",
    verify_title: "Teilnahmebescheinigung prüfen",
    date: "Datum",
    time: "Uhrzeit",
    time_zone: "Zeitzone",
    method: "Methode",
    facilitator: "Moderation",
    group: "Gruppe",
    name: "Name",
    role: "Rolle",
    minutes: "Minuten anwesend",
    hours: "Stunden (wie Register zählen)",
    confirmed: "Anwesenheit bestätigt",
    yes_at: "ja, um",
    no: "nein",
    not_ended: "noch nicht beendet",
    list_confirmed: "Liste bestätigt von der Moderation am",
    list_not_confirmed: "Die Moderation hat die Liste noch nicht bestätigt.",
    registration: "Registriernummer",
    present: "Anwesend",
    took_part: "hat an diesem Treffen der Kollegialen Beratung teilgenommen.",
    by_participant: "Bestätigt von der teilnehmenden Person",
    by_facilitator: "Bestätigt von der Moderation",
    on: "am",
    not_yet: "noch nicht",
    verify_with: "Prüfen Sie diese Bescheinigung unter",
    code: "Prüfcode",
    genuine: "Diese Teilnahmebescheinigung ist echt.",
    states: "Sie besagt:",
    unknown: "Keine Teilnahmebescheinigung mit diesem Code gefunden. Die Bescheinigung ist nicht echt, oder der Code wurde verändert.",
    malformed: "Dieser Code stimmt nicht: Wahrscheinlich enthält er einen Tippfehler. Prüfen Sie den Code auf der Bescheinigung.",
    verify_hint: "Ein Register kann hier prüfen, ob eine Teilnahmebescheinigung von kring echt und unverändert ist.",
    reflection: "Meine Reflexion",
    private: "Persönlich: nur für dich. Es steht nichts von anderen darin.",
    counting: "Minuten: auf ganze Minuten gerundet. Stunden: auf ganze Viertelstunden abgerundet, wie Register zählen. Eine kurze Unterbrechung der Verbindung (bis zur eingestellten Wartezeit) zählt als anwesend.",
    none: "(keine)",
    roles: [
        "Moderation",
        "Fallgeber:in",
        "Teilnehmer:in",
        "Protokoll",
        "Bildschirm",
    ],
    minutes_unit: "Minuten",
    hours_unit: "Stunden",
    short_meeting: "Kürzer als eine Stunde: Viele Register rechnen das nicht an.",
    measured: "gemessen",
    set_by_facilitator: "von der Moderation festgelegt",
    co_facilitator: "Ko-Moderation",
    case_bringer: "Fallgeber:in",
    own_case: "eigenen Fall eingebracht",
};

const FR: Labels = Labels {
    lang: "fr",
    list_title: "Liste de présence",
    certificate_title: "Attestation de participation",
    reflection_title: "Mon compte rendu de la séance",
    verify_title: "Vérifier une attestation de participation",
    date: "Date",
    time: "Heure",
    time_zone: "Fuseau horaire",
    method: "Méthode",
    facilitator: "Animateur·rice",
    group: "Groupe",
    name: "Nom",
    role: "Rôle",
    minutes: "Minutes de présence",
    hours: "Heures (comme les registres les comptent)",
    confirmed: "Présence confirmée",
    yes_at: "oui, à",
    no: "non",
    not_ended: "pas encore terminée",
    list_confirmed: "Liste confirmée par l’animateur·rice le",
    list_not_confirmed: "L’animateur·rice n’a pas encore confirmé la liste.",
    registration: "Numéro d’enregistrement",
    present: "Présence",
    took_part: "a participé à cette séance de codéveloppement.",
    by_participant: "Confirmé par le ou la participant·e",
    by_facilitator: "Confirmé par l’animateur·rice",
    on: "le",
    not_yet: "pas encore",
    verify_with: "Vérifiez cette attestation sur",
    code: "Code de vérification",
    genuine: "Cette attestation de participation est authentique.",
    states: "Elle indique :",
    unknown: "Aucune attestation ne porte ce code. L’attestation n’est pas authentique, ou son code a été modifié.",
    malformed: "Ce code n’est pas valable : il contient probablement une faute de frappe. Vérifiez le code sur l’attestation.",
    verify_hint: "Un registre peut vérifier ici qu’une attestation de participation de kring est authentique et n’a pas été modifiée.",
    reflection: "Ma réflexion",
    private: "Personnel : pour vous seul·e. Rien n’y figure des autres.",
    counting: "Minutes : arrondies à la minute. Heures : arrondies au quart d’heure inférieur, comme les registres les comptent. Une brève coupure de la connexion (jusqu’au délai configuré) compte comme présence.",
    none: "(aucun)",
    roles: [
        "animateur·rice",
        "client·e",
        "participant·e",
        "secrétaire",
        "écran",
    ],
    minutes_unit: "minutes",
    hours_unit: "heures",
    short_meeting: "Moins d’une heure : beaucoup de registres ne la comptent pas.",
    measured: "mesuré",
    set_by_facilitator: "fixé par l’animateur·rice",
    co_facilitator: "Co-animateur·rice",
    case_bringer: "client·e",
    own_case: "a apporté sa propre situation",
};

fn labels(language: Language) -> &'static Labels {
    match language {
        Language::Nl => &NL,
        Language::En => &EN,
        Language::De => &DE,
        Language::Fr => &FR,
    }
}

/// The language of a reader, from the first language of `Accept-Language` (Dutch unless it is
/// English, German or French).
pub(crate) fn language_of(accept: Option<&str>) -> Language {
    let first = accept
        .unwrap_or("")
        .split(',')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Language::ALL
        .into_iter()
        .find(|l| first.starts_with(l.as_str()))
        .unwrap_or(Language::Nl)
}

fn role(l: &Labels, role: Role) -> &'static str {
    let i = Role::ALL.iter().position(|r| *r == role).unwrap_or(2);
    l.roles[i]
}

/// Hours with a decimal comma in Dutch: `1,75`.
fn hours_text(l: &Labels, hours: f64) -> String {
    let text = format!("{hours}");
    if l.lang != "en" {
        text.replace('.', ",")
    } else {
        text
    }
}

/// `2025-03-14 16:02` in the meeting's time zone.
fn moment(at: Millis, time_zone: &str) -> String {
    let l = local(at, time_zone);
    format!("{} {}", l.date, l.time)
}

fn page(l: &Labels, title: &str, class: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/records.css\"></head>\
         <body class=\"{class}\"><main>{body}</main></body></html>\n",
        l.lang,
        esc(title)
    )
}

/// The meeting's facts as a definition list.
fn facts(rows: &[(&str, String)]) -> String {
    let mut out = String::from("<dl class=\"facts\">");
    for (term, value) in rows {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", esc(term), esc(value));
    }
    out.push_str("</dl>");
    out
}

fn times(a_start: &Option<String>, a_end: &Option<String>, l: &Labels) -> String {
    match (a_start, a_end) {
        (Some(s), Some(e)) => format!("{s} – {e}"),
        (Some(s), None) => format!("{s} – ({})", l.not_ended),
        _ => l.not_ended.to_owned(),
    }
}

/// The printable attendance list (for print-to-PDF): every field registers ask for, without
/// registration numbers (those are on each member's own certificate only).
pub(crate) fn list_html(a: &Attendance, language: Language) -> String {
    let l = labels(language);
    let mut body = String::new();
    let heading = match &a.group_name {
        Some(group) => format!("{} – {}", l.list_title, group),
        None => l.list_title.to_owned(),
    };
    let _ = write!(body, "<h1>{}</h1>", esc(&heading));
    let mut rows = vec![
        (l.date, a.date.clone().unwrap_or_else(|| l.not_ended.into())),
        (l.time, times(&a.start, &a.end, l)),
        (l.time_zone, a.time_zone.clone()),
        (l.method, list_cases(l, a)),
        (l.facilitator, a.facilitator.clone()),
        (
            l.group,
            a.group_name.clone().unwrap_or_else(|| l.none.into()),
        ),
    ];
    if !a.co_facilitators.is_empty() {
        rows.insert(5, (l.co_facilitator, a.co_facilitators.join(", ")));
    }
    body.push_str(&facts(&rows));
    let _ = write!(
        body,
        "<table class=\"list\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th>\
         <th scope=\"col\">{}</th></tr></thead><tbody>",
        esc(l.name),
        esc(l.role),
        esc(l.minutes),
        esc(l.hours),
        esc(l.confirmed)
    );
    for m in &a.members {
        let confirmed = match m.confirmed_at {
            Some(at) => format!("{} {}", l.yes_at, moment(at, &a.time_zone)),
            None => l.no.to_owned(),
        };
        let minutes = if m.set_by_facilitator {
            format!(
                "{} ({}, {}: {})",
                m.minutes, l.set_by_facilitator, l.measured, m.measured_minutes
            )
        } else {
            m.minutes.to_string()
        };
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&m.name),
            esc(role(l, m.role)),
            esc(&minutes),
            esc(&hours_text(l, m.hours)),
            esc(&confirmed)
        );
    }
    body.push_str("</tbody></table>");
    let confirmation = match a.list_confirmed_at {
        Some(at) => format!("{} {}.", l.list_confirmed, moment(at, &a.time_zone)),
        None => l.list_not_confirmed.to_owned(),
    };
    let _ = write!(
        body,
        "<p class=\"confirmation\">{}</p><p class=\"note\">{}</p>",
        esc(&confirmation),
        esc(l.counting)
    );
    page(l, &heading, "list", &body)
}

/// Each case round's method with its case-bringer: `Basismodel (inbrenger: Carla); Incident...`.
fn list_cases(l: &Labels, a: &Attendance) -> String {
    let cases: Vec<String> = (a.cases.iter())
        .map(|c| match &c.case_bringer {
            Some(name) => format!("{} ({}: {})", c.method, l.case_bringer, name),
            None => c.method.clone(),
        })
        .collect();
    cases.join("; ")
}

/// RFC 4180 CSV of the list: the meeting's fields on every row, so each row stands alone in a
/// spreadsheet. Local times in the meeting's time zone, and UTC.
pub(crate) fn list_csv(a: &Attendance) -> String {
    let mut out = String::from(
        "date,start,end,time_zone,group,methods,case_bringers,facilitator,co_facilitators,\
         name,role,minutes,hours,\
         measured_minutes,minutes_set_by_facilitator,confirmed_at,list_confirmed_at,\
         started_at_utc,ended_at_utc\r\n",
    );
    let opt_moment = |at: Option<Millis>| at.map(|at| moment(at, &a.time_zone)).unwrap_or_default();
    let utc = |at: Option<Millis>| at.map(crate::summary::timestamp).unwrap_or_default();
    for m in &a.members {
        let fields = [
            a.date.clone().unwrap_or_default(),
            a.start.clone().unwrap_or_default(),
            a.end.clone().unwrap_or_default(),
            a.time_zone.clone(),
            a.group_name.clone().unwrap_or_default(),
            a.methods.join("; "),
            // One per case round, in the order of `methods` (empty where nobody brought one).
            (a.cases.iter())
                .map(|c| c.case_bringer.as_deref().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("; "),
            a.facilitator.clone(),
            a.co_facilitators.join("; "),
            m.name.clone(),
            m.role.as_str().to_owned(),
            m.minutes.to_string(),
            format!("{}", m.hours),
            m.measured_minutes.to_string(),
            if m.set_by_facilitator { "yes" } else { "" }.to_owned(),
            opt_moment(m.confirmed_at),
            opt_moment(a.list_confirmed_at),
            utc(a.started_at),
            utc(a.ended_at),
        ];
        let row: Vec<String> = fields.iter().map(|f| field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Quotes a CSV field, and defuses spreadsheet formulas (a name starting with `=`).
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A member's certificate of participation, with its verification link (and that link as a
/// QR code, so a register can check it from paper).
pub(crate) fn certificate_html(v: &Verification, language: Language, verify_url: &str) -> String {
    let l = labels(language);
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>{}</h1><p class=\"lead\"><strong>{}</strong>{} {}</p>",
        esc(l.certificate_title),
        esc(&v.name),
        v.registration
            .as_ref()
            .map(|r| format!(" ({}: {})", esc(l.registration), esc(r)))
            .unwrap_or_default(),
        esc(l.took_part)
    );
    body.push_str(&statement(l, v));
    let _ = write!(
        body,
        "<div class=\"verify\"><div>{}<p>{}: <strong class=\"code\">{}</strong></p>\
         <p>{} <a href=\"{}\">{}</a></p></div>{}</div>",
        if v.minutes < 60 {
            format!("<p class=\"note\">{}</p>", esc(l.short_meeting))
        } else {
            String::new()
        },
        esc(l.code),
        esc(&v.code),
        esc(l.verify_with),
        esc(verify_url),
        esc(verify_url),
        qr_svg(verify_url)
    );
    let _ = write!(body, "<p class=\"note\">{}</p>", esc(l.counting));
    page(l, l.certificate_title, "certificate", &body)
}

/// What a certificate states, as a definition list.
fn statement(l: &Labels, v: &Verification) -> String {
    let mut rows = vec![
        (l.name, v.name.clone()),
        (l.date, v.date.clone()),
        (l.time, format!("{} – {} ({})", v.start, v.end, v.time_zone)),
        (l.method, certificate_cases(l, v)),
        (l.facilitator, v.facilitator.clone()),
        (
            l.group,
            v.group_name.clone().unwrap_or_else(|| l.none.into()),
        ),
        (l.role, role(l, v.role).to_owned()),
        (
            l.present,
            format!(
                "{} {} ({} {}){}",
                v.minutes,
                l.minutes_unit,
                hours_text(l, v.hours),
                l.hours_unit,
                if v.set_by_facilitator {
                    format!(", {}", l.set_by_facilitator)
                } else {
                    String::new()
                }
            ),
        ),
        (
            l.by_participant,
            confirmed_on(l, v.confirmed_at, &v.time_zone),
        ),
        (
            l.by_facilitator,
            confirmed_on(l, v.list_confirmed_at, &v.time_zone),
        ),
    ];
    if !v.co_facilitators.is_empty() {
        rows.insert(5, (l.co_facilitator, v.co_facilitators.join(", ")));
    }
    if let Some(r) = &v.registration {
        rows.insert(1, (l.registration, r.clone()));
    }
    facts(&rows)
}

/// Each case round's method, marked where the holder brought the case; no other names (a
/// certificate is shown to third parties).
fn certificate_cases(l: &Labels, v: &Verification) -> String {
    let cases: Vec<String> = (v.cases.iter())
        .map(|c| {
            if c.brought {
                format!("{} ({})", c.method, l.own_case)
            } else {
                c.method.clone()
            }
        })
        .collect();
    cases.join("; ")
}

fn confirmed_on(l: &Labels, at: Option<Millis>, time_zone: &str) -> String {
    match at {
        Some(at) => format!("{} {}", l.on, moment(at, time_zone)),
        None => l.not_yet.to_owned(),
    }
}

/// The verify page: genuine (with what the certificate states), unknown, or mistyped.
pub(crate) enum Verdict<'a> {
    Genuine(&'a Verification),
    Unknown,
    Malformed,
}

pub(crate) fn verify_html(verdict: Verdict<'_>, language: Language) -> String {
    let l = labels(language);
    let mut body = format!(
        "<h1>{}</h1><p class=\"note\">{}</p>",
        esc(l.verify_title),
        esc(l.verify_hint)
    );
    match verdict {
        Verdict::Genuine(v) => {
            let _ = write!(
                body,
                "<p class=\"verdict genuine\" id=\"verdict\">{}</p><p>{} <strong class=\"code\">{}</strong></p><p>{}</p>",
                esc(l.genuine),
                esc(l.code),
                esc(&v.code),
                esc(l.states)
            );
            body.push_str(&statement(l, v));
        }
        Verdict::Unknown => {
            let _ = write!(
                body,
                "<p class=\"verdict refused\" id=\"verdict\">{}</p>",
                esc(l.unknown)
            );
        }
        Verdict::Malformed => {
            let _ = write!(
                body,
                "<p class=\"verdict refused\" id=\"verdict\">{}</p>",
                esc(l.malformed)
            );
        }
    }
    page(l, l.verify_title, "verify", &body)
}

/// What a member's one-page record holds: the meeting's facts, their name and their own
/// reflection; nothing of anyone else.
pub(crate) struct ReflectionPage {
    pub language: Language,
    pub name: String,
    pub group_name: Option<String>,
    pub time_zone: String,
    pub date: String,
    pub start: String,
    pub end: Option<String>,
    pub methods: Vec<String>,
    pub facilitator: String,
    pub reflection: Option<String>,
}

pub(crate) fn reflection_html(r: &ReflectionPage) -> String {
    let l = labels(r.language);
    let mut body = format!("<h1>{}</h1>", esc(l.reflection_title));
    body.push_str(&facts(&[
        (l.name, r.name.clone()),
        (l.date, r.date.clone()),
        (
            l.time,
            format!(
                "{} ({})",
                times(&Some(r.start.clone()), &r.end, l),
                r.time_zone
            ),
        ),
        (l.method, r.methods.join(", ")),
        (l.facilitator, r.facilitator.clone()),
        (
            l.group,
            r.group_name.clone().unwrap_or_else(|| l.none.into()),
        ),
    ]));
    let _ = write!(
        body,
        "<h2>{}</h2><p class=\"reflection\">{}</p><p class=\"note\">{}</p>",
        esc(l.reflection),
        esc(r.reflection.as_deref().unwrap_or(l.none)),
        esc(l.private)
    );
    page(l, l.reflection_title, "reflection", &body)
}

/// The same as plain text, for people who keep notes in a text file.
pub(crate) fn reflection_text(r: &ReflectionPage) -> String {
    let l = labels(r.language);
    let mut out = format!("{}\n\n", l.reflection_title);
    for (term, value) in [
        (l.name, r.name.clone()),
        (l.date, r.date.clone()),
        (
            l.time,
            format!(
                "{} ({})",
                times(&Some(r.start.clone()), &r.end, l),
                r.time_zone
            ),
        ),
        (l.method, r.methods.join(", ")),
        (l.facilitator, r.facilitator.clone()),
        (
            l.group,
            r.group_name.clone().unwrap_or_else(|| l.none.into()),
        ),
    ] {
        let _ = writeln!(out, "{term}: {value}");
    }
    let _ = write!(
        out,
        "\n{}\n\n{}\n",
        l.reflection,
        r.reflection.as_deref().unwrap_or(l.none)
    );
    out
}

/// The link as an inline SVG QR code (no `<?xml?>` prologue inside HTML).
fn qr_svg(url: &str) -> String {
    let Ok(qr) = qrcode::QrCode::new(url.as_bytes()) else {
        return String::new();
    };
    let svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(120, 120)
        .quiet_zone(true)
        .build();
    match svg.find("<svg") {
        Some(i) => format!("<div class=\"qr\" aria-hidden=\"true\">{}</div>", &svg[i..]),
        None => String::new(),
    }
}

/// The pages' style: readable on screen, one clean page on paper.
pub(crate) const CSS: &str = "body{font:16px/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fff;margin:0}\
main{max-width:48rem;margin:0 auto;padding:1.5rem}\
h1{font-size:1.6rem;margin:0 0 .75rem}h2{font-size:1.2rem;margin:1.25rem 0 .5rem;border-bottom:1px solid #ccc}\
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1rem}\
.facts dt{font-weight:600}.facts dd{margin:0}\
table.list{border-collapse:collapse;width:100%;margin:1rem 0}\
.list th,.list td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}\
.list .num{text-align:right}.note{color:#444;font-size:.9rem}\
.lead{font-size:1.15rem}.code{font-family:ui-monospace,monospace;letter-spacing:.05em}\
.verify{display:flex;gap:1.5rem;align-items:center;justify-content:space-between;border-top:1px solid #ccc;margin-top:1.5rem;padding-top:1rem}\
.qr svg{width:120px;height:120px}\
.verdict{font-size:1.2rem;font-weight:600;padding:.5rem .75rem;border-radius:4px}\
.genuine{background:#e4f2e7;color:#14532d}.refused{background:#fbe7e7;color:#7f1d1d}\
.reflection{white-space:pre-wrap}\
@media print{main{padding:0}a{color:inherit}@page{margin:1.5cm}}";

#[cfg(test)]
mod tests {
    use kring_protocol::{AttendanceCase, AttendanceRow, CertificateCase, MemberId};

    use super::*;

    fn sample() -> Attendance {
        Attendance {
            title: None,
            group_name: Some("Groep <Noord>".into()),
            time_zone: "Europe/Amsterdam".into(),
            date: Some("2025-01-15".into()),
            start: Some("14:00".into()),
            end: Some("16:00".into()),
            started_at: Some(1_736_946_000_000),
            ended_at: Some(1_736_953_200_000),
            methods: vec!["Basismodel".into(), "Incidentmethode".into()],
            cases: vec![
                AttendanceCase {
                    method: "Basismodel".into(),
                    case_bringer: Some("Carla".into()),
                },
                AttendanceCase {
                    method: "Incidentmethode".into(),
                    case_bringer: None,
                },
            ],
            facilitator: "Bea, Dirk".into(),
            co_facilitators: vec!["Eva".into()],
            list_confirmed_at: None,
            members: vec![AttendanceRow {
                member: MemberId(2),
                name: "=HYPERLINK(\"x\")".into(),
                role: Role::Participant,
                joined_at: 1_736_946_000_000,
                present_ms: 7_200_000,
                minutes: 120,
                measured_minutes: 97,
                set_by_facilitator: true,
                hours: 2.0,
                confirmed_at: Some(1_736_953_300_000),
            }],
        }
    }

    #[test]
    fn the_list_escapes_names_and_holds_every_field() {
        let page = list_html(&sample(), Language::Nl);
        for part in [
            "Presentielijst – Groep &lt;Noord&gt;",
            "2025-01-15",
            "14:00 – 16:00",
            "Europe/Amsterdam",
            "<dt>Methode</dt><dd>Basismodel (inbrenger: Carla); Incidentmethode</dd>",
            "<dt>Begeleider</dt><dd>Bea, Dirk</dd><dt>Medebegeleider</dt><dd>Eva</dd>",
            "=HYPERLINK(&quot;x&quot;)",
            "<td class=\"num\">120 (vastgesteld door de begeleider, gemeten: 97)</td>",
            "ja, om 2025-01-15 16:01",
            "nog niet bevestigd",
        ] {
            assert!(page.contains(part), "missing {part:?} in {page}");
        }
        assert!(!page.contains("<Noord>"));
    }

    #[test]
    fn csv_rows_stand_alone_and_formulas_are_defused() {
        let csv = list_csv(&sample());
        let mut lines = csv.lines();
        assert!(
            lines
                .next()
                .is_some_and(|h| h.starts_with("date,start,end"))
        );
        let row = lines.next().expect("a row");
        assert!(row.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{row}");
        assert!(row.contains("\"120\",\"2\",\"97\",\"yes\""), "{row}");
        assert!(
            row.contains("\"Basismodel; Incidentmethode\",\"Carla; \",\"Bea, Dirk\",\"Eva\""),
            "{row}"
        );
        assert!(row.contains("\"2025-01-15 16:01\""), "{row}");
        assert!(row.contains("\"2025-01-15T13:00:00Z\""), "{row}");
    }

    #[test]
    fn a_certificate_marks_the_holders_own_case_and_names_no_other_case_bringer() {
        let v = Verification {
            code: "K7MQ-3QX9-PA2T-8CWR".into(),
            name: "Anna".into(),
            registration: None,
            role: Role::Participant,
            group_name: None,
            time_zone: "Europe/Amsterdam".into(),
            date: "2025-01-15".into(),
            start: "14:00".into(),
            end: "16:00".into(),
            methods: vec!["Basismodel".into(), "Incidentmethode".into()],
            cases: vec![
                CertificateCase {
                    method: "Basismodel".into(),
                    brought: false,
                },
                CertificateCase {
                    method: "Incidentmethode".into(),
                    brought: true,
                },
            ],
            facilitator: "Bea, Dirk".into(),
            co_facilitators: vec!["Eva".into()],
            minutes: 120,
            hours: 2.0,
            set_by_facilitator: false,
            confirmed_at: None,
            list_confirmed_at: None,
        };
        let page = certificate_html(&v, Language::Nl, "https://example.org/verify/K7MQ");
        for part in [
            "<dt>Methode</dt><dd>Basismodel; Incidentmethode (eigen casus ingebracht)</dd>",
            "<dt>Begeleider</dt><dd>Bea, Dirk</dd><dt>Medebegeleider</dt><dd>Eva</dd>",
        ] {
            assert!(page.contains(part), "missing {part:?} in {page}");
        }
    }

    #[test]
    fn every_language_has_its_own_pages() {
        for language in Language::ALL {
            let l = labels(language);
            assert_eq!(l.lang, language.as_str());
            let page = list_html(&sample(), language);
            assert!(page.contains(&format!("<html lang=\"{}\">", l.lang)));
            assert!(page.contains(l.list_title) && page.contains(l.co_facilitator));
        }
        let de = list_html(&sample(), Language::De);
        assert!(de.contains("Basismodel (Fallgeber:in: Carla)"), "{de}");
    }

    #[test]
    fn hours_use_a_decimal_comma_except_in_english() {
        assert_eq!(hours_text(&NL, 1.75), "1,75");
        assert_eq!(hours_text(&EN, 1.75), "1.75");
        assert_eq!(hours_text(&NL, 2.0), "2");
        assert_eq!(hours_text(&DE, 1.25), "1,25");
        assert_eq!(hours_text(&FR, 0.5), "0,5");
    }

    #[test]
    fn readers_get_their_language_or_else_dutch() {
        assert_eq!(language_of(Some("en-GB,en;q=0.9")), Language::En);
        assert_eq!(language_of(Some("nl-NL,en;q=0.5")), Language::Nl);
        assert_eq!(language_of(Some("de-CH,de;q=0.9")), Language::De);
        assert_eq!(language_of(Some("fr-BE")), Language::Fr);
        assert_eq!(language_of(Some("es-ES")), Language::Nl);
        assert_eq!(language_of(None), Language::Nl);
    }
}
