//! Abuse limits that are not about one room: connections per address and in total, messages
//! per connection, failed joins per address.
//!
//! Addresses are counted by [`client_key`]: an IPv4 address, or an IPv6 /64 (one home or
//! office network gets a whole /64, so counting single IPv6 addresses would let one client
//! rotate through billions of them).

use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use dashmap::DashMap;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The unit limits count by: IPv4 address, or IPv6 /64 (IPv4-mapped IPv6 counts as IPv4).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Caps on open WebSockets: in total and per address.
pub struct ConnLimits {
    total: Arc<Semaphore>,
    per_key: Arc<DashMap<IpAddr, usize>>,
    max_per_key: usize,
}

/// Which cap refused a connection.
#[derive(Debug, PartialEq, Eq)]
pub enum CapReached {
    Total,
    PerAddress,
}

/// Held for as long as a connection is open; gives its places back when dropped.
pub struct ConnPermit {
    _total: OwnedSemaphorePermit,
    per_key: Arc<DashMap<IpAddr, usize>>,
    key: IpAddr,
}

impl Drop for ConnPermit {
    fn drop(&mut self) {
        // Remove the entry at zero so the map holds only addresses with open connections.
        self.per_key.remove_if_mut(&self.key, |_, n| {
            *n -= 1;
            *n == 0
        });
    }
}

impl ConnLimits {
    pub fn new(max_total: usize, max_per_key: usize) -> Self {
        ConnLimits {
            total: Arc::new(Semaphore::new(max_total)),
            per_key: Arc::new(DashMap::new()),
            max_per_key,
        }
    }

    pub fn acquire(&self, ip: IpAddr) -> Result<ConnPermit, CapReached> {
        let key = client_key(ip);
        let total = self
            .total
            .clone()
            .try_acquire_owned()
            .map_err(|_| CapReached::Total)?;
        let mut count = self.per_key.entry(key).or_insert(0);
        if *count >= self.max_per_key {
            return Err(CapReached::PerAddress);
        }
        *count += 1;
        drop(count);
        Ok(ConnPermit {
            _total: total,
            per_key: self.per_key.clone(),
            key,
        })
    }

    /// Open connections counted for the address of `ip`.
    pub fn open_from(&self, ip: IpAddr) -> usize {
        self.per_key.get(&client_key(ip)).map_or(0, |n| *n)
    }
}

/// Limits failed room-code and token attempts per address, so codes cannot be enumerated:
/// `max` failures per `window`, then a block of one window that doubles with every further
/// block (up to [`MAX_BLOCK`]) until the address stays quiet for [`FORGIVE_AFTER`].
pub struct GuessLimiter {
    entries: DashMap<IpAddr, Guesses>,
    max: u32,
    window: Duration,
}

/// The longest an address is made to wait.
pub const MAX_BLOCK: Duration = Duration::from_secs(3600);
/// An address without failures for this long starts over with a clean record.
pub const FORGIVE_AFTER: Duration = Duration::from_secs(3600);

#[derive(Clone, Copy)]
struct Guesses {
    failures: u32,
    window_start: Instant,
    /// How often the address was blocked; the next block lasts `window * 2^blocks`.
    blocks: u32,
    blocked_until: Option<Instant>,
    last_failure: Instant,
}

impl GuessLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        GuessLimiter {
            entries: DashMap::new(),
            max: max.max(1),
            window,
        }
    }

    /// `Err(retry_after)` while the address is blocked.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let Some(entry) = self.entries.get(&client_key(ip)) else {
            return Ok(());
        };
        match entry.blocked_until {
            Some(until) if until > Instant::now() => Err(until - Instant::now()),
            _ => Ok(()),
        }
    }

    /// Records a failed attempt; returns how long the address is now blocked, if it is.
    pub fn failed(&self, ip: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let mut entry = self.entries.entry(client_key(ip)).or_insert(Guesses {
            failures: 0,
            window_start: now,
            blocks: 0,
            blocked_until: None,
            last_failure: now,
        });
        let g = &mut *entry;
        if now.duration_since(g.last_failure) >= FORGIVE_AFTER {
            g.blocks = 0;
        }
        if now.duration_since(g.window_start) >= self.window {
            g.failures = 0;
            g.window_start = now;
        }
        g.last_failure = now;
        g.failures += 1;
        if g.failures < self.max {
            return None;
        }
        let block = self
            .window
            .saturating_mul(1 << g.blocks.min(16))
            .min(MAX_BLOCK);
        g.blocks += 1;
        g.failures = 0;
        g.window_start = now + block;
        g.blocked_until = Some(now + block);
        Some(block)
    }

    /// Drops addresses that are neither blocked nor remembered for back-off.
    pub fn forget_old(&self) {
        let now = Instant::now();
        self.entries.retain(|_, g| {
            g.blocked_until.is_some_and(|until| until > now)
                || now.duration_since(g.last_failure) < FORGIVE_AFTER
        });
    }
}

/// At most `max` actions per address per `window` (a fixed window): for actions that are
/// cheap to ask for and costly to serve, such as creating a session.
pub struct WindowLimiter {
    counts: DashMap<IpAddr, (u32, Instant)>,
    max: u32,
    window: Duration,
}

impl WindowLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        WindowLimiter {
            counts: DashMap::new(),
            max,
            window,
        }
    }

    /// `Err(retry_after)` when the address has used up its window; counts nothing.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let Some(entry) = self.counts.get(&client_key(ip)) else {
            return Ok(());
        };
        let (count, start) = *entry;
        let elapsed = Instant::now().duration_since(start);
        if elapsed < self.window && count >= self.max {
            return Err(self.window - elapsed);
        }
        Ok(())
    }

    /// Counts one action; `Err(retry_after)` when the address has used up its window.
    pub fn hit(&self, ip: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let mut entry = self.counts.entry(client_key(ip)).or_insert((0, now));
        let (count, start) = &mut *entry;
        if now.duration_since(*start) >= self.window {
            *count = 0;
            *start = now;
        }
        if *count >= self.max {
            return Err(self.window - now.duration_since(*start));
        }
        *count += 1;
        Ok(())
    }

    /// Drops addresses whose window is over.
    pub fn forget_old(&self) {
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
pub const FLOOD_STRIKES: u32 = 20;
/// How long a member closed for flooding may not come back; doubles with each further close.
pub const FLOOD_BAN: Duration = Duration::from_secs(10);
/// The longest a member is kept out for flooding.
pub const MAX_FLOOD_BAN: Duration = Duration::from_secs(600);

/// A sender's message budget. A member's budget belongs to the member, not to the socket, so
/// reconnecting does not refill it; after a close for flooding the member stays out a while.
pub struct Budget {
    bucket: TokenBucket,
    strikes: u32,
    bans: u32,
    banned_until: Option<Instant>,
}

/// What to do with a message beyond the budget.
#[derive(Debug, PartialEq, Eq)]
pub enum Over {
    /// Refuse it: send `rate_limited` with this wait.
    Refuse(Duration),
    /// Too many refusals in a row: close the connection (1008).
    Flooding,
}

/// A budget several sockets of one member share, one after another.
pub type SharedBudget = Arc<std::sync::Mutex<Budget>>;

impl Budget {
    /// The per-sender budget from `--message-rate` and `--message-burst`.
    pub fn for_messages(cfg: &crate::Config) -> Budget {
        let window = Duration::from_millis(cfg.message_rate.window_ms).as_secs_f64();
        Budget::new(
            cfg.message_rate.max as f64 / window,
            f64::from(cfg.message_burst.max(1)),
        )
    }

    pub fn new(per_sec: f64, burst: f64) -> Self {
        Budget {
            bucket: TokenBucket::new(per_sec, burst),
            strikes: 0,
            bans: 0,
            banned_until: None,
        }
    }

    /// Spends one message.
    pub fn spend(&mut self) -> Result<(), Over> {
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
    pub fn ban(&mut self) {
        let ban = FLOOD_BAN
            .saturating_mul(1 << self.bans.min(16))
            .min(MAX_FLOOD_BAN);
        self.bans += 1;
        self.banned_until = Some(Instant::now() + ban);
    }

    /// `Some(wait)` while the sender is kept out.
    pub fn banned(&self) -> Option<Duration> {
        let until = self.banned_until?;
        let now = Instant::now();
        (until > now).then(|| until - now)
    }
}

/// Average `rate` per second, bursts up to `burst`.
pub struct TokenBucket {
    tokens: f64,
    rate: f64,
    burst: f64,
    at: Instant,
}

impl TokenBucket {
    pub fn new(rate: f64, burst: f64) -> Self {
        TokenBucket {
            tokens: burst,
            rate,
            burst,
            at: Instant::now(),
        }
    }

    /// Takes one token, or says how long until one is there.
    pub fn take(&mut self) -> Result<(), Duration> {
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
        assert_eq!(client_key(mapped), IpAddr::from([10, 0, 0, 7]));
    }

    #[tokio::test(start_paused = true)]
    async fn guesses_are_limited_per_address_with_growing_blocks() {
        let limiter = GuessLimiter::new(3, Duration::from_secs(60));
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        assert_eq!(limiter.failed(a), None);
        assert_eq!(limiter.failed(a), None);
        assert!(limiter.check(a).is_ok());
        assert_eq!(limiter.failed(a), Some(Duration::from_secs(60)));
        assert!(limiter.check(a).is_err());
        assert!(limiter.check(b).is_ok());
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(limiter.check(a).is_ok());
        for _ in 0..2 {
            limiter.failed(a);
        }
        // The second block lasts twice as long.
        assert_eq!(limiter.failed(a), Some(Duration::from_secs(120)));
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(limiter.check(a).is_err());
        tokio::time::advance(Duration::from_secs(60)).await;
        assert!(limiter.check(a).is_ok());
        // Quiet for an hour: a clean record again.
        tokio::time::advance(FORGIVE_AFTER).await;
        for _ in 0..2 {
            limiter.failed(a);
        }
        assert_eq!(limiter.failed(a), Some(Duration::from_secs(60)));
    }

    #[test]
    fn failures_spread_over_windows_do_not_block() {
        let limiter = GuessLimiter::new(3, Duration::ZERO);
        let a: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..10 {
            assert_eq!(limiter.failed(a), None);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn window_limiter_counts_per_address_and_window() {
        let limiter = WindowLimiter::new(2, Duration::from_secs(3600));
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
