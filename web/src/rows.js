// Layout: which task is on which row (task view) and what each thread lane holds (thread view).

/** Visible task rows in tree order: a collapsed task's subtree is skipped in one step. */
export function visibleTaskRows(tasks, collapsed) {
  const rows = new Int32Array(tasks.count);
  let count = 0;
  for (let i = 0; i < tasks.count; ) {
    rows[count++] = i;
    i += collapsed[i] ? 1 + tasks.descendants[i] : 1;
  }
  return rows.subarray(0, count);
}

/** Row of task `i` in `rows` (ascending task indices), or -1 when hidden by a collapsed ancestor. */
export function rowOfTask(rows, i) {
  let lo = 0, hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid] < i) lo = mid + 1; else hi = mid;
  }
  return lo < rows.length && rows[lo] === i ? lo : -1;
}

const KIND_ORDER = { worker: 0, blocking: 1, external: 2 };

/**
 * One lane per thread that ran something, plus every worker and blocking thread: its task jobs (running
 * segments) and untracked jobs (default actors' jobs, task -1), sorted by start. Built on first use of the
 * thread view, so the first frame does not pay for it.
 */
export function threadLanes(data) {
  const { segments, jobs } = data;
  const byThread = new Map();
  const laneFor = (id) => {
    if (!byThread.has(id)) {
      const known = data.threads.find((t) => t.id === id);
      byThread.set(id, { id, name: known ? known.name : `thread ${id}`, kind: known ? known.kind : "", items: [] });
    }
    return byThread.get(id);
  };
  for (const thread of data.threads) if (thread.kind === "worker" || thread.kind === "blocking") laneFor(thread.id);
  const running = data.stateNames.indexOf("running");
  for (let s = 0; s < segments.count; s++) {
    if (segments.states[s] === running && segments.threads[s] !== 0) laneFor(segments.threads[s]).items.push(s);
  }
  for (let j = 0; j < jobs.count; j++) laneFor(jobs.thread[j]).items.push(-1 - j);
  const lanes = [...byThread.values()].sort(
    (a, b) => (KIND_ORDER[a.kind] ?? 3) - (KIND_ORDER[b.kind] ?? 3) || a.id - b.id);
  return lanes.map((lane) => {
    const n = lane.items.length;
    const starts = new Float64Array(n), ends = new Float64Array(n), task = new Int32Array(n);
    lane.items.forEach((item, k) => {
      if (item >= 0) { starts[k] = segments.starts[item]; ends[k] = segments.ends[item]; task[k] = segments.owner[item]; }
      else { starts[k] = jobs.starts[-1 - item]; ends[k] = jobs.ends[-1 - item]; task[k] = -1; }
    });
    const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => starts[a] - starts[b] || ends[a] - ends[b]);
    const lane2 = { id: lane.id, name: lane.name, kind: lane.kind, count: n,
      starts: new Float64Array(n), ends: new Float64Array(n), task: new Int32Array(n) };
    order.forEach((k, position) => {
      lane2.starts[position] = starts[k]; lane2.ends[position] = ends[k]; lane2.task[position] = task[k];
    });
    // Ends must be ascending for binary search; jobs on one thread never overlap, so this only guards bad input.
    for (let k = 1; k < n; k++) if (lane2.ends[k] < lane2.ends[k - 1]) lane2.ends[k] = lane2.ends[k - 1];
    return lane2;
  });
}
