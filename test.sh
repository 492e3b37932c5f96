#!/usr/bin/env bash
# Set up and run the tests on a fresh Debian machine: ./test.sh
# This is exactly what CI runs (.ci/run calls it). It installs, with apt and only if missing:
#   protobuf-compiler  (protoc, for etcd-client's build script)
#   etcd-server, etcd-client  (the tests start a real etcd on free loopback ports)
#   openssl  (the tests make TLS certificates for etcd)
# then checks formatting and lints, and runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")"

need_rust=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
if ! command -v cc >/dev/null; then
  echo "test.sh: a C compiler (cc) is needed to build opsbot's dependencies: apt-get install build-essential" >&2
  exit 1
fi
if ! command -v cargo >/dev/null; then
  echo "test.sh: Rust $need_rust or newer is needed (cargo not found): see https://rustup.rs" >&2
  exit 1
fi
have_rust=$(rustc --version | awk '{print $2}')
if [ "$(printf '%s\n%s\n' "$need_rust" "$have_rust" | sort -V | head -n 1)" != "$need_rust" ]; then
  echo "test.sh: Rust $need_rust or newer is needed, this is $have_rust: rustup update" >&2
  exit 1
fi

missing=()
command -v protoc >/dev/null || missing+=(protobuf-compiler)
command -v etcd >/dev/null || missing+=(etcd-server)
command -v etcdctl >/dev/null || missing+=(etcd-client)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]} with apt" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts an etcd service on install; the tests start their own on free ports.
  $sudo systemctl stop etcd >/dev/null 2>&1 || true
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
