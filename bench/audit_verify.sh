#!/usr/bin/env bash
# bench/audit_verify.sh: `opsbot audit verify` over a large audit log, sealed with a key and
# anchored, to show that verify reads a page at a time: its peak RSS stays the same from a
# small log to a large one. Prints, per size, the records, the wall time and the peak RSS
# (from /usr/bin/time -v). A benchmark, not a test: nothing asserts.
#
# Usage: bench/audit_verify.sh [RECORDS] [BASELINE]   (defaults: 1000000 and 10000)
#        PROFILE=dev bench/audit_verify.sh            (the debug build, if release is cold)
#        OPSBOT_BIN=target/debug/opsbot bench/audit_verify.sh   (a binary already built)
#
# The log is written straight into SQLite by a small Python seeder that chains and seals the
# records exactly as opsbot does (HMAC-SHA256 under the key over the record's JSON array),
# then its head goes into the anchor file. Everything stays in a temporary directory that
# is removed at exit.
set -euo pipefail

RECORDS=${1:-1000000}
BASELINE=${2:-10000}
PROFILE=${PROFILE:-release}
cd "$(dirname "$0")/.."
ROOT=$PWD

command -v python3 >/dev/null || { echo "bench: python3 is needed for the seeder" >&2; exit 1; }
if [ ! -x /usr/bin/time ]; then
  apt-get install -y -qq time >/dev/null
fi

if [ -n "${OPSBOT_BIN:-}" ]; then
  BIN=$OPSBOT_BIN                     # a binary built already: no cargo run at all
  LABEL=$OPSBOT_BIN
elif [ "$PROFILE" = release ]; then
  echo "building opsbot (release)..."
  cargo build --release -q -p opsbot
  BIN=$ROOT/target/release/opsbot
  LABEL="release build"
else
  echo "building opsbot (debug)..."
  cargo build -q -p opsbot
  BIN=$ROOT/target/debug/opsbot
  LABEL="debug build"
fi

WORK=$(mktemp -d /tmp/opsbot-audit-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# One configured bot per size: a key readable by its owner only, an empty anchor file.
setup() {
  local dir=$1
  mkdir -p "$dir"
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/audit.key"
  chmod 600 "$dir/audit.key"
  : >"$dir/anchor"
  cat >"$dir/policy.toml" <<'EOF'
[roles.viewer]
operations = ["contacts"]
[[bindings]]
role = "viewer"
subjects = ["shell:bench"]
EOF
  cat >"$dir/opsbot.toml" <<'EOF'
locale = "en"
[state]
path = "state.db"
[policy]
file = "policy.toml"
[audit]
key_file = "audit.key"
anchor_file = "anchor"
EOF
}

# Writes COUNT sealed, chained records and the head; appends the head to the anchor.
seed() {
  local dir=$1 count=$2
  # Creates the schema (an empty log verifies).
  "$BIN" audit verify --config "$dir/opsbot.toml" >/dev/null
  python3 - "$dir" "$count" <<'EOF'
import hashlib, hmac, json, sqlite3, sys
directory, count = sys.argv[1], int(sys.argv[2])
key = open(f"{directory}/audit.key", "rb").read().strip()
key_id = hmac.new(key, b"opsbot audit key id", hashlib.sha256).hexdigest()[:16]
scheme = f"hmac-sha256:{key_id}"
db = sqlite3.connect(f"{directory}/state.db")
prev = "0" * 64
def rows():
    global prev
    for seq in range(1, count + 1):
        at = f"2026-12-01T00:{seq // 60 % 60:02}:{seq % 60:02}.{seq % 1000000:06}Z"
        request_id = f"bench{seq // 4:08x}"
        kind = ("invocation", "decision", "step", "result")[seq % 4]
        detail = json.dumps({"text": f"contacts {seq}", "n": seq}, separators=(",", ":"))
        fields = [seq, at, request_id, kind, "shell:bench", "contacts", detail, prev, scheme]
        canonical = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
        digest = hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()
        yield (seq, at, request_id, kind, "shell:bench", "contacts", detail, prev, digest, scheme)
        prev = digest
db.executemany(
    "INSERT INTO audit_log (seq, at, request_id, kind, subject, operation, detail, prev_hash, hash, scheme)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
db.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)", (count, prev))
db.commit()
with open(f"{directory}/anchor", "a") as anchor:
    anchor.write(f"{count} {prev}\n")
EOF
}

measure() {
  local count=$1 dir=$WORK/$1
  setup "$dir"
  echo "seeding $count records..."
  seed "$dir" "$count"
  /usr/bin/time -v "$BIN" audit verify --config "$dir/opsbot.toml" >"$dir/out" 2>"$dir/time" || {
    cat "$dir/out" "$dir/time" >&2
    exit 1
  }
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time")
  printf '%-10s records  verify %-9s  peak RSS %6d KiB   (%s)\n' \
    "$count" "$wall" "$rss" "$(head -1 "$dir/out")"
}

echo "opsbot audit verify ($LABEL), sealed and anchored:"
measure "$BASELINE"
measure "$RECORDS"
