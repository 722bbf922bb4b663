// The viewer's one state object, and its round trip through the URL hash (so a copied link reopens the view).

import { clampView } from "./viewport.js";
import { mainPathIndex } from "./critical-path.js";

/** Everything render() draws from. Mutated only by actions.js (and input.js through it). */
export function createState(data) {
  const bounds = { start: data.start, end: data.end };
  return {
    data,
    bounds,
    view: { start: bounds.start, end: bounds.end },
    mode: "tasks",                 // "tasks" | "threads"
    rowHeight: 20,
    scrollTop: 0,                  // CSS px scrolled into the rows
    collapsed: new Uint8Array(data.tasks.count),
    rows: null,                    // visible task rows (Int32Array), rebuilt when rowsDirty
    rowsDirty: true,
    lanes: null,                   // thread lanes, built on first use
    hiddenStates: new Set(),       // state codes (and "untracked") the legend turned off
    hover: null,                   // { task, segment, lane, row, clientX, clientY } under the pointer
    pointerX: null,                // CSS px in the plot, for zooming keys at the pointer
    selected: -1,
    search: { text: "", matches: [], index: -1 },
    critical: { on: false, path: mainPathIndex(data.criticalPaths) },   // the toggle, and which root's path
    size: { plotWidth: 1, plotHeight: 1 },
    lastFrameMs: 0,
  };
}

/** `#v=START,END&sel=ID&mode=threads&top=ROW`: the view, the selected task, the view mode, the first row. */
export function encodeHash(state) {
  const parts = [`v=${Math.round(state.view.start)},${Math.round(state.view.end)}`];
  if (state.selected >= 0) parts.push(`sel=${encodeURIComponent(state.data.tasks.id[state.selected])}`);
  if (state.mode !== "tasks") parts.push(`mode=${state.mode}`);
  const top = Math.floor(state.scrollTop / state.rowHeight);
  if (top > 0) parts.push(`top=${top}`);
  return "#" + parts.join("&");
}

/** Reads a hash written by encodeHash: { view, selectedId, mode, top }, each null when absent or malformed. */
export function decodeHash(hash, bounds) {
  const result = { view: null, selectedId: null, mode: null, top: null };
  for (const part of hash.replace(/^#/, "").split("&")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq);
    let value;
    try { value = decodeURIComponent(part.slice(eq + 1)); } catch { continue; }
    if (key === "v") {
      const [start, end] = value.split(",").map(Number);
      if (Number.isFinite(start) && Number.isFinite(end) && end > start) result.view = clampView({ start, end }, bounds);
    } else if (key === "sel" && /^\d+$/.test(value)) {
      result.selectedId = value;
    } else if (key === "mode" && (value === "threads" || value === "tasks")) {
      result.mode = value;
    } else if (key === "top" && /^\d+$/.test(value)) {
      result.top = Number(value);
    }
  }
  return result;
}
