#!/usr/bin/env bash
# Runs every test of kring on a fresh machine: installs what the tests need (Chromium and
# ChromeDriver from Debian, npm packages), checks the browser app's types, runs the Rust
# unit and integration tests, the browser tests and a benchmark smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

install_browser() {
    if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
        return
    fi
    log "installing chromium and chromium-driver (Debian packages)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
}

install_browser

# The integration tests run kring behind a real nginx, Caddy and HAProxy
# (tests/integration/real_proxies.rs).
install_proxies() {
    local missing=""
    for program in nginx caddy haproxy; do
        command -v "$program" >/dev/null || [ -x "/usr/sbin/$program" ] || missing="$missing $program"
    done
    [ -n "$missing" ] || return 0
    log "installing$missing (Debian packages)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
}

install_proxies

# shellcheck source=scripts/cluster-deps.sh
. scripts/cluster-deps.sh
cluster_deps

log "npm packages"
(cd web-client && npm ci --no-audit --no-fund --loglevel=error)

log "browser app type check (tsc --noEmit against the generated protocol types)"
(cd web-client && npx --no-install tsc --noEmit -p .)

log "browser app formatting (prettier --check, the version pinned in web-client/package.json)"
(cd web-client && npx --no-install prettier --check .)

log "browser app unit tests (catalogs, session state, outbox)"
(cd web-client && node --test test/)

# The browser tests start the real binary; it embeds web-client/ at build time, so build it
# after any change to the app. They find it in the workspace target directory.
log "cargo build --bin kring (for the browser tests)"
cargo build --bin kring --locked

log "browser tests (headless Debian Chromium, one browser at a time)"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error && node --test --test-concurrency=1)

log "HTTP API against its OpenAPI document (schemathesis, from PyPI)"
tests/api/run.sh

# The cluster load test runs three nodes, HAProxy, PostgreSQL and a thousand clients on this
# machine: it runs the release build, leaving the cores to the nodes rather than to debug
# code (the benchmark below uses the same build).
log "cargo build --release (server and load generator)"
cargo build --release --locked -p kring-server -p kring-bench
KRING_CLUSTER_BIN="$(realpath "${CARGO_TARGET_DIR:-target}/release/kring")"
export KRING_CLUSTER_BIN

log "cargo test (unit, integration, store on SQLite and PostgreSQL, crash, purge, log, cluster tests)"
cargo test --workspace --locked

log "cluster test report"
cat "${CARGO_TARGET_DIR:-target}/tmp/cluster_load_report.txt" \
    "${CARGO_TARGET_DIR:-target}/tmp/cluster_load_nginx_report.txt"

scripts/bench.sh --smoke

log "all tests passed"
