"""Facts read straight from a SQLite trace (read-only), following docs/schema.md: what the viewer must show."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

# docs/export.md / README: unnamed tasks are labelled by kind.
KIND_LABELS = {"root": "root", "spawned": "task", "group_child": "group child", "async_let": "async let",
               "blocking": "blocking", "unknown": "task"}

_SEGMENTS = """
WITH ordered AS (
  SELECT task_id, state, ts_ns, thread_id, lead(ts_ns) OVER (PARTITION BY task_id ORDER BY ts_ns, seq) AS next_ns
  FROM transitions)
SELECT o.task_id, o.ts_ns, o.next_ns, o.thread_id FROM ordered o JOIN tasks t ON t.id = o.task_id
WHERE o.state = 'running' AND o.next_ns IS NOT NULL AND t.name IS NOT NULL {extra}
ORDER BY o.next_ns - o.ts_ns DESC, o.task_id LIMIT 1"""


BLOCKING_ID_BASE = 2 ** 48  # docs/schema.md: blocking-pool work, labelled b1, b2…


def id_text(task_id: int) -> str:
    return f"b{task_id - BLOCKING_ID_BASE}" if BLOCKING_ID_BASE < task_id < 2 * BLOCKING_ID_BASE else str(task_id)


def input_file(var: str) -> Path:
    """The file an environment variable names (TASKTRACE_BIN, TASKTRACE_SAMPLE); the test FAILS without it."""
    import os
    import pytest
    value = os.environ.get(var)
    if not value:
        pytest.fail(f"{var} is not set: export TASKTRACE_BIN=<built tasktrace executable> "
                    f"TASKTRACE_SAMPLE=<trace.sqlite> before running web/tests", pytrace=False)
    if not Path(value).is_file():
        pytest.fail(f"{var}={value}: no such file", pytrace=False)
    return Path(value).resolve()


def query(trace: Path, sql: str, args=()) -> list[tuple]:
    with closing(sqlite3.connect(f"{Path(trace).resolve().as_uri()}?mode=ro", uri=True)) as db:
        return db.execute(sql, args).fetchall()


def label(trace: Path, task_id: int) -> str:
    name, kind = query(trace, "select name, kind from tasks where id = ?", (task_id,))[0]
    return f"{name if name is not None else KIND_LABELS.get(kind, 'task')} #{id_text(task_id)}"


def labels(trace: Path) -> dict[int, str]:
    return {i: f"{n if n is not None else KIND_LABELS.get(k, 'task')} #{id_text(i)}"
            for i, n, k in query(trace, "select id, name, kind from tasks")}


def longest_running_leaf(trace: Path) -> tuple[int, int, int]:
    """(task id, start, end) of the longest running segment of a named task without children."""
    row = query(trace, _SEGMENTS.format(
        extra="AND t.id NOT IN (SELECT parent_id FROM tasks WHERE parent_id IS NOT NULL)"))
    assert row, "the trace has no named leaf task with a running segment"
    return row[0][:3]


def longest_running_on_thread(trace: Path) -> tuple[int, int, int, str]:
    """(task id, start, end, thread name) of the longest running segment of a named task."""
    task, start, end, thread = query(trace, _SEGMENTS.format(extra="AND o.thread_id IS NOT NULL"))[0]
    name = query(trace, "select name from threads where id = ?", (thread,))[0][0]
    return task, start, end, name


def task_count(trace: Path) -> int:
    return query(trace, "select count(*) from tasks")[0][0]


def trace_end(trace: Path) -> int:
    """docs/export.md: max(meta duration_ns, last transition, last mark, last untracked job end)."""
    values = [query(trace, "select coalesce(max(ts_ns), 0) from transitions")[0][0],
              query(trace, "select coalesce(max(ts_ns), 0) from marks")[0][0],
              query(trace, "select coalesce(max(end_ns), 0) from untracked_jobs")[0][0]]
    duration = query(trace, "select value from meta where key = 'duration_ns'")
    if duration:
        values.append(int(duration[0][0]))
    return max(values)


def siblings_in_order(trace: Path, parent: int | None) -> list[int]:
    """Children of `parent` (roots for None) in tree order: by first transition, then id."""
    where = "t.parent_id IS NULL" if parent is None else "t.parent_id = ?"
    rows = query(trace, f"""SELECT t.id FROM tasks t JOIN transitions l ON l.task_id = t.id WHERE {where}
                             GROUP BY t.id ORDER BY min(l.ts_ns), t.id""", () if parent is None else (parent,))
    return [r[0] for r in rows]


def unfinished_tasks(trace: Path) -> list[int]:
    rows = query(trace, """SELECT task_id FROM (SELECT task_id, state, max(seq) FROM transitions GROUP BY task_id)
                           WHERE state NOT IN ('done', 'cancelled', 'errored') ORDER BY task_id""")
    return [r[0] for r in rows]
