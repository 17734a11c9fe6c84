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
 * The period may span at most `MAX_SPAN_DAYS`: the summary keeps arrays of
 * one entry per bin, so a single stray timestamp must not size them.
 */
import type { FlowBatch, FlowRecord } from './flows.js';
import type { PrefixTrie } from './trie.js';

export const DEFAULT_BIN_SECONDS = 300;
export const MAX_SPAN_DAYS = 366;

/** Unix seconds as `2023-11-14T22:13:20Z`. */
export function isoSeconds(t: number): string {
  const d = new Date(t * 1000);
  return Number.isNaN(d.getTime()) ? `${t} s` : d.toISOString().replace('.000Z', 'Z');
}

/** The flows span more than `MAX_SPAN_DAYS` from the earliest to the latest; times in Unix seconds. */
export class TrafficSpanError extends Error {
  /** The rule and the span found, as an input issue words them (the message joins the two). */
  readonly expected: string;
  readonly received: string;
  constructor(
    readonly earliest: number,
    readonly latest: number,
  ) {
    const expected = `flow times must span at most ${MAX_SPAN_DAYS} days from the earliest to the latest flow`;
    const received = `${isoSeconds(earliest)} to ${isoSeconds(latest)}`;
    super(`${expected}, got ${received}`);
    this.expected = expected;
    this.received = received;
    this.name = 'TrafficSpanError';
  }
}

/** 95th percentile as billed: ascending sort, value at index ceil(0.95 n) - 1. */
export function percentile95(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.max(0, Math.ceil(0.95 * n) - 1)];
}

export interface TrafficEstimate {
  /** Prefix ids that matched at least one flow, in table order. */
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

/** Bins kept open for late flows before they are flushed to the sparse sample list. */
const OPEN_BINS = 3;

/**
 * Streaming estimator. Flows go into a few open 5-minute bins (dense arrays
 * over the prefix table plus a list of touched prefixes); when time moves on,
 * the oldest open bin is flushed as sparse (prefix, bin, bytes) samples. A
 * flow older than every open bin is appended as its own sample and merged at
 * the end. Memory: the table size times OPEN_BINS, plus one sample per
 * (prefix, bin) pair that carried traffic: independent of the flow count for
 * time-ordered exports.
 */
export class TrafficEstimator {
  /** Flow records per prefix id. */
  private records: Uint32Array;
  private readonly open: Array<{ bin: number; bytes: Float64Array; touched: Int32Array; count: number }> = [];
  private readonly pool: Array<{ bytes: Float64Array; touched: Int32Array }> = [];
  private sPrefix = new Int32Array(1 << 16);
  private sBin = new Float64Array(1 << 16);
  private sBytes = new Float64Array(1 << 16);
  private samples = 0;
  private minTime = Infinity;
  private maxTime = -Infinity;
  matched = 0;
  unmatched = 0;
  unmatchedBytes = 0;
  totalBytes = 0;

  constructor(
    private readonly trie: PrefixTrie,
    private readonly prefixCount: number,
    readonly binSeconds = DEFAULT_BIN_SECONDS,
  ) {
    this.records = new Uint32Array(prefixCount);
  }

  private ids = new Int32Array(0);

  /** Add a batch of flows (the fast path), then empty it. */
  addBatch(b: FlowBatch): void {
    const n = b.length;
    if (this.ids.length < n) this.ids = new Int32Array(b.capacity);
    const ids = this.ids;
    const trie = this.trie;
    for (let k = 0; k < n; k++) ids[k] = b.family[k] === 4 ? trie.lookup4(b.a0[k]) : trie.lookup6(b.a0[k], b.a1[k], b.a2[k], b.a3[k]);
    for (let k = 0; k < n; k++) this.account(ids[k], b.time[k], b.bytes[k]);
    b.length = 0;
  }

  /** Add one flow; returns the prefix id it matched, or -1. */
  add(rec: FlowRecord): number {
    const id = rec.family === 4 ? this.trie.lookup4(rec.a0) : this.trie.lookup6(rec.a0, rec.a1, rec.a2, rec.a3);
    this.account(id, rec.time, rec.bytes);
    return id;
  }

  private account(id: number, time: number, bytes: number): void {
    this.totalBytes += bytes;
    // The observed period is the whole input's, flows that match no prefix included.
    if (time < this.minTime) this.minTime = time;
    if (time > this.maxTime) this.maxTime = time;
    const bin = Math.floor(time / this.binSeconds);
    if (id < 0) {
      this.unmatched++;
      this.unmatchedBytes += bytes;
      return;
    }
    this.matched++;
    const a = id;
    const open = this.openBin(bin);
    if (open === undefined) {
      this.pushSample(a, bin, bytes);
      this.records[a]++;
      return;
    }
    // bytes and record count side by side: one cache line per flow.
    const acc = open.bytes;
    if (acc[2 * a + 1] === 0) {
      if (open.count === open.touched.length) {
        const t = new Int32Array(open.touched.length * 2);
        t.set(open.touched);
        open.touched = t;
      }
      open.touched[open.count++] = a;
    }
    acc[2 * a] += bytes;
    acc[2 * a + 1]++;
  }

  private openBin(bin: number) {
    const open = this.open;
    // Most flows land in the newest open bin.
    const last = open[open.length - 1];
    if (last !== undefined && last.bin === bin) return last;
    for (let k = open.length - 1; k >= 0; k--) if (open[k].bin === bin) return open[k];
    if (last !== undefined && bin < open[0].bin) return undefined; // late: a sample of its own
    // A new bin: open it, flushing the oldest when too many are open.
    while (open.length >= OPEN_BINS) this.flush(open.shift()!);
    const buf = this.pool.pop() ?? { bytes: new Float64Array(2 * Math.max(1, this.prefixCount)), touched: new Int32Array(1024) };
    const entry = { bin, bytes: buf.bytes, touched: buf.touched, count: 0 };
    let k = open.length;
    while (k > 0 && open[k - 1].bin > bin) k--;
    open.splice(k, 0, entry);
    return entry;
  }

  private flush(o: { bin: number; bytes: Float64Array; touched: Int32Array; count: number }): void {
    for (let k = 0; k < o.count; k++) {
      const a = o.touched[k];
      this.pushSample(a, o.bin, o.bytes[2 * a]);
      this.records[a] += o.bytes[2 * a + 1];
      o.bytes[2 * a] = 0;
      o.bytes[2 * a + 1] = 0;
    }
    this.pool.push({ bytes: o.bytes, touched: o.touched });
  }

  private pushSample(a: number, bin: number, bytes: number): void {
    if (this.samples === this.sPrefix.length) {
      const cap = this.samples * 2;
      const p = new Int32Array(cap);
      p.set(this.sPrefix);
      this.sPrefix = p;
      const b = new Float64Array(cap);
      b.set(this.sBin);
      this.sBin = b;
      const y = new Float64Array(cap);
      y.set(this.sBytes);
      this.sBytes = y;
    }
    this.sPrefix[this.samples] = a;
    this.sBin[this.samples] = bin;
    this.sBytes[this.samples++] = bytes;
  }

  /** Throws `TrafficSpanError` when the flows span more than `MAX_SPAN_DAYS`. */
  finish(): TrafficEstimate {
    const minBin = Math.floor(this.minTime / this.binSeconds);
    const maxBin = Math.floor(this.maxTime / this.binSeconds);
    if (maxBin - minBin >= (MAX_SPAN_DAYS * 86400) / this.binSeconds) throw new TrafficSpanError(this.minTime, this.maxTime);
    while (this.open.length > 0) this.flush(this.open.shift()!);
    const n = this.prefixCount;
    const S = this.samples;
    const nBins = this.matched === 0 ? 0 : maxBin - minBin + 1;
    const toMbps = 8 / this.binSeconds / 1e6;
    // Group samples by prefix (counting sort).
    const start = new Int32Array(n + 1);
    for (let k = 0; k < S; k++) start[this.sPrefix[k] + 1]++;
    for (let a = 0; a < n; a++) start[a + 1] += start[a];
    const fill = start.slice(0, n);
    const order = new Int32Array(S);
    for (let k = 0; k < S; k++) order[fill[this.sPrefix[k]]++] = k;
    // Per-bin totals, then the busy bins of the aggregate.
    const totals = new Float64Array(nBins);
    for (let k = 0; k < S; k++) totals[this.sBin[k] - minBin] += this.sBytes[k] * toMbps;
    const busyLevel = percentile95(totals);
    const busy = new Uint8Array(nBins);
    let busyCount = 0;
    for (let b = 0; b < nBins; b++) if (totals[b] >= busyLevel && totals[b] > 0) {
      busy[b] = 1;
      busyCount++;
    }
    const meanMbps = new Float64Array(n);
    const p95Mbps = new Float64Array(n);
    const peakMbps = new Float64Array(n);
    const perBin = new Float64Array(nBins);
    const used = new Int32Array(nBins);
    // Bins listed for prefix a are stamped a + 1 (a zero-byte sample leaves perBin at 0, so perBin
    // cannot tell whether a bin is listed: it was listed twice, and `used` overflowed into NaN).
    const listed = new Int32Array(nBins);
    let values = new Float64Array(64);
    for (let a = 0; a < n; a++) {
      let nz = 0;
      let total = 0;
      for (let q = start[a]; q < start[a + 1]; q++) {
        const k = order[q];
        const b = this.sBin[k] - minBin;
        if (listed[b] !== a + 1) {
          listed[b] = a + 1;
          used[nz++] = b;
        }
        perBin[b] += this.sBytes[k] * toMbps;
      }
      if (values.length < nz) values = new Float64Array(Math.max(nz, values.length * 2));
      let peak = 0;
      for (let u = 0; u < nz; u++) {
        const b = used[u];
        const v = perBin[b];
        values[u] = v;
        total += v;
        if (busy[b]) peak += v;
        perBin[b] = 0;
      }
      if (nz === 0) continue;
      meanMbps[a] = nBins > 0 ? total / nBins : 0;
      peakMbps[a] = busyCount > 0 ? peak / busyCount : 0;
      // 95th percentile over nBins samples of which nBins - nz are zero.
      const sorted = values.subarray(0, nz).sort();
      const idx = Math.max(0, Math.ceil(0.95 * nBins) - 1);
      const zeros = nBins - nz;
      p95Mbps[a] = idx < zeros ? 0 : sorted[idx - zeros];
    }
    // Report only prefixes that saw flows, in table order.
    let k = 0;
    for (let a = 0; a < n; a++) if (this.records[a] > 0) k++;
    const ids = new Int32Array(k);
    const out = { mean: new Float64Array(k), p95: new Float64Array(k), peak: new Float64Array(k), rec: new Float64Array(k) };
    k = 0;
    for (let a = 0; a < n; a++) {
      if (this.records[a] === 0) continue;
      ids[k] = a;
      out.mean[k] = meanMbps[a];
      out.p95[k] = p95Mbps[a];
      out.peak[k] = peakMbps[a];
      out.rec[k++] = this.records[a];
    }
    return {
      prefixIds: ids,
      meanMbps: out.mean,
      p95Mbps: out.p95,
      peakMbps: out.peak,
      flowRecords: out.rec,
      bins: nBins,
      binSeconds: this.binSeconds,
      periodStart: nBins > 0 ? minBin * this.binSeconds : NaN,
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
