/**
 * The optimisation instance: the preference model compiled for search.
 *
 * Targets with identical preference orders always land on the same site, so
 * they merge. We go further and merge shared order PREFIXES: the orders form a
 * trie (root = nothing announced yet; a node at depth d = "the first d sites of
 * the order"). For a subset A, the targets under a node whose site is in A all
 * go to that site; the targets under a node whose site is not in A look
 * deeper. Evaluating a subset is one linear scan over the trie in preorder that
 * skips whole subtrees, and the same trie gives the branch-and-bound bound
 * (see `exact.ts`).
 *
 * Costs are additive over targets: `mean` costs weight x RTT (a target whose
 * RTT at its site is unknown, or that no announcing site reaches, costs weight
 * x `uncoveredMs`; targets with an empty order, which no subset reaches, are
 * left out), `exceed` costs the weight of targets whose RTT is above a
 * threshold or unknown (used to minimise the weighted p95 by bisection).
 */
import type { PreferenceModel } from '../orders/model.js';

export type CostSpec = { kind: 'mean'; uncoveredMs: number } | { kind: 'exceed'; thresholdMs: number };

/** Targets sorted by their preference order (lexicographically), with the shape of the order trie. */
export interface OrderTrie {
  S: number;
  /** Targets with a non-empty order, sorted by order. */
  sorted: Uint32Array;
  /** Per sorted target: its order length. */
  len: Uint16Array;
  /** Per sorted target: common prefix length with the previous sorted target. */
  lcp: Uint16Array;
  /** Per sorted target: id of its trie node at depth lcp (the first node it creates). */
  firstNew: Int32Array;
  /** Targets with an empty order (never reached). */
  unreached: Uint32Array;
  /** Trie nodes in preorder. */
  nodes: number;
  site: Uint16Array;
  /** Nodes in the subtree, itself included: the subtree of i is [i, i + size[i]). */
  size: Int32Array;
  /** Number of distinct orders (classes). */
  classes: number;
}

export interface TrieCosts {
  /** Per node: cost of all targets under the node when they go to the node's site. */
  win: Float64Array;
  /** Per node: cost of the targets whose order ends at the node, when none of their sites announces. */
  end: Float64Array;
  /** Per node: weight of the targets under the node (their load on the node's site). */
  load: Float64Array;
  /** Cost of targets that no subset reaches (constant). */
  constant: number;
}

function compareOrders(model: PreferenceModel, a: number, b: number): number {
  const S = model.siteIds.length;
  const la = model.orderLength[a];
  const lb = model.orderLength[b];
  const n = la < lb ? la : lb;
  const o = model.orders;
  const ba = a * S;
  const bb = b * S;
  for (let k = 0; k < n; k++) {
    const d = o[ba + k] - o[bb + k];
    if (d !== 0) return d;
  }
  return la - lb;
}

export function buildTrie(model: PreferenceModel): OrderTrie {
  const S = model.siteIds.length;
  const T = model.targetIds.length;
  let reachable = 0;
  for (let t = 0; t < T; t++) if (model.orderLength[t] > 0) reachable++;
  const sorted = new Uint32Array(reachable);
  const unreached = new Uint32Array(T - reachable);
  let r = 0;
  let u = 0;
  for (let t = 0; t < T; t++) {
    if (model.orderLength[t] > 0) sorted[r++] = t;
    else unreached[u++] = t;
  }
  sorted.sort((a, b) => compareOrders(model, a, b));
  const len = new Uint16Array(reachable);
  const lcp = new Uint16Array(reachable);
  const firstNew = new Int32Array(reachable);
  const o = model.orders;
  let nodes = 0;
  let classes = 0;
  for (let i = 0; i < reachable; i++) {
    const t = sorted[i];
    const l = model.orderLength[t];
    len[i] = l;
    let c = 0;
    if (i > 0) {
      const p = sorted[i - 1];
      const lp = len[i - 1];
      const n = l < lp ? l : lp;
      while (c < n && o[t * S + c] === o[p * S + c]) c++;
      if (c === l && c === lp) classes--; // identical order: no new class
    }
    classes++;
    lcp[i] = c;
    firstNew[i] = nodes;
    nodes += l - c;
  }
  const site = new Uint16Array(nodes);
  const depth = new Uint16Array(nodes);
  const size = new Int32Array(nodes);
  // Preorder ids: each target creates its nodes at depths lcp..len-1 in a row.
  const stack = new Int32Array(S + 1);
  let top = 0;
  for (let i = 0; i < reachable; i++) {
    const t = sorted[i];
    const base = t * S;
    for (let d = lcp[i]; d < len[i]; d++) {
      const id = firstNew[i] + d - lcp[i];
      site[id] = o[base + d];
      depth[id] = d;
      while (top > 0 && depth[stack[top - 1]] >= d) {
        const closed = stack[--top];
        size[closed] = id - closed;
      }
      stack[top++] = id;
    }
  }
  while (top > 0) {
    const closed = stack[--top];
    size[closed] = nodes - closed;
  }
  return { S, sorted, len, lcp, firstNew, unreached, nodes, site, size, classes };
}

/** Cost of one target at one site under `spec` (weight included). */
export function targetCost(spec: CostSpec, w: number, rtt: number): number {
  if (spec.kind === 'mean') return Number.isNaN(rtt) ? w * spec.uncoveredMs : w * rtt;
  return Number.isNaN(rtt) || rtt > spec.thresholdMs ? w : 0;
}

export function uncoveredCost(spec: CostSpec, w: number): number {
  return spec.kind === 'mean' ? w * spec.uncoveredMs : w;
}

export function trieCosts(model: PreferenceModel, trie: OrderTrie, weight: Float64Array, spec: CostSpec): TrieCosts {
  const S = trie.S;
  const win = new Float64Array(trie.nodes);
  const end = new Float64Array(trie.nodes);
  const load = new Float64Array(trie.nodes);
  const path = new Int32Array(S);
  const o = model.orders;
  const rtt = model.rttMs;
  for (let i = 0; i < trie.sorted.length; i++) {
    const t = trie.sorted[i];
    const w = weight[t];
    const base = t * S;
    const c = trie.lcp[i];
    const l = trie.len[i];
    for (let d = c; d < l; d++) path[d] = trie.firstNew[i] + d - c;
    for (let d = 0; d < l; d++) {
      const id = path[d];
      win[id] += targetCost(spec, w, rtt[base + o[base + d]]);
      load[id] += w;
    }
    end[path[l - 1]] += uncoveredCost(spec, w);
  }
  // Targets with an empty order are reached by no subset: left out of both objectives.
  const constant = 0;
  return { win, end, load, constant };
}

/** Exact cost of a subset given as a bitmask (S <= 30). */
export function trieEvaluate(trie: OrderTrie, costs: TrieCosts, mask: number): number {
  const { site, size, nodes } = trie;
  const { win, end } = costs;
  let total = costs.constant;
  let i = 0;
  while (i < nodes) {
    if ((mask >>> site[i]) & 1) {
      total += win[i];
      i += size[i];
    } else {
      total += end[i];
      i++;
    }
  }
  return total;
}

/** Per-site load of a subset given as a bitmask. */
export function trieLoads(trie: OrderTrie, costs: TrieCosts, mask: number, out: Float64Array): Float64Array {
  out.fill(0);
  const { site, size, nodes } = trie;
  let i = 0;
  while (i < nodes) {
    const s = site[i];
    if ((mask >>> s) & 1) {
      out[s] += costs.load[i];
      i += size[i];
    } else i++;
  }
  return out;
}

/**
 * Distinct orders as flat per-class arrays, for the local search on large
 * instances: `order[c*S + k]`, `cost[c*S + k]` (cost of the class at its k-th
 * site), `rank[c*S + s]` (position of site s in the class's order, or S when
 * absent), `tail[c]` (cost when unreached), `weight[c]`.
 */
export interface Classes {
  S: number;
  count: number;
  order: Uint16Array;
  len: Uint16Array;
  cost: Float64Array;
  rank: Uint16Array;
  tail: Float64Array;
  weight: Float64Array;
  constant: number;
}

export function buildClasses(model: PreferenceModel, trie: OrderTrie, weight: Float64Array, spec: CostSpec): Classes {
  const S = trie.S;
  const count = trie.classes;
  // On shared memory, so the LP bound's worker thread reads them without a copy (lp-parallel.ts).
  const order = new Uint16Array(new SharedArrayBuffer(count * S * 2));
  const len = new Uint16Array(new SharedArrayBuffer(count * 2));
  const cost = new Float64Array(new SharedArrayBuffer(count * S * 8));
  const rank = new Uint16Array(new SharedArrayBuffer(count * S * 2)).fill(S);
  const tail = new Float64Array(new SharedArrayBuffer(count * 8));
  const w = new Float64Array(new SharedArrayBuffer(count * 8));
  const o = model.orders;
  const rtt = model.rttMs;
  let c = -1;
  for (let i = 0; i < trie.sorted.length; i++) {
    const t = trie.sorted[i];
    const base = t * S;
    const l = trie.len[i];
    const same = i > 0 && trie.lcp[i] === l && trie.len[i - 1] === l;
    if (!same) {
      c++;
      len[c] = l;
      for (let k = 0; k < l; k++) {
        order[c * S + k] = o[base + k];
        rank[c * S + o[base + k]] = k;
      }
    }
    const wt = weight[t];
    w[c] += wt;
    for (let k = 0; k < l; k++) cost[c * S + k] += targetCost(spec, wt, rtt[base + o[base + k]]);
    tail[c] += uncoveredCost(spec, wt);
  }
  // Targets with an empty order are reached by no subset: left out of both objectives.
  const constant = 0;
  return { S, count, order, len, cost, rank, tail, weight: w, constant };
}

/** Position in class c's order of the first announcing site (len[c] when none announces): the catchment rule on classes. */
export function classWinner(cl: Classes, c: number, subset: Uint8Array): number {
  const base = c * cl.S;
  const l = cl.len[c];
  let k = 0;
  while (k < l && !subset[cl.order[base + k]]) k++;
  return k;
}

/** Exact cost of a subset (membership array) on the classes. */
export function classEvaluate(cl: Classes, subset: Uint8Array): number {
  const { S, len, cost, tail } = cl;
  let total = cl.constant;
  for (let c = 0; c < cl.count; c++) {
    const k = classWinner(cl, c, subset);
    total += k < len[c] ? cost[c * S + k] : tail[c];
  }
  return total;
}
