#!/usr/bin/env bash
# bench/discord.sh: the Discord interactions endpoint of `opsbot serve` under load. A load
# client (tests/src/bin/discord_load.rs) starts the Discord API emulator and a release opsbot
# on 127.0.0.1, then fires Ed25519-signed `/ops-line contacts` interactions at each RATE for
# SECONDS: latency of the HTTP answer (the deferred ack) p50/p90/p99/max (open-loop, counted
# from each request's due time), non-200 answers, and opsbot's RSS idle and at its peak under
# load. A benchmark, not a test.
#
# Usage: bench/discord.sh [RATES] [SECONDS]        (defaults: 200,1000 and 10)
#
# Each interaction is a real run (signature check, policy, audit log in SQLite, the result
# written as an edit of the original response in the emulator), so the figures include the
# background work competing for the same cores. Everything stays on loopback; the client
# stops by itself.
set -euo pipefail

RATES=${1:-200,1000}
SECONDS_EACH=${2:-10}
cd "$(dirname "$0")/.."

echo "building opsbot and the load client (release)..."
cargo build --release -q -p opsbot
cargo build --release -q -p opsbot-tests --bin discord_load

exec target/release/discord_load --bin target/release/opsbot --rates "$RATES" --seconds "$SECONDS_EACH"
