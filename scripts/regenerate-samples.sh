#!/usr/bin/env bash
# Regenerates samples/: the synthetic demo trace and its three exports, which tests compare against.
# Run after an intended change to the sample generator or an exporter, then review the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product tasktrace
BIN="$(swift build --show-bin-path)/tasktrace"
"$BIN" sample-trace samples/sample.sqlite
"$BIN" export samples/sample.sqlite --output samples/sample.json
"$BIN" export samples/sample.sqlite --output samples/sample.svg
"$BIN" export samples/sample.sqlite --output samples/sample.html
ls -l samples/
