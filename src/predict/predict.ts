/**
 * Prediction: the catchment and RTT of every target for a subset of announced
 * sites, from a PreferenceModel.
 *
 * The catchment rule (AnyOpt): a target lands at the first site of its
 * preference order that is announced. It lives in exactly one function,
 * `catchmentSite`, exported for reuse. The subset is assumed to be announced in
 * the model's announcement order (`model.announceOrder`), the order the
 * campaign's pairs were oriented by, so order-sensitive targets behave as
 * measured; `announcementSequence` gives that order for a subset.
 *
 * RTT: the model's RTT at the predicted site (anycast median, else unicast,
 * else estimated). Per-prediction confidence = the target's confidence, x0.8
 * when the RTT is estimated, x0.5 when unknown.
 *
 * Summaries use a weight per target (default 1) and weighted percentiles
 * from a histogram of 0.1 ms bins (so 1,000 subsets stay fast): a quantile is
 * the mean RTT of the bin it falls in, within 0.1 ms of the exact value.
 */
import { STATUS, type PreferenceModel } from '../orders/model.js';

/** THE catchment rule: first site of the order (orders[base .. base+length)) with announced[site] set, or -1. */
export function catchmentSite(orders: Uint16Array, base: number, length: number, announced: Uint8Array): number {
  for (let k = 0; k < length; k++) {
    const s = orders[base + k];
    if (announced[s] !== 0) return s;
  }
  return -1;
}

export interface Prediction {
  /** Per target: index into model.siteIds, -1 when no prediction (unreachable, or no announced site ranked). */
  site: Int16Array;
  /** Per target, ms; NaN when no prediction or unknown RTT. */
  rttMs: Float32Array;
  /** Per target, in [0, 1]; 0 when no prediction. */
  confidence: Float32Array;
}

/** Announced mask (Uint8Array over model.siteIds) for a list of site ids; throws on unknown ids. */
export function announcedMask(model: PreferenceModel, subset: readonly string[]): Uint8Array {
  const mask = new Uint8Array(model.siteIds.length);
  const index = new Map(model.siteIds.map((s, i) => [s, i]));
  for (const s of subset) {
    const i = index.get(s);
    if (i === undefined) throw new UnknownSiteError(s, model.siteIds);
    mask[i] = 1;
  }
  return mask;
}

export class UnknownSiteError extends Error {
  constructor(
    readonly site: string,
    readonly known: readonly string[],
  ) {
    super(`unknown site "${site}" (the model knows ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''})`);
    this.name = 'UnknownSiteError';
  }
}

/** The order in which to announce a subset: the model's announcement order restricted to it. */
export function announcementSequence(model: PreferenceModel, subset: readonly string[]): string[] {
  const inSubset = new Set(subset);
  const order = model.announceOrder.length > 0 ? model.announceOrder : model.siteIds;
  const seq = order.filter((s) => inSubset.has(s));
  for (const s of subset) if (!seq.includes(s)) seq.push(s);
  return seq;
}

const RTT_FACTOR = [1, 1, 0.8]; // anycast, unicast, estimated

/** Predict catchment, RTT and confidence of every target for one subset. */
export function predictSubset(model: PreferenceModel, subset: readonly string[] | Uint8Array, out?: Prediction): Prediction {
  const mask = subset instanceof Uint8Array ? subset : announcedMask(model, subset);
  const S = model.siteIds.length;
  const T = model.targetIds.length;
  const p = out ?? { site: new Int16Array(T), rttMs: new Float32Array(T), confidence: new Float32Array(T) };
  const { orders, orderLength, rttMs, rttSource, confidence } = model;
  for (let t = 0; t < T; t++) {
    const base = t * S;
    const s = catchmentSite(orders, base, orderLength[t], mask);
    p.site[t] = s;
    if (s < 0) {
      p.rttMs[t] = Number.NaN;
      p.confidence[t] = 0;
      continue;
    }
    const r = rttMs[base + s];
    p.rttMs[t] = r;
    const src = rttSource[base + s];
    p.confidence[t] = confidence[t] * (r === r ? (RTT_FACTOR[src] ?? 1) : 0.5);
  }
  return p;
}

export interface PredictionSummary {
  targets: number;
  /** Targets with a predicted site. */
  predicted: number;
  /** Share of weight with a predicted site, over all targets (the plan's `reached`). */
  reached: number;
  /** Share of weight with a predicted site and a known RTT there, over all targets (the plan's and validate's `coverage`). */
  coverage: number;
  /** Share of targets with a predicted site, over targets the model can reach (status not unreachable). */
  coverageReachable: number;
  /** Weighted RTT statistics over predictions with a known RTT, ms. */
  meanRttMs: number;
  medianRttMs: number;
  p90RttMs: number;
  p95RttMs: number;
  /** Share of all weight per site id (sites of the subset only), as the plan's `share`. */
  siteShare: Record<string, number>;
  /** Predictions with confidence below the threshold. */
  lowConfidence: number;
  /** Predictions whose RTT is unknown. */
  unknownRtt: number;
}

/** Reusable buffers for `summarizeSubset` (one histogram of 0.1 ms bins). */
export class SummaryScratch {
  static readonly BIN_MS = 0.1;
  static readonly BINS = 50_000; // up to 5 s; slower RTTs land in the last bin
  readonly hist = new Float64Array(SummaryScratch.BINS);
  /** Weighted sum of the RTTs in each bin: a quantile reports its bin's mean, exact when the bin holds one value. */
  readonly histSum = new Float64Array(SummaryScratch.BINS);
  readonly siteWeight: Float64Array;
  constructor(S: number) {
    this.siteWeight = new Float64Array(S);
  }
}

/**
 * Summary for one subset without materializing per-target arrays (for
 * what-if tables over many subsets). `weights` parallel to model.targetIds
 * (default 1 each).
 */
export function summarizeSubset(
  model: PreferenceModel,
  mask: Uint8Array,
  opts: { weights?: Float64Array; lowConfidence?: number; scratch?: SummaryScratch } = {},
): PredictionSummary {
  const S = model.siteIds.length;
  const T = model.targetIds.length;
  const scratch = opts.scratch ?? new SummaryScratch(S);
  const { hist, histSum, siteWeight } = scratch;
  hist.fill(0);
  histSum.fill(0);
  siteWeight.fill(0);
  const weights = opts.weights;
  const low = opts.lowConfidence ?? 0.5;
  const { orders, orderLength, rttMs, rttSource, confidence, status } = model;
  const binScale = 1 / SummaryScratch.BIN_MS;
  const lastBin = SummaryScratch.BINS - 1;
  let totalW = 0;
  let predW = 0;
  let rttW = 0;
  let rttSum = 0;
  let predicted = 0;
  let reachable = 0;
  let lowCount = 0;
  let unknown = 0;
  for (let t = 0; t < T; t++) {
    const wt = weights ? weights[t] : 1;
    totalW += wt;
    if (status[t] !== STATUS.unreachable) reachable++;
    const base = t * S;
    const s = catchmentSite(orders, base, orderLength[t], mask);
    if (s < 0) continue;
    predicted++;
    predW += wt;
    siteWeight[s] += wt;
    const r = rttMs[base + s];
    let c = confidence[t];
    if (r === r) {
      rttSum += wt * r;
      rttW += wt;
      let bin = Math.floor(r * binScale);
      if (bin > lastBin) bin = lastBin;
      hist[bin] += wt;
      histSum[bin] += wt * r;
      c *= RTT_FACTOR[rttSource[base + s]] ?? 1;
    } else {
      unknown++;
      c *= 0.5;
    }
    if (c < low) lowCount++;
  }
  const quantiles = histogramQuantiles(hist, histSum, rttW, [0.5, 0.9, 0.95]);
  const siteShare: Record<string, number> = {};
  for (let s = 0; s < S; s++) if (mask[s]) siteShare[model.siteIds[s]] = totalW > 0 ? siteWeight[s] / totalW : 0;
  return {
    targets: T,
    predicted,
    reached: totalW > 0 ? predW / totalW : 0,
    coverage: totalW > 0 ? rttW / totalW : 0,
    coverageReachable: reachable > 0 ? predicted / reachable : 0,
    meanRttMs: rttW > 0 ? rttSum / rttW : Number.NaN,
    medianRttMs: quantiles[0],
    p90RttMs: quantiles[1],
    p95RttMs: quantiles[2],
    siteShare,
    lowConfidence: lowCount,
    unknownRtt: unknown,
  };
}

/** Weighted quantiles from a histogram of BIN_MS bins (the mean of the bin reached), NaN when empty. */
function histogramQuantiles(hist: Float64Array, histSum: Float64Array, total: number, qs: number[]): number[] {
  const out = qs.map(() => Number.NaN);
  if (!(total > 0)) return out;
  let acc = 0;
  let qi = 0;
  for (let b = 0; b < hist.length && qi < qs.length; b++) {
    if (hist[b] === 0) continue;
    acc += hist[b];
    while (qi < qs.length && acc >= qs[qi] * total - 1e-9) {
      out[qi++] = histSum[b] / hist[b];
    }
  }
  return out;
}
