/**
 * From a solved assignment to what an operator reads: one row per prefix
 * (`prefix,from,to,reason,traffic_mbps,rtt_ms_before,rtt_ms_after`) and a
 * per-provider table of load, money and mean RTT before and after.
 *
 * "Before" is the current provider where one is given and still has a route,
 * otherwise what BGP picks by itself (shortest AS path). Reasons:
 * `unchanged`, `hysteresis` (a better option exists but gains less than the
 * threshold), `max-changes` (would move, but the per-run limit was reached),
 * `no-route` (the current provider lost its route), `performance` (the best
 * performing option), `capacity` (the best performing option is full) and
 * `cost` (cheaper in money, or the hold penalty made staying cheaper).
 */
import { moneyCost, type Instance } from './model.js';
import type { OptimizeResult } from './optimize.js';

export type Reason = 'unchanged' | 'hysteresis' | 'max-changes' | 'no-route' | 'performance' | 'capacity' | 'cost';

export interface PlanRow {
  index: number;
  prefix: string;
  /** Current provider (-1 when none was given). */
  from: number;
  to: number;
  reason: Reason;
  trafficMbps: number;
  rttBefore: number;
  rttAfter: number;
}

export function beforeAssignment(inst: Instance): Int32Array {
  const before = new Int32Array(inst.n);
  for (let i = 0; i < inst.n; i++) before[i] = inst.current[i] >= 0 ? inst.current[i] : inst.bgp[i];
  return before;
}

export function planRows(inst: Instance, res: OptimizeResult, minImprovementMs: number): PlanRow[] {
  const { n, m } = inst;
  const before = beforeAssignment(inst);
  const rows: PlanRow[] = [];
  // j cannot take prefix i on top of its planned load.
  const full = (j: number, i: number) => res.loads[j] + inst.loadMbps[i] > inst.usable[j] * (1 + 1e-9) + 1e-9;
  const movesLeft = res.moves < inst.maxChanges;
  for (let i = 0; i < n; i++) {
    const to = res.assign[i];
    const given = inst.currentGiven[i];
    let bestPerf = to;
    for (let j = 0; j < m; j++) if (inst.perf[i * m + j] < inst.perf[i * m + bestPerf]) bestPerf = j;
    let reason: Reason;
    if (given >= 0 && inst.current[i] < 0) reason = 'no-route';
    else if (inst.current[i] >= 0 && to === inst.current[i]) {
      if (bestPerf === to) reason = 'unchanged';
      else {
        const gainMs = inst.meanMbps[i] > 0 ? (inst.perf[i * m + to] - inst.perf[i * m + bestPerf]) / inst.meanMbps[i] : 0;
        // Below the hysteresis threshold the prefix would stay even with moves to spare.
        reason = full(bestPerf, i) ? 'capacity' : gainMs < minImprovementMs ? 'hysteresis' : !movesLeft ? 'max-changes' : 'cost';
      }
    } else reason = to === bestPerf ? 'performance' : full(bestPerf, i) ? 'capacity' : 'cost';
    rows.push({
      index: i,
      prefix: inst.prefixes[i],
      from: given,
      to,
      reason,
      trafficMbps: inst.meanMbps[i],
      rttBefore: before[i] >= 0 ? inst.rtt[i * m + before[i]] : NaN,
      rttAfter: inst.rtt[i * m + to],
    });
  }
  return rows;
}

export interface ProviderSummary {
  provider: string;
  prefixesBefore: number;
  prefixesAfter: number;
  loadBefore: number;
  loadAfter: number;
  usable: number;
  capacity: number;
  costBefore: number;
  costAfter: number;
  /** Traffic-weighted mean of measured RTT (NaN without measurements). */
  rttBefore: number;
  rttAfter: number;
}

export function providerSummary(inst: Instance, assign: Int32Array): ProviderSummary[] {
  const { n, m } = inst;
  const before = beforeAssignment(inst);
  const acc = (a: Int32Array) => {
    const count = new Float64Array(m);
    const load = new Float64Array(m);
    const rttW = new Float64Array(m);
    const w = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      const j = a[i];
      if (j < 0) continue;
      count[j]++;
      load[j] += inst.loadMbps[i];
      const r = inst.rtt[i * m + j];
      if (!Number.isNaN(r)) {
        rttW[j] += r * inst.meanMbps[i];
        w[j] += inst.meanMbps[i];
      }
    }
    return { count, load, rtt: Array.from(rttW, (x, j) => (w[j] > 0 ? x / w[j] : NaN)) };
  };
  const b = acc(before);
  const a = acc(assign);
  return inst.providers.map((p, j) => ({
    provider: p.name,
    prefixesBefore: b.count[j],
    prefixesAfter: a.count[j],
    loadBefore: b.load[j],
    loadAfter: a.load[j],
    usable: inst.usable[j],
    capacity: p.capacityMbps,
    costBefore: moneyCost(p, b.load[j]),
    costAfter: moneyCost(p, a.load[j]),
    rttBefore: b.rtt[j],
    rttAfter: a.rtt[j],
  }));
}

/** Traffic-weighted mean measured RTT over all prefixes for an assignment. */
export function meanRtt(inst: Instance, assign: Int32Array): number {
  let s = 0;
  let w = 0;
  for (let i = 0; i < inst.n; i++) {
    const r = inst.rtt[i * inst.m + assign[i]];
    if (!Number.isNaN(r)) {
      s += r * inst.meanMbps[i];
      w += inst.meanMbps[i];
    }
  }
  return w > 0 ? s / w : NaN;
}
