// The visible time range and its mapping to pixels. Pure functions of numbers; the state holds the result.

/** The narrowest view, ns: below this a pixel would be far under a nanosecond. */
export const MIN_SPAN = 20;

/** `view` moved and narrowed as needed to lie inside `bounds` and be at least MIN_SPAN wide. */
export function clampView(view, bounds) {
  const full = bounds.end - bounds.start;
  const span = Math.min(Math.max(view.end - view.start, Math.min(MIN_SPAN, full)), full);
  const start = Math.min(Math.max(view.start, bounds.start), bounds.end - span);
  return { start, end: start + span };
}

/** Zooms by `factor` (< 1 zooms in) keeping time `t` under the same pixel. */
export function zoomAround(view, bounds, t, factor) {
  return clampView({ start: t - (t - view.start) * factor, end: t + (view.end - t) * factor }, bounds);
}

/** Moves the view by `fraction` of its width (positive: later). */
export function panByFraction(view, bounds, fraction) {
  const shift = (view.end - view.start) * fraction;
  return clampView({ start: view.start + shift, end: view.end + shift }, bounds);
}

/** x in CSS pixels of time `t`, for a plot `width` pixels wide. */
export function timeToX(view, width, t) {
  return ((t - view.start) / (view.end - view.start)) * width;
}

/** Time at CSS pixel `x`. */
export function xToTime(view, width, x) {
  return view.start + (x / width) * (view.end - view.start);
}

/** First index k in [lo, hi) with sorted[k] > value (binary search), hi if none. */
export function firstAbove(sorted, lo, hi, value) {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] > value) hi = mid; else lo = mid + 1;
  }
  return lo;
}
