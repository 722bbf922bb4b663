// The side panel of the selected task: who it is, how it ended (an inferred outcome says so), its error, time
// per state, jobs, parent and children as links, its marks and its transitions. Rebuilt only when the
// selection changes.

import { el, setChildren } from "./dom.js";
import { formatCount, formatNs } from "./format.js";
import { taskLabel, taskSite, taskError, outcomeLabel, childrenOf } from "./data.js";

const MAX_CHILDREN = 100;
const MAX_TRANSITIONS = 300;
const MAX_MARKS = 200;

export function createTaskPanel(onSelect) {
  const element = el("section", { className: "tt-task-panel" });
  let shown = null;
  const link = (data, i) => el("button", { type: "button", className: "tt-link", onclick: () => onSelect(i) }, taskLabel(data.tasks, i));

  function render(data, i) {
    if (i < 0) {
      setChildren(element, el("p", { className: "tt-hint" },
        "Click a task to inspect it. Wheel or W/S zooms, drag or A/D pans, double-click zooms to a task."));
      return;
    }
    const { tasks, segments, stateNames, palette } = data;
    const perState = new Array(stateNames.length).fill(0);
    const countPerState = new Array(stateNames.length).fill(0);
    let jobs = 0;
    const first = tasks.segFirst[i], last = tasks.segFirst[i + 1];
    for (let s = first; s < last; s++) {
      perState[segments.states[s]] += segments.ends[s] - segments.starts[s];
      countPerState[segments.states[s]]++;
      if (stateNames[segments.states[s]] === "running") jobs++;
    }
    const outcome = outcomeLabel(data, i);
    const finalName = tasks.final[i] >= 0 ? stateNames[tasks.final[i]] : null;
    const error = taskError(tasks, i);
    const site = taskSite(tasks, i);
    const parent = tasks.parent[i];
    const children = childrenOf(tasks, i);
    const marks = data.marks.byTask.get(i) || [];
    const row = (label, ...value) => el("tr", null, el("th", null, label), el("td", null, ...value));

    const parentCell = parent >= 0 ? link(data, parent)
      : tasks.missingParent.has(i) ? `#${tasks.missingParent.get(i)} (not in this export)` : "none (a root)";
    const outcomeText = tasks.unfinished[i] ? `unfinished: still ${finalName} when the trace ended` : outcome;

    setChildren(element,
      el("h2", { className: "tt-task-name" }, taskLabel(tasks, i)),
      el("table", { className: "tt-facts-table" },
        row("id", tasks.id[i]),
        row("kind", tasks.kind[i]),
        row("outcome", el("span", { className: `tt-outcome tt-outcome-${outcome.split(" ")[0]}` }, outcomeText)),
        error !== null ? row(finalName === "cancelled" ? "reason" : "error", el("pre", { className: "tt-error" }, error)) : null,
        row("spawned at", site !== null ? site : "unknown"),
        row("created", formatNs(tasks.created[i])),
        row("ended", tasks.unfinished[i] ? "—" : formatNs(tasks.ended[i])),
        row("lifetime", formatNs(tasks.ended[i] - tasks.created[i])),
        row("jobs", formatCount(jobs)),
        row("parent", parentCell)),
      el("h3", null, "Time per state"),
      el("table", { className: "tt-state-table" },
        el("tr", null, el("th", null, "state"), el("th", null, "time"), el("th", null, "segments")),
        stateNames.slice(0, 4).map((name, code) => el("tr", null,
          el("td", null, el("span", { className: "tt-swatch", style: { background: palette.states[code] } }), name),
          el("td", { className: "tt-num" }, formatNs(perState[code])),
          el("td", { className: "tt-num" }, formatCount(countPerState[code]))))),
      el("h3", null, `Children (${formatCount(children.length)})`),
      children.length === 0 ? el("p", null, "none") : el("div", { className: "tt-links" },
        children.slice(0, MAX_CHILDREN).map((c) => link(data, c)),
        children.length > MAX_CHILDREN ? el("span", null, `… and ${formatCount(children.length - MAX_CHILDREN)} more`) : null),
      el("h3", null, `Marks (${formatCount(marks.length)})`),
      marks.length === 0 ? el("p", null, "none") : el("ul", { className: "tt-marks" },
        marks.slice(0, MAX_MARKS).map((mark) => el("li", null,
          el("code", null, mark.kind), ` at ${formatNs(mark.ts)}`, mark.detail !== null ? `: ${mark.detail}` : "",
          mark.from >= 0 ? el("span", null, " — requested by ", link(data, mark.from)) : null)),
        marks.length > MAX_MARKS ? el("li", null, `… and ${formatCount(marks.length - MAX_MARKS)} more`) : null),
      el("h3", null, "Transitions"),
      transitionTable(data, i, first, last, finalName));
  }

  return {
    element,
    update(state) {
      const key = state.selected;
      if (key === shown) return;
      shown = key;
      render(state.data, state.selected);
    },
  };
}

/** Each segment as a transition row; the thread is shown for running segments only (the worker that ran the job). */
function transitionTable(data, i, first, last, finalName) {
  const { segments, stateNames, tasks, threads } = data;
  const threadName = (id) => {
    if (!id) return "";
    const known = threads.find((t) => t.id === id);
    return known ? known.name : `thread ${id}`;
  };
  const rows = [];
  for (let s = first; s < last && rows.length < MAX_TRANSITIONS; s++) {
    rows.push(el("tr", null, el("td", { className: "tt-num" }, formatNs(segments.starts[s])),
      el("td", null, stateNames[segments.states[s]]),
      el("td", { className: "tt-num" }, formatNs(segments.ends[s] - segments.starts[s])),
      el("td", null, stateNames[segments.states[s]] === "running" ? threadName(segments.threads[s]) : "")));
  }
  const more = last - first - rows.length;
  if (finalName !== null && !tasks.unfinished[i]) {
    rows.push(el("tr", null, el("td", { className: "tt-num" }, formatNs(tasks.ended[i])), el("td", null, finalName), el("td"), el("td")));
  }
  return el("div", null,
    el("table", { className: "tt-transitions" },
      el("tr", null, el("th", null, "at"), el("th", null, "state"), el("th", null, "for"), el("th", null, "thread")), rows),
    more > 0 ? el("p", null, `… ${formatCount(more)} more segments (zoom in on the timeline to see them).`) : null);
}

