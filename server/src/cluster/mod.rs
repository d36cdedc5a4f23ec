//! Several nodes sharing one Postgres store: which node serves which room.
//!
//! Rooms are small and independent, so they shard by code: at any time one node owns a room
//! and runs its task (the durable-object model). Ownership is a row per room in the store
//! (owner node, term); nodes renew a lease on themselves ([`lease`]); a room whose owner's
//! lease ran out is claimed by another node with the term raised by one. Every append is
//! conditional on the writer's lease, so a node that lost a room (paused, partitioned, slow)
//! can never write to it again: Postgres's transactions decide, there is no consensus of our
//! own. A node that gets a connection for a room another live node owns forwards it there
//! ([`forward`]).
//!
//! The embedded default (SQLite or memory) runs with [`LocalPlacement`]: one node, every room
//! its own, nothing to renew.

pub mod forward;
pub mod lease;
mod placement;

pub use lease::NodeLease;
pub use placement::{Claim, LocalPlacement, Owner, Placement};
