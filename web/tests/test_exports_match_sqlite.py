"""Every Chrome slice and every SVG bar checked against the SQLite transitions, by code that shares nothing with the
exporter: the expected segments are computed here from the `transitions` view (docs/schema.md), the exports are
parsed as a viewer would. Needs TASKTRACE_BIN and TASKTRACE_SAMPLE, like test_exports.py.

docs/export.md: the Chrome JSON draws no zero-duration segment, except that a task whose every segment lasts 0 ns
keeps its first one (so it still has a track and its args); the SVG draws every segment."""
from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import pytest

from trace_facts import id_text, query

BIN = os.environ.get("TASKTRACE_BIN")
TRACE = os.environ.get("TASKTRACE_SAMPLE")
pytestmark = pytest.mark.skipif(not BIN or not TRACE, reason="needs TASKTRACE_BIN and TASKTRACE_SAMPLE")
TERMINAL = {"done", "cancelled", "errored"}


def expected_segments(trace: Path) -> dict[int, list[tuple[str, int, int]]]:
    """Per task: (state, start ns, end ns) of each non-terminal state, to the next transition or the trace's end."""
    meta = dict(query(trace, "select key, value from meta"))
    ends = [int(meta.get("duration_ns", 0))]
    ends += [r[0] or 0 for r in query(trace, "select max(ts_ns) from transitions")]
    ends += [r[0] or 0 for r in query(trace, "select max(ts_ns) from marks")]
    ends += [r[0] or 0 for r in query(trace, "select max(end_ns) from untracked_jobs")]
    trace_end = max(ends)
    by_task: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for task, state, ts in query(trace, "select task_id, state, ts_ns from transitions order by ts_ns, seq"):
        by_task[task].append((state, ts))
    segments = {}
    for task, rows in by_task.items():
        out = []
        for (state, start), following in zip(rows, rows[1:] + [None]):
            if state in TERMINAL:
                continue
            out.append((state, start, following[1] if following else trace_end))
        segments[task] = out
    return segments


def expected_chrome_slices(segments: dict[int, list[tuple[str, int, int]]]) -> dict[int, list[tuple[str, int, int]]]:
    """The segments that get a Chrome slice: those lasting > 0 ns; for a task with none, its first segment."""
    out = {}
    for task, segs in segments.items():
        lasting = [s for s in segs if s[2] > s[1]]
        out[task] = lasting if lasting else segs[:1]
    return out


def export(tmp_path: Path, ext: str, trace: str | Path | None = None, *flags: str) -> Path:
    out = tmp_path / f"trace.{ext}"
    subprocess.run([BIN, "export", str(trace or TRACE), "-o", str(out), *flags], check=True, capture_output=True)
    return out


def test_every_chrome_slice_is_a_sqlite_segment(tmp_path):
    check_chrome_slices_match_sqlite(Path(TRACE), export(tmp_path, "json"))


def check_chrome_slices_match_sqlite(trace: Path, chrome_json: Path) -> None:
    """Every drawn segment of the trace is exactly one slice on its task's track, to the ns, none invented."""
    expected = expected_chrome_slices(expected_segments(trace))
    events = json.loads(chrome_json.read_text())["traceEvents"]
    # Track -> task id, from the track's name ("name #id": the id is the last "#N").
    task_of_tid = {}
    for e in events:
        if e["ph"] == "M" and e["pid"] == 1 and e["name"] == "thread_name":
            text = re.search(r"#(b?\d+)$", e["args"]["name"]).group(1)
            task_of_tid[e["tid"]] = 2 ** 48 + int(text[1:]) if text.startswith("b") else int(text)
    got: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for e in events:
        if e["ph"] == "X" and e["pid"] == 1:
            start = round(e["ts"] * 1000)
            got[task_of_tid[e["tid"]]].append((e["name"], start, start + round(e["dur"] * 1000)))
    assert set(got) <= set(expected)
    for task, segments in expected.items():
        # Every drawn segment is one slice, exactly, in order; zero-length ones only as a task's only slice.
        want = segments
        have = sorted(got.get(task, []), key=lambda s: (s[1], s[2]))
        assert [s[0] for s in have] == [s[0] for s in want], task
        for (_, s0, e0), (_, s1, e1) in zip(have, want):
            # Chrome timestamps are microseconds with 3 decimals: exact to the nanosecond.
            assert (s0, e0) == (s1, e1), (task, (s0, e0), (s1, e1))


def test_every_task_fact_is_in_the_chrome_json(tmp_path):
    check_chrome_facts_match_sqlite(Path(TRACE), export(tmp_path, "json"))


FIXED_INFERRED_DETAIL = {"done": "parent ended", "cancelled": "parent ended; cancel requested"}  # docs/schema.md


def check_chrome_facts_match_sqlite(trace: Path, chrome_json: Path) -> None:
    """Every fact docs/export.md promises per task is in the JSON once, equal to SQLite's: its id (the track's name),
    parent (its `parent` arg, or said once by a parent's `child_tids`), spawn site, error, outcome (`(inferred)`
    when the trace has an inferred_outcome mark for it), its other marks, and the thread of every running slice
    (its name in otherData)."""
    doc = json.loads(chrome_json.read_text())
    events, other = doc["traceEvents"], doc["otherData"]
    task_of_tid = {}
    for e in events:
        if e["ph"] == "M" and e["pid"] == 1 and e["name"] == "thread_name":
            text = re.search(r"#(b?\d+)$", e["args"]["name"]).group(1)
            task_of_tid[e["tid"]] = 2 ** 48 + int(text[1:]) if text.startswith("b") else int(text)
    static: dict[int, dict] = {}
    running: list[tuple[int, int, int | None]] = []
    for e in events:
        if e["ph"] != "X" or e["pid"] != 1:
            continue
        task, args = task_of_tid[e["tid"]], e.get("args", {})
        if "outcome" in args:
            assert task not in static, f"task {task}: static args on two slices"
            static[task] = args
        if e["name"] == "running":
            running.append((task, round(e["ts"] * 1000), args.get("thread")))
        else:
            assert "thread" not in args, (task, e)
    listed_parent = {}
    tid_of_task = {task: tid for tid, task in task_of_tid.items()}
    for parent, args in static.items():
        for part in filter(None, args.get("child_tids", "").split(",")):
            first, _, last = part.partition("-")
            for tid in range(int(first), int(last or first) + 1):
                listed_parent[task_of_tid[tid]] = parent
    rows = query(trace, "select id, parent_id, file, line, error from tasks")
    assert set(static) == {r[0] for r in rows}, "every task has its static args exactly once"
    final: dict[int, tuple[str, int]] = {}
    for task, state, ts in query(trace, "select task_id, state, ts_ns from transitions order by ts_ns, seq"):
        final[task] = (state, ts)
    inferred = {r[0] for r in query(trace, "select task_id from marks where kind = 'inferred_outcome'")}
    marks: dict[int, list[tuple[str, int, str | None]]] = defaultdict(list)
    for task, ts, kind, detail in query(trace, "select task_id, ts_ns, kind, detail from marks where task_id is not null"):
        marks[task].append((kind, ts, detail))
    for task, parent, file, line, error in rows:
        args = static[task]
        assert not ("parent" in args and task in listed_parent), f"task {task}: parent said twice"
        if parent in tid_of_task:
            assert args.get("parent", listed_parent.get(task)) == parent, task
        assert args.get("spawn_site") == (f"{file}:{line}" if file and line is not None else file), task
        assert args.get("error") == error, task
        state, end = final[task]
        outcome = state if state in TERMINAL else "unfinished"
        if task in inferred and outcome != "unfinished":
            outcome += " (inferred)"
        assert args["outcome"] == outcome, task
        # Marks: all but the inferred-outcome mark with the fixed detail at the task's end (the outcome says it).
        kept = [m for m in marks[task]
                if not (m[0] == "inferred_outcome" and state in TERMINAL and m[2] == FIXED_INFERRED_DETAIL.get(state)
                        and m[1] == end)]
        assert ("marks" in args) == bool(kept), task
        for kind, _, detail in kept:
            assert f"{kind} at " in args["marks"] and (detail or "") in args["marks"], task
        if not any(m[0] == "inferred_outcome" for m in kept):
            assert "inferred_outcome" not in args.get("marks", ""), task
    # Which thread ran what: every running slice names the thread of its SQLite running transition.
    threads = {(task, ts): thread for task, ts, thread in
               query(trace, "select task_id, ts_ns, thread_id from transitions where state = 'running'")}
    assert running
    for task, start, thread in running:
        assert (task, start) in threads, (task, start)
        assert thread == (threads[(task, start)] or None), (task, start)
    for thread, name, kind in query(trace, "select id, name, kind from threads"):
        assert other[f"thread.{thread}"] == f"{name} ({kind})"


def test_every_sqlite_segment_is_one_svg_bar_or_part_of_a_merged_one(tmp_path):
    expected = expected_segments(Path(TRACE))
    svg = ET.parse(export(tmp_path, "svg")).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    text = ET.tostring(svg, encoding="unicode")
    # Each drawn bar carries a tooltip "<state> <duration>" or "N segments merged (mostly <state>), <duration>".
    titles = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    drawn_states = [m.group(1) for t in titles for m in [re.match(r"(created|scheduled|running|suspended) ", t)] if m]
    every = [s for segs in expected.values() for s in segs]
    # Every segment is exactly one bar or one part of a merged bar (sub-pixel ones are merged), none invented,
    # none lost.
    merged = sum(int(m.group(1)) for t in titles for m in [re.match(r"(\d+) segments merged", t)] if m)
    assert len(drawn_states) + merged == len(every)
    # Every task of the trace has a row label.
    for task in expected:
        assert f"#{id_text(task)}" in text, task
