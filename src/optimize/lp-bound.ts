/**
 * The LP lower bound for site selection past the exact search's reach: the
 * linear relaxation of the closest-assignment formulation on the sets of
 * sites that begin the orders, solved by the solver (HiGHS, interior point)
 * and certified from its duals, so the bound never rests on the solver's
 * tolerances.
 *
 * Per node v (the set of sites of an order prefix some class has; s a site
 * of the set and u the node of the set without s, when there is one):
 *
 *   F_v = share of the classes under v served within the set  (0 <= F <= 1)
 *   F_v - F_u >= 0                      (no negative service)
 *   F_v - F_u <= y_s                    (only announcing sites serve)   (A)
 *   F_v >= y_{s_v}                      (an announcing site is used or a
 *                                         preferred one is; s_v the last
 *                                         site of the prefix)            (B)
 *   min <= sum_s y_s <= max, required / excluded fixed
 *   minimise sum_c [ sum_j cost_cj (F_cj - F_c,j-1) + beyond_c (1 - F_c,last) ]
 *
 * where F_cj is the F of the set of class c's first j sites. In an integral
 * solution a class is served within a prefix exactly when one of its sites
 * announces, which depends on the set alone, so one F per set (rather than
 * per class and position, the plain cumulative form of the SPLPO relaxation
 * of `milp.ts`, or per order prefix, the trie) is still a relaxation. It is a
 * tighter one: prefixes with the same sites in another order share one F,
 * and every set gets rows A and monotone from each parent set present, which
 * ties the classes' orders together. Measured: on the 15- and 24-site twins
 * it equals the optimum (108.12 and 100.25 ms; one F per trie node gave 106.37
 * and 97.82); on the 200-site twin, orders cut at 40 sites, 82.8 ms against
 * 77.62 for the whole trie LP (best plan 83.70), and cut at 60 it meets that
 * plan. On clustered synthetic orders, where few prefixes share their sites,
 * it equals the trie LP and is smaller.
 *
 * Orders are cut at a depth per class: the share past the cut goes to
 * `beyond_c`, the cheapest cost past the cut (or the unreached cost), plus
 * the tail levels (TAIL_LEVELS: more while the cheapest remaining sites are
 * closed), which is a relaxation; classes the LP sends past their cut are
 * deepened and the LP solved again while time remains.
 *
 * Certificate: relaxing rows A, B, the monotone rows of the further parent
 * sets and the tail rows with multipliers >= 0 (taken from the solver's row duals, clamped)
 * leaves a linear function of F over "F in [0, 1], non-decreasing down the
 * tree of first parents" (minimised at a 0/1 point, bottom-up) and, for the
 * sites, min over y of sum_s y_s (sum b - sum a) within the size limits.
 * Every multiplier >= 0 gives a valid lower bound this way (weak duality), so
 * an inexact or stopped solve still yields a correct, if weaker, bound.
 */
import { CutPool } from './lp-cuts.js';
import { RowBuilder, SolverAbortedError, type LinearProblem, type Solver } from '../solver/solver.js';
import type { Classes } from './instance.js';
import type { SizeLimits } from './heuristic.js';
import { cheapestSites } from './lagrangian.js';

export interface LpBoundOptions {
  /** First cut depth, for all classes or per class (default 20, or 6 under a time limit; a uniform one is made shallower while its LP is too big). */
  depth?: number | Int32Array;
  /** Seconds the solver may use in all (default unlimited). */
  timeLimitS?: number;
  /** Most solves (deepening rounds), default 4, or 12 under a time limit. */
  rounds?: number;
  /** Nodes (prefix sets) above which the LP is not tried or deepened (memory: 600k nodes took the process to 2.4 GB; default 400k). */
  maxNodes?: number;
  now?: () => number;
  /** Called after each solve: its nodes, seconds, certified bound and solver status. */
  onSolve?: (info: { nodes: number; seconds: number; bound: number; status: string; y?: Float64Array }) => void;
  /** Told when the solver aborts for want of memory (the bound then rests on the solves before). */
  onNote?: (note: string) => void;
  /** Pairwise cuts between classes (lp-cuts.ts), separated after each solve; default on. */
  cuts?: boolean;
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

/** The LP on the order's prefix sets cut at `depth[c]` per class; node v's column is S + v. */
export interface Built {
  problem: LinearProblem;
  depth: Int32Array;
  /** Per class: its node at its cut depth (-1 when the class has depth 0). */
  last: Int32Array;
  /** Per class c: the nodes of its prefixes of length 1 .. depth[c], at pathStart[c] ... */
  path: Int32Array;
  pathStart: Int32Array;
  /**
   * Per node: tree parent (the prefix one shorter of the class that first reached the node; -1 at
   * depth 0) and the site that parent lacks. Parents come before their children. Node
   * coefficients are problem.colCost[S + v].
   */
  parent: Int32Array;
  site: Uint16Array;
  /** Further parents: node extraNode[e] without site extraSite[e] is node extraParent[e] (their rows follow the nodes' own). */
  extraNode: Int32Array;
  extraParent: Int32Array;
  extraSite: Uint16Array;
  /**
   * Tail levels (columns S + nodes + i, rows after the further parents'): the cut prefix's node on
   * a class's first level, -1 on the levels after it; and each level's site.
   */
  tailNode: Int32Array;
  tailSite: Uint16Array;
  /** Rows of the pairwise cuts (lp-cuts.ts): `cutRows` of them from row `cutFirst`, after the tail rows. */
  cutFirst: number;
  cutRows: number;
}

/**
 * Keys of site sets: the XOR of a random 53-bit code per site (a 21-bit and a 32-bit half, so the
 * arithmetic stays exact), so a prefix's key follows from its parent's in one step and removing a
 * site is one more XOR. Equal keys are checked against the actual sites before two prefixes merge.
 */
export class SetCodes {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  constructor(S: number) {
    this.hi = new Uint32Array(S);
    this.lo = new Uint32Array(S);
    let x = 0x9e3779b9;
    const next = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    for (let s = 0; s < S; s++) {
      this.hi[s] = next() & 0x1fffff;
      this.lo[s] = next();
    }
  }
  key(hi: number, lo: number): number {
    return hi * 4294967296 + lo;
  }
}

/**
 * Distinct prefix sets (the LP's columns beyond the sites) for per-class depths `depth(c)`, by key
 * alone: an estimate for planning solves. Counting stops past `limit` (the answer is then some
 * number above it): sizing a solve tries depths up to the longest order, and on orders that share
 * nothing (random ones, 100,000 classes) a full count there held tens of millions of keys.
 */
export function setNodes(cl: Classes, codes: SetCodes, depth: (c: number) => number, limit: number): number {
  const seen = new Set<number>();
  for (let c = 0; c < cl.count; c++) {
    const base = c * cl.S;
    const d = Math.min(cl.len[c], depth(c));
    let hi = 0;
    let lo = 0;
    for (let j = 0; j < d; j++) {
      const s = cl.order[base + j];
      hi ^= codes.hi[s];
      lo = (lo ^ codes.lo[s]) >>> 0;
      seen.add(codes.key(hi, lo));
    }
    if (seen.size > limit) break;
  }
  return seen.size;
}

/**
 * In an integral solution the share of a class served within a prefix of its order depends only on
 * the set of sites in that prefix (served iff one of them announces), so the LP takes one F per
 * distinct prefix set: classes that share a prefix share its F (the order trie), and so do prefixes
 * that hold the same sites in another order (a then b, or b then a). Each set node gets rows A and
 * monotone for every parent set present (itself without one site), not only the one its first
 * prefix came from, which ties the classes together.
 */
export function build(cl: Classes, lim: SizeLimits, depthOf: Int32Array, cuts?: CutPool): Built {
  const S = cl.S;
  const C = cl.count;
  const codes = new SetCodes(S);
  const depth = new Int32Array(C);
  const last = new Int32Array(C).fill(-1);
  // Nodes: at most the sum of the depths.
  let cap = 0;
  for (let c = 0; c < C; c++) {
    depth[c] = Math.min(cl.len[c], depthOf[c]);
    cap += depth[c];
  }
  const paths = new Int32Array(cap);
  const pathStart = new Int32Array(C + 1);
  for (let c = 0; c < C; c++) pathStart[c + 1] = pathStart[c] + depth[c];
  const parent = new Int32Array(cap);
  const site = new Uint16Array(cap);
  const size = new Uint16Array(cap);
  const hiOf = new Uint32Array(cap);
  const loOf = new Uint32Array(cap);
  const coef = new Float64Array(cap);
  const byKey = new Map<number, number>();
  let nodes = 0;
  // Sites of the set being checked (mark[s] === stamp), for checking a node found by its key.
  const mark = new Uint32Array(S);
  let stamp = 0;
  /** True when node v holds exactly the marked sites, `count` of them. */
  const holdsMarked = (v: number, count: number) => {
    if (size[v] !== count) return false;
    for (let x = v; x >= 0; x = parent[x]) if (mark[site[x]] !== stamp) return false;
    return true;
  };
  // Tail levels past each cut (see TAIL_LEVELS): per level its site, its cost step, and the node
  // of the class's cut prefix on a first level (-1 on later ones, which follow the level before).
  const tailNode: number[] = [];
  const tailSite: number[] = [];
  const tailCost: number[] = [];
  const rest: number[] = [];
  const addTail = (c: number, d: number, cut: number) => {
    const base = c * S;
    rest.length = 0;
    for (let j = d; j < cl.len[c]; j++) rest.push(j);
    rest.sort((x, y) => cl.cost[base + x] - cl.cost[base + y] || x - y);
    // The sorted costs past the cut, ending at the unreached cost (every site past it costs more).
    const costAt = (k: number) => (k < rest.length ? Math.min(cl.cost[base + rest[k]], cl.tail[c]) : cl.tail[c]);
    for (let k = 0; k < TAIL_LEVELS && k < rest.length; k++) {
      const step = costAt(k + 1) - costAt(k);
      if (!(step > 0) || cl.cost[base + rest[k]] >= cl.tail[c]) break;
      tailNode.push(k === 0 ? cut : -1);
      tailSite.push(cl.order[base + rest[k]]);
      tailCost.push(step);
    }
  };
  // Constant part of the objective: every class's cost past its cut, and cl.constant.
  let constant = cl.constant;
  for (let c = 0; c < C; c++) {
    const base = c * S;
    const d = depth[c];
    stamp++;
    let hi = 0;
    let lo = 0;
    let prev = -1;
    for (let j = 0; j < d; j++) {
      const s = cl.order[base + j];
      hi ^= codes.hi[s];
      lo = (lo ^ codes.lo[s]) >>> 0;
      mark[s] = stamp;
      const key = codes.key(hi, lo);
      let v = byKey.get(key);
      // The same prefix as the node's first (the trie case), or the same sites in another order.
      if (v !== undefined && !(parent[v] === prev && site[v] === s) && !holdsMarked(v, j + 1)) v = undefined;
      if (v === undefined) {
        v = nodes++;
        parent[v] = prev;
        site[v] = s;
        size[v] = j + 1;
        hiOf[v] = hi;
        loOf[v] = lo;
        // On a true collision of keys the first node keeps the key and this one does not merge.
        if (!byKey.has(key)) byKey.set(key, v);
      }
      paths[pathStart[c] + j] = v;
      prev = v;
    }
    let b = cl.tail[c];
    for (let j = d; j < cl.len[c]; j++) if (cl.cost[base + j] < b) b = cl.cost[base + j];
    constant += b;
    // Cost = beyond + sum_j F_j (cost_j - cost_{j+1}), with cost_d = beyond.
    const at = pathStart[c];
    for (let j = 0; j < d; j++) coef[paths[at + j]] += cl.cost[base + j] - (j + 1 < d ? cl.cost[base + j + 1] : b);
    if (d > 0) last[c] = paths[at + d - 1];
    if (d > 0 && d < cl.len[c]) addTail(c, d, paths[at + d - 1]);
  }
  // Further parents: node v without one of its tree ancestors' sites, when that set is a node too.
  const extraNode: number[] = [];
  const extraParent: number[] = [];
  const extraSite: number[] = [];
  for (let v = 0; v < nodes; v++) {
    if (parent[v] < 0) continue;
    stamp++;
    for (let x = v; x >= 0; x = parent[x]) mark[site[x]] = stamp;
    for (let x = parent[v]; x >= 0; x = parent[x]) {
      const t = site[x];
      const u = byKey.get(codes.key(hiOf[v] ^ codes.hi[t], (loOf[v] ^ codes.lo[t]) >>> 0));
      if (u === undefined) continue;
      mark[t] = 0;
      const same = holdsMarked(u, size[v] - 1);
      mark[t] = stamp;
      if (!same) continue;
      extraNode.push(v);
      extraParent.push(u);
      extraSite.push(t);
    }
  }
  const E = extraNode.length;
  const L = tailNode.length;
  const numCols = S + nodes + L;
  const colCost = new Float64Array(numCols);
  const colLower = new Float64Array(numCols);
  const colUpper = new Float64Array(numCols).fill(1);
  for (let s = 0; s < S; s++) {
    if (lim.required[s]) colLower[s] = 1;
    if (lim.excluded[s]) colUpper[s] = 0;
  }
  colCost.set(coef.subarray(0, nodes), S);
  colCost.set(tailCost, S + nodes);
  const rows = new RowBuilder();
  /** Rows A (only announcing sites serve) and monotone for node v from parent set u by site s. */
  const link = (s: number, u: number, v: number) => {
    rows.put(s, -1);
    rows.put(S + u, -1);
    rows.put(S + v, 1);
    rows.end(-Infinity, 0); // A
    rows.put(S + u, -1);
    rows.put(S + v, 1);
    rows.end(0, Infinity); // monotone
  };
  for (let v = 0; v < nodes; v++) {
    const s = site[v];
    if (parent[v] < 0) {
      rows.put(s, -1);
      rows.put(S + v, 1);
      rows.end(-Infinity, 0); // A
    } else link(s, parent[v], v);
    rows.put(s, -1);
    rows.put(S + v, 1);
    rows.end(0, Infinity); // B
  }
  for (let e = 0; e < E; e++) link(extraSite[e], extraParent[e], extraNode[e]);
  // Tail levels: u_1 >= (1 - F_cut) - y_s1, u_k >= u_{k-1} - y_sk.
  for (let i = 0; i < L; i++) {
    rows.put(S + nodes + i, 1);
    rows.put(tailSite[i], 1);
    if (tailNode[i] >= 0) {
      rows.put(S + tailNode[i], 1);
      rows.end(1, Infinity);
    } else {
      rows.put(S + nodes + i - 1, -1);
      rows.end(0, Infinity);
    }
  }
  const cutFirst = rows.count;
  const cutRows = cuts ? cuts.rows({ depth, path: paths, pathStart }, numCols, rows) : 0;
  for (let s = 0; s < S; s++) rows.put(s, 1);
  rows.end(lim.minSites, lim.maxSites);
  const problem: LinearProblem = { sense: 'min', numCols, colCost, colLower, colUpper, ...rows.finish(), offset: constant };
  return {
    problem,
    depth,
    last,
    path: paths,
    pathStart,
    parent: parent.slice(0, nodes),
    site: site.slice(0, nodes),
    extraNode: Int32Array.from(extraNode),
    extraParent: Int32Array.from(extraParent),
    extraSite: Uint16Array.from(extraSite),
    tailNode: Int32Array.from(tailNode),
    tailSite: Uint16Array.from(tailSite),
    cutFirst,
    cutRows,
  };
}

/**
 * The certified bound from row duals (layout of `build`): the Lagrangian value at multipliers
 * a = max(0, -dual_A), b = max(0, dual_B) and m = max(0, dual) for the further parents' monotone
 * rows and the tail rows. What remains after relaxing those rows is a linear function of F over
 * "F in [0, 1], non-decreasing down the tree of first parents", whose minimum is at a 0/1 point:
 * per node, either everything from it down is served (the subtree's sum) or it is not (its
 * children's best), solved bottom-up (children come after their parents); each tail column in
 * [0, 1] on its own; and, for the sites, min over y of sum_s y_s pi_s within the size limits.
 */
export function certifiedBound(cl: Classes, lim: SizeLimits, built: Built, rowDual: Float64Array): number {
  const S = cl.S;
  const { parent, site, problem, extraNode, extraParent, extraSite } = built;
  const nodes = parent.length;
  // Site columns cost nothing in build; a caller relaxing further rows may have put their terms there.
  const pi = problem.colCost.slice(0, S);
  const c2 = problem.colCost.slice(S);
  /** Relaxes row A of node v (from parent set u, -1 for none, by site s). */
  const relaxA = (v: number, u: number, s: number, dual: number) => {
    const a = dual < 0 ? -dual : 0;
    pi[s] -= a;
    c2[v] += a;
    if (u >= 0) c2[u] -= a;
  };
  let r = 0;
  for (let v = 0; v < nodes; v++) {
    relaxA(v, parent[v], site[v], rowDual[r++]);
    if (parent[v] >= 0) r++; // the first parent's monotone row: kept in the subproblem
    const dB = rowDual[r++];
    const b = dB > 0 ? dB : 0;
    pi[site[v]] += b;
    c2[v] -= b;
  }
  for (let e = 0; e < extraNode.length; e++) {
    const v = extraNode[e];
    const u = extraParent[e];
    relaxA(v, u, extraSite[e], rowDual[r++]);
    const m = rowDual[r++];
    if (m > 0) {
      c2[v] -= m;
      c2[u] += m;
    }
  }
  // Tail rows (>=) relaxed with t = max(0, dual); each level's column then takes its best of 0 and 1.
  const { tailNode, tailSite } = built;
  const L = tailNode.length;
  const cu = problem.colCost.slice(S + nodes, S + nodes + L);
  let constant = problem.offset ?? 0;
  for (let i = 0; i < L; i++) {
    const d = rowDual[r++];
    const t = d > 0 ? d : 0;
    cu[i] -= t;
    pi[tailSite[i]] -= t;
    if (tailNode[i] >= 0) {
      c2[tailNode[i]] -= t;
      constant += t;
    } else cu[i - 1] += t;
  }
  for (let i = 0; i < L; i++) if (cu[i] < 0) constant += cu[i];
  // Cut rows (>= 0) relaxed with m = max(0, dual): each entry's coefficient times m comes off its column's cost.
  const { starts, indices, values } = problem.matrix;
  for (let q = built.cutFirst; q < built.cutFirst + built.cutRows; q++) {
    const d = rowDual[q];
    if (!(d > 0)) continue;
    for (let e = starts[q]; e < starts[q + 1]; e++) {
      const col = indices[e];
      if (col < S) pi[col] -= d * values[e];
      else c2[col - S] -= d * values[e];
    }
  }
  // Bottom-up: sub = subtree sum, best = best value with the node unserved.
  const sub = c2;
  const best = new Float64Array(nodes);
  let total = constant;
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
 * Growth of the solve time with the LP's columns (sites, prefix sets and tail levels), for sizing
 * the next solve to the time left: this exponent until two solves have been timed, then the one
 * they show, clamped to [MIN, MAX]. Measured with HiGHS interior point, presolve off, uniform
 * cuts: on the twin's orders at 200 x 100,000, 8.8k to 67k columns in 1.6 to 46 s (1.65 over the
 * whole range, 1.05 to 2.2 between neighbouring cuts); on clustered synthetic orders 14.5k to 43k
 * columns in 4.7 to 31 s (1.73 over the range, 0.9 to 2.8 between neighbours).
 */
const TIME_EXPONENT = 1.7;
/** Never below the whole-range value: small solves fit lower exponents (1.19 on the twin once, and its last solve, sized from that, certified nothing). */
const MIN_TIME_EXPONENT = 1.7;
const MAX_TIME_EXPONENT = 2.5;
/**
 * With only the first solve timed, a final solve more than this many times as long is too far to
 * extrapolate: an intermediate solve sized to INTERMEDIATE_SHARE of the time left comes first, and
 * the final one is sized from the two.
 */
const MAX_EXTRAPOLATION = 8;
const INTERMEDIATE_SHARE = 0.2;
/**
 * The final solve is sized to this multiple of the time left: a solve that overruns stops at the
 * limit with most of its bound (see lpBound), and the predictions ran long (on the twin the final
 * solve took 0.64 to 0.7 of its predicted time). Measured on the twin, one run each: 1.0 gave
 * 82.81 ms (gap 1.06%), 1.2 gave 83.03 (0.81%).
 */
const FINAL_OVERRUN = 1.2;
/**
 * Levels of the tail bound per cut class. Past its cut a class pays at least its cheapest
 * remaining cost c1, and more when that site is closed: with the remaining sites sorted by cost
 * (s1, s2, ...), it pays at least c1 + sum_k (c_{k+1} - c_k) u_k, u_k >= u_{k-1} - y_sk, u_0 =
 * the share past the cut, u >= 0 (for integral sites u_k is 1 exactly when the share is 1 and
 * s1..sk are all closed). Measured on the 200-site twin cut at 20: 76.31 ms without, 77.75 with
 * one level, 78.73 with two (same solve time), 79.24 with five (2.3 times slower); cut at 40:
 * 82.78 without, 82.98 with two.
 */
const TAIL_LEVELS = 2;
/**
 * Nodes above which a time-limited first solve starts shallower (clustered orders at 200 x
 * 100,000: 13k nodes at a cut of 6 solve in about 4 s; 33k at 10 in 39 s).
 */
const FIRST_SOLVE_NODES = 50_000;
/**
 * A round of cuts (same depths, more rows) is tried under a time limit when the last solve's time
 * times this fits the time left (FINAL_OVERRUN included).
 */
const CUT_ROUND_GROWTH = 1.2;
/**
 * Under a time limit, rounds of cuts at unchanged depths come before deepening while one takes at
 * most this share of the time left and the last one raised the bound by CUT_ROUND_MIN_GAIN
 * (relative) or more.
 */
const CUT_ROUND_SHARE = 0.25;
const CUT_ROUND_MIN_GAIN = 1e-3;

export function lpBound(solver: Solver, cl: Classes, lim: SizeLimits, o: LpBoundOptions = {}): LpBoundResult {
  const S = cl.S;
  const now = o.now ?? (() => performance.now());
  const started = now();
  // Without a time limit, one deep cut; with one, start shallow and deepen while the next solve is predicted to fit.
  const first = o.depth ?? (o.timeLimitS === undefined ? 20 : 6);
  const depthOf = first instanceof Int32Array ? Int32Array.from(first) : new Int32Array(cl.count).fill(first);
  const codes = new SetCodes(S);
  const maxNodes = o.maxNodes ?? 400_000;
  // Counts past maxNodes only ever mean "too big".
  const nodesOf = (depth: (c: number) => number) => setNodes(cl, codes, depth, maxNodes);
  // The LP's columns for per-class depths (the tail levels counted at most, for predicting solve times).
  const colsOf = (depth: (c: number) => number, nodes = nodesOf(depth)) => {
    let tails = 0;
    for (let c = 0; c < cl.count; c++) tails += Math.min(TAIL_LEVELS, cl.len[c] - Math.min(cl.len[c], depth(c)));
    return S + nodes + tails;
  };
  const current = (c: number) => Math.min(cl.len[c], depthOf[c]);
  let nodes = nodesOf(current);
  // A uniform first cut is made shallower while its LP is too big for a first solve (orders that
  // share no prefixes, such as random ones, have a node per class and position).
  const firstNodes = o.timeLimitS === undefined ? maxNodes : FIRST_SOLVE_NODES;
  if (typeof first === 'number') {
    while (nodes > firstNodes && depthOf[0] > 1) {
      depthOf.fill(depthOf[0] - 1);
      nodes = nodesOf(current);
    }
  }
  const y = new Float64Array(S);
  if (nodes > maxNodes) return { lowerBound: -Infinity, y, rounds: 0, complete: false };
  let best = -Infinity;
  let complete = false;
  const maxRounds = o.rounds ?? (o.timeLimitS === undefined ? 4 : 12);
  let rounds = 0;
  const timed: Array<{ cols: number; seconds: number }> = [];
  // Classes the last solve sent past their cut.
  let cutClasses: number[] = [];
  // Pairwise cuts (lp-cuts.ts): kept across solves; `fresh` = how many the last separation added.
  const pool = o.cuts === false ? undefined : new CutPool(cl);
  let fresh = 0;
  // Whether the coming (or last) solve is a round of cuts at unchanged depths, and the best bound before it.
  let cutRound = false;
  let beforeCuts = -Infinity;
  let maxLen = 0;
  for (let c = 0; c < cl.count; c++) if (cl.len[c] > maxLen) maxLen = cl.len[c];
  /** Deepens every class not yet whole as far as the time left allows; false when no deeper LP fits. */
  const deepenWithin = (left: number, last: { cols: number; seconds: number }): boolean => {
    // Under a time limit: every class not yet whole goes to depth D at least (a uniform cut
    // gave better bounds per column than deepening only the classes the last LP sent past
    // their cut: on the twin 82.88 against 82.29 ms at 44k sets), D the deepest whose solve
    // is predicted to fit the time left (or, when that is too far from the solves timed so
    // far, a share of it first). A solve that overruns stops at the limit and its certificate
    // still counts (presolve off: stopped at 71, 82 and 91% of its time, an LP of 81.97 ms
    // gave 80.96, 81.53 and 81.96).
    const deepen = new Uint8Array(cl.count);
    for (let c = 0; c < cl.count; c++) deepen[c] = current(c) < cl.len[c] ? 1 : 0;
    const before = timed[timed.length - 2];
    let exponent = TIME_EXPONENT;
    if (before && last.cols > before.cols * 1.2 && before.seconds > 0.2) {
      const fitted = Math.log(last.seconds / before.seconds) / Math.log(last.cols / before.cols);
      exponent = Math.min(MAX_TIME_EXPONENT, Math.max(MIN_TIME_EXPONENT, fitted));
    }
    const predict = (cols: number) => Math.max(last.seconds, 0.05) * Math.pow(cols / last.cols, exponent);
    const at = (D: number) => (c: number) => (deepen[c] ? Math.min(cl.len[c], Math.max(depthOf[c], D)) : current(c));
    const deepest = (budget: number) => {
      let lo = 0;
      let hi = maxLen;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        // Past the node limit counts as too big (the count stops there, so it says no more).
        const n = nodesOf(at(mid));
        if (n <= maxNodes && predict(colsOf(at(mid), n)) <= budget) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    let D = deepest(left * FINAL_OVERRUN);
    if (!before && left > last.seconds * MAX_EXTRAPOLATION) D = deepest(left * INTERMEDIATE_SHARE);
    const next = at(D);
    // Progress is the depth reached, not the columns: whole orders drop their tail columns, so
    // the whole LP can be smaller than a cut one (40 sites x 6,528 classes from a provider
    // campaign: 14.3k columns cut at 6 sites, 12.1k whole), and comparing columns kept it cut.
    let reach = 0;
    let nextReach = 0;
    for (let c = 0; c < cl.count; c++) {
      reach += current(c);
      nextReach += next(c);
    }
    if (nextReach <= reach * 1.05) return false;
    for (let c = 0; c < cl.count; c++) depthOf[c] = next(c);
    return true;
  };
  while (rounds < maxRounds) {
    const left = o.timeLimitS === undefined ? undefined : o.timeLimitS - (now() - started) / 1000;
    if (left !== undefined && left <= 0.05) break;
    const last = timed[timed.length - 1];
    if (last) {
      // Past the first solve: deepen the classes cut too short, or else solve again at the same
      // depths with the cuts the last solution violated (the loop ends before when there are neither).
      if (left === undefined) {
        // No time limit: the cut classes four times as deep.
        for (const c of cutClasses) depthOf[c] = Math.min(cl.len[c], Math.max(4, depthOf[c] * 4));
      } else {
        // Cheap rounds of cuts first, while each still gains (on clustered orders at 60 x 30,000
        // they did more than the deeper LP: see CUT_ROUND_SHARE); then deepen, the cuts riding
        // along; when nothing is left to deepen or no deeper LP fits, a last round of cuts if its
        // solve fits the time left.
        const cheap: boolean = last.seconds * CUT_ROUND_GROWTH <= left * CUT_ROUND_SHARE;
        const gaining: boolean = !cutRound || best - beforeCuts >= CUT_ROUND_MIN_GAIN * Math.abs(best);
        cutRound = fresh > 0 && cheap && gaining && timed.length >= 2;
        if (!cutRound) {
          if (cutClasses.length === 0 || !deepenWithin(left, last)) {
            if (fresh === 0 || last.seconds * CUT_ROUND_GROWTH > left * FINAL_OVERRUN) break;
            cutRound = true;
          }
        }
        if (cutRound) beforeCuts = best;
      }
      nodes = nodesOf(current);
      if (nodes > maxNodes) break;
    }
    const t0 = now();
    const cols = colsOf(current, nodes);
    const built = build(cl, lim, depthOf, pool);
    let res: ReturnType<Solver['solve']>;
    try {
      // Presolve on for the first solve (on random orders at 200 x 100,000 it makes the first cut
      // solvable in time: without it no solve ended within 50 s), off after, so a solve stopped
      // at the limit still returns its last iterate.
      res = solver.solve(built.problem, { method: 'ipm', crossover: false, presolve: timed.length === 0, timeLimitS: left });
    } catch (err) {
      // The WebAssembly solver aborts past its 2 GiB of memory: keep the bound of the solves so far.
      if (!(err instanceof SolverAbortedError)) throw err;
      o.onNote?.(`the LP bound stopped deepening: ${err.message}`);
      break;
    }
    timed.push({ cols, seconds: (now() - t0) / 1000 });
    if (!res.rowDual || res.rowDual.length !== built.problem.numRows) break;
    // Valid whatever the solver's status; a stopped solve just gives a weaker value.
    const lb = certifiedBound(cl, lim, built, res.rowDual);
    if (res.status === 'optimal') for (let s = 0; s < S; s++) y[s] = res.colValue[s];
    // The sites' values go with the report as starts for rounding (a stopped solve's too: its last
    // iterate, near the deep LP's solution when the certificate is near its value).
    const values = res.colValue.length === built.problem.numCols ? res.colValue.slice(0, S) : undefined;
    o.onSolve?.({ nodes, seconds: timed[timed.length - 1].seconds, bound: lb, status: res.status, y: values });
    if (lb > best) best = lb;
    if (res.status !== 'optimal') break;
    rounds++;
    cutClasses = [];
    for (let c = 0; c < cl.count; c++) {
      const d = built.depth[c];
      if (d >= cl.len[c]) continue;
      const served = d > 0 ? res.colValue[S + built.last[c]] : 0;
      if (1 - served > 1e-6) cutClasses.push(c);
    }
    // Cuts this solution violates, for the next solve (separation: 0.3 to 1.7 s at 5,000 classes
    // cut at 8 to 12 sites; 15 s at 100,000 random classes, so under a time limit it stops at a
    // tenth of the time left or half the last solve's time, with the cuts found so far).
    if (pool && rounds < maxRounds) {
      const from = now();
      const budgetMs = o.timeLimitS === undefined ? Infinity : 1000 * Math.min(0.1 * (o.timeLimitS - (from - started) / 1000), 0.5 * timed[timed.length - 1].seconds);
      fresh = pool.separate(built, res.colValue, () => now() - from > budgetMs);
    } else fresh = 0;
    if (cutClasses.length === 0) {
      complete = true;
      if (fresh === 0) break;
    }
  }
  return { lowerBound: best, y, rounds, complete };
}
