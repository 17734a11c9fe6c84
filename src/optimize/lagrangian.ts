/**
 * A Lagrangian lower bound for site selection with any number of sites: the
 * proven bound that heuristic plans (past 30 sites) report their gap against.
 *
 * The trie bound of `exact.ts` lets every trie node decide on its own
 * whether its targets take the node's site or look further; the real problem
 * needs one decision y_s per site. Write d_n for node n's decision (defined
 * for every node: "take if reached") and relax the coupling d_n = y_{s_n}
 * with a multiplier mu_n per node:
 *
 *   L(mu) = min_d [ trie cost(d) - sum_n mu_n d_n ] + min_y sum_s y_s sum_{n: s_n = s} mu_n
 *
 * Both inner problems are easy: the first is the trie recursion with node
 * values shifted by mu (nodes below a taken node are free and take d_n = 1
 * exactly when mu_n > 0); the second picks the sites with the most negative
 * total multiplier within the size limits. Every mu gives a valid lower
 * bound, mu = 0 gives the plain trie bound, and subgradient steps
 * (g_n = y_{s_n} - d_n, Polyak step towards the best known plan) raise it.
 * Required and excluded sites are fixed and carry no multiplier.
 */
import type { SizeLimits } from './heuristic.js';
import type { OrderTrie, TrieCosts } from './instance.js';

export interface LagrangianOptions {
  minSites: number;
  maxSites: number;
  required: Uint8Array;
  excluded: Uint8Array;
  /** Cost of the best known plan (the step aims at it). */
  upperBound: number;
  /** Most subgradient iterations (default 1000). */
  iterations?: number;
  /** First Polyak step factor (default 2), halved after `patience` iterations without progress (default 30). */
  theta0?: number;
  patience?: number;
  shouldStop?: () => boolean;
}

export interface LagrangianResult {
  lowerBound: number;
  iterations: number;
  /** The site choice of the best multiplier's y-subproblem (a plan worth polishing). */
  sites: Uint8Array;
}

export function lagrangianBound(trie: OrderTrie, costs: TrieCosts, o: LagrangianOptions): LagrangianResult {
  const N = trie.nodes;
  const S = trie.S;
  const { site, size } = trie;
  const { win, end } = costs;
  const state = new Uint8Array(S);
  for (let s = 0; s < S; s++) state[s] = o.required[s] ? 1 : o.excluded[s] ? 2 : 0;
  const mu = new Float64Array(N);
  const sub = new Float64Array(N); // sum over the subtree of max(0, mu)
  const value = new Float64Array(N);
  const take = new Uint8Array(N);
  const d = new Uint8Array(N);
  const siteMu = new Float64Array(S);
  const y = new Uint8Array(S);
  const bestY = new Uint8Array(S);

  let best = -Infinity;
  let theta = o.theta0 ?? 2;
  let sinceBest = 0;
  const maxIter = o.iterations ?? 1000;
  let it = 0;
  for (; it < maxIter; it++) {
    if (o.shouldStop?.()) break;
    // Subproblem 1: trie recursion, children before parents (reverse preorder).
    for (let n = N - 1; n >= 0; n--) {
      const stop = n + size[n];
      let childSub = 0;
      let deeper = end[n];
      for (let c = n + 1; c < stop; c += size[c]) {
        childSub += sub[c];
        deeper += value[c];
      }
      const m = mu[n];
      sub[n] = childSub + (m > 0 ? m : 0);
      const st = state[site[n]];
      const takeVal = win[n] - m - childSub;
      if (st === 1 || (st === 0 && takeVal < deeper)) {
        value[n] = takeVal;
        take[n] = 1;
      } else {
        value[n] = deeper;
        take[n] = 0;
      }
    }
    let L = costs.constant;
    for (let r = 0; r < N; r += size[r]) L += value[r];
    // d for every node: reached nodes follow the recursion, nodes under a taken node take when mu > 0.
    {
      // Preorder walk; nodes before `unreachedEnd` sit under a taken node.
      let unreachedEnd = -1;
      for (let n = 0; n < N; n++) {
        if (n < unreachedEnd) {
          d[n] = mu[n] > 0 ? 1 : 0;
          continue;
        }
        d[n] = take[n];
        if (take[n]) unreachedEnd = n + size[n];
      }
    }
    // Subproblem 2: sites.
    siteMu.fill(0);
    for (let n = 0; n < N; n++) siteMu[site[n]] += mu[n];
    L += cheapestSites(siteMu, o, y);
    if (best === -Infinity || L > best + Math.abs(best) * 1e-9) {
      best = L;
      bestY.set(y);
      sinceBest = 0;
    } else if (++sinceBest >= (o.patience ?? 30)) {
      theta /= 2;
      sinceBest = 0;
      if (theta < 1e-4) break;
    }
    // Subgradient on open-site nodes.
    let norm = 0;
    for (let n = 0; n < N; n++) {
      if (state[site[n]] !== 0) continue;
      const g = y[site[n]] - d[n];
      norm += g * g;
    }
    if (norm === 0) break; // the relaxation is consistent: L is the optimum of its plan
    const gapToUb = o.upperBound - L;
    if (gapToUb <= Math.abs(o.upperBound) * 1e-12) break;
    const step = (theta * gapToUb) / norm;
    for (let n = 0; n < N; n++) {
      if (state[site[n]] !== 0) continue;
      mu[n] += step * (y[site[n]] - d[n]);
    }
  }
  return { lowerBound: best, iterations: it, sites: bestY };
}

/**
 * The site part of a relaxation (here and in `lp-bound.ts`): the least sum_s y_s pi_s over
 * y in {0,1}^S within the size limits, required sites in and excluded ones out. Writes the
 * choice into `y` when given.
 */
export function cheapestSites(pi: Float64Array, lim: SizeLimits, y?: Uint8Array): number {
  const S = pi.length;
  y?.fill(0);
  let sum = 0;
  let count = 0;
  const free: number[] = [];
  for (let s = 0; s < S; s++) {
    if (lim.required[s]) {
      sum += pi[s];
      count++;
      if (y) y[s] = 1;
    } else if (!lim.excluded[s]) free.push(s);
  }
  free.sort((a, b) => pi[a] - pi[b]);
  for (const s of free) {
    if (count >= lim.maxSites) break;
    if (pi[s] < 0 || count < lim.minSites) {
      sum += pi[s];
      count++;
      if (y) y[s] = 1;
    }
  }
  return sum;
}
