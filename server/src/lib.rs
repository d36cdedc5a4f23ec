//! kring server: HTTP, WebSocket, hub, rooms and store.
//!
//! The binary is a thin wrapper around [`run`]; tests call it with a listener on port 0.

#![warn(unreachable_pub)]

mod app;
pub mod client;
mod clock;
pub mod cluster;
pub mod config;
pub mod conn;
pub mod descriptors;
mod error_headers;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod http;
mod hub;
pub mod limits;
mod listen;
pub mod logging;
pub mod metrics;
pub mod proxy_protocol;
pub mod records;
mod redact;
mod room;
mod secrets;
mod socket;
pub mod store;
mod summary;
mod tls;

pub use app::run;
pub use config::Config;
