/**
 * The solver interface: linear and mixed-integer programs as typed arrays.
 * The only implementation is the HiGHS adapter in `highs.ts`, loaded lazily by
 * `loadSolver()` so commands that never solve (and `--help`) never pay for the
 * WebAssembly module. Never put prefixes or provider names into model names:
 * the problem carries no names at all.
 */

export interface SparseMatrix {
  /** `csc`: starts per column, indices are rows; `csr`: starts per row, indices are columns. */
  format: 'csc' | 'csr';
  starts: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

export interface LinearProblem {
  sense?: 'min' | 'max';
  numCols: number;
  numRows: number;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  matrix: SparseMatrix;
  /** 1 for integer columns, 0 for continuous; omitted means an LP. */
  integrality?: Int32Array;
  offset?: number;
}

export interface SolveOptions {
  /** Seconds; default no limit. */
  timeLimitS?: number;
  /** Relative MIP gap at which to stop (HiGHS default 1e-4). */
  mipRelGap?: number;
  /** LP algorithm. */
  method?: 'choose' | 'simplex' | 'ipm';
  /** Interior point only: false skips the crossover to a basic solution (faster; the duals stay interior). */
  crossover?: boolean;
  /** false skips presolve (then an interior-point solve stopped by the time limit still returns its last iterate, whose duals certify a bound). */
  presolve?: boolean;
  /** A feasible start (MIP) or primal start (LP). */
  start?: Float64Array;
}

export type SolveStatus = 'optimal' | 'infeasible' | 'unbounded' | 'time-limit' | 'limit' | 'error';

export interface SolveResult {
  status: SolveStatus;
  /** Objective of the returned solution (NaN when there is none). */
  objective: number;
  /** Column values (empty when there is no solution). */
  colValue: Float64Array;
  /** Row duals, LPs only. */
  rowDual?: Float64Array;
  /** MIPs: best proven bound on the objective. */
  bound?: number;
  /** MIPs: relative gap between objective and bound. */
  gap?: number;
  /** Solver wall time in seconds as HiGHS counts it. */
  runTimeS: number;
  /** Infinity value of this solver build, for bounds. */
}

export interface Solver {
  readonly name: string;
  readonly infinity: number;
  solve(problem: LinearProblem, options?: SolveOptions): SolveResult;
}

/**
 * The solver gave up on a problem for want of memory (HiGHS as WebAssembly aborts past its 2 GiB
 * cap): callers fall back to what they have or tell the user the problem is too large for it.
 */
export class SolverAbortedError extends Error {
  constructor(
    readonly numCols: number,
    readonly numRows: number,
    readonly nonzeros: number,
    cause: string,
  ) {
    super(
      `the solver aborted (${cause}) on a problem of ${numCols.toLocaleString('en-US')} columns, ${numRows.toLocaleString('en-US')} rows and ` +
        `${nonzeros.toLocaleString('en-US')} nonzeros: HiGHS as WebAssembly has at most 2 GiB of memory`,
    );
    this.name = 'SolverAbortedError';
  }
}

let pending: Promise<Solver> | undefined;

/** Load the solver once per process (the WebAssembly module takes 30 to 45 ms). */
export function loadSolver(): Promise<Solver> {
  pending ??= import('./highs.js').then((m) => m.createHighsSolver());
  return pending;
}

/** The rows of a CSR matrix, built one at a time: `put` a row's entries, then `end` it with its bounds. */
export class RowBuilder {
  private idx = new Int32Array(1 << 16);
  private val = new Float64Array(1 << 16);
  private nnz = 0;
  private readonly starts: number[] = [0];
  private readonly lower: number[] = [];
  private readonly upper: number[] = [];

  put(col: number, v: number): void {
    if (this.nnz === this.idx.length) {
      const idx = new Int32Array(this.idx.length * 2);
      idx.set(this.idx);
      this.idx = idx;
      const val = new Float64Array(this.val.length * 2);
      val.set(this.val);
      this.val = val;
    }
    this.idx[this.nnz] = col;
    this.val[this.nnz++] = v;
  }

  /** Rows ended so far. */
  get count(): number {
    return this.lower.length;
  }

  end(lo: number, hi: number): void {
    this.starts.push(this.nnz);
    this.lower.push(lo);
    this.upper.push(hi);
  }

  /** The rows as a problem's row count, row bounds and matrix. */
  finish(): Pick<LinearProblem, 'numRows' | 'rowLower' | 'rowUpper' | 'matrix'> {
    return {
      numRows: this.lower.length,
      rowLower: Float64Array.from(this.lower),
      rowUpper: Float64Array.from(this.upper),
      matrix: { format: 'csr', starts: Int32Array.from(this.starts), indices: this.idx.slice(0, this.nnz), values: this.val.slice(0, this.nnz) },
    };
  }
}
