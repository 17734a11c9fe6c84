/**
 * Worker thread entry for `lp-parallel.ts`: loads its own solver, runs the time-limited LP bound
 * on the classes (shared memory, not copied) and posts each solve's bound and the sites' LP
 * values, then 'done'. Every failure it can catch, loading its modules included (they are
 * imported inside the try), goes to the host as 'error' rather than ending the thread unseen
 * (the host polls synchronously and cannot hear the worker's 'error' event).
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import type { LpMessage, LpWorkerData } from './lp-parallel.js';

const data = workerData as LpWorkerData;
const port = data.port as MessagePort;
const post = (m: LpMessage) => port.postMessage(m);
try {
  const { loadSolver } = await import('../solver/solver.js');
  const { lpBound } = await import('./lp-bound.js');
  const solver = await loadSolver();
  const left = data.deadlineMs - Date.now();
  // Every solve's bound and site values go out as they come (the result's bound is their best).
  lpBound(solver, data.classes, data.lim, {
    timeLimitS: Math.max(0, left / 1000),
    onSolve: (i) => post({ kind: 'solve', ...i }),
    onNote: (message) => post({ kind: 'note', message }),
  });
  post({ kind: 'done' });
} catch (err) {
  post({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
}
port.close();
