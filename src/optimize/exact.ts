/**
 * Exact site selection (SPLPO: simple plant location with preference orders)
 * by depth-first branch and bound over the sites, on the order trie of
 * `instance.ts`. Subsets are bitmasks, so this path handles up to 30 sites.
 *
 * A search node fixes some sites in (I) and some out (E); the rest (U) are
 * open. The bound walks the trie: a node whose site is in I takes all its
 * targets at that site (exact); a node whose site is in E passes them on to
 * its children; a node whose site is open takes the cheaper of the two. Each
 * trie node choosing on its own relaxes the one global choice per site, so the
 * bound is valid, and it is exact once U is empty. Because a subtree's
 * deeper cost only grows as children are added, the walk stops under an open
 * node as soon as the deeper cost reaches the node's own cost.
 *
 * Capacities (a load per site that must not be exceeded) prune with the
 * load an included site gets for sure: targets whose order reaches it
 * through excluded sites only. Cardinality bounds (`--k`, `--max-sites`)
 * prune on counts. Required sites start in I, excluded ones in E.
 *
 * Not done: bounds that account for the cardinality limit (a Lagrangian
 * price per site would tighten them for small k).
 */
import type { OrderTrie, TrieCosts } from './instance.js';

export interface ExactOptions {
  minSites: number;
  maxSites: number;
  /** Bitmask of sites that must announce. */
  required: number;
  /** Bitmask of sites that must not announce. */
  excluded: number;
  /** Per site; Infinity (or NaN) means no limit. */
  capacity?: Float64Array;
  /** A known feasible subset and its cost (upper bound to start from). */
  incumbent?: { mask: number; cost: number };
  /** Polled every few hundred nodes; true stops the search (result status `stopped`). */
  shouldStop?: () => boolean;
  /** Decision mode: stop at the first subset with cost <= target; prune everything above it. */
  target?: number;
}

export interface ExactResult {
  /** Best subset found (bitmask), -1 when none. */
  mask: number;
  cost: number;
  /** Proven lower bound on the optimum (equals cost when optimal). */
  lowerBound: number;
  status: 'optimal' | 'infeasible' | 'stopped' | 'target-met' | 'target-unreachable';
  nodes: number;
}

export const MAX_EXACT_SITES = 30;

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export class BranchAndBound {
  private I = 0;
  private E = 0;
  private readonly site: Uint16Array;
  private readonly size: Int32Array;
  private readonly win: Float64Array;
  private readonly end: Float64Array;
  private readonly load: Float64Array;
  private readonly loads: Float64Array;
  private readonly roots: Int32Array;

  constructor(
    private readonly trie: OrderTrie,
    private readonly costs: TrieCosts,
  ) {
    if (trie.S > MAX_EXACT_SITES) throw new Error(`exact search handles up to ${MAX_EXACT_SITES} sites, got ${trie.S}`);
    this.site = trie.site;
    this.size = trie.size;
    this.win = costs.win;
    this.end = costs.end;
    this.load = costs.load;
    this.loads = new Float64Array(trie.S);
    const roots: number[] = [];
    for (let i = 0; i < trie.nodes; i += trie.size[i]) roots.push(i);
    this.roots = Int32Array.from(roots);
  }

  private nodeBound(i: number): number {
    const s = this.site[i];
    const w = this.win[i];
    if ((this.I >>> s) & 1) return w;
    const open = ((this.E >>> s) & 1) === 0;
    let deeper = this.end[i];
    const stop = i + this.size[i];
    const size = this.size;
    for (let c = i + 1; c < stop; c += size[c]) {
      deeper += this.nodeBound(c);
      if (open && deeper >= w) return w;
    }
    return open && w < deeper ? w : deeper;
  }

  /** Lower bound on the cost of every subset A with I ⊆ A and A ∩ E = ∅ (exact when I ∪ E covers all sites). */
  bound(I: number, E: number): number {
    this.I = I;
    this.E = E;
    let total = this.costs.constant;
    const roots = this.roots;
    for (let r = 0; r < roots.length; r++) total += this.nodeBound(roots[r]);
    return total;
  }

  /** Loads the sites in I get whatever the open sites do; returns false when one exceeds its capacity. */
  private capacityOk(I: number, E: number, capacity: Float64Array, exact: boolean): boolean {
    const loads = this.loads;
    loads.fill(0);
    const { site, size, load } = this;
    const n = this.trie.nodes;
    let i = 0;
    while (i < n) {
      const s = site[i];
      if ((I >>> s) & 1) {
        loads[s] += load[i];
        i += size[i];
      } else if (exact || (E >>> s) & 1) i++;
      else i += size[i];
    }
    for (let s = 0; s < loads.length; s++) if (loads[s] > capacity[s] * (1 + 1e-12)) return false;
    return true;
  }

  solve(opts: ExactOptions): ExactResult {
    const S = this.trie.S;
    const full = ((1 << S) - 1) >>> 0;
    const capacity = opts.capacity && Array.from(opts.capacity).some((c) => Number.isFinite(c)) ? opts.capacity : undefined;
    const decision = opts.target !== undefined;
    let best = -1;
    let bestCost = Infinity;
    let ub = Infinity;
    if (opts.incumbent) {
      best = opts.incumbent.mask;
      bestCost = opts.incumbent.cost;
      ub = bestCost;
    }
    if (decision) ub = Math.min(ub, opts.target! + Math.abs(opts.target!) * 1e-12 + 1e-12);
    const tol = (x: number) => Math.abs(x) * 1e-12;

    // Branch on sites by decreasing first-choice load.
    const firstLoad = new Float64Array(S);
    for (const r of this.roots) firstLoad[this.site[r]] += this.load[r];
    const order = Array.from({ length: S }, (_, s) => s)
      .filter((s) => !(((opts.required | opts.excluded) >>> s) & 1))
      .sort((a, b) => firstLoad[b] - firstLoad[a] || a - b);

    const stackI = new Int32Array(2 * S + 4);
    const stackE = new Int32Array(2 * S + 4);
    const stackLb = new Float64Array(2 * S + 4);
    let top = 0;
    let nodes = 0;
    let stopped = false;
    let targetMet = false;
    const I0 = opts.required >>> 0;
    const E0 = opts.excluded >>> 0;
    if ((I0 & E0) !== 0) return { mask: -1, cost: Infinity, lowerBound: Infinity, status: 'infeasible', nodes };
    stackI[top] = I0 | 0;
    stackE[top] = E0 | 0;
    stackLb[top] = this.bound(I0, E0);
    top++;

    const leaf = (A: number) => {
      const cost = this.bound(A, (full & ~A) >>> 0);
      if (cost < ub - tol(ub) || (best < 0 && cost <= ub + tol(ub))) {
        if (capacity && !this.capacityOk(A, (full & ~A) >>> 0, capacity, true)) return;
        best = A;
        bestCost = cost;
        ub = cost;
        if (decision) targetMet = true;
      }
    };

    while (top > 0) {
      if ((++nodes & 255) === 0 && opts.shouldStop?.()) {
        stopped = true;
        break;
      }
      top--;
      const I = stackI[top] >>> 0;
      const E = stackE[top] >>> 0;
      const lb = stackLb[top];
      if (lb > ub + tol(ub) || (best >= 0 && lb >= ub - tol(ub))) continue;
      const nI = popcount(I);
      const U = (full & ~(I | E)) >>> 0;
      const nU = popcount(U);
      if (nI > opts.maxSites || nI + nU < opts.minSites) continue;
      if (capacity && !this.capacityOk(I, E, capacity, false)) continue;
      if (nU === 0 || nI === opts.maxSites || nI + nU === opts.minSites) {
        leaf(nI === opts.maxSites || nU === 0 ? I : (I | U) >>> 0);
        if (targetMet) break;
        continue;
      }
      let s = -1;
      for (const c of order) {
        if ((U >>> c) & 1) {
          s = c;
          break;
        }
      }
      const bit = (1 << s) >>> 0;
      const inI = (I | bit) >>> 0;
      const outE = (E | bit) >>> 0;
      const lbIn = this.bound(inI, E);
      const lbOut = this.bound(I, outE);
      // Push the worse child first so the better one is explored first.
      const pushIn = () => {
        stackI[top] = inI | 0;
        stackE[top] = E | 0;
        stackLb[top] = Math.max(lb, lbIn);
        top++;
      };
      const pushOut = () => {
        stackI[top] = I | 0;
        stackE[top] = outE | 0;
        stackLb[top] = Math.max(lb, lbOut);
        top++;
      };
      if (lbIn <= lbOut) {
        pushOut();
        pushIn();
      } else {
        pushIn();
        pushOut();
      }
    }

    if (decision) {
      if (targetMet) return { mask: best, cost: bestCost, lowerBound: -Infinity, status: 'target-met', nodes };
      if (!stopped) return { mask: best, cost: bestCost, lowerBound: opts.target!, status: 'target-unreachable', nodes };
    }
    if (stopped) {
      let lower = bestCost;
      for (let k = 0; k < top; k++) lower = Math.min(lower, stackLb[k]);
      return { mask: best, cost: bestCost, lowerBound: lower, status: 'stopped', nodes };
    }
    if (best < 0) return { mask: -1, cost: Infinity, lowerBound: Infinity, status: 'infeasible', nodes };
    return { mask: best, cost: bestCost, lowerBound: bestCost, status: 'optimal', nodes };
  }
}

/**
 * The same trie bound for any number of sites, with the sites' state given
 * as an array (0 open, 1 in, 2 out): the proven lower bound reported next to
 * heuristic plans past 30 sites.
 */
export function trieBound(trie: OrderTrie, costs: TrieCosts, state: Uint8Array): number {
  const { site, size } = trie;
  const { win, end } = costs;
  const nodeBound = (i: number): number => {
    const st = state[site[i]];
    const w = win[i];
    if (st === 1) return w;
    let deeper = end[i];
    const stop = i + size[i];
    for (let c = i + 1; c < stop; c += size[c]) {
      deeper += nodeBound(c);
      if (st === 0 && deeper >= w) return w;
    }
    return st === 0 && w < deeper ? w : deeper;
  };
  let total = costs.constant;
  for (let i = 0; i < trie.nodes; i += size[i]) total += nodeBound(i);
  return total;
}
