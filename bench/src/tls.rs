//! TLS for the runs of kring with `--tls-cert`: a self-signed certificate for `localhost` in
//! the work directory, and a client configuration that trusts it and nothing else.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

const CERT: &str = "tls-cert.pem";
const KEY: &str = "tls-key.pem";

/// The certificate and key files in `work`, made on first use.
pub fn files(work: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let (cert, key) = (work.join(CERT), work.join(KEY));
    if !cert.exists() || !key.exists() {
        std::fs::create_dir_all(work)?;
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
            .context("making a certificate")?;
        std::fs::write(&cert, made.cert.pem())?;
        std::fs::write(&key, made.signing_key.serialize_pem())?;
    }
    Ok((cert, key))
}

/// A connector that trusts the certificate in `work`.
pub fn connector(work: &Path) -> anyhow::Result<TlsConnector> {
    static CONNECTOR: OnceLock<TlsConnector> = OnceLock::new();
    if let Some(connector) = CONNECTOR.get() {
        return Ok(connector.clone());
    }
    let (cert, _) = files(work)?;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_file(&cert).context("reading the certificate")?)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(CONNECTOR
        .get_or_init(|| TlsConnector::from(Arc::new(config)))
        .clone())
}

pub async fn connect(
    connector: &TlsConnector,
    tcp: TcpStream,
) -> anyhow::Result<TlsStream<TcpStream>> {
    let name = ServerName::try_from("localhost")?;
    Ok(connector.connect(name, tcp).await?)
}
