//! Durable storage of rooms: a journal of events per room, periodic snapshots, and the client
//! message ids that make retries idempotent.
//!
//! The room task calls [`Store::append`] and acknowledges a command only after it returns `Ok`
//! (ack after commit). Implementations must make a batch atomic (all of it or none), keep a
//! room's sequence numbers gap-free (an append whose first `seq` does not follow the last stored
//! one fails with [`StoreError::Gap`]), and never log event content.
//!
//! **Fencing.** Every batch carries the writer's [`Lease`]: the node that owns the room and its
//! ownership term. A store shared by several nodes (Postgres) writes the batch only if that
//! lease is still the room's, in the same transaction as the events, and otherwise refuses it
//! with [`StoreError::Fenced`]. The embedded stores serve one process (SQLite holds an
//! exclusive lock on its data directory), so no other writer can exist and they ignore it.

pub mod memory;
pub mod postgres;
pub mod sqlite;

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use kring_protocol::{Epoch, Language, MemberId, Millis, Role, RoomCode, Seq};

pub use memory::MemoryStore;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The batch does not follow the stored history (a lost or reordered append).
    #[error("sequence gap in room journal: expected {expected}, got {got}")]
    Gap { expected: Seq, got: Seq },
    /// A room with this code exists, or an attendance record still holds the code.
    #[error("room already exists")]
    Duplicate,
    #[error("room not found")]
    NotFound,
    /// The database failed; the message is the driver's (no session content).
    #[error("store failure: {0}")]
    Backend(String),
    #[error("store is closed")]
    Closed,
    /// The batch's lease is no longer the room's: another node claimed the room (this node
    /// was paused, partitioned or too slow to renew its lease). Nothing of the batch was
    /// written; the room must stop serving and send its clients elsewhere.
    #[error("this node no longer owns the room")]
    Fenced,
}

/// The right to write one room's journal: the owning node and its ownership term for the
/// room. A claim by another node raises the term, so an older lease never matches again.
/// The default (no node, term 0) is the embedded single-node store's, where no other writer
/// can exist.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Lease {
    pub node: Arc<str>,
    pub term: u64,
}

/// A room at creation.
#[derive(Clone, Debug)]
pub struct NewRoom {
    pub code: RoomCode,
    /// The engine's `SessionParams` as JSON.
    pub params_json: String,
    pub epoch: Epoch,
    pub created_at: Millis,
    /// The fixed group this session is a meeting of.
    pub group: Option<GroupLink>,
}

/// A session's group: an existing one, or a new one created with the room.
#[derive(Clone, Debug)]
pub struct GroupLink {
    pub id: String,
    /// Set for a new group: SHA-256 (hex) of its secret token.
    pub new_token_hash: Option<String>,
}

/// A group as found by its token: the latest carry-over it kept (`ReportBack` as JSON).
#[derive(Clone, Debug)]
pub struct StoredGroup {
    pub id: String,
    pub carry_json: Option<String>,
}

/// Who attended a session, when and for how long, while the session is kept (the room's
/// working copy; the long-lived record is [`MeetingRecord`]). No content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttendanceRecord {
    pub member: MemberId,
    pub name: String,
    pub role: Role,
    pub joined_at: Millis,
    /// Present time counted up to `away_since` (or for good, when it is `None`).
    pub present_ms: u64,
    /// Until when `present_ms` counted, while the member may still come back within the grace
    /// (for someone online when this was written: the time of writing).
    pub away_since: Option<Millis>,
}

/// The attendance record of one meeting, as professional registers ask for it: kept for
/// `--attendance-retention` (years), separately from the session's content, which is deleted
/// after days. Content-free by construction: no title, no text anyone wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingRecord {
    /// The room code; a code is not used for a new session while its record exists.
    pub room: RoomCode,
    /// SHA-256 (hex) of the facilitator token: the facilitator reads the list with it.
    pub facilitator_token_hash: String,
    pub language: Language,
    /// IANA time zone of the meeting.
    pub time_zone: String,
    pub group_name: Option<String>,
    /// Each case round: its method and who brought the case.
    pub cases: Vec<RecordCase>,
    /// Who led the meeting: everyone who held the facilitator role, in order.
    pub facilitator: String,
    /// Who had the facilitator's rights beside them.
    pub co_facilitators: Vec<String>,
    pub started_at: Millis,
    pub ended_at: Option<Millis>,
    pub list_confirmed_at: Option<Millis>,
    pub members: Vec<RecordMember>,
}

/// One case round on a meeting's record.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordCase {
    /// The method's name in the session's language.
    pub method: String,
    /// Who brought the case (one of the record's members).
    pub case_bringer: Option<MemberId>,
}

/// One member on a meeting's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordMember {
    pub member: MemberId,
    pub name: String,
    pub role: Role,
    pub joined_at: Millis,
    /// Measured present time (see `room/attendance.rs`).
    pub present_ms: u64,
    /// Minutes the facilitator set instead of the measured ones.
    pub minutes_set: Option<u32>,
    pub confirmed_at: Option<Millis>,
    /// Registration number with a professional register; on this member's certificate only.
    pub registration: Option<String>,
    /// The certificate's verification code (canonical: 16 characters, no dashes).
    pub certificate: String,
    /// SHA-256 (hex) of the member's resume token: they fetch their certificate with it.
    pub token_hash: Option<String>,
}

/// One journal entry: an event in its full (journal) form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: Seq,
    pub at: Millis,
    /// Content-free event name, e.g. `item_added`: the engine's own name when written, the
    /// stored text when read back (no interning: loading never grows a global table).
    pub kind: Cow<'static, str>,
    pub json: String,
}

/// A client message id that produced events, with the ack to send again on a retry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMsgId {
    pub member: MemberId,
    pub msg_id: String,
    pub ack_json: String,
}

/// The serialised engine state after event `seq`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub seq: Seq,
    pub json: String,
}

/// Everything one room commits at once.
#[derive(Clone, Debug)]
pub struct AppendBatch {
    pub room: RoomCode,
    /// Whose write this is. A shared store refuses the batch with [`StoreError::Fenced`]
    /// unless this is the room's current lease. A batch without events is a valid write that
    /// only confirms the lease (and writes what else it carries).
    pub lease: Lease,
    pub events: Vec<StoredEvent>,
    pub msg_ids: Vec<StoredMsgId>,
    pub snapshot: Option<Snapshot>,
    /// Set when the batch ends the session: starts the retention clock.
    pub ended_at: Option<Millis>,
    /// Attendance rows that changed (replace the stored ones).
    pub attendance: Vec<AttendanceRecord>,
    /// What the group keeps for its next meeting (`ReportBack` as JSON); only with `ended_at`,
    /// only for a room that belongs to a group.
    pub carry_json: Option<String>,
    /// The meeting's attendance record as it stands now (replaces the stored one whole).
    pub record: Option<Box<MeetingRecord>>,
}

impl AppendBatch {
    /// A batch of `lease`'s write to `room` with nothing in it yet: a valid write that only
    /// confirms the lease. Fill in the rest with struct update syntax.
    pub fn new(room: RoomCode, lease: Lease) -> AppendBatch {
        AppendBatch {
            room,
            lease,
            events: Vec::new(),
            msg_ids: Vec::new(),
            snapshot: None,
            ended_at: None,
            attendance: Vec::new(),
            carry_json: None,
            record: None,
        }
    }
}

/// A room as read back at start-up or on first use.
#[derive(Clone, Debug)]
pub struct LoadedRoom {
    pub code: RoomCode,
    pub params_json: String,
    pub epoch: Epoch,
    pub created_at: Millis,
    pub ended_at: Option<Millis>,
    /// The latest snapshot, if any.
    pub snapshot: Option<Snapshot>,
    /// The whole journal in order. A snapshot only saves replay time; the journal stays the
    /// source of truth, so a snapshot the current engine cannot read is simply ignored.
    pub events: Vec<StoredEvent>,
    pub msg_ids: Vec<StoredMsgId>,
    pub group_id: Option<String>,
    pub attendance: Vec<AttendanceRecord>,
}

/// Where rooms live. `Send + Sync` so one instance serves every room task.
pub trait Store: Send + Sync + 'static {
    fn create_room(&self, room: NewRoom) -> StoreFuture<'_, ()>;

    /// Makes the batch durable; returns only when it is (ack after commit).
    fn append(&self, batch: AppendBatch) -> StoreFuture<'_, ()>;

    /// `None` when no such room exists (never created, or purged).
    fn load_room<'a>(&'a self, code: &'a RoomCode) -> StoreFuture<'a, Option<LoadedRoom>>;

    /// Codes of rooms whose content still exists (running, or ended but not yet purged).
    fn room_codes(&self) -> StoreFuture<'_, Vec<RoomCode>>;

    /// Deletes every trace of the rooms that ended (or idled) before `ended_before`, so their
    /// text is unrecoverable from the database files. Returns the purged codes.
    fn purge_ended(
        &self,
        ended_before: Millis,
        idle_before: Millis,
    ) -> StoreFuture<'_, Vec<RoomCode>>;

    /// The group whose token hashes to `token_hash`.
    fn group_by_token<'a>(&'a self, token_hash: &'a str) -> StoreFuture<'a, Option<StoredGroup>>;

    /// Deletes groups (and what they carry) with no meeting since `before`, and carry-overs
    /// that a newer meeting of the same group replaced. Returns the number of groups deleted.
    fn purge_groups(&self, before: Millis) -> StoreFuture<'_, usize>;

    /// The attendance record of the meeting held in room `room`; it outlives the room.
    fn record<'a>(&'a self, room: &'a RoomCode) -> StoreFuture<'a, Option<MeetingRecord>>;

    /// The record with a member whose certificate has this (canonical) verification code.
    fn record_by_certificate<'a>(&'a self, code: &'a str)
    -> StoreFuture<'a, Option<MeetingRecord>>;

    /// Deletes attendance records of meetings that ended (or, never ended, started) before
    /// `before`. Returns the number deleted.
    fn purge_records(&self, before: Millis) -> StoreFuture<'_, usize>;

    /// `Ok` when the store can take writes now.
    fn check_writable(&self) -> StoreFuture<'_, ()>;

    /// Flushes pending writes and releases files; later calls fail with `Closed`.
    fn close(&self) -> StoreFuture<'_, ()>;
}

/// A room code read back from the database. One that does not parse (a row written by hand,
/// or a damaged file) is a store error rather than a panic; the message does not repeat it.
pub(crate) fn stored_code(code: &str) -> Result<RoomCode, StoreError> {
    RoomCode::parse(code)
        .map_err(|_| StoreError::Backend("a stored room code is malformed".to_owned()))
}

/// A language as stored in a record's row (its wire name, e.g. `nl`).
pub(crate) fn language_str(language: Language) -> String {
    match serde_json::to_value(language) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "nl".to_owned(),
    }
}

/// A stored language name; one this build does not know reads as the default.
pub(crate) fn language_from(name: String) -> Language {
    serde_json::from_value(serde_json::Value::String(name)).unwrap_or_default()
}

/// A stored role name; one this build does not know reads as a participant.
pub(crate) fn role_from(role: &str) -> Role {
    Role::ALL
        .into_iter()
        .find(|r| r.as_str() == role)
        .unwrap_or(Role::Participant)
}
