"""What the Chrome JSON leaves out (docs/export.md, "What is omitted"), checked in the REAL importers (Perfetto UI v52's
trace processor and catapult) against facts read from SQLite, never from the exporter:

* a parent with more than 64 children gets no spawn arrows, and its first slice says so; one with at most 64 keeps
  every arrow; `--all-flows` draws them all;
* a task whose every segment lasts 0 ns still has exactly one slice (its track and its args); no other slice has
  zero duration;
* both viewers draw the task tracks in tree order (a parent right before its subtree, siblings by creation time);
* `-o TRACE.json.gz` writes the same JSON gzipped, and both viewers load it as they load the plain file.

The input is TASKTRACE_SAMPLE plus tasks this module adds to a copy of it (the committed traces have neither a fan-out
over 64 nor an all-zero task): a parent with 65 children and one with 3, one of which lives 0 ns.
Needs TASKTRACE_BIN and TASKTRACE_SAMPLE (fails without).
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

import trace_facts as facts
import viewers
from test_exports_match_sqlite import check_chrome_facts_match_sqlite, check_chrome_slices_match_sqlite
from trace_facts import input_file

FAN_OUT_LIMIT = 64
WIDE, NARROW = "wide parent", "narrow parent"
BLINK = "blink"  # created, scheduled, running and done at the same nanosecond


def add_tasks(trace: Path) -> dict:
    """Adds a parent with FAN_OUT_LIMIT + 1 children and one with 3 (one of them BLINK) to `trace`, inside the
    trace's time span, running one at a time on a worker thread of their own (a lane's slices must not overlap).
    Returns their ids."""
    with closing(sqlite3.connect(trace)) as db:
        version = db.execute("pragma user_version").fetchone()[0]
        code = dict(db.execute("select name, code from states"))
        worker = db.execute("select max(id) from threads").fetchone()[0] + 1
        db.execute("insert into threads(id, name, kind) values (?, 'added-worker', 'worker')", (worker,))
        next_id = db.execute("select max(id) from tasks").fetchone()[0] + 1
        rows: list[tuple[int, int, str]] = []   # (task, ts, state)
        ids = {}

        def task(name, parent, kind, steps):
            nonlocal next_id
            tid = next_id
            next_id += 1
            if version >= 4:
                # Format version 4: `tasks` is a view over task_batches (elements: id, parent_id, kind, name).
                db.execute("insert into task_batches(tasks) values (?)", (json.dumps([[tid, parent, kind, name]]),))
            else:
                db.execute("insert into tasks(id, parent_id, name, kind) values (?, ?, ?, ?)", (tid, parent, name, kind))
            rows.extend((tid, ts, state) for ts, state in steps)
            return tid

        def parent(name, start, run):
            return task(name, None, "root", [(start, "created"), (start, "scheduled"), (run, "running"),
                                             (run + 100, "suspended"), (900_000, "done")])

        def child(name, parent_id, kind, created, run):
            # created and scheduled at the same instant: a zero-duration `created` segment, as real group children.
            return task(name, parent_id, kind, [(created, "created"), (created, "scheduled"), (run, "running"),
                                                (run + 50, "done")])

        ids[WIDE] = parent(WIDE, 1_000, 1_000)
        ids["wide_children"] = [child(None, ids[WIDE], "group_child", 2_000 + 100 * n, 200_000 + 100 * n)
                                for n in range(FAN_OUT_LIMIT + 1)]
        ids[NARROW] = parent(NARROW, 1_500, 1_200)
        ids["narrow_children"] = [child(f"narrow child {n}", ids[NARROW], "spawned", 20_000 + n, 400_000 + 100 * n)
                                  for n in range(2)]
        ids[BLINK] = task(BLINK, ids[NARROW], "spawned", [(30_000, s) for s in ("created", "scheduled", "running",
                                                                                 "done")])
        # Transitions in time order, ties as written (the reader keeps each task's recorded order).
        for task_id, ts, state in sorted(rows, key=lambda r: r[1]):
            thread = worker if state == "running" else None
            if version < 2:
                db.execute("insert into transition_log(task_id, ts_ns, state_code, thread_id) values (?, ?, ?, ?)",
                           (task_id, ts, code[state], thread))
            elif version >= 3:
                # Format version 3: one job per transition, each in a job_batches row of its own, times from base 0
                # (elements: task_id, scheduled, from_thread, running, thread_id, end, end_code, end_thread, created).
                job = [task_id, None, None, None, None, None, None, None, None]
                slot = {"created": 8, "scheduled": 1, "running": 3}.get(state, 5)
                job[slot] = ts
                if state == "running":
                    job[4] = thread
                elif slot == 5:
                    job[6] = code[state]
                db.execute("insert into job_batches(base_ns, jobs) values (0, ?)", (json.dumps([job]),))
            elif state in ("created", "scheduled"):
                # Format version 2: one job_log row per transition is a legal (if loose) packing.
                db.execute(f"insert into job_log(task_id, {state}_ns) values (?, ?)", (task_id, ts))
            elif state == "running":
                db.execute("insert into job_log(task_id, running_ns, thread_id) values (?, ?, ?)", (task_id, ts, thread))
            else:
                db.execute("insert into job_log(task_id, end_ns, end_code) values (?, ?, ?)", (task_id, ts, code[state]))
        db.commit()
    return ids


@pytest.fixture(scope="module")
def derived(tmp_path_factory) -> dict:
    """The enlarged copy of TASKTRACE_SAMPLE and its Chrome exports: default and --all-flows."""
    binary, sample = input_file("TASKTRACE_BIN"), input_file("TASKTRACE_SAMPLE")
    folder = tmp_path_factory.mktemp("reductions")
    trace = Path(shutil.copy(sample, folder / "trace.sqlite"))
    ids = add_tasks(trace)
    out = {"trace": trace, "ids": ids}
    for key, flags, name in (("default", [], "default.json"), ("all_flows", ["--all-flows"], "all_flows.json"),
                             ("gzip", [], "default.json.gz")):
        target = folder / name
        r = subprocess.run([str(binary), "export", str(trace), "-o", str(target), *flags],
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            pytest.fail(f"tasktrace export {' '.join(flags)} failed (rc={r.returncode}): {r.stderr.strip()}",
                        pytrace=False)
        out[key] = target
    return out


def children_by_parent(trace: Path) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for child, parent in facts.query(trace, "select c.id, c.parent_id from tasks c join tasks p on p.id = c.parent_id"):
        out.setdefault(parent, []).append(child)
    return out


def tree_order(trace: Path) -> list[int]:
    """Task ids, each parent right before its subtree, siblings by first transition then id (docs/export.md)."""
    order: list[int] = []

    def visit(parent):
        for task in facts.siblings_in_order(trace, parent):
            order.append(task)
            visit(task)
    visit(None)
    return order


def tid_of_task(events) -> dict[int, int]:
    """Task id -> tid, from the tracks' names ("name #id")."""
    out = {}
    for e in events:
        if e["ph"] == "M" and e["pid"] == 1 and e["name"] == "thread_name":
            text = e["args"]["name"].rsplit("#", 1)[1]
            out[int(text[1:]) + facts.BLOCKING_ID_BASE if text.startswith("b") else int(text)] = e["tid"]
    return out


@pytest.fixture(scope="module")
def perfetto_default(browser, derived):
    with viewers.perfetto_load(browser, derived["default"]) as session:
        yield session


def perfetto_flow_parents(session) -> list[int]:
    """The tid each flow starts on, as Perfetto bound it."""
    rows = session.query("select t.tid from flow f join slice s on s.id = f.slice_out "
                         "join thread_track tt on tt.id = s.track_id join thread t using(utid)")
    return [r["tid"] for r in rows]


def catapult_flow_count(browser, path) -> tuple[int, dict]:
    r = viewers.catapult_import(browser, path)
    assert r["importWarnings"] == [] and r["pageErrors"] == []
    return r["flows"], r


def test_slices_match_sqlite_with_the_added_tasks(derived):
    check_chrome_slices_match_sqlite(derived["trace"], derived["default"])


def test_facts_match_sqlite_with_the_added_tasks(derived):
    """The wide parent's children do not repeat `parent`: its `child_tids` says it once (checked from SQLite)."""
    check_chrome_facts_match_sqlite(derived["trace"], derived["default"])
    check_chrome_facts_match_sqlite(derived["trace"], derived["all_flows"])


def test_fan_out_over_the_limit_has_no_arrows_and_says_so(browser, derived, perfetto_default):
    trace, ids = derived["trace"], derived["ids"]
    children = children_by_parent(trace)
    assert len(children[ids[WIDE]]) == FAN_OUT_LIMIT + 1
    arrowed = sum(len(c) for c in children.values() if len(c) <= FAN_OUT_LIMIT)
    events = viewers.chrome_events(derived["default"])
    tids = tid_of_task(events)
    # Perfetto: exactly the children of small families have an arrow; none starts on the wide parent.
    parents = perfetto_flow_parents(perfetto_default)
    assert len(parents) == arrowed
    assert tids[ids[WIDE]] not in parents
    assert parents.count(tids[ids[NARROW]]) == 3
    assert perfetto_default.stats_problems() == []
    # The wide parent's first slice says what was left out, as Perfetto shows it in the details panel.
    args = perfetto_default.query(
        "select a.key, a.display_value as v from slice s join thread_track tt on tt.id = s.track_id "
        f"join thread t using(utid) join args a on a.arg_set_id = s.arg_set_id where t.tid = {tids[ids[WIDE]]} "
        "and a.key in ('args.children', 'args.arrows')")
    assert {r["key"]: r["v"] for r in args} == {"args.children": str(FAN_OUT_LIMIT + 1),
                                                "args.arrows": f"omitted (fan-out > {FAN_OUT_LIMIT})"}
    # catapult agrees.
    flows, _ = catapult_flow_count(browser, derived["default"])
    assert flows == arrowed
    other = json.loads(derived["default"].read_text())["otherData"]
    omitted = sum(len(c) for c in children.values() if len(c) > FAN_OUT_LIMIT)  # the trace may have its own
    assert omitted >= FAN_OUT_LIMIT + 1 and other["export.omitted_spawn_arrows"] == str(omitted)


def test_all_flows_draws_every_arrow(browser, derived):
    every = sum(len(c) for c in children_by_parent(derived["trace"]).values())
    flows, _ = catapult_flow_count(browser, derived["all_flows"])
    assert flows == every
    with viewers.perfetto_load(browser, derived["all_flows"]) as session:
        assert len(perfetto_flow_parents(session)) == every
        assert session.stats_problems() == []


def test_a_zero_length_task_has_exactly_one_slice_with_its_args(browser, derived, perfetto_default):
    events = viewers.chrome_events(derived["default"])
    tid = tid_of_task(events)[derived["ids"][BLINK]]
    rows = perfetto_default.query(
        "select s.name, s.dur, s.arg_set_id from slice s join thread_track tt on tt.id = s.track_id "
        f"join thread t using(utid) where t.tid = {tid}")
    assert [(r["name"], r["dur"]) for r in rows] == [("created", 0)]
    args = {r["key"]: r["v"] for r in perfetto_default.query(
        f"select key, display_value as v from args where arg_set_id = {rows[0]['arg_set_id']}")}
    assert args["args.outcome"] == "done" and args["args.parent"] == str(derived["ids"][NARROW])
    name = perfetto_default.query(f"select name from thread where tid = {tid}")
    assert name == [{"name": f"{BLINK} #{facts.id_text(derived['ids'][BLINK])}"}]
    # No other zero-duration slice on a task track (lint findings are instants, category 'finding').
    zero = perfetto_default.query(
        "select count(*) as n from slice s join thread_track tt on tt.id = s.track_id join thread t using(utid) "
        "join process p using(upid) where p.pid = 1 and s.dur = 0 and s.category is not 'finding'")
    assert zero == [{"n": 1}]
    _, r = catapult_flow_count(browser, derived["default"])
    assert {(t["pid"], t["tid"]): t["slices"] for t in r["threads"]}[(1, tid)] == 1
    # Its spawn arrow still binds (counted by both importers in the fan-out test).


def test_task_tracks_are_in_tree_order_in_both_viewers(browser, derived, perfetto_default):
    trace = derived["trace"]
    tids = tid_of_task(viewers.chrome_events(derived["default"]))
    want = [tids[task] for task in tree_order(trace)]
    assert len(want) == facts.task_count(trace)
    assert perfetto_default.track_order(1, len(want)) == want
    _, r = catapult_flow_count(browser, derived["default"])
    assert r["trackOrder"]["1"] == want


def test_gzipped_export_is_the_same_json_and_both_viewers_load_it(browser, derived, perfetto_default):
    import gzip
    assert gzip.decompress(derived["gzip"].read_bytes()) == derived["default"].read_bytes()
    plain = viewers.catapult_import(browser, derived["default"])
    packed = viewers.catapult_import(browser, derived["gzip"])
    assert packed["importWarnings"] == [] and packed["pageErrors"] == []
    assert (packed["threads"], packed["flows"]) == (plain["threads"], plain["flows"])
    counts = "select (select count(*) from slice) as slices, (select count(*) from flow) as flows"
    with viewers.perfetto_load(browser, derived["gzip"]) as session:
        assert session.query(counts) == perfetto_default.query(counts)
        assert session.stats_problems() == []
