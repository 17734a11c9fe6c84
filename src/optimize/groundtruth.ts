/**
 * Ground-truth comparison of plans: announce each candidate subset (in the
 * plan's announcement order) through a catchment function, typically the
 * twin's `computeCatchment`, and measure what clients really get, instead of
 * what the preference model predicts. Used by the benchmark and the demo to
 * check that the optimised plan beats all sites and greedy-by-unicast.
 *
 * Pure: the caller passes the catchment function, so this module does not
 * depend on the simulator.
 */
import { weightedQuantiles } from './evaluate.js';

/** What one announcement does: site index per target (-1 unreached) and RTT (NaN unreached). */
export interface MeasuredCatchment {
  site: Int16Array | Int32Array;
  rttMs: Float32Array | Float64Array;
}

export interface MeasuredPlan {
  name: string;
  sites: string[];
  meanMs: number;
  medianMs: number;
  p95Ms: number;
  /** Share of target weight that was reached with an RTT. */
  coverage: number;
}

export function measurePlans(
  plans: ReadonlyArray<{ name: string; sites: string[] }>,
  announce: (sites: string[]) => MeasuredCatchment,
  weight: Float64Array,
): MeasuredPlan[] {
  return plans.map((p) => {
    const c = announce(p.sites);
    let total = 0;
    let covered = 0;
    let sum = 0;
    const rtt = new Float32Array(weight.length);
    for (let t = 0; t < weight.length; t++) {
      total += weight[t];
      const r = c.site[t] >= 0 ? c.rttMs[t] : Number.NaN;
      rtt[t] = r;
      if (!Number.isNaN(r)) {
        covered += weight[t];
        sum += weight[t] * r;
      }
    }
    const [medianMs, p95Ms] = weightedQuantiles(rtt, weight, [0.5, 0.95]);
    return { name: p.name, sites: p.sites, meanMs: covered > 0 ? sum / covered : Number.NaN, medianMs, p95Ms, coverage: total > 0 ? covered / total : 0 };
  });
}
