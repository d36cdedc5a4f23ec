//! Wall-clock time in the form the protocol uses.

use kring_protocol::Millis;

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}
