/**
 * Pairwise ordering cuts for the LP over prefix sets (`lp-bound.ts`): valid inequalities that tie
 * two classes' assignments together, found in an LP solution and added to the next solve.
 *
 * For classes i and l and a site j in both orders, W_i(j) = the sites i likes at least as much as
 * j. If l is served by a site k in W_i(j) that l likes less than j, then k announces (so i is
 * served within W_i(j)) and j does not (else l would be served by j or better). So the events
 * "j announces" and "l is served by such a k" are disjoint and each means i is served within
 * W_i(j):
 *
 *   F_i(j) >= y_j + sum over k in W_i(j) with j before k in l's order of x_lk
 *
 * where F_i(j) is the share of i served within W_i(j) (the F of its prefix set) and x_lk = F_l at
 * k's position minus F_l one position before. The usual closest-assignment row is the case
 * without l. (The family is the strengthening of Canovas, Garcia, Labbe and Marin, 2007, for the
 * simple plant location problem with order; derived here from the argument above.) Only
 * positions within both classes' cut depths are used; terms past l's depth are left out, which
 * weakens a cut but keeps it valid, so a cut found at one depth stays valid when classes deepen.
 *
 * Measured on clustered synthetic orders (a prototype of this separation, orders uncut, each
 * round solved to optimality): at 45 sites x 20,000 targets (1,000 classes) the LP of 33.08 ms
 * rose to 33.66 after one round and to 33.87 when no violated cut was left (four rounds), against
 * the optimum of 34.27 (HiGHS branch and bound): the gap fell from 3.48% to 1.18%; the optimizer
 * under its 60 s limit reaches the same 33.87. At 200 x 100,000 (5,000 classes) cut at 12 sites:
 * 21.89 -> 22.11 -> 22.16 ms in three solves of 35 to 40 s, against a best plan of 22.95, so
 * within 60 s there it gains nothing over the deeper LP. Tried and not adopted: any announcing
 * site m that i likes at least as much as j in place of j (y_m, and l's share at those sites that
 * l likes less than m), a stronger family: 33.89 ms after five rounds at 45 x 20,000 against 33.87
 * for the pairs above, with solves a third slower.
 */
import type { Classes } from './instance.js';
import type { RowBuilder } from '../solver/solver.js';

/** Where build() put each class's prefix nodes, and their cut depths (see `Built`). */
export interface PathLayout {
  depth: Int32Array;
  path: Int32Array;
  pathStart: Int32Array;
}

function deepestCut(layout: PathLayout): number {
  let d = 0;
  for (const x of layout.depth) if (x > d) d = x;
  return d;
}

/** Most cuts one separation adds, and most per (class, position). */
const MAX_NEW_CUTS = 20_000;
const PER_POSITION = 2;
/** Violations below this are not worth a row. */
const MIN_VIOLATION = 1e-3;

export class CutPool {
  /** Cut q: class cutI[q], its position cutA[q] (the site j), the other class cutL[q]. */
  private cutI: number[] = [];
  private cutA: number[] = [];
  private cutL: number[] = [];
  private readonly seen = new Set<number>();

  constructor(private readonly cl: Classes) {}

  get size(): number {
    return this.cutI.length;
  }

  /**
   * Appends one row per cut that fits the layout's depths (row >= 0), columns as in build(): site
   * s is column s, node v is S + v (numCols columns in all). Returns how many rows were added.
   */
  rows(layout: PathLayout, numCols: number, rows: RowBuilder): number {
    const maxDepth = deepestCut(layout);
    const acc = new Float64Array(numCols);
    const touched = new Int32Array(2 * maxDepth + 2);
    let n = 0;
    for (let q = 0; q < this.cutI.length; q++) {
      const cols = this.expression(q, layout, acc, touched);
      if (cols < 0) continue;
      for (let t = 0; t < cols; t++) {
        const col = touched[t];
        if (acc[col] !== 0) rows.put(col, acc[col]);
        acc[col] = 0;
      }
      rows.end(0, Infinity);
      n++;
    }
    return n;
  }

  /**
   * Cut q's coefficients summed into acc (columns listed in touched; the caller clears them), or
   * -1 when a position it uses lies past the layout's depths. Columns come out sorted.
   */
  private expression(q: number, layout: PathLayout, acc: Float64Array, touched: Int32Array): number {
    const { cl } = this;
    const S = cl.S;
    const i = this.cutI[q];
    const a = this.cutA[q];
    const l = this.cutL[q];
    const { depth, path, pathStart } = layout;
    const j = cl.order[i * S + a];
    const rj = cl.rank[l * S + j];
    if (a >= depth[i] || rj >= depth[l]) return -1;
    let n = 0;
    const add = (col: number, v: number) => {
      if (acc[col] === 0) {
        // A column may come back after cancelling to 0; listing it twice only costs a skipped entry.
        touched[n++] = col;
      }
      acc[col] += v;
    };
    add(S + path[pathStart[i] + a], 1);
    add(j, -1);
    const pl = pathStart[l];
    for (let b = rj + 1; b < depth[l]; b++) {
      if (cl.rank[i * S + cl.order[l * S + b]] > a) continue;
      add(S + path[pl + b], -1);
      add(S + path[pl + b - 1], 1);
    }
    // Sorted and without repeats, as the solver's rows want them.
    const cols = Array.from(touched.subarray(0, n)).sort((x, y) => x - y);
    let m = 0;
    for (let t = 0; t < cols.length; t++) if (t === 0 || cols[t] !== cols[t - 1]) touched[m++] = cols[t];
    return m;
  }

  /**
   * Adds the most violated cuts at an LP solution (columns as in build()); returns how many; `stop`
   * ends the search early (checked every 64 classes) with the cuts found so far. Per
   * class i and position a, the classes l served (in part) by a site of i's prefix are tried, with
   * the sum over W_i(j) kept in a Fenwick tree over l's positions as a grows.
   */
  separate(layout: PathLayout, x: Float64Array | number[], stop?: () => boolean): number {
    const { cl } = this;
    const S = cl.S;
    const C = cl.count;
    const { depth, path, pathStart } = layout;
    const F = (c: number, b: number) => (b < 0 ? 0 : x[S + path[pathStart[c] + b]]);
    // Classes served (in part) by each site within their depth.
    const users: number[][] = Array.from({ length: S }, () => []);
    for (let c = 0; c < C; c++) {
      let prev = 0;
      for (let b = 0; b < depth[c]; b++) {
        const f = F(c, b);
        if (f - prev > 1e-6) users[cl.order[c * S + b]].push(c);
        prev = f;
      }
    }
    const maxDepth = deepestCut(layout);
    const fen = new Float64Array(maxDepth + 1);
    const stamp = new Int32Array(C).fill(-1);
    const cand: number[] = [];
    const found: Array<{ v: number; i: number; a: number; l: number }> = [];
    const perA: Array<Array<{ v: number; l: number }>> = Array.from({ length: maxDepth }, () => []);
    for (let i = 0; i < C; i++) {
      // Out of time: the cuts found so far (checked every 64 classes).
      if (stop && (i & 63) === 0 && i > 0 && stop()) break;
      const di = depth[i];
      if (di === 0) continue;
      cand.length = 0;
      for (let a = 0; a < di; a++) {
        for (const l of users[cl.order[i * S + a]]) {
          if (l !== i && stamp[l] !== i) {
            stamp[l] = i;
            cand.push(l);
          }
        }
      }
      for (let a = 0; a < di; a++) perA[a].length = 0;
      for (const l of cand) {
        const dl = depth[l];
        const fEnd = F(l, dl - 1);
        fen.fill(0, 0, dl + 1);
        for (let a = 0; a < di; a++) {
          const k = cl.order[i * S + a];
          const p = cl.rank[l * S + k];
          if (p < dl) {
            const share = F(l, p) - F(l, p - 1);
            if (share > 0) for (let t = p + 1; t <= dl; t += t & -t) fen[t] += share;
          }
          // j = k: the cut needs j within l's depth.
          if (p >= dl) continue;
          const base = x[k] - F(i, a);
          // Upper bound on the sum: l's share served past j within its depth.
          if (base + fEnd - F(l, p) <= MIN_VIOLATION) continue;
          // Sum of the shares at positions p+1 .. dl-1 added so far: total minus prefix up to p.
          let total = 0;
          for (let t = dl; t > 0; t -= t & -t) total += fen[t];
          let upTo = 0;
          for (let t = p + 1; t > 0; t -= t & -t) upTo += fen[t];
          const v = base + total - upTo;
          if (v > MIN_VIOLATION) perA[a].push({ v, l });
        }
      }
      for (let a = 0; a < di; a++) {
        const list = perA[a];
        if (list.length === 0) continue;
        list.sort((p, q) => q.v - p.v);
        for (let t = 0; t < list.length && t < PER_POSITION; t++) found.push({ v: list[t].v, i, a, l: list[t].l });
      }
    }
    found.sort((p, q) => q.v - p.v);
    let added = 0;
    for (const f of found) {
      const key = (f.i * S + f.a) * C + f.l;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.cutI.push(f.i);
      this.cutA.push(f.a);
      this.cutL.push(f.l);
      if (++added >= MAX_NEW_CUTS) break;
    }
    return added;
  }
}
