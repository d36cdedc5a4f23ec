//! The attendance record professional registers ask for, and what each person takes home:
//! the meeting's record (built from the room, stored for years without content), the
//! printable list and CSV, each member's certificate of participation with its verification
//! code, and each member's one-page record with their personal reflection.
//!
//! **Counting.** Minutes present are measured by the room (`room/attendance.rs`: only the
//! meeting counts, and a gap in a connection up to the turn grace counts as present). The list
//! states them in whole minutes, rounded to the nearest. Registers count hours (usually one
//! point per hour, and at least an hour per meeting); the hours stated are the minutes rounded
//! **down** to whole quarter hours, so a record never credits more than was attended. A meeting
//! of 14:00 to 16:00 attended throughout gives 120 minutes and 2 hours; arriving at 14:09 gives
//! 111 minutes and 1.75 hours.
//!
//! The facilitator may correct a member's minutes (a phone locked longer than the grace while
//! its owner sat in the room); the list then states both, and the list must be confirmed
//! again.

pub(crate) mod render;
mod time;

use kring_engine::Session;
use kring_protocol::{
    Attendance, AttendanceCase, AttendanceRow, CertificateCase, MemberId, Millis, Role,
    Verification,
};
use sha2::{Digest, Sha256};

use crate::store::{MeetingRecord, RecordCase, RecordMember};
pub(crate) use time::{is_time_zone, local};

/// Whole minutes, rounded to the nearest.
pub(crate) fn minutes(present_ms: u64) -> u32 {
    u32::try_from((present_ms + 30_000) / 60_000).unwrap_or(u32::MAX)
}

/// Hours as registers count them: whole quarter hours, rounded down.
pub(crate) fn hours(minutes: u32) -> f64 {
    f64::from(minutes / 15) / 4.0
}

/// What the room knows that the record needs, per member.
pub(crate) trait Presence {
    fn present_ms(&self, member: MemberId) -> u64;
    fn joined_at(&self, member: MemberId) -> Option<Millis>;
}

/// The meeting's record as it stands; `None` before the session has started.
pub(crate) fn build(session: &Session, presence: &dyn Presence) -> Option<MeetingRecord> {
    let started_at = session.started_at()?;
    let params = session.params();
    let members = session
        .roster()
        .filter(|(_, _, role)| *role != Role::Screen)
        .map(|(id, name, role)| {
            let confirmation = session.confirmation(id);
            let token_hash = session.token_hash_of(id).map(str::to_owned);
            RecordMember {
                member: id,
                name: name.to_owned(),
                role,
                joined_at: presence.joined_at(id).unwrap_or(started_at),
                present_ms: presence.present_ms(id),
                minutes_set: session.minutes_set(id),
                confirmed_at: confirmation.map(|c| c.at),
                registration: confirmation.and_then(|c| c.registration.clone()),
                certificate: certificate_code(
                    &params.code,
                    &params.facilitator_token_hash,
                    id,
                    token_hash.as_deref(),
                ),
                token_hash,
            }
        })
        .collect();
    Some(MeetingRecord {
        room: params.code.clone(),
        facilitator_token_hash: params.facilitator_token_hash.clone(),
        language: params.language,
        time_zone: params.time_zone.clone(),
        group_name: params.group_name.clone(),
        cases: case_rounds(session),
        facilitator: session.facilitator_names().join(", "),
        co_facilitators: co_facilitators(session),
        started_at,
        ended_at: session.ended_at(),
        list_confirmed_at: session.list_confirmed_at(),
        members,
    })
}

/// Each case round of the meeting: its method's name in the session's language and its
/// case-bringer.
fn case_rounds(session: &Session) -> Vec<RecordCase> {
    let language = session.params().language;
    session
        .case_rounds()
        .into_iter()
        .map(|(method, case_bringer)| RecordCase {
            method: method.name.get(language).to_owned(),
            case_bringer,
        })
        .collect()
}

fn co_facilitators(session: &Session) -> Vec<String> {
    session
        .co_facilitator_names()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

fn methods(cases: &[RecordCase]) -> Vec<String> {
    cases.iter().map(|c| c.method.clone()).collect()
}

/// The case rounds as the list states them: with the case-bringer's name.
fn list_cases(record: &MeetingRecord) -> Vec<AttendanceCase> {
    record
        .cases
        .iter()
        .map(|c| AttendanceCase {
            method: c.method.clone(),
            case_bringer: c.case_bringer.and_then(|id| {
                (record.members.iter())
                    .find(|m| m.member == id)
                    .map(|m| m.name.clone())
            }),
        })
        .collect()
}

/// The record as the facilitator reads it (JSON, and the source of the CSV and the printable
/// list). `title` while the session's content is kept.
pub(crate) fn attendance(record: &MeetingRecord, title: Option<String>) -> Attendance {
    let tz = &record.time_zone;
    Attendance {
        title,
        group_name: record.group_name.clone(),
        time_zone: tz.clone(),
        date: Some(local(record.started_at, tz).date),
        start: Some(local(record.started_at, tz).time),
        end: record.ended_at.map(|at| local(at, tz).time),
        started_at: Some(record.started_at),
        ended_at: record.ended_at,
        methods: methods(&record.cases),
        cases: list_cases(record),
        facilitator: record.facilitator.clone(),
        co_facilitators: record.co_facilitators.clone(),
        list_confirmed_at: record.list_confirmed_at,
        members: record.members.iter().map(row).collect(),
    }
}

/// Before the start there is no record yet: who is in the room, without times.
pub(crate) fn lobby_attendance(session: &Session) -> Attendance {
    let params = session.params();
    let cases = case_rounds(session);
    Attendance {
        title: Some(params.title.as_str().to_owned()),
        group_name: params.group_name.clone(),
        time_zone: params.time_zone.clone(),
        date: None,
        start: None,
        end: None,
        started_at: None,
        ended_at: None,
        methods: methods(&cases),
        cases: cases
            .iter()
            .map(|c| AttendanceCase {
                method: c.method.clone(),
                case_bringer: c
                    .case_bringer
                    .and_then(|id| session.member_name(id))
                    .map(str::to_owned),
            })
            .collect(),
        facilitator: session.facilitator_names().join(", "),
        co_facilitators: co_facilitators(session),
        list_confirmed_at: None,
        members: Vec::new(),
    }
}

/// A member's minutes on the list: as the facilitator set them, or as measured.
pub(crate) fn minutes_of(m: &RecordMember) -> u32 {
    m.minutes_set.unwrap_or_else(|| minutes(m.present_ms))
}

fn row(m: &RecordMember) -> AttendanceRow {
    let minutes = minutes_of(m);
    AttendanceRow {
        member: m.member,
        name: m.name.clone(),
        role: m.role,
        joined_at: m.joined_at,
        present_ms: m.present_ms,
        minutes,
        measured_minutes: self::minutes(m.present_ms),
        set_by_facilitator: m.minutes_set.is_some(),
        hours: hours(minutes),
        confirmed_at: m.confirmed_at,
    }
}

/// What one member's certificate states (and `/verify` confirms). Only for a meeting that
/// has ended.
pub(crate) fn verification(record: &MeetingRecord, member: &RecordMember) -> Option<Verification> {
    let ended_at = record.ended_at?;
    let tz = &record.time_zone;
    let minutes = minutes_of(member);
    Some(Verification {
        code: display_certificate(&member.certificate),
        name: member.name.clone(),
        registration: member.registration.clone(),
        role: member.role,
        group_name: record.group_name.clone(),
        time_zone: tz.clone(),
        date: local(record.started_at, tz).date,
        start: local(record.started_at, tz).time,
        end: local(ended_at, tz).time,
        methods: methods(&record.cases),
        cases: (record.cases.iter())
            .map(|c| CertificateCase {
                method: c.method.clone(),
                brought: c.case_bringer == Some(member.member),
            })
            .collect(),
        facilitator: record.facilitator.clone(),
        co_facilitators: record.co_facilitators.clone(),
        minutes,
        hours: hours(minutes),
        set_by_facilitator: member.minutes_set.is_some(),
        confirmed_at: member.confirmed_at,
        list_confirmed_at: record.list_confirmed_at,
    })
}

/// A member's one-page record: the meeting's facts, their name and their own reflection.
/// `None` before the session has started.
pub(crate) fn reflection_page(
    session: &Session,
    member: MemberId,
) -> Option<render::ReflectionPage> {
    let started_at = session.started_at()?;
    let params = session.params();
    let tz = &params.time_zone;
    let name = session
        .roster()
        .find(|(id, _, _)| *id == member)
        .map(|(_, name, _)| name.to_owned())?;
    Some(render::ReflectionPage {
        language: params.language,
        name,
        group_name: params.group_name.clone(),
        time_zone: tz.clone(),
        date: local(started_at, tz).date,
        start: local(started_at, tz).time,
        end: session.ended_at().map(|at| local(at, tz).time),
        methods: methods(&case_rounds(session)),
        facilitator: session.facilitator_names().join(", "),
        reflection: session.reflection(member).map(str::to_owned),
    })
}

/// Certificate codes: the room codes' alphabet (no 0/O, 1/I/L, U/V), 15 characters derived
/// from secrets and a check character.
const ALPHABET: &[u8; 29] = kring_protocol::ROOM_CODE_ALPHABET;
const CERTIFICATE_LEN: usize = 16;

/// A member's verification code. Derived (SHA-256) from the room's facilitator token hash and
/// the member's token hash, which never leave the server: nobody can compute another member's
/// code, and the code is the same however often the record is written. 29^15 ≈ 2^73 codes,
/// so guessing one under the attempt limit is hopeless. The last character is a check
/// character, so a typo is recognised as such without asking the store.
pub fn certificate_code(
    room: &str,
    facilitator_token_hash: &str,
    member: MemberId,
    member_token_hash: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    for part in [
        "kring certificate v1",
        room,
        facilitator_token_hash,
        &member.0.to_string(),
        member_token_hash.unwrap_or(""),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let mut code: Vec<u8> = digest
        .chunks(2)
        .take(CERTIFICATE_LEN - 1)
        .map(|pair| {
            let n = usize::from(u16::from_be_bytes([pair[0], pair[1]]));
            ALPHABET[n % ALPHABET.len()]
        })
        .collect();
    code.push(ALPHABET[check_value(&code)]);
    String::from_utf8(code).expect("alphabet is ASCII")
}

/// The check character's value: the position-weighted sum of the body's alphabet indices,
/// modulo 29. As 29 is prime, any single changed character and any swap of two neighbours
/// changes it.
fn check_value(body: &[u8]) -> usize {
    let n = ALPHABET.len();
    body.iter().enumerate().fold(0, |sum, (i, c)| {
        let v = ALPHABET.iter().position(|a| a == c).unwrap_or(0);
        (sum + (i + 1) * v) % n
    })
}

/// What a typed code is.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Typed {
    /// A code that could be genuine (canonical form).
    Code(String),
    /// Not a code: wrong length or characters, or a failed check (a typo).
    Malformed,
}

/// Reads a code as typed: case-insensitive, dashes and spaces ignored.
pub(crate) fn parse_certificate(typed: &str) -> Typed {
    let code: Vec<u8> = typed
        .bytes()
        .filter(|b| !matches!(b, b'-' | b' ' | b'.'))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if code.len() != CERTIFICATE_LEN || !code.iter().all(|b| ALPHABET.contains(b)) {
        return Typed::Malformed;
    }
    let (body, check) = code.split_at(CERTIFICATE_LEN - 1);
    if ALPHABET.get(check_value(body)) != Some(&check[0]) {
        return Typed::Malformed;
    }
    Typed::Code(String::from_utf8(code).expect("alphabet is ASCII"))
}

/// `K7MQ-3QX9-PA2T-8CWR`.
pub(crate) fn display_certificate(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_round_to_the_nearest_and_hours_down_to_quarters() {
        assert_eq!(minutes(119 * 60_000 + 31_000), 120);
        assert_eq!(minutes(119 * 60_000 + 29_000), 119);
        assert_eq!(hours(120), 2.0);
        assert_eq!(hours(119), 1.75);
        assert_eq!(hours(111), 1.75);
        assert_eq!(hours(14), 0.0);
    }

    #[test]
    fn certificate_codes_check_out_and_catch_typos() {
        let code = certificate_code("ABCDEFGHJ", "f00d", MemberId(3), Some("beef"));
        assert_eq!(code.len(), 16);
        assert_eq!(parse_certificate(&code), Typed::Code(code.clone()));
        let shown = display_certificate(&code);
        assert_eq!(shown.len(), 19);
        assert_eq!(
            parse_certificate(&shown.to_lowercase()),
            Typed::Code(code.clone())
        );
        // Every single-character change, and every swap of neighbours, is caught by the check.
        for i in 0..CERTIFICATE_LEN - 2 {
            let mut swapped = code.clone().into_bytes();
            swapped.swap(i, i + 1);
            if swapped != code.as_bytes() {
                let swapped = String::from_utf8(swapped).expect("ascii");
                assert_eq!(parse_certificate(&swapped), Typed::Malformed, "{swapped}");
            }
        }
        for i in 0..code.len() {
            for &c in ALPHABET {
                let mut edited = code.clone().into_bytes();
                if edited[i] == c {
                    continue;
                }
                edited[i] = c;
                let edited = String::from_utf8(edited).expect("ascii");
                assert_eq!(parse_certificate(&edited), Typed::Malformed, "{edited}");
            }
        }
        // Codes differ per member and per room.
        assert_ne!(
            code,
            certificate_code("ABCDEFGHJ", "f00d", MemberId(4), Some("beef"))
        );
        assert_ne!(
            code,
            certificate_code("ABCDEFGHK", "f00d", MemberId(3), Some("beef"))
        );
        assert_eq!(parse_certificate("ABC"), Typed::Malformed);
    }
}
