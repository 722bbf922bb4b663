// The lint findings (`tasktrace lint`, embedded by the exporter as `findings`), most severe first. Each entry is a
// button that jumps to its finding: selects the task and shows the finding's time. Severity is the entry's
// colour (the SVG export's: red error, orange warning, blue info) and its first word.

import { el, setChildren } from "./dom.js";
import { taskLabel } from "./data.js";
import { formatCount, formatNs } from "./format.js";

export const SEVERITY_COLOURS = { error: "#c92a2a", warning: "#e8590c", info: "#1971c2" };

/** Entries listed at most; the rest are counted (a damaged trace can have a finding per task). */
const MAX_FINDINGS = 500;

export function createFindingsPanel(data, onJump) {
  const element = el("section", { className: "tt-findings" });
  const findings = data.findings;
  if (findings.length === 0) {
    element.hidden = true;
    return { element };
  }
  const entry = (finding, k) => {
    const colour = SEVERITY_COLOURS[finding.severity] || "#495057";
    const when = finding.time === null ? "" : ` at ${formatNs(finding.time)}${finding.duration > 0 ? ` for ${formatNs(finding.duration)}` : ""}`;
    const button = el("button", {
      type: "button", className: "tt-finding-jump", style: { borderLeftColor: colour },
      title: "Select the task and show the finding's time", onclick: () => onJump(k),
    },
    el("strong", { style: { color: colour } }, finding.title),
    finding.task >= 0 ? ` ${taskLabel(data.tasks, finding.task)}` : "", when);
    button.dataset.severity = finding.severity;
    return el("li", { className: "tt-finding" }, button, finding.detail ? el("p", { className: "tt-finding-detail" }, finding.detail) : null);
  };
  setChildren(element, el("h3", null, `Findings (${formatCount(findings.length)})`),
    el("ul", { className: "tt-finding-list" }, findings.slice(0, MAX_FINDINGS).map(entry),
      findings.length > MAX_FINDINGS ? el("li", null, `… and ${formatCount(findings.length - MAX_FINDINGS)} more (tasktrace lint lists all)`) : null));
  return { element };
}
