// The thread view's plot: one lane per worker or blocking thread, showing which task's job ran when (running
// colour; the selected task darker) and untracked jobs (default actors' jobs) in grey.

import { drawSpans } from "./draw-spans.js";
import { visibleRowRange, SELECTED_FILL } from "./draw-tasks.js";

export const SELECTED_JOB = "#2b8a3e";

export function drawThreadLanes(ctx, state, lanes, width) {
  const { data, view, rowHeight, scrollTop, hiddenStates } = state;
  const running = data.stateNames.indexOf("running");
  const runningColour = hiddenStates.has(running) ? null : data.palette.states[running];
  const untrackedColour = hiddenStates.has("untracked") ? null : data.palette.untracked;
  const [first, last] = visibleRowRange(state, lanes.length);
  for (let r = first; r < last; r++) {
    const lane = lanes[r];
    const y = r * rowHeight - scrollTop;
    if (state.hover && state.hover.lane === r) {
      ctx.fillStyle = SELECTED_FILL;
      ctx.fillRect(0, y, width, rowHeight);
    }
    const colourOf = (k) => {
      const task = lane.task[k];
      if (task < 0) return untrackedColour;
      return runningColour && task === state.selected ? SELECTED_JOB : runningColour;
    };
    drawSpans(ctx, lane.starts, lane.ends, 0, lane.count, view, width, y + 3, rowHeight - 6, colourOf);
  }
}
