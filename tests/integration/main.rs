//! Integration tests: the real server on port 0, real WebSocket and HTTP clients.

// Helpers fail the test loudly on anything unexpected; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

mod authz;
mod followup;
mod helpers;
mod http;
mod hub;
mod malformed;
mod methods;
mod raw;
mod records;
mod robust;
mod security;
mod serving;
mod summary;
mod tls;
