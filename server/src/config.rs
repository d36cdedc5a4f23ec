//! Configuration from flags and environment (`kring --help`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};
use kring_engine::limits::SubmitLimit;

use crate::limits::Rate;

use crate::client::{ForwardedHeader, TrustedProxies};

#[derive(Parser, Clone, Debug)]
#[command(
    name = "kring",
    version,
    about = "kring: live intervision sessions (questions first, then advice) for phones, laptops and shared screens"
)]
pub struct Config {
    /// Address to listen on. Use 0.0.0.0:8080 so phones on the local network can join.
    #[arg(long, env = "KRING_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Public base URL used in join links and QR codes (e.g. https://kring.example.org).
    /// Default: derived from each request's Host header.
    #[arg(long, env = "KRING_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Directory of the embedded SQLite database.
    #[arg(long, env = "KRING_DATA_DIR", default_value = "kring-data")]
    pub data_dir: PathBuf,

    /// Where sessions are kept: `sqlite` (durable, embedded, default), `memory` (lost on exit;
    /// tests and benchmarks), or a `postgres://user:password@host/database` URL, shared by
    /// several nodes (see docs/DEPLOY.md).
    #[arg(long, env = "KRING_STORE", default_value = "sqlite", value_parser = parse_store)]
    pub store: StoreKind,

    /// A Postgres URL: the same as `--store postgres://...` (for platforms that hand the URL
    /// over as `DATABASE_URL`-style settings).
    #[arg(long, env = "KRING_DATABASE_URL", conflicts_with = "store", value_parser = parse_postgres)]
    pub database_url: Option<DbUrl>,

    /// With Postgres: how long this node's ownership of its rooms lasts without a renewal
    /// (renewed four times per period). A node that stops (killed, frozen, cut off) has its
    /// rooms taken over by other nodes this long after its last renewal; it stops serving
    /// them itself earlier than that.
    #[arg(long, env = "KRING_OWNER_TTL", default_value = "6s", value_parser = parse_owner_ttl)]
    pub owner_ttl: Duration,

    /// With Postgres: this node's name in logs and in the database (default: the host name).
    #[arg(long, env = "KRING_NODE_NAME")]
    pub node_name: Option<String>,

    /// With Postgres: the URL other nodes use to reach this one when they forward a
    /// connection for a room this node serves (`http://10.0.0.5:8080`). Default: `http://` and
    /// the `--listen` address, which must then not be a wildcard address.
    #[arg(long, env = "KRING_NODE_URL", value_parser = parse_node_url)]
    pub node_url: Option<String>,

    /// Log format.
    #[arg(long, env = "KRING_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Log filter (tracing syntax: `info`, `kring_server=debug`, ...). Logs never contain
    /// session content, at any level.
    #[arg(long, env = "KRING_LOG", default_value = "info")]
    pub log: String,

    /// How long an ended session's content is kept (for the case-bringer's summary) before it
    /// is deleted for good. `0` deletes at once.
    #[arg(long, env = "KRING_RETENTION", default_value = "24h", value_parser = parse_duration)]
    pub retention: Duration,

    /// How long a meeting's attendance record (date, times, method, facilitator, group name,
    /// members with their minutes and confirmations, registration numbers; no content) is
    /// kept after the meeting, for professional registers: a registration cycle (5 years) plus
    /// time for spot checks.
    #[arg(long, env = "KRING_ATTENDANCE_RETENTION", default_value = "6y", value_parser = parse_duration)]
    pub attendance_retention: Duration,

    /// How long a group's carry-over (commitments, kept cases) waits for the group's next
    /// meeting before it is deleted.
    #[arg(long, env = "KRING_GROUP_RETENTION", default_value = "365d", value_parser = parse_duration)]
    pub group_retention: Duration,

    /// A session with no activity for this long counts as abandoned and is then deleted after
    /// the retention period.
    #[arg(long, env = "KRING_IDLE_TIMEOUT", default_value = "12h", value_parser = parse_duration)]
    pub idle_timeout: Duration,

    /// How often sessions past retention are looked for and deleted.
    #[arg(long, env = "KRING_PURGE_INTERVAL", default_value = "1m", value_parser = parse_duration)]
    pub purge_interval: Duration,

    /// How often the server pings each socket.
    #[arg(long, env = "KRING_HEARTBEAT", default_value = "15s", value_parser = parse_duration)]
    pub heartbeat: Duration,

    /// A socket silent for this long (no frame, not even the answer to a ping) is closed and
    /// its member shown as away. The default is two heartbeats.
    #[arg(long, env = "KRING_AWAY_AFTER", default_value = "30s", value_parser = parse_duration)]
    pub away_after: Duration,

    /// A member away for this long is taken out of turn-taking (what they wrote stays).
    #[arg(long, env = "KRING_TURN_GRACE", default_value = "2m", value_parser = parse_duration)]
    pub turn_grace: Duration,

    /// A room with nobody connected is unloaded from memory after this long (it stays stored).
    #[arg(long, env = "KRING_ROOM_UNLOAD", default_value = "10m", value_parser = parse_duration)]
    pub room_unload: Duration,

    /// Maximum simultaneous WebSocket connections.
    #[arg(long, env = "KRING_MAX_CONNECTIONS", default_value_t = 50_000)]
    pub max_connections: usize,

    /// Maximum simultaneous WebSocket connections from one address (IPv6: one /64). A hybrid
    /// room's phones share the venue's address; several groups may meet behind one office NAT.
    #[arg(long, env = "KRING_MAX_CONNECTIONS_PER_IP", default_value_t = 100)]
    pub max_connections_per_ip: usize,

    /// Messages one member (across reconnects) may send on average, e.g. `100/1m`. Beyond it
    /// (and the burst) a message is refused with `rate_limited`; a client that keeps sending is
    /// closed (1008) and its member kept out for a while.
    #[arg(long, env = "KRING_MESSAGE_RATE", default_value = "100/1m", value_parser = parse_rate)]
    pub message_rate: Rate,

    /// Messages one member may send at once above the average rate.
    #[arg(long, env = "KRING_MESSAGE_BURST", default_value_t = 30)]
    pub message_burst: u32,

    /// Failed joins (unknown, locked or ended session, unknown token; each code once) one
    /// address may make per window before it may not join by code alone for a while; each
    /// further block doubles the wait (up to an hour). Joins with a token are never refused.
    #[arg(long, env = "KRING_JOIN_ATTEMPTS", default_value = "10/1m", value_parser = parse_rate)]
    pub join_attempts: Rate,

    /// WebSocket connections one address may open per window. Far above what a venue full of
    /// phones needs after a network drop; it keeps a client that reconnects in a loop (for
    /// example one kept out for flooding) from costing a handshake every few milliseconds.
    #[arg(long, env = "KRING_CONNECT_LIMIT", default_value = "300/1m", value_parser = parse_rate)]
    pub connect_limit: Rate,

    /// Sessions one address may create per window. Creating is open to anyone who reaches
    /// the server; this keeps a script from filling memory and disk with empty rooms.
    #[arg(long, env = "KRING_CREATE_LIMIT", default_value = "60/1h", value_parser = parse_rate)]
    pub create_limit: Rate,

    /// New members one address may add to one room per window (a member coming back with
    /// their token does not count). A venue's phones share one address; a script that joins
    /// and leaves in a loop fills the roster no faster than this.
    #[arg(long, env = "KRING_MEMBER_JOINS", default_value = "30/1h", value_parser = parse_rate)]
    pub member_joins: Rate,

    /// The longest a session lives, however active: it ends this long after it was created
    /// (then `--retention` applies), so no room can be kept alive to fill the disk.
    #[arg(long, env = "KRING_MAX_SESSION_AGE", default_value = "24h", value_parser = parse_timeout)]
    pub max_session_age: Duration,

    /// Sessions created from one address that may be live (not yet ended by age or purged)
    /// at once.
    #[arg(long, env = "KRING_MAX_LIVE_SESSIONS_PER_IP", default_value_t = 50)]
    pub max_live_sessions_per_ip: usize,

    /// Free space the data directory's file system must keep: below it new sessions are
    /// refused (`507`) and `/healthz` says so. Bytes, or with `KiB`, `MiB`, `GiB`.
    #[arg(long, env = "KRING_MIN_FREE_DISK", default_value = "256MiB", value_parser = parse_bytes)]
    pub min_free_disk: u64,

    /// Origins (`https://host[:port]`, comma-separated) whose pages may open a WebSocket.
    /// Default: the origin of `--public-url`, or else the request's own host. A request without
    /// an `Origin` header (not a browser: scripts, native apps) is allowed; it cannot carry a
    /// browser user's credentials, as kring keeps none in cookies.
    #[arg(long, env = "KRING_ALLOWED_ORIGINS", value_delimiter = ',', value_parser = parse_origin)]
    pub allowed_origins: Vec<String>,

    /// Host names (comma-separated) this server answers to besides `--public-url`'s, its
    /// addresses and `localhost`, e.g. `kring.lan`. A request for another host is refused
    /// (421), so that a page whose name an attacker re-points at this server (DNS rebinding)
    /// cannot use it. Not checked when kring serves TLS itself.
    #[arg(long, env = "KRING_ALLOWED_HOSTS", value_delimiter = ',', value_parser = parse_host)]
    pub allowed_hosts: Vec<String>,

    /// Frames queued for one client before it counts as too slow and is dropped (it resumes).
    #[arg(long, env = "KRING_CLIENT_QUEUE", default_value_t = 256)]
    pub client_queue: usize,

    /// Bytes queued and not yet written for one client before it counts as too slow: room for
    /// the largest welcome (960 KiB) and what follows it.
    #[arg(long, env = "KRING_CLIENT_QUEUE_BYTES", default_value = "2MiB", value_parser = parse_bytes)]
    pub client_queue_bytes: u64,

    /// Bytes queued and not yet written for all clients of one address (IPv6: one /64)
    /// together; beyond it the client whose frame does not fit counts as too slow. A venue's
    /// phones joining a large room at once share it.
    #[arg(long, env = "KRING_ADDRESS_QUEUE_BYTES", default_value = "64MiB", value_parser = parse_bytes)]
    pub address_queue_bytes: u64,

    /// Submissions (questions, advice, ...) one member may make per window, e.g. `6/10s`.
    /// Raise it only for load tests.
    #[arg(long, env = "KRING_SUBMIT_LIMIT", default_value = "6/10s", value_parser = parse_submit_limit)]
    pub submit_limit: SubmitLimit,

    /// Upper bound on a graceful shutdown.
    #[arg(long, env = "KRING_SHUTDOWN_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub shutdown_timeout: Duration,

    /// How long a client may take to send a request's headers (and, with TLS, to finish the
    /// handshake) before its connection is closed. Keeps half-sent requests from holding
    /// connections open.
    #[arg(long, env = "KRING_HEADER_TIMEOUT", default_value = "15s", value_parser = parse_timeout)]
    pub header_timeout: Duration,

    /// How long a request's body may take to arrive once its headers are in (at most 30 s).
    /// A request that is not complete by then is answered 408 and its connection closed, so a
    /// client sending a body byte by byte cannot hold a connection for long.
    #[arg(long, env = "KRING_BODY_TIMEOUT", default_value = "15s", value_parser = parse_body_timeout)]
    pub body_timeout: Duration,

    /// Requests one HTTP connection may carry (keep-alive); the last one's answer closes it.
    /// An idle connection is closed after `--header-timeout` without a new request.
    #[arg(long, env = "KRING_KEEP_ALIVE_REQUESTS", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_alive_requests: u32,

    /// Maximum simultaneous HTTP connections that are not WebSockets (page loads, API calls,
    /// idle keep-alive, requests still arriving). Beyond it new connections are closed at once.
    #[arg(long, env = "KRING_MAX_HTTP_CONNECTIONS", default_value_t = 4096)]
    pub max_http_connections: usize,

    /// Maximum simultaneous HTTP connections (not WebSockets) from one address (IPv6: one
    /// /64). A browser opens up to six at once while loading the app; a venue's phones share
    /// one address.
    #[arg(long, env = "KRING_MAX_HTTP_CONNECTIONS_PER_IP", default_value_t = 256)]
    pub max_http_connections_per_ip: usize,

    /// Reverse proxies (comma-separated addresses or CIDRs, e.g. `127.0.0.1,10.0.0.0/8`)
    /// whose word on the client's address is taken: for a connection from one of them the
    /// client is the rightmost address in `--forwarded-header` that is not itself a trusted
    /// proxy. Every per-address limit counts by that address. Without it, forwarding headers
    /// are ignored (any client could send them).
    #[arg(long, env = "KRING_TRUSTED_PROXIES", value_delimiter = ',', value_parser = crate::client::parse_net)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// The header trusted proxies write the client's address into: `x-forwarded-for` or
    /// `forwarded` (RFC 7239). Only this one is read.
    #[arg(long, env = "KRING_FORWARDED_HEADER", value_enum, default_value_t = ForwardedHeader::XForwardedFor)]
    pub forwarded_header: ForwardedHeader,

    /// Connections from trusted proxies start with a PROXY protocol header (version 2, as
    /// HAProxy's `send-proxy-v2` sends it, or version 1); its source address is the client.
    /// Connections from other addresses are served as they are.
    #[arg(long, env = "KRING_PROXY_PROTOCOL", requires = "trusted_proxies")]
    pub proxy_protocol: bool,

    /// Certificate chain (PEM) to serve HTTPS and WSS directly, without a reverse proxy.
    /// Needs `--tls-key`.
    #[arg(long, env = "KRING_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// Private key (PEM) of `--tls-cert`.
    #[arg(long, env = "KRING_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite,
    Memory,
    Postgres(DbUrl),
}

/// A database URL. It usually carries a password: `Debug` shows only the scheme and host.
#[derive(Clone, PartialEq, Eq)]
pub struct DbUrl(pub String);

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rest = self.0.split_once("://").map_or("", |(_, r)| r);
        let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
        let host = host.split(['/', '?']).next().unwrap_or("");
        write!(f, "postgres://{host}")
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    /// Whether kring serves TLS itself (then its own links are https:// and wss://).
    pub fn serves_tls(&self) -> bool {
        self.tls_cert.is_some()
    }

    /// The store to open: `--database-url` wins over the default of `--store`.
    pub fn store_kind(&self) -> StoreKind {
        match &self.database_url {
            Some(url) => StoreKind::Postgres(url.clone()),
            None => self.store.clone(),
        }
    }

    /// How long a room waits for a store that went away before it closes its sockets.
    pub fn store_grace(&self) -> Duration {
        self.owner_ttl * 2
    }

    /// This node's name: `--node-name`, else the host name.
    pub fn node_name(&self) -> String {
        if let Some(name) = &self.node_name {
            return name.clone();
        }
        std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "kring".to_owned())
    }

    /// The URL other nodes forward connections to: `--node-url`, else the listen address.
    pub fn node_url(&self) -> Result<String, String> {
        if let Some(url) = &self.node_url {
            return Ok(url.clone());
        }
        if self.listen.ip().is_unspecified() {
            return Err(format!(
                "--listen {} is a wildcard address: set --node-url to the address other \
                 nodes reach this one at",
                self.listen
            ));
        }
        Ok(format!("http://{}", self.listen))
    }

    /// The trusted proxies and the header they write.
    pub fn proxies(&self) -> TrustedProxies {
        TrustedProxies::new(self.trusted_proxies.clone(), self.forwarded_header)
    }

    /// Parses the command line and the environment (exits with a usage message on an error).
    /// The flag says whether the operator set a connection cap (`--max-connections`,
    /// `--max-http-connections`) rather than leaving the default.
    pub fn load() -> (Config, bool) {
        let matches = Config::command().get_matches();
        let explicit = ["max_connections", "max_http_connections"]
            .iter()
            .any(|id| {
                matches!(
                    matches.value_source(id),
                    Some(ValueSource::CommandLine | ValueSource::EnvVariable)
                )
            });
        let cfg = Config::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        (cfg, explicit)
    }

    /// Defaults for tests and embedding: memory store, port 0 on loopback.
    pub fn for_tests() -> Config {
        let mut cfg = Config::parse_from(["kring"]);
        cfg.listen = SocketAddr::from(([127, 0, 0, 1], 0));
        cfg.store = StoreKind::Memory;
        cfg
    }
}

/// Parses `sqlite`, `memory` or a `postgres://` URL.
pub(crate) fn parse_store(s: &str) -> Result<StoreKind, String> {
    match s {
        "sqlite" => Ok(StoreKind::Sqlite),
        "memory" => Ok(StoreKind::Memory),
        _ => parse_postgres(s)
            .map(StoreKind::Postgres)
            .map_err(|_| "use sqlite, memory or a postgres:// URL".to_owned()),
    }
}

/// A `postgres://` (or `postgresql://`) URL. The error never repeats it (it may carry a
/// password).
pub(crate) fn parse_postgres(s: &str) -> Result<DbUrl, String> {
    if s.starts_with("postgres://") || s.starts_with("postgresql://") {
        Ok(DbUrl(s.to_owned()))
    } else {
        Err("a Postgres URL starts with postgres:// or postgresql://".to_owned())
    }
}

/// An ownership ttl: long enough to renew a few times, at most a minute.
pub(crate) fn parse_owner_ttl(s: &str) -> Result<Duration, String> {
    let ttl = parse_duration(s)?;
    if ttl < Duration::from_secs(1) || ttl > Duration::from_secs(60) {
        return Err("the owner ttl must be between 1s and 60s".to_owned());
    }
    Ok(ttl)
}

/// `http://host:port`, without a path: nodes forward plain WebSockets to each other on the
/// private network between them.
pub(crate) fn parse_node_url(s: &str) -> Result<String, String> {
    let s = s.trim().trim_end_matches('/');
    match s.strip_prefix("http://") {
        Some(rest) if !rest.is_empty() && !rest.contains('/') => Ok(s.to_owned()),
        _ => Err(format!("`{s}` is not a URL such as http://10.0.0.5:8080")),
    }
}

/// Parses `500ms`, `30s`, `5m`, `24h`, `7d`, `6y` (a year is 365 days) or `0`.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("`{s}` needs a unit: ms, s, m, h, d or y"))?;
    let (number, unit) = s.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{s}` does not start with a number"))?;
    let per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "y" => 365 * 86_400_000,
        _ => return Err(format!("`{unit}` is not a unit: use ms, s, m, h, d or y")),
    };
    // `99999999999999999d` must be an error, not a wrapped (debug: panicking) product.
    n.checked_mul(per_unit)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("`{s}` is too long"))
}

/// Parses an origin (`https://host[:port]`) into the form browsers send: lower case, without
/// a default port, path or trailing slash.
pub fn parse_origin(s: &str) -> Result<String, String> {
    normalize_origin(s.trim().trim_end_matches('/'))
        .ok_or_else(|| format!("`{s}` is not an origin such as https://kring.example.org"))
}

/// The canonical form of an `Origin` value, or `None` when it is not an http(s) origin (e.g.
/// `null`, which sandboxed frames and `file:` pages send).
pub(crate) fn normalize_origin(origin: &str) -> Option<String> {
    let (scheme, authority) = origin.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    let authority = authority.to_ascii_lowercase();
    let valid = !authority.is_empty()
        && authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
    if !valid {
        return None;
    }
    let authority = authority.strip_suffix(default_port).unwrap_or(&authority);
    Some(format!("{scheme}://{authority}"))
}

/// Parses a size: `0`, `512MiB`, `1GiB`, or a number of bytes.
pub(crate) fn parse_bytes(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{s}` does not start with a number"))?;
    let factor: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        other => return Err(format!("`{other}` is not a unit: use KiB, MiB or GiB")),
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("`{s}` is too large"))
}

/// Parses a host name for `--allowed-hosts`: lower case, without port or trailing dot.
pub(crate) fn parse_host(s: &str) -> Result<String, String> {
    let host = s.trim().trim_end_matches('.').to_ascii_lowercase();
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    valid
        .then_some(host)
        .ok_or_else(|| format!("`{s}` is not a host name such as kring.lan"))
}

/// Parses `count/duration`, e.g. `100/1m`; both above zero.
pub fn parse_rate(s: &str) -> Result<Rate, String> {
    let (max, window) = s
        .split_once('/')
        .ok_or_else(|| format!("`{s}` is not of the form count/duration, e.g. 6/10s"))?;
    let max: u32 = max
        .trim()
        .parse()
        .map_err(|_| format!("`{max}` is not a count up to {}", u32::MAX))?;
    let window = parse_duration(window)?;
    if max == 0 || window.is_zero() {
        return Err("the count and the duration must be above 0".into());
    }
    Ok(Rate { max, window })
}

/// A duration above zero: a timeout of `0` would close every connection at once.
pub(crate) fn parse_timeout(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d.is_zero() => Err("a timeout must be above 0".into()),
        d => Ok(d),
    }
}

/// The longest `--body-timeout`: with more, a few thousand slow requests could hold every
/// descriptor for minutes.
pub(crate) const MAX_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// A timeout above zero and at most [`MAX_BODY_TIMEOUT`].
pub(crate) fn parse_body_timeout(s: &str) -> Result<Duration, String> {
    match parse_timeout(s)? {
        d if d > MAX_BODY_TIMEOUT => Err("the body timeout is at most 30s".into()),
        d => Ok(d),
    }
}

/// Parses `count/duration`, e.g. `6/10s`, into the engine's per-member submit limit.
pub fn parse_submit_limit(s: &str) -> Result<SubmitLimit, String> {
    let rate = parse_rate(s)?;
    Ok(SubmitLimit {
        max: usize::try_from(rate.max).unwrap_or(usize::MAX),
        window_ms: u64::try_from(rate.window.as_millis()).unwrap_or(u64::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(
            parse_duration("6y"),
            Ok(Duration::from_secs(6 * 365 * 86_400))
        );
        assert!(parse_duration("24").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("3w").is_err());
    }

    #[test]
    fn origins_normalize() {
        assert_eq!(
            parse_origin("HTTPS://Kring.Example.org:443/"),
            Ok("https://kring.example.org".into())
        );
        assert_eq!(
            normalize_origin("http://localhost:8080"),
            Some("http://localhost:8080".into())
        );
        assert_eq!(normalize_origin("null"), None);
        assert_eq!(normalize_origin("file://"), None);
        assert_eq!(normalize_origin("https://a.example/path"), None);
        assert!(parse_origin("kring.example.org").is_err());
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_bytes("0"), Ok(0));
        assert_eq!(parse_bytes("512MiB"), Ok(512 << 20));
        assert_eq!(parse_bytes("1GiB"), Ok(1 << 30));
        assert!(parse_bytes("1GB").is_err());
        assert!(parse_bytes("GiB").is_err());
    }

    #[test]
    fn timeouts_are_above_zero() {
        assert_eq!(parse_timeout("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("0s").is_err());
        assert_eq!(parse_body_timeout("30s"), Ok(MAX_BODY_TIMEOUT));
        assert!(parse_body_timeout("31s").is_err());
        assert!(parse_body_timeout("0").is_err());
        assert!(Config::try_parse_from(["kring", "--keep-alive-requests", "0"]).is_err());
    }

    #[test]
    fn tls_needs_both_files() {
        let both = Config::try_parse_from(["kring", "--tls-cert", "c.pem", "--tls-key", "k.pem"]);
        assert!(both.is_ok_and(|cfg| cfg.serves_tls()));
        assert!(Config::try_parse_from(["kring", "--tls-cert", "c.pem"]).is_err());
        assert!(Config::try_parse_from(["kring", "--tls-key", "k.pem"]).is_err());
        assert!(Config::try_parse_from(["kring"]).is_ok_and(|cfg| !cfg.serves_tls()));
    }

    #[test]
    fn stores_parse_and_urls_stay_out_of_debug_output() {
        assert_eq!(parse_store("sqlite"), Ok(StoreKind::Sqlite));
        assert_eq!(parse_store("memory"), Ok(StoreKind::Memory));
        let pg = parse_store("postgres://kring:s3cret@db.internal:5432/kring?sslmode=require")
            .expect("postgres URL");
        let shown = format!("{pg:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("kring:"),
            "{shown}"
        );
        assert!(shown.contains("db.internal:5432"), "{shown}");
        let err = parse_store("mysql://u:s3cret@h/d").unwrap_err();
        assert!(!err.contains("s3cret"), "{err}");
        let cfg =
            Config::try_parse_from(["kring", "--database-url", "postgresql://h/d"]).expect("parse");
        assert!(matches!(cfg.store_kind(), StoreKind::Postgres(_)));
        assert!(
            Config::try_parse_from([
                "kring",
                "--store",
                "memory",
                "--database-url",
                "postgres://h/d"
            ])
            .is_err()
        );
    }

    #[test]
    fn trusted_proxies_parse_and_proxy_protocol_needs_them() {
        let cfg = Config::try_parse_from(["kring", "--trusted-proxies", "127.0.0.1, 10.0.0.0/8"])
            .unwrap();
        assert!(cfg.proxies().trusts("10.9.8.7".parse().unwrap()));
        assert!(!cfg.proxies().trusts("11.0.0.1".parse().unwrap()));
        assert!(Config::try_parse_from(["kring", "--trusted-proxies", "nginx"]).is_err());
        assert!(Config::try_parse_from(["kring", "--proxy-protocol"]).is_err());
        assert!(
            Config::try_parse_from(["kring", "--proxy-protocol", "--trusted-proxies", "::1"])
                .is_ok()
        );
    }

    #[test]
    fn node_urls_and_ttls_are_checked() {
        assert_eq!(
            parse_node_url("http://10.0.0.5:8080/"),
            Ok("http://10.0.0.5:8080".into())
        );
        assert!(parse_node_url("https://10.0.0.5").is_err());
        assert!(parse_node_url("http://h/x").is_err());
        assert!(parse_owner_ttl("500ms").is_err());
        assert_eq!(parse_owner_ttl("10s"), Ok(Duration::from_secs(10)));
        let mut cfg = Config::for_tests();
        cfg.listen = "0.0.0.0:8080".parse().expect("addr");
        assert!(cfg.node_url().is_err());
        cfg.listen = "10.1.2.3:8080".parse().expect("addr");
        assert_eq!(cfg.node_url(), Ok("http://10.1.2.3:8080".into()));
    }

    #[test]
    fn submit_limits_parse() {
        assert_eq!(
            parse_submit_limit("6/10s"),
            Ok(SubmitLimit {
                max: 6,
                window_ms: 10_000
            })
        );
        assert!(parse_submit_limit("0/1s").is_err());
        assert!(parse_submit_limit("6").is_err());
    }

    #[test]
    fn rates_parse_and_refuse_what_would_overflow() {
        assert_eq!(
            parse_rate("300/1m"),
            Ok(Rate::new(300, Duration::from_secs(60)))
        );
        assert!(parse_rate("5000000000/1m").is_err(), "above u32");
        assert!(parse_rate("1/0").is_err());
        assert!(parse_duration("99999999999999999d").is_err());
        assert!(parse_rate("1/99999999999999999d").is_err());
        assert_eq!(
            parse_duration("213503982334d").map(|d| d.as_secs() / 86_400),
            Ok(213_503_982_334)
        );
    }
}
