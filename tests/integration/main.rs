//! Integration tests: the real server on port 0, real WebSocket and HTTP clients.

// Helpers fail the test loudly on anything unexpected; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

mod advice;
mod assets;
mod authz;
mod capacity;
mod cases;
mod compat;
mod edges;
mod followup;
mod helpers;
mod http;
#[path = "../support/http.rs"]
mod http_client;
mod hub;
mod malformed;
mod methods;
mod preview;
mod proxy;
mod raw;
mod rawhttp;
mod real_proxies;
mod records;
mod replay;
mod robust;
mod security;
mod serving;
mod sites;
mod summary;
mod tls;
