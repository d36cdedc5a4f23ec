//! Tests of the real `kring` binary as a process: killed with SIGKILL under load, run at
//! TRACE log level with canary content, and purging ended sessions from the database files.

#![allow(clippy::unwrap_used)]

#[path = "../../../tests/integration/helpers.rs"]
#[allow(dead_code)]
mod helpers;
#[path = "../../../tests/support/http.rs"]
mod http_client;
mod server;
mod session;

mod crash;
mod descriptors;
mod logs;
mod purge;
