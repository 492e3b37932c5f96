#!/usr/bin/env bash
# bench/snapshot.sh: opsbot's `etcd snapshot` against `etcdctl snapshot save`, on one throwaway
# etcd filled to SIZE_MB, RUNS times each, alternating. Prints each tool's throughput, the
# ratio opsbot/etcdctl and opsbot's peak RSS. A benchmark, not a test: nothing asserts.
#
# Usage: bench/snapshot.sh [RUNS] [SIZE_MB]        (defaults: 5 runs, 200 MB)
#
# Everything stays on 127.0.0.1 and in a temporary directory that is removed at exit.
# opsbot's time includes what a user waits for: process start, the stream, fsync, reading
# the file back to verify it, and pruning. etcdctl's is the stream and fsync only.
set -euo pipefail

RUNS=${1:-5}
SIZE_MB=${2:-200}
cd "$(dirname "$0")/.."
ROOT=$PWD

for tool in etcd etcdctl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed (apt-get install etcd-server etcd-client)" >&2; exit 1; }
done
if [ ! -x /usr/bin/time ]; then
  apt-get install -y -qq time >/dev/null
fi
export ETCDCTL_API=3

echo "building opsbot (release)..."
cargo build --release -q -p opsbot
BIN=$ROOT/target/release/opsbot

WORK=$(mktemp -d /tmp/opsbot-bench.XXXXXX)
ETCD_PID=
cleanup() {
  if [ -n "$ETCD_PID" ]; then
    kill "$ETCD_PID" 2>/dev/null || true
    wait "$ETCD_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Arithmetic on decimals (awk, so bc is not needed).
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

# A port nobody answers on (bash's /dev/tcp connect fails).
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

CLIENT_PORT=$(free_port)
PEER_PORT=$(free_port)
while [ "$PEER_PORT" = "$CLIENT_PORT" ]; do PEER_PORT=$(free_port); done
EP=http://127.0.0.1:$CLIENT_PORT
PEER=http://127.0.0.1:$PEER_PORT

etcd --name bench --data-dir "$WORK/etcd" \
  --listen-client-urls "$EP" --advertise-client-urls "$EP" \
  --listen-peer-urls "$PEER" --initial-advertise-peer-urls "$PEER" \
  --initial-cluster "bench=$PEER" \
  --quota-backend-bytes $((8 * 1024 * 1024 * 1024)) \
  >"$WORK/etcd.log" 2>&1 &
ETCD_PID=$!

for _ in $(seq 1 300); do
  if etcdctl --endpoints "$EP" endpoint health >/dev/null 2>&1; then break; fi
  if ! kill -0 "$ETCD_PID" 2>/dev/null; then
    echo "bench: etcd exited; its log:" >&2
    cat "$WORK/etcd.log" >&2
    exit 1
  fi
  sleep 0.1
done
etcdctl --endpoints "$EP" endpoint health >/dev/null 2>&1 || {
  echo "bench: etcd did not become healthy; its log:" >&2
  cat "$WORK/etcd.log" >&2
  exit 1
}

db_size() {
  etcdctl --endpoints "$EP" endpoint status --write-out=json | grep -o '"dbSize":[0-9]*' | cut -d: -f2
}

# 1 MB values (below etcd's 1.5 MiB request limit), given on stdin: argv could not hold one.
head -c 750000 /dev/urandom | base64 -w0 | head -c 1000000 >"$WORK/value"
TARGET=$((SIZE_MB * 1000 * 1000))
echo "filling etcd to $SIZE_MB MB..."
FILL_START=$(date +%s.%N)
i=0
while [ "$(db_size)" -lt "$TARGET" ]; do
  for _ in $(seq 1 25); do
    i=$((i + 1))
    etcdctl --endpoints "$EP" put "bench/key-$i" <"$WORK/value" >/dev/null
  done
done
FILL_END=$(date +%s.%N)
printf 'filled: %d keys, db %s bytes, in %.1f s\n' "$i" "$(db_size)" "$(calc "$FILL_END - $FILL_START")"

mkdir -p "$WORK/backups"
cat >"$WORK/policy.toml" <<EOF
[roles.admin]
operations = ["*"]
[[bindings]]
role = "admin"
subjects = ["shell:bench"]
EOF
cat >"$WORK/opsbot.toml" <<EOF
locale = "en"
[state]
path = "$WORK/state.db"
[policy]
file = "$WORK/policy.toml"
[backup]
dir = "$WORK/backups"
retention = "7d"
[clusters.bench.etcd]
endpoints = ["$EP"]
# The benchmark runs as shell:bench whoever starts it.
[shell]
impersonation = true
EOF

now() { date +%s.%N; }

ETCDCTL_TIMES=()
OPSBOT_TIMES=()
RSS_KB=()
SIZE=0
for run in $(seq 1 "$RUNS"); do
  rm -f "$WORK/etcdctl.db"
  t0=$(now)
  etcdctl --endpoints "$EP" snapshot save "$WORK/etcdctl.db" >/dev/null 2>"$WORK/etcdctl.err" || {
    cat "$WORK/etcdctl.err" >&2
    exit 1
  }
  t1=$(now)
  ETCDCTL_TIMES+=("$(calc "$t1 - $t0")")
  SIZE=$(stat -c %s "$WORK/etcdctl.db")

  rm -rf "$WORK/backups/bench"
  t0=$(now)
  if ! echo "etcd snapshot -c bench" |
    /usr/bin/time -f %M -o "$WORK/rss" "$BIN" shell --config "$WORK/opsbot.toml" --as bench \
      >"$WORK/opsbot.out" 2>&1; then
    echo "bench: opsbot failed:" >&2
    cat "$WORK/opsbot.out" >&2
    exit 1
  fi
  t1=$(now)
  written=$(find "$WORK/backups/bench" -name 'etcd-snapshot-*.db' 2>/dev/null | head -n 1)
  if [ -z "$written" ]; then
    echo "bench: opsbot wrote no snapshot; it said:" >&2
    cat "$WORK/opsbot.out" >&2
    exit 1
  fi
  OPSBOT_TIMES+=("$(calc "$t1 - $t0")")
  RSS_KB+=("$(tail -n 1 "$WORK/rss")")
  printf 'run %d: etcdctl %.3f s, opsbot %.3f s (%s bytes; opsbot peak RSS %s KiB)\n' \
    "$run" "${ETCDCTL_TIMES[-1]}" "${OPSBOT_TIMES[-1]}" "$(stat -c %s "$written")" "${RSS_KB[-1]}"
done

mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.3f", s / NR }'; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }
max() { printf '%s\n' "$@" | sort -g | tail -n 1; }

MIB=$(calc "$SIZE / 1048576")
E_MEAN=$(mean "${ETCDCTL_TIMES[@]}")
O_MEAN=$(mean "${OPSBOT_TIMES[@]}")
E_TP=$(calc "$MIB / $E_MEAN")
O_TP=$(calc "$MIB / $O_MEAN")
echo
printf 'snapshot size:            %.1f MiB, %d runs each\n' "$MIB" "$RUNS"
printf 'etcdctl snapshot save:    mean %.3f s (best %.3f s), %.1f MiB/s\n' "$E_MEAN" "$(best "${ETCDCTL_TIMES[@]}")" "$E_TP"
printf 'opsbot etcd snapshot:     mean %.3f s (best %.3f s), %.1f MiB/s\n' "$O_MEAN" "$(best "${OPSBOT_TIMES[@]}")" "$O_TP"
printf 'ratio opsbot/etcdctl:     %.2f (throughput)\n' "$(calc "$O_TP / $E_TP")"
printf 'opsbot max RSS:           %.1f MiB\n' "$(calc "$(max "${RSS_KB[@]}") / 1024")"
