// The critical paths the exporter embeds (docs/viewer.md, "Data format": `criticalPaths`), decoded for drawing
// and listing: per path its root, chain (task indices in order of first appearance, with each one's time and
// share) and steps (time pieces per task, so a row can outline exactly when it was on the path).

/** Decodes `raw.criticalPaths` (absent in older pages: none); entries naming a task outside the export are dropped. */
export function decodeCriticalPaths(raw, taskCount) {
  const valid = (i) => Number.isInteger(i) && i >= 0 && i < taskCount;
  const paths = [];
  for (const p of Array.isArray(raw) ? raw : []) {
    if (!p || !valid(p.task) || !Array.isArray(p.chain) || !p.chain.every(valid)) continue;
    const steps = p.steps || { task: [], start: [], end: [] };
    if (!steps.task.every(valid)) continue;
    const stepsByTask = new Map();
    steps.task.forEach((task, k) => {
      if (!stepsByTask.has(task)) stepsByTask.set(task, []);
      const pieces = stepsByTask.get(task), last = pieces[pieces.length - 1];
      if (last && last[1] === steps.start[k]) last[1] = steps.end[k];   // one outline per stretch on the path
      else pieces.push([steps.start[k], steps.end[k]]);
    });
    paths.push({
      root: p.task, start: p.start, end: p.end,
      chain: p.chain, time: p.time || [], perMille: p.perMille || [],
      onPath: new Set(p.chain), stepsByTask,
    });
  }
  return paths;
}

/** The path shown first: the one that ended last (it decided when the traced work finished), the longest on a tie. */
export function mainPathIndex(paths) {
  let best = -1;
  paths.forEach((p, k) => {
    if (best < 0 || p.end > paths[best].end || (p.end === paths[best].end && p.end - p.start > paths[best].end - paths[best].start)) best = k;
  });
  return best;
}

/** Index of the path of root task `root`, or -1. */
export function pathIndexOfRoot(paths, root) {
  return paths.findIndex((p) => p.root === root);
}
