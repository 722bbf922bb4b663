// Every change to the state goes through here: input handlers, panels and the window.tasktrace handle call
// these, then ask for a render. Keeping them in one place keeps the invariants (rows rebuilt after a collapse,
// view inside the trace, selection revealed) in one place too.

import { clampView, zoomAround, panByFraction, xToTime } from "./viewport.js";
import { visibleTaskRows, rowOfTask, threadLanes } from "./rows.js";
import { lowerLabels, taskIndexOfId } from "./data.js";

/** The visible task rows, rebuilt if a collapse changed them. */
export function currentRows(state) {
  if (state.rowsDirty || !state.rows) {
    state.rows = visibleTaskRows(state.data.tasks, state.collapsed);
    state.rowsDirty = false;
  }
  return state.rows;
}

/** The thread lanes, built on first use. */
export function currentLanes(state) {
  if (!state.lanes) state.lanes = threadLanes(state.data);
  return state.lanes;
}

/** Number of rows of the current mode. */
export function rowCount(state) {
  return state.mode === "tasks" ? currentRows(state).length : currentLanes(state).length;
}

/** Keeps the scroll offset inside the rows. */
export function clampScroll(state) {
  const max = Math.max(0, rowCount(state) * state.rowHeight - state.size.plotHeight);
  state.scrollTop = Math.min(Math.max(0, state.scrollTop), max);
}

export function scrollBy(state, pixels) {
  state.scrollTop += pixels;
  clampScroll(state);
}

export function setView(state, view) {
  state.view = clampView(view, state.bounds);
}

/** Shows [startNs, endNs] (clamped to the trace). */
export function zoomTo(state, startNs, endNs) {
  if (!(Number.isFinite(startNs) && Number.isFinite(endNs)) || endNs <= startNs) return;
  setView(state, { start: startNs, end: endNs });
}

/** Zooms by `factor` at plot pixel `x` (the middle when x is null). */
export function zoomAtPixel(state, x, factor) {
  const width = state.size.plotWidth;
  const at = x === null || x === undefined ? width / 2 : x;
  state.view = zoomAround(state.view, state.bounds, xToTime(state.view, width, at), factor);
}

/** Pans by `fraction` of the view's width. */
export function pan(state, fraction) {
  state.view = panByFraction(state.view, state.bounds, fraction);
}

/** Back to the whole trace, first row, nothing collapsed. */
export function resetView(state) {
  state.view = { start: state.bounds.start, end: state.bounds.end };
  state.scrollTop = 0;
}

/** Zooms to task i's life, with a margin, and selects it. */
export function zoomToTask(state, i) {
  const tasks = state.data.tasks;
  if (i < 0 || !Number.isFinite(tasks.created[i])) return;
  const start = tasks.created[i], end = Math.max(tasks.ended[i], start + 1);
  const margin = (end - start) * 0.05;
  setView(state, { start: start - margin, end: end + margin });
  select(state, i);
}

/** Expands every collapsed ancestor of task i, so its row exists. */
export function expandAncestors(state, i) {
  const { parent } = state.data.tasks;
  for (let p = parent[i]; p >= 0; p = parent[p]) {
    if (state.collapsed[p]) { state.collapsed[p] = 0; state.rowsDirty = true; }
  }
}

/** Scrolls the task view so task i's row is visible (in the middle when it was off screen). */
export function revealTask(state, i) {
  expandAncestors(state, i);
  if (state.mode !== "tasks") return;
  const row = rowOfTask(currentRows(state), i);
  if (row < 0) return;
  const top = row * state.rowHeight;
  if (top < state.scrollTop || top + state.rowHeight > state.scrollTop + state.size.plotHeight) {
    state.scrollTop = top - state.size.plotHeight / 2;
    clampScroll(state);
  }
}

/** Selects task i (-1 clears) and reveals it. */
export function select(state, i, reveal = true) {
  state.selected = i;
  if (i >= 0 && reveal) revealTask(state, i);
}

/** Selects the task with this id; false when there is none. */
export function selectById(state, id) {
  const i = taskIndexOfId(state.data.tasks, id);
  if (i < 0) return false;
  select(state, i);
  return true;
}

export function toggleCollapsed(state, i) {
  if (state.data.tasks.childCount[i] === 0) return;
  state.collapsed[i] = state.collapsed[i] ? 0 : 1;
  state.rowsDirty = true;
  clampScroll(state);
}

/** Collapses every task that has children: only the roots remain. */
export function collapseAll(state) {
  const { childCount } = state.data.tasks;
  for (let i = 0; i < childCount.length; i++) state.collapsed[i] = childCount[i] > 0 ? 1 : 0;
  state.rowsDirty = true;
  state.scrollTop = 0;
  if (state.selected >= 0) revealTask(state, state.selected);
  clampScroll(state);
}

export function expandAll(state) {
  state.collapsed.fill(0);
  state.rowsDirty = true;
  if (state.selected >= 0) revealTask(state, state.selected);
}

export function setMode(state, mode) {
  if (mode === state.mode) return;
  state.mode = mode;
  state.scrollTop = 0;
  state.hover = null;
  if (mode === "tasks" && state.selected >= 0) revealTask(state, state.selected);
}

export function toggleState(state, key) {
  if (state.hiddenStates.has(key)) state.hiddenStates.delete(key); else state.hiddenStates.add(key);
}

/** Task indices whose label contains `text` (case-insensitive), or whose id is `text` / `#text`; tree order. */
export function findTasks(data, text) {
  const query = String(text).trim().toLowerCase();
  if (!query) return [];
  const labels = lowerLabels(data.tasks);
  const idQuery = /^#?\d+$/.test(query) ? query.replace(/^#/, "") : null;
  const found = [];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i].includes(query) || (idQuery !== null && data.tasks.id[i] === idQuery)) found.push(i);
  }
  return found;
}

/** Runs a search and selects its first match. */
export function search(state, text) {
  const matches = findTasks(state.data, text);
  state.search = { text, matches, index: matches.length ? 0 : -1 };
  if (matches.length) select(state, matches[0]);
}

/** Moves to the next (+1) or previous (-1) match, wrapping around. */
export function stepMatch(state, direction) {
  const { matches } = state.search;
  if (!matches.length) return;
  state.search.index = (state.search.index + direction + matches.length) % matches.length;
  select(state, matches[state.search.index]);
}

/** Turns the critical-path highlight on or off (`on` omitted: toggles); a no-op when the page has no path. */
export function toggleCriticalPath(state, on) {
  if (state.critical.path < 0) return;
  state.critical.on = on === undefined ? !state.critical.on : Boolean(on);
}

/** Shows path k (an index into data.criticalPaths) and turns the highlight on. */
export function showCriticalPath(state, k) {
  if (!(k >= 0 && k < state.data.criticalPaths.length)) return;
  state.critical.path = k;
  state.critical.on = true;
}

/**
 * Jumps to finding k: selects its task (revealing its row) and shows its time. A finding with a duration fills
 * the middle of the view; one without keeps the zoom level and centres its time (zooming out if the view is
 * wider than the trace allows).
 */
export function jumpToFinding(state, k) {
  const finding = state.data.findings[k];
  if (!finding) return;
  if (finding.task >= 0) {
    if (state.mode !== "tasks") setMode(state, "tasks");
    select(state, finding.task);
  }
  if (finding.time === null) return;
  const width = state.view.end - state.view.start;
  if (finding.duration > 0) {
    const pad = finding.duration / 2;
    setView(state, { start: finding.time - pad, end: finding.time + finding.duration + pad });
  } else {
    setView(state, { start: finding.time - width / 2, end: finding.time + width / 2 });
  }
}
