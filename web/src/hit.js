// What is under the pointer: the row, the task and the segment (task view) or lane job (thread view).

import { currentRows, currentLanes } from "./actions.js";
import { xToTime, firstAbove } from "./viewport.js";

/** Index k in [lo, hi) of the span containing t (starts[k] <= t < ends[k]), or -1. */
function spanAt(starts, ends, lo, hi, t) {
  const k = firstAbove(ends, lo, hi, t);
  return k < hi && starts[k] <= t ? k : -1;
}

/**
 * The thing at plot pixel (x, y): { row, task, segment, lane, job, t }. task is -1 for an empty row or an
 * untracked job; segment (task view) and job (thread view, index into the lane) are -1 when nothing is there.
 */
export function hitPlot(state, x, y) {
  const row = Math.floor((y + state.scrollTop) / state.rowHeight);
  const t = xToTime(state.view, state.size.plotWidth, x);
  const hit = { row, task: -1, segment: -1, lane: -1, job: -1, t };
  if (state.mode === "tasks") {
    const rows = currentRows(state);
    if (row < 0 || row >= rows.length) return hit;
    hit.task = rows[row];
    const { segments, tasks } = state.data;
    // Widen by half a pixel each side so a sub-pixel segment can still be hovered.
    const slack = (state.view.end - state.view.start) / state.size.plotWidth / 2;
    hit.segment = spanAt(segments.starts, segments.ends, tasks.segFirst[hit.task], tasks.segFirst[hit.task + 1], t);
    if (hit.segment < 0) hit.segment = spanAt(segments.starts, segments.ends, tasks.segFirst[hit.task], tasks.segFirst[hit.task + 1], t - slack);
    return hit;
  }
  const lanes = currentLanes(state);
  if (row < 0 || row >= lanes.length) return hit;
  const lane = lanes[row];
  hit.lane = row;
  hit.job = spanAt(lane.starts, lane.ends, 0, lane.count, t);
  if (hit.job >= 0) hit.task = lane.task[hit.job];
  return hit;
}
