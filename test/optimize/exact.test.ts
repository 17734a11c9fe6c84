import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyModel, STATUS, type PreferenceModel } from '../../src/orders/model.js';
import { assignSubset, siteLoads } from '../../src/optimize/evaluate.js';
import { optimizeSites, type OptimizeOptions } from '../../src/optimize/optimize.js';
import { syntheticModel } from '../../src/optimize/synthetic.js';
import { BranchAndBound, trieBound } from '../../src/optimize/exact.js';
import { lagrangianBound } from '../../src/optimize/lagrangian.js';
import { buildClasses, buildTrie, trieCosts } from '../../src/optimize/instance.js';
import { build, certifiedBound, lpBound } from '../../src/optimize/lp-bound.js';
import { loadSolver, SolverAbortedError, type Solver } from '../../src/solver/solver.js';
import { buildTwin, computeCatchment, generateScenario } from '../../src/sim/index.js';
import { referenceModel } from '../../src/optimize/reference-model.js';
import { createRng } from '../../src/util/random.js';

const PENALTY = 1000;

interface Brute {
  best: number;
  subsets: number;
}

function subsetOf(S: number, mask: number): Uint8Array {
  return Uint8Array.from({ length: S }, (_, s) => (mask >> s) & 1);
}

function feasibleMask(S: number, mask: number, o: OptimizeOptions, model: PreferenceModel, w: Float64Array): boolean {
  let n = 0;
  for (let s = 0; s < S; s++) n += (mask >> s) & 1;
  if (o.k !== undefined ? n !== o.k : n < 1 || n > (o.maxSites ?? S)) return false;
  for (const s of o.required ?? []) if (!((mask >> s) & 1)) return false;
  for (const s of o.excluded ?? []) if ((mask >> s) & 1) return false;
  if (o.capacity) {
    const loads = siteLoads(S, assignSubset(model, subsetOf(S, mask)), w);
    for (let s = 0; s < S; s++) if (loads[s] > o.capacity[s]) return false;
  }
  return true;
}

/** Weight of the targets with a non-empty order (the ones the objectives cover). */
function reachW(model: PreferenceModel, w: Float64Array): number {
  let W = 0;
  w.forEach((x, t) => (W += model.orderLength[t] > 0 ? x : 0));
  return W;
}

/** Brute-force mean objective over targets with an order: unknown RTT or unreached counts PENALTY. */
function bruteMean(model: PreferenceModel, w: Float64Array, o: OptimizeOptions): Brute {
  const S = model.siteIds.length;
  let best = Infinity;
  let subsets = 0;
  const W = reachW(model, w);
  for (let mask = 1; mask < 1 << S; mask++) {
    if (!feasibleMask(S, mask, o, model, w)) continue;
    subsets++;
    const a = assignSubset(model, subsetOf(S, mask));
    let sum = 0;
    for (let t = 0; t < w.length; t++) if (model.orderLength[t] > 0) sum += w[t] * (Number.isNaN(a.rttMs[t]) ? PENALTY : a.rttMs[t]);
    best = Math.min(best, sum / W);
  }
  return { best, subsets };
}

/** Brute-force weighted p95 over targets with a non-empty order; unreached / unknown ones rank above every value. */
function bruteP95(model: PreferenceModel, w: Float64Array, o: OptimizeOptions): Brute {
  const S = model.siteIds.length;
  let best = Infinity;
  let subsets = 0;
  let W = 0;
  w.forEach((x, t) => (W += model.orderLength[t] > 0 ? x : 0));
  for (let mask = 1; mask < 1 << S; mask++) {
    if (!feasibleMask(S, mask, o, model, w)) continue;
    subsets++;
    const a = assignSubset(model, subsetOf(S, mask));
    const idx = Array.from({ length: w.length }, (_, t) => t).filter((t) => !Number.isNaN(a.rttMs[t]));
    idx.sort((x, y) => a.rttMs[x] - a.rttMs[y]);
    let acc = 0;
    for (const t of idx) {
      acc += w[t];
      if (acc >= 0.95 * W) {
        best = Math.min(best, a.rttMs[t]);
        break;
      }
    }
  }
  return { best, subsets };
}

function weights(T: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: T }, () => 1 + rng.int(5));
}

describe('exact site selection against brute force', () => {
  const cases: Array<{ S: number; kind: 'random' | 'clustered'; seed: number }> = [];
  for (let seed = 1; seed <= 8; seed++) cases.push({ S: 4 + (seed % 9), kind: seed % 2 ? 'random' : 'clustered', seed });
  cases.push({ S: 12, kind: 'clustered', seed: 99 }, { S: 12, kind: 'random', seed: 98 });

  for (const c of cases) {
    it(`${c.kind} orders, ${c.S} sites, seed ${c.seed}: free size, k, max-sites, require/exclude, capacities`, () => {
      const model = syntheticModel({ sites: c.S, targets: 60, seed: c.seed, kind: c.kind, networks: 12, partialShare: 0.2, unknownRttShare: 0.1 });
      const w = weights(60, c.seed);
      const rng = createRng(c.seed * 7);
      const W = reachW(model, w);
      const variants: OptimizeOptions[] = [
        {},
        { k: 1 },
        { k: Math.ceil(c.S / 2) },
        { k: c.S - 1 },
        { maxSites: 3 },
        { required: [0], excluded: [c.S - 1] },
        { capacity: Float64Array.from({ length: c.S }, () => (rng.next() < 0.5 ? Infinity : W * (0.2 + 0.5 * rng.next()))) },
        { k: 3, capacity: Float64Array.from({ length: c.S }, () => W * 0.45) },
      ];
      for (const v of variants) {
        const brute = bruteMean(model, w, v);
        const r = optimizeSites(model, w, { ...v, method: 'exact', uncoveredMs: PENALTY });
        if (brute.subsets === 0) {
          expect(r.kind, JSON.stringify(v)).toBe('infeasible');
          continue;
        }
        expect(r.kind, JSON.stringify(v)).toBe('plan');
        if (r.kind !== 'plan') continue;
        expect(r.status).toBe('optimal');
        expect(r.value).toBeCloseTo(brute.best, 9);
        // The chosen subset really has that cost and meets the constraints.
        let mask = 0;
        r.subset.forEach((x, s) => (mask |= x << s));
        expect(feasibleMask(c.S, mask, v, model, w)).toBe(true);
        // The heuristic never beats the optimum, and its bound is below it.
        const h = optimizeSites(model, w, { ...v, method: 'heuristic', uncoveredMs: PENALTY });
        if (h.kind === 'plan' && v.capacity === undefined) {
          expect(h.value).toBeGreaterThanOrEqual(brute.best - 1e-9);
          expect(h.lowerBound).toBeLessThanOrEqual(brute.best + 1e-9);
        }
      }
    });
  }

  for (const seed of [3, 4, 5, 6]) {
    it(`p95 objective matches brute force (seed ${seed})`, () => {
      const S = 5 + seed;
      const model = syntheticModel({ sites: S, targets: 50, seed, kind: seed % 2 ? 'clustered' : 'random', networks: 10, partialShare: 0.1 });
      const w = weights(50, seed);
      for (const v of [{}, { k: 2 }, { maxSites: 4 }] as OptimizeOptions[]) {
        const brute = bruteP95(model, w, v);
        const r = optimizeSites(model, w, { ...v, objective: 'p95', method: 'exact' });
        if (!Number.isFinite(brute.best)) {
          expect(r.kind).toBe('infeasible');
          continue;
        }
        expect(r.kind).toBe('plan');
        if (r.kind !== 'plan') continue;
        expect(r.status).toBe('optimal');
        expect(r.value).toBe(brute.best);
      }
    });
  }

  it('the heuristic p95 with the LP bound (as past 30 sites): the bound never exceeds the brute-force p95', async () => {
    const solver = await loadSolver();
    let byLp = 0;
    for (const seed of [3, 4, 5, 6]) {
      const S = 5 + seed;
      const model = syntheticModel({ sites: S, targets: 50, seed, kind: seed % 2 ? 'clustered' : 'random', networks: 10, partialShare: 0.1 });
      const w = weights(50, seed);
      for (const v of [{}, { k: 2 }] as OptimizeOptions[]) {
        const brute = bruteP95(model, w, v);
        const r = optimizeSites(model, w, { ...v, objective: 'p95', method: 'heuristic', solver });
        if (!Number.isFinite(brute.best) || r.kind !== 'plan') continue;
        expect(r.value).toBeGreaterThanOrEqual(brute.best);
        expect(r.lowerBound).toBeLessThanOrEqual(brute.best);
        if (r.boundBy === 'lp') byLp++;
      }
    }
    expect(byLp).toBeGreaterThan(0);
  });
});

/** Two sites: clients near `near` prefer `far` (BGP), so announcing both is worse than `near` alone. */
function addingHurtsModel(): PreferenceModel {
  const m = emptyModel(['near', 'far'], ['a', 'b', 'c']);
  for (let t = 0; t < 3; t++) {
    m.orders[t * 2] = 1;
    m.orders[t * 2 + 1] = 0;
    m.orderLength[t] = 2;
    m.status[t] = STATUS.total;
    m.rttMs[t * 2] = 10;
    m.rttMs[t * 2 + 1] = 150;
  }
  return m;
}

describe('instances where adding a site hurts', () => {
  it('announces only the near site although the far one is preferred by BGP', () => {
    const m = addingHurtsModel();
    const r = optimizeSites(m, new Float64Array(3).fill(1));
    expect(r.kind).toBe('plan');
    if (r.kind !== 'plan') return;
    expect(Array.from(r.subset)).toEqual([1, 0]);
    expect(r.value).toBe(10);
    expect(r.status).toBe('optimal');
  });
});

describe('capacities', () => {
  it('reports infeasible capacities and names the binding site', () => {
    const m = addingHurtsModel();
    // Every non-empty subset puts all 3 targets on one site; capacities of 2 cannot hold them.
    const r = optimizeSites(m, new Float64Array(3).fill(1), { capacity: Float64Array.from([2, 2.5]) });
    expect(r.kind).toBe('infeasible');
    if (r.kind !== 'infeasible') return;
    expect(r.site).toBe('near');
    expect(r.load).toBe(3);
    expect(r.capacity).toBe(2);
  });
  it('moves to the worse site when the better one is too small', () => {
    const m = addingHurtsModel();
    const r = optimizeSites(m, new Float64Array(3).fill(1), { capacity: Float64Array.from([2, Infinity]) });
    expect(r.kind).toBe('plan');
    if (r.kind !== 'plan') return;
    // {far} and {near, far} both send everyone to far (150 ms); {near} alone would overload near.
    expect(r.value).toBe(150);
    expect(r.subset[1]).toBe(1);
  });
});

describe('branch and bound alone (used past 18 free sites) against brute force', () => {
  for (const seed of [11, 12, 13, 14, 15, 16]) {
    it(`seed ${seed}`, () => {
      const S = 6 + (seed % 6);
      const model = syntheticModel({ sites: S, targets: 70, seed, kind: seed % 2 ? 'random' : 'clustered', networks: 15, partialShare: 0.2, unknownRttShare: 0.1 });
      const w = weights(70, seed);
      const W = reachW(model, w);
      const trie = buildTrie(model);
      const costs = trieCosts(model, trie, w, { kind: 'mean', uncoveredMs: PENALTY });
      const capacity = Float64Array.from({ length: S }, (_, s) => (s % 3 === 0 ? W * 0.3 : Infinity));
      const variants: OptimizeOptions[] = [{}, { k: 2 }, { k: S - 2 }, { maxSites: 3 }, { required: [1], excluded: [2] }, { capacity }];
      for (const v of variants) {
        const brute = bruteMean(model, w, v);
        const mask = (xs: number[] | undefined) => (xs ?? []).reduce((m, s) => m | (1 << s), 0);
        const r = new BranchAndBound(trie, costs).solve({
          minSites: v.k ?? 1,
          maxSites: v.k ?? v.maxSites ?? S,
          required: mask(v.required),
          excluded: mask(v.excluded),
          capacity: v.capacity,
        });
        if (brute.subsets === 0) {
          expect(r.status).toBe('infeasible');
          continue;
        }
        expect(r.status).toBe('optimal');
        expect(r.cost / W).toBeCloseTo(brute.best, 9);
        expect(feasibleMask(S, r.mask, v, model, w)).toBe(true);
        // The root bound is a valid lower bound.
        expect(new BranchAndBound(trie, costs).bound(mask(v.required), mask(v.excluded)) / W).toBeLessThanOrEqual(brute.best + 1e-9);
      }
    });
  }
});

describe('Lagrangian lower bound (reported next to heuristic plans)', () => {
  for (const seed of [21, 22, 23, 24]) {
    it(`is at least the trie bound and never above the brute-force optimum (seed ${seed})`, () => {
      const S = 7 + (seed % 4);
      const model = syntheticModel({ sites: S, targets: 80, seed, kind: seed % 2 ? 'random' : 'clustered', networks: 10, partialShare: 0.1 });
      const w = weights(80, seed);
      const W = reachW(model, w);
      const trie = buildTrie(model);
      const costs = trieCosts(model, trie, w, { kind: 'mean', uncoveredMs: PENALTY });
      for (const v of [{}, { k: 3 }, { required: [0], excluded: [1] }] as OptimizeOptions[]) {
        const brute = bruteMean(model, w, v);
        const required = new Uint8Array(S);
        const excluded = new Uint8Array(S);
        (v.required ?? []).forEach((s) => (required[s] = 1));
        (v.excluded ?? []).forEach((s) => (excluded[s] = 1));
        const state = Uint8Array.from({ length: S }, (_, s) => (required[s] ? 1 : excluded[s] ? 2 : 0));
        const lag = lagrangianBound(trie, costs, {
          minSites: v.k ?? 1,
          maxSites: v.k ?? S,
          required,
          excluded,
          upperBound: brute.best * W * 1.05,
          iterations: 200,
        });
        expect(lag.lowerBound / W).toBeLessThanOrEqual(brute.best + 1e-9);
        expect(lag.lowerBound).toBeGreaterThanOrEqual(trieBound(trie, costs, state) - 1e-9);
      }
    });
  }
});

describe('--method milp (HiGHS) against brute force', () => {
  for (const seed of [31, 32, 33]) {
    it(`seed ${seed}`, async () => {
      const { loadSolver } = await import('../../src/solver/solver.js');
      const solver = await loadSolver();
      const S = 5 + (seed % 3);
      const model = syntheticModel({ sites: S, targets: 40, seed, kind: seed % 2 ? 'random' : 'clustered', networks: 8, partialShare: 0.2, unknownRttShare: 0.1 });
      const w = weights(40, seed);
      const W = reachW(model, w);
      for (const v of [{}, { k: 2 }, { required: [0], excluded: [1] }, { capacity: Float64Array.from({ length: S }, () => W * 0.4) }] as OptimizeOptions[]) {
        const brute = bruteMean(model, w, v);
        const r = optimizeSites(model, w, { ...v, method: 'milp', solver, uncoveredMs: PENALTY });
        if (brute.subsets === 0) {
          expect(r.kind).toBe('infeasible');
          continue;
        }
        expect(r.kind).toBe('plan');
        if (r.kind !== 'plan') continue;
        expect(r.status).toBe('optimal');
        expect(r.method).toBe('milp');
        expect(r.value).toBeCloseTo(brute.best, 6);
      }
    });
  }
});

describe('time limit', () => {
  it('a search stopped at once still returns a plan, with a proven bound not above the optimum', () => {
    const model = syntheticModel({ sites: 20, targets: 300, seed: 41, kind: 'random' });
    const w = weights(300, 41);
    const full = optimizeSites(model, w);
    expect(full.kind === 'plan' && full.status).toBe('optimal');
    for (const objective of ['mean', 'p95'] as const) {
      const ref = optimizeSites(model, w, { objective });
      const stopped = optimizeSites(model, w, { objective, shouldStop: () => true });
      expect(ref.kind).toBe('plan');
      expect(stopped.kind).toBe('plan');
      if (ref.kind !== 'plan' || stopped.kind !== 'plan') continue;
      expect(stopped.value).toBeGreaterThanOrEqual(ref.value - 1e-9);
      expect(stopped.lowerBound).toBeLessThanOrEqual(ref.value + 1e-9);
      if (stopped.status === 'feasible') expect(stopped.gap).toBeGreaterThanOrEqual(0);
      // The value is the plan's own objective, not the threshold the stopped search had reached.
      if (objective === 'p95') expect(stopped.value).toBe(bruteP95(model, w, { required: [...stopped.subset.keys()].filter((s) => stopped.subset[s]), k: stopped.subset.reduce((a, b) => a + b, 0) }).best);
    }
  });
});

describe('weights in any unit', () => {
  it('scaling weights and capacities together changes no plan and no objective, whatever the method (tolerances are absolute)', async () => {
    const solver = await loadSolver();
    for (const seed of [7, 8, 9]) {
      const S = 6 + seed - 7;
      const model = syntheticModel({ sites: S, targets: 80, seed, kind: 'clustered', networks: 12, partialShare: 0.1 });
      const w = weights(80, seed);
      const W = reachW(model, w);
      const capacity = Float64Array.from({ length: S }, (_, s) => (s % 2 ? W * 0.35 : Infinity));
      for (const scale of [1e-10, 1e-7, 1e6]) {
        const ws = w.map((x) => x * scale);
        const cs = capacity.map((c) => c * scale);
        for (const [method, objective] of [['exact', 'mean'], ['milp', 'mean'], ['heuristic', 'mean'], ['exact', 'p95']] as const) {
          const a = optimizeSites(model, w, { method, objective, capacity, solver });
          const b = optimizeSites(model, ws, { method, objective, capacity: cs, solver });
          expect(b.kind, `${method} ${objective} x${scale}`).toBe(a.kind);
          if (a.kind !== 'plan' || b.kind !== 'plan') continue;
          expect(Array.from(b.subset), `${method} ${objective} x${scale}`).toEqual(Array.from(a.subset));
          expect(b.value).toBeCloseTo(a.value, 9);
        }
      }
    }
    // 20 targets preferring a to b, a capacity of 3/4 of the weight at each site: no plan fits, in
    // any unit (weights of 1e-7 once passed {a}, 33% over, as optimal; 1e-13 moved the p95).
    const tiny = emptyModel(['a', 'b'], Array.from({ length: 20 }, (_, t) => `t${t}`));
    for (let t = 0; t < 20; t++) {
      tiny.orders[t * 2] = 0;
      tiny.orders[t * 2 + 1] = 1;
      tiny.orderLength[t] = 2;
      tiny.status[t] = STATUS.total;
      tiny.rttMs[t * 2] = 1 + t;
      tiny.rttMs[t * 2 + 1] = 50;
    }
    for (const unit of [1, 1e-7, 1e-10, 1e-13]) {
      const w = new Float64Array(20).fill(unit);
      const cap = Float64Array.of(15 * unit, 15 * unit);
      for (const method of ['exact', 'milp', 'heuristic'] as const) expect(optimizeSites(tiny, w, { method, capacity: cap, solver }).kind, `${method} ${unit}`).toBe('infeasible');
      const p95 = optimizeSites(tiny, w, { objective: 'p95', method: 'exact' });
      expect(p95.kind === 'plan' && p95.value, `p95 ${unit}`).toBe(19);
    }
    // Half the targets have no RTT anywhere: there is no p95 with or without capacities, and
    // capacities are not blamed for it.
    const half = { ...tiny, rttMs: tiny.rttMs.map((r, i) => (i >= 20 ? Number.NaN : r)) };
    const r = optimizeSites(half, new Float64Array(20).fill(1), { objective: 'p95', capacity: Float64Array.of(100, 100) });
    expect(r.kind === 'infeasible' && r.reason).toBe('no subset gives 95% of the target weight a predicted RTT, so no p95 exists');
  });
});

describe('capacities past the exact search (heuristic with repair)', () => {
  it('returns a plan that keeps every site within its capacity, and a bound below its cost', () => {
    const S = 36;
    const model = syntheticModel({ sites: S, targets: 2000, seed: 51, kind: 'clustered', networks: 100 });
    const w = weights(2000, 51);
    const W = reachW(model, w);
    const free = optimizeSites(model, w, { method: 'heuristic' });
    expect(free.kind).toBe('plan');
    if (free.kind !== 'plan') return;
    // Cap every site below the busiest site's load in the free plan.
    const loads = siteLoads(S, assignSubset(model, free.subset), w);
    const busiest = Math.max(...loads);
    const capacity = new Float64Array(S).fill(Math.max(busiest * 0.6, W * 0.08));
    const r = optimizeSites(model, w, { method: 'heuristic', capacity });
    expect(r.kind).toBe('plan');
    if (r.kind !== 'plan') return;
    const after = siteLoads(S, assignSubset(model, r.subset), w);
    for (let s = 0; s < S; s++) expect(after[s]).toBeLessThanOrEqual(capacity[s] + 1e-9);
    expect(r.lowerBound).toBeLessThanOrEqual(r.value + 1e-9);
    expect(r.value).toBeGreaterThanOrEqual(free.lowerBound - 1e-9);
  });
});

describe('LP lower bound (certified from the solver duals, reported next to heuristic plans)', () => {
  const limitsFor = (S: number, v: OptimizeOptions) => {
    const required = new Uint8Array(S);
    const excluded = new Uint8Array(S);
    (v.required ?? []).forEach((s) => (required[s] = 1));
    (v.excluded ?? []).forEach((s) => (excluded[s] = 1));
    return { minSites: v.k ?? Math.max(1, (v.required ?? []).length), maxSites: v.k ?? S, required, excluded };
  };
  /** Random orders over S sites for T targets, as the LP sees them (free size). */
  const randomLpInstance = (S: number, T: number, seed: number) => {
    const model = syntheticModel({ sites: S, targets: T, seed, kind: 'random' });
    const w = weights(T, seed);
    const cl = buildClasses(model, buildTrie(model), w, { kind: 'mean', uncoveredMs: PENALTY });
    return { model, w, W: reachW(model, w), cl, lim: limitsFor(S, {}) };
  };
  for (const seed of [61, 62, 63, 64]) {
    it(`never exceeds the brute-force optimum, does not depend on the first cut, and beats the trie bound (seed ${seed})`, async () => {
      const solver = await loadSolver();
      const S = 7 + (seed % 4);
      const model = syntheticModel({ sites: S, targets: 120, seed, kind: seed % 2 ? 'random' : 'clustered', networks: 12, partialShare: 0.1, unknownRttShare: 0.05 });
      const w = weights(120, seed);
      const W = reachW(model, w);
      const trie = buildTrie(model);
      const spec = { kind: 'mean', uncoveredMs: PENALTY } as const;
      const cl = buildClasses(model, trie, w, spec);
      const costs = trieCosts(model, trie, w, spec);
      for (const v of [{}, { k: 3 }, { required: [0], excluded: [1] }] as OptimizeOptions[]) {
        const brute = bruteMean(model, w, v);
        const lim = limitsFor(S, v);
        const deep = lpBound(solver, cl, lim, { depth: S });
        const shallow = lpBound(solver, cl, lim, { depth: 1, rounds: 10 });
        expect(deep.complete).toBe(true);
        expect(shallow.complete).toBe(true);
        expect(shallow.rounds).toBeGreaterThan(1); // a cut of 1 sends classes past it: deepened
        expect(deep.lowerBound / W).toBeLessThanOrEqual(brute.best + 1e-7);
        expect(shallow.lowerBound / W).toBeCloseTo(deep.lowerBound / W, 5);
        const state = Uint8Array.from({ length: S }, (_, s) => (lim.required[s] ? 1 : lim.excluded[s] ? 2 : 0));
        expect(deep.lowerBound).toBeGreaterThanOrEqual(trieBound(trie, costs, state) - 1e-6 * W);
      }
    });
  }

  it('the certificate from optimal duals equals the LP value over prefix sets (the bound loses nothing)', async () => {
    const solver = await loadSolver();
    const S = 12;
    const model = syntheticModel({ sites: S, targets: 400, seed: 75, kind: 'clustered', networks: 30, partialShare: 0.1 });
    const w = weights(400, 75);
    const cl = buildClasses(model, buildTrie(model), w, { kind: 'mean', uncoveredMs: PENALTY });
    for (const v of [{}, { k: 4 }, { required: [2], excluded: [5] }] as OptimizeOptions[]) {
      const lim = limitsFor(S, v);
      for (const depthCut of [3, S]) {
        const built = build(cl, lim, new Int32Array(cl.count).fill(depthCut));
        // Shared prefixes and prefix sets: fewer nodes than class positions.
        expect(built.parent.length).toBeLessThan(Array.from(cl.len).reduce((a, l) => a + Math.min(l, depthCut), 0));
        // Rows from further parent sets, and the tail levels past a cut, are in the certificate too.
        if (depthCut === S) expect(built.extraNode.length).toBeGreaterThan(0);
        else expect(built.tailNode.length).toBeGreaterThan(0);
        const res = solver.solve(built.problem, { method: 'simplex' });
        expect(res.status).toBe('optimal');
        const cert = certifiedBound(cl, lim, built, res.rowDual!);
        expect(Math.abs(cert - res.objective)).toBeLessThanOrEqual(1e-6 * Math.abs(res.objective));
      }
    }
  });

  it('prefixes holding the same sites in another order share one LP column, tied to every parent set', () => {
    // Orders a b c and b a c: sets {a}, {a,b}, {a,b,c}, {b}; the order trie would have 6 nodes.
    const cl = {
      S: 3,
      count: 2,
      order: Uint16Array.from([0, 1, 2, 1, 0, 2]),
      len: Uint16Array.from([3, 3]),
      cost: Float64Array.from([5, 1, 9, 2, 7, 3]),
      rank: Uint16Array.from([0, 1, 2, 1, 0, 2]),
      tail: Float64Array.from([50, 50]),
      weight: Float64Array.from([1, 1]),
      constant: 0,
    };
    const lim = limitsFor(3, {});
    const built = build(cl, lim, new Int32Array(2).fill(3));
    expect(built.parent.length).toBe(4);
    // {a,b} was reached from {a}; its other parent set {b} gets rows too.
    expect(Array.from(built.extraSite)).toEqual([0]);
    expect(built.site[built.extraParent[0]]).toBe(1);
    expect(built.parent[built.extraParent[0]]).toBe(-1);
  });

  it('on twins (BGP-shaped orders) the LP over prefix sets meets the optimum, proves plans past 30 sites, and bounds p95 there', async () => {
    const solver = await loadSolver();
    const twin = buildTwin(generateScenario({ seed: 5, sites: 8, providers: 4, targets: 2000, ases: 400 }));
    const announce = (sites: string[]) => computeCatchment(twin, { sites: twin.siteIds.filter((s) => sites.includes(s)) });
    const model = referenceModel(twin.siteIds, twin.targetIds, announce);
    const w = twin.targetWeight;
    const cl = buildClasses(model, buildTrie(model), w, { kind: 'mean', uncoveredMs: PENALTY });
    const lp = lpBound(solver, cl, limitsFor(8, {}), { depth: 8 });
    expect(lp.complete).toBe(true);
    const brute = bruteMean(model, w, {});
    expect(lp.lowerBound / reachW(model, w)).toBeLessThanOrEqual(brute.best + 1e-9);
    expect(lp.lowerBound / reachW(model, w)).toBeCloseTo(brute.best, 6);
    // 34 sites: past the exact search, the heuristic plan is proven optimal by the LP.
    const big = buildTwin(generateScenario({ seed: 7, sites: 34, providers: 8, targets: 3000, ases: 600 }));
    const bigModel = referenceModel(big.siteIds, big.targetIds, (sites) => computeCatchment(big, { sites: big.siteIds.filter((s) => sites.includes(s)) }));
    const r = optimizeSites(bigModel, big.targetWeight, { solver });
    expect(r.kind).toBe('plan');
    if (r.kind !== 'plan') return;
    expect(r.method).toBe('heuristic');
    expect(r.status).toBe('optimal');
    expect(r.boundBy).toBe('lp');
    expect(r.lowerBound).toBeLessThanOrEqual(r.value);
    expect((r.value - r.lowerBound) / r.value).toBeLessThan(1e-8);
    // p95 there: the LP with exceed costs, bisected to 0.1% of the plan, lifts the trie bound.
    const p95 = optimizeSites(bigModel, big.targetWeight, { solver, objective: 'p95' });
    const p95Trie = optimizeSites(bigModel, big.targetWeight, { objective: 'p95' });
    expect(p95.kind === 'plan' && p95Trie.kind === 'plan').toBe(true);
    if (p95.kind !== 'plan' || p95Trie.kind !== 'plan') return;
    expect(p95Trie.boundBy).toBe('trie');
    expect(p95.boundBy).toBe('lp');
    expect(p95.lowerBound).toBeGreaterThan(p95Trie.lowerBound);
    expect(p95.lowerBound).toBeLessThanOrEqual(p95.value);
    expect(p95.gap).toBeLessThan(0.002);
  });

  it('under a time limit the solves are sized from their timing, and a solve stopped at the limit still counts', async () => {
    const real = await loadSolver();
    const { model, w, W, cl, lim } = randomLpInstance(16, 300, 79);
    const best = bruteMean(model, w, {}).best;
    // A simulated clock: each solve takes 2e-6 * columns^1.7 seconds (0.7 s at the first cut); one past its limit is stopped.
    const run = (limitS: number) => {
      let clock = 0;
      const solves: Array<{ cols: number; limit: number; status: string; bound: number }> = [];
      const solver = {
        ...real,
        solve: (p: Parameters<typeof real.solve>[0], o?: Parameters<typeof real.solve>[1]) => {
          const r = real.solve(p, o);
          const need = 2e-6 * Math.pow(p.numCols, 1.7);
          const limit = o?.timeLimitS ?? Infinity;
          clock += Math.min(need, limit) * 1000;
          solves.push({ cols: p.numCols, limit, status: need > limit ? 'time-limit' : r.status, bound: NaN });
          return need > limit ? { ...r, status: 'time-limit' as const } : r;
        },
      };
      // Without the rounds of cuts after the LP is whole (lp-cuts.test.ts), which would add solves here.
      const r = lpBound(solver, cl, lim, { timeLimitS: limitS, now: () => clock, cuts: false, onSolve: (i) => (solves[solves.length - 1].bound = i.bound) });
      return { r, solves, clock };
    };
    // Ample time: the final solve is too far from the first to extrapolate to, so an intermediate
    // one comes between, sized to a fifth of the time left (the simulated times grow as predicted).
    const ample = run(10);
    expect(ample.solves.length).toBe(3);
    for (let i = 1; i < ample.solves.length; i++) expect(ample.solves[i].cols).toBeGreaterThan(ample.solves[i - 1].cols);
    expect(2e-6 * Math.pow(ample.solves[1].cols, 1.7)).toBeLessThanOrEqual(0.2 * ample.solves[1].limit);
    expect(ample.r.complete).toBe(true);
    expect(ample.clock / 1000).toBeLessThanOrEqual(10);
    expect(ample.r.lowerBound / W).toBeLessThanOrEqual(best + 1e-7);
    expect(ample.r.lowerBound).toBe(Math.max(...ample.solves.map((x) => x.bound)));
    // Less time: the final solve is sized past the time left (up to 1.2 times), overruns, is
    // stopped at the limit, and its (here exact) certificate is kept as the bound.
    const first = 2e-6 * Math.pow(ample.solves[0].cols, 1.7);
    const tight = run(first + 1.8);
    expect(tight.solves.length).toBe(2);
    expect(tight.solves[1].status).toBe('time-limit');
    expect(tight.r.lowerBound).toBe(tight.solves[1].bound);
    expect(tight.r.lowerBound).toBeGreaterThan(tight.solves[0].bound);
    expect(tight.r.lowerBound / W).toBeLessThanOrEqual(best + 1e-7);
    expect(tight.clock / 1000).toBeLessThanOrEqual(first + 1.8 + 1e-9);
  });

  it('when the solver aborts for want of memory the bound of the solves before stands and a note says so; other errors surface', async () => {
    const real = await loadSolver();
    const { model, w, W, cl, lim } = randomLpInstance(10, 600, 77);
    let calls = 0;
    // The first solve runs; the deepened second one aborts as HiGHS does past 2 GiB.
    const aborting: Solver = {
      ...real,
      solve: (p, opts) => {
        if (++calls > 1) throw new SolverAbortedError(p.numCols, p.numRows, p.matrix.indices.length, 'Aborted()');
        return real.solve(p, opts);
      },
    };
    const notes: string[] = [];
    const solves: number[] = [];
    const r = lpBound(aborting, cl, lim, { depth: 2, rounds: 3, onSolve: (i) => solves.push(i.bound), onNote: (n) => notes.push(n) });
    expect(calls).toBe(2);
    expect(solves).toHaveLength(1);
    expect(r.lowerBound).toBe(solves[0]);
    expect(r.lowerBound / W).toBeLessThanOrEqual(bruteMean(model, w, {}).best + 1e-7);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/aborted \(Aborted\(\)\) on a problem of [\d,]+ columns/);
    // An abort on the first solve: no bound at all (-Infinity), not a made-up one.
    const first: Solver = { ...real, solve: (p) => { throw new SolverAbortedError(p.numCols, p.numRows, 0, 'Aborted()'); } };
    expect(lpBound(first, cl, lim, { depth: 2 }).lowerBound).toBe(-Infinity);
    // A bug in a solve is not mistaken for a memory abort.
    const broken: Solver = { ...real, solve: () => { throw new TypeError('not a memory problem'); } };
    expect(() => lpBound(broken, cl, lim, { depth: 2 })).toThrow('not a memory problem');
    // --method milp lets the abort through (the CLI turns it into advice, exit 2).
    expect(() => optimizeSites(model, w, { method: 'milp', solver: aborting })).toThrow(SolverAbortedError);
  });

  it('a first cut too big for the node limit starts shallower instead of giving up', async () => {
    const solver = await loadSolver();
    const { model, w, W, cl, lim } = randomLpInstance(10, 600, 77);
    const r = lpBound(solver, cl, lim, { depth: 8, maxNodes: 1500, rounds: 1 });
    expect(r.rounds).toBe(1);
    expect(Number.isFinite(r.lowerBound)).toBe(true);
    expect(r.lowerBound / W).toBeLessThanOrEqual(bruteMean(model, w, {}).best + 1e-7);
  });

  it('any nonnegative multipliers give a valid bound (weak duality, so a stopped or inexact solve is safe)', () => {
    const S = 8;
    const model = syntheticModel({ sites: S, targets: 100, seed: 71, kind: 'clustered', networks: 10, partialShare: 0.2 });
    const w = weights(100, 71);
    const W = reachW(model, w);
    const cl = buildClasses(model, buildTrie(model), w, { kind: 'mean', uncoveredMs: PENALTY });
    const rng = createRng(72);
    for (const v of [{}, { k: 2 }] as OptimizeOptions[]) {
      const brute = bruteMean(model, w, v);
      const lim = limitsFor(S, v);
      for (const depthCut of [2, S]) {
        const built = build(cl, lim, new Int32Array(cl.count).fill(depthCut));
        const rows = built.problem.numRows;
        if (depthCut === S) expect(built.extraNode.length).toBeGreaterThan(0);
        else expect(built.tailNode.length).toBeGreaterThan(0);
        for (let trial = 0; trial < 50; trial++) {
          const scale = 10 ** (rng.int(6) - 2);
          const dual = Float64Array.from({ length: rows }, () => (rng.next() - 0.5) * scale * 100);
          expect(certifiedBound(cl, lim, built, dual) / W).toBeLessThanOrEqual(brute.best + 1e-9);
        }
      }
    }
  });

  it('past 30 sites, a solver raises the proven bound of the heuristic plan well above the Lagrangian one', async () => {
    const solver = await loadSolver();
    const model = syntheticModel({ sites: 60, targets: 2000, seed: 73, kind: 'clustered', networks: 100 });
    const w = weights(2000, 73);
    const without = optimizeSites(model, w, { method: 'heuristic' });
    const withLp = optimizeSites(model, w, { method: 'heuristic', solver });
    expect(without.kind === 'plan' && withLp.kind === 'plan').toBe(true);
    if (without.kind !== 'plan' || withLp.kind !== 'plan') return;
    expect(withLp.boundBy === 'lp' || withLp.status === 'optimal').toBe(true);
    expect(withLp.lowerBound).toBeGreaterThan(without.lowerBound);
    expect(withLp.lowerBound).toBeLessThanOrEqual(withLp.value + 1e-9);
    expect(withLp.value).toBeLessThanOrEqual(without.value + 1e-9);
    expect(withLp.gap).toBeLessThan(without.gap);
  });

  it('under a time limit past 30 sites the LP runs in a worker thread beside the rounding, within the limit and the size limits', async () => {
    const solver = await loadSolver();
    const model = syntheticModel({ sites: 60, targets: 2000, seed: 73, kind: 'clustered', networks: 100 });
    const w = weights(2000, 73);
    const plain = optimizeSites(model, w, { method: 'heuristic' });
    for (const v of [{}, { k: 6, required: [3], excluded: [0] }] as OptimizeOptions[]) {
      const limitS = 6;
      const deadline = performance.now() + limitS * 1000;
      const solves: Array<{ bound: number; status: string }> = [];
      const r = optimizeSites(model, w, {
        ...v,
        method: 'heuristic',
        solver,
        shouldStop: () => performance.now() > deadline,
        timeLeftS: () => (deadline - performance.now()) / 1000,
        onLpSolve: (i) => solves.push(i),
      });
      const elapsedS = limitS - (deadline - performance.now()) / 1000;
      expect(r.kind).toBe('plan');
      if (r.kind !== 'plan' || plain.kind !== 'plan') continue;
      // The worker reported its solves (the main thread polled them), and its bound counts.
      expect(solves.length).toBeGreaterThan(0);
      expect(r.status === 'optimal' || r.boundBy === 'lp').toBe(true);
      expect(r.lowerBound).toBeLessThanOrEqual(r.value + 1e-9);
      expect(r.lowerBound).toBeGreaterThanOrEqual(Math.max(...solves.map((x) => x.bound)) / reachW(model, w) - 1e-9 * Math.abs(r.lowerBound));
      expect(elapsedS).toBeLessThan(limitS + 1);
      const n = r.subset.reduce((a, b) => a + b, 0);
      if (v.k !== undefined) {
        expect(n).toBe(v.k);
        expect(r.subset[3]).toBe(1);
        expect(r.subset[0]).toBe(0);
      } else {
        expect(r.lowerBound).toBeGreaterThan(plain.lowerBound);
        expect(r.value).toBeLessThanOrEqual(plain.value + 1e-9);
      }
    }
  });

  it('when the LP worker fails, the run says so and falls back to the other relaxations, within the limit', async () => {
    const solver = await loadSolver();
    const model = syntheticModel({ sites: 60, targets: 2000, seed: 73, kind: 'clustered', networks: 100 });
    const w = weights(2000, 73);
    const limitS = 4;
    const deadline = performance.now() + limitS * 1000;
    const notes: string[] = [];
    const solves: unknown[] = [];
    const r = optimizeSites(model, w, {
      method: 'heuristic',
      solver,
      lpWorker: resolve(__dirname, 'fixtures/failing-lp-worker.mjs'),
      shouldStop: () => performance.now() > deadline,
      timeLeftS: () => (deadline - performance.now()) / 1000,
      onLpSolve: (i) => solves.push(i),
      onNote: (n) => notes.push(n),
    });
    const elapsedS = limitS - (deadline - performance.now()) / 1000;
    expect(r.kind).toBe('plan');
    if (r.kind !== 'plan') return;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('simulated solver failure');
    expect(solves).toHaveLength(0);
    expect(['lagrangian', 'trie']).toContain(r.boundBy);
    expect(r.lowerBound).toBeLessThanOrEqual(r.value + 1e-9);
    expect(elapsedS).toBeLessThan(limitS + 1);
  });

  it('past 30 sites, plans from rounding the LP keep the size limits and the required and excluded sites', async () => {
    const solver = await loadSolver();
    const model = syntheticModel({ sites: 40, targets: 1500, seed: 91, kind: 'clustered', networks: 80 });
    const w = weights(1500, 91);
    for (const v of [{ k: 5 }, { maxSites: 3 }, { k: 30 }, { required: [1, 2], excluded: [0, 39], maxSites: 8 }] as OptimizeOptions[]) {
      const r = optimizeSites(model, w, { ...v, method: 'heuristic', solver });
      expect(r.kind).toBe('plan');
      if (r.kind !== 'plan') continue;
      const n = r.subset.reduce((a, b) => a + b, 0);
      if (v.k !== undefined) expect(n).toBe(v.k);
      if (v.maxSites !== undefined) expect(n).toBeLessThanOrEqual(v.maxSites);
      for (const s of v.required ?? []) expect(r.subset[s]).toBe(1);
      for (const s of v.excluded ?? []) expect(r.subset[s]).toBe(0);
      expect(r.lowerBound).toBeLessThanOrEqual(r.value + 1e-9);
      // Never worse than the plan without the LP's roundings.
      const plain = optimizeSites(model, w, { ...v, method: 'heuristic' });
      if (plain.kind === 'plan') expect(r.value).toBeLessThanOrEqual(plain.value + 1e-9);
    }
  });
});
