//! Several nodes on one Postgres database, in one process: a room is claimed by the node its
//! first connection reaches, other nodes forward its connections there, a node that stops
//! hands its rooms over, a room another node took closes its sockets with `room_moved`, and a
//! store that goes away makes rooms refuse commands with a retry code until it is back.
//! (Nodes killed, frozen and restarted as processes behind HAProxy: `tests/cluster_load`.)

#![allow(clippy::unwrap_used)]

#[path = "../../../tests/integration/helpers.rs"]
#[allow(dead_code)]
mod helpers;
#[path = "../../../tests/support/http.rs"]
mod http_client;
#[path = "../../../tests/support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

mod nodes;

mod failures;
mod routing;
