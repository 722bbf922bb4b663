#!/usr/bin/env bash
# The one test command (README, .ci/run): installs whatever is missing, builds, and runs every test —
# the Swift suites, then the real-viewer checks of a freshly recorded demo trace and of the committed sample.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh
bash scripts/setup-browser-tests.sh

swift build
swift test
# The benchmark suite must keep compiling (a debug build, ~15 s here); its figures are never gated on:
# it is a benchmark, run by hand (docs/performance.md), not a timed test.
swift build --package-path Benchmarks

bin="$(swift build --show-bin-path)/tasktrace"
out=test-output
rm -rf "$out" && mkdir -p "$out"
"$bin" record demo --output "$out/demo.sqlite" --no-html
.venv-tests/bin/pytest tests/browser/test_harness.py -q
for trace in "$out/demo.sqlite" samples/sample.sqlite; do
    echo "real viewers: $trace"
    TASKTRACE_BIN="$bin" TASKTRACE_SAMPLE="$trace" .venv-tests/bin/pytest tests/browser/test_exports.py -q
done

# A user's own program tracing itself through the library (a separate package depending on this one).
bash scripts/check-sample-program.sh "$out"
