//! Integration tests: the real server on port 0, real WebSocket and HTTP clients.

mod helpers;
mod http;
mod hub;
mod methods;
