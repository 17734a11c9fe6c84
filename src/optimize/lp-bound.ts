/**
 * The LP lower bound for site selection past the exact search's reach: the
 * linear relaxation of the closest-assignment formulation, solved by the
 * solver (HiGHS, interior point) and certified from its duals, so the bound
 * never rests on the solver's tolerances.
 *
 * Per class c (merged targets with one order) and order position j (site s_j):
 *
 *   F_cj = share of the class served at positions <= j     (0 <= F <= 1)
 *   F_cj - F_c,j-1 >= 0                 (no negative service)
 *   F_cj - F_c,j-1 <= y_{s_j}           (only announcing sites serve)   (A)
 *   F_cj >= y_{s_j}                     (an announcing site is used or a
 *                                         preferred one is)              (B)
 *   min <= sum_s y_s <= max, required / excluded fixed
 *   minimise sum_c sum_j cost_cj (F_cj - F_c,j-1) + beyond_c (1 - F_c,last)
 *
 * Orders are cut at a depth per class: the share past the cut goes to
 * `beyond_c`, the cheapest cost past the cut (or the unreached cost), with
 * no constraint, which is a relaxation; classes the LP sends past their cut
 * are deepened and the LP solved again while time remains. This is the
 * cumulative form of the SPLPO relaxation of `milp.ts` (O(len) entries per
 * class instead of O(len^2)); its value equals the Lagrangian dual of
 * `lagrangian.ts`, which the subgradient method there reaches only slowly.
 *
 * Certificate: relaxing rows A and B with multipliers a, b >= 0 (taken from
 * the solver's row duals, clamped) leaves, per class, "all of the class at
 * one position i" with value cost_ci + a_ci - sum_{j >= i} b_cj (or beyond),
 * and for the sites min over y of sum_s y_s (sum b - sum a) within the size
 * limits. Every a, b >= 0 gives a valid lower bound this way (weak duality),
 * so an inexact or stopped solve still yields a correct, if weaker, bound.
 */
import type { LinearProblem, Solver } from '../solver/solver.js';
import type { Classes } from './instance.js';
import type { SizeLimits } from './heuristic.js';
import { cheapestSites } from './lagrangian.js';

export interface LpBoundOptions {
  /** First cut depth, for all classes or per class (default 20, or 6 under a time limit). */
  depth?: number | Int32Array;
  /** Seconds the solver may use in all (default unlimited). */
  timeLimitS?: number;
  /** Most solves (deepening rounds), default 4. */
  rounds?: number;
  /** Classes x depth cells above which the LP is not tried (memory; default 2.5M). */
  maxCells?: number;
  now?: () => number;
}

export interface LpBoundResult {
  /** Certified lower bound on the total cost (-Infinity when nothing was solved). */
  lowerBound: number;
  /** Fractional site values of the last solve (a rounding start for the local search). */
  y: Float64Array;
  rounds: number;
  /** True when the last solve was optimal and no class was cut too short: the bound is the LP value. */
  complete: boolean;
}

interface Built {
  problem: LinearProblem;
  fStart: Int32Array;
  depth: Int32Array;
  beyond: Float64Array;
}

export function build(cl: Classes, lim: SizeLimits, depthOf: Int32Array): Built {
  const S = cl.S;
  const C = cl.count;
  const fStart = new Int32Array(C);
  const depth = new Int32Array(C);
  const beyond = new Float64Array(C);
  let numCols = S;
  let numRows = 1;
  let nnz = S;
  for (let c = 0; c < C; c++) {
    const d = Math.min(cl.len[c], depthOf[c]);
    depth[c] = d;
    fStart[c] = numCols;
    numCols += d;
    if (d > 0) {
      numRows += 2 + 3 * (d - 1);
      nnz += 4 + 7 * (d - 1);
    }
  }
  const colCost = new Float64Array(numCols);
  const colLower = new Float64Array(numCols);
  const colUpper = new Float64Array(numCols).fill(1);
  for (let s = 0; s < S; s++) {
    if (lim.required[s]) colLower[s] = 1;
    if (lim.excluded[s]) colUpper[s] = 0;
  }
  let offset = cl.constant;
  const starts = new Int32Array(numRows + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  const rowLower = new Float64Array(numRows);
  const rowUpper = new Float64Array(numRows);
  let r = 0;
  let k = 0;
  const put = (col: number, v: number) => {
    indices[k] = col;
    values[k++] = v;
  };
  const end = (lo: number, hi: number) => {
    rowLower[r] = lo;
    rowUpper[r] = hi;
    starts[++r] = k;
  };
  for (let c = 0; c < C; c++) {
    const base = c * S;
    const d = depth[c];
    let b = cl.tail[c];
    for (let j = d; j < cl.len[c]; j++) if (cl.cost[base + j] < b) b = cl.cost[base + j];
    beyond[c] = b;
    offset += b;
    const f = fStart[c];
    for (let j = 0; j < d; j++) {
      colCost[f + j] = cl.cost[base + j] - (j + 1 < d ? cl.cost[base + j + 1] : b);
      const s = cl.order[base + j];
      if (j === 0) {
        put(f, 1);
        put(s, -1);
        end(-Infinity, 0); // A
        put(f, 1);
        put(s, -1);
        end(0, Infinity); // B
        continue;
      }
      put(f + j - 1, -1);
      put(f + j, 1);
      put(s, -1);
      end(-Infinity, 0); // A
      put(f + j - 1, -1);
      put(f + j, 1);
      end(0, Infinity); // monotone
      put(f + j, 1);
      put(s, -1);
      end(0, Infinity); // B
    }
  }
  for (let s = 0; s < S; s++) put(s, 1);
  end(lim.minSites, lim.maxSites);
  const problem: LinearProblem = {
    sense: 'min',
    numCols,
    numRows,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    matrix: { format: 'csr', starts, indices, values },
    offset,
  };
  return { problem, fStart, depth, beyond };
}

/**
 * The certified bound from row duals (layout of `build`): the Lagrangian
 * value at multipliers a = max(0, -dual_A), b = max(0, dual_B).
 */
export function certifiedBound(cl: Classes, lim: SizeLimits, depth: Int32Array, beyond: Float64Array, rowDual: Float64Array): number {
  const S = cl.S;
  const pi = new Float64Array(S);
  const a = new Float64Array(S);
  const b = new Float64Array(S);
  let total = cl.constant;
  let r = 0;
  for (let c = 0; c < cl.count; c++) {
    const base = c * S;
    const d = depth[c];
    for (let j = 0; j < d; j++) {
      const dA = rowDual[r++];
      if (j > 0) r++; // monotone row: kept in the per-class problem
      const dB = rowDual[r++];
      a[j] = dA < 0 ? -dA : 0;
      b[j] = dB > 0 ? dB : 0;
      pi[cl.order[base + j]] += b[j] - a[j];
    }
    let best = beyond[c];
    let suffix = 0;
    for (let i = d - 1; i >= 0; i--) {
      suffix += b[i];
      const v = cl.cost[base + i] + a[i] - suffix;
      if (v < best) best = v;
    }
    total += best;
  }
  return total + cheapestSites(pi, lim);
}

/**
 * Predicted growth of the solve time with the LP's cells, for deciding whether the next, deeper solve
 * fits the time left (measured with HiGHS interior point on clustered orders: 1.7 to 2.9 between
 * 20k and 100k cells; the larger side is taken).
 */
const TIME_EXPONENT = 2.9;

export function lpBound(solver: Solver, cl: Classes, lim: SizeLimits, o: LpBoundOptions = {}): LpBoundResult {
  const S = cl.S;
  const now = o.now ?? (() => performance.now());
  const started = now();
  // Without a time limit, one deep cut; with one, start shallow and deepen while the next solve is predicted to fit.
  const first = o.depth ?? (o.timeLimitS === undefined ? 20 : 6);
  const depthOf = first instanceof Int32Array ? Int32Array.from(first) : new Int32Array(cl.count).fill(first);
  // Depth of class c after deepening by `factor` (1 = as it is), and the LP's cells for a factor.
  const depthAfter = (c: number, factor: number) => Math.min(cl.len[c], factor === 1 ? depthOf[c] : Math.max(4, Math.ceil(depthOf[c] * factor)));
  const cellsOf = (factor = 1, only?: Uint8Array) => {
    let n = 0;
    for (let c = 0; c < cl.count; c++) n += depthAfter(c, !only || only[c] ? factor : 1);
    return n;
  };
  let cells = cellsOf();
  const maxCells = o.maxCells ?? 2_500_000;
  const y = new Float64Array(S);
  if (cells > maxCells) return { lowerBound: -Infinity, y, rounds: 0, complete: false };
  let best = -Infinity;
  let complete = false;
  const maxRounds = o.rounds ?? 4;
  let rounds = 0;
  let last: { cells: number; seconds: number } | undefined;
  let cut: Uint8Array | undefined; // classes the last solve sent past their cut
  while (rounds < maxRounds) {
    const left = o.timeLimitS === undefined ? undefined : o.timeLimitS - (now() - started) / 1000;
    if (left !== undefined && left <= 0.05) break;
    if (cut && last) {
      // Deepen the cut classes by the largest factor (2 down to 1.25) whose solve is predicted to fit.
      let factor = 0;
      for (const f of [2, 1.75, 1.5, 1.25]) {
        if (left === undefined || last.seconds * Math.pow(cellsOf(f, cut) / last.cells, TIME_EXPONENT) * 1.1 <= left) {
          factor = f;
          break;
        }
      }
      if (factor === 0) break;
      for (let c = 0; c < cl.count; c++) if (cut[c]) depthOf[c] = depthAfter(c, factor);
      cells = cellsOf();
      if (cells > maxCells) break;
    }
    const t0 = now();
    const built = build(cl, lim, depthOf);
    const res = solver.solve(built.problem, { method: 'ipm', crossover: false, timeLimitS: left });
    last = { cells, seconds: (now() - t0) / 1000 };
    if (!res.rowDual || res.rowDual.length !== built.problem.numRows) break;
    // Valid whatever the solver's status; a stopped solve just gives a weaker (possibly useless) value.
    const lb = certifiedBound(cl, lim, built.depth, built.beyond, res.rowDual);
    if (lb > best) best = lb;
    if (res.status !== 'optimal') break;
    rounds++;
    for (let s = 0; s < S; s++) y[s] = res.colValue[s];
    cut = new Uint8Array(cl.count);
    let deepen = 0;
    for (let c = 0; c < cl.count; c++) {
      const d = built.depth[c];
      if (d >= cl.len[c]) continue;
      const served = d > 0 ? res.colValue[built.fStart[c] + d - 1] : 0;
      if (1 - served > 1e-6) {
        cut[c] = 1;
        deepen++;
      }
    }
    if (deepen === 0) {
      complete = true;
      break;
    }
  }
  return { lowerBound: best, y, rounds, complete };
}
