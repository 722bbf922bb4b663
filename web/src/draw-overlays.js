// Lines drawn over the rows: parent→child flow arrows of the hovered or selected task, cancellation arrows from
// the requesting task to its target.

import { rowOfTask } from "./rows.js";
import { childrenOf } from "./data.js";
import { timeToX } from "./viewport.js";
import { MARK_COLOURS } from "./draw-markers.js";

/** At most this many child arrows are drawn for one task (a task with 100k children would be a solid block). */
const MAX_CHILD_ARROWS = 400;

function arrow(ctx, x0, y0, x1, y1, colour, dashed) {
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 1.5;
  ctx.setLineDash(dashed ? [4, 3] : []);
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x0, y1);
  ctx.lineTo(x1, y1);
  ctx.stroke();
  ctx.setLineDash([]);
  const dir = x1 >= x0 ? 1 : -1;
  ctx.beginPath();
  if (x1 === x0) {
    const down = y1 >= y0 ? 1 : -1;
    ctx.moveTo(x1, y1); ctx.lineTo(x1 - 4, y1 - 6 * down); ctx.lineTo(x1 + 4, y1 - 6 * down);
  } else {
    ctx.moveTo(x1, y1); ctx.lineTo(x1 - 6 * dir, y1 - 4); ctx.lineTo(x1 - 6 * dir, y1 + 4);
  }
  ctx.closePath();
  ctx.fill();
}

/** Flow arrows: from the parent's row to the focused task's start, and from it to each child's start. */
export function drawFlows(ctx, state, rows, width, height) {
  const focus = state.hover && state.hover.task >= 0 ? state.hover.task : state.selected;
  if (focus < 0 || state.mode !== "tasks") return;
  const { tasks } = state.data;
  const centre = (task) => {
    const row = rowOfTask(rows, task);
    return row < 0 ? null : row * state.rowHeight - state.scrollTop + state.rowHeight / 2;
  };
  const link = (from, to) => {
    const y0 = centre(from), y1 = centre(to);
    if (y0 === null || y1 === null || (y0 < 0 && y1 < 0) || (y0 > height && y1 > height)) return;
    const x = timeToX(state.view, width, tasks.created[to]);
    if (!Number.isFinite(x) || x < -8 || x > width + 8) return;
    arrow(ctx, x, y0, x, y1 - (y1 > y0 ? 5 : -5), MARK_COLOURS.flow, false);
  };
  if (tasks.parent[focus] >= 0) link(tasks.parent[focus], focus);
  if (!state.collapsed[focus]) {
    const children = childrenOf(tasks, focus);
    for (let k = 0; k < children.length && k < MAX_CHILD_ARROWS; k++) link(focus, children[k]);
  }
}

/** Cancellation arrows: from the requester's row to the target's row at the request's time (dashed orange). */
export function drawCancelArrows(ctx, state, rows, width, height) {
  if (state.mode !== "tasks") return;
  for (const mark of state.data.marks.cancelLinks) {
    const x = timeToX(state.view, width, mark.ts);
    if (x < -8 || x > width + 8) continue;
    const from = rowOfTask(rows, mark.from), to = rowOfTask(rows, mark.task);
    if (from < 0 || to < 0) continue;
    const y0 = from * state.rowHeight - state.scrollTop + state.rowHeight / 2;
    const y1 = to * state.rowHeight - state.scrollTop + (to > from ? 2 : state.rowHeight - 2);
    if ((y0 < 0 && y1 < 0) || (y0 > height && y1 > height)) continue;
    arrow(ctx, x, y0, x, y1, MARK_COLOURS.cancel_requested, true);
  }
}
