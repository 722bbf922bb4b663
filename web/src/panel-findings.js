// Where analysis results (statistics, lints, the critical path) plug in. The exporter writes `findings: []`
// into the data for now; a later exporter can fill it with { title, detail, task } entries (task: an index into
// the tasks, or -1) and they appear here as a list whose task names are links. Nothing else needs to change.

import { el, setChildren } from "./dom.js";
import { taskLabel } from "./data.js";

export function createFindingsPanel(data, onSelect) {
  const element = el("section", { className: "tt-findings" });
  const findings = data.findings;
  if (findings.length === 0) {
    element.hidden = true;
    return { element };
  }
  setChildren(element, el("h3", null, `Findings (${findings.length})`),
    el("ul", null, findings.map((finding) => el("li", null,
      el("strong", null, String(finding.title || "")), finding.detail ? ` ${finding.detail}` : "",
      Number.isInteger(finding.task) && finding.task >= 0 && finding.task < data.tasks.count
        ? el("button", { type: "button", className: "tt-link", onclick: () => onSelect(finding.task) }, taskLabel(data.tasks, finding.task))
        : null))));
  return { element };
}
