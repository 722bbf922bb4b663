"""The viewer on traces made to break it: hostile task names (markup, script closers, quotes, control
characters) must stay inert text, and a 100k-task trace must open with every task. Needs TASKTRACE_BIN only
(the hostile trace is the committed samples/sample.sqlite with names rewritten through sqlite3, per
docs/schema.md; the large one is recorded by `tasktrace record demo --scenario load --tasks 100000`).
No timing is asserted here: web/bench/ measures speed.
"""
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

import trace_facts as facts
from viewer_page import export_html, open_viewer, panel_title, settle

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "sample.sqlite"
HOSTILE = [
    "</script><script>window.pwned = 1</script>",
    "<img src=x onerror=\"window.pwned = 2\">",
    "\"double\" 'single' `back` \\ & &amp; &lt;",
    "ctl\x01\x07\x1b[31m\x7f end",
    "<!-- </style> <b>bold</b>",
    "line\u2028sep\u2029end",
]


def _binary() -> Path:
    value = os.environ.get("TASKTRACE_BIN")
    if not value or not Path(value).is_file():
        pytest.fail("TASKTRACE_BIN must name the built tasktrace executable", pytrace=False)
    return Path(value).resolve()


@pytest.fixture(scope="module")
def hostile_trace(tmp_path_factory) -> tuple[Path, dict[int, str]]:
    trace = tmp_path_factory.mktemp("hostile") / "hostile.sqlite"
    shutil.copy(SAMPLE, trace)
    with closing(sqlite3.connect(trace)) as db:
        ids = [r[0] for r in db.execute("select id from tasks order by id limit ?", (len(HOSTILE),))]
        version = db.execute("pragma user_version").fetchone()[0]
        for task_id, name in zip(ids, HOSTILE):
            if version >= 4:
                # `tasks` is a view since format version 4: a later record of a task goes to task_updates.
                db.execute("insert into task_updates(id, name, error) values (?, ?, ?) on conflict(id) do update "
                           "set name = excluded.name, error = excluded.error", (task_id, name, name))
            else:
                db.execute("update tasks set name = ?, error = ? where id = ?", (name, name, task_id))
        db.execute("update meta set value = ? where key = 'command'", (HOSTILE[0],))
        db.commit()
    return trace, dict(zip(ids, HOSTILE))


def test_hostile_names_stay_text(browser, tmp_path, hostile_trace):
    trace, names = hostile_trace
    html = export_html(_binary(), trace, tmp_path / "hostile.html")
    with open_viewer(browser, html) as (page, problems):
        for task_id, name in names.items():
            assert page.evaluate("id => window.tasktrace.select(id)", task_id)
            settle(page)
            assert panel_title(page) == f"{name} #{task_id}", "the panel shows the name exactly, as text"
            assert name in page.locator(".tt-error").text_content()
            assert task_id in page.evaluate("t => window.tasktrace.find(t)", name)
        page.mouse.move(600, 400)   # hover the chart too: the tooltip is built the same way
        settle(page)
        assert page.evaluate("() => window.pwned") is None, "a name ran as script"
        assert page.evaluate("() => document.querySelectorAll('img, b').length") == 0, "a name became markup"
        assert page.evaluate("() => document.scripts.length") == 2, "only the data and the viewer's script"
        assert HOSTILE[0] in page.locator(".tt-command").text_content()
        assert problems == []


def test_a_100k_task_trace_opens_with_every_task(browser, tmp_path):
    trace = tmp_path / "load.sqlite"
    r = subprocess.run([str(_binary()), "record", "demo", "--scenario", "load", "--tasks", "100000",
                        "--output", str(trace), "--no-html"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    html = export_html(_binary(), trace, tmp_path / "load.html")
    expected = facts.task_count(trace)
    assert expected > 100_000
    with open_viewer(browser, html) as (page, problems):
        assert page.evaluate("() => window.tasktrace.taskCount") == expected
        last = facts.query(trace, "select max(id) from tasks")[0][0]
        assert page.evaluate("id => window.tasktrace.select(id)", last)
        assert panel_title(page) == facts.label(trace, last), "the last task is reachable: no row cap"
        page.keyboard.press("w")
        page.keyboard.press("PageDown")
        settle(page)
        assert problems == []


def test_marks_and_an_inferred_outcome_are_listed(browser, tmp_path):
    """Mark kinds the runtime writes (inferred_outcome, events_lost, on_actor) show in the task's panel, and an
    inferred outcome never reads as a confident one."""
    trace = tmp_path / "marks.sqlite"
    shutil.copy(SAMPLE, trace)
    with closing(sqlite3.connect(trace)) as db:
        task, ended = db.execute("""SELECT task_id, ts_ns FROM transitions WHERE state = 'done'
                                    ORDER BY task_id LIMIT 1""").fetchone()
        kinds = {"inferred_outcome": "end inferred from the parent's wake-up", "events_lost": "2 events dropped",
                 "on_actor": "actor job during this running segment"}
        # Marks live in `marks` (format version 1) or `mark_log` behind the `marks` view (version 2).
        table = "mark_log" if db.execute("pragma user_version").fetchone()[0] >= 2 else "marks"
        for kind, detail in kinds.items():
            db.execute(f"insert into {table}(task_id, ts_ns, kind, detail) values (?, ?, ?, ?)", (task, ended, kind, detail))
        db.commit()
    html = export_html(_binary(), trace, tmp_path / "marks.html")
    with open_viewer(browser, html) as (page, problems):
        assert page.evaluate("id => window.tasktrace.select(id)", task)
        settle(page)
        panel = page.locator(".tt-task-panel").inner_text()
        assert "done (inferred)" in panel
        for kind, detail in kinds.items():
            assert kind in panel and detail in panel
        assert "done (inferred)" in page.locator(".tt-header").inner_text()
        assert problems == []
