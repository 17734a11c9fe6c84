/** Test helper: an in-memory campaign (ObservationTable) from ground-truth preference orders. */
import type { ObservationTable } from '../../src/io/observations.js';

/**
 * `truth[t]` lists site indices best first. Experiments: every site alone, then
 * every pair (a, b) with a < b announced in that order, plus `extra` experiments.
 * The winner of an experiment is the first announced site in the target's order;
 * the RTT is `rtt(t, s)`.
 */
export function campaignFromOrders(
  siteIds: string[],
  truth: number[][],
  opts: { pairs?: Array<[number, number]>; rtt?: (t: number, s: number) => number; skipAlone?: boolean } = {},
): ObservationTable {
  const S = siteIds.length;
  const announced: number[][] = [];
  if (!opts.skipAlone) for (let s = 0; s < S; s++) announced.push([s]);
  const pairs = opts.pairs ?? [];
  if (!opts.pairs) for (let a = 0; a < S; a++) for (let b = a + 1; b < S; b++) pairs.push([a, b]);
  for (const p of pairs) announced.push(p);
  const T = truth.length;
  const rows = announced.length * T;
  const experiment = new Uint32Array(rows);
  const target = new Uint32Array(rows);
  const site = new Int16Array(rows);
  const rttMs = new Float32Array(rows);
  const rtt = opts.rtt ?? ((t: number, s: number) => 10 + ((t * 7 + s * 13) % 50));
  let r = 0;
  announced.forEach((a, e) => {
    for (let t = 0; t < T; t++) {
      const win = truth[t].find((s) => a.includes(s)) ?? -1;
      experiment[r] = e;
      target[r] = t;
      site[r] = win;
      rttMs[r] = win < 0 ? Number.NaN : rtt(t, win);
      r++;
    }
  });
  return {
    experiments: announced.map((a, e) => ({ id: `e${e}`, announced: a.map((s) => siteIds[s]) })),
    siteIds: siteIds.slice(),
    targetIds: truth.map((_, t) => `t${t}`),
    rows,
    experiment,
    target,
    site,
    rttMs,
  };
}
