//! The kring wire protocol: every type that is serialised lives here.
//!
//! A browser talks to a room over one WebSocket at `/ws/{code}`. Every frame is a JSON text
//! message whose `type` field names the message. Unknown fields and unknown types are rejected.
//!
//! ```text
//! client                                   server
//!   hello {protocol, join}         ->
//!                                  <-      welcome {member, resume_token, epoch, seq, view | replay}
//!                                  <-      event {seq, at, event}            (0..n, replayed)
//!   command {id, phase, command}   ->
//!                                  <-      event {seq, at, event}            (to every member)
//!                                  <-      ack {id, seq, item}               (to the sender)
//!                                  <-      error {id, code, category, ...}   (instead of ack)
//!   ping {t}                       ->
//!                                  <-      pong {t, server_time}
//!                                  <-      presence {member, online}         (not sequenced)
//! ```
//!
//! * The first client message must be [`ClientMsg::Hello`] with [`PROTOCOL_VERSION`].
//! * Every [`ServerMsg::Event`] carries a per-room sequence number (`seq`, gap-free, the first
//!   is 1) and belongs to the room's `epoch`. A client that reconnects sends its resume token,
//!   the epoch and the last `seq` it saw; it gets exactly the missed events, or a full view
//!   when they cannot be replayed (other epoch, or too old).
//! * Presence is not sequenced: `welcome.online` is the state after the replayed events, so a
//!   resuming client applies it after them; later changes come as `presence` messages.
//! * Every command carries a client message id; a retried id is applied once and acknowledged
//!   again with the original result. An `ack` is sent only after the command's events are
//!   durable, and after those events were sent to every member.
//! * A command may carry the phase stamp (`phase`, the `seq` of the phase the client saw when
//!   the user acted). A stamped command for a phase that has closed is rejected with
//!   [`ErrorCode::PhaseClosed`], so input buffered offline never lands in the wrong phase.
//! * Errors carry a machine-readable [`ErrorCode`] and a [`Category`] that tells the client
//!   whether to fix the input, retry, reconnect, ask for confirmation or give up. The table is in
//!   [`error`].
//! * A warning on a submitted text (category `confirm`: advice in the question round or before
//!   the advice round, a "question" that asks nothing) adds nothing, but the room records a
//!   content-free [`Event::WarningShown`] first, for the facilitator's tally in `me.warnings`;
//!   the text sent again with `confirm` is recorded with [`Event::WarningOverridden`].
//!
//! * A meeting holds one or more **case rounds** (`view.cases`; `view.case_round` runs): each has
//!   its method, case-bringer, chosen case and key question, reactions and process evaluation.
//!   `view.method`, `phase.index` and `Item.phase` belong to the running round's method; every
//!   item carries its `case_round`. `case_round_started` (from `start_case`, or Troika's
//!   `next_phase` after its last phase) is followed by that round's first `phase_changed`.
//! * **Private to one member.** Every event is serialised once, in its public form
//!   ([`Event::to_public`]), for everyone; what only one member may know is withheld there:
//!   a vote's author, an unrevealed note's text, a hidden item's text, the case-bringer's
//!   `item_reacted` while their reactions are not shared, `note_taken` (their notepad), and a
//!   `process_rated`'s author, scores and remark (only the count). The member learns their own
//!   part from the `ack` of their command (its item id, with the command they sent) and from
//!   their full view (`me.*`, `reactions`). The process evaluation's sums are in no view; the
//!   facilitator and co-facilitators read them with `GET /api/sessions/{code}/process`.
//! * The journal keeps each event in the shape it was written in; [`journal::read_event`]
//!   reads the shapes earlier versions wrote, so a session that was live across an upgrade
//!   loses nothing.
//!
//! The TypeScript declarations the browser client type-checks against are generated from these
//! types by [`typescript::declarations`]; a test fails when the checked-in file is stale.

pub mod api;
pub mod client_values;
pub mod command;
pub mod error;
pub mod event;
pub mod ids;
pub mod journal;
pub mod limits;
pub mod message;
pub mod method;
pub mod typescript;
pub mod values;
pub mod view;

pub use api::*;
pub use command::*;
pub use error::*;
pub use event::*;
pub use ids::*;
pub use message::*;
pub use method::*;
pub use values::*;
pub use view::*;

/// Version of this protocol. A client with another version is refused with
/// [`ErrorCode::UnsupportedVersion`] and should reload the app.
///
/// 2: case rounds (`view.cases`), private reactions as `{temperature, useful}` on any item
/// addressed to the case-bringer, triage without a temperature. A page loaded before the
/// upgrade would send commands the server no longer reads, so it is told to reload.
pub const PROTOCOL_VERSION: u32 = 2;

/// Largest WebSocket message the server accepts from a client, in bytes.
pub const MAX_CLIENT_MESSAGE_BYTES: usize = 16 * 1024;

/// Largest WebSocket message the server sends, in bytes: the largest `welcome` (a full view of
/// the biggest room the engine lets a session become) fits, and every other message is far
/// smaller. The server's socket write buffer (1 MiB) holds one such message with room to spare,
/// so whatever the participants did, every view can be delivered.
pub const MAX_SERVER_MESSAGE_BYTES: usize = 960 * 1024;

/// Longest command id, in bytes. Ids are kept per member for deduplication, so they are short.
pub const MAX_COMMAND_ID_LEN: usize = 64;
