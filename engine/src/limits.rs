//! Limits the engine enforces. The protocol documents the codes; the numbers live here.

use kring_protocol::Millis;
use serde::{Deserialize, Serialize};

// The text and name limits are part of the wire contract, so they live in `protocol`.
pub use kring_protocol::limits::{NAME_MAX_CHARS, TITLE_MAX_CHARS, max_chars};

/// Members of one room (the shared screen does not count).
pub const MAX_MEMBERS: usize = 40;
/// Items (of every kind) one member may add in a session. A real session sees a few dozen;
/// the cap keeps one member from filling the boards for everyone.
pub const MAX_ITEMS_PER_MEMBER: usize = 150;
/// Items one room may hold. Every welcome carries the boards, so this bounds what a phone
/// must load (at most about 1.5 MB of text) and what the room keeps in memory.
pub const MAX_ITEMS_PER_ROOM: usize = 1000;

/// Submissions one member may make within a window. The default is generous for a person
/// typing on a phone, tight enough that a stuck client cannot flood a board; an operator may
/// change it (`--submit-limit`), e.g. for load tests.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubmitLimit {
    pub max: usize,
    pub window_ms: Millis,
}

impl Default for SubmitLimit {
    fn default() -> Self {
        SubmitLimit {
            max: 6,
            window_ms: 10_000,
        }
    }
}

/// When a member who made submissions at `recent` (oldest first) may submit again at `now`;
/// `None` when they may submit now.
pub fn rate_retry_after(limit: SubmitLimit, recent: &[Millis], now: Millis) -> Option<u64> {
    let window_start = now.saturating_sub(limit.window_ms);
    let in_window: Vec<Millis> = recent
        .iter()
        .copied()
        .filter(|&t| t > window_start)
        .collect();
    // A limit of 0 switches the rate limit off rather than refusing everything.
    if limit.max == 0 || in_window.len() < limit.max {
        return None;
    }
    // The oldest submission that still counts must leave the window first.
    let oldest = in_window[in_window.len() - limit.max];
    Some((oldest + limit.window_ms).saturating_sub(now).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_opens_when_the_oldest_leaves_the_window() {
        let recent: Vec<Millis> = (0..6).map(|i| 1_000 + i * 100).collect();
        assert_eq!(
            rate_retry_after(SubmitLimit::default(), &recent[..5], 2_000),
            None
        );
        assert_eq!(
            rate_retry_after(SubmitLimit::default(), &recent, 2_000),
            Some(9_000)
        );
        assert_eq!(
            rate_retry_after(SubmitLimit::default(), &recent, 10_999),
            Some(1)
        );
        assert_eq!(
            rate_retry_after(SubmitLimit::default(), &recent, 11_000),
            None
        );
    }
}
