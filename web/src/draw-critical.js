// The critical-path highlight in the task view (the toolbar's "Critical path" toggle): rows of the path's tasks
// get a band behind their bars and an outline around the time they were on the path; every other row is dimmed.

import { timeToX } from "./viewport.js";

export const CRITICAL_BAND = "#ffe8cc";
export const CRITICAL_OUTLINE = "#d9480f";
const DIM = "rgba(255, 255, 255, 0.7)";

/** The path to highlight, or null when the toggle is off (or the page has none). */
export function shownCriticalPath(state) {
  const { on, path } = state.critical;
  return on && path >= 0 ? state.data.criticalPaths[path] : null;
}

/** Behind the bars: the band of a row on the path. */
export function drawCriticalBand(ctx, path, task, y, width, rowHeight) {
  if (!path.onPath.has(task)) return;
  ctx.fillStyle = CRITICAL_BAND;
  ctx.fillRect(0, y, width, rowHeight);
}

/**
 * Over the bars: an outline around the row's steps on the path, or a veil over a row off the path (unless
 * `keepBright`: the selected row stays readable).
 */
export function drawCriticalOverlay(ctx, path, task, view, width, y, rowHeight, barTop, barHeight, keepBright) {
  const steps = path.stepsByTask.get(task);
  if (!path.onPath.has(task)) {
    if (keepBright) return;
    ctx.fillStyle = DIM;
    ctx.fillRect(0, y, width, rowHeight);
    return;
  }
  if (!steps) return;
  ctx.strokeStyle = CRITICAL_OUTLINE;
  ctx.lineWidth = 2;
  let lastRight = -Infinity;
  for (const [start, end] of steps) {
    if (end < view.start || start > view.end) continue;
    const x0 = Math.max(timeToX(view, width, start), -2);
    const x1 = Math.min(timeToX(view, width, end), width + 2);
    if (x1 < lastRight + 1) continue;   // one outline per pixel column
    ctx.strokeRect(x0, y + barTop - 2, Math.max(x1 - x0, 1), barHeight + 4);
    lastRight = x1;
  }
}
