//! Who was present, and for how long: the minutes on the attendance record. No content.
//!
//! Presence counts from the room, not only from an open socket. A member is present from the
//! moment they are in the room (connected) until they leave it; a gap in their connection (a
//! phone that locks and drops its socket, a network hiccup, a reload) counts as present when it
//! lasts no longer than the turn grace (`--turn-grace`, 2 minutes by default), whether it ends
//! with the member coming back or with the end of the meeting. A longer gap counts as absent
//! from its start. Only the meeting itself counts: nothing before the start (the lobby) or
//! after the end.
//!
//! The totals are kept in memory and written with the room's commits (at least every minute
//! for members online, so a crash loses little). A stored row carries the time up to which it
//! counted (`away_since`): after a restart every member is away from then on, so one who comes
//! back within the grace loses nothing.

use std::collections::BTreeMap;

use kring_engine::Session;
use kring_protocol::{MemberId, Millis};

use crate::store::AttendanceRecord;

/// How stale a stored record of someone online may get.
const REFRESH_MS: Millis = 60_000;

#[derive(Default)]
pub(super) struct Attendance {
    rows: BTreeMap<MemberId, Row>,
    /// A gap in a member's connection no longer than this counts as present.
    grace: Millis,
    /// The meeting's time: nothing outside it counts.
    started_at: Option<Millis>,
    ended_at: Option<Millis>,
}

#[derive(Default)]
struct Row {
    joined_at: Millis,
    /// Present time counted for sure (spans closed, and gaps bridged).
    present_ms: u64,
    online_since: Option<Millis>,
    /// Gone since; counted if they are back (or the meeting ends) within the grace.
    away_since: Option<Millis>,
    dirty: bool,
    stored_at: Millis,
}

impl Attendance {
    pub(super) fn new(grace: Millis) -> Self {
        Attendance {
            grace,
            ..Attendance::default()
        }
    }

    /// Rows as stored, for a room loaded from the store; `session` gives the meeting's times.
    pub(super) fn restore(&mut self, records: Vec<AttendanceRecord>, session: &Session) {
        self.started_at = session.started_at();
        self.ended_at = session.ended_at();
        self.rows = records
            .into_iter()
            .map(|r| {
                let row = Row {
                    joined_at: r.joined_at,
                    present_ms: r.present_ms,
                    away_since: r.away_since,
                    ..Row::default()
                };
                (r.member, row)
            })
            .collect();
    }

    /// Time within the meeting between `from` and `to`.
    fn span(&self, from: Millis, to: Millis) -> u64 {
        let Some(start) = self.started_at else {
            return 0;
        };
        let end = self.ended_at.unwrap_or(Millis::MAX);
        let clip = |t: Millis| t.clamp(start, end.max(start));
        clip(to).saturating_sub(clip(from))
    }

    /// A gap from `since` that has lasted until `until` counts when it is within the grace.
    fn bridged(&self, since: Millis, until: Millis) -> u64 {
        if until.saturating_sub(since) <= self.grace {
            self.span(since, until)
        } else {
            0
        }
    }

    pub(super) fn joined(&mut self, member: MemberId, at: Millis) {
        let row = self.rows.entry(member).or_default();
        if row.joined_at == 0 {
            row.joined_at = at;
            row.dirty = true;
        }
    }

    pub(super) fn started(&mut self, at: Millis) {
        if self.started_at.is_some() {
            return;
        }
        self.started_at = Some(at);
        for row in self.rows.values_mut() {
            row.dirty = true;
        }
    }

    /// The meeting is over: whoever is connected, or away within the grace, was present until
    /// `at`; nothing counts from then on.
    pub(super) fn ended(&mut self, at: Millis) {
        if self.ended_at.is_some() {
            return;
        }
        self.ended_at = Some(at);
        let ids: Vec<MemberId> = self.rows.keys().copied().collect();
        for id in ids {
            let (online, away) = {
                let row = &self.rows[&id];
                (row.online_since, row.away_since)
            };
            let add =
                online.map_or(0, |s| self.span(s, at)) + away.map_or(0, |a| self.bridged(a, at));
            let row = self.rows.get_mut(&id).expect("row exists");
            row.present_ms += add;
            row.online_since = online.map(|_| at);
            row.away_since = None;
            row.dirty = true;
        }
    }

    pub(super) fn online(&mut self, member: MemberId, now: Millis) {
        let away = self.rows.get(&member).and_then(|r| r.away_since);
        let bridged = away.map_or(0, |a| self.bridged(a, now));
        let row = self.rows.entry(member).or_default();
        if row.joined_at == 0 {
            row.joined_at = now;
        }
        row.present_ms += bridged;
        row.away_since = None;
        if row.online_since.is_none() {
            row.online_since = Some(now);
        }
        row.dirty = true;
    }

    pub(super) fn offline(&mut self, member: MemberId, now: Millis) {
        let Some(since) = self.rows.get(&member).and_then(|r| r.online_since) else {
            return;
        };
        let span = self.span(since, now);
        if let Some(row) = self.rows.get_mut(&member) {
            row.present_ms += span;
            row.online_since = None;
            row.away_since = Some(now);
            row.dirty = true;
        }
    }

    /// Present time counted for sure at `now` (what is stored), and the time up to which it
    /// counted when the member is not known to be gone.
    fn counted(&self, row: &Row, now: Millis) -> (u64, Option<Millis>) {
        match (row.online_since, row.away_since) {
            (Some(since), _) => (row.present_ms + self.span(since, now), Some(now)),
            (None, away) => (row.present_ms, away),
        }
    }

    /// Present time at `now` as the record states it: with a gap still within the grace.
    pub(super) fn present_ms(&self, member: MemberId, now: Millis) -> u64 {
        let Some(row) = self.rows.get(&member) else {
            return 0;
        };
        let (counted, _) = self.counted(row, now);
        let until = self.ended_at.map_or(now, |end| now.min(end));
        counted + row.away_since.map_or(0, |a| self.bridged(a, until))
    }

    pub(super) fn joined_at(&self, member: MemberId) -> Option<Millis> {
        self.rows.get(&member).map(|r| r.joined_at)
    }

    /// Records to store now: changed ones, and stale ones of members online.
    pub(super) fn due(
        &mut self,
        session: &Session,
        now: Millis,
        all: bool,
    ) -> Vec<AttendanceRecord> {
        let mut out = Vec::new();
        for (id, name, role) in session.roster() {
            let Some(row) = self.rows.get(&id) else {
                continue;
            };
            let stale =
                row.online_since.is_some() && now.saturating_sub(row.stored_at) >= REFRESH_MS;
            if all || row.dirty || stale {
                let (present_ms, away_since) = self.counted(row, now);
                out.push(AttendanceRecord {
                    member: id,
                    name: name.to_owned(),
                    role,
                    joined_at: row.joined_at,
                    present_ms,
                    away_since,
                });
                let row = self.rows.get_mut(&id).expect("row exists");
                row.dirty = false;
                row.stored_at = now;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Millis = 60_000;
    const GRACE: Millis = 2 * MIN;

    fn attendance() -> Attendance {
        Attendance::new(GRACE)
    }

    #[test]
    fn only_the_meeting_counts() {
        let mut a = attendance();
        let anna = MemberId(1);
        a.online(anna, 0);
        a.started(10 * MIN);
        a.ended(70 * MIN);
        assert_eq!(
            a.present_ms(anna, 90 * MIN),
            60 * MIN,
            "lobby and after the end excluded"
        );
    }

    #[test]
    fn a_gap_within_the_grace_counts_as_present() {
        let mut a = attendance();
        let anna = MemberId(1);
        a.started(0);
        a.online(anna, 0);
        a.offline(anna, 10 * MIN);
        a.online(anna, 11 * MIN + 59_000);
        a.ended(60 * MIN);
        assert_eq!(a.present_ms(anna, 60 * MIN), 60 * MIN);
    }

    #[test]
    fn a_longer_gap_counts_as_absent_from_its_start() {
        let mut a = attendance();
        let anna = MemberId(1);
        a.started(0);
        a.online(anna, 0);
        a.offline(anna, 10 * MIN);
        a.online(anna, 20 * MIN);
        a.ended(60 * MIN);
        assert_eq!(a.present_ms(anna, 60 * MIN), 50 * MIN);
    }

    #[test]
    fn away_at_the_end_within_the_grace_is_present_until_the_end() {
        let mut a = attendance();
        let (anna, bram) = (MemberId(1), MemberId(2));
        a.started(0);
        a.online(anna, 0);
        a.online(bram, 0);
        a.offline(anna, 59 * MIN);
        a.offline(bram, 30 * MIN);
        a.ended(60 * MIN);
        assert_eq!(a.present_ms(anna, 61 * MIN), 60 * MIN);
        assert_eq!(a.present_ms(bram, 61 * MIN), 30 * MIN, "left halfway");
    }

    #[test]
    fn a_restart_within_the_grace_loses_nothing() {
        let session = Session::new(kring_engine_test_params());
        let mut before = attendance();
        let anna = MemberId(1);
        before.started(0);
        before.online(anna, 0);
        // Stored at 30 minutes: `away_since` says until when it counted.
        let stored = AttendanceRecord {
            member: anna,
            name: "Anna".into(),
            role: kring_protocol::Role::Participant,
            joined_at: 0,
            present_ms: before.counted(&before.rows[&anna], 30 * MIN).0,
            away_since: Some(30 * MIN),
        };
        let mut after = attendance();
        after.restore(vec![stored], &session);
        after.started(0);
        after.online(anna, 31 * MIN);
        after.ended(60 * MIN);
        assert_eq!(after.present_ms(anna, 60 * MIN), 60 * MIN);
    }

    fn kring_engine_test_params() -> kring_engine::SessionParams {
        kring_engine::SessionParams {
            code: kring_protocol::RoomCode::parse("ABCDEFGHJ").unwrap(),
            title: kring_protocol::Title::parse("t").unwrap(),
            language: Default::default(),
            method: kring_engine::methods::find("basic").expect("basic").clone(),
            settings: Default::default(),
            created_at: 0,
            facilitator_token_hash: String::new(),
            screen_token_hash: None,
            report_back: None,
            submit_limit: Default::default(),
            group_name: None,
            time_zone: kring_engine::DEFAULT_TIME_ZONE.into(),
        }
    }
}
