/**
 * observations.csv: one row per (experiment, target) of a measurement campaign.
 *
 *   experiment,announced,target,site,rtt_ms
 *   e001,ams|lhr,1.0.0.1,ams,23.4
 *   e001,ams|lhr,1.0.1.1,,          <- no reply
 *
 * `announced` lists the announced sites in announcement order joined by `|`;
 * `site` must be one of them (or empty, no answer); `rtt_ms` is empty exactly
 * when `site` is. Every row has the header's fields (a short row is an issue:
 * a missing site is not the same as an empty one). One row per (experiment,
 * target): an identical repeat is dropped, a different one is an issue. The
 * reader streams and keeps columns in typed arrays (a 120-experiment campaign
 * over 15,000 targets is 1.8 M rows).
 */
import { IssueList, InputError } from './issues.js';
import { forEachLine, readCsvFields, RowLines, UNCLOSED_QUOTE } from './lines.js';
import { csvField, decimalNumber, fitsFloat32 } from './csv.js';
import { Growable, RowCountEstimate } from '../util/growable.js';
import { fileSizeOf } from './open.js';

export const OBSERVATIONS_HEADER = 'experiment,announced,target,site,rtt_ms\n';

export interface ObservationExperiment {
  id: string;
  /** Site ids in announcement order. */
  announced: string[];
}

export interface ObservationTable {
  experiments: ObservationExperiment[];
  /** Every site named in any `announced` list, in order of first appearance. */
  siteIds: string[];
  /** Every target, in order of first appearance. */
  targetIds: string[];
  rows: number;
  /** Per row: index into `experiments`. */
  experiment: Uint32Array;
  /** Per row: index into `targetIds`. */
  target: Uint32Array;
  /** Per row: index into `siteIds`, -1 when the target did not answer. */
  site: Int16Array;
  /** Per row: RTT in ms, NaN when the target did not answer. */
  rttMs: Float32Array;
}

/**
 * Format the rows of one experiment. `site[t]` indexes `siteIds` (-1: no answer).
 * Returns one string chunk; callers write chunk by chunk.
 */
export function formatObservationRows(
  experimentId: string,
  announced: readonly string[],
  targetIds: readonly string[],
  siteIds: readonly string[],
  site: Int16Array,
  rttMs: Float32Array,
  from = 0,
  to = targetIds.length,
): string {
  const prefix = `${csvField(experimentId)},${csvField(announced.join('|'))},`;
  const sites = siteIds.map(csvField);
  const targets = quotedIds(targetIds);
  let out = '';
  for (let t = from; t < to; t++) {
    const s = site[t];
    const target = targets[t];
    out += s < 0 ? `${prefix}${target},,\n` : `${prefix}${target},${sites[s]},${formatRtt(rttMs[t])}\n`;
  }
  return out;
}

/** RTTs are written with 0.01 ms resolution (probes do not resolve better). */
export function formatRtt(ms: number): string {
  return (Math.round(ms * 100) / 100).toString();
}

/** Target ids as CSV fields, quoted once per list rather than once per experiment. */
const quoted = new WeakMap<readonly string[], string[]>();
function quotedIds(ids: readonly string[]): string[] {
  let q = quoted.get(ids);
  if (!q || q.length !== ids.length) {
    q = ids.map(csvField);
    quoted.set(ids, q);
  }
  return q;
}

export interface ReadObservationsResult {
  table: ObservationTable;
  issues: IssueList;
  records: number;
}

/** Stream observations.csv. Bad lines are collected as issues and skipped. */
export async function readObservations(path: string, label = path): Promise<ReadObservationsResult> {
  const issues = new IssueList();
  const experiments: ObservationExperiment[] = [];
  const expIndex = new Map<string, number>();
  const expAnnouncedKey: string[] = [];
  const siteIds: string[] = [];
  const siteIndex = new Map<string, number>();
  const targetIds: string[] = [];
  const targetIndex = new Map<string, number>();
  const exp = new Growable((n) => new Uint32Array(n));
  const tgt = new Growable((n) => new Uint32Array(n));
  const site = new Growable((n) => new Int16Array(n));
  const rtt = new Growable((n) => new Float32Array(n));
  const rowLines = new RowLines();
  // Repeated (experiment, target) rows, found while reading when each experiment's rows are
  // contiguous (as measure run and import write them): per target, the experiment (plus one; 0:
  // none yet) and row of its last row. An experiment seen again after another began switches to
  // the check after reading.
  const lastExp = new Growable((n) => new Uint32Array(n));
  const lastRow = new Growable((n) => new Uint32Array(n));
  const finished = new Set<number>();
  let currentExp = -1;
  let contiguous = true;
  let header: string[] | undefined;
  let cols = { experiment: 0, announced: 1, target: 2, site: 3, rtt_ms: 4 };
  let records = 0;

  // The columns are allocated once instead of growing (at 240M rows growth made the peak about 1.5 times the columns).
  const estimate = new RowCountEstimate(fileSizeOf(path), [exp, tgt, site, rtt]);

  await forEachLine(path, label, (line, lineNo) => {
    if (line === '' || line.startsWith('#')) return;
    const f = readCsvFields(line);
    if (f === undefined) {
      if (!header) throw InputError.single({ file: label, line: lineNo, expected: UNCLOSED_QUOTE, received: line });
      records++;
      issues.add({ file: label, line: lineNo, expected: UNCLOSED_QUOTE, received: line });
      return;
    }
    if (!header) {
      header = f.map((h) => h.trim());
      const missing = Object.keys(cols).filter((c) => !header!.includes(c));
      if (missing.length > 0) {
        throw InputError.single({
          file: label,
          line: lineNo,
          expected: `header must name the columns experiment,announced,target,site,rtt_ms (missing ${missing.join(', ')})`,
          received: line,
        });
      }
      cols = {
        experiment: header.indexOf('experiment'),
        announced: header.indexOf('announced'),
        target: header.indexOf('target'),
        site: header.indexOf('site'),
        rtt_ms: header.indexOf('rtt_ms'),
      };
      return;
    }
    records++;
    if (f.length < header.length) {
      issues.add({ file: label, line: lineNo, expected: `must have ${header.length} fields like the header (an empty site and rtt_ms are written ",,")`, received: line });
      return;
    }
    const id = (f[cols.experiment] ?? '').trim();
    const announcedRaw = (f[cols.announced] ?? '').trim();
    const target = (f[cols.target] ?? '').trim();
    const siteRaw = (f[cols.site] ?? '').trim();
    const rttRaw = (f[cols.rtt_ms] ?? '').trim();
    if (id === '') {
      issues.add({ file: label, line: lineNo, column: 'experiment', expected: 'must be a non-empty experiment id', received: id });
      return;
    }
    if (target === '') {
      issues.add({ file: label, line: lineNo, column: 'target', expected: 'must be a non-empty target id', received: target });
      return;
    }
    let e = expIndex.get(id);
    if (e === undefined) {
      const announced = announcedRaw.split('|').map((s) => s.trim());
      if (announcedRaw === '' || announced.some((s) => s === '') || new Set(announced).size !== announced.length) {
        issues.add({ file: label, line: lineNo, column: 'announced', expected: 'must list distinct site ids joined by "|"', received: announcedRaw });
        return;
      }
      if (announced.some((s) => s.includes('>'))) {
        issues.add({ file: label, line: lineNo, column: 'announced', expected: 'must not have ">" in a site id (orders.csv joins sites with it)', received: announcedRaw });
        return;
      }
      e = experiments.length;
      experiments.push({ id, announced });
      expIndex.set(id, e);
      expAnnouncedKey.push(announcedRaw);
      for (const s of announced) {
        if (!siteIndex.has(s)) {
          siteIndex.set(s, siteIds.length);
          siteIds.push(s);
        }
      }
    } else if (expAnnouncedKey[e] !== announcedRaw) {
      issues.add({
        file: label,
        line: lineNo,
        column: 'announced',
        expected: `must be the same for every row of experiment "${id}" (${expAnnouncedKey[e]})`,
        received: announcedRaw,
      });
      return;
    }
    let s = -1;
    let r = Number.NaN;
    if (siteRaw !== '' || rttRaw !== '') {
      if (siteRaw === '') {
        issues.add({ file: label, line: lineNo, column: 'rtt_ms', expected: 'must be empty when site is empty (no reply), or site must name the site that replied', received: rttRaw });
        return;
      }
      if (!experiments[e].announced.includes(siteRaw)) {
        issues.add({
          file: label,
          line: lineNo,
          column: 'site',
          expected: `must be one of the announced sites ${experiments[e].announced.join('|')} or empty (no reply)`,
          received: siteRaw,
        });
        return;
      }
      r = decimalNumber(rttRaw);
      if (rttRaw === '' || !fitsFloat32(r) || r < 0) {
        issues.add({ file: label, line: lineNo, column: 'rtt_ms', expected: 'must be a number >= 0 (and below 3.4e38) when site is set', received: rttRaw });
        return;
      }
      s = siteIndex.get(siteRaw)!;
    }
    let t = targetIndex.get(target);
    if (t === undefined) {
      t = targetIds.length;
      targetIndex.set(target, t);
      targetIds.push(target);
      lastExp.push(0);
      lastRow.push(0);
    }
    if (e !== currentExp) {
      if (currentExp >= 0) finished.add(currentExp);
      if (finished.has(e)) contiguous = false;
      currentExp = e;
    }
    const row = exp.length;
    if (contiguous) {
      if (lastExp.data[t] === e + 1) {
        const j = lastRow.data[t];
        if (!sameReply(site.data[j], rtt.data[j], s, r)) issues.add(repeatIssue(label, lineNo, rowLines.lineOf(j), experiments[e].id, target, replyText(siteIds, site.data[j], rtt.data[j]), replyText(siteIds, s, r)));
        return; // read once
      }
      lastExp.data[t] = e + 1;
      lastRow.data[t] = row;
    }
    rowLines.note(row, lineNo);
    estimate.sample(row, line);
    exp.push(e);
    tgt.push(t);
    site.push(s);
    rtt.push(r);
  });
  if (!header) throw InputError.single({ file: label, expected: 'must have a header line (experiment,announced,target,site,rtt_ms)' });
  const table: ObservationTable = {
    experiments,
    siteIds,
    targetIds,
    rows: exp.length,
    experiment: exp.trimmed(),
    target: tgt.trimmed(),
    site: site.trimmed(),
    rttMs: rtt.trimmed(),
  };
  const drop = contiguous ? undefined : repeatedRows(table, (i) => rowLines.lineOf(i), issues, label);
  return { table: drop ? withoutRows(table, drop) : table, issues, records };
}

function sameReply(siteA: number, rttA: number, siteB: number, rttB: number): boolean {
  return siteA === siteB && (rttA === rttB || (Number.isNaN(rttA) && Number.isNaN(rttB)));
}

function replyText(siteIds: readonly string[], s: number, r: number): string {
  return s < 0 ? 'no reply' : `site ${siteIds[s]}, rtt_ms ${formatRtt(r)}`;
}

function repeatIssue(label: string, line: number, firstLine: number, experiment: string, target: string, first: string, again: string) {
  return {
    file: label,
    line,
    column: 'target',
    expected: `must appear once in experiment "${experiment}": line ${firstLine} has it with ${first}`,
    received: `${target} with ${again}`,
  };
}

/**
 * Rows repeating an earlier row's (experiment, target), for files whose experiments are not
 * contiguous (the reader checks contiguous ones as it goes, with the same rules). An identical
 * repeat is dropped silently (kept, it would count twice); a different reply is an issue naming
 * both lines, since which one is right cannot be told. Undefined when there is none. Rows are
 * grouped by experiment first (counting sort), so the check needs one array per row and one per
 * target, not a map of pairs.
 */
function repeatedRows(table: ObservationTable, line: (row: number) => number, issues: IssueList, label: string): Uint8Array | undefined {
  const { rows, experiment, target, site, rttMs } = table;
  const E = table.experiments.length;
  const start = new Uint32Array(E + 1);
  for (let i = 0; i < rows; i++) start[experiment[i] + 1]++;
  for (let e = 0; e < E; e++) start[e + 1] += start[e];
  const next = start.slice(0, E);
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[next[experiment[i]]++] = i;
  const first = new Int32Array(table.targetIds.length).fill(-1);
  let drop: Uint8Array | undefined;
  for (let e = 0; e < E; e++) {
    for (let k = start[e]; k < start[e + 1]; k++) {
      const i = order[k];
      const j = first[target[i]];
      if (j < 0) {
        first[target[i]] = i;
        continue;
      }
      drop ??= new Uint8Array(rows);
      drop[i] = 1;
      if (!sameReply(site[j], rttMs[j], site[i], rttMs[i])) {
        issues.add(repeatIssue(label, line(i), line(j), table.experiments[e].id, table.targetIds[target[i]], replyText(table.siteIds, site[j], rttMs[j]), replyText(table.siteIds, site[i], rttMs[i])));
      }
    }
    for (let k = start[e]; k < start[e + 1]; k++) first[target[order[k]]] = -1;
  }
  return drop;
}

function withoutRows(table: ObservationTable, drop: Uint8Array): ObservationTable {
  const keep = (_: number, i: number) => drop[i] === 0;
  const experiment = table.experiment.filter(keep);
  return { ...table, rows: experiment.length, experiment, target: table.target.filter(keep), site: table.site.filter(keep), rttMs: table.rttMs.filter(keep) };
}
