"""tasktrace's exports checked in real viewers (Perfetto UI v52, catapult, librsvg, Chromium).

Inputs: TASKTRACE_BIN (the built `tasktrace` executable) and TASKTRACE_SAMPLE (a .sqlite
trace). Missing inputs FAIL (never skip): a silently skipped suite proves nothing.
Expected numbers come from the exported file itself and from the SQLite trace (read-only),
so the tests rely only on: pid 1 = tasks (one tid per task), pid 2 = worker threads (only with --worker-lanes),
X slices for states, one flow pair per parent->child edge whose parent has at most 64 children
(docs/export.md), one thread-scoped instant per lint finding (counted by `tasktrace lint --json`).
"""
import json
from contextlib import closing
import sqlite3
import subprocess
from pathlib import Path

import pytest

import viewers
from trace_facts import input_file

TASKS_PID, THREADS_PID = 1, 2
FAN_OUT_LIMIT = 64  # docs/export.md: a parent with more children than this gets no spawn arrows by default

# Children whose parent is a task of the trace with at most FAN_OUT_LIMIT children: one spawn arrow each.
ARROWED_CHILDREN = f"""select count(*) from tasks c where c.parent_id in (
    select p.id from tasks p join tasks k on k.parent_id = p.id group by p.id having count(*) <= {FAN_OUT_LIMIT})"""


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict:
    """Run `tasktrace export` once per format; returns {"chrome"|"svg"|"html": path, "sample": path}."""
    binary, sample = input_file("TASKTRACE_BIN"), input_file("TASKTRACE_SAMPLE")
    out = tmp_path_factory.mktemp("exports")
    paths = {"sample": sample}
    for fmt, ext in (("chrome", "json"), ("svg", "svg"), ("html", "html")):
        target = out / f"trace.{ext}"
        r = subprocess.run([str(binary), "export", str(sample), "--format", fmt, "--output", str(target)],
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0 or not target.is_file():
            pytest.fail(f"tasktrace export --format {fmt} failed (rc={r.returncode}): {r.stderr.strip()}",
                        pytrace=False)
        paths[fmt] = target
    # Everything the exporter can add: the worker lanes and the state colours (opt-in, docs/export.md).
    target = out / "full.json"
    r = subprocess.run([str(binary), "export", str(sample), "--worker-lanes", "--state-colors", "--output", str(target)],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        pytest.fail(f"tasktrace export --worker-lanes --state-colors failed: {r.stderr.strip()}", pytrace=False)
    paths["chrome_full"] = target
    return paths


@pytest.fixture(scope="module")
def expected(exports) -> dict:
    """Counts the viewers must reproduce, from the JSON file and from the SQLite trace."""
    events = viewers.chrome_events(exports["chrome"])
    per_track = viewers.slice_counts(events)
    with closing(sqlite3.connect(f"{exports['sample'].as_uri()}?mode=ro", uri=True)) as db:
        tasks = db.execute("select count(*) from tasks").fetchone()[0]
        children = db.execute(ARROWED_CHILDREN).fetchone()[0]
    binary = input_file("TASKTRACE_BIN")
    lint = subprocess.run([str(binary), "lint", str(exports["sample"]), "--json"],
                          capture_output=True, text=True, timeout=300)
    if lint.returncode != 0:
        pytest.fail(f"tasktrace lint --json failed (rc={lint.returncode}): {lint.stderr.strip()}", pytrace=False)
    return {
        "per_track": per_track,
        "instants": len(viewers.instant_events(events)),
        "findings": len(json.loads(lint.stdout)["findings"]),
        "slices": sum(per_track.values()),
        "task_tids": {tid for pid, tid in per_track if pid == TASKS_PID},
        "thread_tids": {tid for pid, tid in per_track if pid == THREADS_PID},
        "flows": viewers.flow_pairs(events),
        "db_tasks": tasks,
        "db_children": children,
    }


@pytest.fixture(scope="module")
def perfetto(browser, exports):
    with viewers.perfetto_load(browser, exports["chrome"]) as session:
        yield session


def test_file_matches_sqlite(expected):
    assert expected["slices"] > 0, "no X events in the export"
    assert len(expected["task_tids"]) == expected["db_tasks"], "one task track per task"
    assert not expected["thread_tids"], "worker-thread tracks (pid 2) without --worker-lanes"
    assert expected["flows"] == expected["db_children"], "one flow per child task (parents of <= 64 children)"


def test_findings_are_instants_on_task_tracks(expected, exports):
    """Every lint finding of the trace is one instant on its task's track (pid 1), and only those."""
    events = viewers.chrome_events(exports["chrome"])
    instants = viewers.instant_events(events)
    assert len(instants) == expected["findings"] == expected["instants"]
    assert all(e["pid"] == TASKS_PID and e["cat"] == "finding" and e["tid"] in expected["task_tids"] for e in instants)
    assert all(e["args"]["message"] and e["args"]["fix"] for e in instants)


def test_perfetto_shows_the_findings(perfetto, expected):
    rows = perfetto.query("select count(*) as n from slice where category = 'finding' and dur = 0")
    assert rows == [{"n": expected["instants"]}]


def test_json_is_strict(exports):
    """NaN/Infinity are accepted by Python's json (and vizviewer) but not by browsers."""
    def reject(token):
        raise ValueError(f"non-standard JSON number {token}")
    json.loads(exports["chrome"].read_text(encoding="utf-8"), parse_constant=reject)


def test_perfetto_import_is_clean(perfetto):
    assert perfetto.stats_problems() == []
    assert perfetto.errors == []


def test_perfetto_counts(perfetto, expected):
    assert perfetto.query("select count(*) as n from slice") == [{"n": expected["slices"]}]
    shown = {(t["pid"], t["tid"]): t["slices"] for t in perfetto.threads()}
    assert shown == expected["per_track"]
    assert {tid for pid, tid in shown if pid == TASKS_PID} == expected["task_tids"]
    assert len(expected["task_tids"]) == expected["db_tasks"]
    assert perfetto.query("select count(*) as n from flow") == [{"n": expected["flows"]}]
    assert expected["flows"] == expected["db_children"]


def test_catapult_import_is_clean(browser, exports, expected):
    r = viewers.catapult_import(browser, exports["chrome"])
    assert r["importWarnings"] == [] and r["pageErrors"] == []
    shown = {(t["pid"], t["tid"]): t["slices"] for t in r["threads"] if t["slices"]}
    assert shown == expected["per_track"]
    assert r["flows"] == expected["flows"] == expected["db_children"]


def test_worker_lanes_and_state_colours_load_cleanly_in_both_viewers(browser, exports, expected):
    """--worker-lanes adds process 2 (one track per worker thread, one slice per running slice that lasts, plus actor
    jobs); --state-colors a `cname` on every slice. The task tracks stay as they are by default."""
    events = viewers.chrome_events(exports["chrome_full"])
    per_track = viewers.slice_counts(events)
    lanes = {key: n for key, n in per_track.items() if key[0] == THREADS_PID}
    assert lanes, "no worker-thread tracks (pid 2) with --worker-lanes"
    assert {key: n for key, n in per_track.items() if key[0] == TASKS_PID} == expected["per_track"]
    running = sum(1 for e in events if e["ph"] == "X" and e["pid"] == TASKS_PID and e["name"] == "running")
    actor_jobs = sum(1 for e in events if e["ph"] == "X" and e["pid"] == THREADS_PID and e["name"] == "untracked job")
    assert sum(lanes.values()) == running + actor_jobs
    assert all("cname" in e for e in events if e["ph"] == "X")
    with viewers.perfetto_load(browser, exports["chrome_full"]) as session:
        assert session.stats_problems() == [] and session.errors == []
        assert {(t["pid"], t["tid"]): t["slices"] for t in session.threads()} == per_track
    r = viewers.catapult_import(browser, exports["chrome_full"])
    assert r["importWarnings"] == [] and r["pageErrors"] == []
    assert {(t["pid"], t["tid"]): t["slices"] for t in r["threads"] if t["slices"]} == per_track


def test_svg_renders(exports):
    width, height = viewers.svg_check(exports["svg"])
    assert width > 0 and height > 0


def test_html_opens_and_draws(browser, exports):
    with viewers.open_page(browser, exports["html"]) as (page, problems):
        page.wait_for_timeout(500)  # let the first frame render
        drawings = viewers.visible_drawings(page)
    assert problems == []
    assert drawings, "no visible <svg> or <canvas> with a non-zero size"
