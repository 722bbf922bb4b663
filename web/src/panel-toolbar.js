// The toolbar: task/thread view switch, search with previous/next and a match count, collapse/expand all,
// reset, the critical-path toggle, and the legend whose state entries turn states on and off. update() mirrors the
// state into it.

import { el } from "./dom.js";
import { formatCount } from "./format.js";
import { MARK_COLOURS } from "./draw-markers.js";

export function buildToolbar(state, act) {
  const { data } = state;
  const segmentsPerState = new Array(data.stateNames.length).fill(0);
  for (let s = 0; s < data.segments.count; s++) segmentsPerState[data.segments.states[s]]++;

  const tasksButton = el("button", { type: "button", className: "tt-tab", onclick: () => act.setMode("tasks") }, "Tasks");
  const threadsButton = el("button", { type: "button", className: "tt-tab", onclick: () => act.setMode("threads") }, "Threads");
  const input = el("input", {
    type: "search", className: "tt-search", placeholder: "Search name or #id", spellcheck: false,
    aria: { label: "Search tasks by name or id" },
    oninput: () => act.search(input.value),
    onkeydown: (event) => {
      if (event.key === "Enter") { event.preventDefault(); act.step(event.shiftKey ? -1 : 1); }
      if (event.key === "Escape") { input.value = ""; act.search(""); input.blur(); }
    },
  });
  const count = el("span", { className: "tt-match-count", aria: { live: "polite" } });
  const previous = el("button", { type: "button", title: "Previous match (Shift+Enter)", onclick: () => act.step(-1) }, "◀");
  const next = el("button", { type: "button", title: "Next match (Enter)", onclick: () => act.step(1) }, "▶");

  const hasPath = data.criticalPaths.length > 0;
  const critical = el("button", {
    type: "button", className: "tt-critical-toggle", disabled: !hasPath,
    title: hasPath ? "Highlight the chain of tasks that decided when the root finished (task view)"
      : "No critical path in this export (a windowed or filtered export has none)",
    onclick: () => act.toggleCriticalPath(),
  }, "Critical path");

  const stateEntries = [];
  data.stateNames.forEach((name, code) => {
    if (code > 3) return; // terminal states have no segments: they are end markers
    stateEntries.push(legendToggle(code, name, data.palette.states[code], segmentsPerState[code], act));
  });
  stateEntries.push(legendToggle("untracked", "untracked job", data.palette.untracked, data.jobs.count, act));
  const markers = [
    ["●", data.palette.states[4], "done"], ["▮", data.palette.states[5], "cancelled"], ["✕", data.palette.states[6], "errored"],
    ["▶", MARK_COLOURS.unfinished, "unfinished"], ["▼", MARK_COLOURS.cancel_requested, "cancel request"],
    ["◆", MARK_COLOURS.other, "mark"], ["↳", MARK_COLOURS.flow, "spawned"],
  ].map(([glyph, colour, label]) => el("span", { className: "tt-marker" }, el("span", { style: { color: colour } }, glyph), ` ${label}`));

  const element = el("div", { className: "tt-toolbar" },
    el("div", { className: "tt-group" }, tasksButton, threadsButton),
    el("div", { className: "tt-group" }, input, previous, next, count),
    el("div", { className: "tt-group" },
      el("button", { type: "button", className: "tt-collapse-all", onclick: act.collapseAll }, "Collapse all"),
      el("button", { type: "button", className: "tt-expand-all", onclick: act.expandAll }, "Expand all"),
      el("button", { type: "button", className: "tt-reset", title: "Whole trace (0)", onclick: act.reset }, "Reset view"),
      critical),
    el("div", { className: "tt-legend" }, stateEntries.map((entry) => entry.element), markers));

  let shown = "";
  return {
    element,
    input,
    update(current) {
      const key = `${current.mode}|${current.search.text}|${current.search.index}|${current.search.matches.length}|${[...current.hiddenStates].join(",")}|${current.critical.on}`;
      if (key === shown) return;
      shown = key;
      tasksButton.setAttribute("aria-pressed", String(current.mode === "tasks"));
      threadsButton.setAttribute("aria-pressed", String(current.mode === "threads"));
      critical.setAttribute("aria-pressed", String(current.critical.on));
      const { matches, index, text } = current.search;
      count.textContent = !text.trim() ? "" : matches.length ? `${index + 1} / ${formatCount(matches.length)}` : "no match";
      for (const entry of stateEntries) entry.element.setAttribute("aria-pressed", String(!current.hiddenStates.has(entry.key)));
    },
  };
}

function legendToggle(key, label, colour, count, act) {
  const element = el("button", {
    type: "button", className: "tt-legend-entry", title: `Show or hide ${label}`,
    onclick: () => act.toggleState(key),
  }, el("span", { className: "tt-swatch", style: { background: colour } }), `${label} `, el("small", null, formatCount(count)));
  element.dataset.state = String(key);
  return { key, element };
}
