// The hover tooltip: task, state, start, duration, thread and spawn site of what is under the pointer.

import { el, setChildren } from "./dom.js";
import { formatNs } from "./format.js";
import { taskLabel, taskSite } from "./data.js";
import { currentLanes } from "./actions.js";

export function createTooltip() {
  const element = el("div", { className: "tt-tooltip", role: "tooltip", hidden: true });
  let shownKey = null;
  return {
    element,
    update(state) {
      const hover = state.hover;
      if (!hover || hover.segment < 0 && hover.job < 0 && hover.task < 0) {
        element.hidden = true;
        shownKey = null;
        return;
      }
      const key = `${state.mode}|${hover.task}|${hover.segment}|${hover.lane}|${hover.job}`;
      if (key !== shownKey) {
        shownKey = key;
        setChildren(element, ...lines(state, hover).map((line, n) => el("div", { className: n === 0 ? "tt-tip-title" : null }, line)));
      }
      element.hidden = false;
      const pad = 14, width = element.offsetWidth, height = element.offsetHeight;
      const left = Math.min(hover.clientX + pad, window.innerWidth - width - 4);
      const top = hover.clientY + pad + height > window.innerHeight ? hover.clientY - height - pad : hover.clientY + pad;
      element.style.left = `${Math.max(0, left)}px`;
      element.style.top = `${Math.max(0, top)}px`;
    },
  };
}

function lines(state, hover) {
  const { tasks, segments, stateNames } = state.data;
  const threadName = (id) => {
    const known = state.data.threads.find((t) => t.id === id);
    return known ? known.name : `thread ${id}`;
  };
  if (state.mode === "threads") {
    const lane = currentLanes(state)[hover.lane];
    const start = lane.starts[hover.job], end = lane.ends[hover.job];
    const head = hover.task >= 0 ? taskLabel(tasks, hover.task) : "untracked job (no task: a default actor's job, or the one Task.yield() adds)";
    const out = [head, `running on ${lane.name}`, `start ${formatNs(start)}`, `duration ${formatNs(end - start)}`];
    if (hover.task >= 0 && taskSite(tasks, hover.task)) out.push(`spawned at ${taskSite(tasks, hover.task)}`);
    return out;
  }
  const out = [taskLabel(tasks, hover.task)];
  if (hover.segment >= 0) {
    const s = hover.segment;
    const running = stateNames[segments.states[s]] === "running";
    const thread = running && segments.threads[s] ? ` on ${threadName(segments.threads[s])}` : "";
    out.push(`${stateNames[segments.states[s]]}${thread}`);
    out.push(`start ${formatNs(segments.starts[s])}`);
    out.push(`duration ${formatNs(segments.ends[s] - segments.starts[s])}`);
  } else {
    out.push(`no state here (lives ${formatNs(tasks.created[hover.task])} – ${formatNs(tasks.ended[hover.task])})`);
  }
  const site = taskSite(tasks, hover.task);
  if (site) out.push(`spawned at ${site}`);
  return out;
}
