/**
 * Worker thread entry for `lp-parallel.ts`: loads its own solver, runs the time-limited LP bound
 * on the classes (shared memory, not copied) and posts each solve's bound and the sites' LP
 * values, then 'done'.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { loadSolver } from '../solver/solver.js';
import { lpBound } from './lp-bound.js';
import type { LpMessage, LpWorkerData } from './lp-parallel.js';

const data = workerData as LpWorkerData;
const port = data.port as MessagePort;
const post = (m: LpMessage) => port.postMessage(m);
try {
  const solver = await loadSolver();
  const left = data.deadlineMs - Date.now();
  // Every solve's bound and site values go out as they come (the result's bound is their best).
  lpBound(solver, data.classes, data.lim, {
    timeLimitS: Math.max(0, left / 1000),
    onSolve: (i) => post({ kind: 'solve', ...i }),
  });
  post({ kind: 'done' });
} catch (err) {
  post({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
}
port.close();
