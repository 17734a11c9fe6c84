/**
 * predicted.csv and the what-if table as text (pure formatting; the command
 * streams the chunks to a sink).
 *
 *   target,site,rtt_ms,confidence          (one subset: per target)
 *   subset,sites,predicted,reached,coverage,mean_rtt_ms,median_rtt_ms,p90_rtt_ms,p95_rtt_ms,low_confidence,unknown_rtt
 */
import { csvField } from '../io/csv.js';
import { formatRtt } from '../io/observations.js';
import type { PreferenceModel } from '../orders/model.js';
import type { Prediction, PredictionSummary } from './predict.js';

export const PREDICTED_HEADER = 'target,site,rtt_ms,confidence\n';
export const WHATIF_HEADER = 'subset,sites,predicted,reached,coverage,mean_rtt_ms,median_rtt_ms,p90_rtt_ms,p95_rtt_ms,low_confidence,unknown_rtt\n';

/** Rows `from..to` of predicted.csv as one chunk. */
export function formatPredictionRows(model: PreferenceModel, p: Prediction, from: number, to: number): string {
  let out = '';
  for (let t = from; t < to; t++) {
    const s = p.site[t];
    // Ids are quoted when they need it, so the file reads back as written.
    if (s < 0) out += `${csvField(model.targetIds[t])},,,0\n`;
    else {
      const r = p.rttMs[t];
      out += `${csvField(model.targetIds[t])},${csvField(model.siteIds[s])},${r === r ? formatRtt(r) : ''},${Math.round(p.confidence[t] * 1000) / 1000}\n`;
    }
  }
  return out;
}

function num(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return '';
  const f = 10 ** digits;
  return String(Math.round(x * f) / f);
}

export function formatWhatIfRow(index: number, sites: readonly string[], s: PredictionSummary): string {
  return `${index},${sites.join('|')},${s.predicted},${num(s.reached, 4)},${num(s.coverage, 4)},${num(s.meanRttMs)},${num(s.medianRttMs)},${num(s.p90RttMs)},${num(s.p95RttMs)},${s.lowConfidence},${s.unknownRtt}\n`;
}
