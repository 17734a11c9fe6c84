/**
 * Catchment and RTT of every target for one subset of announcing sites, as the
 * preference model predicts it, and the summary figures a plan reports.
 *
 * The rule (shared by `optimize` and `validate`; `predict` has its own copy
 * that the lead reconciles): a target goes to the FIRST site of its preference
 * order that announces. Sites absent from a partial order are never chosen for
 * it; when no announcing site is in its order the target is unreached. Its RTT
 * is the model's RTT at that site; when that RTT is unknown (NaN) the target
 * still counts towards the site's load but is left out of the RTT statistics.
 * `coverage` is the share of weight whose RTT is predicted (reached and known).
 *
 * Not modelled: order sensitivity (targets whose winner depended on which site
 * was switched on first are assumed to behave as in the campaign, which is why
 * plans deploy in the campaign's announcement order) and load-dependent RTT.
 */
import { catchmentSite } from '../predict/predict.js';
import type { PreferenceModel } from '../orders/model.js';

export interface Assignment {
  /** Site index per target; -1 when no announcing site is in its order. */
  site: Int16Array;
  /** RTT per target in ms; NaN when unreached or unknown. */
  rttMs: Float32Array;
}

/** Membership array (1 = announces) from site indices. */
export function subsetFromIndices(S: number, indices: Iterable<number>): Uint8Array {
  const a = new Uint8Array(S);
  for (const i of indices) a[i] = 1;
  return a;
}

export function indicesOfSubset(subset: Uint8Array): number[] {
  const out: number[] = [];
  for (let s = 0; s < subset.length; s++) if (subset[s]) out.push(s);
  return out;
}

/** Where every target goes when exactly the sites with `subset[s] = 1` announce. */
export function assignSubset(model: PreferenceModel, subset: Uint8Array): Assignment {
  const S = model.siteIds.length;
  const T = model.targetIds.length;
  const site = new Int16Array(T).fill(-1);
  const rttMs = new Float32Array(T).fill(Number.NaN);
  const { orders, orderLength, rttMs: rtt } = model;
  for (let t = 0; t < T; t++) {
    const s = catchmentSite(orders, t * S, orderLength[t], subset);
    if (s < 0) continue;
    site[t] = s;
    rttMs[t] = rtt[t * S + s];
  }
  return { site, rttMs };
}

export interface SiteLoad {
  site: string;
  /** Sum of the weights of the targets in its catchment. */
  load: number;
  /** Share of all target weight. */
  share: number;
  /** Capacity when known. */
  capacity?: number;
}

export interface PlanSummary {
  /** Announcing sites (ids), in model order. */
  sites: string[];
  targets: number;
  totalWeight: number;
  /** Weight share reached by some announcing site. */
  reached: number;
  /** Weight share reached with a known RTT (the RTT statistics cover these). */
  coverage: number;
  meanMs: number;
  medianMs: number;
  p90Ms: number;
  p95Ms: number;
  load: SiteLoad[];
}

/** Weighted quantile: the smallest RTT v such that weight(rtt <= v) >= q x covered weight. */
export function weightedQuantiles(rtt: Float32Array, weight: Float64Array, qs: readonly number[]): number[] {
  let n = 0;
  let total = 0;
  for (let t = 0; t < rtt.length; t++) if (!Number.isNaN(rtt[t]) && weight[t] > 0) n++;
  if (n === 0) return qs.map(() => Number.NaN);
  const keys = new Float64Array(n);
  const ws = new Float64Array(n);
  n = 0;
  for (let t = 0; t < rtt.length; t++) {
    if (!Number.isNaN(rtt[t]) && weight[t] > 0) {
      keys[n] = rtt[t];
      ws[n++] = weight[t];
      total += weight[t];
    }
  }
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  perm.sort((a, b) => keys[a] - keys[b]);
  return qs.map((q) => {
    const need = q * total * (1 - 1e-12);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += ws[perm[i]];
      if (acc >= need) return keys[perm[i]];
    }
    return keys[perm[n - 1]];
  });
}

/** Summary figures of an assignment. `capacity` (per site index; NaN or Infinity = none) is copied into the load rows. */
export function summarize(
  model: PreferenceModel,
  subset: Uint8Array,
  a: Assignment,
  weight: Float64Array,
  capacity?: Float64Array,
): PlanSummary {
  const S = model.siteIds.length;
  const T = model.targetIds.length;
  const load = new Float64Array(S);
  let total = 0;
  let reached = 0;
  let covered = 0;
  let sum = 0;
  for (let t = 0; t < T; t++) {
    const w = weight[t];
    total += w;
    const s = a.site[t];
    if (s < 0) continue;
    reached += w;
    load[s] += w;
    const r = a.rttMs[t];
    if (!Number.isNaN(r)) {
      covered += w;
      sum += w * r;
    }
  }
  const [medianMs, p90Ms, p95Ms] = weightedQuantiles(a.rttMs, weight, [0.5, 0.9, 0.95]);
  const loads: SiteLoad[] = [];
  for (let s = 0; s < S; s++) {
    if (!subset[s]) continue;
    const row: SiteLoad = { site: model.siteIds[s], load: load[s], share: total > 0 ? load[s] / total : 0 };
    if (capacity && Number.isFinite(capacity[s])) row.capacity = capacity[s];
    loads.push(row);
  }
  return {
    sites: indicesOfSubset(subset).map((s) => model.siteIds[s]),
    targets: T,
    totalWeight: total,
    reached: total > 0 ? reached / total : 0,
    coverage: total > 0 ? covered / total : 0,
    meanMs: covered > 0 ? sum / covered : Number.NaN,
    medianMs,
    p90Ms,
    p95Ms,
    load: loads,
  };
}

/** Per-site load (sum of weights) of an assignment. */
export function siteLoads(S: number, a: Assignment, weight: Float64Array): Float64Array {
  const load = new Float64Array(S);
  for (let t = 0; t < a.site.length; t++) if (a.site[t] >= 0) load[a.site[t]] += weight[t];
  return load;
}
