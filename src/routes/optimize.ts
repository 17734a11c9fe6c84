/**
 * Solvers for the assignment model in `model.ts`.
 *
 * - `milp`: the exact model as a MILP in HiGHS (binary x_ij per prefix and
 *   provider with a route, one overage column per provider). For small
 *   instances; the gap is HiGHS's.
 * - `lp`: the LP relaxation in HiGHS, rounded (each prefix to its largest
 *   x_ij), repaired to fit capacity, improved by local search; the gap is to
 *   the LP optimum, a lower bound on the integer optimum.
 * - `lagrange`: for full tables. Only the capacity/commit rows and the
 *   max-changes row couple prefixes, so we price them: one multiplier per
 *   provider (on load) and one on the number of moves; for given prices every
 *   prefix independently takes its cheapest option and every provider its
 *   best load, which gives a lower bound (the LP bound, once the subgradient
 *   ascent converges). Primal plans come from the priced choices, repaired and
 *   improved as above; finally the busiest prefixes are re-solved as a MILP
 *   with all others fixed (`polishTop`).
 *
 * Every plan only ever uses options (i, j) where j has a route for i: a plan
 * that leaves a prefix without a route cannot be expressed. Pure: the solver
 * is passed in.
 */
import type { LinearProblem, Solver } from '../solver/solver.js';
import { evaluate, isMove, moneyCost, type Instance } from './model.js';

export type Method = 'auto' | 'milp' | 'lp' | 'lagrange';

export interface OptimizeOptions {
  method?: Method;
  /** HiGHS time limit (s) for milp/lp. */
  timeLimitS?: number;
  /** auto: largest number of (prefix, provider) options solved as MILP. */
  milpMaxOptions?: number;
  /** auto: largest number of options solved as LP in HiGHS. */
  lpMaxOptions?: number;
  /** lagrange: iterations of subgradient ascent. */
  iterations?: number;
  /** lagrange: re-solve the this many busiest prefixes exactly (MILP, the rest fixed); 0 = off. Default 1,000. */
  polishTop?: number;
  /** Time limit (s) for that MILP. Default 10. */
  polishTimeLimitS?: number;
}

export interface OptimizeResult {
  method: Exclude<Method, 'auto'>;
  status: 'optimal' | 'feasible' | 'infeasible';
  assign: Int32Array;
  objective: number;
  /** Lower bound on the optimum (LP or Lagrangian bound; MILP dual bound). */
  bound: number;
  /** (objective - bound) / |objective|. */
  gap: number;
  loads: Float64Array;
  moves: number;
  notes: string[];
}

function countOptions(inst: Instance): number {
  let k = 0;
  for (let a = 0; a < inst.allowed.length; a++) k += inst.allowed[a];
  return k;
}

/** Marginal change of the weighted money cost of provider j when its load goes from L to L + d. */
function moneyDelta(inst: Instance, j: number, L: number, d: number): number {
  const p = inst.providers[j];
  return inst.weightUsd * (moneyCost(p, L + d) - moneyCost(p, L));
}

/** Cheapest option per prefix ignoring coupling. */
function greedyAssign(inst: Instance, price?: Float64Array, nu = 0): Int32Array {
  const { n, m } = inst;
  const assign = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestV = Infinity;
    const p = inst.loadMbps[i];
    for (let j = 0; j < m; j++) {
      const c = inst.cost[i * m + j];
      if (c === Infinity) continue;
      const v = c + (price ? price[j] * p : 0) + (nu > 0 && isMove(inst, i, j) ? nu : 0);
      if (v < bestV) {
        bestV = v;
        best = j;
      }
    }
    assign[i] = best;
  }
  return assign;
}

/** Move prefixes off overloaded providers, cheapest regret per Mbps first. Returns false when impossible. */
export function repairCapacity(inst: Instance, assign: Int32Array, loads: Float64Array): boolean {
  const { n, m } = inst;
  for (let j = 0; j < m; j++) {
    if (loads[j] <= inst.usable[j]) continue;
    const cands: number[] = [];
    for (let i = 0; i < n; i++) if (assign[i] === j && inst.loadMbps[i] > 0) cands.push(i);
    const regret = new Map<number, number>();
    for (const i of cands) {
      let best = Infinity;
      for (let k = 0; k < m; k++) {
        if (k === j || !inst.allowed[i * m + k]) continue;
        const d = inst.cost[i * m + k] - inst.cost[i * m + j];
        if (d < best) best = d;
      }
      regret.set(i, best / inst.loadMbps[i]);
    }
    // Prefixes whose move max_changes does not count go first (no current provider, a lost route,
    // or already moved); then the cheapest regret per Mbps.
    const counts = (i: number) => (inst.current[i] === j ? 1 : 0);
    cands.sort((a, b) => counts(a) - counts(b) || regret.get(a)! - regret.get(b)! || a - b);
    for (const i of cands) {
      if (loads[j] <= inst.usable[j]) break;
      const p = inst.loadMbps[i];
      let best = -1;
      let bestV = Infinity;
      for (let k = 0; k < m; k++) {
        if (k === j || !inst.allowed[i * m + k] || loads[k] + p > inst.usable[k]) continue;
        const v = inst.cost[i * m + k] + moneyDelta(inst, k, loads[k], p);
        if (v < bestV) {
          bestV = v;
          best = k;
        }
      }
      if (best < 0) continue;
      assign[i] = best;
      loads[j] -= p;
      loads[best] += p;
    }
    if (loads[j] > inst.usable[j] * (1 + 1e-9) + 1e-9) return false;
  }
  return true;
}

/** Undo the least valuable optional moves until at most maxChanges remain. Returns false when impossible. */
export function enforceMaxChanges(inst: Instance, assign: Int32Array, loads: Float64Array): boolean {
  const { n, m } = inst;
  const moved: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    if (!isMove(inst, i, assign[i])) continue;
    const c = inst.current[i];
    const j = assign[i];
    const gain = inst.cost[i * m + c] - inst.cost[i * m + j];
    moved.push([i, gain]);
  }
  if (moved.length <= inst.maxChanges) return true;
  moved.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  let excess = moved.length - inst.maxChanges;
  for (const [i] of moved) {
    if (excess <= 0) break;
    const c = inst.current[i];
    const j = assign[i];
    const p = inst.loadMbps[i];
    if (loads[c] + p > inst.usable[c]) continue;
    assign[i] = c;
    loads[j] -= p;
    loads[c] += p;
    excess--;
  }
  return excess <= 0;
}

/** First-improvement local search over single-prefix moves, keeping capacity and max-changes. */
export function localSearch(inst: Instance, assign: Int32Array, loads: Float64Array, passes = 4): void {
  const { n, m } = inst;
  let moves = 0;
  for (let i = 0; i < n; i++) if (isMove(inst, i, assign[i])) moves++;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => inst.meanMbps[b] - inst.meanMbps[a] || a - b);
  for (let pass = 0; pass < passes; pass++) {
    let improved = false;
    for (const i of order) {
      const a = assign[i];
      const p = inst.loadMbps[i];
      const base = inst.cost[i * m + a] + moneyDelta(inst, a, loads[a] - p, p);
      let best = a;
      let bestV = base - 1e-9 * Math.max(1, Math.abs(base));
      for (let k = 0; k < m; k++) {
        if (k === a || !inst.allowed[i * m + k] || loads[k] + p > inst.usable[k]) continue;
        const dMoves = (isMove(inst, i, k) ? 1 : 0) - (isMove(inst, i, a) ? 1 : 0);
        if (dMoves > 0 && moves + dMoves > inst.maxChanges) continue;
        const v = inst.cost[i * m + k] + moneyDelta(inst, k, loads[k], p);
        if (v < bestV) {
          bestV = v;
          best = k;
        }
      }
      if (best !== a) {
        moves += (isMove(inst, i, best) ? 1 : 0) - (isMove(inst, i, a) ? 1 : 0);
        assign[i] = best;
        loads[a] -= p;
        loads[best] += p;
        improved = true;
      }
    }
    if (!improved) break;
  }
}

/** Repair a candidate to fit capacity and max-changes, then improve it (or report why not). */
function repairAndImprove(inst: Instance, assign: Int32Array): { ok: boolean; why?: string } {
  const loads = evaluate(inst, assign).loads;
  if (!repairCapacity(inst, assign, loads)) return { ok: false, why: 'no assignment found that fits every provider within its usable capacity' };
  if (!enforceMaxChanges(inst, assign, loads)) return { ok: false, why: `the moves needed to fit capacity exceed max_changes (${inst.maxChanges})` };
  localSearch(inst, assign, loads);
  return { ok: true };
}

/**
 * Every prefix on its current provider where that still has a route, the others (moves a lost
 * route forces, which max_changes does not count) on their cheapest option: the start that needs
 * the fewest moves.
 */
function stayAssign(inst: Instance): Int32Array {
  const assign = greedyAssign(inst);
  for (let i = 0; i < inst.n; i++) if (inst.current[i] >= 0) assign[i] = inst.current[i];
  return assign;
}

/**
 * Round/repair/improve a candidate assignment into a feasible plan (or report why not). When the
 * candidate cannot be repaired (the repair's moves exceed max_changes, say, after a link failure),
 * the plan that stays put is repaired instead: a plan with few moves to spare is often only
 * reachable from there.
 */
function finish(inst: Instance, assign: Int32Array): { ok: boolean; why?: string } {
  const cand = assign.slice();
  const first = repairAndImprove(inst, cand);
  if (first.ok) {
    assign.set(cand);
    return first;
  }
  const stay = stayAssign(inst);
  if (repairAndImprove(inst, stay).ok) {
    assign.set(stay);
    return { ok: true };
  }
  return first;
}

/** Build the MILP/LP in typed arrays. Columns: options (i, j) with a route, then one overage column per provider. */
function buildProblem(inst: Instance, integer: boolean): { problem: LinearProblem; optI: Int32Array; optJ: Int32Array } {
  const { n, m } = inst;
  const K = countOptions(inst);
  const optI = new Int32Array(K);
  const optJ = new Int32Array(K);
  let k = 0;
  let movable = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++)
      if (inst.allowed[i * m + j]) {
        optI[k] = i;
        optJ[k] = j;
        if (isMove(inst, i, j)) movable++;
        k++;
      }
  const changeRow = Number.isFinite(inst.maxChanges) && movable > inst.maxChanges;
  const numRows = n + 2 * m + (changeRow ? 1 : 0);
  const numCols = K + m;
  const starts = new Int32Array(numCols + 1);
  const nnz = K * 3 + movable + m;
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  const colCost = new Float64Array(numCols);
  const colLower = new Float64Array(numCols);
  const colUpper = new Float64Array(numCols);
  let e = 0;
  for (let c = 0; c < K; c++) {
    const i = optI[c];
    const j = optJ[c];
    starts[c] = e;
    colCost[c] = inst.cost[i * m + j];
    colUpper[c] = 1;
    indices[e] = i;
    values[e++] = 1;
    indices[e] = n + j;
    values[e++] = inst.loadMbps[i];
    indices[e] = n + m + j;
    values[e++] = inst.loadMbps[i];
    if (changeRow && isMove(inst, i, j)) {
      indices[e] = n + 2 * m;
      values[e++] = 1;
    }
  }
  let offset = 0;
  for (let j = 0; j < m; j++) {
    const c = K + j;
    starts[c] = e;
    const p = inst.providers[j];
    colCost[c] = inst.weightUsd * p.overagePricePerMbps;
    colUpper[c] = Infinity;
    indices[e] = n + m + j;
    values[e++] = -1;
    offset += inst.weightUsd * p.pricePerMbps * p.commitMbps;
  }
  starts[numCols] = e;
  const rowLower = new Float64Array(numRows);
  const rowUpper = new Float64Array(numRows);
  for (let i = 0; i < n; i++) {
    rowLower[i] = 1;
    rowUpper[i] = 1;
  }
  for (let j = 0; j < m; j++) {
    rowLower[n + j] = -Infinity;
    rowUpper[n + j] = inst.usable[j];
    rowLower[n + m + j] = -Infinity;
    rowUpper[n + m + j] = inst.providers[j].commitMbps;
  }
  if (changeRow) {
    rowLower[n + 2 * m] = -Infinity;
    rowUpper[n + 2 * m] = inst.maxChanges;
  }
  const problem: LinearProblem = {
    numCols,
    numRows,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    matrix: { format: 'csc', starts, indices: indices.subarray(0, e), values: values.subarray(0, e) },
    offset,
  };
  if (integer) {
    const integrality = new Int32Array(numCols);
    integrality.fill(1, 0, K);
    problem.integrality = integrality;
  }
  return { problem, optI, optJ };
}

function result(inst: Instance, method: OptimizeResult['method'], assign: Int32Array, bound: number, notes: string[], proven = false): OptimizeResult {
  const ev = evaluate(inst, assign);
  if (ev.noRoute > 0) throw new Error(`internal: plan assigns ${ev.noRoute} prefixes to providers without a route`);
  const gap = Number.isFinite(bound) ? Math.max(0, (ev.objective - bound) / Math.max(Math.abs(ev.objective), 1e-9)) : NaN;
  const feasible = ev.overloaded.length === 0 && ev.moves <= inst.maxChanges;
  return {
    method,
    status: !feasible ? 'infeasible' : proven || gap <= 1e-6 ? 'optimal' : 'feasible',
    assign,
    objective: ev.objective,
    bound,
    gap,
    loads: ev.loads,
    moves: ev.moves,
    notes,
  };
}

function infeasible(inst: Instance, method: OptimizeResult['method'], why: string): OptimizeResult {
  const assign = greedyAssign(inst);
  const r = result(inst, method, assign, NaN, [why]);
  return { ...r, status: 'infeasible' };
}

async function solveWithHighs(inst: Instance, solver: Solver, integer: boolean, opts: OptimizeOptions): Promise<OptimizeResult> {
  const method = integer ? 'milp' : 'lp';
  const { problem, optI, optJ } = buildProblem(inst, integer);
  let r;
  try {
    r = solver.solve(problem, { timeLimitS: opts.timeLimitS, mipRelGap: integer ? 1e-6 : undefined });
  } catch (err) {
    // The WebAssembly build aborts past 2 GB (about 200,000 prefixes x 8 providers as an LP).
    const fallback = solveLagrange(inst, opts);
    fallback.notes.unshift(`HiGHS failed on ${problem.numCols.toLocaleString('en-US')} columns (${String((err as Error)?.message ?? err).slice(0, 240)}); solved with the Lagrangian method instead`);
    return fallback;
  }
  if (r.status === 'infeasible') return infeasible(inst, method, 'the model is infeasible: the traffic does not fit the usable capacity (headroom x capacity) with the routes available, or not within max_changes');
  if (r.colValue.length === 0) {
    // Stopped (time limit) without a solution: that proves nothing about feasibility.
    const fallback = solveLagrange(inst, opts);
    fallback.notes.unshift(`HiGHS returned no solution (${r.status}); solved with the Lagrangian method instead`);
    return fallback;
  }
  const assign = new Int32Array(inst.n).fill(-1);
  const best = new Float64Array(inst.n).fill(-1);
  for (let c = 0; c < optI.length; c++) {
    const v = r.colValue[c];
    if (v > best[optI[c]]) {
      best[optI[c]] = v;
      assign[optI[c]] = optJ[c];
    }
  }
  if (integer) {
    const bound = r.bound ?? r.objective;
    const notes = r.status === 'optimal' ? [] : [`HiGHS stopped (${r.status}) before proving optimality`];
    const res = result(inst, 'milp', assign, bound, notes, r.status === 'optimal');
    if (res.status !== 'infeasible') return res;
  }
  const fin = finish(inst, assign);
  if (!fin.ok) {
    // HiGHS found the relaxation feasible, so a plan may well exist: the Lagrangian method tries
    // many more candidates before giving up.
    const fallback = solveLagrange(inst, opts);
    if (fallback.status !== 'infeasible') {
      fallback.notes.unshift(`the ${method === 'lp' ? 'LP' : 'MILP'} solution could not be repaired (${fin.why}); solved with the Lagrangian method instead`);
      return fallback;
    }
    return infeasible(inst, method, fin.why!);
  }
  return result(inst, method, assign, r.objective, integer ? ['MILP solution needed repair'] : []);
}

/** Subgradient ascent on the Lagrangian dual with priced capacity/commit and moves. */
export function solveLagrange(inst: Instance, opts: OptimizeOptions = {}): OptimizeResult {
  const { n, m } = inst;
  const iterations = opts.iterations ?? 300;
  const price = new Float64Array(m);
  let nu = 0;
  const limitMoves = Number.isFinite(inst.maxChanges);
  let bestAssign = greedyAssign(inst);
  let fin = finish(inst, bestAssign);
  let UB = fin.ok ? evaluate(inst, bestAssign).objective : Infinity;
  let LB = -Infinity;
  let theta = 1;
  let stall = 0;
  const usage = new Float64Array(m);
  const Lstar = new Float64Array(m);
  let loadScale = 0;
  for (let i = 0; i < n; i++) loadScale += inst.loadMbps[i];
  loadScale = n > 0 && loadScale > 0 ? loadScale / n : 1;
  const choice = new Int32Array(n);
  for (let it = 0; it < iterations; it++) {
    usage.fill(0);
    let moves = 0;
    let g = 0;
    for (let i = 0; i < n; i++) {
      const p = inst.loadMbps[i];
      let best = -1;
      let bestV = Infinity;
      for (let j = 0; j < m; j++) {
        const c = inst.cost[i * m + j];
        if (c === Infinity) continue;
        const v = c + price[j] * p + (nu > 0 && isMove(inst, i, j) ? nu : 0);
        if (v < bestV) {
          bestV = v;
          best = j;
        }
      }
      choice[i] = best;
      usage[best] += p;
      if (isMove(inst, i, best)) moves++;
      g += bestV;
    }
    for (let j = 0; j < m; j++) {
      const pr = inst.providers[j];
      const cap = inst.usable[j];
      const f = (L: number) => inst.weightUsd * moneyCost(pr, L) - price[j] * L;
      let L = 0;
      let v = f(0);
      for (const cand of [Math.min(pr.commitMbps, cap), cap]) {
        const fv = f(cand);
        if (fv < v) {
          v = fv;
          L = cand;
        }
      }
      Lstar[j] = L;
      g += v;
    }
    if (limitMoves) g -= nu * inst.maxChanges;
    if (LB === -Infinity || g > LB + 1e-9 * Math.abs(LB)) {
      LB = g;
      stall = 0;
    } else if (++stall >= 15) {
      theta /= 2;
      stall = 0;
    }
    if (it % 20 === 19 || it === iterations - 1) {
      const cand = choice.slice();
      const f2 = finish(inst, cand);
      if (f2.ok) {
        const obj = evaluate(inst, cand).objective;
        if (obj < UB) {
          UB = obj;
          bestAssign = cand;
          fin = f2;
        }
      }
    }
    let norm = 0;
    const s = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      s[j] = usage[j] - Lstar[j];
      norm += s[j] * s[j];
    }
    // The moves row is scaled to Mbps (x mean load) so that one step size suits every multiplier.
    const sNu = limitMoves ? (moves - inst.maxChanges) * loadScale : 0;
    if (limitMoves && (nu > 0 || sNu > 0)) norm += sNu * sNu;
    if (norm === 0) break;
    if (Number.isFinite(UB) && (UB - LB) <= 1e-7 * Math.abs(UB)) break;
    if (theta < 1e-5) break;
    const target = Number.isFinite(UB) ? Math.max(UB - g, 1e-6 * Math.abs(UB)) : Math.max(1, Math.abs(g) * 0.05);
    const step = (theta * target) / norm;
    for (let j = 0; j < m; j++) price[j] += step * s[j];
    if (limitMoves) nu = Math.max(0, nu + step * sNu * loadScale);
  }
  if (!Number.isFinite(UB)) return infeasible(inst, 'lagrange', fin.why ?? 'no feasible plan found');
  return result(inst, 'lagrange', bestAssign, LB, []);
}

/**
 * Re-solve the K busiest prefixes exactly with every other prefix fixed: a
 * MILP over the residual capacity, commit and move budget, started from the
 * current plan. Adopted only when it improves the whole objective.
 */
export function polishTop(inst: Instance, base: OptimizeResult, solver: Solver, K: number, timeLimitS: number): OptimizeResult {
  const { n, m } = inst;
  if (n <= K) return base;
  const top = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => inst.meanMbps[b] - inst.meanMbps[a] || a - b)
    .slice(0, K);
  const inTop = new Uint8Array(n);
  for (const i of top) inTop[i] = 1;
  const fixedLoad = new Float64Array(m);
  let fixedMoves = 0;
  for (let i = 0; i < n; i++) {
    if (inTop[i]) continue;
    fixedLoad[base.assign[i]] += inst.loadMbps[i];
    if (isMove(inst, i, base.assign[i])) fixedMoves++;
  }
  const pick = <T extends Float64Array | Uint8Array | Int32Array>(a: T, width: number): T => {
    const out = new (a.constructor as new (len: number) => T)(K * width);
    top.forEach((i, k) => out.set(a.subarray(i * width, i * width + width), k * width));
    return out;
  };
  const sub: Instance = {
    ...inst,
    n: K,
    prefixes: top.map((i) => inst.prefixes[i]),
    meanMbps: pick(inst.meanMbps, 1),
    loadMbps: pick(inst.loadMbps, 1),
    allowed: pick(inst.allowed, m),
    rtt: pick(inst.rtt, m),
    loss: pick(inst.loss, m),
    jitter: pick(inst.jitter, m),
    perf: pick(inst.perf, m),
    cost: pick(inst.cost, m),
    current: pick(inst.current, 1),
    currentGiven: pick(inst.currentGiven, 1),
    bgp: pick(inst.bgp, 1),
    // Residuals: the fixed prefixes' load counts against capacity and commit.
    usable: Float64Array.from(inst.usable, (u, j) => u - fixedLoad[j]),
    providers: inst.providers.map((p, j) => ({ ...p, commitMbps: p.commitMbps - fixedLoad[j] })),
    maxChanges: inst.maxChanges - fixedMoves,
  };
  const { problem, optI, optJ } = buildProblem(sub, true);
  // MIP start: the current plan for the top prefixes, overage columns at their implied values.
  const start = new Float64Array(problem.numCols);
  const subLoad = new Float64Array(m);
  for (let c = 0; c < optI.length; c++) {
    if (base.assign[top[optI[c]]] === optJ[c]) {
      start[c] = 1;
      subLoad[optJ[c]] += sub.loadMbps[optI[c]];
    }
  }
  for (let j = 0; j < m; j++) start[optI.length + j] = Math.max(0, subLoad[j] - sub.providers[j].commitMbps);
  let r;
  try {
    r = solver.solve(problem, { timeLimitS, mipRelGap: 1e-6, start });
  } catch {
    return base;
  }
  if (r.colValue.length === 0) return base;
  const assign = base.assign.slice();
  for (let c = 0; c < optI.length; c++) if (r.colValue[c] > 0.5) assign[top[optI[c]]] = optJ[c];
  const ev = evaluate(inst, assign);
  if (ev.noRoute > 0 || ev.overloaded.length > 0 || ev.moves > inst.maxChanges || ev.objective >= base.objective) return base;
  return result(inst, 'lagrange', assign, base.bound, [...base.notes, `the ${K.toLocaleString('en-US')} busiest prefixes re-solved exactly (MILP, ${r.status})`]);
}

export async function optimizeRoutes(inst: Instance, solver: (() => Promise<Solver>) | undefined, opts: OptimizeOptions = {}): Promise<OptimizeResult> {
  if (inst.n === 0) return result(inst, 'lagrange', new Int32Array(0), 0, [], true);
  let method = opts.method ?? 'auto';
  if (method === 'auto') {
    const K = countOptions(inst);
    method = K <= (opts.milpMaxOptions ?? 4000) ? 'milp' : K <= (opts.lpMaxOptions ?? 200_000) ? 'lp' : 'lagrange';
    if (!solver && method !== 'lagrange') method = 'lagrange';
  }
  if (method === 'lagrange') {
    const r = solveLagrange(inst, opts);
    const K = opts.polishTop ?? 1000;
    if (!solver || K <= 0 || r.status === 'infeasible' || r.status === 'optimal') return r;
    return polishTop(inst, r, await solver(), K, opts.polishTimeLimitS ?? 10);
  }
  if (!solver) throw new Error(`internal: method ${method} needs a solver`);
  return solveWithHighs(inst, await solver(), method === 'milp', opts);
}
