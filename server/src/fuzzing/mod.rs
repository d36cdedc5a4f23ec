//! The body of the `client_message` fuzz target (`fuzz/`), and of the stable test that runs
//! it over the seed corpus and random inputs with plain `cargo test`. It exists for those two
//! only; the server never calls it.
//!
//! An input is one client frame. It is decoded the way a socket decodes it; a command is then
//! decided, as every kind of member, against sessions of several methods in every phase, and
//! what is accepted is applied. A panic or a broken invariant is a finding:
//!
//! * a refused frame gets a frame error code, a refused command or join an engine one;
//! * a decoded message encodes to the same message again;
//! * an accepted command records events, and each survives the journal's JSON and the wire;
//! * a session restored from a snapshot and these events equals the one that applied them;
//! * nobody is twice in the speaker queue or a round, nobody removed holds a turn, and no
//!   view shows an unrevealed note's text, a hidden item's text or an anonymous author.

mod checks;
mod fixtures;
mod seeds;

use kring_engine::JoinAs;
use kring_protocol::{ClientMsg, Join};

pub use seeds::seed_messages;

/// Runs one fuzz input; panics on a finding.
pub fn client_frame(data: &[u8]) {
    // Text frames are UTF-8: the WebSocket layer refuses anything else before decoding.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let msg = match crate::conn::decode(text) {
        Ok(msg) => msg,
        Err(error) => return checks::frame_refusal(&error),
    };
    checks::round_trip(&msg);
    let join = match msg {
        ClientMsg::Command(envelope) => {
            for fixture in fixtures::all() {
                fixture.check_command(&envelope);
            }
            return;
        }
        ClientMsg::Hello {
            join: Join::Member { name },
            ..
        } => JoinAs::Member { name },
        ClientMsg::Hello {
            join: Join::Facilitator { name, .. },
            ..
        } => JoinAs::Facilitator { name },
        // Tokens are the room's business, not the engine's; pings and leaving change nothing.
        _ => return,
    };
    for fixture in fixtures::all() {
        fixture.check_join(&join);
    }
}
