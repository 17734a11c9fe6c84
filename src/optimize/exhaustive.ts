/**
 * Exhaustive site selection: the exact cost of EVERY subset of the free sites
 * at once, by subset sums (the zeta transform) instead of evaluating subsets
 * one by one. Used up to 24 free sites, where it takes seconds regardless of
 * how the orders look (branch and bound is faster on BGP-shaped orders but
 * degrades towards full enumeration on random ones).
 *
 * Why it works: a trie node n (site s, ancestor sites P) contributes its cost
 * exactly when s announces and none of P does. Summing those terms by (s, P)
 * and taking subset sums over P gives, for each s, G_s(X) = the cost of the
 * targets that reach s when the non-announcing sites are X. Then
 * cost(A) = sum over s in A of G_s(complement of A), plus the cost of the
 * targets left unreached, which is one more subset sum over their order sets.
 * Required sites announce, excluded sites never do, so both leave the
 * universe (terms behind a required site vanish; excluded ones drop out of P).
 * Per-site loads follow the same algebra, which makes capacities exact too.
 *
 * Memory: 8 bytes x 2^F for the costs plus 8 bytes x 2^(F-1) working space
 * (134 MB + 67 MB at F = 24); time about F^2 x 2^(F-1) additions.
 */
import type { OrderTrie, TrieCosts } from './instance.js';

export const MAX_EXHAUSTIVE_FREE_SITES = 24;

export interface ExhaustiveOptions {
  minSites: number;
  maxSites: number;
  required: Uint8Array;
  excluded: Uint8Array;
  capacity?: Float64Array;
  /** Decision mode: any subset with cost <= target will do. */
  target?: number;
  /** Polled once per site; true abandons the search (result `stopped`). */
  shouldStop?: () => boolean;
}

export interface ExhaustiveResult {
  /** Best subset, undefined when none meets the constraints. */
  subset?: Uint8Array;
  cost: number;
  /** Subsets that met every constraint. */
  feasible: number;
  /** Abandoned on request before the end. */
  stopped?: boolean;
}

function zeta(f: Float64Array, bits: number): void {
  const N = 2 ** bits;
  for (let h = 1; h < N; h *= 2) {
    const step = 2 * h;
    for (let base = 0; base < N; base += step) {
      const e = base + step;
      for (let j = base + h; j < e; j++) f[j] += f[j - h];
    }
  }
}

/** Remove bit b from x (pack the other bits). */
function pack(x: number, b: number): number {
  const low = x & ((1 << b) - 1);
  return ((x >>> (b + 1)) << b) | low;
}

export function exhaustiveSearch(trie: OrderTrie, costs: TrieCosts, o: ExhaustiveOptions): ExhaustiveResult {
  const S = trie.S;
  const free: number[] = [];
  const bitOf = new Int32Array(S).fill(-1);
  let nReq = 0;
  for (let s = 0; s < S; s++) {
    if (o.required[s]) nReq++;
    else if (!o.excluded[s]) {
      bitOf[s] = free.length;
      free.push(s);
    }
  }
  const F = free.length;
  if (F > MAX_EXHAUSTIVE_FREE_SITES) throw new Error(`exhaustive search handles up to ${MAX_EXHAUSTIVE_FREE_SITES} free sites, got ${F}`);
  const N = 2 ** F;
  const fullF = N - 1;
  const capacity = o.capacity;
  const hasCap = (s: number) => capacity !== undefined && Number.isFinite(capacity[s]);

  // Collect terms per trie node: (kind, site, prefix over free bits).
  type Visit = (termSite: number, P: number, i: number) => void;
  const walk = (visit: Visit, endVisit: ((P: number, i: number) => void) | undefined) => {
    const rec = (i: number, P: number) => {
      const s = trie.site[i];
      visit(s, P, i);
      if (o.required[s]) return; // every target below goes to s or earlier
      const Pn = o.excluded[s] ? P : P | (1 << bitOf[s]);
      endVisit?.(Pn, i);
      const stop = i + trie.size[i];
      for (let c = i + 1; c < stop; c += trie.size[c]) rec(c, Pn);
    };
    for (let i = 0; i < trie.nodes; i += trie.size[i]) rec(i, 0);
  };

  const cost = new Float64Array(N);
  // Terms that only need "none of X announces": required-site wins and unreached ends.
  cost.fill(0);
  {
    const h = new Float64Array(N);
    walk(
      (s, P, i) => {
        if (o.required[s]) h[P] += costs.win[i];
      },
      (P, i) => {
        h[P] += costs.end[i];
      },
    );
    zeta(h, F);
    for (let A = 0; A < N; A++) cost[A] = costs.constant + h[fullF & ~A];
  }
  const ok = capacity ? new Uint8Array(N).fill(1) : undefined;
  const half = F > 0 ? 2 ** (F - 1) : 1;
  const g = new Float64Array(half);
  const fullHalf = half - 1;
  for (let b = 0; b < F; b++) {
    if (o.shouldStop?.()) return { cost: Infinity, feasible: 0, stopped: true };
    const s = free[b];
    for (const pass of hasCap(s) ? ['cost', 'load'] : ['cost']) {
      g.fill(0);
      const values = pass === 'cost' ? costs.win : costs.load;
      walk((ts, P, i) => {
        if (ts === s) g[pack(P, b)] += values[i];
      }, undefined);
      zeta(g, F - 1);
      const lowMask = (1 << b) - 1;
      const bit = 1 << b;
      if (pass === 'cost') {
        for (let p = 0; p < half; p++) {
          const A = ((p >>> b) << (b + 1)) | bit | (p & lowMask);
          cost[A] += g[fullHalf & ~p];
        }
      } else {
        const cap = capacity![s] * (1 + 1e-12);
        for (let p = 0; p < half; p++) {
          if (g[fullHalf & ~p] > cap) ok![((p >>> b) << (b + 1)) | bit | (p & lowMask)] = 0;
        }
      }
    }
  }
  // Loads of required sites with a capacity.
  if (capacity) {
    for (let s = 0; s < S; s++) {
      if (!o.required[s] || !hasCap(s)) continue;
      const h = new Float64Array(N);
      walk((ts, P, i) => {
        if (ts === s) h[P] += costs.load[i];
      }, undefined);
      zeta(h, F);
      const cap = capacity[s] * (1 + 1e-12);
      for (let A = 0; A < N; A++) if (h[fullF & ~A] > cap) ok![A] = 0;
    }
  }
  let best = -1;
  let bestCost = Infinity;
  let feasible = 0;
  const target = o.target;
  for (let A = 0; A < N; A++) {
    let n = nReq;
    for (let x = A; x !== 0; x &= x - 1) n++;
    if (n < o.minSites || n > o.maxSites || (ok && !ok[A])) continue;
    feasible++;
    if (cost[A] < bestCost) {
      bestCost = cost[A];
      best = A;
      if (target !== undefined && bestCost <= target) break;
    }
  }
  if (best < 0) return { cost: Infinity, feasible };
  const subset = Uint8Array.from(o.required);
  for (let b = 0; b < F; b++) if ((best >>> b) & 1) subset[free[b]] = 1;
  return { subset, cost: bestCost, feasible };
}
