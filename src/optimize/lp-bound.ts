/**
 * The LP lower bound for site selection past the exact search's reach: the
 * linear relaxation of the closest-assignment formulation on the order trie,
 * solved by the solver (HiGHS, interior point) and certified from its duals,
 * so the bound never rests on the solver's tolerances.
 *
 * Per trie node v (an order prefix shared by some classes; its last site s_v,
 * its parent u, the prefix one shorter):
 *
 *   F_v = share of the classes under v served within the prefix  (0 <= F <= 1)
 *   F_v - F_u >= 0                      (no negative service)
 *   F_v - F_u <= y_{s_v}                (only announcing sites serve)   (A)
 *   F_v >= y_{s_v}                      (an announcing site is used or a
 *                                         preferred one is)              (B)
 *   min <= sum_s y_s <= max, required / excluded fixed
 *   minimise sum_c [ sum_j cost_cj (F_cj - F_c,j-1) + beyond_c (1 - F_c,last) ]
 *
 * where F_cj is the F of class c's node at depth j. In an integral solution
 * F depends on the prefix only, so one F per node (rather than per class and
 * position, the plain cumulative form of the SPLPO relaxation of `milp.ts`)
 * is still a relaxation, a tighter one, and smaller where orders share
 * prefixes (the twin's: 24k nodes instead of 59k class positions at depth 20,
 * solved 5x faster, bound 74.0 instead of 72.6 ms).
 *
 * Orders are cut at a depth per class: the share past the cut goes to
 * `beyond_c`, the cheapest cost past the cut (or the unreached cost), with
 * no constraint, which is a relaxation; classes the LP sends past their cut
 * are deepened and the LP solved again while time remains.
 *
 * Certificate: relaxing rows A and B with multipliers a, b >= 0 (taken from
 * the solver's row duals, clamped) leaves a linear function of F over "F in
 * [0, 1], non-decreasing down the trie" (minimised at a 0/1 point, bottom-up)
 * and, for the sites, min over y of sum_s y_s (sum b - sum a) within the size
 * limits. Every a, b >= 0 gives a valid lower bound this way (weak duality),
 * so an inexact or stopped solve still yields a correct, if weaker, bound.
 */
import type { LinearProblem, Solver } from '../solver/solver.js';
import type { Classes } from './instance.js';
import type { SizeLimits } from './heuristic.js';
import { cheapestSites } from './lagrangian.js';

export interface LpBoundOptions {
  /** First cut depth, for all classes or per class (default 20, or 6 under a time limit; a uniform one is made shallower while its trie is too big). */
  depth?: number | Int32Array;
  /** Seconds the solver may use in all (default unlimited). */
  timeLimitS?: number;
  /** Most solves (deepening rounds), default 4, or 12 under a time limit. */
  rounds?: number;
  /** Trie nodes above which the LP is not tried or deepened (memory: 600k nodes took the process to 2.4 GB; default 400k). */
  maxNodes?: number;
  now?: () => number;
  /** Called after each solve: its trie nodes, seconds, certified bound and solver status. */
  onSolve?: (info: { nodes: number; seconds: number; bound: number; status: string }) => void;
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

/** The LP on the order trie cut at `depth[c]` per class; node v's column is S + v. */
export interface Built {
  problem: LinearProblem;
  depth: Int32Array;
  /** Per class: its node at its cut depth (-1 when the class has depth 0). */
  last: Int32Array;
  /** Per node: parent (-1 at depth 0) and site; nodes are in preorder. Node coefficients are problem.colCost[S + v]. */
  parent: Int32Array;
  site: Uint16Array;
}

/** How much of the current trie path (valid up to `valid`) class c shares with class c - 1. */
function sharedPrefix(cl: Classes, c: number, valid: number): number {
  if (c === 0) return 0;
  const base = c * cl.S;
  const prev = base - cl.S;
  const n = Math.min(valid, cl.len[c], cl.len[c - 1]);
  let l = 0;
  while (l < n && cl.order[base + l] === cl.order[prev + l]) l++;
  return l;
}

/** Trie nodes of the LP for per-class depths `depth(c)` (the LP's size: columns beyond the sites). */
function trieNodes(cl: Classes, depth: (c: number) => number): number {
  let nodes = 0;
  let valid = 0;
  for (let c = 0; c < cl.count; c++) {
    valid = sharedPrefix(cl, c, valid);
    const d = Math.min(cl.len[c], depth(c));
    if (d > valid) {
      nodes += d - valid;
      valid = d;
    }
  }
  return nodes;
}

/**
 * Classes share order prefixes, and in an integral solution the share served within a prefix
 * depends on the prefix alone, so the LP takes one F per trie node (the prefix) rather than per
 * class and position: fewer columns, and a relaxation at least as tight as the per-class one.
 * Classes are sorted by order (buildClasses), so the trie is built in one pass, in preorder.
 */
export function build(cl: Classes, lim: SizeLimits, depthOf: Int32Array): Built {
  const S = cl.S;
  const C = cl.count;
  const depth = new Int32Array(C);
  const last = new Int32Array(C).fill(-1);
  // Nodes: at most the sum of the depths.
  let cap = 0;
  for (let c = 0; c < C; c++) {
    depth[c] = Math.min(cl.len[c], depthOf[c]);
    cap += depth[c];
  }
  const parent = new Int32Array(cap);
  const site = new Uint16Array(cap);
  const coef = new Float64Array(cap);
  let nodes = 0;
  // Constant part of the objective: every class's cost past its cut, and cl.constant.
  let constant = cl.constant;
  // path[j]: node of the current prefix at depth j, valid for j < valid.
  const path = new Int32Array(S);
  let valid = 0;
  for (let c = 0; c < C; c++) {
    const base = c * S;
    valid = sharedPrefix(cl, c, valid);
    const d = depth[c];
    for (let j = valid; j < d; j++) {
      parent[nodes] = j === 0 ? -1 : path[j - 1];
      site[nodes] = cl.order[base + j];
      path[j] = nodes++;
    }
    if (d > valid) valid = d;
    let b = cl.tail[c];
    for (let j = d; j < cl.len[c]; j++) if (cl.cost[base + j] < b) b = cl.cost[base + j];
    constant += b;
    // Cost = beyond + sum_j F_j (cost_j - cost_{j+1}), with cost_d = beyond.
    for (let j = 0; j < d; j++) coef[path[j]] += cl.cost[base + j] - (j + 1 < d ? cl.cost[base + j + 1] : b);
    if (d > 0) last[c] = path[d - 1];
  }
  let numRows = 1;
  let nnz = S;
  for (let v = 0; v < nodes; v++) {
    numRows += parent[v] < 0 ? 2 : 3;
    nnz += parent[v] < 0 ? 4 : 7;
  }
  const numCols = S + nodes;
  const colCost = new Float64Array(numCols);
  const colLower = new Float64Array(numCols);
  const colUpper = new Float64Array(numCols).fill(1);
  for (let s = 0; s < S; s++) {
    if (lim.required[s]) colLower[s] = 1;
    if (lim.excluded[s]) colUpper[s] = 0;
  }
  colCost.set(coef.subarray(0, nodes), S);
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
  for (let v = 0; v < nodes; v++) {
    const f = S + v;
    const s = site[v];
    const u = parent[v];
    if (u < 0) {
      put(s, -1);
      put(f, 1);
      end(-Infinity, 0); // A
      put(s, -1);
      put(f, 1);
      end(0, Infinity); // B
      continue;
    }
    put(s, -1);
    put(S + u, -1);
    put(f, 1);
    end(-Infinity, 0); // A
    put(S + u, -1);
    put(f, 1);
    end(0, Infinity); // monotone
    put(s, -1);
    put(f, 1);
    end(0, Infinity); // B
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
    offset: constant,
  };
  return { problem, depth, last, parent: parent.slice(0, nodes), site: site.slice(0, nodes) };
}

/**
 * The certified bound from row duals (layout of `build`): the Lagrangian value at multipliers
 * a = max(0, -dual_A), b = max(0, dual_B). What remains after relaxing rows A and B is a linear
 * function of F over "monotone down the trie, in [0, 1]", whose minimum is at a 0/1 point: per
 * node, either everything from it down is served (the subtree's sum) or it is not (its children's
 * best), solved bottom-up over the preorder.
 */
export function certifiedBound(cl: Classes, lim: SizeLimits, built: Built, rowDual: Float64Array): number {
  const S = cl.S;
  const { parent, site, problem } = built;
  const nodes = parent.length;
  const pi = new Float64Array(S);
  const c2 = problem.colCost.slice(S);
  let r = 0;
  for (let v = 0; v < nodes; v++) {
    const dA = rowDual[r++];
    if (parent[v] >= 0) r++; // monotone row: kept in the subproblem
    const dB = rowDual[r++];
    const a = dA < 0 ? -dA : 0;
    const b = dB > 0 ? dB : 0;
    pi[site[v]] += b - a;
    c2[v] += a - b;
    if (parent[v] >= 0) c2[parent[v]] -= a;
  }
  // Bottom-up (reverse preorder): sub = subtree sum, best = best value with the node unserved.
  const sub = c2;
  const best = new Float64Array(nodes);
  let total = problem.offset ?? 0;
  for (let v = nodes - 1; v >= 0; v--) {
    const val = Math.min(sub[v], best[v]);
    const u = parent[v];
    if (u >= 0) {
      sub[u] += sub[v];
      best[u] += val;
    } else total += val;
  }
  return total + cheapestSites(pi, lim);
}

/**
 * Predicted growth of the solve time with the LP's trie nodes, for deciding whether the next,
 * deeper solve fits the time left: this exponent until two solves have been timed, then the one
 * they show, clamped to [MIN, MAX] (HiGHS interior point, measured: 1.3 to 1.4 on the twin's
 * orders, 1.7 to 2.9 on clustered synthetic orders). A solve that overruns is stopped by the time
 * limit and still certifies a (weaker) bound.
 */
const TIME_EXPONENT = 2.5;
/**
 * Trie nodes above which a time-limited first solve starts shallower (clustered orders at 200 x
 * 100,000: 15k nodes at a cut of 6 solve in about 4 s; 35k at 10 in 28 s).
 */
const FIRST_SOLVE_NODES = 50_000;
const MIN_TIME_EXPONENT = 1.2;
const MAX_TIME_EXPONENT = 3;

export function lpBound(solver: Solver, cl: Classes, lim: SizeLimits, o: LpBoundOptions = {}): LpBoundResult {
  const S = cl.S;
  const now = o.now ?? (() => performance.now());
  const started = now();
  // Without a time limit, one deep cut; with one, start shallow and deepen while the next solve is predicted to fit.
  const first = o.depth ?? (o.timeLimitS === undefined ? 20 : 6);
  const depthOf = first instanceof Int32Array ? Int32Array.from(first) : new Int32Array(cl.count).fill(first);
  // Depth of class c after deepening by `factor` (1 = as it is), and the LP's trie nodes for a factor.
  const depthAfter = (c: number, factor: number) => Math.min(cl.len[c], factor === 1 ? depthOf[c] : Math.max(4, Math.ceil(depthOf[c] * factor)));
  const nodesOf = (factor = 1, only?: Uint8Array) => trieNodes(cl, (c) => depthAfter(c, !only || only[c] ? factor : 1));
  let nodes = nodesOf();
  const maxNodes = o.maxNodes ?? 400_000;
  // A uniform first cut is made shallower while its LP is too big for a first solve (orders that
  // share no prefixes, such as random ones, have a node per class and position).
  const firstNodes = o.timeLimitS === undefined ? maxNodes : FIRST_SOLVE_NODES;
  if (typeof first === 'number') {
    while (nodes > firstNodes && depthOf[0] > 1) {
      depthOf.fill(depthOf[0] - 1);
      nodes = nodesOf();
    }
  }
  const y = new Float64Array(S);
  if (nodes > maxNodes) return { lowerBound: -Infinity, y, rounds: 0, complete: false };
  let best = -Infinity;
  let complete = false;
  const maxRounds = o.rounds ?? (o.timeLimitS === undefined ? 4 : 12);
  let rounds = 0;
  const timed: Array<{ nodes: number; seconds: number }> = [];
  // Classes the last solve sent past their cut, and how much weight it sent there.
  let cutClasses: number[] = [];
  const unserved = new Float64Array(cl.count);
  while (rounds < maxRounds) {
    const left = o.timeLimitS === undefined ? undefined : o.timeLimitS - (now() - started) / 1000;
    if (left !== undefined && left <= 0.05) break;
    const last = timed[timed.length - 1];
    if (cutClasses.length > 0 && last) {
      let exponent = TIME_EXPONENT;
      const before = timed[timed.length - 2];
      if (before && last.nodes > before.nodes * 1.1 && before.seconds > 0.2) {
        const fitted = Math.log(last.seconds / before.seconds) / Math.log(last.nodes / before.nodes);
        exponent = Math.min(MAX_TIME_EXPONENT, Math.max(MIN_TIME_EXPONENT, fitted));
      }
      // Deepen by the largest factor (2 down to 1.25) the cut classes, or failing that the half,
      // quarter or eighth of them the last solve sent furthest past their cut, whose solve is
      // predicted to fit; the bigger LP (by nodes) first.
      const ranked = cutClasses.slice().sort((a, b) => unserved[b] - unserved[a] || a - b);
      let choice: { nodes: number; factor: number; only: Uint8Array } | undefined;
      for (const share of [1, 0.5, 0.25, 0.125]) {
        const n = Math.max(1, Math.ceil(ranked.length * share));
        const only = new Uint8Array(cl.count);
        for (let i = 0; i < n; i++) only[ranked[i]] = 1;
        for (const f of [2, 1.75, 1.5, 1.25]) {
          const size = nodesOf(f, only);
          if (size <= nodes || (choice && size <= choice.nodes)) continue;
          if (left === undefined || last.seconds * Math.pow(size / last.nodes, exponent) * 1.1 <= left) {
            choice = { nodes: size, factor: f, only };
            break;
          }
        }
        if (left === undefined && choice) break;
      }
      if (!choice) break;
      for (let c = 0; c < cl.count; c++) if (choice.only[c]) depthOf[c] = depthAfter(c, choice.factor);
      nodes = nodesOf();
      if (nodes > maxNodes) break;
    }
    const t0 = now();
    const built = build(cl, lim, depthOf);
    const res = solver.solve(built.problem, { method: 'ipm', crossover: false, timeLimitS: left });
    timed.push({ nodes, seconds: (now() - t0) / 1000 });
    if (!res.rowDual || res.rowDual.length !== built.problem.numRows) break;
    // Valid whatever the solver's status; a stopped solve just gives a weaker (possibly useless) value.
    const lb = certifiedBound(cl, lim, built, res.rowDual);
    o.onSolve?.({ nodes, seconds: timed[timed.length - 1].seconds, bound: lb, status: res.status });
    if (lb > best) best = lb;
    if (res.status !== 'optimal') break;
    rounds++;
    for (let s = 0; s < S; s++) y[s] = res.colValue[s];
    cutClasses = [];
    for (let c = 0; c < cl.count; c++) {
      const d = built.depth[c];
      if (d >= cl.len[c]) continue;
      const served = d > 0 ? res.colValue[S + built.last[c]] : 0;
      if (1 - served > 1e-6) {
        cutClasses.push(c);
        unserved[c] = (1 - served) * cl.weight[c];
      }
    }
    if (cutClasses.length === 0) {
      complete = true;
      break;
    }
  }
  return { lowerBound: best, y, rounds, complete };
}
