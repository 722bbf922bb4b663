// The task view's plot: one row per visible task, its state segments, how it ended and its marks.
// Only rows on screen are visited; each row's segments go through drawSpans (visible part only, merged below
// a pixel).

import { drawSpans } from "./draw-spans.js";
import { drawEnding, drawUnfinished, drawMark } from "./draw-markers.js";
import { timeToX } from "./viewport.js";
import { shownCriticalPath, drawCriticalBand, drawCriticalOverlay } from "./draw-critical.js";

export const SELECTED_FILL = "#fff3bf";
export const HOVER_FILL = "#f1f3f5";

/** Range of rows [first, last) on screen. */
export function visibleRowRange(state, count) {
  const first = Math.max(0, Math.floor(state.scrollTop / state.rowHeight));
  const last = Math.min(count, Math.ceil((state.scrollTop + state.size.plotHeight) / state.rowHeight));
  return [first, last];
}

export function drawTaskRows(ctx, state, rows, width) {
  const { data, view, rowHeight, scrollTop, hiddenStates } = state;
  const { tasks, segments, palette, stateNames } = data;
  const colourOf = (k) => (hiddenStates.has(segments.states[k]) ? null : palette.states[segments.states[k]] || "#999");
  const hoverTask = state.hover ? state.hover.task : -1;
  const [first, last] = visibleRowRange(state, rows.length);
  const barTop = 5, barHeight = rowHeight - 10;
  const critical = shownCriticalPath(state);
  for (let r = first; r < last; r++) {
    const task = rows[r];
    const y = r * rowHeight - scrollTop;
    if (task === state.selected || task === hoverTask) {
      ctx.fillStyle = task === state.selected ? SELECTED_FILL : HOVER_FILL;
      ctx.fillRect(0, y, width, rowHeight);
    } else if (critical) {
      drawCriticalBand(ctx, critical, task, y, width, rowHeight);
    }
    drawSpans(ctx, segments.starts, segments.ends, tasks.segFirst[task], tasks.segFirst[task + 1],
      view, width, y + barTop, barHeight, colourOf);
    const endX = timeToX(view, width, tasks.ended[task]);
    if (tasks.unfinished[task]) {
      drawUnfinished(ctx, Math.min(endX, width - 1), y + barTop, barHeight);
    } else if (tasks.final[task] >= 0 && endX >= -5 && endX <= width + 5) {
      const final = stateNames[tasks.final[task]];
      drawEnding(ctx, final, palette.states[tasks.final[task]], endX, y + barTop, barHeight);
    }
    const marks = data.marks.byTask.get(task);
    if (marks) drawRowMarks(ctx, marks, view, width, y + barTop, barHeight);
    if (critical) drawCriticalOverlay(ctx, critical, task, view, width, y, rowHeight, barTop, barHeight, task === state.selected);
  }
}

function drawRowMarks(ctx, marks, view, width, y, h) {
  let lo = 0, hi = marks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (marks[mid].ts < view.start) lo = mid + 1; else hi = mid;
  }
  let lastX = -10;
  for (let k = lo; k < marks.length && marks[k].ts <= view.end; k++) {
    const x = timeToX(view, width, marks[k].ts);
    if (x - lastX < 1 && marks[k].kind === marks[k - 1].kind) continue; // one glyph per pixel and kind
    drawMark(ctx, marks[k].kind, x, y, h);
    lastX = x;
  }
}
