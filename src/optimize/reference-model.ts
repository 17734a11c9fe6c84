/**
 * A reference preference model built from ground-truth catchments (the twin):
 * every site announced alone gives each target's RTT to it; every pair
 * announced together (in the given announcement order) says which of the
 * two the target prefers. Orders rank the sites a target can reach by
 * pairwise wins (Copeland); targets whose wins are not transitive are marked
 * `cyclic`. No measurement noise, no sampling: this is what a perfect
 * campaign would infer, used by the optimizer's benchmark and tests to
 * check plans against the twin. `anyopt orders` infers the real thing from
 * observations.
 */
import { emptyModel, STATUS, type PreferenceModel } from '../orders/model.js';
import type { MeasuredCatchment } from './groundtruth.js';

/** `announce(sites)` runs one announcement; sites are passed in announcement order. */
export function referenceModel(siteIds: string[], targetIds: string[], announce: (sites: string[]) => MeasuredCatchment): PreferenceModel {
  const S = siteIds.length;
  const T = targetIds.length;
  const m = emptyModel(siteIds, targetIds);
  const reach = new Uint8Array(T * S);
  for (let s = 0; s < S; s++) {
    const c = announce([siteIds[s]]);
    for (let t = 0; t < T; t++) {
      if (c.site[t] === s) {
        reach[t * S + s] = 1;
        m.rttMs[t * S + s] = c.rttMs[t];
        m.rttSource[t * S + s] = 1; // unicast
      }
    }
  }
  // Bit (t * S + a) * S + b of `beats` is set when t lands on a with only a and b announced
  // (a bitset: at 200 sites x 100,000 targets that is 500 MB instead of 4 GB).
  const beats = new Uint32Array(Math.ceil((T * S * S) / 32));
  const beat = (i: number) => (beats[Math.floor(i / 32)] >>> i % 32) & 1;
  const setBeat = (i: number) => (beats[Math.floor(i / 32)] |= 1 << i % 32);
  const wins = new Int32Array(T * S);
  for (let a = 0; a < S; a++) {
    for (let b = a + 1; b < S; b++) {
      const c = announce([siteIds[a], siteIds[b]]);
      for (let t = 0; t < T; t++) {
        const w = c.site[t];
        if (w === a) {
          setBeat((t * S + a) * S + b);
          wins[t * S + a]++;
        } else if (w === b) {
          setBeat((t * S + b) * S + a);
          wins[t * S + b]++;
        }
      }
    }
  }
  const order: number[] = [];
  for (let t = 0; t < T; t++) {
    order.length = 0;
    for (let s = 0; s < S; s++) if (reach[t * S + s]) order.push(s);
    order.sort((x, y) => wins[t * S + y] - wins[t * S + x] || x - y);
    let transitive = true;
    for (let i = 0; i < order.length && transitive; i++) {
      for (let j = i + 1; j < order.length; j++) {
        if (!beat((t * S + order[i]) * S + order[j])) {
          transitive = false;
          break;
        }
      }
    }
    for (let k = 0; k < order.length; k++) m.orders[t * S + k] = order[k];
    m.orderLength[t] = order.length;
    m.status[t] = order.length === 0 ? STATUS.unreachable : !transitive ? STATUS.cyclic : order.length < S ? STATUS.partial : STATUS.total;
    m.confidence[t] = order.length === 0 ? 0 : 1;
  }
  m.announceOrder = siteIds.slice();
  return m;
}
