//! Local dates and times in a meeting's time zone (IANA names, from the time zone database
//! built into the binary, so a server without `/usr/share/zoneinfo` gives the same answers).

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kring_protocol::Millis;

/// A moment as people in the meeting's time zone read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Local {
    /// `YYYY-MM-DD`
    pub date: String,
    /// `HH:MM`
    pub time: String,
}

/// Whether `name` is a time zone of the IANA database (e.g. `Europe/Amsterdam`).
pub(crate) fn is_time_zone(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && TimeZone::get(name).is_ok()
}

/// `at` in the time zone `name` (UTC when the name is unknown, which a checked session
/// cannot have).
pub(crate) fn local(at: Millis, name: &str) -> Local {
    let tz = TimeZone::get(name).unwrap_or(TimeZone::UTC);
    let ts = i64::try_from(at)
        .ok()
        .and_then(|ms| Timestamp::from_millisecond(ms).ok())
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let zoned = ts.to_zoned(tz);
    Local {
        date: zoned.strftime("%Y-%m-%d").to_string(),
        time: zoned.strftime("%H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_follow_the_zone_and_its_summer_time() {
        // 2025-01-15T13:00:00Z is 14:00 in Amsterdam (winter, UTC+1).
        let winter = 1_736_946_000_000;
        assert_eq!(
            local(winter, "Europe/Amsterdam"),
            Local {
                date: "2025-01-15".into(),
                time: "14:00".into()
            }
        );
        // 2025-07-15T12:00:00Z is 14:00 in Amsterdam (summer, UTC+2) and 13:00 in London.
        let summer = 1_752_580_800_000;
        assert_eq!(local(summer, "Europe/Amsterdam").time, "14:00");
        assert_eq!(local(summer, "Europe/London").time, "13:00");
        // Half past eleven at night in UTC is the next day in Amsterdam.
        assert_eq!(local(1_736_983_800_000, "UTC").date, "2025-01-15");
        assert_eq!(
            local(1_736_983_800_000, "Europe/Amsterdam").date,
            "2025-01-16"
        );
    }

    #[test]
    fn only_iana_names_are_time_zones() {
        assert!(is_time_zone("Europe/Amsterdam"));
        assert!(is_time_zone("Europe/Brussels"));
        assert!(is_time_zone("UTC"));
        assert!(!is_time_zone("Europe/Utrecht"));
        assert!(!is_time_zone(""));
        assert!(!is_time_zone("../../etc/passwd"));
    }
}
