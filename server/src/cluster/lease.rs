//! This node's lease on itself, as the node sees it, and the task that renews it.
//!
//! Other nodes may claim this node's rooms once its lease has run out in the store's clock:
//! `ttl` after the store executed the last renewal. The node counts from the moment it *sent*
//! that renewal (earlier than the store's execution) and gives itself only [`SAFE_SHARE`] of
//! the ttl, so it stops serving before its lease could have run out elsewhere: rooms check
//! [`NodeLease::view`] before every batch and, while it is not valid, confirm their ownership
//! with a fenced write before they show anyone anything (self-fencing).
//!
//! A node that was paused (SIGSTOP, a long GC-like stall, a frozen VM) cannot fence itself
//! while paused. When it runs again its lease view has expired, so every room confirms first;
//! a room another node claimed in the meantime has a higher term, the confirming write is
//! refused ([`crate::store::StoreError::Fenced`]), and the room closes its sockets. If the
//! store says the lease ran out before a renewal, the renewal starts a new *generation*:
//! every room confirms once more, even after the lease is valid again.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::Placement;
use crate::metrics::Metrics;

/// The share of the ttl this node trusts its own lease for, counted from sending the renewal.
/// The rest covers the time the renewal spends in flight and the scheduler's lateness.
pub const SAFE_SHARE: f64 = 0.7;
/// Renewals per ttl: a lease survives two failed renewals in a row.
const RENEWALS_PER_TTL: u32 = 4;

/// What a room needs to know about the node's lease.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaseView {
    /// Changes when the lease was lost and taken again: rooms confirmed in an earlier
    /// generation must confirm again.
    pub generation: u64,
    /// Whether this node may serve its rooms now without confirming.
    pub valid: bool,
}

pub struct NodeLease {
    /// Times are kept as milliseconds after this (an hour before the lease was made, so that
    /// a renewal sent just before still counts from when it was sent).
    origin: Instant,
    /// Milliseconds after `origin` until which the lease is valid; `u64::MAX` forever (local).
    valid_until_ms: AtomicU64,
    generation: AtomicU64,
    /// Bumped whenever a lease becomes invalid or a new generation starts; rooms that sit
    /// idle wake on it to confirm.
    changes: watch::Sender<u64>,
}

impl NodeLease {
    /// The embedded single node's: valid forever.
    pub fn local() -> Arc<NodeLease> {
        Arc::new(NodeLease {
            origin: origin(),
            valid_until_ms: AtomicU64::new(u64::MAX),
            generation: AtomicU64::new(1),
            changes: watch::Sender::new(0),
        })
    }

    /// A shared store's: not valid until the first renewal.
    pub fn new() -> Arc<NodeLease> {
        Arc::new(NodeLease {
            origin: origin(),
            valid_until_ms: AtomicU64::new(0),
            generation: AtomicU64::new(1),
            changes: watch::Sender::new(0),
        })
    }

    pub fn view(&self) -> LeaseView {
        LeaseView {
            generation: self.generation.load(Ordering::Acquire),
            valid: self.ms(Instant::now()) < self.valid_until_ms.load(Ordering::Acquire),
        }
    }

    pub fn watch(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn ms(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.origin).as_millis() as u64
    }

    /// A renewal sent at `sent` succeeded. `continuous`: the store's lease had not run out
    /// before it (no other node can have claimed a room meanwhile). Returns whether a new
    /// generation started.
    pub fn renewed(&self, sent: Instant, ttl: Duration, continuous: bool) -> bool {
        let until = self.ms(sent) + ttl.mul_f64(SAFE_SHARE).as_millis() as u64;
        let fresh = !continuous;
        if fresh {
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
        self.valid_until_ms.fetch_max(until, Ordering::AcqRel);
        if fresh {
            self.changes.send_modify(|n| *n += 1);
        }
        fresh
    }

    /// Tells idle rooms that the lease is no longer valid (they confirm or stop).
    fn lapsed(&self) {
        self.changes.send_modify(|n| *n += 1);
    }

    /// How long the lease stays valid from now (zero when it is not).
    pub fn remaining(&self) -> Duration {
        let until = self.valid_until_ms.load(Ordering::Acquire);
        Duration::from_millis(until.saturating_sub(self.ms(Instant::now())))
    }
}

fn origin() -> Instant {
    let now = Instant::now();
    now.checked_sub(Duration::from_secs(3600)).unwrap_or(now)
}

/// Renews the lease every ttl/4 until `stop`. A renewal that fails or takes longer than that
/// is counted and retried at the next tick; when the lease runs out meanwhile, rooms are told.
pub async fn keep(
    lease: Arc<NodeLease>,
    placement: Arc<dyn Placement>,
    metrics: Arc<Metrics>,
    stop: CancellationToken,
) {
    let ttl = placement.ttl();
    let every = ttl / RENEWALS_PER_TTL;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut told_lapse = false;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        if !lease.view().valid && !told_lapse {
            told_lapse = true;
            metrics.lease_lapses.inc();
            tracing::warn!("node lease ran out; rooms confirm their ownership before serving");
            lease.lapsed();
        }
        let sent = Instant::now();
        match tokio::time::timeout(every, placement.heartbeat()).await {
            Ok(Ok(continuous)) => {
                if lease.renewed(sent, ttl, continuous) {
                    tracing::warn!("node lease taken again after it ran out; rooms confirm");
                }
                told_lapse = false;
            }
            Ok(Err(e)) => {
                metrics.lease_renewal_failures.inc();
                tracing::warn!(error = %e, "node lease renewal failed");
            }
            Err(_) => {
                metrics.lease_renewal_failures.inc();
                tracing::warn!("node lease renewal timed out");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_is_valid_for_its_safe_share_from_sending() {
        let lease = NodeLease::new();
        assert!(!lease.view().valid, "not valid before the first renewal");
        let sent = Instant::now();
        assert!(!lease.renewed(sent, Duration::from_secs(10), true));
        assert!(lease.view().valid);
        let left = lease.remaining();
        assert!(
            left <= Duration::from_secs(7) && left > Duration::from_secs(6),
            "{left:?}"
        );
        // A renewal sent long ago (the node was paused) is already over.
        let lease = NodeLease::new();
        lease.renewed(
            Instant::now() - Duration::from_secs(8),
            Duration::from_secs(10),
            true,
        );
        assert!(!lease.view().valid);
    }

    #[test]
    fn a_renewal_after_the_store_let_the_lease_run_out_starts_a_generation() {
        let lease = NodeLease::new();
        let changes = lease.watch();
        lease.renewed(Instant::now(), Duration::from_secs(10), true);
        let first = lease.view().generation;
        assert!(!changes.has_changed().unwrap_or(true));
        assert!(lease.renewed(Instant::now(), Duration::from_secs(10), false));
        assert_eq!(lease.view().generation, first + 1);
        assert!(changes.has_changed().unwrap_or(false), "rooms are told");
        assert!(NodeLease::local().view().valid);
    }
}
