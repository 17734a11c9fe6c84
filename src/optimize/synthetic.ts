/**
 * Synthetic preference models for tests and benchmarks (seeded, pure).
 *
 * `random`: every target ranks the sites in a uniformly random order, RTTs
 * uniform in [5, 200) ms: the hardest case for merging (almost no two orders
 * agree). `clustered`: a stand-in for BGP-shaped orders when no twin is at
 * hand: targets sit in networks; each network buys transit from one of a few
 * providers and prefers that provider's sites (nearest first, then by a
 * noisy distance), so orders repeat within a network and a nearby site on
 * another provider can lose to a distant one (adding sites can hurt). RTT
 * grows with distance plus per-target jitter. Neither is the twin.
 */
import { emptyModel, STATUS, type PreferenceModel } from '../orders/model.js';
import { createRng } from '../util/random.js';

export interface SyntheticOptions {
  sites: number;
  targets: number;
  seed: number;
  kind: 'random' | 'clustered';
  /** clustered: number of networks (default targets / 20). */
  networks?: number;
  /** clustered: number of transit providers (default max(2, sites / 3)). */
  providers?: number;
  /** Share of targets whose order is cut to a random prefix (partial orders). */
  partialShare?: number;
  /** Share of (target, site) RTTs left unknown. */
  unknownRttShare?: number;
}

export function syntheticModel(o: SyntheticOptions): PreferenceModel {
  const S = o.sites;
  const T = o.targets;
  const rng = createRng(o.seed);
  const siteIds = Array.from({ length: S }, (_, s) => `s${String(s).padStart(S > 100 ? 3 : 2, '0')}`);
  const targetIds = Array.from({ length: T }, (_, t) => `t${t}`);
  const m = emptyModel(siteIds, targetIds);
  const order = new Array<number>(S);
  const sx = new Float64Array(S);
  const sy = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    sx[s] = rng.next();
    sy[s] = rng.next();
  }
  const P = o.providers ?? Math.max(2, Math.floor(S / 3));
  const siteProvider = Int32Array.from({ length: S }, (_, s) => s % P);
  const G = o.networks ?? Math.max(1, Math.floor(T / 20));
  const gx = new Float64Array(G);
  const gy = new Float64Array(G);
  const gOrder: number[][] = [];
  if (o.kind === 'clustered') {
    for (let g = 0; g < G; g++) {
      gx[g] = rng.next();
      gy[g] = rng.next();
      const provider = rng.int(P);
      const key = Array.from({ length: S }, (_, s) => {
        const d = Math.hypot(sx[s] - gx[g], sy[s] - gy[g]) * (0.6 + 0.8 * rng.next());
        return (siteProvider[s] === provider ? 0 : 10) + d;
      });
      gOrder.push(Array.from({ length: S }, (_, s) => s).sort((a, b) => key[a] - key[b]));
    }
  }
  for (let t = 0; t < T; t++) {
    const base = t * S;
    let tx = 0;
    let ty = 0;
    if (o.kind === 'random') {
      for (let s = 0; s < S; s++) order[s] = s;
      rng.shuffle(order);
    } else {
      const g = rng.int(G);
      const src = gOrder[g];
      for (let s = 0; s < S; s++) order[s] = src[s];
      tx = gx[g] + (rng.next() - 0.5) * 0.05;
      ty = gy[g] + (rng.next() - 0.5) * 0.05;
    }
    let len = S;
    if (o.partialShare && rng.next() < o.partialShare) len = rng.int(S + 1);
    for (let k = 0; k < len; k++) m.orders[base + k] = order[k];
    m.orderLength[t] = len;
    m.status[t] = len === 0 ? STATUS.unreachable : len < S ? STATUS.partial : STATUS.total;
    m.confidence[t] = 1;
    for (let s = 0; s < S; s++) {
      if (o.unknownRttShare && rng.next() < o.unknownRttShare) continue;
      const r = o.kind === 'random' ? 5 + 195 * rng.next() : 3 + 160 * Math.hypot(sx[s] - tx, sy[s] - ty) + 4 * rng.next();
      m.rttMs[base + s] = Math.fround(r);
      m.rttSource[base + s] = 1;
    }
  }
  m.announceOrder = siteIds.slice();
  return m;
}
