import { describe, expect, it } from 'vitest';
import { syntheticModel } from '../../src/optimize/synthetic.js';
import { buildClasses, buildTrie, classEvaluate, type Classes } from '../../src/optimize/instance.js';
import { build, certifiedBound, lpBound, SetCodes, setNodes } from '../../src/optimize/lp-bound.js';
import { CutPool } from '../../src/optimize/lp-cuts.js';
import { loadSolver } from '../../src/solver/solver.js';
import { createRng } from '../../src/util/random.js';

/** Clustered orders as the LP sees them (unit weights, free size); the optimum by trying every subset. */
function instance(S: number, T: number, networks: number, seed: number) {
  const model = syntheticModel({ sites: S, targets: T, seed, kind: 'clustered', networks });
  const cl = buildClasses(model, buildTrie(model), new Float64Array(T).fill(1), { kind: 'mean', uncoveredMs: 1000 });
  const lim = { minSites: 1, maxSites: S, required: new Uint8Array(S), excluded: new Uint8Array(S) };
  let best = Infinity;
  const subset = new Uint8Array(S);
  for (let m = 1; m < 1 << S; m++) {
    for (let s = 0; s < S; s++) subset[s] = (m >> s) & 1;
    best = Math.min(best, classEvaluate(cl, subset));
  }
  return { cl, lim, best };
}

/** Column values of the integral point of a subset in build()'s layout: y, and F_v = 1 when a site of set v announces. */
function integralPoint(cl: Classes, built: ReturnType<typeof build>, subset: Uint8Array): Float64Array {
  const S = cl.S;
  const x = new Float64Array(built.problem.numCols);
  for (let s = 0; s < S; s++) x[s] = subset[s];
  for (let v = 0; v < built.parent.length; v++) x[S + v] = subset[built.site[v]] || (built.parent[v] >= 0 && x[S + built.parent[v]]) ? 1 : 0;
  return x;
}

describe('pairwise cuts for the LP bound (lp-cuts.ts)', () => {
  it('hold at every subset of sites (every cut found is a valid inequality)', async () => {
    const solver = await loadSolver();
    for (const [seed, depthCut] of [
      [5, 10],
      [4, 4],
    ]) {
      const { cl, lim } = instance(10, 400, 30, seed);
      const pool = new CutPool(cl);
      const depth = new Int32Array(cl.count).fill(depthCut);
      // Cuts from two LP solutions, the second with the first round's cuts in.
      for (let round = 0; round < 2; round++) {
        const built = build(cl, lim, depth, pool);
        const res = solver.solve(built.problem, { method: 'ipm', crossover: false });
        pool.separate(built, res.colValue);
      }
      expect(pool.size).toBeGreaterThan(0);
      const built = build(cl, lim, depth, pool);
      expect(built.cutRows).toBe(pool.size);
      const { starts, indices, values } = built.problem.matrix;
      const subset = new Uint8Array(cl.S);
      for (let m = 0; m < 1 << cl.S; m++) {
        for (let s = 0; s < cl.S; s++) subset[s] = (m >> s) & 1;
        const x = integralPoint(cl, built, subset);
        for (let q = built.cutFirst; q < built.cutFirst + built.cutRows; q++) {
          let lhs = 0;
          for (let e = starts[q]; e < starts[q + 1]; e++) lhs += values[e] * x[indices[e]];
          expect(lhs).toBeGreaterThanOrEqual(-1e-12);
        }
      }
    }
  });

  it('raise the LP bound towards the optimum and never past it (the optimum reached where the LP alone falls short)', async () => {
    const solver = await loadSolver();
    for (const [seed, reaches] of [
      [1, true],
      [4, true],
      [5, false],
    ] as const) {
      const { cl, lim, best } = instance(10, 400, 30, seed);
      const plain = lpBound(solver, cl, lim, { depth: 10, cuts: false }).lowerBound;
      const cut = lpBound(solver, cl, lim, { depth: 10, rounds: 6 }).lowerBound;
      // Measured: 45.37 / 45.67 / 45.67, 53.65 / 54.04 / 54.04, 49.44 / 49.75 / 52.62 ms (plain / cuts / optimum).
      expect(plain).toBeLessThan(best * (1 - 1e-3));
      expect(cut).toBeGreaterThan(plain + 1e-3 * best);
      expect(cut).toBeLessThanOrEqual(best * (1 + 1e-9));
      if (reaches) expect(Math.abs(cut - best)).toBeLessThan(1e-6 * best);
    }
  });

  it('with the cut rows in, any nonnegative multipliers still give a valid bound (weak duality)', async () => {
    const solver = await loadSolver();
    const { cl, lim, best } = instance(10, 400, 30, 5);
    const pool = new CutPool(cl);
    // Cut at 4 sites of 10: tail columns and cut rows both in the certificate.
    const depth = new Int32Array(cl.count).fill(4);
    pool.separate(build(cl, lim, depth), solver.solve(build(cl, lim, depth).problem, { method: 'ipm', crossover: false }).colValue);
    const built = build(cl, lim, depth, pool);
    expect(built.cutRows).toBeGreaterThan(0);
    const rng = createRng(9);
    for (let trial = 0; trial < 60; trial++) {
      const scale = 10 ** (rng.int(6) - 2);
      const dual = Float64Array.from({ length: built.problem.numRows }, () => (rng.next() - 0.5) * scale * 100);
      expect(certifiedBound(cl, lim, built, dual)).toBeLessThanOrEqual(best * (1 + 1e-9));
    }
    // And the optimal duals certify the LP's value with the cuts, which is above the LP's without.
    const res = solver.solve(built.problem, { method: 'simplex' });
    expect(res.status).toBe('optimal');
    expect(certifiedBound(cl, lim, built, res.rowDual!)).toBeCloseTo(res.objective, 6);
    expect(res.objective).toBeGreaterThan(lpBound(solver, cl, lim, { depth: 4, cuts: false, rounds: 1 }).lowerBound + 1e-6);
  });

  it('under a time limit, rounds of cuts at unchanged depths follow the deepening solves and raise the bound, within the limit', async () => {
    const solver = await loadSolver();
    const { cl, lim, best } = instance(10, 400, 30, 5);
    const solves: Array<{ cols: number; bound: number }> = [];
    const counting = { ...solver, solve: (p: Parameters<typeof solver.solve>[0], o?: Parameters<typeof solver.solve>[1]) => (solves.push({ cols: p.numCols, bound: NaN }), solver.solve(p, o)) };
    const started = performance.now();
    const r = lpBound(counting, cl, lim, { timeLimitS: 20, depth: 2, onSolve: (i) => (solves[solves.length - 1].bound = i.bound) });
    expect((performance.now() - started) / 1000).toBeLessThan(20);
    const plain = lpBound(solver, cl, lim, { timeLimitS: 20, depth: 2, cuts: false });
    // Deepened past the first cut, then at least one solve with the same columns (a round of cuts) that raised the bound.
    expect(solves[1].cols).toBeGreaterThan(solves[0].cols);
    const rounds = solves.filter((x, i) => i > 0 && x.cols === solves[i - 1].cols && x.bound > solves[i - 1].bound + 1e-6);
    expect(rounds.length).toBeGreaterThan(0);
    expect(r.lowerBound).toBeGreaterThan(plain.lowerBound + 1e-3 * best);
    expect(r.lowerBound).toBeLessThanOrEqual(best * (1 + 1e-9));
  });

  it('a separation told to stop keeps the cuts found so far', async () => {
    const solver = await loadSolver();
    const { cl, lim } = instance(10, 3000, 300, 5);
    expect(cl.count).toBeGreaterThan(128);
    const depth = new Int32Array(cl.count).fill(10);
    const built = build(cl, lim, depth);
    const x = solver.solve(built.problem, { method: 'ipm', crossover: false }).colValue;
    const full = new CutPool(cl).separate(built, x);
    let calls = 0;
    const stopped = new CutPool(cl).separate(built, x, () => ++calls > 1);
    // Checked every 64 classes: the second check ends it, after 128 of the classes.
    expect(calls).toBe(2);
    expect(stopped).toBeGreaterThan(0);
    expect(stopped).toBeLessThan(full);
  });
});

describe('sizing the LP', () => {
  it('under a time limit deepens to whole orders even when the whole LP has fewer columns than the cut one', async () => {
    const solver = await loadSolver();
    // Two providers: orders share their sets, so cut at 6 sites the LP carries a tail per class
    // (713 columns) and whole it has 233; comparing columns once kept such a model cut.
    const model = syntheticModel({ sites: 12, targets: 3000, seed: 3, kind: 'clustered', networks: 300, providers: 2 });
    const cl = buildClasses(model, buildTrie(model), new Float64Array(3000).fill(1), { kind: 'mean', uncoveredMs: 1000 });
    const lim = { minSites: 1, maxSites: 12, required: new Uint8Array(12), excluded: new Uint8Array(12) };
    const cols: number[] = [];
    const counting = { ...solver, solve: (p: Parameters<typeof solver.solve>[0], o?: Parameters<typeof solver.solve>[1]) => (cols.push(p.numCols), solver.solve(p, o)) };
    const timed = lpBound(counting, cl, lim, { timeLimitS: 20, cuts: false });
    const whole = lpBound(solver, cl, lim, { depth: 12, cuts: false });
    expect(cols[1]).toBeLessThan(cols[0]);
    expect(timed.complete).toBe(true);
    expect(Math.abs(timed.lowerBound - whole.lowerBound)).toBeLessThan(1e-6 * whole.lowerBound);
  });

  it('counts prefix sets exactly up to a limit and stops soon past it', () => {
    const model = syntheticModel({ sites: 30, targets: 2000, seed: 3, kind: 'random' });
    const cl = buildClasses(model, buildTrie(model), new Float64Array(2000).fill(1), { kind: 'mean', uncoveredMs: 1000 });
    const codes = new SetCodes(30);
    const all = setNodes(cl, codes, () => 30, Infinity);
    // Random orders share few prefixes: about a set per class and position.
    expect(all).toBeGreaterThan(cl.count * 20);
    expect(setNodes(cl, codes, () => 30, all)).toBe(all);
    const capped = setNodes(cl, codes, () => 30, 1000);
    expect(capped).toBeGreaterThan(1000);
    expect(capped).toBeLessThanOrEqual(1000 + 30);
  });
});
