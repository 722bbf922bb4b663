// Mouse, wheel and keyboard → actions. Perfetto's keys: W/S zoom at the pointer, A/D pan; also +/-, arrows,
// 0 (reset), / (search), T (task/thread view), Escape (clear selection). Wheel zooms at the cursor, horizontal
// wheel or Shift+wheel scrolls, drag pans in time and rows; the name column's wheel scrolls rows.

import { hitPlot } from "./hit.js";
import { currentRows, currentLanes } from "./actions.js";
import { toggleX, INDENT } from "./draw-names.js";

/** Pixels the pointer must move before a press becomes a drag rather than a click. */
const DRAG_THRESHOLD = 3;
const KEY_ZOOM = 0.8;
const KEY_PAN = 0.15;

function wheelPixels(event) {
  const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1;
  return { x: event.deltaX * unit, y: event.deltaY * unit };
}

export function attachInput(state, { names, plot, searchInput }, act) {
  let drag = null;
  const local = (event, canvas) => {
    const box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };
  const hover = (hit, event) => {
    state.hover = { ...hit, clientX: event.clientX, clientY: event.clientY };
    act.redraw();
  };

  plot.addEventListener("mousemove", (event) => {
    const { x, y } = local(event, plot);
    state.pointerX = x;
    if (!drag) hover(hitPlot(state, x, y), event);
  });
  plot.addEventListener("mouseleave", () => { state.hover = null; state.pointerX = null; act.redraw(); });
  plot.addEventListener("mousedown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    const { x, y } = local(event, plot);
    drag = { x: event.clientX, y: event.clientY, view: { ...state.view }, scrollTop: state.scrollTop, moved: false, at: { x, y } };
  });
  window.addEventListener("mousemove", (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < DRAG_THRESHOLD) return;
    drag.moved = true;
    state.hover = null;
    const perPixel = (drag.view.end - drag.view.start) / state.size.plotWidth;
    act.setView({ start: drag.view.start - dx * perPixel, end: drag.view.end - dx * perPixel }, drag.scrollTop - dy);
  });
  window.addEventListener("mouseup", () => {
    if (drag && !drag.moved) {
      const hit = hitPlot(state, drag.at.x, drag.at.y);
      act.select(hit.task, false);
    }
    drag = null;
  });
  plot.addEventListener("dblclick", (event) => {
    const { x, y } = local(event, plot);
    const hit = hitPlot(state, x, y);
    if (hit.task >= 0) act.zoomToTask(hit.task);
  });
  plot.addEventListener("wheel", (event) => {
    event.preventDefault();
    const delta = wheelPixels(event);
    if (event.shiftKey) {
      act.scrollBy(delta.y || delta.x);
    } else if (Math.abs(delta.x) > Math.abs(delta.y)) {
      act.pan(delta.x / state.size.plotWidth);
    } else if (delta.y !== 0) {
      const { x } = local(event, plot);
      act.zoomAt(x, Math.exp(delta.y * (event.ctrlKey ? 0.01 : 0.002)));
    }
    const { x, y } = local(event, plot);
    hover(hitPlot(state, x, y), event);   // what is under the pointer changed
  }, { passive: false });

  const nameHit = (event) => {
    const { x, y } = local(event, names);
    const row = Math.floor((y + state.scrollTop) / state.rowHeight);
    if (state.mode !== "tasks") {
      const lanes = currentLanes(state);
      return { row, task: -1, lane: row >= 0 && row < lanes.length ? row : -1, x };
    }
    const rows = currentRows(state);
    return { row, task: row >= 0 && row < rows.length ? rows[row] : -1, lane: -1, x };
  };
  names.addEventListener("click", (event) => {
    const hit = nameHit(event);
    if (hit.task < 0) return;
    const start = toggleX(state.data.tasks, hit.task);
    if (state.data.tasks.childCount[hit.task] > 0 && hit.x >= start - 4 && hit.x < start + INDENT) act.toggleCollapsed(hit.task);
    else act.select(hit.task, false);
  });
  names.addEventListener("dblclick", (event) => {
    const hit = nameHit(event);
    const start = hit.task >= 0 ? toggleX(state.data.tasks, hit.task) : 0;
    if (hit.task >= 0 && !(hit.x >= start - 4 && hit.x < start + INDENT)) act.zoomToTask(hit.task);
  });
  names.addEventListener("mousemove", (event) => {
    const hit = nameHit(event);
    state.hover = { row: hit.row, task: hit.task, segment: -1, lane: hit.lane, job: -1, clientX: event.clientX, clientY: event.clientY, names: true };
    act.redraw();
  });
  names.addEventListener("mouseleave", () => { state.hover = null; act.redraw(); });
  names.addEventListener("wheel", (event) => {
    event.preventDefault();
    const delta = wheelPixels(event);
    act.scrollBy(delta.y || delta.x);
  }, { passive: false });

  window.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const page = Math.max(1, Math.floor(state.size.plotHeight / state.rowHeight) - 1) * state.rowHeight;
    const handled = {
      w: () => act.zoomAt(state.pointerX, KEY_ZOOM), s: () => act.zoomAt(state.pointerX, 1 / KEY_ZOOM),
      "+": () => act.zoomAt(state.pointerX, KEY_ZOOM), "=": () => act.zoomAt(state.pointerX, KEY_ZOOM),
      "-": () => act.zoomAt(state.pointerX, 1 / KEY_ZOOM), _: () => act.zoomAt(state.pointerX, 1 / KEY_ZOOM),
      a: () => act.pan(-KEY_PAN), d: () => act.pan(KEY_PAN),
      ArrowLeft: () => act.pan(-KEY_PAN), ArrowRight: () => act.pan(KEY_PAN),
      ArrowUp: () => act.scrollBy(-state.rowHeight), ArrowDown: () => act.scrollBy(state.rowHeight),
      PageUp: () => act.scrollBy(-page), PageDown: () => act.scrollBy(page),
      0: () => act.reset(), Home: () => act.reset(),
      t: () => act.setMode(state.mode === "tasks" ? "threads" : "tasks"),
      Escape: () => act.select(-1, false),
      "/": () => searchInput.focus(),
    }[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!handled) return;
    event.preventDefault();
    handled();
  });
}
