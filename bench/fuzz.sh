#!/usr/bin/env bash
# bench/fuzz.sh: runs each cargo-fuzz target of fuzz/ for a bounded time and prints, per
# target, the executions, the rate, libFuzzer's coverage (`cov:` edges, `ft:` features) and
# what it found. Not part of the test suite: it needs nightly and cargo-fuzz
# (`cargo install cargo-fuzz`), and takes SECONDS_PER_TARGET (default 600) per target.
#
# Usage: [SECONDS_PER_TARGET=600] bench/fuzz.sh [TARGET...]
#        (default: command_parser policy_loader slack_inbound discord_inbound)
#
# The committed seeds in fuzz/corpus/TARGET are only read; what the fuzzer adds goes to
# fuzz/corpus-run/TARGET (ignored by git), a crash to fuzz/artifacts/TARGET. Reproduce one
# with `cargo +nightly fuzz run -s none --codegen-units 16 TARGET fuzz/artifacts/TARGET/crash-…`,
# then add it to fuzz/corpus/TARGET once fixed. The machine is shared: run it under `nice`.
set -uo pipefail

SECONDS_PER_TARGET=${SECONDS_PER_TARGET:-600}
if [ $# -gt 0 ]; then
    TARGETS=("$@")
else
    TARGETS=(command_parser policy_loader slack_inbound discord_inbound)
fi
cd "$(dirname "$0")/.."

# The code is safe Rust: no sanitizer, so a finding is a panic (including overflow checks,
# which cargo-fuzz turns on) or a hang. 16 codegen units build much faster on a small machine.
FUZZ_FLAGS=(-s none --codegen-units 16)

echo "building the fuzz targets (nightly, release)..."
cargo +nightly fuzz build "${FUZZ_FLAGS[@]}" || exit 1

mkdir -p fuzz/logs
summary=()
for target in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus-run/$target" "fuzz/artifacts/$target"
    log="fuzz/logs/$target.log"
    before=$(find "fuzz/artifacts/$target" -type f | wc -l)
    echo "fuzzing $target for ${SECONDS_PER_TARGET}s (log: $log)..."
    # -timeout: an input taking 10 s is a hang worth reporting, not a slow parser.
    cargo +nightly fuzz run "${FUZZ_FLAGS[@]}" "$target" \
        "fuzz/corpus-run/$target" "fuzz/corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -print_final_stats=1 \
        >"$log" 2>&1
    status=$?
    after=$(find "fuzz/artifacts/$target" -type f | wc -l)
    stat() { grep -m1 "^stat::$1:" "$log" | awk '{print $2}'; }
    last=$(grep -E 'cov: [0-9]+' "$log" | tail -n 1)
    cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$last")
    ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$last")
    corp=$(sed -nE 's/.*corp: ([0-9]+\/[0-9a-zA-Z]+).*/\1/p' <<<"$last")
    line="$target: execs=$(stat number_of_executed_units) exec/s=$(stat average_exec_per_sec)"
    line+=" cov=${cov:-?} ft=${ft:-?} corpus=${corp:-?} new_units=$(stat new_units_added)"
    line+=" crashes=$((after - before)) exit=$status"
    echo "$line"
    if [ "$status" -ne 0 ]; then
        grep -E 'panicked at|ERROR: libFuzzer|Test unit written to' "$log" | head -n 5
    fi
    summary+=("$line")
done

echo
echo "summary (${SECONDS_PER_TARGET}s per target):"
printf '  %s\n' "${summary[@]}"
