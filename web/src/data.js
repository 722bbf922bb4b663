// Decodes the data the HTML exporter embeds (docs/viewer.md, "Data format") into typed arrays, so drawing and
// hit-testing walk plain numbers and never allocate per segment. Nothing here touches the DOM except reading the
// one JSON element; trace text stays plain strings until a panel sets it with textContent.

import { decodeCriticalPaths } from "./critical-path.js";

/** State code of a gap entry between two segments of a task (damaged traces only); not a segment. */
const GAP = 7;

/** Labels of unnamed tasks by kind, as the exporters print them (`group child #7`). */
const KIND_LABELS = { root: "root", spawned: "task", group_child: "group child", async_let: "async let", blocking: "blocking", unknown: "task" };

/** Reads and decodes `<script type="application/json" id="tasktrace-data">`. */
export function readEmbeddedData(doc) {
  const element = doc.getElementById("tasktrace-data");
  if (!element) throw new Error("tasktrace: this page holds no trace data");
  return decodeTrace(JSON.parse(element.textContent));
}

/** Turns the exporter's columns into the viewer's model: `{tasks, segments, marks, threads, jobs, ...}`. */
export function decodeTrace(raw) {
  const strings = raw.strings;
  const text = (ref) => (ref > 0 ? strings[ref - 1] : null);
  const tasks = decodeTasks(raw.tasks, raw.kinds, text);
  const segments = decodeSegments(raw.tasks, raw.segments, tasks);
  const start = raw.start;
  const end = Math.max(raw.end, start + 1);
  return {
    title: raw.title,
    start, end, traceEnd: raw.traceEnd,
    transitions: raw.transitions, omittedTasks: raw.omittedTasks, windowed: raw.windowed, filter: raw.filter,
    meta: new Map(raw.meta),
    integrity: raw.integrity,
    palette: raw.palette,
    stateNames: raw.states,
    findings: decodeFindings(raw.findings, tasks.count),
    criticalPaths: decodeCriticalPaths(raw.criticalPaths, tasks.count),
    tasks, segments,
    marks: decodeMarks(raw.marks, text),
    threads: raw.threads.id.map((id, i) => ({ id, name: text(raw.threads.name[i]) || `thread ${id}`, kind: text(raw.threads.kind[i]) || "" })),
    jobs: decodeJobs(raw.jobs),
  };
}

/** Lint findings `{title, detail, task, rule, severity, time, duration}`; task -1 and time null when absent. */
function decodeFindings(raw, taskCount) {
  return (Array.isArray(raw) ? raw : []).map((f) => ({
    title: String(f.title || ""), detail: f.detail ? String(f.detail) : "",
    task: Number.isInteger(f.task) && f.task >= 0 && f.task < taskCount ? f.task : -1,
    rule: f.rule ? String(f.rule) : "", severity: f.severity ? String(f.severity) : "",
    time: Number.isFinite(f.time) ? f.time : null, duration: Number.isFinite(f.duration) ? f.duration : null,
  }));
}

function decodeTasks(t, kinds, text) {
  const n = t.id.length;
  const tasks = {
    count: n,
    id: t.id.map(String),
    parent: new Int32Array(n),
    depth: new Int32Array(n),
    descendants: new Int32Array(n),
    childCount: new Int32Array(n),
    kind: t.kind.map((k) => kinds[k] || "unknown"),
    created: Float64Array.from(t.created),
    ended: new Float64Array(n),
    final: new Int8Array(n),
    unfinished: new Uint8Array(n),
    inferred: new Uint8Array(n),
    segFirst: new Int32Array(n + 1),
    missingParent: new Map(t.missingParent.map(([index, id]) => [index, id])),
    nameRefs: t.name, siteRefs: t.site, errorRefs: t.error, text,
    lowerLabels: null,
  };
  for (let i = 0; i < n; i++) {
    const back = t.parent[i];
    const p = back > 0 ? i - back : -1;
    tasks.parent[i] = p;
    tasks.depth[i] = p >= 0 ? tasks.depth[p] + 1 : 0;
    tasks.final[i] = t.final[i] - 1;
    tasks.unfinished[i] = t.flags[i] & 1;
    tasks.inferred[i] = (t.flags[i] >> 1) & 1;
    tasks.ended[i] = t.flags[i] & 4 ? NaN : t.created[i] + t.life[i];
    if (t.flags[i] & 4) tasks.created[i] = NaN;
  }
  // Tree order puts every task before its subtree, so one backward pass sums the subtrees.
  for (let i = n - 1; i >= 0; i--) {
    const p = tasks.parent[i];
    if (p >= 0) {
      tasks.childCount[p] += 1;
      tasks.descendants[p] += 1 + tasks.descendants[i];
    }
  }
  return tasks;
}

function decodeSegments(t, raw, tasks) {
  const dt = raw.dt, code = raw.code, total = dt.length;
  const starts = new Float64Array(total), ends = new Float64Array(total);
  const states = new Uint8Array(total), threads = new Uint32Array(total), owner = new Int32Array(total);
  let entry = 0, s = 0;
  for (let i = 0; i < tasks.count; i++) {
    tasks.segFirst[i] = s;
    let position = t.created[i];
    let open = -1;
    for (let k = 0; k < t.entries[i]; k++, entry++) {
      const start = position + dt[entry];
      position = start;
      if (open >= 0) { ends[open] = start; open = -1; }
      const c = code[entry];
      const state = c % 8;
      if (state === GAP) continue;
      starts[s] = start; states[s] = state; threads[s] = Math.floor(c / 8); owner[s] = i;
      open = s++;
    }
    if (open >= 0) ends[open] = position + t.last[i];
  }
  tasks.segFirst[tasks.count] = s;
  return {
    count: s,
    starts: starts.subarray(0, s), ends: ends.subarray(0, s), states: states.subarray(0, s),
    threads: threads.subarray(0, s), owner: owner.subarray(0, s),
  };
}

function decodeMarks(m, text) {
  const marks = m.task.map((task, i) => ({
    task: task - 1, ts: m.ts[i], kind: text(m.kind[i]) || "", detail: text(m.detail[i]), from: m.from[i] - 1,
  }));
  const byTask = new Map();
  for (const mark of marks) {
    if (mark.task < 0) continue;
    if (!byTask.has(mark.task)) byTask.set(mark.task, []);
    byTask.get(mark.task).push(mark);
  }
  return { all: marks, byTask, cancelLinks: marks.filter((mark) => mark.from >= 0 && mark.task >= 0) };
}

function decodeJobs(j) {
  const n = j.thread.length;
  const jobs = { count: n, thread: Uint32Array.from(j.thread), starts: new Float64Array(n), ends: new Float64Array(n) };
  let position = 0;
  for (let i = 0; i < n; i++) {
    position += j.dt[i];
    jobs.starts[i] = position;
    jobs.ends[i] = position + j.dur[i];
  }
  return jobs;
}

/** The name shown everywhere: `name #id`, or a kind label (`group child #7`) for an unnamed task. */
export function taskLabel(tasks, i) {
  const name = tasks.text(tasks.nameRefs[i]);
  return `${name !== null ? name : KIND_LABELS[tasks.kind[i]] || "task"} #${idText(tasks.id[i])}`;
}

/** Blocking-pool work has ids from 2^48 up (not Swift tasks): shown as `b1`, `b2`… as in every export. */
const BLOCKING_ID_BASE = 2 ** 48;
export function idText(id) {
  const n = Number(id);
  return n > BLOCKING_ID_BASE && n < 2 * BLOCKING_ID_BASE ? `b${n - BLOCKING_ID_BASE}` : String(id);
}

/** The spawn site (`Module/File.swift:12`), or null. */
export function taskSite(tasks, i) { return tasks.text(tasks.siteRefs[i]); }

/** The error text an errored (or cancelled) task ended with, or null. */
export function taskError(tasks, i) { return tasks.text(tasks.errorRefs[i]); }

/** How the task ended, as every export prints it: `done`, `done (inferred)`, `unfinished`, `unknown`. */
export function outcomeLabel(data, i) {
  const tasks = data.tasks;
  if (tasks.unfinished[i]) return "unfinished";
  const final = tasks.final[i];
  const outcome = final >= 0 ? data.stateNames[final] : "unknown";
  return tasks.inferred[i] ? `${outcome} (inferred)` : outcome;
}

/** Lower-cased labels of all tasks, built on the first search (not needed for the first frame). */
export function lowerLabels(tasks) {
  if (!tasks.lowerLabels) {
    tasks.lowerLabels = new Array(tasks.count);
    for (let i = 0; i < tasks.count; i++) tasks.lowerLabels[i] = taskLabel(tasks, i).toLowerCase();
  }
  return tasks.lowerLabels;
}

/** Index of the task with id `id` (a number or a string), or -1. */
export function taskIndexOfId(tasks, id) {
  if (!tasks.indexById) tasks.indexById = new Map(tasks.id.map((value, i) => [value, i]));
  const found = tasks.indexById.get(String(id).replace(/^#/, ""));
  return found === undefined ? -1 : found;
}

/** Direct children of task `i`, in tree order (walks the subtree by skipping grandchildren's subtrees). */
export function childrenOf(tasks, i) {
  const children = [];
  const end = i + 1 + tasks.descendants[i];
  for (let c = i + 1; c < end; c += 1 + tasks.descendants[c]) children.push(c);
  return children;
}
