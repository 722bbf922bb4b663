// Time and number formatting: one place decides units, so the axis, tooltip and panels agree.

const UNITS = [["s", 1e9], ["ms", 1e6], ["µs", 1e3], ["ns", 1]];

/** A duration or time since the trace started, with the largest unit that keeps the value ≥ 1: `1.25 ms`. */
export function formatNs(ns) {
  if (!Number.isFinite(ns)) return "—";
  const magnitude = Math.abs(ns);
  for (const [unit, size] of UNITS) {
    if (magnitude >= size || unit === "ns") {
      const value = ns / size;
      const digits = unit === "ns" ? 0 : Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 10 ? 2 : 3;
      return `${trimZeros(value.toFixed(digits))} ${unit}`;
    }
  }
  return `${ns} ns`;
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** Axis step: 1, 2 or 5 × a power of ten, giving about `target` ticks over `span` ns (at least 1 ns). */
export function tickStep(span, target) {
  const raw = Math.max(span / Math.max(target, 1), 1);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * power >= raw) return factor * power;
  }
  return 10 * power;
}

/**
 * A tick label. The unit suits the largest time on the axis (`maxValue`) and the decimals suit the step, so
 * ticks 200 µs apart late in a trace read `100.2 ms`, `100.4 ms`.
 */
export function formatTick(value, step, maxValue) {
  const magnitude = Math.max(Math.abs(maxValue), step);
  const [unit, size] = UNITS.find(([, s]) => magnitude >= s) || UNITS[UNITS.length - 1];
  const decimals = Math.max(0, Math.ceil(-Math.log10(step / size) - 1e-9));
  return `${(value / size).toFixed(Math.min(decimals, 9))} ${unit}`;
}

/** An integer with thousands separators: `100,000`. */
export function formatCount(n) {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A wall-clock time from ns since 1970 (meta `started_unix_ns`), in UTC: `2026-11-25 11:09:32 UTC`. */
export function formatUnixNs(text) {
  const ms = Number(text) / 1e6;
  if (!Number.isFinite(ms)) return text;
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}
