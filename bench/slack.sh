#!/usr/bin/env bash
# bench/slack.sh: the Slack acknowledgement path of `opsbot serve` under load. A load client
# (tests/src/bin/slack_load.rs) starts the Slack Web API emulator and a release opsbot on
# 127.0.0.1, then fires signed `/ops contacts` slash commands at each RATE for SECONDS:
# ack latency p50/p90/p99/max (open-loop, counted from each request's due time), non-200
# answers, and opsbot's RSS idle and at its peak under load. A benchmark, not a test.
#
# Usage: bench/slack.sh [RATES] [SECONDS]        (defaults: 200,1000 and 10)
#
# Goal (issue 4): p99 under 10 ms at 1000 req/s with zero failures; idle RSS under 20 MB.
# Each command is a real run (policy, audit log in SQLite, a Slack message), spread over one
# channel per command a second so Slack's one-message-a-second pace per channel keeps up.
# Everything stays on loopback; the client stops by itself.
set -euo pipefail

RATES=${1:-200,1000}
SECONDS_EACH=${2:-10}
cd "$(dirname "$0")/.."

echo "building opsbot and the load client (release)..."
cargo build --release -q -p opsbot
cargo build --release -q -p opsbot-tests --bin slack_load

exec target/release/slack_load --bin target/release/opsbot --rates "$RATES" --seconds "$SECONDS_EACH"
