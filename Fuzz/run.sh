#!/usr/bin/env bash
# libFuzzer run of the schedule and journal line decoders (Fuzz/ScheduleFuzzTarget.swift).
# Usage: Fuzz/run.sh [SECONDS]   (default 60). Builds into a temporary folder, never into .build.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mapfile -t core < <(find Sources/SchedulerCore -name '*.swift' | sort)
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name SchedulerCore \
    "${core[@]}" Fuzz/ScheduleFuzzTarget.swift -o "$work/fuzz-decoders"
mkdir -p "$work/corpus"
printf '\x00%s' "$(cat config/schedule.example.json)" > "$work/corpus/schedule"
printf '\x01%s' '{"time":"2026-11-23T13:17:07.910Z","ledger_id":"lgr_abc123def456","period_start":"2024-12-31T23:00:00.000Z","period_end":"2025-01-31T22:59:59.000Z","event":"fired","task_id":456,"attempt":1,"state":"pending"}' > "$work/corpus/journal"
"$work/fuzz-decoders" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 "$work/corpus"
