/**
 * Measurement noise: what an experiment sees of the ground truth. Each probe
 * is lost with the scenario's `probeLoss` and its RTT gets zero-mean normal
 * noise (`probeJitterMs`, floored at half the true RTT so no RTT goes below
 * physics). Seeded per experiment, so a re-run of the same campaign observes
 * the same values and a resumed campaign matches an uninterrupted one.
 */
import { hashUnit } from '../util/random.js';
import type { Twin } from './twin.js';
import type { Catchment } from './twin-api.js';

export function probeCatchment(twin: Twin, truth: Catchment, seed: number): Catchment {
  const T = truth.site.length;
  const site = new Int16Array(T);
  const rttMs = new Float32Array(T);
  const { probeLoss, probeJitterMs } = twin.knobs;
  for (let t = 0; t < T; t++) {
    const s = truth.site[t];
    if (s < 0 || hashUnit(twin.seed, seed, 0x1055, t) < probeLoss) {
      site[t] = -1;
      rttMs[t] = Number.NaN;
      continue;
    }
    const u1 = Math.max(1e-12, hashUnit(twin.seed, seed, 0x7177, t));
    const u2 = hashUnit(twin.seed, seed, 0x7178, t);
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    const r = truth.rttMs[t];
    site[t] = s;
    rttMs[t] = Math.max(r * 0.5, r + z * probeJitterMs);
  }
  return { site, rttMs };
}
