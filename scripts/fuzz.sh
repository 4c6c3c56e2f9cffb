#!/usr/bin/env bash
# Fuzzes the default chain's transform stages (parse-html, remove-boilerplate,
# normalize-language, count-entities, ...) with libFuzzer and AddressSanitizer.
#
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer flags...]     (default 1800 s)
#
# Builds .build-fuzz/release/pagepipe-fuzz (its own scratch path, so the normal
# .build is untouched), then fuzzes on one core starting from the seeds in
# Tests/Fuzz/corpus. New inputs go to .build-fuzz/corpus; crashes, timeouts and
# out-of-memory inputs to .build-fuzz/artifacts/ (crash-*, timeout-*, oom-*).
# Replay one with `.build-fuzz/release/pagepipe-fuzz FILE` (or the normal build,
# `swift build --product pagepipe-fuzz && .build/debug/pagepipe-fuzz FILE`), then
# add it to Tests/PagePipeTests/FuzzRegressionTests.swift.
# FUZZ_JOBS=N runs N fuzzing processes in parallel (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-1800}"
shift || true
jobs="${FUZZ_JOBS:-1}"

swift build -c release --scratch-path .build-fuzz --product pagepipe-fuzz \
    --sanitize=fuzzer --sanitize=address -Xswiftc -DPAGEPIPE_FUZZ \
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp

mkdir -p .build-fuzz/corpus .build-fuzz/artifacts
args=(
    .build-fuzz/corpus Tests/Fuzz/corpus   # new inputs go into the first folder only
    -dict=Tests/Fuzz/html.dict
    -max_total_time="$seconds"
    -max_len=65536          # real pages are larger, but 64 KiB reaches every code path faster
    -timeout=10             # seconds for one input: a page that takes longer is a hang
    -rss_limit_mb=2048      # leaves room for the other core's work on a 2-core machine
    -malloc_limit_mb=2048
    -artifact_prefix=.build-fuzz/artifacts/
    -print_final_stats=1
)
if [[ "$jobs" -gt 1 ]]; then
    args+=(-jobs="$jobs" -workers="$jobs")
fi
export SWIFT_BACKTRACE=enable=no  # the Swift backtracer trips ASan; let libFuzzer report crashes
# detect_leaks=0: a stage's static model loaded once per process is not a leak.
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}" \
    exec .build-fuzz/release/pagepipe-fuzz "${args[@]}" "$@"
