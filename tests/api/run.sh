#!/usr/bin/env bash
# Tests the HTTP API against its own OpenAPI document with schemathesis: every documented
# operation gets generated valid and invalid requests, and every answer must be documented
# (status, content type, body schema) and never a server error.
set -euo pipefail
cd "$(dirname "$0")/../.."

version=4.32.5
if ! python3 -m schemathesis.cli --version 2>/dev/null | grep -q "$version"; then
    python3 -m pip install --quiet --disable-pip-version-check "schemathesis==$version"
fi

data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Generous per-address limits: every generated request comes from this one address.
target/debug/kring --listen "127.0.0.1:$port" --store memory --data-dir "$data" \
    --create-limit 100000/1h --join-attempts 100000/1m --max-live-sessions-per-ip 100000 \
    --log warn &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
created=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d '{"method":"basic","title":"API test"}' "$base/api/sessions")
KRING_CODE=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["code"].replace("-", ""))' <<<"$created")
KRING_FACILITATOR_TOKEN=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["facilitator_token"])' <<<"$created")
export KRING_CODE KRING_FACILITATOR_TOKEN

python3 -m schemathesis.cli --config-file tests/api/schemathesis.toml run "$base/api/openapi.json" \
    --no-color
