"""Self-tests of viewers.py on hand-written traces: the harness must pass a good trace AND
visibly fail a bad one, else a green test_exports.py would prove nothing."""
import pytest

import viewers

GOOD_THREADS = [  # (pid, tid, name, slices) as written in fixtures/good.json
    (1, 1, "main #1", 3), (1, 2, "child #2", 3), (2, 10, "worker-0", 2)]


def as_tuples(threads):
    return sorted((t["pid"], t["tid"], t["name"], t["slices"]) for t in threads)


@pytest.fixture(scope="module")
def good_perfetto(browser, fixtures_dir):
    with viewers.perfetto_load(browser, fixtures_dir / "good.json") as s:
        yield s


def test_file_helpers_count_what_is_written(fixtures_dir):
    events = viewers.chrome_events(fixtures_dir / "good.json")
    assert sum(viewers.x_counts(events).values()) == 8
    assert viewers.flow_pairs(events) == 1
    assert viewers.flow_pairs(viewers.chrome_events(fixtures_dir / "good_v2flow.json")) == 1


def test_perfetto_good(good_perfetto):
    s = good_perfetto
    assert s.stats_problems() == []
    assert s.query("select count(*) as n from slice") == [{"n": 8}]
    assert as_tuples(s.threads()) == GOOD_THREADS
    assert s.query("select count(*) as n from flow") == [{"n": 1}]
    names = {r["pid"]: r["name"] for r in s.query("select pid, name from process where pid > 0")}
    assert names == {1: "Tasks", 2: "Threads"}
    assert s.errors == []


def test_catapult_good(browser, fixtures_dir):
    r = viewers.catapult_import(browser, fixtures_dir / "good.json")
    assert r["importWarnings"] == [] and r["pageErrors"] == []
    assert as_tuples(r["threads"]) == GOOD_THREADS
    assert r["flows"] == 1
    assert sorted((p["pid"], p["name"]) for p in r["processes"]) == [(1, "Tasks"), (2, "Threads")]


def test_v2_flows_shown_but_catapult_warns_on_args(browser, fixtures_dir):
    """Why tasktrace emits v1 flows: v2 bind_id on an X event with args -> catapult warning."""
    path = fixtures_dir / "good_v2flow.json"
    with viewers.perfetto_load(browser, path) as s:
        assert s.query("select count(*) as n from flow") == [{"n": 1}]
    r = viewers.catapult_import(browser, path)
    assert r["flows"] == 1
    assert [w["type"] for w in r["importWarnings"]] == ["arg_merge_error"]


def test_flow_start_after_end_is_lost(browser, fixtures_dir):
    """The file holds one s/f pair, but s.ts > f.ts: both viewers lose it -> counts differ."""
    path = fixtures_dir / "flow_s_after_f.json"
    assert viewers.flow_pairs(viewers.chrome_events(path)) == 1
    with viewers.perfetto_load(browser, path) as s:
        assert s.query("select count(*) as n from flow") == [{"n": 0}]
        assert s.stats_problems() == []  # silent in Perfetto: only the count catches it
    r = viewers.catapult_import(browser, path)
    assert r["flows"] == 0
    assert [w["type"] for w in r["importWarnings"]] == ["flow_slice_ordering_error"]


def test_bad_trace_is_caught(browser, fixtures_dir):
    """Overlapping X, negative ts, unmatched E: Perfetto drops slices and records error
    stats; catapult warns (only about the unmatched E)."""
    path = fixtures_dir / "bad.json"
    n_x = sum(viewers.x_counts(viewers.chrome_events(path)).values())
    with viewers.perfetto_load(browser, path) as s:
        problems = {p["name"] for p in s.stats_problems()}
        assert problems == {"slice_drop_overlapping_complete_event",
                            "trace_sorter_negative_timestamp_dropped"}
        assert s.query("select count(*) as n from slice")[0]["n"] < n_x
    r = viewers.catapult_import(browser, path)
    assert [w["type"] for w in r["importWarnings"]] == ["duration_parse_error"]


def test_svg_check(fixtures_dir):
    assert viewers.svg_check(fixtures_dir / "good.svg") == (200, 40)
    with pytest.raises(AssertionError, match="xmllint"):
        viewers.svg_check(fixtures_dir / "bad.svg")


def test_open_page_good(browser, fixtures_dir):
    with viewers.open_page(browser, fixtures_dir / "good.html") as (page, problems):
        drawings = viewers.visible_drawings(page)
    assert problems == []
    assert [d["tag"] for d in drawings] == ["canvas"]


def test_open_page_bad(browser, fixtures_dir):
    with viewers.open_page(browser, fixtures_dir / "bad.html") as (page, problems):
        drawings = viewers.visible_drawings(page)
    assert any(p.startswith("console: boom") for p in problems)
    assert any(p.startswith("pageerror:") and "undefinedFunctionCall" in p for p in problems)
    assert drawings == []
