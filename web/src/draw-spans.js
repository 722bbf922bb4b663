// The one routine that puts time spans on a row of the canvas, fast at any zoom: it binary-searches the first
// visible span, draws spans wider than a pixel as they are, and folds everything inside one pixel column into a
// single 1-px bar coloured by the span covering most of that column, jumping past the rest by binary search.
// So a row costs O(visible pixels × log n), whether it holds 5 spans or a million.

import { firstAbove } from "./viewport.js";

/** Spans that cover less than a column are tallied up to this many before the rest are skipped. */
const TALLY_LIMIT = 16;

/**
 * Draws spans [lo, hi) of `starts`/`ends` (ascending, non-overlapping) between y and y + h.
 * `colourOf(k)` gives span k's fill, or null to leave it out (a state turned off in the legend).
 */
export function drawSpans(ctx, starts, ends, lo, hi, view, width, y, h, colourOf) {
  const scale = width / (view.end - view.start);
  let current = null;
  let k = firstAbove(ends, lo, hi, view.start);
  while (k < hi && starts[k] < view.end) {
    const x0 = (starts[k] - view.start) * scale;
    const x1 = (ends[k] - view.start) * scale;
    if (x1 - x0 >= 1) {
      const colour = colourOf(k);
      if (colour) {
        if (colour !== current) { ctx.fillStyle = colour; current = colour; }
        const left = Math.max(x0, -1), right = Math.min(x1, width + 1);
        ctx.fillRect(left, y, right - left, h);
      }
      k++;
      continue;
    }
    const column = Math.floor(x0);
    const columnStart = view.start + column / scale, columnEnd = view.start + (column + 1) / scale;
    // Tally the spans that lie inside this column; a span reaching past it is drawn on its own next.
    let best = -1, bestCovered = -1, j = k;
    for (; j < hi && ends[j] <= columnEnd && j - k < TALLY_LIMIT; j++) {
      const covered = ends[j] - Math.max(starts[j], columnStart);
      if (covered > bestCovered && colourOf(j)) { best = j; bestCovered = covered; }
    }
    if (j === k) {
      best = colourOf(k) ? k : -1;   // a sub-pixel span crossing into the next column
      j = k + 1;
    } else if (j - k >= TALLY_LIMIT && j < hi && ends[j] <= columnEnd) {
      j = firstAbove(ends, j, hi, columnEnd);   // skip the rest of this column's spans
    }
    if (best >= 0) {
      const colour = colourOf(best);
      if (colour !== current) { ctx.fillStyle = colour; current = colour; }
      ctx.fillRect(column, y, 1, h);
    }
    k = j;
  }
}
