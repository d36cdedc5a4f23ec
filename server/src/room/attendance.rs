//! Who attended, when and for how long: the record professional bodies ask for. No content.
//!
//! Joining time comes from the journal; time present is the sum of the member's connected
//! spans, kept in memory and written with the room's commits (at least every minute for
//! members online, so a crash loses little).

use std::collections::BTreeMap;

use kring_engine::Session;
use kring_protocol::{AttendanceRow, MemberId, Millis};

use crate::store::AttendanceRecord;

/// How stale a stored record of someone online may get.
const REFRESH_MS: Millis = 60_000;

#[derive(Default)]
pub(super) struct Attendance {
    rows: BTreeMap<MemberId, Row>,
}

#[derive(Default)]
struct Row {
    joined_at: Millis,
    /// Closed connected spans.
    present_ms: u64,
    online_since: Option<Millis>,
    dirty: bool,
    stored_at: Millis,
}

impl Row {
    fn total(&self, now: Millis) -> u64 {
        self.present_ms
            + self
                .online_since
                .map_or(0, |since| now.saturating_sub(since))
    }
}

impl Attendance {
    pub fn from_records(records: Vec<AttendanceRecord>) -> Self {
        let rows = records
            .into_iter()
            .map(|r| {
                let row = Row {
                    joined_at: r.joined_at,
                    present_ms: r.present_ms,
                    ..Row::default()
                };
                (r.member, row)
            })
            .collect();
        Attendance { rows }
    }

    pub fn joined(&mut self, member: MemberId, at: Millis) {
        let row = self.rows.entry(member).or_default();
        if row.joined_at == 0 {
            row.joined_at = at;
            row.dirty = true;
        }
    }

    pub fn online(&mut self, member: MemberId, now: Millis) {
        let row = self.rows.entry(member).or_default();
        if row.joined_at == 0 {
            row.joined_at = now;
        }
        if row.online_since.is_none() {
            row.online_since = Some(now);
            row.dirty = true;
        }
    }

    pub fn offline(&mut self, member: MemberId, now: Millis) {
        if let Some(row) = self.rows.get_mut(&member)
            && let Some(since) = row.online_since.take()
        {
            row.present_ms += now.saturating_sub(since);
            row.dirty = true;
        }
    }

    /// Records to store now: changed ones, and stale ones of members online.
    pub fn due(&mut self, session: &Session, now: Millis, all: bool) -> Vec<AttendanceRecord> {
        let mut out = Vec::new();
        for (id, name, role) in session.roster() {
            let Some(row) = self.rows.get_mut(&id) else {
                continue;
            };
            let stale =
                row.online_since.is_some() && now.saturating_sub(row.stored_at) >= REFRESH_MS;
            if all || row.dirty || stale {
                row.dirty = false;
                row.stored_at = now;
                out.push(AttendanceRecord {
                    member: id,
                    name: name.to_owned(),
                    role,
                    joined_at: row.joined_at,
                    present_ms: row.total(now),
                });
            }
        }
        out
    }

    pub fn report(&self, session: &Session, now: Millis) -> Vec<AttendanceRow> {
        session
            .roster()
            .filter_map(|(id, name, role)| {
                let row = self.rows.get(&id)?;
                Some(AttendanceRow {
                    name: name.to_owned(),
                    role,
                    joined_at: row.joined_at,
                    present_ms: row.total(now),
                })
            })
            .collect()
    }
}
