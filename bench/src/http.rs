//! The HTTP calls the generator makes (create a session, health check, metrics), over a plain
//! HTTP/1.1 connection: no client library needed for that.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use anyhow::{Context, bail};
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The part of `201 Created` from `POST /api/sessions` the generator uses.
#[derive(Deserialize, Clone, Debug)]
pub struct Created {
    pub ws_path: String,
    pub facilitator_token: String,
}

/// `(status, body)` of one request on a fresh connection (TLS when `tls` is given).
async fn request(
    addr: SocketAddr,
    tls: Option<&TlsConnector>,
    method: &str,
    path: &str,
    body: &str,
) -> anyhow::Result<(u16, String)> {
    let tcp = TcpStream::connect(addr).await?;
    match tls {
        Some(connector) => {
            let stream = crate::tls::connect(connector, tcp).await?;
            exchange(stream, addr, method, path, body).await
        }
        None => exchange(tcp, addr, method, path, body).await,
    }
}

async fn exchange(
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &str,
) -> anyhow::Result<(u16, String)> {
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    let mut raw = Vec::new();
    // A TLS peer may end without close_notify after `Connection: close`; what came is enough.
    if let Err(e) = stream.read_to_end(&mut raw).await
        && raw.is_empty()
    {
        return Err(e.into());
    }
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").context("no HTTP header end")?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no HTTP status")?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Ok((status, body))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// `true` when `GET /healthz` answers 200.
pub async fn healthy(addr: SocketAddr, tls: Option<&TlsConnector>) -> bool {
    matches!(
        request(addr, tls, "GET", "/healthz", "").await,
        Ok((200, _))
    )
}

/// The server's counters from `GET /metrics`, by series (`name` or `name{labels}`).
pub async fn counters(addr: SocketAddr) -> anyhow::Result<BTreeMap<String, f64>> {
    let (status, body) = request(addr, None, "GET", "/metrics", "").await?;
    if status != 200 {
        bail!("GET /metrics answered {status}");
    }
    Ok(parse_counters(&body))
}

/// The Prometheus text format, comments left out.
fn parse_counters(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// Creates a session with the benchmark's one-phase method.
pub async fn create_session(
    addr: SocketAddr,
    tls: Option<&TlsConnector>,
    title: &str,
) -> anyhow::Result<Created> {
    let body = serde_json::json!({
        "title": title,
        "language": "en",
        "template": template(),
    })
    .to_string();
    let (status, body) = request(addr, tls, "POST", "/api/sessions", &body).await?;
    if status != 201 {
        bail!("POST /api/sessions answered {status}: {body}");
    }
    Ok(serde_json::from_str(&body)?)
}

/// One long free phase where everyone may ask questions, vote on them and raise hands (no
/// case-bringer, so the session can start at once).
fn template() -> serde_json::Value {
    let text = |s: &str| serde_json::json!({ "nl": s, "en": s });
    serde_json::json!({
        "id": "bench",
        "name": text("Benchmark"),
        "description": text("One long question round for load tests."),
        "phases": [{
            "id": "bench",
            "name": text("Questions"),
            "instruction": text("Ask open questions."),
            "minutes": 240,
            "turns": "free",
            "allow": {
                "facilitator": ["question"],
                "participant": ["question"]
            }
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_read_by_series() {
        let text = "# HELP a x\n# TYPE a counter\na 3\nb{code=\"rate_limited\"} 12\n";
        let c = parse_counters(text);
        assert_eq!(c.get("a"), Some(&3.0));
        assert_eq!(c.get("b{code=\"rate_limited\"}"), Some(&12.0));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), "abcde");
    }
}
