//! TLS served by kring itself (`--tls-cert`, `--tls-key`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use kring_protocol::*;
use kring_server::Config;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::*;

/// A self-signed certificate for `localhost` in a temporary directory.
struct Certificate {
    dir: tempfile::TempDir,
    der: rustls::pki_types::CertificateDer<'static>,
}

impl Certificate {
    fn new() -> Certificate {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cert.pem"), made.cert.pem()).unwrap();
        std::fs::write(dir.path().join("key.pem"), made.signing_key.serialize_pem()).unwrap();
        Certificate {
            dir,
            der: made.cert.der().clone(),
        }
    }

    fn cert(&self) -> PathBuf {
        self.dir.path().join("cert.pem")
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("key.pem")
    }

    fn configure(&self, cfg: &mut Config) {
        cfg.tls_cert = Some(self.cert());
        cfg.tls_key = Some(self.key());
    }

    /// A client that trusts this certificate and nothing else.
    fn connector(&self) -> TlsConnector {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.der.clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        TlsConnector::from(Arc::new(config))
    }

    async fn connect(&self, addr: SocketAddr) -> TlsStream<TcpStream> {
        let tcp = TcpStream::connect(addr).await.unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        self.connector().connect(name, tcp).await.unwrap()
    }
}

/// One HTTP/1.1 request over a fresh TLS connection: the response's head (lowercase) and body.
async fn https(
    cert: &Certificate,
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &str,
) -> (String, String) {
    let mut tls = cert.connect(addr).await;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        addr.port(),
        body.len()
    );
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    // Whether the server ends with a close_notify or not, what arrived before counts.
    let _ = tokio::time::timeout(WAIT, tls.read_to_end(&mut response)).await;
    let response = String::from_utf8(response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    (head.to_lowercase(), body.to_owned())
}

#[tokio::test]
async fn https_and_wss_are_served_with_hsts() {
    let cert = Certificate::new();
    let server = spawn_with(|cfg| cert.configure(cfg)).await;

    let (head, _) = https(&cert, server.addr, "GET", "/healthz", "").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains("strict-transport-security: max-age=31536000"),
        "{head}"
    );

    let create = r#"{"method": "basic", "title": "Over TLS", "language": "en"}"#;
    let (head, body) = https(&cert, server.addr, "POST", "/api/sessions", create).await;
    assert!(head.starts_with("http/1.1 201"), "{head}");
    let session: SessionCreated = serde_json::from_str(&body).unwrap();
    assert!(
        session.join_url.starts_with("https://"),
        "{}",
        session.join_url
    );
    assert!(session.screen_url.starts_with("https://"));

    let tls = cert.connect(server.addr).await;
    let url = format!("wss://localhost:{}{}", server.addr.port(), session.ws_path);
    let (mut ws, _) = tokio_tungstenite::client_async(url, tls).await.unwrap();
    let hello = ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        join: Join::Member {
            name: "Anna".into(),
        },
    };
    let hello = serde_json::to_string(&hello).unwrap();
    ws.send(Message::text(hello)).await.unwrap();
    let reply = tokio::time::timeout(WAIT, ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let reply: ServerMsg = serde_json::from_str(reply.to_text().unwrap()).unwrap();
    assert!(matches!(reply, ServerMsg::Welcome(_)), "{reply:?}");
}

#[tokio::test]
async fn plain_http_is_not_served_on_the_tls_port() {
    let cert = Certificate::new();
    let server = spawn_with(|cfg| cert.configure(cfg)).await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), tcp.read_to_end(&mut answer))
        .await
        .expect("the connection is closed")
        .ok();
    assert!(!answer.starts_with(b"HTTP/"), "plaintext served");

    // The same server still speaks TLS.
    let (head, _) = https(&cert, server.addr, "GET", "/healthz", "").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
}

/// What `kring_server::run` says when it cannot start with these files.
async fn start_up_error(cert: &Path, key: &Path) -> String {
    let mut cfg = Config::for_tests();
    cfg.tls_cert = Some(cert.to_owned());
    cfg.tls_key = Some(key.to_owned());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let started = kring_server::run(listener, cfg, std::future::pending()).await;
    format!("{:#}", started.expect_err("start-up fails"))
}

#[tokio::test]
async fn unusable_certificate_files_stop_start_up_naming_the_file() {
    let cert = Certificate::new();
    let garbage = cert.dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a key\n").unwrap();
    let missing = cert.dir.path().join("missing.pem");

    let error = start_up_error(&cert.cert(), &garbage).await;
    assert!(error.contains(&garbage.display().to_string()), "{error}");
    let error = start_up_error(&cert.cert(), &missing).await;
    assert!(error.contains(&missing.display().to_string()), "{error}");
    let error = start_up_error(&missing, &cert.key()).await;
    assert!(error.contains(&missing.display().to_string()), "{error}");
    // A key that is not the certificate's.
    let other = Certificate::new();
    let error = start_up_error(&cert.cert(), &other.key()).await;
    assert!(
        error.contains(&other.key().display().to_string()),
        "{error}"
    );
}
