//! Limits the engine enforces. The protocol documents the codes; the numbers live here.

use kring_protocol::{InputKind, Item, MAX_SERVER_MESSAGE_BYTES, Millis};
use serde::{Deserialize, Serialize};

// The text and name limits are part of the wire contract, so they live in `protocol`.
pub use kring_protocol::limits::{NAME_MAX_CHARS, TITLE_MAX_CHARS, max_chars};

/// Members present in one room, or present within [`SEAT_KEPT_MS`] (the shared screen does
/// not count). Members who left long ago keep their place on the roster, not their seat, so
/// people who join and leave cannot keep a room full.
pub const MAX_MEMBERS: usize = 40;
/// How long a member who went offline keeps their seat (a phone that lost Wi-Fi comes back).
pub const SEAT_KEPT_MS: Millis = 10 * 60 * 1000;
/// Members on the roster, present or not (removed ones do not count): what a view shows at
/// most. The facilitator frees places with "remove everyone offline".
pub const MAX_ROSTER: usize = 100;
/// Items (of every kind) one member may add in a session. A real session sees a few dozen;
/// the cap keeps one member from filling the boards for everyone.
pub const MAX_ITEMS_PER_MEMBER: usize = 150;
/// Items one room may hold, whatever their size (the byte budget below bounds their text).
pub const MAX_ITEMS_PER_ROOM: usize = 1000;

/// The largest full view (`welcome.view`) a session may grow to, in serialised bytes: the
/// largest message the server sends, less room for the welcome around the view (token, online
/// list). Every welcome carries the boards, so this is what a phone must load at most, and the
/// socket's write buffer always has room for it.
pub const MAX_VIEW_BYTES: usize = MAX_SERVER_MESSAGE_BYTES - 4 * 1024;

/// What one item costs in a view besides its text, at most: its JSON with the largest ids,
/// timestamps and enum values (281 bytes, see the test below), its id in `me.items` and
/// `me.votes`, and the case-bringer's reaction to it, which can be in `view.reactions` (shared)
/// and in their own `me.reactions` (449 bytes in all).
pub const ITEM_OVERHEAD_BYTES: usize = 460;

/// What one member costs in a view at most: a `MemberView` with a 40-character name of 4-byte
/// characters (298 bytes with `co_facilitator`, see the test below), plus the id in the hand
/// queue, the round's three lists and the welcome's online list.
pub const MEMBER_VIEW_BYTES: usize = 360;

/// What the parts of a view that are not items, members or the fixed text (title, method,
/// report-back) may add: the phase, floor and round fields and `me`.
pub const VIEW_SLACK_BYTES: usize = 1024;

/// What the attendance confirmations add to a view at most, besides the fixed part: the
/// confirmed list (an id of up to ten digits and a comma per member on the roster, the
/// facilitator included) and, under `me`, the viewer's own registration number and
/// reflection at four bytes a character (the most an allowed character costs: controls other
/// than line break and tab are refused, and those two take two), with their field names.
pub const ATTEST_VIEW_BYTES: usize = (MAX_ROSTER + 1) * 11
    + 4 * kring_protocol::limits::REGISTRATION_MAX_CHARS
    + 4 * kring_protocol::limits::REFLECTION_MAX_CHARS
    + 64;

/// Times one member may write their reflection in a session (each replaces the last, and each
/// is journaled): enough to save a draft many times, not a channel to fill the disk with.
pub const MAX_REFLECTION_WRITES: u32 = 30;
/// What one later case round adds to a view at most: its line in `view.cases` (a method name
/// in two languages at its longest, as a rotating custom method may have) and its number in
/// `me.rated`.
pub const CASE_VIEW_BYTES: usize = 1024;

/// What the case rounds after the first may add to a view: a line each in `view.cases`, and,
/// as `view.method`, a method larger than the first one (`start_case` takes built-in methods;
/// Troika's rotation keeps the method it has).
pub fn case_rounds_reserve(first_method_bytes: usize) -> usize {
    static LARGEST: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let largest = *LARGEST.get_or_init(|| {
        crate::methods::builtin()
            .iter()
            .map(|m| serde_json::to_vec(m).map_or(0, |v| v.len()))
            .max()
            .unwrap_or(0)
    });
    (crate::cases::MAX_CASE_ROUNDS - 1) * CASE_VIEW_BYTES
        + largest.saturating_sub(first_method_bytes)
}

/// The facilitator's tally of warnings in `me` at its largest: every warning, counts of ten
/// digits (see the test below).
pub const WARNING_TALLY_BYTES: usize = 400;

/// Renames one member may make in a session, and how long after one the next may come. A
/// rename is journaled like everything else; a name is not a chat.
pub const MAX_RENAMES: u32 = 20;
pub const RENAME_INTERVAL_MS: Millis = 10_000;

/// Events one room records at most from its members' commands; the facilitator has
/// [`FACILITATOR_EVENT_RESERVE`] more, and ending the session always works. A real session
/// records a few hundred; this bounds what one room can write to disk.
pub const MAX_EVENTS_PER_ROOM: u64 = 20_000;
pub const FACILITATOR_EVENT_RESERVE: u64 = 5_000;

/// Revealed notes travel in events of at most about this many bytes each: a reveal of a full
/// board of notes is a dozen frames, none near the largest message.
pub const REVEAL_CHUNK_BYTES: usize = 64 * 1024;

/// What a meeting may carry to the group's next one (commitments and kept cases), in serialised
/// bytes; it counts toward the next meeting's budget from the start.
pub const MAX_CARRY_BYTES: usize = 64 * 1024;

/// Bytes `text` takes inside a JSON string on the wire: quote and backslash take two, the
/// control characters with a short escape (`\n`, `\t`, ...) two, every other C0 control six
/// (`\u0001`), everything else its UTF-8 length. Text limits count characters; budgets count
/// this, so text full of escapes cannot outgrow them.
pub fn json_len(text: &str) -> usize {
    // Byte by byte, without decoding: the bytes of a character beyond ASCII are all 0x80 or
    // above and count one each, so only ASCII escapes add to the length. (Runs for every item.)
    let escapes: usize = text
        .bytes()
        .map(|b| usize::from(ESCAPE_EXTRA[usize::from(b)]))
        .sum();
    text.len() + escapes
}

/// What escaping adds to a byte inside a JSON string: one for `\"`, `\\` and the short
/// escapes, five for the other C0 controls (`\u0001`).
const ESCAPE_EXTRA: [u8; 256] = {
    let mut extra = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        extra[b] = 5;
        b += 1;
    }
    let short = [b'"', b'\\', b'\n', b'\r', b'\t', 0x08, 0x0c];
    let mut i = 0;
    while i < short.len() {
        extra[short[i] as usize] = 1;
        i += 1;
    }
    extra
};

/// What an item (with the text it will have in the journal) costs in the largest view: a
/// private note appears twice for its author (on the board without its text, under `me.notes`
/// with it).
pub fn item_cost(kind: InputKind, text: &str) -> usize {
    let copies = if kind == InputKind::PrivateNote { 2 } else { 1 };
    copies * ITEM_OVERHEAD_BYTES + json_len(text)
}

/// [`item_cost`] of a recorded item.
pub fn cost_of(item: &Item) -> usize {
    item_cost(item.kind, item.text.as_deref().unwrap_or(""))
}

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

// Which characters a display name may not hold is the parser's (`DisplayName`); item and
// group-name checks use the same sets.
pub use kring_protocol::values::{is_format, is_invisible};

/// Item text may hold line breaks and tabs; every other C0 control is refused (they show as
/// nothing, or as boxes, and cost six bytes each on the wire).
pub fn has_forbidden_control(text: &str) -> bool {
    // A C0 control is one byte, and no byte of a longer character is below 0x80.
    text.bytes().any(|b| b < 0x20 && b != b'\n' && b != b'\t')
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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use kring_protocol::{
        ItemId, MemberId, MemberView, Reaction, ReactionEntry, Role, Temperature, TriageStatus,
    };

    #[test]
    fn the_largest_warning_tally_fits_its_bound() {
        let tally: Vec<kring_protocol::WarningTally> = kring_protocol::Warning::ALL
            .into_iter()
            .map(|warning| kring_protocol::WarningTally {
                warning,
                shown: u32::MAX,
                sent_anyway: u32::MAX,
            })
            .collect();
        let bytes = serde_json::to_string(&tally).unwrap().len() + r#","warnings":"#.len();
        assert!(bytes <= WARNING_TALLY_BYTES, "{bytes} bytes");
    }

    #[test]
    fn json_len_is_the_serialised_length() {
        for text in [
            "",
            "plain",
            "\"quoted\" \\",
            "tab\tnew\nline",
            "\u{1}\u{1f}\u{7f}",
            "é😀",
        ] {
            let wire = serde_json::to_string(text).unwrap();
            assert_eq!(json_len(text), wire.len() - 2, "{text:?}");
        }
    }

    #[test]
    fn overheads_cover_the_largest_item_and_member() {
        let item = Item {
            id: ItemId(u32::MAX),
            kind: InputKind::KeyQuestion,
            by: Some(MemberId(u32::MAX)),
            anonymous: false,
            text: Some(kring_protocol::Text::default()),
            phase: u16::MAX,
            phase_seq: u32::MAX,
            at: Millis::MAX,
            reply_to: Some(ItemId(u32::MAX)),
            votes: u16::MAX,
            status: TriageStatus::Answered,
            case_round: u16::MAX,
            hidden: false,
            kept: false,
            chosen: false,
            revealed: false,
        };
        let item_json = serde_json::to_string(&item).unwrap().len();
        // The case-bringer's reaction to it, in `view.reactions` once shared and in their own
        // `me.reactions`, with a comma each.
        let reaction = ReactionEntry {
            item: ItemId(u32::MAX),
            reaction: Reaction {
                temperature: Temperature::Lukewarm,
                useful: false,
            },
        };
        let reaction_json = serde_json::to_string(&reaction).unwrap().len() + 1;
        // Two ids of at most ten digits and a comma each, in `me.items` and `me.votes`.
        let cost = item_json + 2 * 11 + 2 * reaction_json;
        assert!(cost <= ITEM_OVERHEAD_BYTES, "{cost}");
        let member = MemberView {
            id: MemberId(u32::MAX),
            name: kring_protocol::DisplayName::parse(&"😀".repeat(NAME_MAX_CHARS)).unwrap(),
            role: Role::CaseBringer,
            online: false,
            speaking_ms: u64::MAX,
            in_turns: false,
            co_facilitator: true,
        };
        let member_json = serde_json::to_string(&member).unwrap().len();
        // The id again in the hands, the round's order, done and passed, and the online list.
        assert!(member_json + 5 * 11 <= MEMBER_VIEW_BYTES, "{member_json}");
    }

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
