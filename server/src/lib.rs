//! kring server: HTTP, WebSocket, hub, rooms and store.

pub mod metrics;
pub mod store;
