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
//! The TypeScript declarations the browser client type-checks against are generated from these
//! types by [`typescript::declarations`]; a test fails when the checked-in file is stale.

pub mod api;
pub mod client_values;
pub mod command;
pub mod error;
pub mod event;
pub mod ids;
pub mod limits;
pub mod message;
pub mod method;
pub mod typescript;
pub mod view;

pub use api::*;
pub use command::*;
pub use error::*;
pub use event::*;
pub use ids::*;
pub use message::*;
pub use method::*;
pub use view::*;

/// Version of this protocol. A client with another version is refused with
/// [`ErrorCode::UnsupportedVersion`] and should reload the app.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest WebSocket message the server accepts from a client, in bytes.
pub const MAX_CLIENT_MESSAGE_BYTES: usize = 16 * 1024;

/// Largest WebSocket message the server sends, in bytes: the largest `welcome` (a full view of
/// the biggest room the engine lets a session become) fits, and every other message is far
/// smaller. The server's socket write buffer (1 MiB) holds one such message with room to spare,
/// so whatever the participants did, every view can be delivered.
pub const MAX_SERVER_MESSAGE_BYTES: usize = 960 * 1024;

/// Longest command id, in bytes. Ids are kept per member for deduplication, so they are short.
pub const MAX_COMMAND_ID_LEN: usize = 64;
