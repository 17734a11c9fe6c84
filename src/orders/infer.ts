/**
 * Order inference: from a measurement campaign (an ObservationTable: each
 * experiment announces some sites, each target lands at one of them or does not
 * answer) to a PreferenceModel: per target a linear preference order over the
 * sites, a status, a confidence, an order-sensitivity flag and an RTT table.
 *
 * Models:
 * - Every experiment with k >= 2 announced sites says "the winner beats each of
 *   the other k-1" (a pairwise experiment is the case k = 2). Site-alone
 *   experiments give unicast RTTs only.
 * - Announcement order: the campaign's order (`announceOrder`) is inferred as
 *   the consensus of the experiments' announcement orders unless given. Each
 *   pair is decided by the experiments that announced it in that order (the
 *   order plans deploy in); when the pair was also measured the other way round
 *   and the winner differs, the target is order-sensitive. Only when a pair was
 *   measured solely the other way round is that result used.
 * - Provider composition (`siteProvider`, from sites.csv): a pair of sites on
 *   different providers that was not measured takes the target's majority
 *   preference between the two providers over the pairs that were measured
 *   (AnyOpt's two-level model: the provider-level choice does not depend on
 *   which of the provider's sites announce). Inside a provider, measured pairs
 *   and transitivity order the sites. With a full pairwise campaign no pair is
 *   inferred, so the result is exact.
 * - Ranking: minimum-violation (see ranking.ts); measured pairs weigh 2,
 *   provider-inferred pairs 1. Status: `unreachable` (never answered),
 *   `cyclic` (measured/inferred pairs contain a cycle), `partial` (the pairs,
 *   with transitivity, leave the order open: a tie-break by net wins, then
 *   lower RTT, then announcement order chose), else `total`.
 * - Confidence: a weighted share of pairs the order agrees with. The pair at
 *   positions i < j weighs 2^-(i+2): the chance that, with each site announced
 *   with probability 1/2, site i is the first announced and j is announced too,
 *   so that this pair decides the catchment. A pair counts: measured = the
 *   share of its observations the order agrees with (1 when unanimous and
 *   kept, 0 when contradicted), x0.8 when both sites are in one cycle;
 *   provider-inferred or implied by transitivity 0.97 (0.03 if contradicted);
 *   open 0.5. Order-sensitive targets get x0.95. The constants are calibrated
 *   on the default twin (mean confidence per status within about 2 points of
 *   the measured accuracy, see the README).
 * - RTT: median over every experiment in which the target reached the site;
 *   `anycast` when a multi-site experiment contributed, else `unicast`. Missing
 *   RTTs are estimated in rtt-estimate.ts.
 *
 * Does not model: repeated-measurement noise beyond majority votes; prepending.
 */
import type { ObservationTable } from '../io/observations.js';
import { STATUS, emptyModel, type PreferenceModel } from './model.js';
import { rankMinViolations } from './ranking.js';
import { estimateMissingRtts } from './rtt-estimate.js';

export interface InferOptions {
  /** Provider of each site id (from sites.csv): enables provider-level composition of unmeasured pairs. */
  siteProvider?: ReadonlyMap<string, string>;
  /** Strongly connected components up to this many sites are ranked exactly (default 12). */
  exactLimit?: number;
  /** Orient pairs by this announcement order instead of the campaign's consensus order. */
  announceOrder?: readonly string[];
  /** Called every few thousand targets with the number done. */
  onProgress?: (done: number, total: number) => void;
}

export interface InferStats {
  experiments: { siteAlone: number; pairwise: number; larger: number };
  /** Site pairs (of S(S-1)/2) that at least one experiment announced together. */
  pairsMeasured: number;
  pairsTotal: number;
  status: { total: number; cyclic: number; partial: number; unreachable: number };
  orderSensitive: number;
  /** Target-pairs decided by provider composition. */
  pairsInferred: number;
  /** Components larger than the exact limit, ranked heuristically. */
  heuristicComponents: number;
  meanConfidence: number;
  rttSources: { anycast: number; unicast: number; estimated: number; unknown: number };
}

const MEASURED = 2;
const INFERRED = 1;
/** Credibility of a pair inferred from the provider level or implied by transitivity. */
const IMPLIED = 0.97;
/** Factor on pairs inside a cycle: BGP did not behave as one linear order there. */
const IN_CYCLE = 0.8;

/** Infer per-target preference orders and the RTT table from a campaign. */
export function inferOrders(table: ObservationTable, opts: InferOptions = {}): { model: PreferenceModel; stats: InferStats } {
  const siteIds = table.siteIds.slice();
  const S = siteIds.length;
  const T = table.targetIds.length;
  const E = table.experiments.length;
  const model = emptyModel(siteIds, table.targetIds.slice());
  const exactLimit = opts.exactLimit ?? 12;

  // Experiments: announced site indices and each site's position.
  const siteIndex = new Map(siteIds.map((s, i) => [s, i]));
  const pos = new Int16Array(E * S).fill(-1);
  const announcedCount = new Int32Array(E);
  const experiments = { siteAlone: 0, pairwise: 0, larger: 0 };
  const together = new Uint8Array(S * S);
  table.experiments.forEach((e, x) => {
    announcedCount[x] = e.announced.length;
    e.announced.forEach((s, p) => (pos[x * S + siteIndex.get(s)!] = p));
    if (e.announced.length === 1) experiments.siteAlone++;
    else if (e.announced.length === 2) experiments.pairwise++;
    else experiments.larger++;
    for (const a of e.announced) for (const b of e.announced) together[siteIndex.get(a)! * S + siteIndex.get(b)!] = 1;
  });
  let pairsMeasured = 0;
  for (let a = 0; a < S; a++) for (let b = a + 1; b < S; b++) pairsMeasured += together[a * S + b];

  // Announcement order: given, or the consensus of the experiments (net "announced before" count).
  const announceOrder = opts.announceOrder ? opts.announceOrder.filter((s) => siteIndex.has(s)) : consensusAnnounceOrder(table, pos);
  for (const s of siteIds) if (!announceOrder.includes(s)) announceOrder.push(s);
  const rank = new Int32Array(S);
  announceOrder.forEach((s, i) => (rank[siteIndex.get(s)!] = i));
  model.announceOrder = announceOrder.slice();

  // Providers.
  const providerOf = new Int32Array(S).fill(-1);
  const providerNames = new Map<string, number>();
  if (opts.siteProvider) {
    siteIds.forEach((s, i) => {
      const p = opts.siteProvider!.get(s);
      if (p === undefined) return;
      if (!providerNames.has(p)) providerNames.set(p, providerNames.size);
      providerOf[i] = providerNames.get(p)!;
    });
  }
  const P = providerNames.size;

  // Rows grouped by target (counting sort).
  const start = new Uint32Array(T + 1);
  for (let r = 0; r < table.rows; r++) start[table.target[r] + 1]++;
  for (let t = 0; t < T; t++) start[t + 1] += start[t];
  const fill = start.slice(0, T);
  const rowsByTarget = new Uint32Array(table.rows);
  for (let r = 0; r < table.rows; r++) rowsByTarget[fill[table.target[r]]++] = r;

  // Per-target scratch.
  const cnt = new Uint16Array(2 * S * S); // [orient][winner][loser]; orient 0: winner announced first
  const w = new Float32Array(S * S);
  const cred = new Float32Array(S * S); // credibility of the edge a->b, when w[a,b] > 0
  const kind = new Uint8Array(S * S); // 0 open, 1 inferred, 2 measured, 3 contested (tie)
  const netWins = new Int32Array(S);
  const medRtt = new Float32Array(S);
  const provVote = new Int32Array(Math.max(1, P * P));
  const sampleSite = new Int32Array(Math.max(1, E));
  const sampleRtt = new Float32Array(Math.max(1, E));
  const sampleMulti = new Uint8Array(Math.max(1, E));
  const words = Math.ceil(S / 32);
  const reach = new Uint32Array(S * words);
  const buf: number[] = [];

  const status = { total: 0, cyclic: 0, partial: 0, unreachable: 0 };
  let orderSensitive = 0;
  let pairsInferred = 0;
  let heuristicComponents = 0;
  let confidenceSum = 0;
  const tieBefore = (a: number, b: number) => {
    if (netWins[a] !== netWins[b]) return netWins[b] - netWins[a];
    const ra = Number.isNaN(medRtt[a]) ? Infinity : medRtt[a];
    const rb = Number.isNaN(medRtt[b]) ? Infinity : medRtt[b];
    if (ra !== rb) return ra < rb ? -1 : 1;
    return rank[a] - rank[b];
  };

  for (let t = 0; t < T; t++) {
    if (opts.onProgress && t % 4096 === 0) opts.onProgress(t, T);
    cnt.fill(0);
    let n = 0;
    for (let i = start[t]; i < start[t + 1]; i++) {
      const r = rowsByTarget[i];
      const win = table.site[r];
      if (win < 0) continue;
      const x = table.experiment[r];
      sampleSite[n] = win;
      sampleRtt[n] = table.rttMs[r];
      sampleMulti[n] = announcedCount[x] > 1 ? 1 : 0;
      n++;
      if (announcedCount[x] < 2) continue;
      const pw = pos[x * S + win];
      for (let a = 0; a < S; a++) {
        const pa = pos[x * S + a];
        if (pa < 0 || a === win) continue;
        const k = ((pw < pa ? 0 : 1) * S + win) * S + a;
        if (cnt[k] < 65535) cnt[k]++;
      }
    }
    if (n === 0) {
      status.unreachable++;
      continue; // emptyModel: unreachable, order length 0, confidence 0
    }

    // RTT table: median per site.
    for (let s = 0; s < S; s++) {
      buf.length = 0;
      let multi = 0;
      for (let i = 0; i < n; i++) {
        if (sampleSite[i] !== s) continue;
        buf.push(sampleRtt[i]);
        multi |= sampleMulti[i];
      }
      if (buf.length === 0) {
        medRtt[s] = Number.NaN;
        continue;
      }
      buf.sort((a, b) => a - b);
      const h = buf.length >> 1;
      const med = buf.length % 2 ? buf[h] : (buf[h - 1] + buf[h]) / 2;
      medRtt[s] = med;
      model.rttMs[t * S + s] = med;
      model.rttSource[t * S + s] = multi ? 0 : 1;
    }

    // Decide each pair from the experiments in the campaign's orientation.
    w.fill(0);
    kind.fill(0);
    netWins.fill(0);
    let sensitive = 0;
    for (let a = 0; a < S; a++) {
      for (let b = a + 1; b < S; b++) {
        const x = rank[a] < rank[b] ? a : b; // announced first in the campaign's order
        const y = x === a ? b : a;
        const xC = cnt[(0 * S + x) * S + y];
        const yC = cnt[(1 * S + y) * S + x];
        const xR = cnt[(1 * S + x) * S + y];
        const yR = cnt[(0 * S + y) * S + x];
        const nC = xC + yC;
        const nR = xR + yR;
        if (nC + nR === 0) continue;
        const dC = Math.sign(xC - yC);
        const dR = Math.sign(xR - yR);
        if (dC !== 0 && dR !== 0 && dC !== dR) sensitive = 1;
        let d = 0;
        let c = 0;
        if (dC !== 0) {
          d = dC;
          c = Math.max(xC, yC) / nC;
        } else if (dR !== 0 && nC === 0) {
          // Only a pair measured solely the other way round takes that result: a tie in the
          // campaign's orientation stays a tie (the reversed runs say nothing of the order deployed).
          d = dR;
          c = Math.max(xR, yR) / nR;
        }
        if (d === 0) {
          kind[x * S + y] = kind[y * S + x] = 3;
          continue;
        }
        const win = d > 0 ? x : y;
        const lose = d > 0 ? y : x;
        w[win * S + lose] = MEASURED;
        cred[win * S + lose] = c;
        kind[win * S + lose] = kind[lose * S + win] = MEASURED;
      }
    }

    // Provider composition for pairs no experiment decided.
    if (P > 0) {
      provVote.fill(0);
      for (let a = 0; a < S; a++) {
        for (let b = 0; b < S; b++) {
          if (w[a * S + b] !== MEASURED) continue;
          const pa = providerOf[a];
          const pb = providerOf[b];
          if (pa < 0 || pb < 0 || pa === pb) continue;
          provVote[pa * P + pb]++;
          provVote[pb * P + pa]--;
        }
      }
      for (let a = 0; a < S; a++) {
        for (let b = a + 1; b < S; b++) {
          if (kind[a * S + b] !== 0) continue;
          const pa = providerOf[a];
          const pb = providerOf[b];
          if (pa < 0 || pb < 0 || pa === pb) continue;
          const v = provVote[pa * P + pb];
          if (v === 0) continue;
          const win = v > 0 ? a : b;
          const lose = v > 0 ? b : a;
          w[win * S + lose] = INFERRED;
          cred[win * S + lose] = IMPLIED;
          kind[a * S + b] = kind[b * S + a] = INFERRED;
          pairsInferred++;
        }
      }
    }
    for (let a = 0; a < S; a++) {
      for (let b = 0; b < S; b++) {
        if (w[a * S + b] > 0) {
          netWins[a]++;
          netWins[b]--;
        }
      }
    }

    // Minimum-violation ranking.
    const res = rankMinViolations(S, w, tieBefore, model.orders, t * S, exactLimit);
    heuristicComponents += res.heuristicComponents;
    model.orderLength[t] = S;
    const st = res.cyclic ? STATUS.cyclic : res.ambiguous ? STATUS.partial : STATUS.total;
    model.status[t] = st;
    if (st === STATUS.cyclic) status.cyclic++;
    else if (st === STATUS.partial) status.partial++;
    else status.total++;
    model.orderSensitive[t] = sensitive;
    orderSensitive += sensitive;

    // Confidence.
    const base = t * S;
    let needReach = false;
    for (let i = 0; i < S * S && !needReach; i++) if (kind[i] === 0 && (i % (S + 1)) !== 0) needReach = true;
    if (needReach) {
      // Transitive closure of the edges the order keeps, from the bottom of the order up.
      reach.fill(0);
      for (let k = S - 1; k >= 0; k--) {
        const a = model.orders[base + k];
        for (let j = k + 1; j < S; j++) {
          const b = model.orders[base + j];
          if (!(w[a * S + b] > 0)) continue;
          reach[a * words + (b >>> 5)] |= 1 << (b & 31);
          for (let q = 0; q < words; q++) reach[a * words + q] |= reach[b * words + q];
        }
      }
    }
    let num = 0;
    let den = 0;
    for (let i = 0; i < S - 1; i++) {
      const wi = Math.pow(0.5, Math.min(i, 60) + 2);
      const a = model.orders[base + i];
      for (let j = i + 1; j < S; j++) {
        const b = model.orders[base + j];
        let c: number;
        const kd = kind[a * S + b];
        if (kd === MEASURED || kd === INFERRED) {
          c = w[a * S + b] > 0 ? cred[a * S + b] : 1 - cred[b * S + a];
          if (res.cyclic && res.componentOf[a] === res.componentOf[b]) c *= IN_CYCLE;
        } else if (kd === 3) c = 0.5;
        else c = reach[a * words + (b >>> 5)] & (1 << (b & 31)) ? IMPLIED : 0.5;
        num += wi * c;
        den += wi;
      }
    }
    let conf = den > 0 ? num / den : 1;
    if (sensitive) conf *= 0.95;
    model.confidence[t] = conf;
    confidenceSum += conf;
  }
  opts.onProgress?.(T, T);

  estimateMissingRtts(model);
  const rttSources = { anycast: 0, unicast: 0, estimated: 0, unknown: 0 };
  for (let t = 0; t < T; t++) {
    if (model.status[t] === STATUS.unreachable) continue;
    for (let s = 0; s < S; s++) {
      const src = model.rttSource[t * S + s];
      if (src === 0) rttSources.anycast++;
      else if (src === 1) rttSources.unicast++;
      else if (src === 2) rttSources.estimated++;
      else rttSources.unknown++;
    }
  }
  const reachable = T - status.unreachable;
  return {
    model,
    stats: {
      experiments,
      pairsMeasured,
      pairsTotal: (S * (S - 1)) / 2,
      status,
      orderSensitive,
      pairsInferred,
      heuristicComponents,
      meanConfidence: reachable > 0 ? confidenceSum / reachable : 0,
      rttSources,
    },
  };
}

/**
 * The campaign's announcement order: the order that contradicts the fewest
 * experiments' "announced before" relations (majority per pair, then the
 * minimum-violation ranking; ties by first appearance).
 */
function consensusAnnounceOrder(table: ObservationTable, pos: Int16Array): string[] {
  const S = table.siteIds.length;
  const before = new Int32Array(S * S);
  table.experiments.forEach((_, x) => {
    for (let a = 0; a < S; a++) {
      const pa = pos[x * S + a];
      if (pa < 0) continue;
      for (let b = 0; b < S; b++) {
        const pb = pos[x * S + b];
        if (pb >= 0 && pa < pb) before[a * S + b]++;
      }
    }
  });
  const w = new Float32Array(S * S);
  for (let a = 0; a < S; a++) for (let b = 0; b < S; b++) if (before[a * S + b] > before[b * S + a]) w[a * S + b] = 1;
  const out = new Uint16Array(S);
  rankMinViolations(S, w, (a, b) => a - b, out, 0, 12);
  return Array.from(out, (i) => table.siteIds[i]);
}
