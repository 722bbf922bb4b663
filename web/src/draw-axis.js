// The time axis above the plot and the matching grid lines behind the rows. Units adapt to the zoom (1-2-5
// steps in ns, µs, ms or s); times are since the trace started, as in the SQLite file's ts_ns.

import { tickStep, formatTick } from "./format.js";
import { timeToX } from "./viewport.js";

function ticks(view, width) {
  const step = tickStep(view.end - view.start, Math.max(2, Math.floor(width / 110)));
  const first = Math.ceil(view.start / step) * step;
  const result = [];
  for (let t = first; t <= view.end && result.length < 200; t += step) result.push(t);
  return { step, ticks: result };
}

export function drawAxis(ctx, view, width, height) {
  ctx.fillStyle = "#f6f7f9";
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = "#c8ccd2";
  ctx.fillRect(0, height - 1, width, 1);
  const { step, ticks: list } = ticks(view, width);
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  ctx.fillStyle = "#333";
  for (const t of list) {
    const x = Math.round(timeToX(view, width, t)) + 0.5;
    ctx.fillRect(x - 0.5, height - 7, 1, 6);
    ctx.fillText(formatTick(t, step, view.end), x + 3, height / 2 - 3);
  }
}

export function drawGrid(ctx, view, width, height) {
  ctx.fillStyle = "#eceef1";
  for (const t of ticks(view, width).ticks) ctx.fillRect(Math.round(timeToX(view, width, t)), 0, 1, height);
}
