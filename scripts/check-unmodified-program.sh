#!/usr/bin/env bash
# Builds samples/unmodified-program (an async Swift program that knows nothing about tasktrace) and checks what
# `tasktrace record -- PROGRAM` makes of it, plus the bad-input cases, with scripts/capture-checks (pytest on the SQLite rows).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build --show-bin-path)/tasktrace"
[ -f "$(dirname "$bin")/libTaskTracePreload.so" ] || swift build --product TaskTracePreload -q
swift build --package-path samples/unmodified-program -q
program="$(swift build --package-path samples/unmodified-program --show-bin-path)/UnmodifiedProgram"
pytest=.venv-tests/bin/pytest
[ -x "$pytest" ] || pytest="python3 -m pytest"
TASKTRACE_BIN="$bin" UNMODIFIED_PROGRAM="$program" $pytest scripts/capture-checks -q
