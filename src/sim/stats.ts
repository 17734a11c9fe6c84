/**
 * `sim stats`: what a scenario contains and the phenomena that make anycast
 * planning hard, all measured by running the routing model (nothing here is a
 * label on a target):
 *  - path inflation: median all-sites anycast RTT against the median
 *    best-unicast RTT (each site announced alone);
 *  - order sensitivity: targets whose catchment for some pair of sites changes
 *    with the order in which the two are switched on;
 *  - cyclic preferences: targets whose pairwise winners (pairs announced in
 *    site-list order) contain a cycle, so no linear order explains them;
 *  - harmful sites: sites whose addition to all the others raises the
 *    weighted mean RTT;
 *  - which decision step chose the route at the targets' routers.
 */
import { catchmentFromState, computeCatchment, computeCatchmentSites, runAnnouncement } from './bgp.js';
import { decideAt } from './explain.js';
import type { DecisionStep } from './decision.js';
import type { Twin } from './twin.js';
import type { Catchment } from './twin-api.js';

export interface SiteStat {
  site: string;
  /** Share of answering targets' weight in the all-sites catchment. */
  weightShare: number;
  targets: number;
  /** Weighted mean RTT of all sites minus that of all sites but this one (positive: the site helps). */
  meanGainMs: number;
}

export interface ScenarioStats {
  ases: number;
  pops: number;
  sessions: number;
  sites: number;
  targets: number;
  answering: number;
  anycast: { medianMs: number; meanMs: number; weightedMeanMs: number };
  bestUnicast: { medianMs: number; meanMs: number; weightedMeanMs: number };
  /** Median anycast RTT over median best-unicast RTT. */
  inflation: number;
  orderSensitiveTargets: number;
  cyclicTargets: number;
  /** Sites that took part in the pair experiments (all, up to MAX_PAIR_SITES). */
  pairSites: number;
  harmfulSites: string[];
  perSite: SiteStat[];
  decidedBy: Partial<Record<DecisionStep, number>>;
  catchmentsRun: number;
}

export function median(xs: ArrayLike<number>): number {
  const v = Array.from(xs).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Weighted mean RTT over targets that have an RTT in every given catchment. */
export function weightedMean(twin: Twin, c: Catchment, mask?: Uint8Array): number {
  let sw = 0;
  let s = 0;
  for (let t = 0; t < c.site.length; t++) {
    if (c.site[t] < 0 || (mask && !mask[t])) continue;
    sw += twin.targetWeight[t];
    s += twin.targetWeight[t] * c.rttMs[t];
  }
  return sw > 0 ? s / sw : Number.NaN;
}

function mean(xs: ArrayLike<number>): number {
  let n = 0;
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i])) continue;
    n++;
    s += xs[i];
  }
  return n > 0 ? s / n : Number.NaN;
}

/**
 * Each target's lowest RTT over the sites announced alone (its best unicast
 * RTT), and that site; -1 / NaN when no site reaches it. Runs one catchment per
 * site, calling `onSite` after each.
 */
export function bestUnicast(twin: Twin, onSite: () => void = () => {}): Catchment {
  const T = twin.targetIds.length;
  const rttMs = new Float32Array(T).fill(Number.NaN);
  const site = new Int16Array(T).fill(-1);
  twin.siteIds.forEach((id, s) => {
    const u = computeCatchment(twin, { sites: [id] });
    for (let t = 0; t < T; t++) {
      if (u.site[t] >= 0 && !(rttMs[t] <= u.rttMs[t])) {
        rttMs[t] = u.rttMs[t];
        site[t] = s;
      }
    }
    onSite();
  });
  return { site, rttMs };
}

/** Total catchment computations `scenarioStats` runs, for progress bars. */
export function statsWork(twin: Twin, maxPairSites = MAX_PAIR_SITES): number {
  const S = twin.siteIds.length;
  const P = Math.min(S, maxPairSites);
  return 1 + S + P * (P - 1) + S;
}

/** Order sensitivity and cycles need every pair in both orders: only the first sites take part beyond this. */
export const MAX_PAIR_SITES = 20;

export function scenarioStats(twin: Twin, onProgress: (done: number) => void = () => {}, maxPairSites = MAX_PAIR_SITES): ScenarioStats {
  const S = twin.siteIds.length;
  const P = Math.min(S, maxPairSites);
  const T = twin.targetIds.length;
  let done = 0;
  const step = () => onProgress(++done);

  const allState = runAnnouncement(twin, { sites: twin.siteIds });
  const all = catchmentFromState(allState);
  step();

  const bestCatch = bestUnicast(twin, step);
  const best = bestCatch.rttMs;

  // Pairs in both orders: winners in site-list order feed the cycle check. One byte per target
  // and pair i < j (1: i wins, 2: j wins, 0: neither), pairs numbered in order: at 5M targets and
  // 15 sites 525 MB, where an Int16 per target and ordered pair took 2.25 GB.
  const pairs = (P * (P - 1)) / 2;
  const pairIndex = new Int32Array(P * P);
  for (let i = 0, q = 0; i < P; i++) for (let j = i + 1; j < P; j++) pairIndex[i * P + j] = q++;
  const winner = new Uint8Array(T * pairs);
  const sensitive = new Uint8Array(T);
  for (let i = 0; i < P; i++) {
    for (let j = i + 1; j < P; j++) {
      // Sites only: computing RTTs here (unused) took about a third of the run at 2M targets.
      const ab = computeCatchmentSites(twin, { sites: [twin.siteIds[i], twin.siteIds[j]] });
      step();
      const ba = computeCatchmentSites(twin, { sites: [twin.siteIds[j], twin.siteIds[i]] });
      step();
      const q = pairIndex[i * P + j];
      for (let t = 0; t < T; t++) {
        const w = ab[t];
        winner[t * pairs + q] = w === i ? 1 : w === j ? 2 : 0;
        if (w !== ba[t]) sensitive[t] = 1;
      }
    }
  }
  const beats = (t: number, x: number, y: number) => (x < y ? winner[t * pairs + pairIndex[x * P + y]] === 1 : winner[t * pairs + pairIndex[y * P + x]] === 2);
  let cyclic = 0;
  for (let t = 0; t < T; t++) {
    if (all.site[t] < 0) continue;
    let found = false;
    for (let i = 0; i < P && !found; i++) {
      for (let j = 0; j < P && !found; j++) {
        if (i === j || !beats(t, i, j)) continue;
        for (let k = 0; k < P; k++) {
          if (k !== i && k !== j && beats(t, j, k) && beats(t, k, i)) {
            found = true;
            break;
          }
        }
      }
    }
    if (found) cyclic++;
  }
  let orderSensitive = 0;
  for (let t = 0; t < T; t++) orderSensitive += sensitive[t];

  const baseMean = weightedMean(twin, all);
  let answeringWeight = 0;
  const siteWeight = new Float64Array(S);
  const siteTargets = new Int32Array(S);
  for (let t = 0; t < T; t++) {
    const s = all.site[t];
    if (s < 0) continue;
    answeringWeight += twin.targetWeight[t];
    siteWeight[s] += twin.targetWeight[t];
    siteTargets[s]++;
  }
  const perSite: SiteStat[] = [];
  for (let s = 0; s < S; s++) {
    const without = computeCatchment(twin, { sites: twin.siteIds.filter((_, k) => k !== s) });
    step();
    // Compare on targets that answer in both announcements.
    const mask = new Uint8Array(T);
    for (let t = 0; t < T; t++) mask[t] = all.site[t] >= 0 && without.site[t] >= 0 ? 1 : 0;
    perSite.push({
      site: twin.siteIds[s],
      weightShare: answeringWeight > 0 ? siteWeight[s] / answeringWeight : 0,
      targets: siteTargets[s],
      meanGainMs: weightedMean(twin, without, mask) - weightedMean(twin, all, mask),
    });
  }

  const decidedBy: Partial<Record<DecisionStep, number>> = {};
  const seenPop = new Set<number>();
  for (let t = 0; t < T; t++) {
    const p = twin.targetPop[t];
    if (p < 0 || seenPop.has(p) || allState.bestEdge[p] < 0) continue;
    seenPop.add(p);
    const d = decideAt(allState, p);
    if (d) decidedBy[d.step] = (decidedBy[d.step] ?? 0) + 1;
  }

  const answering = all.site.reduce((n, s) => n + (s >= 0 ? 1 : 0), 0);
  const anycastMedian = median(all.rttMs);
  const unicastMedian = median(best);
  return {
    ases: twin.asCount - 1,
    pops: twin.popCount - S,
    sessions: twin.edgeCount / 2,
    sites: S,
    targets: T,
    answering,
    anycast: { medianMs: anycastMedian, meanMs: mean(all.rttMs), weightedMeanMs: baseMean },
    bestUnicast: { medianMs: unicastMedian, meanMs: mean(best), weightedMeanMs: weightedMean(twin, bestCatch) },
    inflation: anycastMedian / unicastMedian,
    orderSensitiveTargets: orderSensitive,
    pairSites: P,
    cyclicTargets: cyclic,
    harmfulSites: perSite.filter((p) => p.meanGainMs < 0).map((p) => p.site),
    perSite,
    decidedBy,
    catchmentsRun: done,
  };
}
