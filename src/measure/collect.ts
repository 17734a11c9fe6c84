/**
 * Collect experiment results in memory as an ObservationTable (the same shape
 * `readObservations` returns), for pipelines that do not go through a file
 * (the demo, benchmarks, evaluation).
 */
import type { ObservationTable } from '../io/observations.js';
import type { ExperimentResult } from './runner.js';

export function observationsFromResults(siteIds: readonly string[], targetIds: readonly string[], results: readonly ExperimentResult[]): ObservationTable {
  const T = targetIds.length;
  const rows = results.length * T;
  const experiment = new Uint32Array(rows);
  const target = new Uint32Array(rows);
  const site = new Int16Array(rows);
  const rttMs = new Float32Array(rows);
  results.forEach((r, e) => {
    const base = e * T;
    for (let t = 0; t < T; t++) {
      experiment[base + t] = e;
      target[base + t] = t;
      site[base + t] = r.result.site[t];
      rttMs[base + t] = r.result.rttMs[t];
    }
  });
  return {
    experiments: results.map((r) => ({ id: r.experiment.id, announced: r.experiment.sites.slice() })),
    siteIds: siteIds.slice(),
    targetIds: targetIds.slice(),
    rows,
    experiment,
    target,
    site,
    rttMs,
  };
}
