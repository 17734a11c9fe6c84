import { describe, expect, it } from 'vitest';
import { loadSolver, SolverAbortedError, type LinearProblem } from '../../src/solver/solver.js';
import { createHighsSolver } from '../../src/solver/highs.js';

const csc = (starts: number[], indices: number[], values: number[]) => ({
  format: 'csc' as const,
  starts: Int32Array.from(starts),
  indices: Int32Array.from(indices),
  values: Float64Array.from(values),
});

describe('HiGHS adapter', () => {
  it('solves a small LP to its known optimum with duals', async () => {
    // max 3x + 2y  s.t. x + y <= 4, x + 3y <= 7 (slack), 0 <= x <= 3, y >= 0  -> x = 3, y = 1, obj 11; dual of row 1 is 2
    const p: LinearProblem = {
      sense: 'max',
      numCols: 2,
      numRows: 2,
      colCost: Float64Array.from([3, 2]),
      colLower: Float64Array.from([0, 0]),
      colUpper: Float64Array.from([3, Infinity]),
      rowLower: Float64Array.from([-Infinity, -Infinity]),
      rowUpper: Float64Array.from([4, 7]),
      matrix: csc([0, 2, 4], [0, 1, 0, 1], [1, 1, 1, 3]),
    };
    const solver = await loadSolver();
    const r = solver.solve(p);
    expect(r.status).toBe('optimal');
    expect(r.objective).toBeCloseTo(11, 6);
    expect(Array.from(r.colValue).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([3, 1]);
    expect(r.rowDual?.[0]).toBeCloseTo(2, 6);
  });

  it('solves a knapsack MIP exactly and reports infeasibility', async () => {
    // max 5a + 4b + 3c  s.t. 2a + 3b + c <= 5, binary -> a = 1, c = 1 plus? 2+1=3 <=5, b too: 2+3+1 = 6 > 5 -> best a,b (9) vs a,c (8) -> 9
    const p: LinearProblem = {
      sense: 'max',
      numCols: 3,
      numRows: 1,
      colCost: Float64Array.from([5, 4, 3]),
      colLower: new Float64Array(3),
      colUpper: Float64Array.from([1, 1, 1]),
      rowLower: Float64Array.from([-Infinity]),
      rowUpper: Float64Array.from([5]),
      matrix: csc([0, 1, 2, 3], [0, 0, 0], [2, 3, 1]),
      integrality: Int32Array.from([1, 1, 1]),
    };
    const solver = await loadSolver();
    const r = solver.solve(p);
    expect(r.status).toBe('optimal');
    expect(r.objective).toBeCloseTo(9, 6);
    const infeasible = solver.solve({ ...p, rowLower: Float64Array.from([7]), rowUpper: Float64Array.from([Infinity]) });
    expect(infeasible.status).toBe('infeasible');
  });

  it('past its 2 GiB of WebAssembly memory a solve fails with SolverAbortedError naming the size, and smaller solves still work', async () => {
    // Its own instance, so the memory it grows to goes when the test ends.
    const solver = await createHighsSolver();
    const n = 3_000_000; // about 1.15 KB per column: well past 2 GiB
    const big: LinearProblem = {
      numCols: n,
      numRows: n,
      colCost: new Float64Array(n).fill(1),
      colLower: new Float64Array(n),
      colUpper: new Float64Array(n).fill(1),
      rowLower: new Float64Array(n).fill(0.5),
      rowUpper: new Float64Array(n).fill(Infinity),
      matrix: { format: 'csc', starts: Int32Array.from({ length: n + 1 }, (_, i) => i), indices: Int32Array.from({ length: n }, (_, i) => i), values: new Float64Array(n).fill(1) },
    };
    let caught: unknown;
    try {
      solver.solve(big);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SolverAbortedError);
    expect((caught as SolverAbortedError).numCols).toBe(n);
    expect((caught as Error).message).toContain('3,000,000 columns');
    const small: LinearProblem = {
      numCols: 1,
      numRows: 1,
      colCost: Float64Array.from([1]),
      colLower: Float64Array.from([0]),
      colUpper: Float64Array.from([1]),
      rowLower: Float64Array.from([0.5]),
      rowUpper: Float64Array.from([Infinity]),
      matrix: csc([0, 1], [0], [1]),
    };
    const r = solver.solve(small);
    expect(r.status).toBe('optimal');
    expect(r.objective).toBeCloseTo(0.5, 9);
  }, 60_000);
});
