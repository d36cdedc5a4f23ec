#!/usr/bin/env bash
# Fuzzes decoding and applying client messages (fuzz/fuzz_targets/client_message.rs) for
# $1 seconds (default 60). Needs the nightly toolchain; installs cargo-fuzz when it is missing.
# The committed seeds in fuzz/corpus/ are only read: what the fuzzer learns goes to fuzz/work/,
# crashes to fuzz/artifacts/. CI does not run this (plain `cargo test` runs the same checks over
# the seeds and random inputs); run it after changing the protocol, the engine or decoding.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "the fuzzer needs the nightly toolchain: rustup toolchain install nightly" >&2
    exit 1
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

mkdir -p fuzz/work/client_message
# No sanitizer: the code under test forbids unsafe code, and the fuzzer runs faster without
# one. Debug assertions turn overflows and broken engine assumptions into crashes.
cargo +nightly fuzz run --sanitizer none --debug-assertions client_message \
    fuzz/work/client_message fuzz/corpus/client_message \
    -- -max_total_time="$seconds" -max_len=16384
