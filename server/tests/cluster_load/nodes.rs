//! kring nodes as processes: started, killed, frozen, thawed, restarted, on fixed ports (the
//! load balancer's configuration names them).

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Node {
    pub name: String,
    pub port: u16,
    args: Vec<String>,
    child: Option<Child>,
    pub output: Arc<Mutex<String>>,
}

/// The `kring` binary: this build's, or the one `KRING_CLUSTER_BIN` names (scripts/test.sh
/// passes its release build, which leaves more of a shared machine to the test).
fn binary() -> String {
    std::env::var("KRING_CLUSTER_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_kring").to_owned())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Node {
    /// Starts `kring` with `args` on a free port and waits until it is healthy.
    pub async fn start(name: &str, args: Vec<String>) -> Node {
        let mut node = Node {
            name: name.to_owned(),
            port: free_port(),
            args,
            child: None,
            output: Arc::new(Mutex::new(String::new())),
        };
        node.spawn();
        node.wait_healthy().await;
        node
    }

    fn spawn(&mut self) {
        let addr = format!("127.0.0.1:{}", self.port);
        let mut child = Command::new(binary())
            .args(["--listen", &addr, "--node-name", &self.name])
            .args(&self.args)
            .env_remove("KRING_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kring");
        collect(child.stdout.take().unwrap(), self.output.clone());
        collect(child.stderr.take().unwrap(), self.output.clone());
        self.child = Some(child);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub async fn wait_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = crate::http_client::client();
        loop {
            if let Ok(r) = client.get(self.url("/healthz")).send().await
                && r.status() == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not become healthy:\n{}",
                self.name,
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill {signal}");
    }

    /// SIGKILL: no chance to flush, release or say goodbye.
    pub fn kill(&mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// SIGSTOP: frozen, sockets open, lease not renewed.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    /// SIGTERM, and waits for a clean exit.
    pub fn terminate(&mut self) {
        self.signal("-TERM");
        let exit = self.child.take().expect("running").wait().unwrap();
        assert!(
            exit.success(),
            "{} exited with {exit}:\n{}",
            self.name,
            self.output()
        );
    }

    /// Starts it again on the same port (after kill or terminate).
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "stopped first");
        self.spawn();
        self.wait_healthy().await;
    }

    pub async fn metrics(&self) -> String {
        crate::http_client::client()
            .get(self.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn metric(&self, name: &str) -> u64 {
        let text = self.metrics().await;
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no metric {name} on {}", self.name))
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-CONT", &child.id().to_string()])
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn collect(stream: impl Read + Send + 'static, into: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let mut out = into.lock().unwrap();
            out.push_str(&line);
            out.push('\n');
        }
    });
}
