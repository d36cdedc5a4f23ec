//! Running the `kring` binary: start on a known port, kill, terminate, collect its output.

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::helpers::TestServer;

pub struct Kring {
    child: Child,
    pub addr: SocketAddr,
    /// Everything the process wrote to stdout and stderr.
    pub output: Arc<Mutex<String>>,
}

/// A port that was free a moment ago (restarts must come back on the same address).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Kring {
    /// Starts `kring` with a SQLite store in `data_dir` on `port`, plus `extra` flags, and
    /// waits until it accepts requests.
    pub async fn start(data_dir: &Path, port: u16, extra: &[&str]) -> Kring {
        Kring::start_from(
            Command::new(env!("CARGO_BIN_EXE_kring")),
            data_dir,
            port,
            extra,
        )
        .await
    }

    /// [`Kring::start`] under a soft and a hard limit on open files (set by `sh` before it
    /// becomes `kring`, so the process id is kring's).
    pub async fn start_with_files(
        data_dir: &Path,
        port: u16,
        (soft, hard): (u64, u64),
        extra: &[&str],
    ) -> Kring {
        Kring::start_from(with_files(soft, hard), data_dir, port, extra).await
    }

    async fn start_from(mut command: Command, data_dir: &Path, port: u16, extra: &[&str]) -> Kring {
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut child = command
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--store")
            .arg("sqlite")
            .args(extra)
            .env_remove("KRING_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kring");
        let output = Arc::new(Mutex::new(String::new()));
        collect(child.stdout.take().unwrap(), output.clone());
        collect(child.stderr.take().unwrap(), output.clone());
        let kring = Kring {
            child,
            addr,
            output,
        };
        kring.wait_ready().await;
        kring
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = crate::http_client::client();
        loop {
            let url = format!("http://{}/healthz", self.addr);
            if let Ok(r) = client.get(url).send().await
                && r.status() == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "kring did not start:\n{}",
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn client(&self) -> TestServer {
        TestServer::attach(self.addr)
    }

    /// The process id (for `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// SIGKILL: no chance to flush or say goodbye.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then wait for a clean exit; returns everything it wrote.
    pub fn terminate(mut self) -> String {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        assert!(
            exit.success(),
            "kring exited with {exit}:\n{}",
            self.output()
        );
        // The readers finish once the pipes close.
        std::thread::sleep(Duration::from_millis(100));
        self.output()
    }
}

/// `kring` started by `sh` under the given limits on open files.
pub fn with_files(soft: u64, hard: u64) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "ulimit -Sn {soft} && ulimit -Hn {hard} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_kring"));
    command
}

impl Drop for Kring {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
