"""Measures the HTML viewer's speed in headless Chromium (Debian's /usr/bin/chromium via Playwright): the first
frame of a large trace, and the frames of zooming, panning and the thread view. A benchmark, not a test:
it prints numbers and asserts nothing. docs/viewer.md records results.

    .venv-tests/bin/python web/bench/bench_viewer.py --bin .build/release/tasktrace --tasks 100000

- first frame: performance mark `tasktrace-first-frame` (ms since navigation start: reading the HTML,
  decoding the data, laying out and drawing the first frame).
- frame: `window.tasktrace.lastFrameMs` (the JavaScript time of render()) after real wheel, drag and key
  events; also the time from a `zoomTo` call to the next animation frame (includes waiting for vsync).
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {r.stderr.strip()}")


def summary(name, values):
    values = sorted(values)
    print(f"{name:34s} n={len(values):3d}  median {statistics.median(values):7.1f} ms  "
          f"p90 {values[int(len(values) * 0.9) - 1]:7.1f} ms  max {values[-1]:7.1f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="the tasktrace executable")
    parser.add_argument("--tasks", type=int, default=100_000, help="tasks of the load scenario to record")
    parser.add_argument("--trace", help="an existing trace instead of recording one")
    parser.add_argument("--runs", type=int, default=3, help="page loads for the first-frame time")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tasktrace-bench-"))
    trace = Path(args.trace) if args.trace else work / "load.sqlite"
    if not args.trace:
        run([args.bin, "record", "demo", "--scenario", "load", "--tasks", str(args.tasks), "--output", str(trace), "--no-html"])
    html = work / "trace.html"
    started = time.monotonic()
    run([args.bin, "export", str(trace), "--format", "html", "--output", str(html)])
    print(f"export: {time.monotonic() - started:.2f} s, {html.stat().st_size / 1e6:.1f} MB")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        first = []
        for _ in range(args.runs):
            page.goto(html.as_uri(), wait_until="load")
            page.wait_for_function("() => performance.getEntriesByName('tasktrace-first-frame').length > 0")
            first.append(page.evaluate("() => performance.getEntriesByName('tasktrace-first-frame')[0].startTime"))
        print(f"tasks: {page.evaluate('() => window.tasktrace.taskCount'):,}")
        summary("first frame (navigation start)", first)

        box = page.locator("canvas.tt-plot").bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        frame = lambda: (page.evaluate(FRAMES), page.evaluate("() => window.tasktrace.lastFrameMs"))[1]
        for mode in ("Tasks", "Threads"):
            if mode == "Threads":   # the first switch builds the lanes: time it from the click to the drawn frame
                summary("threads: first switch (click → frame)", [page.evaluate("""async () => {
                    const t0 = performance.now(); document.querySelectorAll('.tt-tab')[1].click();
                    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                    return performance.now() - t0; }""")])
            page.click(f".tt-tab:has-text('{mode}')")
            page.keyboard.press("0")
            page.mouse.move(cx, cy)
            zoom, drag, keys = [], [], []
            for step in range(20):
                page.mouse.wheel(0, -300 if step < 10 else 300)
                zoom.append(frame())
            for _ in range(10):
                page.mouse.down()
                page.mouse.move(cx - 150, cy - 60, steps=3)
                page.mouse.up()
                drag.append(frame())
                page.mouse.move(cx, cy)
            for key in "ssddaaww":
                page.keyboard.press(key)
                keys.append(frame())
            summary(f"{mode.lower()}: wheel zoom render()", zoom)
            summary(f"{mode.lower()}: drag pan render()", drag)
            summary(f"{mode.lower()}: W/S/A/D render()", keys)
        page.click(".tt-tab:has-text('Tasks')")
        latency = []
        for k in range(10):
            latency.append(page.evaluate("""async (k) => { const v = window.tasktrace.view(); const t0 = performance.now();
                window.tasktrace.zoomTo(v.startNs * (k % 2 ? 1.1 : 0.9), v.endNs);
                await new Promise(r => requestAnimationFrame(r)); return performance.now() - t0; }""", k))
        summary("zoomTo → next animation frame", latency)
        browser.close()


if __name__ == "__main__":
    main()
