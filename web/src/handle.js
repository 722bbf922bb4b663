// `window.tasktrace`: a small read-only handle for scripts and tests (docs/viewer.md). Its methods act like
// the user would (selecting reveals and opens the panel) and draw before returning, so a caller can read the
// page right after a call.

import { findTasks } from "./actions.js";
import { pathIndexOfRoot } from "./critical-path.js";
import { taskIndexOfId } from "./data.js";

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
    /**
     * Ids of the critical path's tasks in order (the chain of `tasktrace critical-path`): of root `rootId`'s
     * path, or else of the path the toggle shows (by default the root that ended last); [] when there is none.
     */
    criticalPath: (rootId) => {
      const { tasks, criticalPaths } = state.data;
      const k = rootId === undefined ? state.critical.path
        : pathIndexOfRoot(criticalPaths, taskIndexOfId(tasks, rootId));
      return k >= 0 && criticalPaths[k] ? criticalPaths[k].chain.map((i) => idValue(tasks.id[i])) : [];
    },
    /** The lint findings as listed: `{rule, severity, title, task, time, duration}` (task: an id or null; ns). */
    findings: () => state.data.findings.map((f) => ({
      rule: f.rule, severity: f.severity, title: f.title,
      task: f.task >= 0 ? idValue(state.data.tasks.id[f.task]) : null, time: f.time, duration: f.duration,
    })),
    /** Milliseconds the last frame took to draw (for benchmarks). */
    get lastFrameMs() { return state.lastFrameMs; },
  };
  Object.defineProperty(win, "tasktrace", { value: Object.freeze(handle), enumerable: true });
}
