/**
 * orders.csv and rtt.csv: the preference model on disk.
 *
 *   # announce-order: ams,lhr,syd        (optional: the campaign's announcement order)
 *   target,order,status,confidence,order_sensitive
 *   1.0.0.1,ams>lhr>syd,total,1,0
 *
 *   target,site,rtt_ms,source
 *   1.0.0.1,ams,23.4,anycast
 *
 * `order` lists sites best first joined by `>` (empty for unreachable targets);
 * `status` is total|cyclic|partial|unreachable; `confidence` in [0, 1];
 * `order_sensitive` (optional, 0/1) marks targets whose winner in some pair
 * depended on announcement order. `source` is anycast|unicast|estimated.
 * Fields are quoted as RFC 4180 needs (ids may hold commas or quotes); a row
 * shorter than its header is an issue.
 */
import { IssueList, InputError } from './issues.js';
import { forEachLine, readCsvFields, RowLines, splitCsvLine, UNCLOSED_QUOTE } from './lines.js';
import { csvField, csvLine, decimalNumber, fitsFloat32 } from './csv.js';
import { Growable, RowCountEstimate } from '../util/growable.js';
import { fileSizeOf } from './open.js';
import { formatRtt } from './observations.js';
import { ORDER_STATUSES, RTT_SOURCES, STATUS, emptyModel, type PreferenceModel, type OrderStatus, type RttSource } from '../orders/model.js';
import type { CsvSink } from '../cli/output.js';

export const ORDERS_HEADER = 'target,order,status,confidence,order_sensitive\n';
export const RTT_HEADER = 'target,site,rtt_ms,source\n';

export interface ReadModelResult {
  model: PreferenceModel;
  issues: IssueList;
  /** Data lines read from orders.csv and rtt.csv. */
  records: { orders: number; rtt: number };
}

function headerIndex(fields: string[], wanted: readonly string[], optional: readonly string[], label: string, lineNo: number, line: string): Record<string, number> {
  const h = fields.map((x) => x.trim());
  const missing = wanted.filter((w) => !h.includes(w));
  if (missing.length > 0) {
    throw InputError.single({ file: label, line: lineNo, expected: `header must name the columns ${wanted.join(',')} (missing ${missing.join(', ')})`, received: line });
  }
  const idx: Record<string, number> = {};
  for (const w of [...wanted, ...optional]) idx[w] = h.indexOf(w);
  return idx;
}

/** Read orders.csv, then rtt.csv (optional) into one model. Sites are taken from the orders (and rtt rows). */
/** An RTT as rtt.csv writes it, or with the digits that tell it from `other` when that rounds the same (20 and 20.001). */
function conflictText(v: number, other: number): string {
  const text = formatRtt(v);
  return v !== other && text === formatRtt(other) ? String(Number(v.toPrecision(7))) : text;
}

export async function readPreferenceModel(ordersPath: string, rttPath?: string, labels: { orders?: string; rtt?: string } = {}): Promise<ReadModelResult> {
  const oLabel = labels.orders ?? ordersPath;
  const rLabel = labels.rtt ?? rttPath ?? '';
  const issues = new IssueList();
  const siteIds: string[] = [];
  const siteIndex = new Map<string, number>();
  const addSite = (s: string) => {
    let i = siteIndex.get(s);
    if (i === undefined) {
      i = siteIds.length;
      siteIndex.set(s, i);
      siteIds.push(s);
    }
    return i;
  };
  // One row per target, as typed columns (no object per target: orders.csv has a line per target).
  const targets: string[] = [];
  const orderStart = new Growable((n) => new Uint32Array(n));
  const orderSites = new Growable((n) => new Uint16Array(n));
  const statusCol = new Growable((n) => new Uint8Array(n));
  const confidenceCol = new Growable((n) => new Float32Array(n)); // the model's type, and one element kind fewer for push (see Growable)
  const sensitiveCol = new Growable((n) => new Uint8Array(n));
  const orderLines = new RowLines();
  const targetIndex = new Map<string, number>();
  // Targets whose orders.csv row was bad, with its line: their rtt.csv rows are
  // skipped, not reported again as "not listed" (the orders.csv issue is the real one).
  const failedTargets = new Map<string, number>();
  let announceOrder: string[] = [];
  let idx: Record<string, number> | undefined;
  let width = 0;
  let orderRecords = 0;

  await forEachLine(ordersPath, oLabel, (line, lineNo) => {
    if (line.startsWith('#')) {
      const m = /^#\s*announce-order:\s*(.*)$/.exec(line);
      if (m) {
        const sites = readCsvFields(m[1]);
        if (sites === undefined) issues.add({ file: oLabel, line: lineNo, expected: UNCLOSED_QUOTE, received: line });
        else announceOrder = sites.map((s) => s.trim()).filter((s) => s !== '');
      }
      return;
    }
    if (line.trim() === '') return;
    const f = readCsvFields(line);
    if (!idx) {
      if (f === undefined) throw InputError.single({ file: oLabel, line: lineNo, expected: UNCLOSED_QUOTE, received: line });
      idx = headerIndex(f, ['target', 'order', 'status', 'confidence'], ['order_sensitive'], oLabel, lineNo, line);
      width = f.length;
      return;
    }
    orderRecords++;
    if (f === undefined || f.length < width) {
      issues.add({ file: oLabel, line: lineNo, expected: f === undefined ? UNCLOSED_QUOTE : `must have ${width} fields like the header`, received: line });
      // Best guess at the row's target, only to keep its rtt.csv rows quiet.
      const guess = (splitCsvLine(line)[idx.target] ?? '').trim();
      if (guess !== '' && !targetIndex.has(guess)) failedTargets.set(guess, lineNo);
      return;
    }
    const target = (f[idx.target] ?? '').trim();
    const orderRaw = (f[idx.order] ?? '').trim();
    const statusRaw = (f[idx.status] ?? '').trim();
    const confRaw = (f[idx.confidence] ?? '').trim();
    const sensRaw = idx.order_sensitive >= 0 ? (f[idx.order_sensitive] ?? '').trim() : '';
    if (target === '') {
      issues.add({ file: oLabel, line: lineNo, column: 'target', expected: 'must be a non-empty target id', received: target });
      return;
    }
    const first = targetIndex.has(target) ? orderLines.lineOf(targetIndex.get(target)!) : failedTargets.get(target);
    if (first !== undefined) {
      issues.add({ file: oLabel, line: lineNo, column: 'target', expected: `must appear once (also on line ${first})`, received: target });
      return;
    }
    const reject = (column: string, expected: string, received: string) => {
      issues.add({ file: oLabel, line: lineNo, column, expected, received });
      failedTargets.set(target, lineNo);
    };
    const status = ORDER_STATUSES.indexOf(statusRaw as OrderStatus);
    if (status < 0) {
      reject('status', `must be one of ${ORDER_STATUSES.join(', ')}`, statusRaw);
      return;
    }
    const confidence = decimalNumber(confRaw);
    if (confRaw === '' || !(confidence >= 0 && confidence <= 1)) {
      reject('confidence', 'must be a number in [0, 1]', confRaw);
      return;
    }
    if (sensRaw !== '' && sensRaw !== '0' && sensRaw !== '1') {
      reject('order_sensitive', 'must be 0 or 1', sensRaw);
      return;
    }
    const names = orderRaw === '' ? [] : orderRaw.split('>').map((s) => s.trim());
    if (names.some((n) => n === '') || new Set(names).size !== names.length) {
      reject('order', 'must list distinct site ids joined by ">"', orderRaw);
      return;
    }
    if ((status === STATUS.unreachable) !== (names.length === 0)) {
      reject('order', status === STATUS.unreachable ? 'must be empty for an unreachable target' : 'must not be empty unless status is unreachable', orderRaw);
      return;
    }
    const row = targets.length;
    targetIndex.set(target, row);
    orderLines.note(row, lineNo);
    targets.push(target);
    orderStart.push(orderSites.length);
    for (const n of names) orderSites.push(addSite(n));
    statusCol.push(status);
    confidenceCol.push(confidence);
    sensitiveCol.push(sensRaw === '1' ? 1 : 0);
  });
  if (!idx) throw InputError.single({ file: oLabel, expected: 'must have a header line (target,order,status,confidence)' });

  // Sites only seen in rtt.csv or the announce order still belong to the model.
  for (const s of announceOrder) addSite(s);
  // Typed columns (no object or JS number per row: rtt.csv has T x S lines).
  const rttTargetCol = new Growable((n) => new Uint32Array(n));
  const rttSiteCol = new Growable((n) => new Uint16Array(n));
  const rttValueCol = new Growable((n) => new Float32Array(n));
  const rttSourceCol = new Growable((n) => new Uint8Array(n));
  const rttLines = new RowLines();
  let rttRecords = 0;
  let lastTarget = '';
  let lastT: number | undefined;
  if (rttPath !== undefined) {
    let ridx: Record<string, number> | undefined;
    let rwidth = 0;
    const estimate = new RowCountEstimate(fileSizeOf(rttPath), [rttTargetCol, rttSiteCol, rttValueCol, rttSourceCol]);
    // A synchronous callback per line (no async step per line: rtt.csv has T x S lines).
    await forEachLine(rttPath, rLabel, (line, lineNo) => {
      if (line.startsWith('#') || line.trim() === '') return;
      const f = readCsvFields(line);
      if (!ridx) {
        if (f === undefined) throw InputError.single({ file: rLabel, line: lineNo, expected: UNCLOSED_QUOTE, received: line });
        ridx = headerIndex(f, ['target', 'site', 'rtt_ms', 'source'], [], rLabel, lineNo, line);
        rwidth = f.length;
        return;
      }
      rttRecords++;
      if (f === undefined || f.length < rwidth) {
        issues.add({ file: rLabel, line: lineNo, expected: f === undefined ? UNCLOSED_QUOTE : `must have ${rwidth} fields like the header`, received: line });
        return;
      }
      const target = (f[ridx.target] ?? '').trim();
      const site = (f[ridx.site] ?? '').trim();
      const rttRaw = (f[ridx.rtt_ms] ?? '').trim();
      const sourceRaw = (f[ridx.source] ?? '').trim();
      // rtt.csv lists a target's sites together: remember the last lookup.
      const t = target === lastTarget ? lastT : targetIndex.get(target);
      lastTarget = target;
      lastT = t;
      if (t === undefined) {
        if (failedTargets.has(target)) return;
        issues.add({ file: rLabel, line: lineNo, column: 'target', expected: `must be a target listed in ${oLabel}`, received: target });
        return;
      }
      if (site === '') {
        issues.add({ file: rLabel, line: lineNo, column: 'site', expected: 'must be a non-empty site id', received: site });
        return;
      }
      const rtt = decimalNumber(rttRaw);
      if (rttRaw === '' || !fitsFloat32(rtt) || rtt < 0) {
        issues.add({ file: rLabel, line: lineNo, column: 'rtt_ms', expected: 'must be a number >= 0 (and below 3.4e38)', received: rttRaw });
        return;
      }
      const source = sourceRaw === 'anycast' ? 0 : RTT_SOURCES.indexOf(sourceRaw as RttSource);
      if (source < 0) {
        issues.add({ file: rLabel, line: lineNo, column: 'source', expected: `must be one of ${RTT_SOURCES.join(', ')}`, received: sourceRaw });
        return;
      }
      estimate.sample(rttTargetCol.length, line);
      rttLines.note(rttTargetCol.length, lineNo);
      rttTargetCol.push(t);
      rttSiteCol.push(addSite(site));
      rttValueCol.push(rtt);
      rttSourceCol.push(source);
    });
    if (!ridx) throw InputError.single({ file: rLabel, expected: 'must have a header line (target,site,rtt_ms,source)' });
  }

  const model = emptyModel(siteIds, targets);
  const S = siteIds.length;
  const starts = orderStart.trimmed();
  const sitesOf = orderSites.trimmed();
  for (let t = 0; t < targets.length; t++) {
    const from = starts[t];
    const to = t + 1 < targets.length ? starts[t + 1] : sitesOf.length;
    model.orderLength[t] = to - from;
    for (let k = from; k < to; k++) model.orders[t * S + (k - from)] = sitesOf[k];
    model.status[t] = statusCol.data[t];
    model.confidence[t] = confidenceCol.data[t];
    model.orderSensitive[t] = sensitiveCol.data[t];
  }
  // A (target, site) listed twice: the same value is harmless, a different one is an issue
  // naming both lines (the first is kept). The first row is looked up only for the issues shown,
  // so the check costs no memory per (target, site).
  let conflicts = 0;
  const rttTarget = rttTargetCol.trimmed();
  const rttSite = rttSiteCol.trimmed();
  const rttValue = rttValueCol.trimmed();
  const rttSourceOf = rttSourceCol.trimmed();
  for (let i = 0; i < rttTarget.length; i++) {
    const at = rttTarget[i] * S + rttSite[i];
    if (!Number.isNaN(model.rttMs[at])) {
      if (rttValue[i] !== model.rttMs[at] || rttSourceOf[i] !== model.rttSource[at]) {
        let j = -1;
        if (++conflicts <= 100) for (let q = 0; q < i && j < 0; q++) if (rttTarget[q] === rttTarget[i] && rttSite[q] === rttSite[i]) j = q;
        issues.add({
          file: rLabel,
          line: rttLines.lineOf(i),
          column: 'rtt_ms',
          expected: `must match ${j >= 0 ? `line ${rttLines.lineOf(j)}` : 'an earlier line'} for the same target and site (${model.targetIds[rttTarget[i]]} at ${model.siteIds[rttSite[i]]}: ${conflictText(model.rttMs[at], rttValue[i])}, ${RTT_SOURCES[model.rttSource[at]]})`,
          received: `${conflictText(rttValue[i], model.rttMs[at])}, ${RTT_SOURCES[rttSourceOf[i]]}`,
        });
      }
      continue;
    }
    model.rttMs[at] = rttValue[i];
    model.rttSource[at] = rttSourceOf[i];
  }
  model.announceOrder = announceOrder;
  return { model, issues, records: { orders: orderRecords, rtt: rttRecords } };
}

/** Write orders.csv rows (with the announce-order comment) to a sink. */
export async function writeOrders(model: PreferenceModel, sink: Pick<CsvSink, 'write'>): Promise<void> {
  const S = model.siteIds.length;
  if (model.announceOrder.length > 0) await sink.write(`# announce-order: ${csvLine(model.announceOrder)}`);
  await sink.write(ORDERS_HEADER);
  let chunk = '';
  for (let t = 0; t < model.targetIds.length; t++) {
    const names: string[] = [];
    for (let k = 0; k < model.orderLength[t]; k++) names.push(model.siteIds[model.orders[t * S + k]]);
    chunk += `${csvField(model.targetIds[t])},${csvField(names.join('>'))},${ORDER_STATUSES[model.status[t]]},${roundConfidence(model.confidence[t])},${model.orderSensitive[t]}\n`;
    if (chunk.length > 1 << 16) {
      await sink.write(chunk);
      chunk = '';
    }
  }
  if (chunk) await sink.write(chunk);
}

/** Write rtt.csv rows (known RTTs only) to a sink. */
export async function writeRtt(model: PreferenceModel, sink: Pick<CsvSink, 'write'>): Promise<void> {
  const S = model.siteIds.length;
  const sites = model.siteIds.map(csvField);
  await sink.write(RTT_HEADER);
  let chunk = '';
  for (let t = 0; t < model.targetIds.length; t++) {
    const target = csvField(model.targetIds[t]);
    for (let s = 0; s < S; s++) {
      const v = model.rttMs[t * S + s];
      if (Number.isNaN(v)) continue;
      chunk += `${target},${sites[s]},${formatRtt(v)},${RTT_SOURCES[model.rttSource[t * S + s]] ?? 'estimated'}\n`;
    }
    if (chunk.length > 1 << 16) {
      await sink.write(chunk);
      chunk = '';
    }
  }
  if (chunk) await sink.write(chunk);
}

function roundConfidence(c: number): string {
  return (Math.round(c * 1000) / 1000).toString();
}
