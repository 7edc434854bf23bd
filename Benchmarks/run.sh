#!/usr/bin/env bash
# Builds release binaries and prints the benchmark table (not part of CI).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product mangrove-scheduler
swift build -c release --product mangrove-bench
.build/release/mangrove-bench all "$@"
