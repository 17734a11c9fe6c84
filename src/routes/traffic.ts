/**
 * Traffic per destination prefix from flow records: each flow is matched to
 * the most specific prefix of the union table (longest-prefix match in the
 * trie) and its bytes added to a 5-minute bin. Per prefix we report the mean
 * rate over the observed period and the 95th percentile of the 5-minute rates
 * (burstable billing: sort the samples, drop the top 5%, take the highest left).
 *
 * The observed period runs from the first to the last bin seen in the whole
 * input; a prefix with no flows in a bin counts 0 Mbps there. Flows are binned
 * by their (receive) time only: a long flow is not spread over several bins.
 * Memory grows with (prefixes that carry traffic) x (bins), not with flows.
 */
import type { FlowRecord } from './flows.js';
import type { PrefixTrie } from './trie.js';

export const DEFAULT_BIN_SECONDS = 300;

/** 95th percentile as billed: ascending sort, value at index ceil(0.95 n) - 1. */
export function percentile95(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.max(0, Math.ceil(0.95 * n) - 1)];
}

export interface TrafficEstimate {
  /** Prefix ids with traffic, in order of first appearance. */
  prefixIds: Int32Array;
  meanMbps: Float64Array;
  p95Mbps: Float64Array;
  /**
   * Mean rate during the aggregate's busy bins (those where the total is at or
   * above its own 95th percentile). Unlike p95, this adds up across prefixes to
   * about the aggregate's 95th percentile, so it is what capacity and billing use.
   */
  peakMbps: Float64Array;
  flowRecords: Float64Array;
  bins: number;
  binSeconds: number;
  /** Unix seconds of the first bin's start (NaN without flows). */
  periodStart: number;
  matched: number;
  unmatched: number;
  unmatchedBytes: number;
  totalBytes: number;
}

export class TrafficEstimator {
  private active: Int32Array;
  private activeIds = new Int32Array(1024);
  private activeCount = 0;
  private records = new Float64Array(1024);
  /** bin number -> bytes per active index */
  private readonly bins = new Map<number, Float64Array>();
  private lastBin = NaN;
  private lastArray: Float64Array | undefined;
  private minBin = Infinity;
  private maxBin = -Infinity;
  matched = 0;
  unmatched = 0;
  unmatchedBytes = 0;
  totalBytes = 0;

  constructor(
    private readonly trie: PrefixTrie,
    prefixCount: number,
    readonly binSeconds = DEFAULT_BIN_SECONDS,
  ) {
    this.active = new Int32Array(prefixCount).fill(-1);
  }

  /** Add one flow; returns the prefix id it matched, or -1. */
  add(rec: FlowRecord): number {
    const id = rec.family === 4 ? this.trie.lookup4(rec.a0) : this.trie.lookup6(rec.a0, rec.a1, rec.a2, rec.a3);
    this.totalBytes += rec.bytes;
    if (id < 0) {
      this.unmatched++;
      this.unmatchedBytes += rec.bytes;
      return -1;
    }
    this.matched++;
    let a = this.active[id];
    if (a < 0) a = this.activate(id);
    this.records[a]++;
    const bin = Math.floor(rec.time / this.binSeconds);
    let arr = this.lastArray;
    if (bin !== this.lastBin || arr === undefined) {
      arr = this.bins.get(bin);
      if (arr === undefined) {
        arr = new Float64Array(this.activeIds.length);
        this.bins.set(bin, arr);
        if (bin < this.minBin) this.minBin = bin;
        if (bin > this.maxBin) this.maxBin = bin;
      }
      this.lastBin = bin;
      this.lastArray = arr;
    }
    arr[a] += rec.bytes;
    return id;
  }

  private activate(id: number): number {
    if (id >= this.active.length) {
      // The table grew after the estimator was made (not expected, but safe).
      const next = new Int32Array(Math.max(id + 1, this.active.length * 2)).fill(-1);
      next.set(this.active);
      this.active = next;
    }
    const a = this.activeCount++;
    if (a >= this.activeIds.length) {
      const cap = this.activeIds.length * 2;
      const ids = new Int32Array(cap);
      ids.set(this.activeIds);
      this.activeIds = ids;
      const rec = new Float64Array(cap);
      rec.set(this.records);
      this.records = rec;
      for (const [bin, arr] of this.bins) {
        const grown = new Float64Array(cap);
        grown.set(arr);
        this.bins.set(bin, grown);
      }
      this.lastArray = undefined;
    }
    this.activeIds[a] = id;
    this.active[id] = a;
    return a;
  }

  finish(): TrafficEstimate {
    const n = this.activeCount;
    const nBins = n === 0 || this.bins.size === 0 ? 0 : this.maxBin - this.minBin + 1;
    const meanMbps = new Float64Array(n);
    const p95Mbps = new Float64Array(n);
    const toMbps = 8 / this.binSeconds / 1e6;
    const binArrays: Float64Array[] = [];
    for (const [, arr] of this.bins) binArrays.push(arr);
    // Totals per observed bin (bins without any flow are 0 and never busy unless all are).
    const totals = new Float64Array(nBins);
    binArrays.forEach((arr, k) => {
      let t = 0;
      for (let a = 0; a < n; a++) t += arr[a];
      totals[k] = t * toMbps;
    });
    const busyLevel = percentile95(totals);
    const busy = binArrays.filter((_, k) => totals[k] >= busyLevel && totals[k] > 0);
    const peakMbps = new Float64Array(n);
    for (const arr of busy) for (let a = 0; a < n; a++) peakMbps[a] += (arr[a] * toMbps) / busy.length;
    const samples = new Float64Array(nBins);
    for (let a = 0; a < n; a++) {
      samples.fill(0);
      let total = 0;
      let k = 0;
      for (const arr of binArrays) {
        const v = arr[a] * toMbps;
        samples[k++] = v;
        total += v;
      }
      meanMbps[a] = nBins > 0 ? total / nBins : 0;
      p95Mbps[a] = percentile95(samples);
    }
    return {
      prefixIds: this.activeIds.slice(0, n),
      meanMbps,
      p95Mbps,
      peakMbps,
      flowRecords: this.records.slice(0, n),
      bins: nBins,
      binSeconds: this.binSeconds,
      periodStart: nBins > 0 ? this.minBin * this.binSeconds : NaN,
      matched: this.matched,
      unmatched: this.unmatched,
      unmatchedBytes: this.unmatchedBytes,
      totalBytes: this.totalBytes,
    };
  }
}

export const TRAFFIC_HEADER = 'prefix,mean_mbps,p95_mbps,flow_records,peak_mbps';

const r3 = (x: number) => Number(x.toFixed(3));

/** traffic.csv lines (no header), busiest prefix first. */
export function* trafficLines(e: TrafficEstimate, prefixes: readonly string[]): Generator<string> {
  const order = Array.from(e.prefixIds.keys()).sort((a, b) => e.meanMbps[b] - e.meanMbps[a] || e.prefixIds[a] - e.prefixIds[b]);
  for (const a of order) yield `${prefixes[e.prefixIds[a]]},${r3(e.meanMbps[a])},${r3(e.p95Mbps[a])},${e.flowRecords[a]},${r3(e.peakMbps[a])}`;
}
