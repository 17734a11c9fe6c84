/**
 * Streams probe results `time,prefix,provider,rtt_ms,loss_pct,jitter_ms` into
 * a `PerfMatrix` (sums and counts per prefix and provider). `rtt_ms` may be
 * empty when every probe was lost (`loss_pct` 100). Results for prefixes that
 * are in no provider table are counted and skipped. A file without a header
 * (an empty file) is refused: planning without probes must not happen by accident.
 */
import { canonicalPrefix } from '../../routes/addr.js';
import { isPlausibleTime, parseFlowTime, TIME_RANGE } from '../../routes/flows.js';
import { PerfMatrix } from '../../routes/model.js';
import type { RouteTable } from '../../routes/table.js';
import { splitCsvLine } from '../lines.js';
import { InputError } from '../issues.js';
import { forEachLine } from '../lines.js';
import { newReport, type FileReport } from './report.js';

const COLUMNS = ['time', 'prefix', 'provider', 'rtt_ms', 'loss_pct', 'jitter_ms'];

export interface PerfReadResult {
  perf: PerfMatrix;
  report: FileReport;
  unknownPrefixes: number;
}

export async function readPerformance(path: string, label: string, table: RouteTable, providerIndex: Map<string, number>): Promise<PerfReadResult> {
  const perf = new PerfMatrix(table.size, table.providerCount);
  const report = newReport(label);
  let idx: number[] | undefined;
  let headerError: InputError | undefined;
  let unknownPrefixes = 0;
  const idCache = new Map<string, number>();
  await forEachLine(path, label, (line, lineNo) => {
    if (line.length === 0 || line.charCodeAt(0) === 35) return;
    const f = splitCsvLine(line);
    if (idx === undefined) {
      const h = f.map((s) => s.trim());
      idx = COLUMNS.map((c) => h.indexOf(c));
      const missing = COLUMNS.filter((c, k) => idx![k] < 0 && c !== 'jitter_ms');
      if (missing.length > 0) {
        headerError = InputError.single({ file: label, line: lineNo, expected: `header must name the columns ${missing.map((m) => `"${m}"`).join(', ')} (expected ${COLUMNS.join(',')})`, received: line });
        return false;
      }
      return;
    }
    report.records++;
    const bad = (column: string, expected: string, received: string) => report.issues.add({ file: label, line: lineNo, column, expected, received });
    const [ti, pi, vi, ri, li, ji] = idx;
    const prefixText = (f[pi] ?? '').trim();
    let id = idCache.get(prefixText);
    if (id === undefined) {
      const canon = canonicalPrefix(prefixText);
      if (canon === undefined) return bad('prefix', 'must be a prefix such as 192.0.2.0/24 with no host bits set', prefixText);
      id = table.find(canon);
      idCache.set(prefixText, id);
    }
    const provider = providerIndex.get((f[vi] ?? '').trim());
    if (provider === undefined) return bad('provider', `must be one of the providers (${[...providerIndex.keys()].join(', ')})`, f[vi] ?? '');
    if (!isPlausibleTime(parseFlowTime((f[ti] ?? '').trim()))) return bad('time', `must be Unix seconds or a date-time ${TIME_RANGE}`, f[ti] ?? '');
    const lossText = (f[li] ?? '').trim();
    const loss = lossText === '' ? NaN : Number(lossText);
    if (!(loss >= 0 && loss <= 100)) return bad('loss_pct', 'must be a number in [0, 100]', f[li] ?? '');
    const rttText = (f[ri] ?? '').trim();
    const rtt = rttText === '' ? NaN : Number(rttText);
    if (rttText === '' ? loss < 100 : !(rtt >= 0 && rtt < Infinity)) return bad('rtt_ms', 'must be a number >= 0 (empty only when loss_pct is 100)', f[ri] ?? '');
    const jitText = ji >= 0 ? (f[ji] ?? '').trim() : '';
    const jit = jitText === '' ? NaN : Number(jitText);
    if (jitText !== '' && !(jit >= 0 && jit < Infinity)) return bad('jitter_ms', 'must be a number >= 0 or empty', f[ji] ?? '');
    if (id < 0) {
      unknownPrefixes++;
      return;
    }
    perf.add(id, provider, rtt, loss, jit);
  });
  if (headerError) throw headerError;
  if (idx === undefined) throw InputError.single({ file: label, expected: `must have a header line (${COLUMNS.join(',')})`, received: '' });
  return { perf, report, unknownPrefixes };
}
