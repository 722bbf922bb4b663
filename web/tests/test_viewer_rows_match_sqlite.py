"""Every task row of the HTML viewer checked against the SQLite trace, by code that shares nothing with the exporter:
the page holds exactly the trace's tasks, in an order where each task's subtree (from `tasks.parent_id`) follows it
contiguously, and each task's panel names it and states the outcome its last transition says (inferred ones marked).
Inputs: TASKTRACE_BIN and TASKTRACE_SAMPLE, as for test_viewer.py."""
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

import trace_facts as facts
from trace_facts import input_file
from viewer_page import export_html, open_viewer, panel_title

TERMINAL = {"done", "cancelled", "errored"}


@pytest.fixture(scope="module")
def trace() -> Path:
    return input_file("TASKTRACE_SAMPLE")


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory, trace):
    html = export_html(input_file("TASKTRACE_BIN"), trace, tmp_path_factory.mktemp("rows") / "trace.html")
    with open_viewer(browser, html) as (page, problems):
        yield page
        assert problems == [], "console errors, page errors, dialogs or network requests"


def test_rows_are_the_trace_tasks_in_tree_order(page, trace):
    parents = dict(facts.query(trace, "select id, parent_id from tasks"))
    rows = [int(i) for i in page.evaluate("window.tasktrace.find('#')")]  # every label is "name #id"
    assert sorted(rows) == sorted(parents)
    position = {task: n for n, task in enumerate(rows)}
    children = defaultdict(list)
    for task, parent in parents.items():
        if parent in parents and parent != task:
            children[parent].append(task)

    def size(task):
        return 1 + sum(size(c) for c in children[task])

    for task, n in position.items():
        parent = parents[task]
        if parent in position:
            assert position[parent] < n, (task, parent)
        # The subtree occupies the rows right after the task.
        subtree = size(task)
        below = set(rows[n:n + subtree])
        stack, want = [task], set()
        while stack:
            t = stack.pop()
            want.add(t)
            stack.extend(children[t])
        assert below == want, task


@pytest.fixture(scope="module")
def inferred_trace(tmp_path_factory) -> Path:
    """A small recording whose plain task-group children end by inference (the flood scenario's children)."""
    out = tmp_path_factory.mktemp("inferred") / "flood.sqlite"
    subprocess.run([str(input_file("TASKTRACE_BIN")), "record", "demo", "--scenario", "flood", "--tasks", "300",
                    "--no-html", "--output", str(out)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def inferred_page(browser, tmp_path_factory, inferred_trace):
    html = export_html(input_file("TASKTRACE_BIN"), inferred_trace, tmp_path_factory.mktemp("rows2") / "trace.html")
    with open_viewer(browser, html) as (page, problems):
        yield page
        assert problems == [], "console errors, page errors, dialogs or network requests"


def test_each_task_panel_names_it_and_states_its_outcome(page, trace):
    check_panels(page, trace)


def test_inferred_outcomes_say_so_in_the_panel(inferred_page, inferred_trace):
    inferred = facts.query(inferred_trace, "select count(*) from marks where kind = 'inferred_outcome'")[0][0]
    assert inferred > 0, "the flood's plain group children end by inference"
    check_panels(inferred_page, inferred_trace)


def check_panels(page, trace):
    labels = facts.labels(trace)
    last = {t: s for t, s in facts.query(trace, """
        select task_id, state from transitions x where seq = (select max(seq) from transitions y
        where y.task_id = x.task_id and y.ts_ns = (select max(ts_ns) from transitions z where z.task_id = x.task_id))""")}
    inferred = {t for (t,) in facts.query(trace, "select task_id from marks where kind = 'inferred_outcome'")}
    for task, label in sorted(labels.items()):
        assert page.evaluate("(id) => window.tasktrace.select(id)", task) is not False
        assert panel_title(page) == label
        outcome = page.locator(".tt-outcome").text_content()
        state = last.get(task)
        if state in TERMINAL:
            assert outcome.startswith(state), (task, outcome, state)
            assert ("inferred" in outcome) == (task in inferred), (task, outcome)
        else:
            assert outcome.startswith("unfinished"), (task, outcome, state)
