//! The tests' HTTP client.
//!
//! Cargo unifies a dependency's features across the workspace, and the benchmark builds
//! `reqwest` with rustls but without a crypto provider of its own (it brings ring, the provider
//! the server and the WebSocket clients use, rather than a second one). So under
//! `cargo test --workspace` every `reqwest` client needs a process-wide provider installed
//! first; without the benchmark's feature this is a no-op.

/// A client for plain HTTP to a test server.
pub fn client() -> reqwest::Client {
    // Err means a provider is installed already (another test got here first): fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
