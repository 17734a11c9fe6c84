/**
 * Adapter over the `highs` package (HiGHS compiled to WebAssembly). The only
 * file that imports it. Uses the typed-array model API (faster to build than LP
 * text and free of LP-text name pitfalls), disposes every model (its native
 * memory is not garbage collected), and silences the solver log.
 *
 * Limits to remember (../shared/NOTES-toolchain.md): single-threaded, 2 GiB of
 * WebAssembly memory (about 1.15 KB per LP variable), solves block the thread.
 */
import highsLoader from 'highs';
import type { Highs } from 'highs';
import { SolverAbortedError, type LinearProblem, type SolveOptions, type SolveResult, type SolveStatus, type Solver } from './solver.js';

// Under NodeNext the default import type-checks as not callable although it is the loader.
const load = highsLoader as unknown as () => Promise<Highs>;

const STATUS: Record<number, SolveStatus> = {
  7: 'optimal',
  8: 'infeasible',
  9: 'infeasible',
  10: 'unbounded',
  13: 'time-limit',
  14: 'limit',
  16: 'limit',
  17: 'limit',
};

export async function createHighsSolver(): Promise<Solver> {
  const highs = await load();
  const inf = highs.infinity;
  const clamp = (a: Float64Array) => {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = a[i] === Infinity ? inf : a[i] === -Infinity ? -inf : a[i];
    return out;
  };
  return {
    name: `HiGHS ${String((highs.version as unknown as { highs?: string }).highs ?? '')}`.trim(),
    infinity: inf,
    solve(p: LinearProblem, options: SolveOptions = {}): SolveResult {
      try {
        return solveWith(p, options);
      } catch (err) {
        // Out of WebAssembly memory the module aborts (a RuntimeError "Aborted(...)"); the module
        // itself stays usable for smaller problems (measured), so only this solve fails.
        if (err instanceof Error && err.name === 'RuntimeError' && /Abort/.test(err.message)) {
          throw new SolverAbortedError(p.numCols, p.numRows, p.matrix.indices.length, err.message.replace(/\. Build with.*$/, ''));
        }
        throw err;
      }
    },
  };

  function solveWith(p: LinearProblem, options: SolveOptions): SolveResult {
    const isMip = p.integrality !== undefined && p.integrality.some((v) => v !== 0);
    return highs.withModel((model) => {
      model.options.set('output_flag', false);
      if (options.timeLimitS !== undefined) model.options.set('time_limit', options.timeLimitS);
      if (options.mipRelGap !== undefined) model.options.set('mip_rel_gap', options.mipRelGap);
      if (options.method && options.method !== 'choose') model.options.set('solver', options.method);
      if (options.crossover === false) model.options.set('run_crossover', 'off');
      if (options.presolve === false) model.options.set('presolve', 'off');
      model.passModel({
        numCols: p.numCols,
        numRows: p.numRows,
        sense: p.sense === 'max' ? highs.constants.objectiveSense.maximize : highs.constants.objectiveSense.minimize,
        offset: p.offset ?? 0,
        colCost: p.colCost,
        colLower: clamp(p.colLower),
        colUpper: clamp(p.colUpper),
        rowLower: clamp(p.rowLower),
        rowUpper: clamp(p.rowUpper),
        matrix: {
          format: p.matrix.format,
          numRows: p.numRows,
          numCols: p.numCols,
          starts: p.matrix.starts,
          indices: p.matrix.indices,
          values: p.matrix.values,
        },
        ...(isMip ? { integrality: p.integrality } : {}),
      } as Parameters<typeof model.passModel>[0]);
      if (options.start) model.setSolution({ colValue: options.start });
      const run = model.run();
      const code = Number(run.modelStatus);
      let status: SolveStatus = STATUS[code] ?? 'error';
      const sol = model.getSolution();
      const objective = model.getObjectiveValue();
      const result: SolveResult = {
        status,
        objective: Number.isFinite(objective) ? objective : Number.NaN,
        colValue: new Float64Array(sol.colValue),
        runTimeS: model.getRunTime(),
      };
      if (isMip) {
        const bound = Number(model.info.get('mip_dual_bound'));
        const gap = Number(model.info.get('mip_gap'));
        result.bound = bound;
        result.gap = gap;
        const hasSolution = Number(model.info.get('primal_solution_status')) === 2;
        if (!hasSolution) {
          result.colValue = new Float64Array(0);
          result.objective = Number.NaN;
        }
        if (status === 'error' && hasSolution) status = 'limit';
        result.status = status;
      } else {
        result.rowDual = new Float64Array(sol.rowDual);
      }
      return result;
    });
  }
}
