/**
 * Minimum-violation ranking: turn one target's pairwise preferences (a
 * weighted directed graph over sites, `w[a * S + b] > 0` meaning "a was seen
 * preferred over b" with that weight) into a linear order, best first, that
 * contradicts the least total weight of observed pairs (weighted minimum
 * feedback arc set).
 *
 * How: strongly connected components (Tarjan) split the graph; a ranking that
 * follows the condensation's topological order satisfies every edge between
 * components, so the optimum is the concatenation of per-component optima.
 * Components of up to `exactLimit` sites (default 12) are solved exactly by
 * dynamic programming over subsets (O(2^k k)); larger ones by a Copeland order
 * refined by insertion local search (a heuristic: not guaranteed optimal).
 * Where the observations leave the order open (incomparable components), a
 * caller-supplied comparator breaks the tie and the result is marked
 * ambiguous.
 *
 * Deviation from AnyOpt: the paper drops targets whose pairs form a cycle; we
 * rank them and report how much weight the ranking contradicts.
 */

export interface RankingResult {
  /** Total weight of observed pairs the ranking contradicts. */
  violatedWeight: number;
  /** Some component has more than one site (the pairs contain a cycle). */
  cyclic: boolean;
  /** The observations do not fix the order (a tie-break chose between incomparable sites). */
  ambiguous: boolean;
  /** Size of the largest strongly connected component. */
  largestComponent: number;
  /** Components ranked by the heuristic (larger than the exact limit). */
  heuristicComponents: number;
  /** Strongly connected component of each site (sites in one cycle share a number). */
  componentOf: Int32Array;
}

/**
 * Rank the sites `0..S-1`. `w` is S x S (row = preferred site); `tieBefore(a,
 * b) < 0` puts a first when the observations do not decide. Writes the order
 * into `out[outOffset .. outOffset + S)`.
 */
export function rankMinViolations(
  S: number,
  w: Float32Array,
  tieBefore: (a: number, b: number) => number,
  out: Uint16Array,
  outOffset: number,
  exactLimit = 12,
): RankingResult {
  const comp = stronglyConnectedComponents(S, w);
  const nComp = comp.count;
  // Members of each component.
  const members: number[][] = Array.from({ length: nComp }, () => []);
  for (let s = 0; s < S; s++) members[comp.of[s]].push(s);
  let largest = 0;
  let heuristic = 0;
  let violated = 0;
  // Order each component internally.
  for (let c = 0; c < nComp; c++) {
    const m = members[c];
    m.sort(tieBefore);
    if (m.length > largest) largest = m.length;
    if (m.length <= 1) continue;
    const ranked = m.length <= exactLimit ? exactOrder(m, S, w) : heuristicOrder(m, S, w);
    if (m.length > exactLimit) heuristic++;
    for (let i = 0; i < m.length; i++) m[i] = ranked[i];
  }
  // Topological order of the condensation; ties broken by each component's first member.
  const indeg = new Int32Array(nComp);
  for (let a = 0; a < S; a++) {
    for (let b = 0; b < S; b++) {
      if (w[a * S + b] > 0 && comp.of[a] !== comp.of[b]) indeg[comp.of[b]]++;
    }
  }
  const available: number[] = [];
  for (let c = 0; c < nComp; c++) if (indeg[c] === 0) available.push(c);
  let ambiguous = false;
  let k = 0;
  while (available.length > 0) {
    if (available.length > 1) ambiguous = true;
    let best = 0;
    for (let i = 1; i < available.length; i++) {
      if (tieBefore(members[available[i]][0], members[available[best]][0]) < 0) best = i;
    }
    const c = available[best];
    available[best] = available[available.length - 1];
    available.pop();
    for (const a of members[c]) {
      out[outOffset + k++] = a;
      for (let b = 0; b < S; b++) {
        if (w[a * S + b] > 0 && comp.of[b] !== c && --indeg[comp.of[b]] === 0) available.push(comp.of[b]);
      }
    }
  }
  // Contradicted weight (only inside components; edges between them all hold).
  for (let c = 0; c < nComp; c++) {
    const m = members[c];
    for (let i = 0; i < m.length; i++) for (let j = i + 1; j < m.length; j++) violated += w[m[j] * S + m[i]];
  }
  return { violatedWeight: violated, cyclic: largest > 1, ambiguous, largestComponent: largest, heuristicComponents: heuristic, componentOf: comp.of };
}

/** Tarjan's algorithm (iterative); components are numbered in reverse topological order. */
export function stronglyConnectedComponents(S: number, w: Float32Array): { of: Int32Array; count: number } {
  const index = new Int32Array(S).fill(-1);
  const low = new Int32Array(S);
  const onStack = new Uint8Array(S);
  const of = new Int32Array(S).fill(-1);
  const stack: number[] = [];
  const callV: number[] = [];
  const callNext: number[] = [];
  let counter = 0;
  let count = 0;
  for (let root = 0; root < S; root++) {
    if (index[root] >= 0) continue;
    callV.push(root);
    callNext.push(0);
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (callV.length > 0) {
      const v = callV[callV.length - 1];
      let b = callNext[callNext.length - 1];
      let descended = false;
      for (; b < S; b++) {
        if (!(w[v * S + b] > 0)) continue;
        if (index[b] < 0) {
          callNext[callNext.length - 1] = b + 1;
          index[b] = low[b] = counter++;
          stack.push(b);
          onStack[b] = 1;
          callV.push(b);
          callNext.push(0);
          descended = true;
          break;
        } else if (onStack[b] && index[b] < low[v]) {
          low[v] = index[b];
        }
      }
      if (descended) continue;
      callV.pop();
      callNext.pop();
      if (callV.length > 0) {
        const parent = callV[callV.length - 1];
        if (low[v] < low[parent]) low[parent] = low[v];
      }
      if (low[v] === index[v]) {
        let x: number;
        do {
          x = stack.pop()!;
          onStack[x] = 0;
          of[x] = count;
        } while (x !== v);
        count++;
      }
    }
  }
  return { of, count };
}

/**
 * Exact minimum-violation order of `m` (already sorted by the tie-break, which
 * decides between equally good orders) by DP over subsets: dp[mask] is the
 * least contradicted weight when the sites in `mask` are ranked first.
 */
function exactOrder(m: number[], S: number, w: Float32Array): number[] {
  const k = m.length;
  const full = (1 << k) - 1;
  // cost[v][mask]: weight of "v preferred over u" for u in mask (contradicted if v is ranked after mask).
  const cost = new Float32Array(k << k);
  for (let v = 0; v < k; v++) {
    const base = v << k;
    for (let mask = 1; mask <= full; mask++) {
      const low = 31 - Math.clz32(mask & -mask);
      cost[base + mask] = cost[base + (mask & (mask - 1))] + w[m[v] * S + m[low]];
    }
  }
  const dp = new Float32Array(1 << k).fill(Infinity);
  const choice = new Int8Array(1 << k);
  dp[0] = 0;
  for (let mask = 0; mask < full; mask++) {
    const d = dp[mask];
    if (d === Infinity) continue;
    for (let v = 0; v < k; v++) {
      if (mask & (1 << v)) continue;
      const next = mask | (1 << v);
      const c = d + cost[(v << k) + mask];
      if (c < dp[next] - 1e-6) {
        dp[next] = c;
        choice[next] = v;
      }
    }
  }
  const order = new Array<number>(k);
  let mask = full;
  for (let i = k - 1; i >= 0; i--) {
    const v = choice[mask];
    order[i] = m[v];
    mask &= ~(1 << v);
  }
  return order;
}

/** Copeland order (net preferred weight), then insertion moves while they reduce contradicted weight. */
function heuristicOrder(m: number[], S: number, w: Float32Array): number[] {
  const k = m.length;
  const score = new Map<number, number>();
  for (const a of m) {
    let sc = 0;
    for (const b of m) sc += w[a * S + b] - w[b * S + a];
    score.set(a, sc);
  }
  const order = m.slice().sort((a, b) => score.get(b)! - score.get(a)!);
  for (let pass = 0; pass < 100; pass++) {
    let improved = false;
    for (let i = 0; i < k; i++) {
      const x = order[i];
      // Gain of moving x to position j (others shift by one).
      let bestGain = 1e-6;
      let bestJ = i;
      let gain = 0;
      for (let j = i - 1; j >= 0; j--) {
        const y = order[j];
        gain += w[x * S + y] - w[y * S + x];
        if (gain > bestGain) {
          bestGain = gain;
          bestJ = j;
        }
      }
      gain = 0;
      for (let j = i + 1; j < k; j++) {
        const y = order[j];
        gain += w[y * S + x] - w[x * S + y];
        if (gain > bestGain) {
          bestGain = gain;
          bestJ = j;
        }
      }
      if (bestJ !== i) {
        order.splice(i, 1);
        order.splice(bestJ, 0, x);
        improved = true;
      }
    }
    if (!improved) break;
  }
  return order;
}
