// Small glyphs drawn on a row: how a task ended (dot done, bar cancelled, cross errored), the arrow of a task
// still running when the trace ended, and marks (cancellation requests, inferred outcomes, lost events, actors).

/** Marker colours, shared with the legend (panel-toolbar.js) so the two never disagree. */
export const MARK_COLOURS = {
  cancel_requested: "#f08c00",
  events_lost: "#d6336c",
  inferred_outcome: "#495057",
  on_actor: "#7048e8",
  other: "#495057",
  unfinished: "#212529",
  flow: "#343a40",
};

/** The end of a finished task at x: final is the state name (done, cancelled, errored). */
export function drawEnding(ctx, final, colour, x, y, h) {
  ctx.fillStyle = colour;
  ctx.strokeStyle = colour;
  if (final === "done") {
    ctx.beginPath();
    ctx.arc(x, y + h / 2, 3, 0, 2 * Math.PI);
    ctx.fill();
  } else if (final === "cancelled") {
    ctx.fillRect(x - 1, y - 1, 3, h + 2);
  } else if (final === "errored") {
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x - 4, y); ctx.lineTo(x + 4, y + h);
    ctx.moveTo(x + 4, y); ctx.lineTo(x - 4, y + h);
    ctx.stroke();
  }
}

/** A task still running when the trace ended: a right-pointing arrow at its end (the plot's edge if later). */
export function drawUnfinished(ctx, x, y, h) {
  ctx.fillStyle = MARK_COLOURS.unfinished;
  ctx.beginPath();
  ctx.moveTo(x - 7, y - 1);
  ctx.lineTo(x, y + h / 2);
  ctx.lineTo(x - 7, y + h + 1);
  ctx.closePath();
  ctx.fill();
}

/** One mark at x on a row whose bar spans y…y+h. */
export function drawMark(ctx, kind, x, y, h) {
  const colour = MARK_COLOURS[kind] || MARK_COLOURS.other;
  ctx.fillStyle = colour;
  ctx.beginPath();
  if (kind === "cancel_requested") {           // downward triangle above the bar
    ctx.moveTo(x - 5, y - 4); ctx.lineTo(x + 5, y - 4); ctx.lineTo(x, y + 3);
  } else if (kind === "on_actor") {            // small dot under the bar
    ctx.arc(x, y + h + 2, 2, 0, 2 * Math.PI);
  } else {                                     // diamond above the bar
    ctx.moveTo(x, y - 5); ctx.lineTo(x + 4, y - 1); ctx.lineTo(x, y + 3); ctx.lineTo(x - 4, y - 1);
  }
  ctx.closePath();
  ctx.fill();
}
