//! Abuse limits that are not about one room: connections per address and in total, messages
//! per connection, failed joins per address.
//!
//! Addresses are counted by [`client_keys`]: an IPv4 address, or an IPv6 /64 (one home or
//! office network gets a whole /64, so counting single IPv6 addresses would let one client
//! rotate through billions of them), and also its /56 and /48 (what providers hand one
//! customer: a /48 holds 65,536 /64s), each with a larger share of the limit.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dashmap::DashMap;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// An operator's rate flag, e.g. `--connect-limit 300/1m`: at most `max` actions per
/// `window`. One type for every per-address rate, so that each limiter reads its flag the
/// same way; the engine's own `SubmitLimit` is part of the session's rules and stays there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub max: u32,
    pub window: Duration,
}

impl Rate {
    pub const fn new(max: u32, window: Duration) -> Rate {
        Rate { max, window }
    }

    /// The steady rate a token bucket refills at.
    pub fn per_sec(self) -> f64 {
        f64::from(self.max) / self.window.as_secs_f64()
    }
}

/// What a limit counts by: an IPv4 address or an IPv6 prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    net: IpAddr,
    prefix: u8,
}

/// How many times the per-address limit an IPv6 /56 and /48 may use: a customer's network
/// may hold several subnets with their own users, but not thousands of them.
pub(crate) const SHARE_56: usize = 4;
pub(crate) const SHARE_48: usize = 16;

impl Key {
    /// How many times the per-address limit this key may use: one for an address or a /64.
    pub(crate) fn share(&self) -> usize {
        match (self.net, self.prefix) {
            (IpAddr::V6(_), 56) => SHARE_56,
            (IpAddr::V6(_), 48) => SHARE_48,
            _ => 1,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.net {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/{}", self.prefix),
        }
    }
}

/// The unit limits count by: IPv4 address, or IPv6 /64 (IPv4-mapped IPv6 counts as IPv4).
pub(crate) fn client_key(ip: IpAddr) -> Key {
    match ip {
        IpAddr::V4(_) => Key {
            net: ip,
            prefix: 32,
        },
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => Key {
                net: IpAddr::V4(v4),
                prefix: 32,
            },
            None => prefix_key(v6, 64),
        },
    }
}

fn prefix_key(v6: Ipv6Addr, prefix: u8) -> Key {
    let mask = u128::MAX << (128 - u32::from(prefix));
    Key {
        net: IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask)),
        prefix,
    }
}

/// Every key an address is counted under, narrowest first: an IPv4 address; an IPv6 /64,
/// /56 and /48.
pub(crate) fn client_keys(ip: IpAddr) -> Vec<Key> {
    let key = client_key(ip);
    match key.net {
        IpAddr::V6(v6) => vec![key, prefix_key(v6, 56), prefix_key(v6, 48)],
        IpAddr::V4(_) => vec![key],
    }
}

/// Open things (connections, requests) counted per address: at most `max` times a key's
/// share under each of the address's keys.
pub(crate) struct OpenCounts {
    counts: Arc<Mutex<HashMap<Key, usize>>>,
    max: usize,
}

/// One open thing's place under each of its address's keys; given back when dropped.
pub(crate) struct OpenPermit {
    counts: Arc<Mutex<HashMap<Key, usize>>>,
    keys: Vec<Key>,
}

impl Drop for OpenPermit {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        for key in &self.keys {
            // Remove the entry at zero so the map holds only addresses with open things.
            if let Some(n) = counts.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    counts.remove(key);
                }
            }
        }
    }
}

impl OpenCounts {
    pub(crate) fn new(max: usize) -> Self {
        OpenCounts {
            counts: Arc::new(Mutex::new(HashMap::new())),
            max,
        }
    }

    /// A place for one more from `ip`, or `None` when one of its keys is full. All keys are
    /// checked and counted under one lock, so concurrent callers never overshoot.
    pub(crate) fn open(&self, ip: IpAddr) -> Option<OpenPermit> {
        let keys = client_keys(ip);
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let full = keys.iter().any(|key| {
            counts.get(key).copied().unwrap_or(0) >= self.max.saturating_mul(key.share())
        });
        if full {
            return None;
        }
        for key in &keys {
            *counts.entry(*key).or_insert(0) += 1;
        }
        drop(counts);
        Some(OpenPermit {
            counts: self.counts.clone(),
            keys,
        })
    }

    /// How many are open under the narrowest key of `ip`.
    #[cfg(test)]
    pub(crate) fn open_from(&self, ip: IpAddr) -> usize {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.get(&client_key(ip)).copied().unwrap_or(0)
    }
}

/// Caps on open connections (WebSockets, or HTTP connections): in total and per address.
pub(crate) struct ConnLimits {
    total: Arc<Semaphore>,
    per_address: OpenCounts,
}

/// Which cap refused a connection.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CapReached {
    Total,
    PerAddress,
}

/// Held for as long as a connection (or a request) is open; gives its places back when
/// dropped.
pub(crate) struct ConnPermit {
    _total: Option<OwnedSemaphorePermit>,
    _address: Option<OpenPermit>,
}

impl ConnLimits {
    pub(crate) fn new(max_total: usize, max_per_address: usize) -> Self {
        ConnLimits {
            total: Arc::new(Semaphore::new(max_total)),
            per_address: OpenCounts::new(max_per_address),
        }
    }

    /// A place in the total and in the share of `ip`'s address.
    pub(crate) fn acquire(&self, ip: IpAddr) -> Result<ConnPermit, CapReached> {
        let total = self.acquire_total()?;
        let address = self.acquire_address(ip)?;
        Ok(ConnPermit {
            _total: total._total,
            _address: address._address,
        })
    }

    /// A place in the total only: a trusted proxy's connection carries many clients, each
    /// counted per request ([`ConnLimits::acquire_address`]).
    pub(crate) fn acquire_total(&self) -> Result<ConnPermit, CapReached> {
        let total = self
            .total
            .clone()
            .try_acquire_owned()
            .map_err(|_| CapReached::Total)?;
        Ok(ConnPermit {
            _total: Some(total),
            _address: None,
        })
    }

    /// A place in the share of `ip`'s address only.
    pub(crate) fn acquire_address(&self, ip: IpAddr) -> Result<ConnPermit, CapReached> {
        let address = self.per_address.open(ip).ok_or(CapReached::PerAddress)?;
        Ok(ConnPermit {
            _total: None,
            _address: Some(address),
        })
    }

    /// Open connections counted for the address of `ip`.
    #[cfg(test)]
    pub(crate) fn open_from(&self, ip: IpAddr) -> usize {
        self.per_address.open_from(ip)
    }
}

/// Limits failed room-code and token attempts per address, so codes cannot be enumerated:
/// `max` failures per `window`, then a block of one window that doubles with every further
/// block (up to [`MAX_BLOCK`]) until the address stays quiet for [`FORGIVE_AFTER`].
///
/// What counts is a distinct code failing: a phone retrying the same wrong code, or a
/// removed member's app its old token, costs its address one failure per window, not one per
/// try. The block keeps out only joins by code alone (new members): an attempt with a token
/// is never refused for its address, since the venue or office sharing that address holds
/// valid tokens too; its failures still count. A join by code reserves its attempt before
/// the room is looked up ([`GuessLimiter::reserve`]), so a burst of hellos gets at most
/// `max` lookups, not as many as arrive before the first failure is counted.
pub(crate) struct GuessLimiter {
    entries: Mutex<HashMap<Key, Guesses>>,
    max: u32,
    window: Duration,
    /// Woken when a reserved attempt ends, for joins waiting for a place.
    released: Notify,
    /// Keyed per process, so nobody can pick codes that count as one.
    codes: RandomState,
}

/// The longest an address is made to wait.
pub(crate) const MAX_BLOCK: Duration = Duration::from_secs(3600);
/// An address without failures for this long starts over with a clean record.
pub(crate) const FORGIVE_AFTER: Duration = Duration::from_secs(3600);
/// A failed join or token-checked read is answered no sooner than this after it began. An
/// unknown code is looked up in the store and a known one is in memory: without a floor,
/// the time an answer takes would tell them apart, and an attempt with a token is not
/// refused while its address is blocked.
pub const FAILURE_FLOOR: Duration = Duration::from_millis(200);
/// How long a join by code waits for a place while its address's other attempts are being
/// looked up, before it is refused.
const RESERVE_WAIT: Duration = Duration::from_secs(5);

#[derive(Clone)]
struct Guesses {
    failures: u32,
    /// The codes that failed in this window (hashed), so that each counts once.
    failed_codes: Vec<u64>,
    /// Joins by code reserved and not yet resolved.
    in_flight: u32,
    window_start: Instant,
    /// How often the address was blocked; the next block lasts `window * 2^blocks`.
    blocks: u32,
    blocked_until: Option<Instant>,
    last_failure: Instant,
}

impl Guesses {
    fn new(now: Instant) -> Self {
        Guesses {
            failures: 0,
            failed_codes: Vec::new(),
            in_flight: 0,
            window_start: now,
            blocks: 0,
            blocked_until: None,
            last_failure: now,
        }
    }

    fn blocked(&self, now: Instant) -> Option<Duration> {
        self.blocked_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// Starts a new window when the last one is over.
    fn refresh(&mut self, now: Instant, window: Duration) {
        if now.duration_since(self.window_start) >= window {
            self.failures = 0;
            self.failed_codes.clear();
            self.window_start = now;
        }
    }
}

/// A join by code whose lookup may fail: it holds one of its address's attempts until it
/// either [`fails`](Attempt::failed) or is dropped (it succeeded, and costs nothing).
pub(crate) struct Attempt {
    limiter: Arc<GuessLimiter>,
    ip: IpAddr,
    done: bool,
}

impl Attempt {
    /// The join failed for `code`: counted; returns how long the address is now blocked.
    pub(crate) fn failed(mut self, code: &str) -> Option<Duration> {
        self.done = true;
        self.limiter.record(self.ip, code, true)
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if !self.done {
            self.limiter.release(self.ip);
        }
    }
}

/// What a reservation found.
enum Reserve {
    Reserved,
    Blocked(Duration),
    /// All of the address's attempts are out being looked up.
    Busy,
}

impl GuessLimiter {
    pub(crate) fn new(rate: Rate) -> Self {
        GuessLimiter {
            entries: Mutex::new(HashMap::new()),
            max: rate.max.max(1),
            window: rate.window,
            released: Notify::new(),
            codes: RandomState::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Guesses>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn max_for(&self, key: &Key) -> u32 {
        self.max
            .saturating_mul(u32::try_from(key.share()).unwrap_or(u32::MAX))
    }

    /// `Err(retry_after)` while the address is blocked.
    #[cfg(test)]
    pub(crate) fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let entries = self.lock();
        let wait = client_keys(ip)
            .iter()
            .filter_map(|key| entries.get(key)?.blocked(now))
            .max();
        wait.map_or(Ok(()), Err)
    }

    /// Reserves an attempt for a join by code alone: refused while the address is blocked;
    /// while all its remaining attempts are being looked up, waits for one of them to end.
    pub(crate) async fn reserve(self: &Arc<Self>, ip: IpAddr) -> Result<Attempt, Duration> {
        let deadline = Instant::now() + RESERVE_WAIT;
        loop {
            let released = self.released.notified();
            let mut released = std::pin::pin!(released);
            released.as_mut().enable();
            match self.try_reserve(ip) {
                Reserve::Reserved => {
                    return Ok(Attempt {
                        limiter: self.clone(),
                        ip,
                        done: false,
                    });
                }
                Reserve::Blocked(wait) => return Err(wait),
                Reserve::Busy => {
                    if tokio::time::timeout_at(deadline, released).await.is_err() {
                        return Err(Duration::from_secs(1));
                    }
                }
            }
        }
    }

    fn try_reserve(&self, ip: IpAddr) -> Reserve {
        let now = Instant::now();
        let keys = client_keys(ip);
        let mut entries = self.lock();
        for key in &keys {
            let Some(g) = entries.get_mut(key) else {
                continue;
            };
            if let Some(wait) = g.blocked(now) {
                return Reserve::Blocked(wait);
            }
            g.refresh(now, self.window);
            if g.failures + g.in_flight >= self.max_for(key) {
                return Reserve::Busy;
            }
        }
        for key in keys {
            entries
                .entry(key)
                .or_insert_with(|| Guesses::new(now))
                .in_flight += 1;
        }
        Reserve::Reserved
    }

    fn release(&self, ip: IpAddr) {
        let mut entries = self.lock();
        for key in client_keys(ip) {
            if let Some(g) = entries.get_mut(&key) {
                g.in_flight = g.in_flight.saturating_sub(1);
            }
        }
        drop(entries);
        self.released.notify_waiters();
    }

    /// Records a failed attempt with a token (not reserved); returns how long the address is
    /// now blocked, if it is.
    pub(crate) fn failed(&self, ip: IpAddr, code: &str) -> Option<Duration> {
        self.record(ip, code, false)
    }

    fn record(&self, ip: IpAddr, code: &str, reserved: bool) -> Option<Duration> {
        let now = Instant::now();
        let code = self.codes.hash_one(code);
        let mut blocked = None;
        let mut entries = self.lock();
        for key in client_keys(ip) {
            let max = self.max_for(&key);
            let g = entries.entry(key).or_insert_with(|| Guesses::new(now));
            if reserved {
                g.in_flight = g.in_flight.saturating_sub(1);
            }
            if now.duration_since(g.last_failure) >= FORGIVE_AFTER {
                g.blocks = 0;
            }
            g.refresh(now, self.window);
            g.last_failure = now;
            if g.failed_codes.contains(&code) {
                continue;
            }
            g.failed_codes.push(code);
            g.failures += 1;
            if g.failures < max {
                continue;
            }
            let block = self
                .window
                .saturating_mul(1 << g.blocks.min(16))
                .min(MAX_BLOCK);
            g.blocks += 1;
            g.failures = 0;
            g.failed_codes.clear();
            g.window_start = now + block;
            g.blocked_until = Some(now + block);
            blocked = blocked.max(Some(block));
        }
        drop(entries);
        self.released.notify_waiters();
        blocked
    }

    /// Drops addresses that are neither blocked, remembered for back-off, nor being looked
    /// up.
    pub(crate) fn forget_old(&self) {
        let now = Instant::now();
        self.lock().retain(|_, g| {
            g.in_flight > 0
                || g.blocked(now).is_some()
                || now.duration_since(g.last_failure) < FORGIVE_AFTER
        });
    }
}

/// At most `max` actions per address per `window` (a fixed window): for actions that are
/// cheap to ask for and costly to serve, such as creating a session.
pub(crate) struct WindowLimiter {
    counts: DashMap<Key, (u32, Instant)>,
    max: u32,
    window: Duration,
}

impl WindowLimiter {
    pub(crate) fn new(rate: Rate) -> Self {
        WindowLimiter {
            counts: DashMap::new(),
            max: rate.max,
            window: rate.window,
        }
    }

    /// `Err(retry_after)` when the address has used up its window; counts nothing.
    pub(crate) fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        for key in &client_keys(ip) {
            let max = self
                .max
                .saturating_mul(u32::try_from(key.share()).unwrap_or(u32::MAX));
            if let Some(entry) = self.counts.get(key) {
                let (count, start) = *entry;
                let elapsed = now.duration_since(start);
                if elapsed < self.window && count >= max {
                    return Err(self.window - elapsed);
                }
            }
        }
        Ok(())
    }

    /// Counts one action; `Err(retry_after)` when the address (or its wider IPv6 prefix)
    /// has used up its window.
    pub(crate) fn hit(&self, ip: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let keys = client_keys(ip);
        for key in &keys {
            let max = self
                .max
                .saturating_mul(u32::try_from(key.share()).unwrap_or(u32::MAX));
            let mut entry = self.counts.entry(*key).or_insert((0, now));
            let (count, start) = &mut *entry;
            if now.duration_since(*start) >= self.window {
                *count = 0;
                *start = now;
            }
            if *count >= max {
                return Err(self.window - now.duration_since(*start));
            }
        }
        for key in &keys {
            if let Some(mut entry) = self.counts.get_mut(key) {
                entry.0 += 1;
            }
        }
        Ok(())
    }

    /// Drops addresses whose window is over.
    pub(crate) fn forget_old(&self) {
        let now = Instant::now();
        self.counts
            .retain(|_, (_, start)| now.duration_since(*start) < self.window);
    }
}

/// Commands one member (not the facilitator) may have accepted in a session: a real member
/// gives a few dozen; this bounds what one member can write to the journal, whatever the
/// message rate allows over a long session.
pub const MAX_COMMANDS_PER_MEMBER: u32 = 2_000;

/// Messages refused in a row for the rate before a connection counts as flooding. A client
/// that honours `retry_after_ms` never gets near it.
pub(crate) const FLOOD_STRIKES: u32 = 20;
/// How long a member closed for flooding may not come back; doubles with each further close.
pub(crate) const FLOOD_BAN: Duration = Duration::from_secs(10);
/// The longest a member is kept out for flooding.
pub(crate) const MAX_FLOOD_BAN: Duration = Duration::from_secs(600);

/// A sender's message budget. A member's budget belongs to the member, not to the socket, so
/// reconnecting does not refill it; after a close for flooding the member stays out a while.
pub(crate) struct Budget {
    bucket: TokenBucket,
    strikes: u32,
    bans: u32,
    banned_until: Option<Instant>,
}

/// What to do with a message beyond the budget.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Over {
    /// Refuse it: send `rate_limited` with this wait.
    Refuse(Duration),
    /// Too many refusals in a row: close the connection (1008).
    Flooding,
}

/// A budget several sockets of one member share, one after another.
pub(crate) type SharedBudget = Arc<std::sync::Mutex<Budget>>;

impl Budget {
    /// The per-sender budget from `--message-rate` and `--message-burst`.
    pub(crate) fn for_messages(cfg: &crate::Config) -> Budget {
        Budget::new(
            cfg.message_rate.per_sec(),
            f64::from(cfg.message_burst.max(1)),
        )
    }

    pub(crate) fn new(per_sec: f64, burst: f64) -> Self {
        Budget {
            bucket: TokenBucket::new(per_sec, burst),
            strikes: 0,
            bans: 0,
            banned_until: None,
        }
    }

    /// Spends one message.
    pub(crate) fn spend(&mut self) -> Result<(), Over> {
        match self.bucket.take() {
            Ok(()) => {
                self.strikes = 0;
                Ok(())
            }
            Err(wait) => {
                self.strikes += 1;
                if self.strikes >= FLOOD_STRIKES {
                    self.strikes = 0;
                    Err(Over::Flooding)
                } else {
                    Err(Over::Refuse(wait))
                }
            }
        }
    }

    /// The sender was closed for flooding: keep them out for a while, longer each time.
    pub(crate) fn ban(&mut self) {
        let ban = FLOOD_BAN
            .saturating_mul(1 << self.bans.min(16))
            .min(MAX_FLOOD_BAN);
        self.bans += 1;
        self.banned_until = Some(Instant::now() + ban);
    }

    /// `Some(wait)` while the sender is kept out.
    pub(crate) fn banned(&self) -> Option<Duration> {
        let until = self.banned_until?;
        let now = Instant::now();
        (until > now).then(|| until - now)
    }
}

/// Average `rate` per second, bursts up to `burst`.
pub(crate) struct TokenBucket {
    tokens: f64,
    rate: f64,
    burst: f64,
    at: Instant,
}

impl TokenBucket {
    pub(crate) fn new(rate: f64, burst: f64) -> Self {
        TokenBucket {
            tokens: burst,
            rate,
            burst,
            at: Instant::now(),
        }
    }

    /// Takes one token, or says how long until one is there.
    pub(crate) fn take(&mut self) -> Result<(), Duration> {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * self.rate).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / self.rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        let mapped: IpAddr = "::ffff:10.0.0.7".parse().unwrap();
        assert_eq!(client_key(mapped), client_key(IpAddr::from([10, 0, 0, 7])));
        assert_eq!(client_key(a).to_string(), "2001:db8:1:2::/64");
    }

    #[tokio::test(start_paused = true)]
    async fn guesses_are_limited_per_address_with_growing_blocks() {
        let limiter = GuessLimiter::new(Rate::new(3, Duration::from_secs(60)));
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        assert_eq!(limiter.failed(a, "A1"), None);
        assert_eq!(limiter.failed(a, "A2"), None);
        assert!(limiter.check(a).is_ok());
        assert_eq!(limiter.failed(a, "A3"), Some(Duration::from_secs(60)));
        assert!(limiter.check(a).is_err());
        assert!(limiter.check(b).is_ok());
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(limiter.check(a).is_ok());
        limiter.failed(a, "B1");
        limiter.failed(a, "B2");
        // The second block lasts twice as long.
        assert_eq!(limiter.failed(a, "B3"), Some(Duration::from_secs(120)));
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(limiter.check(a).is_err());
        tokio::time::advance(Duration::from_secs(60)).await;
        assert!(limiter.check(a).is_ok());
        // Quiet for an hour: a clean record again.
        tokio::time::advance(FORGIVE_AFTER).await;
        limiter.failed(a, "C1");
        limiter.failed(a, "C2");
        assert_eq!(limiter.failed(a, "C3"), Some(Duration::from_secs(60)));
    }

    #[test]
    fn the_same_code_failing_again_counts_once_per_window() {
        let limiter = GuessLimiter::new(Rate::new(3, Duration::from_secs(60)));
        let a: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..20 {
            assert_eq!(limiter.failed(a, "K7M3QX9PA"), None);
        }
        assert!(limiter.check(a).is_ok());
        assert_eq!(limiter.failed(a, "OTHER1"), None);
        assert!(limiter.failed(a, "OTHER2").is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn reservations_let_no_more_lookups_out_than_failures_allowed() {
        let limiter = Arc::new(GuessLimiter::new(Rate::new(3, Duration::from_secs(60))));
        let a: IpAddr = [10, 0, 0, 1].into();
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(limiter.reserve(a).await.unwrap());
        }
        // A fourth waits for one of the three; it gets in when one succeeds...
        let waiting = tokio::spawn({
            let limiter = limiter.clone();
            async move { limiter.reserve(a).await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(!waiting.is_finished());
        drop(held.pop());
        assert!(waiting.await.unwrap().is_ok());
        // ... and is refused when they all fail: the address is blocked.
        let waiting = tokio::spawn({
            let limiter = limiter.clone();
            async move { limiter.reserve(a).await.map(|_| ()) }
        });
        held.push(limiter.reserve(a).await.unwrap());
        for (n, attempt) in held.drain(..).enumerate() {
            attempt.failed(&format!("X{n}"));
        }
        assert!(waiting.await.unwrap().is_err());
        assert!(limiter.check(a).is_err());
    }

    #[test]
    fn ipv6_limits_hold_for_the_56_and_the_48_too() {
        let limits = ConnLimits::new(1000, 1);
        let in_56 = |n: u16| -> IpAddr { format!("2001:db8:0:{n:x}::1").parse().unwrap() };
        // Four /64s of one /56 get a place each; the fifth /64 of that /56 does not.
        let mut held: Vec<_> = (0..4).map(|n| limits.acquire(in_56(n)).unwrap()).collect();
        assert_eq!(limits.acquire(in_56(4)).err(), Some(CapReached::PerAddress));
        // Other /56s of the same /48 fill it up to 16 /64s.
        for n in 1..4u16 {
            for m in 0..4u16 {
                held.push(limits.acquire(in_56(n * 0x100 + m)).unwrap());
            }
        }
        assert_eq!(
            limits.acquire(in_56(0x400)).err(),
            Some(CapReached::PerAddress)
        );
        assert!(limits.acquire("2001:db8:1::1".parse().unwrap()).is_ok());
        drop(held);
        assert!(limits.acquire(in_56(4)).is_ok());

        // Two failures per /64, so eight per /56: one from each of eight /64s blocks it all.
        let guesses = GuessLimiter::new(Rate::new(2, Duration::from_secs(60)));
        for n in 0..7u16 {
            assert_eq!(guesses.failed(in_56(n), &n.to_string()), None);
        }
        assert!(
            guesses.failed(in_56(7), "7").is_some(),
            "the /56 eighth failure"
        );
        assert!(guesses.check(in_56(9)).is_err());

        let creates = WindowLimiter::new(Rate::new(1, Duration::from_secs(60)));
        for n in 0..4u16 {
            assert!(creates.hit(in_56(n)).is_ok());
        }
        assert!(creates.hit(in_56(4)).is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn window_limiter_counts_per_address_and_window() {
        let limiter = WindowLimiter::new(Rate::new(2, Duration::from_secs(3600)));
        let a: IpAddr = [10, 0, 0, 1].into();
        assert!(limiter.hit(a).is_ok());
        assert!(limiter.hit(a).is_ok());
        assert_eq!(limiter.hit(a), Err(Duration::from_secs(3600)));
        assert!(limiter.hit([10, 0, 0, 2].into()).is_ok());
        tokio::time::advance(Duration::from_secs(3600)).await;
        assert!(limiter.hit(a).is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_budget_refuses_then_calls_flooding_then_bans_longer_each_time() {
        let mut budget = Budget::new(1.0, 2.0);
        assert_eq!(budget.spend(), Ok(()));
        assert_eq!(budget.spend(), Ok(()));
        for _ in 1..FLOOD_STRIKES {
            assert!(matches!(budget.spend(), Err(Over::Refuse(_))));
        }
        assert_eq!(budget.spend(), Err(Over::Flooding));
        assert_eq!(budget.banned(), None);
        budget.ban();
        assert_eq!(budget.banned(), Some(FLOOD_BAN));
        tokio::time::advance(FLOOD_BAN).await;
        assert_eq!(budget.banned(), None);
        budget.ban();
        assert_eq!(budget.banned(), Some(2 * FLOOD_BAN));
        // Time refills it, a reconnect does not.
        assert_eq!(budget.spend(), Ok(()));
    }

    #[test]
    fn connection_caps_hold_per_address_and_in_total() {
        let limits = ConnLimits::new(3, 2);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let a1 = limits.acquire(a).unwrap();
        let _a2 = limits.acquire(a).unwrap();
        assert_eq!(limits.acquire(a).err(), Some(CapReached::PerAddress));
        let _b1 = limits.acquire(b).unwrap();
        assert_eq!(limits.acquire(b).err(), Some(CapReached::Total));
        drop(a1);
        assert_eq!(limits.open_from(a), 1);
        assert!(limits.acquire(a).is_ok());
    }

    #[test]
    fn token_bucket_allows_bursts_then_limits() {
        let mut bucket = TokenBucket::new(1.0, 3.0);
        assert!(bucket.take().is_ok());
        assert!(bucket.take().is_ok());
        assert!(bucket.take().is_ok());
        assert!(bucket.take().is_err());
    }
}
