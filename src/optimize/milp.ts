/**
 * The SPLPO as a mixed-integer program on the merged classes, for
 * `--method milp` (HiGHS through the solver interface; the solver is passed
 * in, so this module stays pure). Kept as a reference and a cross-check: on
 * the project's measurements the combinatorial methods of `exact.ts` and
 * `exhaustive.ts` are much faster.
 *
 *   y_s in {0,1}                      site s announces
 *   x_cj >= 0, u_c >= 0               class c served by its j-th site / unreached
 *   sum_j x_cj + u_c = 1
 *   x_cj <= y_{s(c,j)}                only announcing sites serve
 *   sum_{i<=j} x_ci >= y_{s(c,j)}     closest assignment: an announcing site is
 *                                     used or a preferred one is (makes x integral)
 *   min <= sum_s y_s <= max, required / excluded fixed,
 *   sum_{c,j: s(c,j)=s} w_c x_cj <= capacity_s
 *   minimise sum cost_cj x_cj + tail_c u_c
 *
 * The closest-assignment rows hold O(len^2) entries per class, which is why
 * the plain model grows quickly with sites and distinct orders.
 */
import { RowBuilder, type LinearProblem, type Solver } from '../solver/solver.js';
import type { Classes } from './instance.js';
import type { SizeLimits } from './heuristic.js';

export interface MilpResult {
  subset?: Uint8Array;
  cost: number;
  lowerBound: number;
  status: 'optimal' | 'feasible' | 'infeasible' | 'no-solution';
}

export function buildMilp(cl: Classes, lim: SizeLimits, capacity?: Float64Array): { problem: LinearProblem; xStart: Int32Array } {
  const S = cl.S;
  const xStart = new Int32Array(cl.count);
  let numCols = S;
  for (let c = 0; c < cl.count; c++) {
    xStart[c] = numCols;
    numCols += cl.len[c] + 1;
  }
  const colCost = new Float64Array(numCols);
  const colLower = new Float64Array(numCols);
  const colUpper = new Float64Array(numCols).fill(1);
  const integrality = new Int32Array(numCols);
  for (let s = 0; s < S; s++) {
    integrality[s] = 1;
    if (lim.required[s]) colLower[s] = 1;
    if (lim.excluded[s]) colUpper[s] = 0;
  }
  for (let c = 0; c < cl.count; c++) {
    const b = xStart[c];
    for (let j = 0; j < cl.len[c]; j++) colCost[b + j] = cl.cost[c * S + j];
    colCost[b + cl.len[c]] = cl.tail[c];
  }
  const rows = new RowBuilder();
  for (let c = 0; c < cl.count; c++) {
    const b = xStart[c];
    const L = cl.len[c];
    for (let j = 0; j <= L; j++) rows.put(b + j, 1);
    rows.end(1, 1);
    for (let j = 0; j < L; j++) {
      const s = cl.order[c * S + j];
      rows.put(s, -1);
      rows.put(b + j, 1);
      rows.end(-Infinity, 0);
      rows.put(s, -1);
      for (let i = 0; i <= j; i++) rows.put(b + i, 1);
      rows.end(0, Infinity);
    }
  }
  for (let s = 0; s < S; s++) rows.put(s, 1);
  rows.end(lim.minSites, lim.maxSites);
  if (capacity) {
    const perSite: Array<Array<[number, number]>> = Array.from({ length: S }, () => []);
    for (let c = 0; c < cl.count; c++) for (let j = 0; j < cl.len[c]; j++) perSite[cl.order[c * S + j]].push([xStart[c] + j, cl.weight[c]]);
    for (let s = 0; s < S; s++) {
      if (!Number.isFinite(capacity[s])) continue;
      perSite[s].sort((a, b) => a[0] - b[0]);
      for (const [col, w] of perSite[s]) rows.put(col, w);
      rows.end(-Infinity, capacity[s]);
    }
  }
  const problem: LinearProblem = { sense: 'min', numCols, colCost, colLower, colUpper, ...rows.finish(), integrality, offset: cl.constant };
  return { problem, xStart };
}

/** A MIP start from a subset: y, and every class at its first announcing site. */
export function milpStart(cl: Classes, xStart: Int32Array, numCols: number, subset: Uint8Array): Float64Array {
  const S = cl.S;
  const x = new Float64Array(numCols);
  for (let s = 0; s < S; s++) x[s] = subset[s];
  for (let c = 0; c < cl.count; c++) {
    let j = 0;
    while (j < cl.len[c] && !subset[cl.order[c * S + j]]) j++;
    x[xStart[c] + j] = 1;
  }
  return x;
}

export function solveMilp(
  solver: Solver,
  cl: Classes,
  lim: SizeLimits,
  opts: { capacity?: Float64Array; start?: Uint8Array; timeLimitS?: number },
): MilpResult {
  const { problem, xStart } = buildMilp(cl, lim, opts.capacity);
  const r = solver.solve(problem, {
    timeLimitS: opts.timeLimitS,
    mipRelGap: 1e-9,
    start: opts.start ? milpStart(cl, xStart, problem.numCols, opts.start) : undefined,
  });
  if (r.status === 'infeasible') return { cost: Infinity, lowerBound: Infinity, status: 'infeasible' };
  if (r.colValue.length === 0) return { cost: Infinity, lowerBound: r.bound ?? -Infinity, status: 'no-solution' };
  const subset = new Uint8Array(cl.S);
  for (let s = 0; s < cl.S; s++) subset[s] = r.colValue[s] > 0.5 ? 1 : 0;
  return {
    subset,
    cost: r.objective,
    lowerBound: r.status === 'optimal' ? r.objective : (r.bound ?? -Infinity),
    status: r.status === 'optimal' ? 'optimal' : 'feasible',
  };
}
