// The name column left of the plot: task labels indented by depth with an expand/collapse triangle (task view),
// or thread names (thread view). Canvas text: trace text is drawn, never parsed as markup.

import { taskLabel } from "./data.js";
import { formatCount } from "./format.js";
import { visibleRowRange, SELECTED_FILL, HOVER_FILL } from "./draw-tasks.js";

export const INDENT = 12;
const MAX_INDENT_DEPTH = 24;
const MATCH_FILL = "#d0ebff";

/** x where task i's triangle starts (its label follows after INDENT). */
export function toggleX(tasks, i) {
  return 6 + Math.min(tasks.depth[i], MAX_INDENT_DEPTH) * INDENT;
}

export function drawTaskNames(ctx, state, rows, width) {
  const { tasks } = state.data;
  const { rowHeight, scrollTop } = state;
  const matches = state.search.matchSet;
  const hoverTask = state.hover ? state.hover.task : -1;
  const [first, last] = visibleRowRange(state, rows.length);
  ctx.font = "12px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  for (let r = first; r < last; r++) {
    const task = rows[r];
    const y = r * rowHeight - scrollTop;
    const fill = task === state.selected ? SELECTED_FILL : task === hoverTask ? HOVER_FILL
      : matches && matches.has(task) ? MATCH_FILL : null;
    if (fill) { ctx.fillStyle = fill; ctx.fillRect(0, y, width, rowHeight); }
    const x = toggleX(tasks, task);
    ctx.fillStyle = "#495057";
    if (tasks.childCount[task] > 0) {
      ctx.beginPath();
      if (state.collapsed[task]) { ctx.moveTo(x, y + 6); ctx.lineTo(x + 7, y + 10); ctx.lineTo(x, y + 14); }
      else { ctx.moveTo(x - 1, y + 7); ctx.lineTo(x + 8, y + 7); ctx.lineTo(x + 3.5, y + 13); }
      ctx.closePath();
      ctx.fill();
    }
    let label = taskLabel(tasks, task);
    if (state.collapsed[task]) label += `  (+${formatCount(tasks.descendants[task])})`;
    ctx.fillStyle = tasks.unfinished[task] ? "#862e9c" : "#212529";
    ctx.font = task === state.selected ? "bold 12px system-ui, sans-serif" : "12px system-ui, sans-serif";
    ctx.fillText(label, x + INDENT, y + rowHeight / 2);
  }
}

export function drawLaneNames(ctx, state, lanes, width) {
  const { rowHeight, scrollTop } = state;
  const [first, last] = visibleRowRange(state, lanes.length);
  ctx.font = "12px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  for (let r = first; r < last; r++) {
    const y = r * rowHeight - scrollTop;
    if (state.hover && state.hover.lane === r) { ctx.fillStyle = SELECTED_FILL; ctx.fillRect(0, y, width, rowHeight); }
    ctx.fillStyle = "#212529";
    ctx.fillText(`${lanes[r].name}${lanes[r].kind ? ` (${lanes[r].kind})` : ""}`, 8, y + rowHeight / 2);
  }
}
