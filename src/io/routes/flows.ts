/**
 * Streams a flow export (plain CSV, nfdump CSV, goflow2 JSON lines) through a
 * `FlowParser` into a `TrafficEstimator`: one reused record, a synchronous
 * callback per line, constant memory in the number of flows. The format is
 * detected from the first line unless given. nfdump's trailing `Summary`
 * block ends the data.
 */
import { CsvFlowScanner, FlowBatch, FlowParser, flowColumns, newFlowRecord, type FlowFormat } from '../../routes/flows.js';
import type { TrafficEstimator } from '../../routes/traffic.js';
import { InputError } from '../issues.js';
import { forEachLineRange } from '../lines.js';
import { newReport, type FileReport } from './report.js';

export interface FlowReadResult {
  report: FileReport;
  format: FlowFormat;
  style: string;
}

export async function readFlows(
  path: string,
  label: string,
  estimator: TrafficEstimator,
  opts: { format?: FlowFormat; defaultSampling?: number; onRecords?: (n: number) => void } = {},
): Promise<FlowReadResult> {
  const report = newReport(label);
  const rec = newFlowRecord();
  const batch = new FlowBatch();
  let parser: FlowParser | undefined;
  let scanner: CsvFlowScanner | undefined;
  let style = '';
  let headerError: InputError | undefined;
  await forEachLineRange(path, label, (text, start, end, lineNo) => {
    if (scanner !== undefined) {
      // Hot path: CSV records parsed in place.
      if (start === end) return;
      const c = text.charCodeAt(start);
      if (c === 35) return;
      if (c === 83 && text.startsWith('Summary', start)) return false; // nfdump summary block
      report.records++;
      const problem = scanner.parseRange(text, start, end, rec);
      if (problem) {
        report.issues.add({ file: label, line: lineNo, column: problem.column, expected: problem.expected, received: problem.received });
        return;
      }
      if (batch.push(rec)) estimator.addBatch(batch);
      if ((report.records & 0x3ffff) === 0) opts.onRecords?.(report.records);
      return;
    }
    const line = text.slice(start, end);
    if (parser === undefined) {
      if (line.trim() === '' || line.charCodeAt(0) === 35) return;
      const json = line.trimStart().startsWith('{');
      const format: FlowFormat = opts.format ?? (json ? 'goflow2' : line.includes('ibyt') || line.includes('firstSeen') ? 'nfdump' : 'csv');
      if (format === 'goflow2') {
        if (!json) {
          headerError = InputError.single({ file: label, line: lineNo, expected: 'must be goflow2 JSON lines (one {...} object per line)', received: line });
          return false;
        }
        parser = new FlowParser('goflow2', undefined, opts.defaultSampling ?? 1);
        style = 'goflow2 JSON';
        // the first line is data: fall through
      } else {
        const cols = flowColumns(line.split(','));
        if (typeof cols === 'string') {
          headerError = InputError.single({ file: label, line: lineNo, expected: cols, received: line });
          return false;
        }
        if (format === 'nfdump' && cols.style === 'csv') {
          headerError = InputError.single({ file: label, line: lineNo, expected: 'must start with an nfdump -o csv header', received: line });
          return false;
        }
        parser = new FlowParser(format, cols, opts.defaultSampling ?? 1);
        scanner = new CsvFlowScanner(parser, cols);
        style = cols.style === 'csv' ? 'plain CSV' : `nfdump CSV (${cols.style === 'nfdump-1.7.4' ? 'up to 1.7.4' : '1.7.5 and later'})`;
        return;
      }
    }
    if (line.length === 0) return;
    const c = line.charCodeAt(0);
    if (c === 35) return;
    if (c === 83 && line.startsWith('Summary')) return false; // nfdump summary block
    report.records++;
    const problem = parser.parse(line, rec);
    if (problem) {
      report.issues.add({ file: label, line: lineNo, column: problem.column, expected: problem.expected, received: problem.received });
      return;
    }
    estimator.add(rec);
    if ((report.records & 0x3ffff) === 0) opts.onRecords?.(report.records);
  });
  if (batch.length > 0) estimator.addBatch(batch);
  if (headerError) throw headerError;
  if (parser === undefined) throw InputError.single({ file: label, expected: 'must contain a header line and flow records' });
  return { report, format: parser.format, style };
}
