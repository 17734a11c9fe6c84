/**
 * Heuristic site selection on the merged classes (any number of sites):
 * greedy add, greedy drop, and a best-improvement local search over add, drop
 * and swap moves. These give the exact search its first upper bound, serve as
 * the comparators in a plan (greedy add / greedy drop), and are the method of
 * choice past 30 sites, where the plan carries the gap to a proven bound.
 *
 * Every move's effect is computed for all candidate sites at once from each
 * class's current winner position `cur[c]` and the next announcing site after
 * it, so one full neighbourhood (all adds, drops and add x drop swaps) costs
 * one pass over the classes' order prefixes plus an S x S table.
 *
 * Also here: the greedy-by-unicast comparator of the AnyOpt paper, which picks
 * sites as if every target reached its lowest-RTT announcing site (it ignores
 * BGP), using lazy greedy evaluation (that objective is submodular).
 *
 * Capacities: the moves above ignore them; `repairCapacity` moves a plan
 * within them afterwards (the exact search enforces them exactly).
 */
import type { PreferenceModel } from '../orders/model.js';
import { classWinner, type Classes } from './instance.js';

export interface SizeLimits {
  minSites: number;
  maxSites: number;
  /** 1 = must announce. */
  required: Uint8Array;
  /** 1 = must not announce. */
  excluded: Uint8Array;
}

export interface HeuristicResult {
  subset: Uint8Array;
  cost: number;
}

/** Winner position per class (len when unreached). */
function winners(cl: Classes, subset: Uint8Array, cur: Uint16Array): number {
  const { S, len, cost, tail } = cl;
  let total = cl.constant;
  for (let c = 0; c < cl.count; c++) {
    const k = classWinner(cl, c, subset);
    cur[c] = k;
    total += k < len[c] ? cost[c * S + k] : tail[c];
  }
  return total;
}

function count(subset: Uint8Array): number {
  let n = 0;
  for (let s = 0; s < subset.length; s++) n += subset[s];
  return n;
}

/** Change of cost when adding each site not in the subset (NaN for sites in it). */
function addDeltas(cl: Classes, subset: Uint8Array, cur: Uint16Array, out: Float64Array): void {
  const { S, order, len, cost, tail } = cl;
  out.fill(0);
  for (let c = 0; c < cl.count; c++) {
    const base = c * S;
    const k = cur[c];
    const now = k < len[c] ? cost[base + k] : tail[c];
    for (let j = 0; j < k; j++) out[order[base + j]] += cost[base + j] - now;
  }
  for (let s = 0; s < S; s++) if (subset[s]) out[s] = Number.NaN;
}

/**
 * Full neighbourhood: `add[s]` (s not in A), `drop[r]` (r in A) and
 * `swap[s*S + r]` = change when adding s and dropping r.
 */
function neighbourhood(cl: Classes, subset: Uint8Array, cur: Uint16Array, add: Float64Array, drop: Float64Array, adjust: Float64Array): void {
  const { S, order, len, cost, tail } = cl;
  add.fill(0);
  drop.fill(0);
  adjust.fill(0);
  for (let c = 0; c < cl.count; c++) {
    const base = c * S;
    const l = len[c];
    const k = cur[c];
    if (k >= l) {
      const now = tail[c];
      for (let j = 0; j < l; j++) add[order[base + j]] += cost[base + j] - now;
      continue;
    }
    const now = cost[base + k];
    const r = order[base + k];
    let nx = k + 1;
    while (nx < l && !subset[order[base + nx]]) nx++;
    const after = nx < l ? cost[base + nx] : tail[c];
    drop[r] += after - now;
    // Sites before the winner capture the class when added: the drop of r no longer hurts it.
    for (let j = 0; j < k; j++) {
      const s = order[base + j];
      add[s] += cost[base + j] - now;
      adjust[s * S + r] -= after - now;
    }
    // Sites between the winner and the next announcing site catch the class when r is dropped.
    for (let j = k + 1; j < nx; j++) adjust[order[base + j] * S + r] += cost[base + j] - after;
  }
}

/** Best-improvement local search with add, drop and swap moves, within the size limits. */
export function localSearch(cl: Classes, start: Uint8Array, lim: SizeLimits, opts: { maxRounds?: number; shouldStop?: () => boolean } = {}): HeuristicResult {
  const S = cl.S;
  const subset = Uint8Array.from(start);
  const cur = new Uint16Array(cl.count);
  const add = new Float64Array(S);
  const drop = new Float64Array(S);
  const adjust = new Float64Array(S * S);
  let cost = winners(cl, subset, cur);
  const maxRounds = opts.maxRounds ?? 10_000;
  for (let round = 0; round < maxRounds; round++) {
    if (opts.shouldStop?.()) break;
    neighbourhood(cl, subset, cur, add, drop, adjust);
    const n = count(subset);
    let bestDelta = -Math.abs(cost) * 1e-12 - 1e-12;
    let bestIn = -1;
    let bestOut = -1;
    for (let s = 0; s < S; s++) {
      if (subset[s] || lim.excluded[s]) continue;
      if (n < lim.maxSites && add[s] < bestDelta) {
        bestDelta = add[s];
        bestIn = s;
        bestOut = -1;
      }
      for (let r = 0; r < S; r++) {
        if (!subset[r] || lim.required[r]) continue;
        const d = add[s] + drop[r] + adjust[s * S + r];
        if (d < bestDelta) {
          bestDelta = d;
          bestIn = s;
          bestOut = r;
        }
      }
    }
    if (n > lim.minSites) {
      for (let r = 0; r < S; r++) {
        if (subset[r] && !lim.required[r] && drop[r] < bestDelta) {
          bestDelta = drop[r];
          bestIn = -1;
          bestOut = r;
        }
      }
    }
    if (bestIn < 0 && bestOut < 0) break;
    if (bestIn >= 0) subset[bestIn] = 1;
    if (bestOut >= 0) subset[bestOut] = 0;
    cost = winners(cl, subset, cur);
  }
  return { subset, cost };
}

/**
 * Greedy add: start from the required sites, add the best site while the size
 * allows; return the best subset seen with a size in [minSites, maxSites].
 */
export function greedyAdd(cl: Classes, lim: SizeLimits): HeuristicResult {
  const S = cl.S;
  const subset = Uint8Array.from(lim.required);
  const cur = new Uint16Array(cl.count);
  const delta = new Float64Array(S);
  let cost = winners(cl, subset, cur);
  let best: HeuristicResult | undefined;
  let n = count(subset);
  for (;;) {
    if (n >= lim.minSites && (!best || cost < best.cost)) best = { subset: Uint8Array.from(subset), cost };
    if (n >= lim.maxSites) break;
    addDeltas(cl, subset, cur, delta);
    let pick = -1;
    for (let s = 0; s < S; s++) if (!subset[s] && !lim.excluded[s] && (pick < 0 || delta[s] < delta[pick])) pick = s;
    if (pick < 0) break;
    subset[pick] = 1;
    n++;
    cost = winners(cl, subset, cur);
  }
  return best ?? { subset, cost };
}

/**
 * Greedy drop: start from every allowed site, drop the site whose removal
 * helps most (or hurts least) down to minSites; best subset seen in the limits.
 */
export function greedyDrop(cl: Classes, lim: SizeLimits): HeuristicResult {
  const S = cl.S;
  const subset = new Uint8Array(S);
  for (let s = 0; s < S; s++) subset[s] = lim.excluded[s] ? 0 : 1;
  const cur = new Uint16Array(cl.count);
  const drop = new Float64Array(S);
  let cost = winners(cl, subset, cur);
  let best: HeuristicResult | undefined;
  let n = count(subset);
  for (;;) {
    if (n <= lim.maxSites && n >= lim.minSites && (!best || cost < best.cost)) best = { subset: Uint8Array.from(subset), cost };
    if (n <= lim.minSites) break;
    dropDeltas(cl, subset, cur, drop);
    let pick = -1;
    for (let r = 0; r < S; r++) if (subset[r] && !lim.required[r] && (pick < 0 || drop[r] < drop[pick])) pick = r;
    if (pick < 0) break;
    subset[pick] = 0;
    n--;
    cost = winners(cl, subset, cur);
  }
  return best ?? { subset, cost };
}

function dropDeltas(cl: Classes, subset: Uint8Array, cur: Uint16Array, drop: Float64Array): void {
  const { S, order, len, cost, tail } = cl;
  drop.fill(0);
  for (let c = 0; c < cl.count; c++) {
    const base = c * S;
    const l = len[c];
    const k = cur[c];
    if (k >= l) continue;
    let nx = k + 1;
    while (nx < l && !subset[order[base + nx]]) nx++;
    drop[order[base + k]] += (nx < l ? cost[base + nx] : tail[c]) - cost[base + k];
  }
}

/**
 * AnyOpt's comparator: greedily add the site that most lowers the mean RTT
 * as if every target reached its lowest-RTT announcing site (unicast RTTs,
 * BGP ignored), starting from the required sites, until `size` sites.
 * Unknown RTTs count as `uncoveredMs`.
 */
export function greedyByUnicast(model: PreferenceModel, weight: Float64Array, size: number, lim: SizeLimits, uncoveredMs: number): Uint8Array {
  const S = model.siteIds.length;
  const T = model.targetIds.length;
  // Site-major copy of the RTTs: every gain reads one site's column (at 200 sites x 100,000
  // random orders the strided reads took 9 s, most of the plan's comparisons).
  const rtt = new Float32Array(S * T);
  for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) rtt[s * T + t] = model.rttMs[t * S + s];
  const bestRtt = new Float64Array(T).fill(uncoveredMs);
  const subset = Uint8Array.from(lim.required);
  const take = (s: number) => {
    subset[s] = 1;
    const base = s * T;
    for (let t = 0; t < T; t++) {
      const r = rtt[base + t];
      if (r < bestRtt[t]) bestRtt[t] = r;
    }
  };
  for (let s = 0; s < S; s++) if (lim.required[s]) take(s);
  const gainOf = (s: number) => {
    let g = 0;
    const base = s * T;
    for (let t = 0; t < T; t++) {
      const r = rtt[base + t];
      if (r < bestRtt[t]) g += weight[t] * (bestRtt[t] - r);
    }
    return g;
  };
  // Lazy greedy: stale gains are upper bounds on current gains.
  const gain = new Float64Array(S).fill(Infinity);
  const fresh = new Int32Array(S).fill(-1);
  let n = count(subset);
  let step = 0;
  while (n < size) {
    let pick = -1;
    for (;;) {
      let top = -1;
      for (let s = 0; s < S; s++) {
        if (subset[s] || lim.excluded[s]) continue;
        if (top < 0 || gain[s] > gain[top]) top = s;
      }
      if (top < 0) break;
      if (fresh[top] === step) {
        pick = top;
        break;
      }
      gain[top] = gainOf(top);
      fresh[top] = step;
    }
    if (pick < 0) break;
    take(pick);
    n++;
    step++;
  }
  return subset;
}

/**
 * Iterated local search: perturb the best plan by a few random swaps (an
 * announcing site out, a silent one in, within the required / excluded
 * limits), run the local search again, keep the result when it is better.
 * Seeded, so the same input gives the same plan.
 */
export function iteratedLocalSearch(
  cl: Classes,
  start: HeuristicResult,
  lim: SizeLimits,
  opts: { rounds: number; seed: number; swaps?: number; shouldStop?: () => boolean; /** Stop once the cost is at most this. */ target?: number },
): HeuristicResult {
  const S = cl.S;
  let best = start;
  let state = opts.seed >>> 0 || 1;
  const rand = (n: number) => {
    // xorshift32: small, seeded, enough for picking sites.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % n;
  };
  const swaps = opts.swaps ?? 3;
  for (let round = 0; round < opts.rounds; round++) {
    if (opts.shouldStop?.() || (opts.target !== undefined && best.cost <= opts.target)) break;
    const trial = Uint8Array.from(best.subset);
    const ins: number[] = [];
    const outs: number[] = [];
    for (let s = 0; s < S; s++) {
      if (lim.required[s] || lim.excluded[s]) continue;
      (trial[s] ? ins : outs).push(s);
    }
    if (ins.length === 0 || outs.length === 0) break;
    for (let j = 0; j < swaps && ins.length > 0 && outs.length > 0; j++) {
      const a = ins.splice(rand(ins.length), 1)[0];
      const b = outs.splice(rand(outs.length), 1)[0];
      trial[a] = 0;
      trial[b] = 1;
    }
    const r = localSearch(cl, trial, lim, { shouldStop: opts.shouldStop });
    if (r.cost < best.cost * (1 - 1e-12)) best = r;
  }
  return best;
}

/** Cost and total overload (sum over sites of load above capacity) of a subset on the classes. */
function costAndOverload(cl: Classes, subset: Uint8Array, capacity: Float64Array, loads: Float64Array): { cost: number; over: number } {
  const { S, order, len, cost, tail, weight } = cl;
  loads.fill(0);
  let total = cl.constant;
  for (let c = 0; c < cl.count; c++) {
    const base = c * S;
    const k = classWinner(cl, c, subset);
    if (k < len[c]) {
      total += cost[base + k];
      loads[order[base + k]] += weight[c];
    } else total += tail[c];
  }
  let over = 0;
  for (let s = 0; s < S; s++) if (subset[s] && loads[s] > capacity[s]) over += loads[s] - capacity[s];
  return { cost: total, over };
}

/**
 * Capacity repair for heuristic plans (past 30 sites, where the exact search
 * does not run): from a plan that overloads some site, take the add, drop or
 * swap move that most reduces the total overload (ties: the cost), until no
 * site is overloaded or no move helps; then improve the cost with moves that
 * keep every site within its capacity. Returns undefined when it cannot
 * reach a plan within the capacities (which proves nothing).
 */
export function repairCapacity(cl: Classes, start: Uint8Array, lim: SizeLimits, capacity: Float64Array, opts: { shouldStop?: () => boolean; maxRounds?: number } = {}): HeuristicResult | undefined {
  const S = cl.S;
  const loads = new Float64Array(S);
  let subset: Uint8Array = Uint8Array.from(start);
  let cur = costAndOverload(cl, subset, capacity, loads);
  const count = (a: Uint8Array) => a.reduce((x, y) => x + y, 0);
  const better = (a: { cost: number; over: number }, b: { cost: number; over: number }) =>
    a.over < b.over - 1e-9 || (Math.abs(a.over - b.over) <= 1e-9 && a.cost < b.cost * (1 - 1e-12));
  const maxRounds = opts.maxRounds ?? 200;
  for (let round = 0; round < maxRounds; round++) {
    if (opts.shouldStop?.()) break;
    const n = count(subset);
    let best: { subset: Uint8Array; v: { cost: number; over: number } } | undefined;
    const consider = (trial: Uint8Array) => {
      const v = costAndOverload(cl, trial, capacity, loads);
      // Once feasible, only feasible moves count.
      if (cur.over <= 1e-9 && v.over > 1e-9) return;
      if (better(v, best ? best.v : cur)) best = { subset: Uint8Array.from(trial), v };
    };
    const trial = Uint8Array.from(subset);
    for (let s = 0; s < S; s++) {
      if (lim.required[s] || lim.excluded[s]) continue;
      if (subset[s] && n > lim.minSites) {
        trial[s] = 0;
        consider(trial);
        trial[s] = 1;
      } else if (!subset[s] && n < lim.maxSites) {
        trial[s] = 1;
        consider(trial);
        trial[s] = 0;
      }
    }
    // Swaps only while overloaded (they cost S^2 evaluations): out an overloaded site, in any other.
    if (!best && cur.over > 1e-9) {
      costAndOverload(cl, subset, capacity, loads);
      const overloaded = [];
      for (let s = 0; s < S; s++) if (subset[s] && !lim.required[s] && loads[s] > capacity[s]) overloaded.push(s);
      for (const r of overloaded) {
        for (let s = 0; s < S; s++) {
          if (subset[s] || lim.excluded[s]) continue;
          trial[r] = 0;
          trial[s] = 1;
          consider(trial);
          trial[r] = 1;
          trial[s] = 0;
        }
      }
    }
    if (!best) break;
    subset = (best as { subset: Uint8Array }).subset;
    cur = (best as { v: { cost: number; over: number } }).v;
  }
  return cur.over <= 1e-9 ? { subset, cost: cur.cost } : undefined;
}
