//! The placement trait: claim, release, renew, look up.

use std::sync::Arc;
use std::time::Duration;

use kring_protocol::RoomCode;

use crate::store::{Lease, StoreFuture};

/// The outcome of trying to take a room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This node owns the room now, under this lease (its term is above every earlier one).
    Mine(Lease),
    /// Another node holds the room and its lease has not run out.
    Owned(Owner),
    /// No room has this code (never created, or purged).
    NoRoom,
}

/// The node that owns a room, as the store sees it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub node: Arc<str>,
    /// Where the owner takes forwarded connections (`http://host:port`).
    pub url: Option<String>,
    /// How long the owner's lease runs unless it renews it; zero when it has run out (the
    /// room can be claimed).
    pub expires_in: Duration,
}

impl Owner {
    pub fn live(&self) -> bool {
        !self.expires_in.is_zero()
    }
}

/// Where rooms are served. Implemented by the Postgres store for several nodes and by
/// [`LocalPlacement`] for the embedded single-node default.
pub trait Placement: Send + Sync + 'static {
    /// This node's id (unique per process start).
    fn node(&self) -> &Arc<str>;

    /// Whether other nodes share the store (rooms are claimed, leases renewed, connections
    /// forwarded).
    fn shared(&self) -> bool;

    /// How long this node's lease lasts after a renewal (`--owner-ttl`).
    fn ttl(&self) -> Duration;

    /// Takes the room for this node if nobody holds it, this node holds it already, or its
    /// owner's lease has run out; the new lease's term is one above the last. Otherwise says
    /// who holds it.
    fn claim<'a>(&'a self, room: &'a RoomCode) -> StoreFuture<'a, Claim>;

    /// Gives the room up, after its last commit, so that another node may claim it at once.
    /// Does nothing if `lease` is no longer the room's.
    fn release<'a>(&'a self, room: &'a RoomCode, lease: &'a Lease) -> StoreFuture<'a, ()>;

    /// Renews this node's lease for [`Placement::ttl`] from now (the store's clock). `true`
    /// when the lease had not run out before (no other node can have claimed a room of this
    /// node meanwhile).
    fn heartbeat(&self) -> StoreFuture<'_, bool>;

    /// The room's owner, or `None` when nobody owns it (or there is no such room).
    fn owner<'a>(&'a self, room: &'a RoomCode) -> StoreFuture<'a, Option<Owner>>;

    /// The secret that proves a forwarded connection comes from another node.
    fn cluster_key(&self) -> Option<&str>;
}

/// One node that owns every room: the embedded default. Claims always succeed with the
/// default lease, which the embedded stores do not check.
pub struct LocalPlacement {
    node: Arc<str>,
}

impl LocalPlacement {
    pub fn new() -> Self {
        LocalPlacement {
            node: Lease::default().node,
        }
    }
}

impl Default for LocalPlacement {
    fn default() -> Self {
        Self::new()
    }
}

impl Placement for LocalPlacement {
    fn node(&self) -> &Arc<str> {
        &self.node
    }

    fn shared(&self) -> bool {
        false
    }

    fn ttl(&self) -> Duration {
        Duration::MAX
    }

    fn claim<'a>(&'a self, _room: &'a RoomCode) -> StoreFuture<'a, Claim> {
        Box::pin(async { Ok(Claim::Mine(Lease::default())) })
    }

    fn release<'a>(&'a self, _room: &'a RoomCode, _lease: &'a Lease) -> StoreFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }

    fn heartbeat(&self) -> StoreFuture<'_, bool> {
        Box::pin(async { Ok(true) })
    }

    fn owner<'a>(&'a self, _room: &'a RoomCode) -> StoreFuture<'a, Option<Owner>> {
        Box::pin(async { Ok(None) })
    }

    fn cluster_key(&self) -> Option<&str> {
        None
    }
}
