#!/usr/bin/env bash
# The one test command (README, .ci/run): installs whatever is missing, builds, and runs every test —
# the Swift suites, then the real-viewer checks and the HTML viewer's browser tests (web/tests/) on a freshly recorded
# demo trace and on the committed sample.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh
bash scripts/setup-browser-tests.sh

swift build
# Suites that load the machine run on their own after the rest, so the timed demo tests never share the 2 cores
# with them: the subprocess suites (kills, floods, full disks, mutated files), then the ground-truth recordings
# (hundreds of recordings that spin the CPU; their 200 ms tolerance must not meet a flood either), and the demo
# recordings themselves (their scenarios have timeouts: on one worker, beside the whole parallel run, a 20 ms sleep
# outlasted a 1 s timeout in two clean-clone runs of 2026-12-07).
heavy='CrashSafetyCLITests|FloodCLITests|DiskFullCLITests|MutatedTraceCLITests'
exact='GroundTruthTests|StructuredOutcomeTests'
demo='DemoRecordingSuites'
# (The CLI suites wait for their subprocesses on threads of their own, not on Swift's cooperative pool — two
# threads here — so they run beside the library suites, whose recordings need those threads.)
swift test --skip "$heavy|$exact|$demo"
# The crash-safety suite measures how far the writer lags behind a killed recording: it runs alone, so the floods
# of the other subprocess suites do not take its writer's CPU.
swift test --filter CrashSafetyCLITests
swift test --filter "$heavy" --skip CrashSafetyCLITests
swift test --filter "$exact"
swift test --filter "$demo"
# The benchmark suite must keep compiling (a debug build, ~15 s here); its figures are never gated on:
# it is a benchmark, run by hand (docs/performance.md), not a timed test.
# (Its build description lists our source files; a stale one, after files were added, fails with "cannot find … in
# scope": dropping it forces a rescan.)
rm -f Benchmarks/.build/*/*/description.json
swift build --package-path Benchmarks

bin="$(swift build --show-bin-path)/tasktrace"
out=test-output
rm -rf "$out" && mkdir -p "$out"
"$bin" record demo --output "$out/demo.sqlite" --no-html
# A real recording and the committed samples pass `tasktrace check` (exit 1 would stop here).
for trace in "$out/demo.sqlite" samples/demo.sqlite samples/sample.sqlite web/tests/fixtures/sample-v2.sqlite \
    web/tests/fixtures/sample-v3.sqlite; do
    "$bin" check "$trace"
done
.venv-tests/bin/pytest web/tests/test_harness.py -q
for trace in "$out/demo.sqlite" samples/sample.sqlite; do
    echo "real viewers and our HTML viewer: $trace"
    TASKTRACE_BIN="$bin" TASKTRACE_SAMPLE="$trace" .venv-tests/bin/pytest web/tests/test_exports.py web/tests/test_exports_match_sqlite.py \
        web/tests/test_chrome_reductions.py \
        web/tests/test_viewer.py web/tests/test_viewer_rows_match_sqlite.py web/tests/test_viewer_analysis.py -q
done
# Older format versions still read exactly: version 1 (samples/demo.sqlite, recorded before version 2), version 2
# and version 3 (web/tests/fixtures/sample-v2.sqlite and sample-v3.sqlite, the synthetic sample as those versions
# wrote it): Chrome JSON and the viewer's rows against their SQLite rows.
for trace in samples/demo.sqlite web/tests/fixtures/sample-v2.sqlite web/tests/fixtures/sample-v3.sqlite; do
    TASKTRACE_BIN="$bin" TASKTRACE_SAMPLE="$trace" .venv-tests/bin/pytest web/tests/test_exports_match_sqlite.py \
        web/tests/test_viewer_rows_match_sqlite.py -q
done
# Hostile task names and a 100k-task trace in the HTML viewer (no timing: web/bench/ measures speed).
TASKTRACE_BIN="$bin" .venv-tests/bin/pytest web/tests/test_viewer_hostile_and_scale.py -q

# A user's own program tracing itself through the library (a separate package depending on this one).
bash scripts/check-sample-program.sh "$out"

# An unmodified program traced from outside: `tasktrace record -- PROGRAM` (whole-process capture, preloaded).
bash scripts/check-unmodified-program.sh
