//! `kring`: the server binary.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;

use kring_server::Config;
use tokio::net::{TcpListener, TcpSocket};

fn main() -> ExitCode {
    let (mut cfg, explicit_caps) = Config::load();
    init_logging(&cfg);
    if let Err(why) = kring_server::descriptors::prepare(&mut cfg, explicit_caps) {
        tracing::error!(reason = %why, "kring cannot start");
        eprintln!("kring: {why}");
        return ExitCode::FAILURE;
    }
    // A panic message could quote whatever the panicking code held; log only where it was.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(at, "panic");
    }));
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kring: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(cfg)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "kring stopped with an error");
            ExitCode::FAILURE
        }
    }
}

/// Pending connections the kernel queues for us: a reconnect storm of thousands of clients
/// must not overflow it (tokio's default is 1024; Linux caps it at `net.core.somaxconn`).
const BACKLOG: u32 = 4096;

async fn serve(cfg: Config) -> anyhow::Result<()> {
    let listener = bind(cfg.listen)?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, store = ?cfg.store, tls = cfg.serves_tls(), "listening");
    let scheme = if cfg.serves_tls() { "https" } else { "http" };
    eprintln!("kring is running: open {scheme}://{addr}/ (stop with Ctrl-C)");
    kring_server::run(listener, cfg, shutdown_signal()).await
}

/// Binds the listener with a deep accept backlog (reconnect storms, restarts). What each
/// accepted socket needs (`TCP_NODELAY`, a small send buffer) is set in `kring_server::run`.
fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

fn init_logging(cfg: &Config) {
    kring_server::logging::init(cfg);
}
