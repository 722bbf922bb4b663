// `window.tasktrace`: a small read-only handle for scripts and tests (docs/viewer.md). Its methods act like
// the user would (selecting reveals and opens the panel) and draw before returning, so a caller can read the
// page right after a call.

import { findTasks } from "./actions.js";

/** Ids as numbers when JavaScript holds them exactly, else as strings. */
function idValue(text) {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

export function installHandle(win, state, act) {
  const handle = {
    /** Number of tasks in the page (every task of the export; none is capped). */
    taskCount: state.data.tasks.count,
    /** The visible time range, ns since the trace started (the SQLite file's ts_ns). */
    view: () => ({ startNs: state.view.start, endNs: state.view.end }),
    /** Ids of the tasks whose name contains `text` (case-insensitive) or whose id is `text`, in tree order. */
    find: (text) => findTasks(state.data, text).map((i) => idValue(state.data.tasks.id[i])),
    /** Selects the task with this id (reveals its row, opens its panel); false if there is none. */
    select: (id) => act.selectId(id),
    /** Shows [startNs, endNs] (clamped to the trace). */
    zoomTo: (startNs, endNs) => act.zoomTo(Number(startNs), Number(endNs)),
    /** Milliseconds the last frame took to draw (for benchmarks). */
    get lastFrameMs() { return state.lastFrameMs; },
  };
  Object.defineProperty(win, "tasktrace", { value: Object.freeze(handle), enumerable: true });
}
