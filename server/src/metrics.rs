//! Prometheus metrics, kept in atomics. Names and labels never carry session content: only
//! counts, durations, and error codes.

use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use kring_protocol::ErrorCode;

#[derive(Default)]
pub struct Metrics {
    pub connections: Gauge,
    pub connections_total: Counter,
    pub rooms: Gauge,
    pub messages_in: Counter,
    pub messages_out: Counter,
    pub bytes_out: Counter,
    pub slow_consumers: Counter,
    pub events: Counter,
    pub store_commits: Counter,
    pub store_commit_seconds: Histogram,
    pub store_batch_events: Counter,
    /// Joins refused as "no open session with this code" or with a token the room does not
    /// know: what someone guessing codes produces.
    pub failed_joins: Counter,
    /// Join attempts refused because the address failed too often lately.
    pub joins_blocked: Counter,
    /// WebSocket upgrades refused: origin not allowed.
    pub refused_origin: Counter,
    /// WebSocket upgrades refused: connection cap (total or per address) reached.
    pub refused_capacity: Counter,
    /// Connections closed for flooding (1008) or an oversized message (1009).
    pub abusive_closes: Counter,
    /// Rooms this node owns and serves (with a shared store; every live room otherwise).
    pub rooms_owned: Gauge,
    /// Rooms this node claimed (a first connection, or an owner whose lease ran out).
    pub room_claims: Counter,
    /// Rooms this node handed over: released after their last commit (shutdown, unload) so
    /// another node could claim them at once.
    pub room_handoffs: Counter,
    /// Appends the store refused because this node's lease on the room was no longer the
    /// room's (another node had claimed it).
    pub fenced_appends: Counter,
    /// Rooms waiting for the store to come back (refusing commands with a retry code).
    pub rooms_recovering: Gauge,
    /// Times this node's lease ran out before it could renew it.
    pub lease_lapses: Counter,
    pub lease_renewal_failures: Counter,
    /// WebSocket connections forwarded to the node that owns their room.
    pub forwarded: Gauge,
    pub forwarded_total: Counter,
    /// Forwards that could not reach the owner (the connection was served here instead).
    pub forward_failures: Counter,
    /// Open HTTP connections that have not become WebSockets.
    pub http_connections: Gauge,
    /// HTTP connections or requests refused at the total or per-address HTTP cap.
    pub refused_http: Counter,
    /// Requests whose body did not arrive within `--body-timeout`.
    pub body_timeouts: Counter,
    rejections: Mutex<Vec<(ErrorCode, u64)>>,
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn reject(&self, code: ErrorCode) {
        let mut rejections = self.rejections.lock().unwrap_or_else(|e| e.into_inner());
        match rejections.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => rejections.push((code, 1)),
        }
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        gauge(
            &mut out,
            "kring_connections",
            "Open WebSocket connections.",
            &self.connections,
        );
        counter(
            &mut out,
            "kring_connections_total",
            "WebSocket connections accepted.",
            &self.connections_total,
        );
        gauge(
            &mut out,
            "kring_rooms",
            "Rooms live in memory.",
            &self.rooms,
        );
        counter(
            &mut out,
            "kring_messages_in_total",
            "Messages received from clients.",
            &self.messages_in,
        );
        counter(
            &mut out,
            "kring_messages_out_total",
            "Messages queued to clients.",
            &self.messages_out,
        );
        counter(
            &mut out,
            "kring_bytes_out_total",
            "Bytes queued to clients.",
            &self.bytes_out,
        );
        counter(
            &mut out,
            "kring_slow_consumers_total",
            "Clients dropped because their queue was full.",
            &self.slow_consumers,
        );
        counter(
            &mut out,
            "kring_events_total",
            "Events recorded by rooms.",
            &self.events,
        );
        counter(
            &mut out,
            "kring_store_commits_total",
            "Store transactions committed.",
            &self.store_commits,
        );
        counter(
            &mut out,
            "kring_store_batch_events_total",
            "Events written by store transactions.",
            &self.store_batch_events,
        );
        counter(
            &mut out,
            "kring_failed_joins_total",
            "Joins refused as an unknown, locked or ended session, or an unknown token.",
            &self.failed_joins,
        );
        counter(
            &mut out,
            "kring_joins_blocked_total",
            "Join attempts refused because the address failed too often (too_many_attempts).",
            &self.joins_blocked,
        );
        counter(
            &mut out,
            "kring_refused_origin_total",
            "WebSocket upgrades refused because the Origin is not allowed.",
            &self.refused_origin,
        );
        counter(
            &mut out,
            "kring_refused_capacity_total",
            "WebSocket upgrades refused at the total or per-address connection cap.",
            &self.refused_capacity,
        );
        counter(
            &mut out,
            "kring_abusive_closes_total",
            "Connections closed for flooding (1008) or an oversized message (1009).",
            &self.abusive_closes,
        );
        gauge(
            &mut out,
            "kring_rooms_owned",
            "Rooms this node owns and serves.",
            &self.rooms_owned,
        );
        counter(
            &mut out,
            "kring_room_claims_total",
            "Rooms this node claimed (first use, or an owner whose lease ran out).",
            &self.room_claims,
        );
        counter(
            &mut out,
            "kring_room_handoffs_total",
            "Rooms this node released after their last commit for another node to take.",
            &self.room_handoffs,
        );
        counter(
            &mut out,
            "kring_fenced_appends_total",
            "Appends refused because another node had claimed the room.",
            &self.fenced_appends,
        );
        gauge(
            &mut out,
            "kring_rooms_recovering",
            "Rooms waiting for the store to come back, refusing commands with a retry code.",
            &self.rooms_recovering,
        );
        counter(
            &mut out,
            "kring_lease_lapses_total",
            "Times this node's lease ran out before it was renewed.",
            &self.lease_lapses,
        );
        counter(
            &mut out,
            "kring_lease_renewal_failures_total",
            "Lease renewals that failed or timed out.",
            &self.lease_renewal_failures,
        );
        gauge(
            &mut out,
            "kring_forwarded_connections",
            "WebSocket connections forwarded to the node that owns their room.",
            &self.forwarded,
        );
        counter(
            &mut out,
            "kring_forwarded_connections_total",
            "WebSocket connections forwarded to another node.",
            &self.forwarded_total,
        );
        counter(
            &mut out,
            "kring_forward_failures_total",
            "Forwards that could not reach the owning node.",
            &self.forward_failures,
        );
        gauge(
            &mut out,
            "kring_http_connections",
            "Open HTTP connections (not yet or never WebSockets).",
            &self.http_connections,
        );
        counter(
            &mut out,
            "kring_refused_http_total",
            "HTTP connections or requests refused at the total or per-address HTTP cap.",
            &self.refused_http,
        );
        counter(
            &mut out,
            "kring_body_timeouts_total",
            "Requests closed because their body did not arrive within --body-timeout.",
            &self.body_timeouts,
        );
        self.store_commit_seconds.render(
            &mut out,
            "kring_store_commit_seconds",
            "Time from append request to durable commit.",
        );
        let _ = writeln!(
            out,
            "# HELP kring_rejections_total Commands and messages refused, by error code."
        );
        let _ = writeln!(out, "# TYPE kring_rejections_total counter");
        let rejections = self.rejections.lock().unwrap_or_else(|e| e.into_inner());
        for (code, n) in rejections.iter() {
            let _ = writeln!(out, "kring_rejections_total{{code=\"{code}\"}} {n}");
        }
        out
    }
}

fn gauge(out: &mut String, name: &str, help: &str, g: &Gauge) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {}",
        g.get()
    );
}

fn counter(out: &mut String, name: &str, help: &str, c: &Counter) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
        c.get()
    );
}

#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn inc(&self) {
        self.add(1);
    }

    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Default)]
pub struct Gauge(AtomicU64);

impl Gauge {
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub fn dec(&self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Upper bounds of the histogram buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
pub struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.count();
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
    }
}
