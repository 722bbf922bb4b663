// The viewer's entry point: decodes the embedded data, builds the page, and owns the one render() that draws
// everything from the one state object. Every change goes through `act` (actions.js + a render request), so
// input, panels, the URL hash and window.tasktrace all see the same state.

import { readEmbeddedData } from "./data.js";
import { createState, encodeHash, decodeHash } from "./state.js";
import { el } from "./dom.js";
import { currentRows, currentLanes, rowCount, clampScroll, scrollBy, setView, zoomTo, zoomAtPixel, pan, resetView, zoomToTask, select, selectById, toggleCollapsed, collapseAll, expandAll, setMode, toggleState, search, stepMatch, toggleCriticalPath, showCriticalPath, jumpToFinding } from "./actions.js";
import { drawAxis, drawGrid } from "./draw-axis.js";
import { drawTaskRows } from "./draw-tasks.js";
import { drawThreadLanes } from "./draw-threads.js";
import { drawFlows, drawCancelArrows } from "./draw-overlays.js";
import { drawTaskNames, drawLaneNames } from "./draw-names.js";
import { buildHeader } from "./panel-header.js";
import { buildToolbar } from "./panel-toolbar.js";
import { createTaskPanel } from "./panel-task.js";
import { createFindingsPanel } from "./panel-findings.js";
import { createCriticalPanel } from "./panel-critical.js";
import { createTooltip } from "./panel-tooltip.js";
import { attachInput } from "./input.js";
import { installHandle } from "./handle.js";

/** Tallest scroll spacer: browsers cap element heights (about 33M px); beyond it the scrollbar maps rows in
 * proportion. */
const MAX_SPACER_PX = 10_000_000;

/** Wait this long after the last change before rewriting the URL hash (browsers throttle history updates). */
const HASH_DELAY_MS = 200;

function start() {
  const data = readEmbeddedData(document);
  const state = createState(data);
  let pending = false;
  let firstFrame = true;
  let hashTimer = 0;
  let lastHash = "";

  const redraw = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(render);
  };
  /** Wraps an action: apply it to the state, then draw (now, for the handle; next frame otherwise). */
  const change = (action, now = false) => (...args) => {
    const result = action(state, ...args);
    if (now) render(); else redraw();
    return result;
  };
  const act = {
    redraw,
    select: change((s, i, reveal = true) => select(s, i, reveal)),
    selectId: change(selectById, true),
    zoomTo: change(zoomTo, true),
    zoomAt: change(zoomAtPixel),
    pan: change(pan),
    scrollBy: change(scrollBy),
    scrollTo: change((s, top) => { s.scrollTop = top; clampScroll(s); }),
    setView: change((s, view, top) => { setView(s, view); s.scrollTop = top; clampScroll(s); }),
    reset: change(resetView),
    zoomToTask: change(zoomToTask),
    toggleCollapsed: change(toggleCollapsed),
    collapseAll: change(collapseAll),
    expandAll: change(expandAll),
    setMode: change(setMode),
    toggleState: change(toggleState),
    search: change((s, text) => { search(s, text); s.search.matchSet = new Set(s.search.matches); }),
    step: change(stepMatch),
    toggleCriticalPath: change(toggleCriticalPath),
    showCriticalPath: change(showCriticalPath),
    jumpToFinding: change(jumpToFinding),
  };

  const toolbar = buildToolbar(state, act);
  const taskPanel = createTaskPanel((i) => act.select(i));
  const critical = createCriticalPanel(data, act);
  const findings = createFindingsPanel(data, (k) => act.jumpToFinding(k));
  const tooltip = createTooltip();
  const corner = el("div", { className: "tt-corner" });
  const axis = el("canvas", { className: "tt-axis" });
  const names = el("canvas", { className: "tt-names", aria: { label: "Task and thread names; click a triangle to collapse or expand" } });
  const plot = el("canvas", { className: "tt-plot", aria: { label: "Timeline: wheel zooms, drag pans, click selects a task" } });
  const spacer = el("div", { className: "tt-spacer" });
  const scroller = el("div", { className: "tt-vscroll", aria: { label: "Scroll rows" } }, spacer);
  const chart = el("div", { className: "tt-chart" }, corner, axis, el("div", { className: "tt-axis-end" }), names, plot, scroller);
  const app = document.getElementById("app");
  app.append(buildHeader(data, (i) => act.select(i)), toolbar.element,
    el("div", { className: "tt-main" }, chart, el("aside", { className: "tt-side" }, taskPanel.element, critical.element, findings.element)),
    tooltip.element);

  function fit(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, canvas.clientWidth), height = Math.max(1, canvas.clientHeight);
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, width, height);
    return { ctx, width, height };
  }

  function render() {
    pending = false;
    const began = performance.now();
    const p = fit(plot);
    state.size.plotWidth = p.width;
    state.size.plotHeight = p.height;
    clampScroll(state);
    drawGrid(p.ctx, state.view, p.width, p.height);
    const n = fit(names);
    if (state.mode === "tasks") {
      const rows = currentRows(state);
      drawTaskRows(p.ctx, state, rows, p.width);
      drawCancelArrows(p.ctx, state, rows, p.width, p.height);
      drawFlows(p.ctx, state, rows, p.width, p.height);
      drawTaskNames(n.ctx, state, rows, n.width);
    } else {
      const lanes = currentLanes(state);
      drawThreadLanes(p.ctx, state, lanes, p.width);
      drawLaneNames(n.ctx, state, lanes, n.width);
    }
    syncScroller();
    const a = fit(axis);
    drawAxis(a.ctx, state.view, a.width, a.height);
    const cornerText = state.mode === "tasks" ? "Task (tree order)" : "Thread";
    if (corner.textContent !== cornerText) corner.textContent = cornerText;
    toolbar.update(state);
    taskPanel.update(state);
    critical.update(state);
    tooltip.update(state);
    scheduleHash();
    state.lastFrameMs = performance.now() - began;
    if (firstFrame) {
      firstFrame = false;
      performance.mark("tasktrace-first-frame");
    }
  }

  /** The native scrollbar beside the plot mirrors state.scrollTop (scaled when the rows are very tall). */
  let scrollerRatio = 1;
  let syncing = false;
  function syncScroller() {
    const content = rowCount(state) * state.rowHeight;
    const spacerHeight = Math.min(content, MAX_SPACER_PX);
    if (spacer.style.height !== `${spacerHeight}px`) spacer.style.height = `${spacerHeight}px`;
    const range = Math.max(0, content - state.size.plotHeight);
    scrollerRatio = range > 0 ? Math.max(0, spacerHeight - state.size.plotHeight) / range : 1;
    const wanted = Math.round(state.scrollTop * scrollerRatio);
    if (Math.abs(scroller.scrollTop - wanted) >= 1) { syncing = true; scroller.scrollTop = wanted; }
  }
  scroller.addEventListener("scroll", () => {
    if (syncing) { syncing = false; return; }
    act.scrollTo(scrollerRatio > 0 ? scroller.scrollTop / scrollerRatio : 0);
  });

  function scheduleHash() {
    const hash = encodeHash(state);
    if (hash === lastHash) return;
    lastHash = hash;
    clearTimeout(hashTimer);
    hashTimer = setTimeout(() => {
      try { history.replaceState(null, "", hash); } catch { /* file:// in some browsers: the view still works */ }
    }, HASH_DELAY_MS);
  }

  function applyHash(hash) {
    const wanted = decodeHash(hash, state.bounds);
    if (wanted.mode) state.mode = wanted.mode;
    if (wanted.view) state.view = wanted.view;
    if (wanted.selectedId !== null) selectById(state, wanted.selectedId);
    if (wanted.top !== null) state.scrollTop = wanted.top * state.rowHeight;
    lastHash = encodeHash(state);
  }

  attachInput(state, { names, plot, searchInput: toolbar.input }, act);
  installHandle(window, state, act);
  // The chart's size changes with the window and with the header (opening the metadata or the unfinished list):
  // redraw whenever the canvases' boxes change, or the browser would stretch the last frame.
  new ResizeObserver(redraw).observe(plot);
  new ResizeObserver(redraw).observe(names);
  window.addEventListener("hashchange", () => { applyHash(location.hash); redraw(); });
  // Size the plot before reading the hash, so revealing a selected row knows how tall the plot is.
  state.size.plotHeight = Math.max(1, plot.clientHeight);
  state.size.plotWidth = Math.max(1, plot.clientWidth);
  applyHash(location.hash);
  render();
}

start();
