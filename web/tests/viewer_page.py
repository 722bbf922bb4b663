"""Helpers that drive tasktrace's HTML viewer as a person does (real mouse and keyboard events through
Playwright) and read what it shows (tooltip text, panel text, canvas pixels). Expected values never come from
the viewer: tests take them from the SQLite trace (trace_facts.py) and from the documented palette."""
from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path

# docs/export.md "Palette": the colours every export draws states with.
RUNNING_RGB = (0x7E, 0xC8, 0x94)
# docs/viewer.md: the arrow at the end of a task still running when the trace ended.
UNFINISHED_RGB = (0x21, 0x25, 0x29)
VIEWPORT = {"width": 1400, "height": 900}


def export_html(binary: Path, trace: Path, out: Path) -> Path:
    r = subprocess.run([str(binary), "export", str(trace), "--format", "html", "--output", str(out)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0 or not out.is_file():
        raise AssertionError(f"tasktrace export --format html failed (rc={r.returncode}): {r.stderr.strip()}")
    return out


@contextmanager
def open_viewer(browser, html: Path, hash_: str = ""):
    """Opens the page from file:// and yields (page, problems): console errors, page errors, any request that
    is not file:/data:/blob:/about:, and any dialog (alert/confirm) a hostile name could have opened."""
    page = browser.new_page(viewport=VIEWPORT)
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: r.url.split(":", 1)[0] in ("file", "data", "blob", "about")
            or problems.append(f"network request: {r.url}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    try:
        page.goto(Path(html).resolve().as_uri() + hash_, wait_until="load")
        page.wait_for_function("() => !!window.tasktrace")
        settle(page)
        yield page, problems
    finally:
        page.close()


def settle(page) -> None:
    """Waits two animation frames: the viewer draws on the next frame after an event."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def box(page, selector: str) -> dict:
    found = page.locator(selector).bounding_box()
    assert found, f"{selector} is not visible"
    return found


def plot(page) -> dict:
    return box(page, "canvas.tt-plot")


def hover_title(page, x: float, y: float) -> str | None:
    """Moves the mouse to page (x, y) and returns the tooltip's first line, or None when no tooltip shows."""
    page.mouse.move(x, y)
    settle(page)
    return page.evaluate("""() => { const t = document.querySelector('.tt-tooltip');
        return t.hidden || !t.firstChild ? null : t.firstChild.textContent; }""")


def hover_text(page) -> str:
    return page.locator(".tt-tooltip").inner_text()


def find_row(page, x: float, want, step: float = 4) -> float:
    """Page y of the middle of the first row whose tooltip title satisfies `want`, scanning down at page x."""
    area = plot(page)
    y, hits = area["y"] + 2, []
    while y < area["y"] + area["height"] - 2:
        title = hover_title(page, x, y)
        if title is not None and want(title):
            hits.append(y)
        elif hits:
            break
        y += step
    assert hits, f"no row under x={x} has the wanted tooltip"
    middle = (hits[0] + hits[-1]) / 2
    hover_title(page, x, middle)   # leave the pointer (and the tooltip) on the row found
    return middle


def pixel(page, x: float, y: float) -> tuple[int, int, int]:
    """RGB of the plot canvas at CSS pixel (x, y) relative to the canvas."""
    return tuple(page.evaluate("""([x, y]) => { const c = document.querySelector('canvas.tt-plot');
        const r = window.devicePixelRatio || 1;
        return Array.from(c.getContext('2d').getImageData(Math.floor(x * r), Math.floor(y * r), 1, 1).data.slice(0, 3)); }""",
        [x, y]))


def view(page) -> tuple[float, float]:
    v = page.evaluate("() => window.tasktrace.view()")
    return v["startNs"], v["endNs"]


def panel_title(page) -> str:
    return page.locator(".tt-task-name").text_content()


def x_of(page, t: float) -> float:
    """CSS x on the plot canvas of time t: docs/viewer.md says the canvas spans exactly view()."""
    start, end = view(page)
    return (t - start) / (end - start) * plot(page)["width"]
