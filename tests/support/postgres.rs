//! A throwaway PostgreSQL cluster for tests: `initdb` into a temporary directory and `pg_ctl`
//! on a free port, with the server binaries on `PATH` (`scripts/test.sh` installs Debian's
//! `postgresql` when they are missing). Nothing depends on a database already running.
//!
//! The cluster lives as long as the test process: a small shell keeps it and stops it (and
//! deletes its files) when its standard input closes, which happens when the test process
//! exits for any reason, SIGKILL included. Postgres refuses to run as root, so as root the
//! cluster runs as the `postgres` user.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

pub struct Postgres {
    pub port: u16,
    /// The data directory (`base/`, `pg_wal/`, ...).
    pub data: PathBuf,
    root: PathBuf,
    keeper: Mutex<Option<(Child, ChildStdin)>>,
}

/// The superuser `initdb` creates; tests connect as it, without a password (trust).
pub const SUPERUSER: &str = "kring";

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A shell command line that runs `cmd` as the user the cluster runs as.
fn as_owner(cmd: &str) -> String {
    if running_as_root() {
        format!("runuser -u postgres -- {cmd}")
    } else {
        cmd.to_owned()
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Postgres {
    /// The cluster shared by this test process, started on first use.
    pub fn shared() -> &'static Postgres {
        static PG: OnceLock<Postgres> = OnceLock::new();
        PG.get_or_init(Postgres::start)
    }

    /// Starts a new cluster and waits until it accepts connections.
    pub fn start() -> Postgres {
        for bin in ["initdb", "pg_ctl", "postgres"] {
            let found = Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {bin}"))
                .output()
                .is_ok_and(|o| o.status.success());
            assert!(
                found,
                "`{bin}` is not on PATH: install PostgreSQL's server binaries \
                 (scripts/test.sh installs Debian's postgresql)"
            );
        }
        let root =
            std::env::temp_dir().join(format!("kring-pg-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&root).expect("temp dir");
        if running_as_root() {
            let status = Command::new("chown")
                .args(["postgres:", root.to_str().expect("utf-8 path")])
                .status()
                .expect("chown");
            assert!(status.success(), "chown the cluster directory to postgres");
        }
        let data = root.join("data");
        let port = free_port();
        let root_s = root.display().to_string();
        let data_s = data.display().to_string();
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root_s} \
             -c max_connections=300 -c shared_buffers=64MB -c wal_recycle=off \
             -c log_min_messages=warning"
        );
        let initdb = as_owner(&format!(
            "initdb -D {data_s} -U {SUPERUSER} -A trust -E UTF8 --locale=C --no-sync"
        ));
        let start = as_owner(&format!(
            "pg_ctl -D {data_s} -l {root_s}/log -o '{options}' -w -t 60 start"
        ));
        let stop = as_owner(&format!("pg_ctl -D {data_s} -m immediate -w stop"));
        let script = format!(
            "trap '{stop} >/dev/null 2>&1; rm -rf {root_s}' EXIT
             {initdb} >{root_s}/initdb.log 2>&1 || {{ cat {root_s}/initdb.log >&2; exit 1; }}
             {start} >/dev/null || {{ cat {root_s}/log >&2; exit 1; }}
             echo ready
             read _"
        );
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the cluster's keeper shell");
        let stdin = child.stdin.take().expect("stdin");
        let mut ready = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut ready)
            .expect("read from the keeper");
        assert_eq!(
            ready.trim(),
            "ready",
            "the PostgreSQL cluster did not start"
        );
        Postgres {
            port,
            data,
            root,
            keeper: Mutex::new(Some((child, stdin))),
        }
    }

    /// The URL of database `db` as the superuser.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{db}", self.port)
    }

    /// A new, empty database; returns its URL.
    pub fn fresh_database(&self, prefix: &str) -> String {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!("{prefix}_{}", N.fetch_add(1, Ordering::Relaxed));
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(&name)
    }

    /// Runs SQL through `psql`; returns its output (unaligned, tuples only).
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = Command::new("psql")
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                SUPERUSER,
                "-d",
                db,
            ])
            .args(["-c", sql])
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "psql failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn pg_ctl(&self, args: &str) {
        let cmd = as_owner(&format!("pg_ctl -D {} {args}", self.data.display()));
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("{cmd} >/dev/null"))
            .status()
            .expect("pg_ctl");
        assert!(status.success(), "pg_ctl {args} failed");
    }

    /// Stops the server at once (as a crash would), keeping its files.
    pub fn stop(&self) {
        self.pg_ctl("-m immediate -w stop");
    }

    /// Starts it again after [`Postgres::stop`], on the same port.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c max_connections=300 -c shared_buffers=64MB -c wal_recycle=off \
             -c log_min_messages=warning",
            self.port,
            self.root.display()
        );
        self.pg_ctl(&format!(
            "-l {}/log -o '{options}' -w -t 60 start",
            self.root.display()
        ));
    }

    /// The files of database `db` and the WAL, where deleted text could linger.
    pub fn files_of(&self, db: &str) -> Vec<PathBuf> {
        let oid = self.psql(
            db,
            "SELECT oid FROM pg_database WHERE datname = current_database()",
        );
        let mut files = Vec::new();
        for dir in [self.data.join("base").join(oid), self.data.join("pg_wal")] {
            collect(&dir, &mut files);
        }
        files
    }
}

fn collect(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, into);
        } else {
            into.push(path);
        }
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let keeper = self.keeper.lock().map(|mut k| k.take());
        if let Ok(Some((mut child, mut stdin))) = keeper {
            let _ = stdin.write_all(b"\n");
            drop(stdin);
            let _ = child.wait();
        }
    }
}
