/**
 * Joins the route table, per-prefix traffic, probe results and the current
 * assignment into one optimization `Instance`. Prefixes with traffic but no
 * route from any provider cannot be planned and are returned separately.
 */
import { buildInstance, type Instance, type PerfMatrix, type Policy, type ProviderSpec } from './model.js';
import type { RouteTable } from './table.js';

export interface TrafficByPrefix {
  /** Table prefix ids. */
  ids: Int32Array;
  meanMbps: Float64Array;
  p95Mbps: Float64Array;
  /** Busy-hour share (traffic.csv `peak_mbps`); negative or absent: use p95. */
  peakMbps?: Float64Array;
}

export interface Assembled {
  inst: Instance;
  /** Table id of each instance row. */
  tableIds: Int32Array;
  /** Prefixes with traffic that no provider has a route for. */
  unroutable: string[];
}

export function assembleInstance(args: {
  table: RouteTable;
  providers: ProviderSpec[];
  traffic: TrafficByPrefix;
  perf?: PerfMatrix;
  /** Current provider per table id (-1 none). */
  current?: Int32Array;
  policy: Policy;
}): Assembled {
  const { table, providers, traffic, perf, current, policy } = args;
  const m = providers.length;
  const rows: number[] = [];
  const unroutable: string[] = [];
  for (let k = 0; k < traffic.ids.length; k++) {
    if (!(traffic.meanMbps[k] > 0 || traffic.p95Mbps[k] > 0)) continue;
    const id = traffic.ids[k];
    if (table.bgpDefault(id) < 0) unroutable.push(table.prefixes[id]);
    else rows.push(k);
  }
  const n = rows.length;
  const tableIds = new Int32Array(n);
  const meanMbps = new Float64Array(n);
  const loadMbps = new Float64Array(n);
  const allowed = new Uint8Array(n * m);
  const rtt = new Float64Array(n * m).fill(NaN);
  const loss = new Float64Array(n * m).fill(NaN);
  const jitter = new Float64Array(n * m).fill(NaN);
  const currentGiven = new Int32Array(n).fill(-1);
  const bgp = new Int32Array(n);
  const prefixes: string[] = new Array<string>(n);
  rows.forEach((k, i) => {
    const id = traffic.ids[k];
    tableIds[i] = id;
    prefixes[i] = table.prefixes[id];
    meanMbps[i] = traffic.meanMbps[k];
    const peak = traffic.peakMbps ? traffic.peakMbps[k] : -1;
    loadMbps[i] = peak >= 0 ? peak : Math.max(traffic.p95Mbps[k], traffic.meanMbps[k]);
    bgp[i] = table.bgpDefault(id);
    if (current) currentGiven[i] = current[id];
    for (let j = 0; j < m; j++) {
      allowed[i * m + j] = table.hasRoute(id, j) ? 1 : 0;
      if (!perf) continue;
      const at = id * m + j;
      if (perf.rttCount[at] > 0) rtt[i * m + j] = perf.rttSum[at] / perf.rttCount[at];
      if (perf.count[at] > 0) {
        loss[i * m + j] = perf.lossSum[at] / perf.count[at];
        jitter[i * m + j] = perf.jitterSum[at] / perf.count[at];
      }
    }
  });
  const inst = buildInstance({ providers, prefixes, meanMbps, loadMbps, allowed, rtt, loss, jitter, currentGiven, bgp, policy });
  return { inst, tableIds, unroutable };
}
