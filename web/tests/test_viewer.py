"""tasktrace's HTML viewer driven through real mouse and keyboard events in Debian's chromium.

Inputs: TASKTRACE_BIN and TASKTRACE_SAMPLE, as for test_exports.py (missing inputs FAIL). Every expected
number, name and time comes from the SQLite trace (trace_facts.py) or the documented palette; the viewer's
own output is only ever the thing checked.
"""
from pathlib import Path

import pytest

import trace_facts as facts
from trace_facts import input_file
from viewer_page import (RUNNING_RGB, UNFINISHED_RGB, export_html, find_row, hover_text, hover_title, open_viewer,
                         panel_title, pixel, plot, settle, view, x_of)


@pytest.fixture(scope="module")
def trace() -> Path:
    return input_file("TASKTRACE_SAMPLE")


@pytest.fixture(scope="module")
def html(tmp_path_factory, trace) -> Path:
    return export_html(input_file("TASKTRACE_BIN"), trace, tmp_path_factory.mktemp("viewer") / "trace.html")


@pytest.fixture
def page(browser, html):
    with open_viewer(browser, html) as (page, problems):
        yield page
        assert problems == [], "console errors, page errors, dialogs or network requests"


def close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance


def focus_on(page, start: int, end: int) -> None:
    """Zooms so [start, end] fills the middle half of the plot."""
    pad = (end - start) / 2
    page.evaluate("([a, b]) => window.tasktrace.zoomTo(a, b)", [start - pad, end + pad])
    settle(page)


def test_opens_with_every_task_and_the_header(page, trace):
    assert page.evaluate("() => window.tasktrace.taskCount") == facts.task_count(trace)
    assert f"{facts.task_count(trace):,} tasks" in page.locator(".tt-header").inner_text()
    assert view(page) == (0, facts.trace_end(trace))


def test_bar_is_drawn_at_its_times(page, trace):
    """The longest running segment of a leaf task (times from SQLite) is drawn exactly over its x-range."""
    task, start, end = facts.longest_running_leaf(trace)
    page.evaluate("id => window.tasktrace.select(id)", task)
    focus_on(page, start, end)
    area = plot(page)
    x0, x1 = x_of(page, start), x_of(page, end)
    y = find_row(page, area["x"] + (x0 + x1) / 2, lambda t: t == facts.label(trace, task)) - area["y"]
    page.mouse.move(area["x"] - 50, area["y"] - 50)   # no hover highlight, no flow arrows
    page.keyboard.press("Escape")                      # no selection highlight
    settle(page)
    inside = [x0 + 3, (x0 + x1) / 2, x1 - 5]      # the end marker (a dot of radius 3) may overlap the last pixels
    assert [pixel(page, x, y) for x in inside] == [RUNNING_RGB] * 3, "running bar missing inside its range"
    assert pixel(page, x0 - 3, y) != RUNNING_RGB, "running bar starts too early"
    assert pixel(page, x1 + 3, y) != RUNNING_RGB, "running bar ends too late"


def test_wheel_zooms_at_the_cursor(page):
    area = plot(page)
    x = area["width"] * 0.3
    start, end = view(page)
    at = start + (end - start) * 0.3
    page.mouse.move(area["x"] + x, area["y"] + 40)
    page.mouse.wheel(0, -400)
    settle(page)
    new_start, new_end = view(page)
    assert new_end - new_start < (end - start) * 0.9, "wheel up did not zoom in"
    assert close(new_start + (new_end - new_start) * 0.3, at, (end - start) * 0.01), "time under the cursor moved"
    page.mouse.wheel(0, 400)
    settle(page)
    assert view(page)[1] - view(page)[0] > new_end - new_start, "wheel down did not zoom out"


def test_drag_pans(page, trace):
    end_of_trace = facts.trace_end(trace)
    page.evaluate("e => window.tasktrace.zoomTo(e * 0.4, e * 0.6)", end_of_trace)
    settle(page)
    area = plot(page)
    start, end = view(page)
    page.mouse.move(area["x"] + 400, area["y"] + 30)
    page.mouse.down()
    page.mouse.move(area["x"] + 300, area["y"] + 30, steps=5)
    page.mouse.up()
    settle(page)
    shifted = view(page)
    expected = 100 / area["width"] * (end - start)
    assert close(shifted[0] - start, expected, expected * 0.02), "dragging left by 100 px should show later times"
    assert close(shifted[1] - shifted[0], end - start, 1), "panning must not zoom"


def test_keys_zoom_pan_and_reset(page, trace):
    full = (0, facts.trace_end(trace))
    page.mouse.move(5, 5)   # pointer outside the plot: keys zoom around the middle
    def after(key):
        page.keyboard.press(key)
        settle(page)
        return view(page)
    w = after("w")
    assert w[1] - w[0] < full[1] - full[0]
    plus = after("+")
    assert plus[1] - plus[0] < w[1] - w[0]
    d = after("d")
    assert d[0] > plus[0] and close(d[1] - d[0], plus[1] - plus[0], 1)
    a = after("a")
    assert a[0] < d[0]
    right = after("ArrowRight")
    assert right[0] > a[0]
    s = after("s")
    assert s[1] - s[0] > right[1] - right[0]
    minus = after("-")
    assert minus[1] - minus[0] > s[1] - s[0]
    page.click(".tt-reset")
    settle(page)
    assert view(page) == full


def test_hover_shows_task_state_and_times(page, trace):
    task, start, end = facts.longest_running_leaf(trace)
    page.evaluate("id => window.tasktrace.select(id)", task)
    focus_on(page, start, end)
    area = plot(page)
    x = area["x"] + (x_of(page, start) + x_of(page, end)) / 2
    find_row(page, x, lambda t: t == facts.label(trace, task))
    text = hover_text(page)
    assert "running" in text and "start " in text and "duration " in text


def test_click_opens_the_task_panel(page, trace):
    task, start, end = facts.longest_running_leaf(trace)
    page.evaluate("id => window.tasktrace.select(id)", task)
    page.keyboard.press("Escape")
    focus_on(page, start, end)
    area = plot(page)
    x = area["x"] + (x_of(page, start) + x_of(page, end)) / 2
    y = find_row(page, x, lambda t: t == facts.label(trace, task))
    page.mouse.click(x, y)
    settle(page)
    assert panel_title(page) == facts.label(trace, task)
    parent = facts.query(trace, "select parent_id from tasks where id = ?", (task,))[0][0]
    if parent is not None:
        page.locator(".tt-task-panel .tt-link").first.click()   # the parent link
        settle(page)
        assert panel_title(page) == facts.label(trace, parent)


def test_double_click_zooms_to_the_task(page, trace):
    task, start, end = facts.longest_running_leaf(trace)
    page.evaluate("id => window.tasktrace.select(id)", task)
    focus_on(page, start, end)
    area = plot(page)
    x = area["x"] + (x_of(page, start) + x_of(page, end)) / 2
    y = find_row(page, x, lambda t: t == facts.label(trace, task))
    page.mouse.dblclick(x, y)
    settle(page)
    life = facts.query(trace, "select min(ts_ns), max(ts_ns) from transitions where task_id = ?", (task,))[0]
    shown = view(page)
    assert shown[0] <= life[0] and shown[1] >= life[1], "the task's whole life is shown"
    assert shown[1] - shown[0] <= (life[1] - life[0]) * 1.5 + 100, "and not much more"


def test_search_counts_and_steps_through_matches(page, trace):
    task, _, _ = facts.longest_running_leaf(trace)
    name = facts.query(trace, "select name from tasks where id = ?", (task,))[0][0]
    fragment = name[: max(3, len(name) // 2)].lower()
    expected = {i for i, text in facts.labels(trace).items() if fragment in text.lower()}
    page.click(".tt-search")
    page.keyboard.type(fragment)
    settle(page)
    assert page.locator(".tt-match-count").text_content() == f"1 / {len(expected):,}"
    first = panel_title(page)
    assert first in {facts.labels(trace)[i] for i in expected}
    assert set(page.evaluate("t => window.tasktrace.find(t)", fragment)) == expected
    if len(expected) > 1:
        page.keyboard.press("Enter")
        settle(page)
        assert page.locator(".tt-match-count").text_content() == f"2 / {len(expected):,}"
        assert panel_title(page) != first
        page.click("button[title^='Previous match']")
        settle(page)
        assert panel_title(page) == first
    by_id = page.evaluate("t => window.tasktrace.find(t)", f"#{task}")
    assert task in by_id


def test_collapse_all_and_expand_one(page, trace):
    roots = facts.siblings_in_order(trace, None)
    page.click(".tt-collapse-all")
    settle(page)
    area = plot(page)
    x = area["x"] + area["width"] / 2
    first_row = find_row(page, x, lambda t: t == facts.label(trace, roots[0]))
    row_height = 2 * (first_row - area["y"])
    second = hover_title(page, x, first_row + row_height)
    assert second == (facts.label(trace, roots[1]) if len(roots) > 1 else None)
    children = facts.siblings_in_order(trace, roots[0])
    assert children, "the first root has children"
    names = page.locator("canvas.tt-names").bounding_box()
    page.mouse.click(names["x"] + 9, first_row)       # the expand triangle of a root (depth 0)
    settle(page)
    assert hover_title(page, x, first_row + row_height) == facts.label(trace, children[0])


def test_thread_view_shows_jobs_on_their_thread(page, trace):
    task, start, end, thread = facts.longest_running_on_thread(trace)
    page.click(".tt-tab:has-text('Threads')")
    focus_on(page, start, end)
    area = plot(page)
    x = area["x"] + (x_of(page, start) + x_of(page, end)) / 2
    find_row(page, x, lambda t: t == facts.label(trace, task))
    assert f"running on {thread}" in hover_text(page)
    page.keyboard.press("t")   # back to the task view
    settle(page)
    assert page.locator(".tt-tab[aria-pressed='true']").text_content() == "Tasks"


def test_url_hash_restores_the_view(browser, html, page, trace):
    task, start, end = facts.longest_running_leaf(trace)
    page.evaluate("([id, a, b]) => { window.tasktrace.select(id); window.tasktrace.zoomTo(a, b); }", [task, start, end])
    page.wait_for_function("() => location.hash.includes('sel=')", timeout=5000)
    page.wait_for_timeout(400)
    url = page.url
    hash_ = url[url.index("#"):]
    with open_viewer(browser, html, hash_) as (again, problems):
        restored = view(again)
        assert close(restored[0], start, 1) and close(restored[1], end, 1)
        assert panel_title(again) == facts.label(trace, task)
        assert problems == []


def test_unfinished_tasks_run_off_the_end(page, trace):
    unfinished = facts.unfinished_tasks(trace)
    if not unfinished:
        pytest.skip("this trace has no unfinished task")
    task = unfinished[0]
    page.evaluate("id => window.tasktrace.select(id)", task)
    settle(page)
    area = plot(page)
    y = find_row(page, area["x"] + area["width"] - 20, lambda t: t == facts.label(trace, task)) - area["y"]
    page.mouse.move(5, 5)
    page.keyboard.press("Escape")
    settle(page)
    assert pixel(page, area["width"] - 3, y) == UNFINISHED_RGB, "no run-off arrow at the end of an unfinished task"


def _leaf_row(page, trace):
    """Selects and shows the longest running segment of a leaf task; returns (task, start, end, area, x0, x1, y)."""
    task, start, end = facts.longest_running_leaf(trace)
    page.evaluate("id => window.tasktrace.select(id)", task)
    focus_on(page, start, end)
    area = plot(page)
    x0, x1 = x_of(page, start), x_of(page, end)
    y = find_row(page, area["x"] + (x0 + x1) / 2, lambda t: t == facts.label(trace, task)) - area["y"]
    page.mouse.move(area["x"] - 50, area["y"] - 50)
    page.keyboard.press("Escape")
    settle(page)
    return task, start, end, area, x0, x1, y


def test_legend_hides_and_shows_a_state(page, trace):
    _, _, _, _, x0, x1, y = _leaf_row(page, trace)
    middle = (x0 + x1) / 2
    assert pixel(page, middle, y) == RUNNING_RGB
    page.click(".tt-legend-entry:has-text('running')")
    settle(page)
    assert pixel(page, middle, y) != RUNNING_RGB, "running was turned off in the legend"
    page.click(".tt-legend-entry:has-text('running')")
    settle(page)
    assert pixel(page, middle, y) == RUNNING_RGB


def test_hovering_a_task_draws_the_arrow_from_its_parent(page, trace):
    task, _, _, area, x0, x1, y = _leaf_row(page, trace)
    parent = facts.query(trace, "select parent_id from tasks where id = ?", (task,))[0][0]
    if parent is None:
        pytest.skip("the task has no parent")
    created = facts.query(trace, "select min(ts_ns) from transitions where task_id = ?", (task,))[0][0]
    x = x_of(page, created)
    boundary = y - 10   # just above the task's row: between bars, where only an arrow can be dark
    dark = lambda: any(sum(pixel(page, x + dx, boundary)) < 300 for dx in (-2, -1, 0, 1, 2))
    page.mouse.move(area["x"] - 50, area["y"] - 50)
    page.keyboard.press("Escape")
    settle(page)
    assert not dark(), "an arrow is drawn with nothing hovered or selected"
    page.mouse.move(area["x"] + (x0 + x1) / 2, area["y"] + y)
    settle(page)
    assert dark(), "no parent→child arrow at the task's creation time while hovering it"


def test_opening_header_details_redraws_the_chart_at_its_new_size(page):
    """Opening the metadata shrinks the chart; the canvases must be redrawn at their new size, not stretched."""
    page.click(".tt-meta summary")
    settle(page)
    sizes = page.evaluate("""() => [...document.querySelectorAll('canvas')].map(c => [c.height,
        Math.round(c.getBoundingClientRect().height * (window.devicePixelRatio || 1))])""")
    assert all(abs(backing - shown) <= 1 for backing, shown in sizes), sizes
