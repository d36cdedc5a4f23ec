//! Identifiers and small value types shared by all messages.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A member of one room. Public: shown to every member. Never a secret (the resume token is).
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(transparent)]
pub struct MemberId(pub u32);

/// An item on a board (case, question, answer, advice, note, ...), unique within a room.
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(transparent)]
pub struct ItemId(pub u32);

/// Milliseconds since the Unix epoch, server clock.
pub type Millis = u64;

/// Per-room event sequence number; the first event of a room has sequence 1.
pub type Seq = u64;

/// Identifies one unbroken history of a room. It changes when history cannot be replayed, so a
/// client holding another epoch must take a full view.
pub type Epoch = u32;

impl std::fmt::Display for MemberId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "m{}", self.0)
    }
}

impl std::fmt::Display for ItemId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "i{}", self.0)
    }
}
