#!/usr/bin/env bash
# Set up and start opsbot in the terminal on a fresh Debian machine:
#   ./deploy/quickstart.sh [NAME]
# Installs the system packages the build and the demo need, builds opsbot, starts a
# throwaway local etcd for the `mgmt` cluster of deploy/opsbot.toml (unless one already
# answers on 127.0.0.1:2379), checks the configuration and opens `opsbot shell` as
# shell:NAME (default: oncall, who may take snapshots; try `admin` or any other name).
# Playing a NAME needs `[shell] impersonation = true`, which the demo config sets; in
# production the shell is the OS user running it and `--as` is refused.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-oncall}"

missing=()
command -v protoc >/dev/null || missing+=(protobuf-compiler)
command -v etcd >/dev/null || missing+=(etcd-server)
command -v etcdctl >/dev/null || missing+=(etcd-client)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

cargo build --release -p opsbot
mkdir -p deploy/state deploy/backups

etcd_pid=""
if ! ETCDCTL_API=3 etcdctl --endpoints=http://127.0.0.1:2379 --dial-timeout=1s endpoint health >/dev/null 2>&1; then
  etcd --name demo --data-dir deploy/state/etcd-demo \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 >deploy/state/etcd-demo.log 2>&1 &
  etcd_pid=$!
  trap '[ -n "$etcd_pid" ] && kill "$etcd_pid" 2>/dev/null' EXIT
  for _ in $(seq 50); do
    ETCDCTL_API=3 etcdctl --endpoints=http://127.0.0.1:2379 endpoint health >/dev/null 2>&1 && break
    sleep 0.2
  done
fi

target/release/opsbot check-config --config deploy/opsbot.toml
echo "Type help, etcd status, etcd snapshot -c mgmt, contacts, pages; Ctrl-D to leave."
target/release/opsbot shell --config deploy/opsbot.toml --as "$name" || true
