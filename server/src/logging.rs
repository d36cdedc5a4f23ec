//! Logging set-up. Whatever filter the operator chooses, libraries that log message payloads
//! are capped: at TRACE, tungstenite prints every WebSocket frame (session text, tokens), and
//! the HTTP stack prints bodies. Confidentiality wins over verbosity.

use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

/// Targets whose debug/trace output can contain frames or bodies, and the most they may log.
const CAPS: &[&str] = &[
    "tungstenite=info",
    "tokio_tungstenite=info",
    "hyper=info",
    "hyper_util=info",
    "h2=info",
    "axum=info",
    "tower=info",
    "tower_http=info",
    "sqlx=info",
];

/// The operator's filter with [`CAPS`] added last, so they override any directive for the
/// same targets.
pub fn filter(spec: &str) -> EnvFilter {
    let mut filter = EnvFilter::try_new(spec).unwrap_or_else(|_| EnvFilter::new("info"));
    for cap in CAPS {
        if let Ok(directive) = cap.parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// Installs the global subscriber (stderr, text or JSON).
pub fn init(cfg: &Config) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(&cfg.log))
        .with_writer(std::io::stderr);
    match cfg.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
