"""`tasktrace record -- PROGRAM` on an unmodified program (samples/unmodified-program), checked on the SQLite rows.

Needs TASKTRACE_BIN (the built `tasktrace`, with libTaskTracePreload.so beside it) and UNMODIFIED_PROGRAM (the
built sample). Expectations come from what the program itself prints: the tasks it started and their names.
"""
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

BIN = os.environ.get("TASKTRACE_BIN", "")
PROGRAM = os.environ.get("UNMODIFIED_PROGRAM", "")

LEGAL = {
    ("created", "scheduled"), ("created", "cancelled"), ("scheduled", "running"), ("running", "suspended"),
    ("running", "done"), ("running", "cancelled"), ("running", "errored"), ("suspended", "scheduled"),
}


def record(tmp_path: Path, *program_args: str, output: str = "trace.sqlite", workers: str = "2"):
    """Runs `tasktrace record` in tmp_path; returns the completed process."""
    assert BIN and PROGRAM, "set TASKTRACE_BIN and UNMODIFIED_PROGRAM"
    return subprocess.run(
        [BIN, "record", "--workers", workers, "-o", output, "--", *program_args],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )


def rows(trace: Path, sql: str, *params):
    with sqlite3.connect(f"file:{trace}?mode=ro", uri=True) as db:
        return db.execute(sql, params).fetchall()


def states_by_task(trace: Path) -> dict:
    by_task = {}
    query = "select task_id, state, ts_ns, thread_id from transitions order by ts_ns, seq"
    for task, state, ts, thread in rows(trace, query):
        by_task.setdefault(task, []).append((state, ts, thread))
    return by_task


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    """One recording of the sample, ending with exit(3)."""
    folder = tmp_path_factory.mktemp("record")
    done = record(folder, PROGRAM, "--exit-code", "3")
    return folder, done


def test_record_exits_with_the_programs_exit_code(traced):
    folder, done = traced
    assert done.returncode == 3, done.stderr
    assert (folder / "trace.sqlite").exists() and (folder / "trace.html").exists()
    assert "recorded" in done.stdout and "tasks:" in done.stdout and "dropped events: 0" in done.stdout


def test_trace_follows_the_state_machine(traced):
    folder, _ = traced
    trace = folder / "trace.sqlite"
    by_task = states_by_task(trace)
    assert by_task
    for task, states in by_task.items():
        assert states[0][0] == "created", (task, states)
        for (before, t0, _), (after, t1, _) in zip(states, states[1:]):
            assert (before, after) in LEGAL, (task, before, after)
            assert t1 >= t0, (task, t0, t1)
    meta = dict(rows(trace, "select key, value from meta"))
    assert meta["capture"] == "process" and "ended_unix_ns" in meta and meta["dropped_events"] == "0"
    # Exact: every integrity counter written, and zero.
    for key in ("skipped_events", "reordered_events", "reconstructed_transitions", "late_events"):
        assert meta.get(key) == "0", (key, meta.get(key))


def test_trace_holds_every_task_the_program_started(traced):
    folder, done = traced
    trace = folder / "trace.sqlite"
    started = re.search(r"started (\d+) tasks \(named: ([^;]*);", done.stdout)
    assert started, done.stdout
    count, names = int(started.group(1)), [n.strip() for n in started.group(2).split(",")]
    tasks = {row[0]: row[1:] for row in rows(trace, "select id, parent_id, name, kind from tasks")}
    # Its async main (the root) plus each task it started: Task {}, Task.detached {}, nested ones.
    assert len(tasks) == count + 1, tasks
    main = [t for t, (parent, name, kind) in tasks.items() if name == "main" and kind == "root"]
    assert len(main) == 1
    # Every other task was started by traced code, so each has a parent; the fetches and cleanup by `main`.
    assert all(parent is not None for t, (parent, _, _) in tasks.items() if t != main[0]), tasks
    assert sum(parent == main[0] for parent, _, _ in tasks.values()) == 5
    by_name = {name: t for t, (_, name, _) in tasks.items() if name}
    # Names are readable for the tasks that start another task while they run (cleanup, report).
    assert {"cleanup", "report"} <= set(by_name) and set(by_name) - {"main"} <= set(names)
    # The task `report` started has `report` as its parent; `cleanup`'s too.
    assert any(parent == by_name["report"] for parent, _, _ in tasks.values())
    assert any(parent == by_name["cleanup"] for parent, _, _ in tasks.values())


def test_detached_task_without_handle_ends_inferred_done(traced):
    folder, _ = traced
    trace = folder / "trace.sqlite"
    cleanup = rows(trace, "select id from tasks where name = 'cleanup'")[0][0]
    assert states_by_task(trace)[cleanup][-1][0] == "done"
    marks = rows(trace, "select kind, detail from marks where task_id = ?", cleanup)
    assert [kind for kind, _ in marks] == ["inferred_outcome"], marks
    assert "freed" in marks[0][1]


def test_task_whose_handle_is_dropped_later_ends_inferred_done(traced):
    folder, _ = traced
    trace = folder / "trace.sqlite"
    # `report detail` is awaited through a temporary handle, dropped after (or while) its last job ended.
    report = rows(trace, "select id from tasks where name = 'report'")[0][0]
    (detail,) = [t for (t,) in rows(trace, "select id from tasks where parent_id = ?", report)]
    assert states_by_task(trace)[detail][-1][0] == "done"
    marks = rows(trace, "select detail from marks where task_id = ? and kind = 'inferred_outcome'", detail)
    assert len(marks) == 1 and "freed" in marks[0][0]


def test_tasks_with_kept_handles_are_not_claimed_done(traced):
    folder, _ = traced
    trace = folder / "trace.sqlite"
    # `report` is awaited through a handle the program keeps: nothing says it finished, so it is left open.
    report = rows(trace, "select id from tasks where name = 'report'")[0][0]
    assert states_by_task(trace)[report][-1][0] not in ("done", "cancelled", "errored")
    # No task ends in a terminal state without either an observed outcome or an inferred_outcome mark.
    inferred = {t for (t,) in rows(trace, "select task_id from marks where kind = 'inferred_outcome'")}
    for task, states in states_by_task(trace).items():
        if states[-1][0] in ("done", "cancelled", "errored"):
            assert task in inferred, task


def test_main_actor_work_runs_on_its_own_lane(traced):
    folder, _ = traced
    trace = folder / "trace.sqlite"
    lane = rows(trace, "select id from threads where name = 'main-actor'")
    assert len(lane) == 1
    # `report` ran MainActor.run { … }: one of its running segments is on the main-actor lane.
    report = rows(trace, "select id from tasks where name = 'report'")[0][0]
    assert any(state == "running" and thread == lane[0][0] for state, _, thread in states_by_task(trace)[report])
    workers = {t for (t,) in rows(trace, "select id from threads where kind = 'worker'")}
    assert len(workers) == 2


@pytest.mark.parametrize("flag, signal_number", [("--terminate", 15), ("--interrupt", 2)])
def test_a_signal_finishes_the_trace_and_ends_the_program(tmp_path, flag, signal_number):
    done = record(tmp_path, PROGRAM, flag)
    assert done.returncode == 128 + signal_number, done.stderr
    meta = dict(rows(tmp_path / "trace.sqlite", "select key, value from meta"))
    assert "ended_unix_ns" in meta
    assert (tmp_path / "trace.html").exists()


def bad_input(tmp_path: Path, *args: str, output: str = "out.sqlite"):
    done = record(tmp_path, *args, output=output)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tasktrace: "), done.stderr
    made = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".sqlite", ".html")]
    assert not made, made
    return lines[0]


def test_missing_program(tmp_path):
    assert "no such program" in bad_input(tmp_path, "no-such-program-here")


def test_not_a_swift_program(tmp_path):
    assert "not a Swift program" in bad_input(tmp_path, shutil.which("true") or "/bin/true")


def test_a_script(tmp_path):
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    assert "is a script" in bad_input(tmp_path, str(script))


def test_unwritable_output(tmp_path):
    assert "cannot write there" in bad_input(tmp_path, PROGRAM, output="no/such/folder/trace.sqlite")
    (tmp_path / "folder.sqlite").mkdir()
    assert "it is a directory" in bad_input(tmp_path, PROGRAM, output="folder.sqlite")


def test_statically_linked_swift_program(tmp_path):
    swiftc = shutil.which("swiftc")
    if not swiftc:
        pytest.skip("swiftc not on PATH")
    source = tmp_path / "static.swift"
    source.write_text("await Task.detached { print(1) }.value\n")
    build = tmp_path / "build"
    build.mkdir()
    subprocess.run([swiftc, "-static-stdlib", str(source), "-o", str(build / "static-program")], check=True,
                   capture_output=True, timeout=300)
    line = bad_input(tmp_path, str(build / "static-program"))
    assert "statically" in line


def test_synchronous_main_has_no_main_task(tmp_path):
    """Task 1 of a program without an async main is an ordinary task: not named `main`, not a root."""
    swiftc = shutil.which("swiftc")
    if not swiftc:
        pytest.skip("swiftc not on PATH")
    source = tmp_path / "sync.swift"
    source.write_text("import Foundation\nlet done = DispatchSemaphore(value: 0)\n"
                      "Task.detached { done.signal() }\ndone.wait()\n")
    subprocess.run([swiftc, str(source), "-o", str(tmp_path / "sync-program")], check=True, capture_output=True,
                   timeout=300)
    done = record(tmp_path, str(tmp_path / "sync-program"))
    assert done.returncode == 0, done.stderr
    tasks = rows(tmp_path / "trace.sqlite", "select id, name, kind from tasks")
    assert len(tasks) == 1 and tasks[0][1] is None and tasks[0][2] == "unknown", tasks
