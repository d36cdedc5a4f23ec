//! The load balancers of docs/DEPLOY.md, run as written there: the test takes the
//! configuration block from the document and replaces only the listen address (no TLS here)
//! and the nodes' addresses. Every replaced text must be in the block, so the document and the
//! test cannot drift apart.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::nodes::free_port;

/// The documentation's example node addresses, in order.
const DOC_NODES: [&str; 3] = ["10.0.0.11:8080", "10.0.0.12:8080", "10.0.0.13:8080"];

/// The fenced block after `<!-- cluster: {name} -->` in docs/DEPLOY.md.
fn block(name: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/DEPLOY.md");
    let doc = std::fs::read_to_string(path).expect("docs/DEPLOY.md");
    let marker = format!("<!-- cluster: {name} -->");
    let after = doc
        .split_once(&marker)
        .unwrap_or_else(|| panic!("{marker} missing from docs/DEPLOY.md"))
        .1;
    let body = after
        .split_once("```")
        .and_then(|(_, rest)| rest.split_once('\n'))
        .map(|(_, rest)| rest)
        .expect("a fenced block after the marker");
    body.split_once("```").expect("the block ends").0.to_owned()
}

fn replace(text: &mut String, from: &str, to: &str) {
    assert!(
        text.contains(from),
        "`{from}` is not in the documented configuration any more"
    );
    *text = text.replace(from, to);
}

fn with_nodes(mut text: String, nodes: &[u16]) -> String {
    for (doc, port) in DOC_NODES.iter().zip(nodes) {
        replace(&mut text, doc, &format!("127.0.0.1:{port}"));
    }
    assert!(!text.contains("10.0.0."), "an address left unreplaced");
    text
}

pub struct Balancer {
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Balancer {
    /// HAProxy in front of the nodes on `nodes`.
    pub async fn haproxy(nodes: &[u16]) -> Balancer {
        let port = free_port();
        let mut cfg = block("haproxy.cfg");
        replace(
            &mut cfg,
            "bind :443 ssl crt /etc/haproxy/certs/kring.pem alpn http/1.1",
            &format!("bind 127.0.0.1:{port}"),
        );
        let cfg = with_nodes(cfg, nodes);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("haproxy.cfg");
        std::fs::write(&file, &cfg).unwrap();
        let check = Command::new("haproxy")
            .args(["-c", "-q", "-f"])
            .arg(&file)
            .output()
            .expect("haproxy is installed (scripts/test.sh installs it)");
        assert!(
            check.status.success(),
            "haproxy refuses the documented configuration: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let log = std::fs::File::create(dir.path().join("haproxy.log")).unwrap();
        let child = Command::new("haproxy")
            .args(["-db", "-f"])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let lb = Balancer {
            port,
            child,
            _dir: dir,
        };
        lb.wait_up().await;
        lb
    }

    /// nginx in front of the nodes on `nodes`: the documented http-level configuration in a
    /// minimal main configuration of the test's own.
    pub async fn nginx(nodes: &[u16]) -> Balancer {
        let port = free_port();
        let mut http = block("nginx.conf");
        replace(
            &mut http,
            "listen 443 ssl;",
            &format!("listen 127.0.0.1:{port};"),
        );
        for line in [
            "ssl_certificate     /etc/letsencrypt/live/kring.example.org/fullchain.pem;",
            "ssl_certificate_key /etc/letsencrypt/live/kring.example.org/privkey.pem;",
        ] {
            replace(&mut http, line, "");
        }
        let http = with_nodes(http, nodes);
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        let main = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 4096; }}\n\
             http {{\n access_log off;\n client_body_temp_path {d}/body;\n \
             proxy_temp_path {d}/proxy;\n fastcgi_temp_path {d}/fastcgi;\n \
             uwsgi_temp_path {d}/uwsgi;\n scgi_temp_path {d}/scgi;\n{http}\n}}\n"
        );
        let file = dir.path().join("nginx.conf");
        std::fs::write(&file, &main).unwrap();
        let check = Command::new("nginx")
            .args(["-t", "-q", "-p"])
            .arg(dir.path())
            .arg("-c")
            .arg(&file)
            .output()
            .expect("nginx is installed (scripts/test.sh installs it)");
        assert!(
            check.status.success(),
            "nginx refuses the documented configuration: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let child = Command::new("nginx")
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lb = Balancer {
            port,
            child,
            _dir: dir,
        };
        lb.wait_up().await;
        lb
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    async fn wait_up(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let url = format!("http://{}/healthz", self.addr());
        loop {
            if let Ok(r) = crate::http_client::client().get(&url).send().await
                && r.status() == 200
            {
                return;
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(self._dir.path().join("haproxy.log"))
                    .unwrap_or_default();
                panic!("the load balancer did not come up: {log}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
