//! The HTTP calls the generator makes (create a session, health check, metrics), with
//! `reqwest`. Every request goes on a fresh connection (no pool), as a browser opening the app
//! would, so that idle keep-alive connections do not sit in the server's memory while it is
//! measured.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context, bail};
use kring_protocol::{
    CreateSession, InputKind, Language, Localized, MethodTemplate, PhaseTemplate, Role, TurnMode,
};
use serde::Deserialize;
use tokio_rustls::TlsConnector;

/// The part of `201 Created` from `POST /api/sessions` the generator uses (the Node.js
/// baseline answers with these fields only).
#[derive(Deserialize, Clone, Debug)]
pub struct Created {
    pub ws_path: String,
    pub facilitator_token: String,
}

/// Time for one request: generous, the server may be saturated on purpose.
const TIMEOUT: Duration = Duration::from_secs(60);

/// One client per server and scheme, kept for the run. TLS clients trust the run's
/// self-signed certificate only and reach `localhost` at the server's address.
fn client(addr: SocketAddr, tls: Option<&TlsConnector>) -> anyhow::Result<reqwest::Client> {
    static CLIENTS: OnceLock<Mutex<HashMap<(SocketAddr, bool), reqwest::Client>>> = OnceLock::new();
    let clients = CLIENTS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut clients = clients.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(client) = clients.get(&(addr, tls.is_some())) {
        return Ok(client.clone());
    }
    let mut builder = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(TIMEOUT)
        .no_proxy();
    if let Some(connector) = tls {
        // The WebSocket clients' configuration: the same trust, the same protocol versions.
        let config: rustls::ClientConfig = (**connector.config()).clone();
        builder = builder
            .tls_backend_preconfigured(config)
            .resolve("localhost", addr);
    }
    let client = builder.build().context("building the HTTP client")?;
    clients.insert((addr, tls.is_some()), client.clone());
    Ok(client)
}

fn url(addr: SocketAddr, tls: bool, path: &str) -> String {
    if tls {
        format!("https://localhost:{}{path}", addr.port())
    } else {
        format!("http://{addr}{path}")
    }
}

/// `true` when `GET /healthz` answers 200.
pub async fn healthy(addr: SocketAddr, tls: Option<&TlsConnector>) -> bool {
    let Ok(client) = client(addr, tls) else {
        return false;
    };
    let response = client
        .get(url(addr, tls.is_some(), "/healthz"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    matches!(response, Ok(r) if r.status() == reqwest::StatusCode::OK)
}

/// The server's counters from `GET /metrics`, by series (`name` or `name{labels}`).
pub async fn counters(addr: SocketAddr) -> anyhow::Result<BTreeMap<String, f64>> {
    let response = client(addr, None)?
        .get(url(addr, false, "/metrics"))
        .send()
        .await?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        bail!("GET /metrics answered {status}");
    }
    Ok(parse_counters(&response.text().await?))
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
    let response = client(addr, tls)?
        .post(url(addr, tls.is_some(), "/api/sessions"))
        .json(&session(title))
        .send()
        .await?;
    let status = response.status();
    if status != reqwest::StatusCode::CREATED {
        let body = response.text().await.unwrap_or_default();
        bail!("POST /api/sessions answered {status}: {body}");
    }
    Ok(response.json().await?)
}

fn session(title: &str) -> CreateSession {
    CreateSession {
        method: None,
        template: Some(template()),
        title: title.to_owned(),
        language: Some(Language::En),
        settings: None,
        group_token: None,
        group_name: None,
        time_zone: None,
    }
}

/// One long free phase where everyone may ask questions, vote on them and raise hands (no
/// case-bringer, so the session can start at once).
fn template() -> MethodTemplate {
    let text = |s: &str| Localized::nl_en(s, s);
    MethodTemplate {
        id: "bench".to_owned(),
        name: text("Benchmark"),
        description: text("One long question round for load tests."),
        dots_per_member: 3,
        rotate_case_bringer: false,
        phases: vec![PhaseTemplate {
            id: "bench".to_owned(),
            name: text("Questions"),
            instruction: text("Ask open questions."),
            minutes: 240,
            turns: TurnMode::Free,
            allow: BTreeMap::from([
                (Role::Facilitator, vec![InputKind::Question]),
                (Role::Participant, vec![InputKind::Question]),
            ]),
            case_bringer_listens: false,
            max_per_member: BTreeMap::new(),
            case_bringer_notes: false,
            one_per_turn: false,
            round_order: Default::default(),
        }],
    }
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
    fn the_session_is_the_one_phase_question_round() {
        let body = serde_json::to_value(session("bench room 1")).expect("json");
        assert_eq!(body["title"], "bench room 1");
        assert_eq!(body["language"], "en");
        let phase = &body["template"]["phases"][0];
        assert_eq!(phase["turns"], "free");
        assert_eq!(phase["allow"]["participant"][0], "question");
        assert_eq!(phase["allow"]["facilitator"][0], "question");
        // What the server reads back is what was meant.
        let back: CreateSession = serde_json::from_value(body).expect("a CreateSession");
        assert_eq!(back, session("bench room 1"));
    }
}
