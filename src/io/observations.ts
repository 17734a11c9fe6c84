/**
 * observations.csv: one row per (experiment, target) of a measurement campaign.
 *
 *   experiment,announced,target,site,rtt_ms
 *   e001,ams|lhr,1.0.0.1,ams,23.4
 *   e001,ams|lhr,1.0.1.1,,          <- no reply
 *
 * `announced` lists the announced sites in announcement order joined by `|`;
 * `site` must be one of them (or empty, no answer); `rtt_ms` is empty exactly
 * when `site` is. The reader streams and keeps columns in typed arrays
 * (a 120-experiment campaign over 15,000 targets is 1.8 M rows).
 */
import { IssueList, InputError } from './issues.js';
import { readLines, splitCsvLine } from './lines.js';

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
  const prefix = `${experimentId},${announced.join('|')},`;
  let out = '';
  for (let t = from; t < to; t++) {
    const s = site[t];
    out += s < 0 ? `${prefix}${targetIds[t]},,\n` : `${prefix}${targetIds[t]},${siteIds[s]},${formatRtt(rttMs[t])}\n`;
  }
  return out;
}

/** RTTs are written with 0.01 ms resolution (probes do not resolve better). */
export function formatRtt(ms: number): string {
  return (Math.round(ms * 100) / 100).toString();
}

class Growable<T extends Uint32Array | Int16Array | Float32Array> {
  data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1 << 16);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  trimmed(): T {
    return this.data.subarray(0, this.length) as T;
  }
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
  let header: string[] | undefined;
  let cols = { experiment: 0, announced: 1, target: 2, site: 3, rtt_ms: 4 };
  let records = 0;

  for await (const [line, lineNo] of readLines(path, label)) {
    if (line === '' || line.startsWith('#')) continue;
    const f = splitCsvLine(line);
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
      continue;
    }
    records++;
    const id = (f[cols.experiment] ?? '').trim();
    const announcedRaw = (f[cols.announced] ?? '').trim();
    const target = (f[cols.target] ?? '').trim();
    const siteRaw = (f[cols.site] ?? '').trim();
    const rttRaw = (f[cols.rtt_ms] ?? '').trim();
    if (id === '') {
      issues.add({ file: label, line: lineNo, column: 'experiment', expected: 'must be a non-empty experiment id', received: id });
      continue;
    }
    if (target === '') {
      issues.add({ file: label, line: lineNo, column: 'target', expected: 'must be a non-empty target id', received: target });
      continue;
    }
    let e = expIndex.get(id);
    if (e === undefined) {
      const announced = announcedRaw.split('|').map((s) => s.trim());
      if (announcedRaw === '' || announced.some((s) => s === '') || new Set(announced).size !== announced.length) {
        issues.add({ file: label, line: lineNo, column: 'announced', expected: 'must list distinct site ids joined by "|"', received: announcedRaw });
        continue;
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
      continue;
    }
    let s = -1;
    let r = Number.NaN;
    if (siteRaw !== '' || rttRaw !== '') {
      if (!experiments[e].announced.includes(siteRaw)) {
        issues.add({
          file: label,
          line: lineNo,
          column: 'site',
          expected: `must be one of the announced sites ${experiments[e].announced.join('|')} or empty (no reply)`,
          received: siteRaw,
        });
        continue;
      }
      r = Number(rttRaw);
      if (rttRaw === '' || !Number.isFinite(r) || r < 0) {
        issues.add({ file: label, line: lineNo, column: 'rtt_ms', expected: 'must be a number >= 0 when site is set', received: rttRaw });
        continue;
      }
      s = siteIndex.get(siteRaw)!;
    }
    let t = targetIndex.get(target);
    if (t === undefined) {
      t = targetIds.length;
      targetIndex.set(target, t);
      targetIds.push(target);
    }
    exp.push(e);
    tgt.push(t);
    site.push(s);
    rtt.push(r);
  }
  if (!header) throw InputError.single({ file: label, expected: 'must have a header line (experiment,announced,target,site,rtt_ms)' });
  return {
    table: {
      experiments,
      siteIds,
      targetIds,
      rows: exp.length,
      experiment: exp.trimmed(),
      target: tgt.trimmed(),
      site: site.trimmed(),
      rttMs: rtt.trimmed(),
    },
    issues,
    records,
  };
}
