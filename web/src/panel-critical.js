// The critical path's chain, shown while the toolbar's "Critical path" toggle is on: which root it explains,
// how long that took, and each task of the chain in order with its share of the time (names are links that
// select the task). With several roots, a menu picks whose path is shown and highlighted.

import { el, setChildren } from "./dom.js";
import { taskLabel } from "./data.js";
import { formatCount, formatNs } from "./format.js";

/** Chain entries listed at most. */
const MAX_CHAIN = 300;

export function createCriticalPanel(data, act) {
  const element = el("section", { className: "tt-critical", hidden: true });
  const paths = data.criticalPaths;
  const link = (i) => el("button", { type: "button", className: "tt-link", onclick: () => act.select(i) }, taskLabel(data.tasks, i));
  let shown = "";

  function render(k) {
    const path = paths[k];
    const picker = paths.length > 1 ? el("select", {
      className: "tt-critical-root", aria: { label: "Whose critical path" },
      onchange: (event) => act.showCriticalPath(Number(event.target.value)),
    }, paths.map((p, j) => el("option", { value: String(j), selected: j === k }, taskLabel(data.tasks, p.root)))) : null;
    const rows = path.chain.slice(0, MAX_CHAIN).map((task, j) => el("tr", null,
      el("td", { className: "tt-num" }, `${j + 1}`),
      el("td", null, link(task)),
      el("td", { className: "tt-num" }, `${((path.perMille[j] || 0) / 10).toFixed(1)}%`),
      el("td", { className: "tt-num" }, formatNs(path.time[j] || 0))));
    setChildren(element,
      el("h3", null, `Critical path (${formatCount(path.chain.length)} task${path.chain.length === 1 ? "" : "s"})`),
      picker,
      el("p", null, "Why ", link(path.root), ` ended when it did: ${formatNs(path.end - path.start)} from ${formatNs(path.start)} to ${formatNs(path.end)}.`),
      el("table", { className: "tt-critical-chain" },
        el("tr", null, el("th", null, "#"), el("th", null, "task"), el("th", null, "share"), el("th", null, "time")), rows),
      path.chain.length > MAX_CHAIN ? el("p", null, `… and ${formatCount(path.chain.length - MAX_CHAIN)} more`) : null);
  }

  return {
    element,
    update(state) {
      const { on, path } = state.critical;
      const key = on && path >= 0 ? String(path) : "";
      if (key === shown) return;
      shown = key;
      element.hidden = key === "";
      if (key === "") setChildren(element); else render(path);
    },
  };
}
