//! kring server: HTTP, WebSocket, hub, rooms and store.
//!
//! The binary is a thin wrapper around [`run`]; tests call it with a listener on port 0.

mod app;
pub mod client;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod conn;
pub mod descriptors;
mod error_headers;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod http;
pub mod hub;
pub mod limits;
mod listen;
pub mod logging;
pub mod metrics;
pub mod proxy_protocol;
pub mod records;
pub mod redact;
pub mod room;
pub mod secrets;
pub mod socket;
pub mod store;
pub mod summary;
mod tls;

pub use app::run;
pub use config::Config;
