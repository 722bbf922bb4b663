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
# A real recording: a few scenarios, so the committed files stay small. It is a format version 1 trace (recorded
# before version 2) and stays one: it is what keeps reading old traces tested. Re-record it only with --rerecord-demo.
if [[ "${1:-}" == "--rerecord-demo" ]]; then
    "$BIN" record demo --output samples/demo.sqlite --no-html \
        --scenario gather --scenario wait-for-timeout --scenario shield --scenario blocking --scenario exceptions
fi
for ext in json svg html; do "$BIN" export samples/demo.sqlite --output "samples/demo.$ext"; done
ls -l samples/
