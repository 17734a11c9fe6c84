/**
 * Choose the announcing sites: the orchestration behind `anyopt optimize`.
 *
 * Objective `mean`: minimise the weighted mean RTT over the targets with a
 * non-empty order (those a subset leaves without a predicted RTT count at
 * `uncoveredMs`, so a plan never "improves" by losing targets; with full
 * coverage this is the predicted mean). Objective `p95`: minimise the weighted 95th percentile, where
 * targets without a predicted RTT count as above every threshold; solved
 * exactly by bisection over the RTT values, each step asking "is there a
 * subset where at most 5% of the weight is above tau?" (an additive
 * objective, so the same search answers it). Targets with an empty order
 * (unreachable whatever announces) are left out of the p95.
 *
 * Methods: `exact` is exhaustive subset sums (up to 18 free sites, and as
 * the fallback up to 24) or branch and bound (up to 30 sites), started from
 * the best heuristic plan; `heuristic` is greedy add / drop plus iterated
 * local search, with the trie and Lagrangian bounds as the proven lower
 * bound; `milp` hands the SPLPO MILP to the solver; `auto` picks exact up to
 * 30 sites. A time limit turns an unfinished search into a plan with a gap.
 * Capacities are exact in the exact search and the MILP; past 30 sites a
 * repair step moves the heuristic plan within them when it can.
 */
import type { PreferenceModel } from '../orders/model.js';
import { BranchAndBound, MAX_EXACT_SITES, trieBound } from './exact.js';
import { exhaustiveSearch, MAX_EXHAUSTIVE_FREE_SITES } from './exhaustive.js';
import { lagrangianBound } from './lagrangian.js';
import { lpBound, type LpBoundOptions } from './lp-bound.js';
import { LpWorker } from './lp-parallel.js';
import { greedyAdd, greedyByUnicast, greedyDrop, iteratedLocalSearch, localSearch, repairCapacity, type SizeLimits } from './heuristic.js';
import { buildClasses, buildTrie, classEvaluate, trieCosts, trieLoads, type Classes, type CostSpec, type OrderTrie } from './instance.js';
import { assignSubset, weightedQuantiles } from './evaluate.js';
import { solveMilp } from './milp.js';
import type { Solver } from '../solver/solver.js';
import { createRng } from '../util/random.js';

export type Objective = 'mean' | 'p95';
export type Method = 'auto' | 'exact' | 'heuristic' | 'milp';
export type BoundBy = 'search' | 'lp' | 'lagrangian' | 'trie';

export interface OptimizeOptions {
  /** Exactly this many sites. */
  k?: number;
  /** At most this many sites (ignored when k is set). */
  maxSites?: number;
  /** Site indices that must / must not announce. */
  required?: number[];
  excluded?: number[];
  /** Per site index; NaN or Infinity = unlimited. */
  capacity?: Float64Array;
  objective?: Objective;
  method?: Method;
  /** Cost of a target without a predicted RTT, ms (objective mean). */
  uncoveredMs?: number;
  /** Polled during long searches; true stops them (the plan then carries a gap). */
  shouldStop?: () => boolean;
  /** Seconds left before the caller's deadline (lets the solver-bound LP share the time); unset = no limit. */
  timeLeftS?: () => number;
  /** Needed for method `milp` (from `loadSolver()`); past 30 sites it also gives the LP lower bound. */
  solver?: Solver;
  /** Seconds the MILP solver may use (method `milp`; it cannot poll shouldStop). */
  milpTimeLimitS?: number;
  /** Progress notes ("greedy", "branch and bound", ...). */
  onPhase?: (phase: OptimizePhase) => void;
  /** After each LP solve past 30 sites: its columns, seconds, certified bound and solver status. */
  onLpSolve?: LpBoundOptions['onSolve'];
  /**
   * false keeps the LP bound on this thread (by default, under a time limit past 30 sites, it runs
   * in a worker thread); a string runs that script as the worker instead (tests: a worker that fails).
   */
  lpWorker?: boolean | string;
  /** Things the user should know about the run that are not in the result (a failed LP worker, ...). */
  onNote?: (note: string) => void;
}

export interface OptimizeResult {
  kind: 'plan';
  subset: Uint8Array;
  objective: Objective;
  method: 'exact' | 'heuristic' | 'milp';
  status: 'optimal' | 'feasible';
  /** Objective of the plan: mean ms (uncovered at uncoveredMs) or p95 ms. */
  value: number;
  /** Proven lower bound on the objective, same unit. */
  lowerBound: number;
  /** (value - lowerBound) / value; 0 when optimal. */
  gap: number;
  /** Where the lower bound comes from: the search itself (`exact`, `milp`), the LP relaxation (`lp`), the Lagrangian, or the order trie. */
  boundBy: BoundBy;
  nodes: number;
  classes: number;
  comparisons: {
    allSites: Uint8Array;
    greedyUnicast: Uint8Array;
    greedyAdd: Uint8Array;
    greedyDrop: Uint8Array;
  };
}

export interface Infeasible {
  kind: 'infeasible';
  reason: string;
  /** The site whose capacity binds hardest in the best plan without capacities. */
  site?: string;
  load?: number;
  capacity?: number;
  /** False when that plan was found but not proven best (past 30 sites, or stopped by the time limit). */
  planProven?: boolean;
}

/** Phases reported through `onPhase` (for a progress bar), in the order they can occur. */
export const OPTIMIZE_PHASES = [
  'merging orders',
  'greedy',
  'local search',
  'milp',
  'exhaustive subset sums',
  'branch and bound',
  'lp bound',
  'lagrangian bound',
  'polishing the relaxation plans',
  'randomized rounding',
  'capacity repair',
  'comparisons',
] as const;
export type OptimizePhase = (typeof OPTIMIZE_PHASES)[number];

export const DEFAULT_UNCOVERED_MS = 1000;
/** Up to this many free sites, subset sums go first (milliseconds to a second). */
const EXHAUSTIVE_FIRST = 18;
/** Branch-and-bound work (search nodes x trie nodes) before falling back to subset sums (when those apply). */
const BB_WORK_BUDGET = 2e8;
/** Randomized roundings of the LP solution polished without a time limit (each is one local search). */
const ROUNDING_TRIES = 200;
/** Under a time limit: rounding runs until the time is up, but never past this many tries (a clock that stops is not a hang). */
const MAX_ROUNDING_TRIES = 1_000_000;
/** Relative gap to the proven lower bound under which a plan past 30 sites counts as optimal. */
const PROOF_TOLERANCE = 1e-8;

/** Seconds between the end of the LP in its worker and the comparisons, for polishing its last site values into plans: a tenth of the time left, 0.5 to 2.5 s. */
function lpPolishS(leftS: number): number {
  return Math.max(0.5, Math.min(2.5, 0.1 * leftS));
}

/**
 * Seconds kept back from a time limit for the plan's comparisons (greedy-by-unicast reads every
 * RTT per added site: 0.5 to 2.6 s at 200 x 100,000).
 */
function comparisonsReserveS(model: PreferenceModel): number {
  return 2 + (model.siteIds.length * model.targetIds.length) / 1e7;
}

function toMask(subset: Uint8Array): number {
  let m = 0;
  for (let s = 0; s < subset.length; s++) if (subset[s]) m |= 1 << s;
  return m >>> 0;
}

function fromMask(S: number, mask: number): Uint8Array {
  const a = new Uint8Array(S);
  for (let s = 0; s < S; s++) a[s] = (mask >>> s) & 1;
  return a;
}

function limitsOf(S: number, o: OptimizeOptions): SizeLimits {
  const required = new Uint8Array(S);
  const excluded = new Uint8Array(S);
  for (const s of o.required ?? []) required[s] = 1;
  for (const s of o.excluded ?? []) excluded[s] = 1;
  let allowed = 0;
  for (let s = 0; s < S; s++) allowed += excluded[s] ? 0 : 1;
  const nReq = (o.required ?? []).length;
  const minSites = o.k ?? Math.max(1, nReq);
  const maxSites = o.k ?? Math.min(o.maxSites ?? allowed, allowed);
  return { minSites, maxSites, required, excluded };
}

function overload(trie: OrderTrie, model: PreferenceModel, weight: Float64Array, subset: Uint8Array, capacity: Float64Array): { site: number; load: number; ratio: number } | undefined {
  const S = model.siteIds.length;
  const costs = trieCosts(model, trie, weight, { kind: 'exceed', thresholdMs: Infinity });
  const loads = new Float64Array(S);
  if (S <= MAX_EXACT_SITES) trieLoads(trie, costs, toMask(subset), loads);
  else {
    for (let i = 0; i < trie.nodes; ) {
      if (subset[trie.site[i]]) {
        loads[trie.site[i]] += costs.load[i];
        i += trie.size[i];
      } else i++;
    }
  }
  let worst: { site: number; load: number; ratio: number } | undefined;
  for (let s = 0; s < S; s++) {
    const c = capacity[s];
    if (!subset[s] || !Number.isFinite(c) || loads[s] <= c * (1 + 1e-12)) continue;
    const ratio = c > 0 ? loads[s] / c : Infinity;
    if (!worst || ratio > worst.ratio) worst = { site: s, load: loads[s], ratio };
  }
  return worst;
}

interface SumSolve {
  subset: Uint8Array | undefined;
  cost: number;
  lowerBound: number;
  status: 'optimal' | 'feasible' | 'infeasible' | 'stopped-empty';
  nodes: number;
  boundBy?: BoundBy;
  heuristicBest: Uint8Array;
  greedyAdd: Uint8Array;
  greedyDrop: Uint8Array;
}

/** Minimise an additive cost (or, with `target`, find a subset at or below it). */
function solveSum(
  model: PreferenceModel,
  trie: OrderTrie,
  weight: Float64Array,
  spec: CostSpec,
  lim: SizeLimits,
  o: OptimizeOptions,
  exact: boolean,
  target?: number,
): SumSolve {
  const classes = buildClasses(model, trie, weight, spec);
  // Under a time limit past the exact search's reach, the LP bound runs in a worker thread from
  // the start, beside the local search and the rounding (the main thread polls it).
  const leftAtStart = o.timeLeftS?.();
  const worker =
    !exact && target === undefined && o.method !== 'milp' && o.solver && spec.kind === 'mean' && leftAtStart !== undefined && Number.isFinite(leftAtStart) && o.lpWorker !== false
      ? LpWorker.start(classes, lim, Date.now() + Math.max(0, leftAtStart - comparisonsReserveS(model) - lpPolishS(leftAtStart)) * 1000, typeof o.lpWorker === 'string' ? o.lpWorker : undefined)
      : undefined;
  try {
    return solveSumWith(model, trie, classes, weight, spec, lim, o, exact, target, worker);
  } finally {
    worker?.stop();
  }
}

function solveSumWith(
  model: PreferenceModel,
  trie: OrderTrie,
  classes: Classes,
  weight: Float64Array,
  spec: CostSpec,
  lim: SizeLimits,
  o: OptimizeOptions,
  exact: boolean,
  target: number | undefined,
  worker: LpWorker | undefined,
): SumSolve {
  const S = model.siteIds.length;
  o.onPhase?.('greedy');
  const add = greedyAdd(classes, lim);
  const drop = greedyDrop(classes, lim);
  o.onPhase?.('local search');
  const fromAdd = localSearch(classes, add.subset, lim, { shouldStop: o.shouldStop });
  const fromDrop = localSearch(classes, drop.subset, lim, { shouldStop: o.shouldStop });
  let heur = fromAdd.cost <= fromDrop.cost ? fromAdd : fromDrop;
  // Iterated local search where the plan stays heuristic or seeds branch and bound (subset sums
  // need no start); rounds scaled so it stays a small share of the work.
  let freeSites = 0;
  for (let s = 0; s < S; s++) freeSites += lim.required[s] || lim.excluded[s] ? 0 : 1;
  if (!exact || freeSites > EXHAUSTIVE_FIRST) {
    const rounds = exact ? 20 : Math.max(10, Math.min(target === undefined ? 1000 : 50, Math.floor(1e9 / Math.max(1, classes.count * S))));
    heur = iteratedLocalSearch(classes, heur, lim, { rounds, seed: 1, shouldStop: o.shouldStop, target });
  }
  const costs = trieCosts(model, trie, weight, spec);
  const capacity = o.capacity && Array.from(o.capacity).some((c) => Number.isFinite(c)) ? o.capacity : undefined;
  const base = { heuristicBest: heur.subset, greedyAdd: add.subset, greedyDrop: drop.subset };
  if (o.method === 'milp') {
    if (!o.solver) throw new Error('method milp needs a solver');
    o.onPhase?.('milp');
    const heurOk = !capacity || !overload(trie, model, weight, heur.subset, capacity);
    const r = solveMilp(o.solver, classes, lim, { capacity, start: heurOk ? heur.subset : undefined, timeLimitS: o.milpTimeLimitS });
    if (!r.subset) {
      const status = r.status === 'infeasible' ? 'infeasible' : 'stopped-empty';
      return { ...base, subset: undefined, cost: Infinity, lowerBound: r.lowerBound, status, nodes: 0 };
    }
    const cost = classEvaluate(classes, r.subset);
    return { ...base, subset: r.subset, cost, lowerBound: Math.min(r.lowerBound, cost), status: r.status === 'optimal' ? 'optimal' : 'feasible', nodes: 0 };
  }
  if (exact) {
    const heurOk = !capacity || !overload(trie, model, weight, heur.subset, capacity);
    if (target !== undefined && heurOk && heur.cost <= target * (1 + 1e-12) + 1e-12) {
      return { ...base, subset: heur.subset, cost: heur.cost, lowerBound: -Infinity, status: 'feasible', nodes: 0 };
    }
    let free = 0;
    for (let s = 0; s < S; s++) free += lim.required[s] || lim.excluded[s] ? 0 : 1;
    const exhaustive = (): SumSolve => {
      o.onPhase?.('exhaustive subset sums');
      const r = exhaustiveSearch(trie, costs, { ...lim, capacity, target, shouldStop: o.shouldStop });
      if (r.stopped) {
        // Out of time: the heuristic plan, with the root bound as the proven lower bound.
        const state = new Uint8Array(S);
        for (let s = 0; s < S; s++) state[s] = lim.required[s] ? 1 : lim.excluded[s] ? 2 : 0;
        const lb = trieBound(trie, costs, state);
        return heurOk && target === undefined
          ? { ...base, subset: heur.subset, cost: heur.cost, lowerBound: lb, status: 'feasible', nodes: 0 }
          : { ...base, subset: undefined, cost: Infinity, lowerBound: lb, status: 'stopped-empty', nodes: 0 };
      }
      const met = target === undefined || r.cost <= target * (1 + 1e-12) + 1e-12;
      return r.subset && met
        ? { ...base, subset: r.subset, cost: r.cost, lowerBound: r.cost, status: 'optimal', nodes: r.feasible }
        : { ...base, subset: undefined, cost: Infinity, lowerBound: Infinity, status: 'infeasible', nodes: 0 };
    };
    if (free <= EXHAUSTIVE_FIRST) return exhaustive();
    o.onPhase?.('branch and bound');
    const bb = new BranchAndBound(trie, costs);
    let budgetHit = false;
    const canFallBack = free <= MAX_EXHAUSTIVE_FREE_SITES;
    let polls = 0;
    const r = bb.solve({
      minSites: lim.minSites,
      maxSites: lim.maxSites,
      required: toMask(lim.required),
      excluded: toMask(lim.excluded),
      capacity,
      incumbent: heurOk && target === undefined ? { mask: toMask(heur.subset), cost: heur.cost } : undefined,
      target,
      shouldStop: () => {
        if (canFallBack && ++polls * 256 * trie.nodes > BB_WORK_BUDGET) return (budgetHit = true);
        return o.shouldStop?.() ?? false;
      },
    });
    if (budgetHit) return exhaustive();
    const subset = r.mask >= 0 ? fromMask(S, r.mask) : undefined;
    const status =
      r.status === 'optimal' || r.status === 'target-met'
        ? 'optimal'
        : r.status === 'infeasible' || r.status === 'target-unreachable'
          ? 'infeasible'
          : subset
            ? 'feasible'
            : 'stopped-empty';
    return { ...base, subset, cost: r.cost, lowerBound: r.lowerBound, status, nodes: r.nodes };
  }
  const state = new Uint8Array(S);
  for (let s = 0; s < S; s++) state[s] = lim.required[s] ? 1 : lim.excluded[s] ? 2 : 0;
  let lb = trieBound(trie, costs, state);
  let boundBy: BoundBy = 'trie';
  // The plan is proven optimal when it meets its bound; an LP bound certified from interior-point
  // duals falls short of a tight LP's value by rounding (6e-11 relative measured), hence the tolerance.
  const unproven = () => heur.cost > lb + Math.abs(lb) * PROOF_TOLERANCE + 1e-12;
  // A relaxation's site choice as a start for the local search; the result replaces the plan when better.
  const polishFrom = (start: Uint8Array, shouldStop = o.shouldStop) => {
    const polished = localSearch(classes, start, lim, { shouldStop });
    if (polished.cost < heur.cost) {
      heur = polished;
      base.heuristicBest = polished.subset;
    }
  };
  // Randomized rounding of the LP's site values, each start polished by local search: on clustered
  // orders at 200 sites this finds far better plans than perturbing one plan (iterated local search
  // stalls in one region). Every other start draws from the LP values mixed half and half with
  // the best plan so far (measured on clustered orders: better plans than drawing from the LP values alone).
  const rng = createRng(2);
  const mixed = new Float64Array(S);
  let tries = 0;
  const roundOnce = (lpY: Float64Array, stop: () => boolean) => {
    if (tries % 2 === 1) for (let s = 0; s < S; s++) mixed[s] = 0.5 * lpY[s] + 0.5 * heur.subset[s];
    const p = tries % 2 === 1 ? mixed : lpY;
    tries++;
    polishFrom(roundSites(p, lim, (s) => rng.next() < p[s]), stop);
  };
  const timeLeftS = o.timeLeftS;
  const reserveS = comparisonsReserveS(model);
  const roundingStop = () => (o.shouldStop?.() ?? false) || (timeLeftS !== undefined && timeLeftS() < reserveS);
  /** The plans from rounding an LP solution at fixed thresholds. */
  const polishThresholds = (y: Float64Array) => {
    for (const threshold of [0.5, 0.1]) {
      if (o.shouldStop?.()) break;
      polishFrom(roundSites(y, lim, (s) => y[s] >= threshold));
    }
  };
  if (target === undefined && unproven()) {
    let lpY: Float64Array | undefined;
    if (worker) {
      // The LP runs in the worker: take its bounds and site values as they come, rounding the
      // latest values into plans meanwhile, until the time is up or the plan is proven.
      o.onPhase?.('lp bound');
      let rounding = false;
      while (!roundingStop() && unproven() && tries < MAX_ROUNDING_TRIES) {
        for (const m of worker.poll()) {
          // 'done' and 'error' end the stream: every bound came with its solve. After an error the
          // bounds so far stand and the Lagrangian runs when no solve brought site values.
          if (m.kind === 'error') o.onNote?.(`the LP bound's worker thread failed (${m.message}); the plan's bound comes from the solves before it or the other relaxations`);
          if (m.kind === 'note') o.onNote?.(m.message);
          if (m.kind !== 'solve') continue;
          o.onLpSolve?.(m);
          if (m.bound > lb) {
            lb = m.bound;
            boundBy = 'lp';
          }
          if (m.y) {
            lpY = m.y;
            polishThresholds(m.y);
          }
        }
        if (!unproven()) break;
        if (!lpY) {
          if (worker.finished) break;
          worker.sleep(20);
          continue;
        }
        if (!rounding) {
          o.onPhase?.('randomized rounding');
          rounding = true;
        }
        roundOnce(lpY, roundingStop);
      }
    } else if (o.solver && spec.kind === 'mean') {
      o.onPhase?.('lp bound');
      const left = o.timeLeftS?.();
      // Most of the time left; the rest goes to rounding its site values into plans.
      const lp = lpBound(o.solver, classes, lim, { timeLimitS: left === undefined ? undefined : Math.max(0, left * 0.85 - 2), onSolve: o.onLpSolve, onNote: o.onNote });
      if (lp.lowerBound > lb) {
        lb = lp.lowerBound;
        boundBy = 'lp';
      }
      if (lp.rounds > 0) {
        lpY = lp.y;
        polishThresholds(lp.y);
      }
    }
    // The Lagrangian when there is no LP: it relaxes the whole orders where the LP cuts them, so
    // it could beat a shallow LP, but after a solved LP it never has (measured on clustered and
    // twin orders at 200 sites), so then its time goes to the LP and the rounding.
    if (!lpY && unproven() && !roundingStop()) {
      o.onPhase?.('lagrangian bound');
      const lag = lagrangianBound(trie, costs, { ...lim, upperBound: heur.cost, shouldStop: roundingStop });
      if (lag.lowerBound > lb) {
        lb = lag.lowerBound;
        boundBy = 'lagrangian';
      }
      o.onPhase?.('polishing the relaxation plans');
      // The relaxation's site choice is a second start for the local search.
      polishFrom(lag.sites);
    }
    // Rounding after the LP (without the worker): under a time limit until a few seconds are left
    // (so plans past 30 sites depend on the machine's speed); without one, a fixed number of tries.
    if (lpY && unproven()) {
      o.onPhase?.('randomized rounding');
      const until = tries + (timeLeftS ? MAX_ROUNDING_TRIES : ROUNDING_TRIES);
      while (tries < until && !roundingStop() && unproven()) roundOnce(lpY, roundingStop);
    }
  }
  if (capacity && overload(trie, model, weight, heur.subset, capacity)) {
    o.onPhase?.('capacity repair');
    const repaired = repairCapacity(classes, heur.subset, lim, capacity, { shouldStop: o.shouldStop });
    if (!repaired) return { ...base, subset: undefined, cost: Infinity, lowerBound: lb, status: 'stopped-empty', nodes: 0 };
    heur = repaired;
  }
  const proven = !unproven();
  return { ...base, subset: heur.subset, cost: heur.cost, lowerBound: lb, status: proven ? 'optimal' : 'feasible', nodes: 0, boundBy };
}

/**
 * A start from fractional site values: the required sites and the free sites `pick` chooses (asked
 * in site order); when that breaks the size limits, the picked sites first and then the rest by
 * value, up to the limit.
 */
function roundSites(y: Float64Array, lim: SizeLimits, pick: (s: number) => boolean): Uint8Array {
  const S = y.length;
  const out = new Uint8Array(S);
  const free: number[] = [];
  let n = 0;
  for (let s = 0; s < S; s++) {
    if (lim.required[s]) (out[s] = 1), n++;
    else if (!lim.excluded[s]) free.push(s);
  }
  let picked = 0;
  for (const s of free) if (pick(s)) (out[s] = 1), picked++;
  if (n + picked > lim.maxSites || n + picked < lim.minSites) {
    free.sort((a, b) => out[b] - out[a] || y[b] - y[a] || a - b);
    const want = Math.min(lim.maxSites, Math.max(lim.minSites, n + picked)) - n;
    for (let i = 0; i < free.length; i++) out[free[i]] = i < want ? 1 : 0;
  }
  return out;
}

/**
 * The best subset of sites. Weights (and capacities, in the same unit) are first scaled so that the
 * mean positive weight is 1: the solvers' tolerances are absolute (HiGHS's 1e-7 on a capacity row,
 * the 5% budget's 1e-12), so weights of 1e-7 passed plans 33% over capacity and changed the p95.
 * Scaling both changes no plan and no objective (means and quantiles are per unit of weight).
 */
export function optimizeSites(model: PreferenceModel, weight: Float64Array, o: OptimizeOptions = {}): OptimizeResult | Infeasible {
  let total = 0;
  let positive = 0;
  for (let t = 0; t < weight.length; t++) {
    if (weight[t] > 0) {
      total += weight[t];
      positive++;
    }
  }
  const scale = positive > 0 && total > 0 && Number.isFinite(total) ? positive / total : 1;
  if (scale === 1) return optimizeScaled(model, weight, o);
  const w = weight.map((x) => x * scale);
  const capacity = o.capacity?.map((c) => c * scale);
  const r = optimizeScaled(model, w, { ...o, ...(capacity ? { capacity } : {}) });
  if (r.kind === 'infeasible' && r.load !== undefined && r.capacity !== undefined) return { ...r, load: r.load / scale, capacity: r.capacity / scale };
  return r;
}

function optimizeScaled(model: PreferenceModel, weight: Float64Array, o: OptimizeOptions): OptimizeResult | Infeasible {
  const S = model.siteIds.length;
  const objective = o.objective ?? 'mean';
  const method = o.method ?? 'auto';
  if (method === 'exact' && S > MAX_EXACT_SITES) throw new Error(`--method exact handles up to ${MAX_EXACT_SITES} sites; this model has ${S}`);
  const exact = method === 'exact' || (method === 'auto' && S <= MAX_EXACT_SITES);
  if (method === 'milp' && (o.objective ?? 'mean') !== 'mean') throw new Error('method milp supports the mean objective only');
  const lim = limitsOf(S, o);
  if (lim.minSites > lim.maxSites) return { kind: 'infeasible', reason: `no subset has between ${lim.minSites} and ${lim.maxSites} sites` };
  const uncoveredMs = o.uncoveredMs ?? DEFAULT_UNCOVERED_MS;
  o.onPhase?.('merging orders');
  const trie = buildTrie(model);
  // Objectives are over the targets some subset can reach (non-empty order).
  let totalW = 0;
  for (let t = 0; t < weight.length; t++) if (model.orderLength[t] > 0) totalW += weight[t];
  if (totalW <= 0) return { kind: 'infeasible', reason: 'no target with a preference order has a positive weight' };
  const capacity = o.capacity && Array.from(o.capacity).some((c) => Number.isFinite(c)) ? o.capacity : undefined;

  let chosen: Uint8Array;
  let value: number;
  let lowerBound: number;
  let boundBy: BoundBy = 'search';
  let status: 'optimal' | 'feasible';
  let nodes = 0;
  let ga: Uint8Array;
  let gd: Uint8Array;
  if (objective === 'mean') {
    const r = solveSum(model, trie, weight, { kind: 'mean', uncoveredMs }, lim, o, exact);
    ga = r.greedyAdd;
    gd = r.greedyDrop;
    nodes = r.nodes;
    if (!r.subset) return infeasibleByCapacity(model, trie, weight, r.heuristicBest, capacity, r.status === 'stopped-empty', exact || method === 'milp', o);
    chosen = r.subset;
    value = r.cost / totalW;
    lowerBound = r.lowerBound / totalW;
    boundBy = r.boundBy ?? (r.status === 'optimal' || exact || method === 'milp' ? 'search' : 'trie');
    status = r.status === 'optimal' ? 'optimal' : 'feasible';
  } else {
    const p = solveP95(model, trie, weight, lim, o, exact, totalW);
    if (!p.subset) {
      if (p.reason) return { kind: 'infeasible', reason: p.reason };
      // The bisection's last plan says nothing about the loads (at the widest threshold any
      // subset does): name the tightest site in the best p95 plan without capacities instead.
      const free = capacity && !p.stopped ? solveP95(model, trie, weight, lim, { ...o, capacity: undefined }, exact, totalW) : undefined;
      // Without capacities there is no p95 either: capacities are not the reason.
      if (free && !free.subset && free.reason) return { kind: 'infeasible', reason: free.reason };
      const r = infeasibleByCapacity(model, trie, weight, free?.subset ?? p.fallback, capacity, p.stopped, exact, o);
      return free?.subset && !free.proven ? { ...r, planProven: false } : r;
    }
    chosen = p.subset;
    // The plan's own p95: the threshold the bisection proved feasible bounds it from above, and
    // equals it when the search finished; stopped early, the plan can be better than its threshold.
    const own = p95Objective(model, weight, p.subset, totalW);
    value = Number.isFinite(own) ? Math.min(p.value, own) : p.value;
    lowerBound = p.lowerBound;
    boundBy = p.boundBy ?? (exact ? 'search' : 'trie');
    status = p.proven ? 'optimal' : 'feasible';
    nodes = p.nodes;
    const classes = buildClasses(model, trie, weight, { kind: 'mean', uncoveredMs });
    ga = greedyAdd(classes, lim).subset;
    gd = greedyDrop(classes, lim).subset;
  }
  let n = 0;
  for (let s = 0; s < S; s++) n += chosen[s];
  const allSites = new Uint8Array(S).fill(1);
  o.onPhase?.('comparisons');
  const greedyUnicast = greedyByUnicast(model, weight, n, lim, uncoveredMs);
  const gap = status === 'optimal' ? 0 : value > 0 ? Math.max(0, (value - lowerBound) / value) : 0;
  return {
    kind: 'plan',
    subset: chosen,
    objective,
    method: method === 'milp' ? 'milp' : exact ? 'exact' : 'heuristic',
    status,
    value,
    // A heuristic plan proven by a relaxation keeps that bound (equal to the plan's value within PROOF_TOLERANCE).
    lowerBound: status === 'optimal' && boundBy !== 'lp' ? value : lowerBound,
    boundBy: status === 'optimal' && boundBy !== 'lp' ? 'search' : boundBy,
    gap,
    nodes,
    classes: trie.classes,
    comparisons: { allSites, greedyUnicast, greedyAdd: ga, greedyDrop: gd },
  };
}

/** The constraints besides capacities that rule subsets out, for infeasibility messages ('' when none). */
function otherConstraints(model: PreferenceModel, o: OptimizeOptions): string {
  const parts: string[] = [];
  const names = (xs: readonly number[]) => xs.map((s) => model.siteIds[s]).join(', ');
  if (o.required?.length) parts.push(`${names(o.required)} required`);
  if (o.excluded?.length) parts.push(`${names(o.excluded)} excluded`);
  if (o.k !== undefined) parts.push(`exactly ${o.k} sites`);
  else if (o.maxSites !== undefined) parts.push(`at most ${o.maxSites} sites`);
  return parts.length > 0 ? ` with ${parts.join(', ')}` : '';
}

function infeasibleByCapacity(
  model: PreferenceModel,
  trie: OrderTrie,
  weight: Float64Array,
  best: Uint8Array,
  capacity: Float64Array | undefined,
  stopped: boolean,
  exact: boolean,
  o: OptimizeOptions,
): Infeasible {
  const other = otherConstraints(model, o);
  const why = !exact
    ? `the heuristic (${o.method === 'heuristic' ? '--method heuristic' : 'used past 30 sites'}) found no plan${other} within the capacities (this proves nothing: a plan may exist)`
    : stopped
      ? `no plan${other} within the capacities was found before the time limit`
      : `no subset of sites${other} keeps every site within its capacity`;
  if (!capacity) return { kind: 'infeasible', reason: stopped ? 'no plan was found before the time limit' : `no subset satisfies the constraints${other}` };
  const worst = overload(trie, model, weight, best, capacity);
  if (!worst) return { kind: 'infeasible', reason: why };
  // In the heuristic case `best` is the plan itself, not "the best plan without capacities".
  return { kind: 'infeasible', reason: why, site: model.siteIds[worst.site], load: worst.load, capacity: capacity[worst.site] };
}

/** The p95 objective of a subset: weighted over targets with an order, those without an RTT ranked above every value. */
function p95Objective(model: PreferenceModel, weight: Float64Array, subset: Uint8Array, totalW: number): number {
  const a = assignSubset(model, subset);
  let covered = 0;
  for (let t = 0; t < weight.length; t++) if (model.orderLength[t] > 0 && weight[t] > 0 && !Number.isNaN(a.rttMs[t])) covered += weight[t];
  const q = (0.95 * totalW) / covered;
  if (!(covered > 0) || q > 1 + 1e-12) return Infinity;
  return weightedQuantiles(a.rttMs, weight, [Math.min(1, q)])[0];
}

interface P95Solve {
  subset?: Uint8Array;
  value: number;
  lowerBound: number;
  proven: boolean;
  nodes: number;
  fallback: Uint8Array;
  stopped: boolean;
  reason?: string;
  boundBy?: BoundBy;
}

/** Weighted p95 by bisection over the distinct RTT values. */
function solveP95(model: PreferenceModel, trie: OrderTrie, weight: Float64Array, lim: SizeLimits, o: OptimizeOptions, exact: boolean, totalW: number): P95Solve {
  const values = Float64Array.from(model.rttMs.filter((x) => Number.isFinite(x))).sort();
  let n = 0;
  for (let i = 0; i < values.length; i++) if (i === 0 || values[i] !== values[i - 1]) values[n++] = values[i];
  const cand = values.subarray(0, n);
  const budget = 0.05 * totalW;
  let nodes = 0;
  let proven = exact;
  let best: Uint8Array | undefined;
  let bestTau = Infinity;
  let fallback: Uint8Array = new Uint8Array(model.siteIds.length);
  let stopped = false;
  let boundBy: BoundBy = exact ? 'search' : 'trie';
  const feasible = (tau: number): boolean => {
    const r = solveSum(model, trie, weight, { kind: 'exceed', thresholdMs: tau }, lim, o, exact, budget);
    nodes += r.nodes;
    fallback = r.heuristicBest;
    if (r.subset && r.cost <= budget * (1 + 1e-12) + 1e-12) {
      if (tau < bestTau) {
        bestTau = tau;
        best = r.subset;
      }
      return true;
    }
    if (r.status !== 'infeasible') proven = false; // stopped or heuristic: not proven unreachable
    if (r.status === 'stopped-empty') stopped = true;
    return false;
  };
  if (n === 0 || !feasible(cand[n - 1])) {
    if (stopped) return { value: NaN, lowerBound: NaN, proven: false, nodes, fallback, stopped };
    const capacity = o.capacity && Array.from(o.capacity).some((c) => Number.isFinite(c));
    return capacity
      ? { value: NaN, lowerBound: NaN, proven: false, nodes, fallback, stopped: false }
      : { value: NaN, lowerBound: NaN, proven: false, nodes, fallback, stopped: false, reason: 'no subset gives 95% of the target weight a predicted RTT, so no p95 exists' };
  }
  // Invariant: cand[hi] feasible; everything below lo believed infeasible, below provenLo proven
  // infeasible (feasibility is monotone in the threshold).
  let lo = 0;
  let hi = n - 1;
  let provenLo = 0;
  while (lo < hi) {
    if (o.shouldStop?.()) {
      proven = false;
      break;
    }
    const mid = (lo + hi) >>> 1;
    const before = proven;
    proven = true;
    if (feasible(cand[mid])) hi = mid;
    else {
      lo = mid + 1;
      if (proven) provenLo = lo;
    }
    proven = before && proven;
  }
  // A proven lower bound: the smallest threshold neither the search nor the root bound rules out.
  let lowerBound = bestTau;
  if (!proven) {
    const state = new Uint8Array(model.siteIds.length);
    for (let s = 0; s < state.length; s++) state[s] = lim.required[s] ? 1 : lim.excluded[s] ? 2 : 0;
    let a = 0;
    let b = hi;
    while (a < b) {
      const mid = (a + b) >>> 1;
      const lb = trieBound(trie, trieCosts(model, trie, weight, { kind: 'exceed', thresholdMs: cand[mid] }), state);
      if (lb <= budget * (1 + 1e-12) + 1e-12) b = mid;
      else a = mid + 1;
    }
    let from = Math.max(a, Math.min(provenLo, hi));
    lowerBound = cand[from];
    // Past the exact search, the LP over prefix sets with the exceed costs: a threshold whose least
    // weight above it the LP proves to be more than 5% lies below every plan's p95. Bisection
    // between the bound so far and the plan, while the time allows (the comparisons keep a reserve).
    if (!exact && o.solver) {
      const reserveS = comparisonsReserveS(model);
      let top = hi;
      // To a precision of 0.1% of the plan's p95: RTTs are floats, nearly every target its own value.
      const precision = 0.001 * cand[hi];
      while (from < top && cand[top] - cand[from] > precision && !o.shouldStop?.()) {
        const left = o.timeLeftS?.();
        if (left !== undefined && left < reserveS + 1) break;
        const steps = Math.max(1, Math.ceil(Math.log2((cand[top] - cand[from]) / precision)));
        // The index halfway in value between the two ends.
        const half = (cand[from] + cand[top]) / 2;
        let mid = from;
        for (let l = from, r = top - 1; l <= r; ) {
          const m = (l + r) >>> 1;
          if (cand[m] < half) l = m + 1;
          else (mid = m), (r = m - 1);
        }
        if (cand[mid] < half) mid = top - 1;
        o.onPhase?.('lp bound');
        const classes = buildClasses(model, trie, weight, { kind: 'exceed', thresholdMs: cand[mid] });
        let aborted = false;
        const lp = lpBound(o.solver, classes, lim, {
          timeLimitS: left === undefined ? undefined : Math.max(0.5, (left - reserveS) / steps),
          onNote: (n) => {
            aborted = true;
            o.onNote?.(`p95 bound: ${n}`);
          },
        });
        // Out of solver memory at this size: the bisection's bound so far stands (its LPs are all this size).
        if (aborted && lp.lowerBound === -Infinity) break;
        if (lp.lowerBound > budget * (1 + 1e-9) + 1e-9) from = mid + 1;
        else top = mid;
        if (aborted) break;
      }
      if (cand[from] > lowerBound) {
        lowerBound = cand[from];
        boundBy = 'lp';
        if (lowerBound >= bestTau) proven = true;
      }
    }
  }
  return { subset: best, value: bestTau, lowerBound, proven, nodes, fallback, stopped, boundBy };
}
