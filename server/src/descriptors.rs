//! File descriptors: every connection holds one. With too few, `accept` fails and the server
//! stops taking anyone, long before the connection caps (which answer with a clear refusal)
//! are reached. At start the soft limit is raised to the hard limit, and the caps must fit
//! under it.
//!
//! When they do not: caps the operator set (`--max-connections`, `--max-http-connections`)
//! are a promise kring cannot keep, so it refuses to start and says what to raise. The
//! default caps are lowered to fit, with a warning, so that `kring` still starts on a laptop
//! whose hard limit is a few thousand.

use crate::config::Config;

/// Descriptors kring uses besides client connections: the listener, the database and its
/// journal files, standard streams, the runtime's event queues, and headroom for connections
/// the kernel hands over between a cap check and a close.
pub(crate) const RESERVE: u64 = 64;

/// The descriptors the caps in `cfg` need.
pub(crate) fn needed(cfg: &Config) -> u64 {
    (cfg.max_connections as u64)
        .saturating_add(cfg.max_http_connections as u64)
        .saturating_add(RESERVE)
}

/// What to do with `limit` descriptors.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Fit {
    /// The caps fit.
    Enough,
    /// Lower the default caps to these (WebSockets, HTTP connections), and each address's
    /// share to at most a quarter of them, so that one address cannot take them all.
    Lower { websockets: usize, http: usize },
    /// Refuse to start: the caps were set explicitly, or nothing useful fits.
    TooFew { needed: u64 },
}

/// Decides whether the caps in `cfg` fit `limit` descriptors; `explicit` says whether the
/// operator set them.
pub(crate) fn fit(cfg: &Config, limit: u64, explicit: bool) -> Fit {
    let needed = needed(cfg);
    if limit >= needed {
        return Fit::Enough;
    }
    if explicit || limit < 4 * RESERVE {
        return Fit::TooFew { needed };
    }
    let available = (limit - RESERVE) as usize;
    // A quarter for HTTP: page loads are short, WebSockets are what a session keeps.
    let http = cfg.max_http_connections.min(available / 4);
    Fit::Lower {
        websockets: cfg.max_connections.min(available - http),
        http,
    }
}

/// Raises the soft limit on open files to the hard limit; returns the limit now in force.
pub(crate) fn raise_limit() -> std::io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

/// Raises the limit and makes the caps in `cfg` fit it (see the module's documentation).
/// `Err` says why kring must not start.
pub fn prepare(cfg: &mut Config, explicit: bool) -> Result<(), String> {
    let limit = match raise_limit() {
        Ok(limit) => limit,
        Err(e) => {
            tracing::warn!(error = %e, "could not read or raise the limit on open files");
            return Ok(());
        }
    };
    match fit(cfg, limit, explicit) {
        Fit::Enough => {
            tracing::info!(limit, needed = needed(cfg), "open files");
            Ok(())
        }
        Fit::Lower { websockets, http } => {
            tracing::warn!(
                limit,
                needed = needed(cfg),
                max_connections = websockets,
                max_http_connections = http,
                max_http_connections_per_ip = cfg.max_http_connections_per_ip.min(http / 4),
                "THE LIMIT ON OPEN FILES IS TOO LOW for the default connection caps; they are \
                 lowered to fit. Raise it (systemd: LimitNOFILE=65536, see docs/DEPLOY.md)"
            );
            cfg.max_connections = websockets;
            cfg.max_http_connections = http;
            cfg.max_connections_per_ip = cfg.max_connections_per_ip.min(websockets / 4).max(1);
            cfg.max_http_connections_per_ip = cfg.max_http_connections_per_ip.min(http / 4).max(1);
            Ok(())
        }
        Fit::TooFew { needed } => Err(format!(
            "the limit on open files is {limit}, but --max-connections ({}) and \
             --max-http-connections ({}) need {needed}: raise the hard limit (systemd: \
             LimitNOFILE={needed} or more; a shell: ulimit -Hn) or lower the caps",
            cfg.max_connections, cfg.max_http_connections
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_fit_refuse_or_are_lowered() {
        let cfg = Config::for_tests();
        assert_eq!(needed(&cfg), 50_000 + 4_096 + RESERVE);
        assert_eq!(fit(&cfg, 65_536, false), Fit::Enough);
        assert_eq!(fit(&cfg, 65_536, true), Fit::Enough);
        assert_eq!(
            fit(&cfg, 1024, false),
            Fit::Lower {
                websockets: 720,
                http: 240
            }
        );
        assert_eq!(
            fit(&cfg, 1024, true),
            Fit::TooFew {
                needed: needed(&cfg)
            }
        );
        assert!(matches!(fit(&cfg, 100, false), Fit::TooFew { .. }));
    }
}
