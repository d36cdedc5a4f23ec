//! Logging set-up. Whatever filter the operator chooses, libraries that log message payloads
//! are capped: at TRACE, tungstenite prints every WebSocket frame (session text, tokens), and
//! the HTTP stack prints bodies. Confidentiality wins over verbosity.
//!
//! The caps are a filter of their own, consulted besides the operator's: an event must pass
//! both. Added to the operator's filter as directives they could be undone by a more specific
//! directive (`tungstenite::protocol=trace` beats `tungstenite=info`); no directive the
//! operator writes reaches this one.

use tracing::Subscriber;
use tracing_subscriber::filter::{EnvFilter, LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

use crate::config::{Config, LogFormat};

/// Crates (and every module in them) whose debug/trace output can contain frames or bodies:
/// they log at most INFO.
const CAPPED: &[&str] = &[
    "tungstenite",
    "tokio_tungstenite",
    "hyper",
    "hyper_util",
    "h2",
    "http_body",
    "axum",
    "tower",
    "tower_http",
    "sqlx",
    "rustls",
];

/// The operator's filter (`--log`); an invalid one falls back to `info`.
pub(crate) fn filter(spec: &str) -> EnvFilter {
    EnvFilter::try_new(spec).unwrap_or_else(|_| EnvFilter::new("info"))
}

/// The caps: [`CAPPED`] targets at INFO, everything else let through (the operator's filter
/// decides).
pub(crate) fn caps() -> Targets {
    CAPPED.iter().fold(
        Targets::new().with_default(LevelFilter::TRACE),
        |targets, target| targets.with_target(*target, LevelFilter::INFO),
    )
}

/// The subscriber for `spec` and `format`, writing to `writer`.
pub(crate) fn subscriber<W>(
    spec: &str,
    format: LogFormat,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let registry = tracing_subscriber::registry()
        .with(filter(spec))
        .with(caps());
    let fmt = tracing_subscriber::fmt::layer().with_writer(writer);
    match format {
        LogFormat::Json => Box::new(registry.with(fmt.json())),
        LogFormat::Text => Box::new(registry.with(fmt)),
    }
}

/// Installs the global subscriber (stderr, text or JSON); records of the `log` crate
/// (tungstenite logs through it) go through the same filters.
pub fn init(cfg: &Config) {
    subscriber(&cfg.log, cfg.log_format, std::io::stderr).init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    #[test]
    fn more_specific_directives_do_not_lift_the_caps() {
        let out = Captured::default();
        let spec = "trace,tungstenite::protocol=trace,tokio_tungstenite::compat=trace,\
                    hyper::proto::h1::io=trace,axum::rejection=trace,kring_server=trace";
        let subscriber = subscriber(spec, LogFormat::Text, out.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "tungstenite::protocol", "SECRET-FRAME");
            tracing::debug!(target: "tungstenite::protocol::frame", "SECRET-FRAME");
            tracing::trace!(target: "tokio_tungstenite::compat", "SECRET-FRAME");
            tracing::trace!(target: "hyper::proto::h1::io", "SECRET-BODY");
            tracing::debug!(target: "axum::rejection", "SECRET-BODY");
            tracing::info!(target: "tungstenite::protocol", "info passes");
            tracing::trace!(target: "kring_server::room", "own trace passes");
        });
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(!text.contains("SECRET"), "{text}");
        assert!(
            text.contains("info passes") && text.contains("own trace passes"),
            "{text}"
        );
    }
}
