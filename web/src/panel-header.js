// The header: what was recorded (meta), how many tasks ended how, the unfinished tasks, and — prominently, in
// red — every integrity problem of the trace (dropped, skipped, reordered, reconstructed, late events), so
// nobody reads a timeline that silently lies.

import { el } from "./dom.js";
import { formatCount, formatNs, formatUnixNs } from "./format.js";
import { taskLabel, outcomeLabel } from "./data.js";

/** At most this many unfinished tasks are listed as links (the count is always exact). */
const MAX_LISTED = 200;

export function buildHeader(data, onSelect) {
  const { tasks, meta } = data;
  const outcomes = new Map();
  const unfinished = [];
  for (let i = 0; i < tasks.count; i++) {
    const label = outcomeLabel(data, i);
    outcomes.set(label, (outcomes.get(label) || 0) + 1);
    if (tasks.unfinished[i]) unfinished.push(i);
  }
  const facts = [];
  if (meta.has("started_unix_ns")) facts.push(`started ${formatUnixNs(meta.get("started_unix_ns"))}`);
  facts.push(`duration ${formatNs(data.traceEnd)}`);
  if (meta.has("workers")) facts.push(`${meta.get("workers")} worker${meta.get("workers") === "1" ? "" : "s"}`);
  if (meta.has("host")) facts.push(`host ${meta.get("host")}`);
  if (meta.has("tasktrace_version")) facts.push(`tasktrace ${meta.get("tasktrace_version")}`);
  if (!meta.has("ended_unix_ns")) facts.push("recording cut short (no end time)");

  const stateColour = (label) => {
    const index = data.stateNames.indexOf(label.split(" ")[0]);
    return index >= 0 ? data.palette.states[index] : "#adb5bd";
  };
  const chips = [...outcomes.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([label, count]) =>
    el("span", { className: "tt-chip" }, el("span", { className: "tt-swatch", style: { background: stateColour(label) } }),
      `${label} ${formatCount(count)}`));

  const integrity = data.integrity.problems.length === 0 ? null : el("div", { className: "tt-integrity", aria: { live: "polite" } },
    el("strong", null, "This trace is incomplete or inexact: "), data.integrity.summary || "",
    el("ul", null, data.integrity.problems.map(([key, count, meaning]) =>
      el("li", null, el("code", null, key), ` ${formatCount(count)} — ${meaning}`))));

  const notes = [];
  if (data.windowed) notes.push(`Export window: ${formatNs(data.start)} – ${formatNs(data.end)} of ${formatNs(data.traceEnd)}.`);
  if (data.omittedTasks > 0) notes.push(`${formatCount(data.omittedTasks)} tasks left out by the export's filter or time window.`);
  if (data.filter) notes.push(`Filter: name contains “${data.filter}”.`);

  const unfinishedList = unfinished.length === 0 ? null : el("details", { className: "tt-unfinished" },
    el("summary", null, `${formatCount(unfinished.length)} unfinished task${unfinished.length === 1 ? "" : "s"} (still running when the trace ended)`),
    el("div", { className: "tt-links" }, unfinished.slice(0, MAX_LISTED).map((i) =>
      el("button", { className: "tt-link", type: "button", onclick: () => onSelect(i) }, taskLabel(tasks, i)))),
    unfinished.length > MAX_LISTED ? el("p", null, `… and ${formatCount(unfinished.length - MAX_LISTED)} more (search to find them).`) : null);

  return el("header", { className: "tt-header" },
    el("div", { className: "tt-title" }, el("h1", null, "tasktrace"), el("span", { className: "tt-command" }, data.title)),
    el("div", { className: "tt-facts" }, facts.join(" · ")),
    el("div", { className: "tt-counts" },
      el("span", { className: "tt-total" }, `${formatCount(tasks.count)} tasks · ${formatCount(data.segments.count)} segments`),
      chips),
    integrity,
    notes.length ? el("div", { className: "tt-note" }, notes.join(" ")) : null,
    unfinishedList,
    metaTable(data));
}

/** Every `meta` row of the trace, as recorded (folded: the facts line above says the usual ones). */
function metaTable(data) {
  const rows = [...data.meta.entries()].map(([key, value]) => {
    const readable = key.endsWith("_unix_ns") ? `${formatUnixNs(value)} (${value})`
      : key === "duration_ns" ? `${formatNs(Number(value))} (${value})` : value;
    return el("tr", null, el("th", null, key), el("td", null, readable));
  });
  rows.push(el("tr", null, el("th", null, "transitions read"), el("td", null, formatCount(data.transitions))));
  return el("details", { className: "tt-meta" }, el("summary", null, "Trace metadata"), el("table", null, rows));
}
