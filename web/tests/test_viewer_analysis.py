"""The viewer's analysis: the critical-path toggle and the findings panel, driven by real clicks.

Inputs: TASKTRACE_BIN and TASKTRACE_SAMPLE, as for test_viewer.py. Expected chains and findings come from the
binary's own analysis commands (`tasktrace critical-path --json`, `tasktrace lint --json`, documented in
docs/analysis.md) and names and times from the SQLite trace; the page's embedded data is never the reference.
"""
import json
import subprocess
from pathlib import Path

import pytest

import trace_facts as facts
from trace_facts import input_file
from viewer_page import export_html, find_row, open_viewer, panel_title, pixel, plot, settle, view, x_of

# docs/viewer.md: the band behind a critical-path row, and the findings' severity colours.
CRITICAL_BAND_RGB = (0xFF, 0xE8, 0xCC)
SEVERITY_RGB = {"error": "rgb(201, 42, 42)", "warning": "rgb(232, 89, 12)", "info": "rgb(25, 113, 194)"}


@pytest.fixture(scope="module")
def binary() -> Path:
    return input_file("TASKTRACE_BIN")


@pytest.fixture(scope="module")
def trace() -> Path:
    return input_file("TASKTRACE_SAMPLE")


@pytest.fixture(scope="module")
def html(tmp_path_factory, binary, trace) -> Path:
    return export_html(binary, trace, tmp_path_factory.mktemp("analysis") / "trace.html")


@pytest.fixture
def page(browser, html):
    with open_viewer(browser, html) as (page, problems):
        yield page
        assert problems == [], "console errors, page errors, dialogs or network requests"


def cli_json(binary: Path, *args: str) -> dict:
    r = subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=300)
    assert r.returncode in (0, 1), f"tasktrace {' '.join(args)} failed (rc={r.returncode}): {r.stderr.strip()}"
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def paths(binary, trace) -> list[dict]:
    found = cli_json(binary, "critical-path", str(trace), "--json")["paths"]
    assert found, "the trace has no critical path"
    return found


@pytest.fixture(scope="module")
def findings(binary, trace) -> list[dict]:
    return cli_json(binary, "lint", str(trace), "--json")["findings"]


def main_path(paths: list[dict]) -> dict:
    """docs/viewer.md: the toggle shows the path of the root that ended last (the longest on a tie)."""
    return max(paths, key=lambda p: (p["end_ns"], p["duration_ns"]))


def life(trace: Path, task: int) -> tuple[int, int]:
    return facts.query(trace, "select min(ts_ns), max(ts_ns) from transitions where task_id = ?", (task,))[0]


def test_handle_gives_the_cli_chains(page, paths):
    assert page.evaluate("() => window.tasktrace.criticalPath()") == main_path(paths)["chain"]
    for path in paths:
        assert page.evaluate("id => window.tasktrace.criticalPath(id)", path["task_id"]) == path["chain"]


def row_y(page, trace, task: int, x: float) -> float:
    """Plot y of task's row: reveals it (select, then Escape clears the selection highlight), then finds it by
    its tooltip at plot x, and leaves the pointer off the chart (no hover highlight, no flow arrows)."""
    area = plot(page)
    page.evaluate("id => window.tasktrace.select(id)", task)
    page.keyboard.press("Escape")
    y = find_row(page, area["x"] + x, lambda t: t == facts.label(trace, task)) - area["y"]
    page.mouse.move(area["x"] - 50, area["y"] - 50)
    settle(page)
    return y


def test_toggle_highlights_the_path_rows_and_lists_the_chain(page, trace, paths):
    chain = main_path(paths)["chain"]
    end = view(page)[1]
    # A task on the path, and the gap beside its life (before it was created or after it ended) where its row
    # has no bar: there the band is all there is.
    def gap(task):
        first, last = life(trace, task)
        return max((first, (0, first)), (end - last, (last, end)))
    task = max(chain, key=lambda t: gap(t)[0])
    left, right = gap(task)[1]
    x_in_gap = (x_of(page, left) + x_of(page, right)) / 2
    assert x_of(page, right) - x_of(page, left) >= 8, "no empty stretch on the path task's row to probe"
    x_task = sum(x_of(page, t) for t in life(trace, task)) / 2
    # A task off the path, with a running bar to watch being dimmed.
    off = facts.query(trace, facts._SEGMENTS.format(extra=f"AND o.task_id NOT IN ({','.join(map(str, chain))})"))
    off, start, stop = off[0][:3] if off else (None, 0, 0)
    x_off = (x_of(page, start) + x_of(page, stop)) / 2

    before = pixel(page, x_in_gap, row_y(page, trace, task, x_task))
    off_before = pixel(page, x_off, row_y(page, trace, off, x_off)) if off is not None else None
    page.locator("button.tt-critical-toggle").click()
    settle(page)
    assert before != CRITICAL_BAND_RGB
    assert pixel(page, x_in_gap, row_y(page, trace, task, x_task)) == CRITICAL_BAND_RGB, \
        "the path task's row is not highlighted"
    if off is not None:
        off_after = pixel(page, x_off, row_y(page, trace, off, x_off))
        assert off_after != off_before, "a row off the path is not dimmed"
        assert off_after != CRITICAL_BAND_RGB
    listed = page.locator(".tt-critical-chain .tt-link").all_text_contents()
    labels = facts.labels(trace)
    assert listed == [labels[t] for t in chain]
    # A name in the chain is a link to its task.
    page.locator(".tt-critical-chain .tt-link").last.click()
    settle(page)
    assert panel_title(page) == labels[chain[-1]]

    page.locator("button.tt-critical-toggle").click()
    settle(page)
    assert pixel(page, x_in_gap, row_y(page, trace, task, x_task)) == before, "turning the toggle off leaves the highlight"
    assert page.locator(".tt-critical").is_hidden()


def test_findings_are_the_cli_findings(page, findings):
    got = page.evaluate("() => window.tasktrace.findings()")
    assert [(f["rule"], f["task"], f["time"]) for f in got] == \
        [(f["rule"], f["task_id"], f["time_ns"]) for f in findings]


def test_clicking_a_finding_selects_its_task_and_shows_its_time(page, trace, findings):
    if not findings:
        pytest.skip("this trace has no lint findings")
    entries = page.locator(".tt-finding-jump")
    assert entries.count() == len(findings)
    _, trace_end = view(page)
    for k, finding in enumerate(findings):
        t, duration = finding["time_ns"], finding["duration_ns"] or 0
        # Start from a narrow view far from the finding, so the jump has to move it.
        away = 0 if t > trace_end / 2 else trace_end - trace_end / 1000
        page.evaluate("([a, b]) => window.tasktrace.zoomTo(a, b)", [away, away + trace_end / 1000])
        page.keyboard.press("Escape")
        settle(page)
        entries.nth(k).click()
        settle(page)
        assert panel_title(page) == facts.label(trace, finding["task_id"])
        start, end = view(page)
        assert start <= t and t + duration <= end, f"finding {k} at {t} (+{duration}) not in view {start}..{end}"
        colour = entries.nth(k).evaluate("e => getComputedStyle(e).borderLeftColor")
        assert colour == SEVERITY_RGB[finding["severity"]]
