/**
 * Evaluation: score a PreferenceModel's predictions against ground truth (the
 * twin) for random site subsets. Each subset is announced in the model's
 * announcement order (as `predict` assumes) through a caller-supplied
 * `catchment` function, so this module stays pure and independent of the
 * simulator (the CLI passes `computeCatchment` of a twin).
 *
 * Reported: catchment accuracy (share of targets, answering in truth and
 * predicted, whose predicted site is the true one; also weighted by target
 * weight), coverage (predicted / answering in truth), RTT error over the same
 * predictions (mean absolute in ms and as % of the true RTT, quantiles, share
 * under 8 ms: the AnyOpt paper shows 90% of errors under 8 ms), the error of
 * each subset's mean RTT, and accuracy split by order status.
 *
 * Subsets: size uniform in [minSize, maxSize] (default 2..S), then sites
 * uniformly without replacement, from a seeded generator.
 */
import type { Catchment } from '../sim/twin-api.js';
import { ORDER_STATUSES, type PreferenceModel } from '../orders/model.js';
import { announcedMask, announcementSequence, predictSubset, type Prediction } from '../predict/predict.js';
import { createRng } from '../util/random.js';

export interface GroundTruth {
  siteIds: readonly string[];
  targetIds: readonly string[];
  targetWeight?: Float64Array;
  /** True catchment when `sites` are announced in this order. */
  catchment(sites: readonly string[]): Catchment;
}

export interface EvaluateOptions {
  /** Number of random subsets (default 40) or explicit subsets. */
  subsets?: number | string[][];
  seed?: number;
  minSize?: number;
  maxSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface StatusScore {
  compared: number;
  correct: number;
  accuracy: number;
}

export interface SubsetScore {
  sites: string[];
  accuracy: number;
  meanAbsErrorMs: number;
  trueMeanRttMs: number;
  predictedMeanRttMs: number;
}

export interface EvaluationReport {
  subsets: number;
  /** Target-subset pairs where the target answered in truth. */
  answering: number;
  /** ... and the model predicted a site. */
  compared: number;
  coverage: number;
  accuracy: number;
  weightedAccuracy: number;
  rtt: {
    /** Predictions with a known predicted RTT, over all compared (right or wrong site). */
    count: number;
    meanAbsErrorMs: number;
    meanAbsErrorPct: number;
    p50AbsErrorMs: number;
    p90AbsErrorMs: number;
    p95AbsErrorMs: number;
    shareUnder8Ms: number;
    /** Mean over subsets of |predicted mean RTT - true mean RTT| / true mean RTT (weighted means). */
    meanRttErrorPct: number;
    /** Same as meanAbsErrorMs, over correctly predicted catchments only. */
    meanAbsErrorCorrectMs: number;
  };
  byStatus: Record<string, StatusScore>;
  perSubset: SubsetScore[];
}

export function randomSubsets(siteIds: readonly string[], n: number, seed: number, minSize = 2, maxSize = siteIds.length): string[][] {
  const rng = createRng(seed);
  const lo = Math.max(1, Math.min(minSize, siteIds.length));
  const hi = Math.max(lo, Math.min(maxSize, siteIds.length));
  const out: string[][] = [];
  for (let i = 0; i < n; i++) {
    const k = lo + rng.int(hi - lo + 1);
    out.push(rng.shuffle(siteIds.slice()).slice(0, k));
  }
  return out;
}

export function evaluateAgainstTwin(model: PreferenceModel, truth: GroundTruth, opts: EvaluateOptions = {}): EvaluationReport {
  const S = model.siteIds.length;
  const T = model.targetIds.length;
  const missingSites = model.siteIds.filter((s) => !truth.siteIds.includes(s));
  if (missingSites.length > 0) throw new Error(`the ground truth does not know the sites ${missingSites.join(', ')}`);
  const twinSite = new Int16Array(S);
  model.siteIds.forEach((s, i) => (twinSite[i] = truth.siteIds.indexOf(s)));
  const twinTarget = new Int32Array(T).fill(-1);
  const tIndex = new Map(truth.targetIds.map((t, i) => [t, i]));
  for (let t = 0; t < T; t++) twinTarget[t] = tIndex.get(model.targetIds[t]) ?? -1;
  // Twin targets the model leaves out still count as answering when they answer: coverage is over
  // every target that answers in the twin, not only those orders.csv lists.
  const inModel = new Uint8Array(truth.targetIds.length);
  for (let t = 0; t < T; t++) if (twinTarget[t] >= 0) inModel[twinTarget[t]] = 1;

  const subsets = typeof opts.subsets === 'object' ? opts.subsets : randomSubsets(model.siteIds, opts.subsets ?? 40, opts.seed ?? 1, opts.minSize, opts.maxSize);
  const statusCompared = new Float64Array(ORDER_STATUSES.length);
  const statusCorrect = new Float64Array(ORDER_STATUSES.length);
  const errors: number[] = [];
  let answering = 0;
  let compared = 0;
  let correct = 0;
  let wCompared = 0;
  let wCorrect = 0;
  let pctSum = 0;
  let pctCount = 0;
  let correctErrSum = 0;
  let correctErrCount = 0;
  let meanRttErrSum = 0;
  let meanRttErrCount = 0;
  const perSubset: SubsetScore[] = [];
  let pred: Prediction | undefined;

  subsets.forEach((sites, i) => {
    opts.onProgress?.(i, subsets.length);
    const mask = announcedMask(model, sites);
    pred = predictSubset(model, mask, pred);
    const actual = truth.catchment(announcementSequence(model, sites));
    let sCompared = 0;
    let sCorrect = 0;
    let sErr = 0;
    let sErrN = 0;
    let tSum = 0;
    let pSum = 0;
    let wSum = 0;
    for (let t = 0; t < T; t++) {
      const x = twinTarget[t];
      if (x < 0) continue;
      const ts = actual.site[x];
      if (ts < 0) continue;
      answering++;
      const ps = pred.site[t];
      if (ps < 0) continue;
      const w = truth.targetWeight ? truth.targetWeight[x] : 1;
      compared++;
      sCompared++;
      wCompared += w;
      statusCompared[model.status[t]]++;
      const ok = twinSite[ps] === ts;
      if (ok) {
        correct++;
        sCorrect++;
        wCorrect += w;
        statusCorrect[model.status[t]]++;
      }
      const pr = pred.rttMs[t];
      const tr = actual.rttMs[x];
      if (pr === pr && tr === tr) {
        const e = Math.abs(pr - tr);
        errors.push(e);
        sErr += e;
        sErrN++;
        if (tr > 0) {
          pctSum += e / tr;
          pctCount++;
        }
        if (ok) {
          correctErrSum += e;
          correctErrCount++;
        }
        tSum += w * tr;
        pSum += w * pr;
        wSum += w;
      }
    }
    for (let x = 0; x < inModel.length; x++) if (!inModel[x] && actual.site[x] >= 0) answering++;
    const trueMean = wSum > 0 ? tSum / wSum : Number.NaN;
    const predMean = wSum > 0 ? pSum / wSum : Number.NaN;
    if (trueMean > 0) {
      meanRttErrSum += Math.abs(predMean - trueMean) / trueMean;
      meanRttErrCount++;
    }
    perSubset.push({
      sites: announcementSequence(model, sites),
      accuracy: sCompared > 0 ? sCorrect / sCompared : Number.NaN,
      meanAbsErrorMs: sErrN > 0 ? sErr / sErrN : Number.NaN,
      trueMeanRttMs: trueMean,
      predictedMeanRttMs: predMean,
    });
  });
  opts.onProgress?.(subsets.length, subsets.length);

  const sorted = Float64Array.from(errors).sort();
  const q = (p: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
  let under8 = 0;
  for (const e of sorted) if (e < 8) under8++;
  let errSum = 0;
  for (const e of sorted) errSum += e;
  const byStatus: Record<string, StatusScore> = {};
  ORDER_STATUSES.forEach((s, i) => {
    byStatus[s] = { compared: statusCompared[i], correct: statusCorrect[i], accuracy: statusCompared[i] > 0 ? statusCorrect[i] / statusCompared[i] : Number.NaN };
  });
  return {
    subsets: subsets.length,
    answering,
    compared,
    coverage: answering > 0 ? compared / answering : Number.NaN,
    accuracy: compared > 0 ? correct / compared : Number.NaN,
    weightedAccuracy: wCompared > 0 ? wCorrect / wCompared : Number.NaN,
    rtt: {
      count: sorted.length,
      meanAbsErrorMs: sorted.length > 0 ? errSum / sorted.length : Number.NaN,
      meanAbsErrorPct: pctCount > 0 ? (100 * pctSum) / pctCount : Number.NaN,
      p50AbsErrorMs: q(0.5),
      p90AbsErrorMs: q(0.9),
      p95AbsErrorMs: q(0.95),
      shareUnder8Ms: sorted.length > 0 ? under8 / sorted.length : Number.NaN,
      meanRttErrorPct: meanRttErrCount > 0 ? (100 * meanRttErrSum) / meanRttErrCount : Number.NaN,
      meanAbsErrorCorrectMs: correctErrCount > 0 ? correctErrSum / correctErrCount : Number.NaN,
    },
    byStatus,
    perSubset,
  };
}
