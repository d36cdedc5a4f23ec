#!/usr/bin/env bash
# Benchmarks kring side by side with a Node.js `ws` baseline and writes the report:
# docs/bench/results.json, the results section of docs/PERFORMANCE.md and
# docs/bench/latency.svg. Installs what it needs (Node.js and npm from Debian when missing,
# the baseline's npm packages, a release build of the server and the generator).
#
#   scripts/bench.sh           the full grid and scenarios (about 23 minutes on 2 cores)
#   scripts/bench.sh --smoke   a short run that checks the numbers come out (CI); writes to
#                              bench/results/smoke/ and leaves docs/ alone
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
case "${1:-}" in
    --smoke) smoke=1 ;;
    "") ;;
    *) echo "usage: scripts/bench.sh [--smoke]" >&2; exit 64 ;;
esac

log() { printf '\n== %s\n' "$*"; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    log "installing nodejs and npm (Debian packages)"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >/dev/null
fi

if ! command -v valgrind >/dev/null; then
    log "installing valgrind (Debian package, for the instruction counts)"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq valgrind >/dev/null
fi

# shellcheck source=scripts/cluster-deps.sh
. scripts/cluster-deps.sh
cluster_deps

log "baseline npm packages"
(cd bench/baseline && npm ci --no-audit --no-fund --loglevel=error)

# The disguised-advice check, alone: CPU time per contribution of 500 characters (budget 20 µs;
# the bench exits non-zero above it). A full run writes its table into docs/PERFORMANCE.md.
if [ "$smoke" -eq 1 ]; then
    log "advice check micro-benchmark (short)"
    cargo bench --locked -p kring-engine --bench advice -- --quick
else
    log "advice check micro-benchmark"
    cargo bench --locked -p kring-engine --bench advice -- --doc "$PWD/docs/PERFORMANCE.md"
fi

log "release build of the server, the load generator and the store's load example"
cargo build --release --locked -p kring-server -p kring-bench
cargo build --release --locked -p kring-server --example store_load
bin="${CARGO_TARGET_DIR:-target}/release"

# One descriptor per connection in the server and in the generator: take all we may.
hard="$(ulimit -Hn)"
[ "$hard" = "unlimited" ] && hard=1048576
ulimit -n "$hard"

if [ "$smoke" -eq 1 ]; then
    out=bench/results/smoke
    mkdir -p "$out"
    log "benchmark smoke run (small sizes, a few seconds per server)"
    "$bin/kring-bench" suite --smoke --kring "$bin/kring" --baseline bench/baseline \
        --work "$out/work" --json "$out/results.json" --doc "$out/PERFORMANCE.md" \
        --svg "$out/latency.svg" --callgrind docs/bench/callgrind.json
    log "benchmark smoke run produced valid numbers ($out/PERFORMANCE.md)"
    # Instruction counts do not depend on what else the machine does, so this one is held to
    # the committed figures: it fails when a delivery costs more than 10 % above them.
    log "instruction counts under callgrind, checked against docs/bench/callgrind.json"
    "$bin/kring-bench" callgrind --kring "$bin/kring" --work "$out/work" \
        --json "$out/callgrind.json" --check docs/bench/callgrind.json
    log "cluster scenario smoke run (two nodes on PostgreSQL, one on SQLite)"
    "$bin/kring-bench" cluster --smoke --kring "$bin/kring" --work "$out/work" \
        --json "$out/cluster.json"
else
    # First, so that the suite's targets table shows this build's counts.
    log "instruction counts under callgrind (the figures the smoke run is held to)"
    "$bin/kring-bench" callgrind --kring "$bin/kring" --work bench/results/work \
        --json docs/bench/callgrind.json
    log "benchmark: kring (sqlite), kring (memory) and the node ws baseline, alternating"
    "$bin/kring-bench" suite --kring "$bin/kring" --baseline bench/baseline \
        --work bench/results/work --json docs/bench/results.json --doc docs/PERFORMANCE.md \
        --svg docs/bench/latency.svg --callgrind docs/bench/callgrind.json
    log "cluster scenario: two nodes on PostgreSQL beside one on SQLite"
    "$bin/kring-bench" cluster --kring "$bin/kring" --work bench/results/work \
        --json docs/bench/cluster.json --doc docs/PERFORMANCE.md
    log "report written: docs/PERFORMANCE.md, docs/bench/results.json, docs/bench/cluster.json, docs/bench/latency.svg"
fi
