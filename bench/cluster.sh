#!/usr/bin/env bash
# Benchmark: `status -c all` and `top pods -c all` over three clusters of PODS pods each
# (Kubernetes API test servers on loopback), timing the real opsbot binary: wall time and
# peak RSS per run, RUNS runs each.
#   bench/cluster.sh [PODS=500] [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
pods="${1:-500}"; runs="${2:-5}"
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }

cargo build --release -q -p opsbot -p opsbot-tests --bin opsbot --bin kube_platform
dir="$(mktemp -d)"
coproc PLATFORM { target/release/kube_platform "$dir" "$pods"; }
trap 'exec {PLATFORM[1]}>&-; rm -rf "$dir"' EXIT
read -r line <&"${PLATFORM[0]}"
[ "$line" = ready ] || { echo "kube_platform did not start"; exit 1; }

measure() {
  local command="$1" total=0 max_rss=0
  for i in $(seq "$runs"); do
    out=$( { /usr/bin/time -f "%e %M" target/release/opsbot shell --config "$dir/opsbot.toml" --as bench <<<"$command" >/dev/null; } 2>&1 | tail -1)
    read -r secs rss <<<"$out"
    total=$(awk -v a="$total" -v b="$secs" 'BEGIN{print a+b}')
    [ "$rss" -gt "$max_rss" ] && max_rss=$rss
    printf '  run %d: %5.2f s  %6d KiB\n' "$i" "$secs" "$rss"
  done
  awk -v t="$total" -v n="$runs" -v m="$max_rss" -v c="$command" \
    'BEGIN{printf "%-22s mean %.3f s   peak RSS %.1f MiB\n", c, t/n, m/1024}'
}

echo "three clusters x $pods pods, $runs runs each"
measure "status -c all"
measure "top pods -c all"
