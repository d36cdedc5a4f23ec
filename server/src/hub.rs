//! The registry of live rooms: room code -> handle of the task that owns the room.
//!
//! With a shared store a room is loaded only after this node has claimed it (`claim`): the
//! first node that gets a connection for a room takes it, and a room whose owner stopped
//! renewing its lease is taken over once that lease has run out.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use dashmap::DashMap;
use kring_engine::{Session, SessionParams};
use kring_protocol::{Millis, RoomCode};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::cluster::{Claim, NodeLease, Owner, Placement};
use crate::config::Config;
use crate::limits::{Attempt, GuessLimiter, WindowLimiter};
use crate::metrics::Metrics;
use crate::room::query::{Asked, Question, Reply};
use crate::room::{RestoreError, Room, RoomDeps, RoomHandle, RoomMsg, restore};
use crate::secrets::new_epoch;
use crate::store::{GroupLink, NewRoom, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub(crate) enum HubError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Restore(#[from] RestoreError),
    #[error("the server is shutting down")]
    ShuttingDown,
    /// Another node serves the room (and its lease did not run out while we waited).
    #[error("another node serves this room")]
    Moved(Owner),
}

/// A claim on a room owned by another node waits at most this long beyond the owner's ttl
/// for its lease to run out (a node that was just killed), then gives up.
const CLAIM_SLACK: Duration = Duration::from_secs(1);
/// How often a claim that waits for an unreachable owner asks again.
const CLAIM_POLL: Duration = Duration::from_millis(500);

pub(crate) struct Hub {
    registry: Arc<DashMap<RoomCode, RoomHandle>>,
    /// One lock per code being loaded, so concurrent first lookups load a room once.
    loading: DashMap<RoomCode, Arc<tokio::sync::Mutex<()>>>,
    deps: Arc<RoomDeps>,
    tracker: TaskTracker,
    /// Connections forwarded to other nodes: told to reconnect at shutdown, like rooms.
    forwards: TaskTracker,
    stopping: CancellationToken,
    closing: AtomicBool,
    guesses: Arc<GuessLimiter>,
    creations: WindowLimiter,
    connects: WindowLimiter,
    /// Bytes queued and unwritten per address, shared by its connections' outboxes.
    queued: DashMap<crate::limits::Key, crate::room::AddressBytes>,
    /// Sessions each address created that may still be live: (code, created at).
    live: DashMap<crate::limits::Key, Vec<(RoomCode, Millis)>>,
}

impl Hub {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        placement: Arc<dyn Placement>,
        lease: Arc<NodeLease>,
        metrics: Arc<Metrics>,
        cfg: Arc<Config>,
    ) -> Arc<Hub> {
        let registry = Arc::new(DashMap::new());
        let guesses = Arc::new(GuessLimiter::new(cfg.join_attempts));
        let connects = WindowLimiter::new(cfg.connect_limit);
        let creations = WindowLimiter::new(cfg.create_limit);
        Arc::new(Hub {
            registry: registry.clone(),
            loading: DashMap::new(),
            deps: Arc::new(RoomDeps {
                store,
                placement,
                lease,
                metrics,
                cfg,
                registry,
            }),
            tracker: TaskTracker::new(),
            forwards: TaskTracker::new(),
            stopping: CancellationToken::new(),
            closing: AtomicBool::new(false),
            guesses,
            creations,
            connects,
            live: DashMap::new(),
            queued: DashMap::new(),
        })
    }

    /// Reserves a join by code alone (a new member) from `ip`: `Err(retry_after)` while the
    /// address is blocked for failing too often. Joins and reads with a token never ask.
    pub(crate) async fn reserve_join(&self, ip: IpAddr) -> Result<Attempt, Duration> {
        self.guesses.reserve(ip).await.inspect_err(|_| {
            self.deps.metrics.joins_blocked.inc();
        })
    }

    /// Counts a WebSocket connection opened by `ip`; `Err(retry_after)` beyond its share.
    pub(crate) fn may_connect(&self, ip: IpAddr) -> Result<(), Duration> {
        self.connects.hit(ip)
    }

    /// Counts a session creation by `ip`; `Err(retry_after)` when it has created its share.
    pub(crate) fn may_create(&self, ip: IpAddr) -> Result<(), Duration> {
        self.creations.hit(ip)
    }

    /// `Err(retry_after)` when `ip` has `--max-live-sessions-per-ip` sessions that may still be
    /// live (created within `--max-session-age` and not purged).
    pub(crate) fn may_hold_another(&self, ip: IpAddr, now: Millis) -> Result<(), Duration> {
        let cfg = &self.deps.cfg;
        let age = cfg.max_session_age.as_millis() as Millis;
        let key = crate::limits::client_key(ip);
        let Some(mut rooms) = self.live.get_mut(&key) else {
            return Ok(());
        };
        rooms.retain(|(_, at)| at + age > now);
        if rooms.len() < cfg.max_live_sessions_per_ip {
            return Ok(());
        }
        let oldest = rooms.iter().map(|(_, at)| *at).min().unwrap_or(now);
        Err(Duration::from_millis(
            (oldest + age).saturating_sub(now).max(1000),
        ))
    }

    /// Counts a session `ip` created, for [`Hub::may_hold_another`].
    pub(crate) fn created_by(&self, ip: IpAddr, code: &RoomCode, now: Millis) {
        self.live
            .entry(crate::limits::client_key(ip))
            .or_default()
            .push((code.clone(), now));
    }

    /// The queued-bytes counter of `ip`'s address, shared by its connections.
    pub(crate) fn queued_bytes(&self, ip: IpAddr) -> crate::room::AddressBytes {
        self.queued
            .entry(crate::limits::client_key(ip))
            .or_default()
            .clone()
    }

    /// A connection of `ip` ended: forget the address's counter once nobody holds it.
    pub(crate) fn release_queued_bytes(&self, ip: IpAddr) {
        self.queued
            .remove_if(&crate::limits::client_key(ip), |_, bytes| {
                std::sync::Arc::strong_count(bytes) == 1
            });
    }

    /// Free bytes on the data directory's file system, if it can be read.
    pub(crate) fn disk_free(&self) -> Option<u64> {
        let stat = rustix::fs::statvfs(&self.deps.cfg.data_dir).ok()?;
        Some(stat.f_bavail.saturating_mul(stat.f_frsize))
    }

    /// Whether the data directory has less free space than `--min-free-disk`.
    pub(crate) fn disk_low(&self) -> bool {
        self.disk_free()
            .is_some_and(|free| free < self.deps.cfg.min_free_disk)
    }

    /// Records a join (or token-checked read) for room `code` (as typed) refused as an unknown
    /// room or token; `attempt` is the reservation of a join by code.
    pub(crate) fn join_failed(&self, ip: IpAddr, code: &str, attempt: Option<Attempt>) {
        self.deps.metrics.failed_joins.inc();
        let blocked = match attempt {
            Some(attempt) => attempt.failed(code),
            None => self.guesses.failed(ip, code),
        };
        if blocked.is_some() {
            tracing::warn!(client = %crate::limits::client_key(ip), "joins by code blocked after repeated failures");
        }
    }

    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.deps.store
    }

    pub(crate) fn metrics(&self) -> &Arc<Metrics> {
        &self.deps.metrics
    }

    pub(crate) fn config(&self) -> &Arc<Config> {
        &self.deps.cfg
    }

    pub(crate) fn placement(&self) -> &Arc<dyn Placement> {
        &self.deps.placement
    }

    pub(crate) fn lease(&self) -> &Arc<NodeLease> {
        &self.deps.lease
    }

    /// Cancelled when the server stops: a forwarded connection then tells its client to
    /// reconnect (1012), as the rooms do.
    pub(crate) fn stopping(&self) -> CancellationToken {
        self.stopping.clone()
    }

    /// A forwarded connection, which shutdown waits for.
    pub(crate) fn track_forward<F: std::future::Future>(
        &self,
        forward: F,
    ) -> tokio_util::task::task_tracker::TrackedFuture<F> {
        self.forwards.track_future(forward)
    }

    /// Whether this node runs the room now.
    pub(crate) fn serves(&self, code: &RoomCode) -> bool {
        self.registry.contains_key(code)
    }

    /// Stores a new room and starts its task.
    pub(crate) async fn create(
        &self,
        params: SessionParams,
        group: Option<GroupLink>,
    ) -> Result<(), HubError> {
        if self.closing.load(Ordering::Relaxed) {
            return Err(HubError::ShuttingDown);
        }
        let code = params.code.clone();
        let epoch = new_epoch();
        self.deps
            .store
            .create_room(NewRoom {
                code: code.clone(),
                params_json: serde_json::to_string(&params).expect("params serialise"),
                epoch,
                created_at: params.created_at,
                group: group.clone(),
            })
            .await?;
        if self.deps.placement.shared() {
            // Nobody owns it yet: the node its first connection reaches claims it, which is
            // the node the load balancer hashes its code to.
            return Ok(());
        }
        let mut room = Room::new(code.clone(), epoch, Session::new(params), self.deps.clone());
        room.group_id = group.map(|g| g.id);
        self.registry.insert(code, room.spawn(&self.tracker));
        Ok(())
    }

    /// The live room with this (canonical) code, loading it from the store if needed.
    /// `unreachable`: a node this connection could not be forwarded to; if that node still
    /// owns the room, the claim waits for its lease to run out (it may have died) instead of
    /// sending the client to it.
    pub(crate) async fn room(
        &self,
        code: &RoomCode,
        unreachable: Option<&str>,
    ) -> Result<Option<RoomHandle>, HubError> {
        if self.closing.load(Ordering::Relaxed) {
            return Err(HubError::ShuttingDown);
        }
        if let Some(handle) = self.registry.get(code) {
            return Ok(Some(handle.clone()));
        }
        let lock = self.loading.entry(code.clone()).or_default().clone();
        let _loading = lock.lock().await;
        if let Some(handle) = self.registry.get(code) {
            return Ok(Some(handle.clone()));
        }
        let result = self.load(code, unreachable).await;
        self.loading.remove(code);
        result
    }

    async fn load(
        &self,
        code: &RoomCode,
        unreachable: Option<&str>,
    ) -> Result<Option<RoomHandle>, HubError> {
        // Read before the claim: the claim confirms ownership in this generation of the
        // node's lease.
        let generation = self.deps.lease.view().generation;
        let Some(lease) = self.claim(code, unreachable).await? else {
            return Ok(None);
        };
        let loaded = match self.deps.store.load_room(code).await {
            Ok(Some(loaded)) => loaded,
            Ok(None) => return Ok(None),
            Err(e) => {
                self.unclaim(code, &lease).await;
                return Err(e.into());
            }
        };
        let room = match restore(loaded, self.deps.clone()) {
            Ok(room) => room.with_lease(lease, generation),
            Err(e) => {
                self.unclaim(code, &lease).await;
                return Err(e.into());
            }
        };
        let handle = room.spawn(&self.tracker);
        self.registry.insert(code.clone(), handle.clone());
        Ok(Some(handle))
    }

    /// Takes the room for this node. A room held by another node is [`HubError::Moved`] (the
    /// client reconnects and is forwarded there), unless that node is `unreachable`: then the
    /// claim waits for its lease to run out (a node just killed or frozen), up to its ttl.
    async fn claim(
        &self,
        code: &RoomCode,
        unreachable: Option<&str>,
    ) -> Result<Option<crate::store::Lease>, HubError> {
        let placement = &self.deps.placement;
        let deadline = tokio::time::Instant::now()
            + placement.ttl().min(Duration::from_secs(60))
            + CLAIM_SLACK;
        loop {
            match placement.claim(code).await? {
                Claim::Mine(lease) => {
                    if placement.shared() {
                        self.deps.metrics.room_claims.inc();
                        tracing::info!(room = %crate::redact::RoomTag(code), term = lease.term, "room claimed");
                    }
                    return Ok(Some(lease));
                }
                Claim::NoRoom => return Ok(None),
                Claim::Owned(owner) => {
                    let retry_at =
                        tokio::time::Instant::now() + owner.expires_in + Duration::from_millis(50);
                    // An owner that appeared after this connection was routed (it claimed the
                    // room a moment ago) is alive: forward to it rather than wait for it.
                    let dead = unreachable == Some(&*owner.node);
                    if !dead || retry_at > deadline || self.closing.load(Ordering::Relaxed) {
                        return Err(HubError::Moved(owner));
                    }
                    // Asked again soon rather than at the lease's end: a node that is
                    // stopping releases its rooms any moment, and another node may take
                    // the room first (then this client is sent there).
                    let poll = tokio::time::Instant::now() + CLAIM_POLL;
                    tokio::time::sleep_until(retry_at.min(poll)).await;
                }
            }
        }
    }

    async fn unclaim(&self, code: &RoomCode, lease: &crate::store::Lease) {
        if let Err(e) = self.deps.placement.release(code, lease).await {
            tracing::warn!(room = %crate::redact::RoomTag(code), error = %e, "claimed room not released");
        }
    }

    /// Answers a read of a room's state. The room answers if it runs here; with a shared
    /// store a room that runs elsewhere (or nowhere) is read from the store without being
    /// claimed: its durable state is all any owner has shown. `None`: no such room.
    pub(crate) async fn query<Q: Question>(
        &self,
        code: &RoomCode,
        question: Q,
    ) -> Result<Option<Reply<Q::Answer>>, HubError> {
        let live = match self.registry.get(code) {
            Some(handle) => Some(handle.clone()),
            None if self.deps.placement.shared() => {
                let Some(loaded) = self.deps.store.load_room(code).await? else {
                    return Ok(None);
                };
                return Ok(Some(question.answer(&restore(loaded, self.deps.clone())?)));
            }
            None => self.room(code, None).await?,
        };
        let Some(room) = live else {
            return Ok(None);
        };
        let (asked, answer) = Asked::new(question);
        if room.tx.send(RoomMsg::Query(asked)).await.is_err() {
            return Err(HubError::ShuttingDown);
        }
        answer.await.map(Some).map_err(|_| HubError::ShuttingDown)
    }

    /// Loads every stored room, so timers run and members can resume at once after a restart.
    /// With a shared store rooms are claimed on first use instead, by whichever node their
    /// clients reach.
    pub(crate) async fn load_all(&self) -> Result<usize, HubError> {
        if self.deps.placement.shared() {
            return Ok(0);
        }
        let codes = self.deps.store.room_codes().await?;
        let mut loaded = 0;
        for code in codes {
            match self.room(&code, None).await {
                Ok(Some(_)) => loaded += 1,
                Ok(None) => {}
                Err(HubError::Restore(e)) => {
                    tracing::error!(room = %crate::redact::RoomTag(&code), error = %e, "room cannot be restored; skipped")
                }
                Err(e) => return Err(e),
            }
        }
        Ok(loaded)
    }

    /// Deletes rooms past retention and closes the live ones among them.
    pub(crate) async fn purge(&self, now: Millis) -> Result<usize, HubError> {
        let cfg = &self.deps.cfg;
        let retention = cfg.retention.as_millis() as Millis;
        let idle = cfg.idle_timeout.as_millis() as Millis;
        let ended_before = now.saturating_sub(retention);
        let idle_before = now.saturating_sub(retention + idle);
        let purged = self
            .deps
            .store
            .purge_ended(ended_before, idle_before)
            .await?;
        for code in &purged {
            if let Some((_, handle)) = self.registry.remove(code) {
                let _ = handle.tx.send(RoomMsg::Purged).await;
            }
        }
        if !purged.is_empty() {
            self.live.retain(|_, rooms| {
                rooms.retain(|(code, _)| !purged.contains(code));
                !rooms.is_empty()
            });
        }
        if !purged.is_empty() {
            tracing::info!(rooms = purged.len(), "purged ended sessions");
        }
        let group_retention = cfg.group_retention.as_millis() as Millis;
        self.deps
            .store
            .purge_groups(now.saturating_sub(group_retention))
            .await?;
        // Attendance records go on their own, much longer clock.
        let attendance_retention = cfg.attendance_retention.as_millis() as Millis;
        self.deps
            .store
            .purge_records(now.saturating_sub(attendance_retention))
            .await?;
        // Counters of addresses whose connections have all gone.
        self.queued
            .retain(|_, bytes| std::sync::Arc::strong_count(bytes) > 1);
        self.guesses.forget_old();
        self.creations.forget_old();
        self.connects.forget_old();
        Ok(purged.len())
    }

    /// Stops every room (each finishes in-flight work and tells its clients to reconnect),
    /// waiting at most `timeout`.
    pub(crate) async fn shutdown(&self, timeout: Duration) {
        self.closing.store(true, Ordering::Relaxed);
        self.stopping.cancel();
        self.forwards.close();
        let handles: Vec<RoomHandle> = self.registry.iter().map(|h| h.clone()).collect();
        let mut waits = Vec::with_capacity(handles.len());
        for handle in handles {
            let (done, wait) = oneshot::channel();
            if handle.tx.send(RoomMsg::Shutdown { done }).await.is_ok() {
                waits.push(wait);
            }
        }
        self.tracker.close();
        let all = async {
            for wait in waits {
                let _ = wait.await;
            }
            self.tracker.wait().await;
            self.forwards.wait().await;
        };
        if tokio::time::timeout(timeout, all).await.is_err() {
            tracing::warn!("rooms did not stop in time");
        }
    }
}
