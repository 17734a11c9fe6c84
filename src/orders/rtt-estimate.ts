/**
 * Estimated RTTs for (target, site) pairs no experiment measured (the target
 * never landed at the site, not even with the site announced alone, e.g.
 * because the probe was lost).
 *
 * Estimate: the median measured RTT at that site over the targets that share
 * the same two most preferred sites (targets BGP treats alike are usually near
 * each other); if none, those sharing the most preferred site; if none, all
 * targets. Source `estimated`. Observations carry no prefix or AS, so the
 * /24-or-AS neighbourhood AnyOpt-style tools use is not available here; the
 * preference order stands in for it. Pairs with no estimate stay NaN.
 */
import { STATUS, type PreferenceModel } from './model.js';

const ESTIMATED = 2;

export function estimateMissingRtts(model: PreferenceModel): number {
  const S = model.siteIds.length;
  const T = model.targetIds.length;
  let missing = 0;
  for (let t = 0; t < T; t++) {
    if (model.status[t] === STATUS.unreachable) continue;
    for (let s = 0; s < S; s++) if (Number.isNaN(model.rttMs[t * S + s])) missing++;
  }
  if (missing === 0 || S === 0) return 0;
  const measured = model.rttSource.slice(); // sources before estimation (255 = unknown)
  const keyOf = [
    (t: number) => (model.orderLength[t] >= 2 ? model.orders[t * S] * S + model.orders[t * S + 1] : -1),
    (t: number) => (model.orderLength[t] >= 1 ? model.orders[t * S] : -1),
    (_t: number) => 0,
  ];
  const groups = [S * S, S, 1];
  let estimated = 0;
  for (let level = 0; level < keyOf.length; level++) {
    const G = groups[level];
    const key = keyOf[level];
    const count = new Int32Array(G * S + 1);
    for (let t = 0; t < T; t++) {
      const g = key(t);
      if (g < 0) continue;
      for (let s = 0; s < S; s++) if (measured[t * S + s] <= 1) count[g * S + s + 1]++;
    }
    for (let i = 0; i < G * S; i++) count[i + 1] += count[i];
    const values = new Float32Array(count[G * S]);
    const fill = count.slice(0, G * S);
    for (let t = 0; t < T; t++) {
      const g = key(t);
      if (g < 0) continue;
      for (let s = 0; s < S; s++) if (measured[t * S + s] <= 1) values[fill[g * S + s]++] = model.rttMs[t * S + s];
    }
    const median = new Float32Array(G * S).fill(Number.NaN);
    const done = new Uint8Array(G * S);
    for (let t = 0; t < T; t++) {
      if (model.status[t] === STATUS.unreachable) continue;
      const g = key(t);
      if (g < 0) continue;
      for (let s = 0; s < S; s++) {
        if (!Number.isNaN(model.rttMs[t * S + s])) continue;
        const gs = g * S + s;
        if (!done[gs]) {
          done[gs] = 1;
          const seg = values.subarray(count[gs], count[gs + 1]).sort();
          const n = seg.length;
          if (n > 0) median[gs] = n % 2 ? seg[n >> 1] : (seg[(n >> 1) - 1] + seg[n >> 1]) / 2;
        }
        if (!Number.isNaN(median[gs])) {
          model.rttMs[t * S + s] = median[gs];
          model.rttSource[t * S + s] = ESTIMATED;
          estimated++;
        }
      }
    }
  }
  return estimated;
}
