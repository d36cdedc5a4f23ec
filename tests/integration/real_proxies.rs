//! kring behind a real nginx (X-Forwarded-For) and a real HAProxy (PROXY protocol v2), on
//! loopback, configured as docs/DEPLOY.md says. Clients come from different loopback
//! addresses; a guesser behind the proxy must not lock out everyone else behind it.
//! `scripts/test.sh` installs nginx and haproxy.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kring_server::client::parse_net;
use kring_server::config::parse_rate;

use crate::helpers::*;
use crate::proxy::{join_by_code, unknown_code};
use crate::rawhttp::{connect_from, exchange};

const NOT_FOUND: u16 = 4404;
const BLOCKED: u16 = 4029;

/// A proxy process, stopped when dropped.
struct Proxy {
    child: Child,
    addr: SocketAddr,
    dir: tempfile::TempDir,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

impl Proxy {
    async fn start(program: &str, args: &[&str], config: &str, addr: SocketAddr) -> Proxy {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("proxy.conf");
        std::fs::write(&path, config.replace("{dir}", dir.path().to_str().unwrap())).unwrap();
        // Debian puts both in /usr/sbin, which is not on every user's PATH.
        let sbin = format!("/usr/sbin/{program}");
        let program = if Path::new(&sbin).exists() {
            sbin.as_str()
        } else {
            program
        };
        let child = Command::new(program)
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .args(args.iter().map(|a| {
                a.replace("{conf}", path.to_str().unwrap())
                    .replace("{dir}", dir.path().to_str().unwrap())
            }))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{program} cannot start ({e}); scripts/test.sh installs it")
            });
        let proxy = Proxy { child, addr, dir };
        let deadline = Instant::now() + WAIT;
        while tokio::net::TcpStream::connect(addr).await.is_err() {
            assert!(Instant::now() < deadline, "{program} did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        proxy
    }

    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }
}

/// nginx as in docs/DEPLOY.md, on plain HTTP (TLS changes nothing here).
async fn nginx(kring: SocketAddr) -> Proxy {
    let addr = free_addr();
    let config = format!(
        r#"
daemon off;
master_process off;
worker_processes 1;
error_log {{dir}}/error.log;
pid {{dir}}/nginx.pid;
events {{ worker_connections 128; }}
http {{
    client_body_temp_path {{dir}}/body;
    proxy_temp_path {{dir}}/proxy;
    fastcgi_temp_path {{dir}}/fastcgi;
    uwsgi_temp_path {{dir}}/uwsgi;
    scgi_temp_path {{dir}}/scgi;
    {masking}
    server {{
        listen {addr};
        access_log {{dir}}/access.log kring;

        location / {{
            proxy_pass http://{kring};
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}

        location /ws/ {{
            proxy_pass http://{kring};
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 120s;
            proxy_send_timeout 120s;
        }}
    }}
}}
"#,
        masking = NGINX_LOG_MASK,
    );
    let args = ["-p", "{dir}", "-e", "{dir}/error.log", "-c", "{conf}"];
    Proxy::start("nginx", &args, &config, addr).await
}

/// The access-log format of docs/DEPLOY.md, which masks room codes.
const NGINX_LOG_MASK: &str = r#"
    map $request_uri $kring_uri {
        "~*^(?<kring_path>/+(?:ws|join|session|screen|api/+sessions))/+[^/?]+(?<kring_rest>[^?]*)"  $kring_path/***$kring_rest;
        default  $uri;
    }
    log_format kring '$remote_addr - $remote_user [$time_local] "$request_method $kring_uri" '
                     '$status $body_bytes_sent "$http_user_agent"';
"#;

async fn haproxy(kring: SocketAddr) -> Proxy {
    let addr = free_addr();
    let config = format!(
        r#"
global
    maxconn 256
defaults
    mode tcp
    timeout connect 5s
    timeout client 120s
    timeout server 120s
frontend kring
    bind {addr}
    default_backend kring
backend kring
    server kring {kring} send-proxy-v2
"#
    );
    Proxy::start("haproxy", &["-db", "-f", "{conf}"], &config, addr).await
}

/// Caddy as in docs/DEPLOY.md, on plain HTTP.
async fn caddy(kring: SocketAddr) -> Proxy {
    let addr = free_addr();
    let port = addr.port();
    let config = format!(
        r#"
{{
    admin off
    auto_https off
    storage file_system {{dir}}/data
}}
http://:{port} {{
    bind 127.0.0.1
    reverse_proxy {kring}
    log {{
        output file {{dir}}/access.log
        format filter {{
            wrap json
            fields {{
                request>uri regexp "(?i)^(/+(?:ws|join|session|screen|api/+sessions))/+[^/?]+([^?]*).*$" "${{1}}/***${{2}}"
            }}
        }}
    }}
}}
"#
    );
    let args = ["run", "--adapter", "caddyfile", "--config", "{conf}"];
    Proxy::start("caddy", &args, &config, addr).await
}

fn behind_loopback_proxy(cfg: &mut kring_server::Config) {
    cfg.public_url = Some("http://kring".into());
    cfg.trusted_proxies = vec![parse_net("127.0.0.1").unwrap()];
    cfg.join_attempts = parse_rate("3/1m").unwrap();
}

/// Three unknown codes from `guesser` through the proxy block it; `other`, behind the same
/// proxy, is not blocked.
async fn guesser_alone_is_blocked(proxy: SocketAddr, guesser: [u8; 4], other: [u8; 4]) {
    for n in 0..3 {
        let tcp = connect_from(guesser, proxy).await;
        assert_eq!(
            join_by_code(tcp, proxy, &unknown_code(n), &[]).await,
            NOT_FOUND
        );
    }
    let tcp = connect_from(guesser, proxy).await;
    assert_eq!(
        join_by_code(tcp, proxy, &unknown_code(3), &[]).await,
        BLOCKED
    );
    let tcp = connect_from(other, proxy).await;
    assert_eq!(
        join_by_code(tcp, proxy, &unknown_code(4), &[]).await,
        NOT_FOUND
    );
}

#[tokio::test]
async fn behind_nginx_a_guesser_does_not_lock_out_the_others() {
    let server = spawn_with(behind_loopback_proxy).await;
    let nginx = nginx(server.addr).await;
    guesser_alone_is_blocked(nginx.addr, [127, 0, 0, 2], [127, 0, 0, 3]).await;
    // The guesser's own X-Forwarded-For is appended to, not believed.
    let tcp = connect_from([127, 0, 0, 2], nginx.addr).await;
    let claim = [("X-Forwarded-For", "127.0.0.3")];
    assert_eq!(
        join_by_code(tcp, nginx.addr, &unknown_code(9), &claim).await,
        BLOCKED
    );

    // The access log shows the paths without their room codes.
    let session = server.create_session("basic").await;
    let mut tcp = connect_from([127, 0, 0, 3], nginx.addr).await;
    let join = format!("GET /join/{} HTTP/1.1\r\nHost: kring\r\n\r\n", session.code);
    assert_eq!(exchange(&mut tcp, &join).await.unwrap().status, 200);
    drop(tcp);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = nginx.file("access.log");
    assert!(log.contains("GET /join/***"), "{log}");
    assert!(log.contains("GET /ws/***"), "{log}");
    for n in 0..5 {
        assert!(!log.contains(&unknown_code(n)), "{log}");
    }
    assert!(!log.contains(&session.code), "{log}");
}

#[tokio::test]
async fn behind_caddy_a_guesser_does_not_lock_out_the_others() {
    let server = spawn_with(behind_loopback_proxy).await;
    let caddy = caddy(server.addr).await;
    guesser_alone_is_blocked(caddy.addr, [127, 0, 0, 2], [127, 0, 0, 3]).await;
    let tcp = connect_from([127, 0, 0, 2], caddy.addr).await;
    let claim = [("X-Forwarded-For", "127.0.0.3")];
    assert_eq!(
        join_by_code(tcp, caddy.addr, &unknown_code(9), &claim).await,
        BLOCKED
    );

    let session = server.create_session("basic").await;
    let mut tcp = connect_from([127, 0, 0, 3], caddy.addr).await;
    let join = format!("GET /join/{} HTTP/1.1\r\nHost: kring\r\n\r\n", session.code);
    assert_eq!(exchange(&mut tcp, &join).await.unwrap().status, 200);
    drop(tcp);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let log = caddy.file("access.log");
    assert!(log.contains("/join/***"), "{log}");
    assert!(log.contains("/ws/***"), "{log}");
    for n in 0..5 {
        assert!(!log.contains(&unknown_code(n)), "{log}");
    }
    assert!(!log.contains(&session.code), "{log}");
}

#[tokio::test]
async fn behind_haproxy_with_the_proxy_protocol_a_guesser_does_not_lock_out_the_others() {
    let server = spawn_with(|cfg| {
        behind_loopback_proxy(cfg);
        cfg.proxy_protocol = true;
    })
    .await;
    let haproxy = haproxy(server.addr).await;
    guesser_alone_is_blocked(haproxy.addr, [127, 0, 0, 2], [127, 0, 0, 3]).await;
    let mut tcp = connect_from([127, 0, 0, 4], haproxy.addr).await;
    let health = "GET /healthz HTTP/1.1\r\nHost: kring\r\n\r\n";
    assert_eq!(exchange(&mut tcp, health).await.unwrap().status, 200);
}
