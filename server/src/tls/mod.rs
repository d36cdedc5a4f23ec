//! TLS served directly (`--tls-cert`, `--tls-key`), for networks without a reverse proxy.

mod stream;

pub(crate) use stream::TlsStream;

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Reads the certificate chain and key and builds the server's TLS configuration. Every error names the file, so
/// an operator sees at start-up which one to fix.
pub(crate) fn config(cert_path: &Path, key_path: &Path) -> anyhow::Result<Arc<ServerConfig>> {
    let chain = read_chain(cert_path)?;
    let key = read_key(key_path)?;
    // ring rather than the default aws-lc-rs: no C toolchain or CMake needed to build kring.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .with_context(|| {
            format!(
                "the TLS key {} cannot serve the certificate {}",
                key_path.display(),
                cert_path.display()
            )
        })?;
    // WebSocket upgrades are HTTP/1.1; kring serves nothing else.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read_chain(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("reading the TLS certificate {}", path.display()))?;
    if chain.is_empty() {
        bail!(
            "the TLS certificate {} holds no PEM certificate",
            path.display()
        );
    }
    Ok(chain)
}

fn read_key(path: &Path) -> anyhow::Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path)
        .with_context(|| format!("reading the TLS key {} (PEM private key)", path.display()))
}
