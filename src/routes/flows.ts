/**
 * Flow records (NetFlow/IPFIX/sFlow exports) parsed line by line into a
 * reusable `FlowRecord`, without per-record objects. Three textual exports:
 *
 * - plain CSV `time,dst_addr,bytes,packets,sampling_rate` (time in Unix
 *   seconds or ISO 8601);
 * - nfdump `-o csv`, both header styles: the fixed 48-column one up to 1.7.4
 *   (`ts,te,td,sa,da,sp,dp,pr,...,ipkt,ibyt,...`, followed by a `Summary`
 *   block that is skipped) and the short one from 1.7.5
 *   (`firstSeen,duration,proto,srcAddr,srcPort,dstAddr,dstPort,packets,bytes,flows`);
 * - goflow2 JSON lines (`time_received_ns`, `sampling_rate`, `bytes`,
 *   `packets`, `dst_addr`; the older `TimeReceived`/`Bytes`/`DstAddr` names too).
 *
 * Bytes are multiplied by the record's sampling rate (0 or missing means 1,
 * or the `defaultSampling` given by the caller: nfdump exports carry none and
 * nfcapd usually scales already). nfdump times carry no zone: read as UTC.
 *
 * Values are range-checked, not only parsed: one stray time (a year 9999, a
 * millisecond stamp) would otherwise stretch the observed period over
 * millions of 5-minute bins, and one infinite byte count would make every
 * rate in traffic.csv infinite.
 */
import { parseIPv4, parseIPv6 } from './addr.js';

export type FlowFormat = 'csv' | 'nfdump' | 'goflow2';

export interface FlowRecord {
  /** Unix seconds. */
  time: number;
  family: 4 | 6;
  /** Destination address words (IPv4: a0 only). */
  a0: number;
  a1: number;
  a2: number;
  a3: number;
  /** Bytes after sampling scale-up. */
  bytes: number;
}

/**
 * Flow records in columns, filled by the reader and handed to the estimator a
 * batch at a time: the longest-prefix matches of a whole batch are independent
 * memory loads the CPU can overlap, which a record-at-a-time loop cannot.
 */
export class FlowBatch {
  readonly family: Uint8Array;
  readonly a0: Uint32Array;
  readonly a1: Uint32Array;
  readonly a2: Uint32Array;
  readonly a3: Uint32Array;
  readonly time: Float64Array;
  readonly bytes: Float64Array;
  length = 0;
  constructor(readonly capacity = 1024) {
    this.family = new Uint8Array(capacity);
    this.a0 = new Uint32Array(capacity);
    this.a1 = new Uint32Array(capacity);
    this.a2 = new Uint32Array(capacity);
    this.a3 = new Uint32Array(capacity);
    this.time = new Float64Array(capacity);
    this.bytes = new Float64Array(capacity);
  }
  /** Append a record; returns true when the batch is full. */
  push(r: FlowRecord): boolean {
    const k = this.length++;
    this.family[k] = r.family;
    this.a0[k] = r.a0;
    if (r.family === 6) {
      this.a1[k] = r.a1;
      this.a2[k] = r.a2;
      this.a3[k] = r.a3;
    }
    this.time[k] = r.time;
    this.bytes[k] = r.bytes;
    return this.length === this.capacity;
  }
}

export function newFlowRecord(): FlowRecord {
  return { time: 0, family: 4, a0: 0, a1: 0, a2: 0, a3: 0, bytes: 0 };
}

export interface FlowColumns {
  style: 'csv' | 'nfdump-1.7.4' | 'nfdump-1.7.5';
  count: number;
  time: number;
  dst: number;
  bytes: number;
  sampling: number;
}

/** Plausible flow and probe times, Unix seconds: 1990-01-01 to 2100-01-01 UTC. */
const MIN_TIME = 631152000;
const MAX_TIME = 4102444800;
export const TIME_RANGE = 'from 1990-01-01 to 2100-01-01 UTC';

export function isPlausibleTime(t: number): boolean {
  return t >= MIN_TIME && t < MAX_TIME;
}

/**
 * Upper bounds that keep every sum finite: 2^53 - 1 bytes (9 PB) in one record,
 * and the 32-bit sampling interval of NetFlow v9, IPFIX and sFlow.
 */
const MAX_BYTES = Number.MAX_SAFE_INTEGER;
const MAX_SAMPLING = 4294967295;
const BYTES_EXPECTED = `must be a number in [0, ${MAX_BYTES}]`;
const SAMPLING_EXPECTED = `must be a number in [0, ${MAX_SAMPLING}] (0 means unsampled)`;

const TIME = ['time', 'ts', 'firstSeen'];
const DST = ['dst_addr', 'da', 'dstAddr'];
const BYTES = ['bytes', 'ibyt'];

/** Map a CSV header onto the columns we read; a problem text when it fits no known style. */
export function flowColumns(header: string[]): FlowColumns | string {
  const h = header.map((s) => s.trim());
  const find = (names: string[]) => {
    for (const n of names) {
      const i = h.indexOf(n);
      if (i >= 0) return i;
    }
    return -1;
  };
  const time = find(TIME);
  const dst = find(DST);
  const bytes = find(BYTES);
  if (time < 0 || dst < 0 || bytes < 0) {
    return 'header must be time,dst_addr,bytes,packets,sampling_rate (plain CSV) or an nfdump -o csv header (ts,...,da,...,ibyt or firstSeen,...,dstAddr,...,bytes)';
  }
  const style = h.includes('ibyt') ? 'nfdump-1.7.4' : h.includes('firstSeen') ? 'nfdump-1.7.5' : 'csv';
  return { style, count: h.length, time, dst, bytes, sampling: h.indexOf('sampling_rate') };
}

/** Unix seconds from `1700000000`, `1700000000.25`, ISO 8601 or `YYYY-MM-DD HH:MM:SS[.fff]` (UTC). */
export function parseFlowTime(s: string): number {
  const c = s.charCodeAt(0);
  if (c >= 48 && c <= 57 && s.length <= 20 && s.indexOf('-') < 0) {
    const v = +s;
    return Number.isFinite(v) ? v : NaN;
  }
  let t = s.trim();
  // A space may stand for the T (nfdump, Python's str(datetime)); a date-time without a zone is
  // UTC (Date.parse would read it in the machine's zone).
  if (/^\d{4}-\d{2}-\d{2} \d/.test(t)) t = t.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t)) t += 'Z';
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(t) ? Date.parse(t) : NaN;
  return ms / 1000;
}

/** Parses flow lines into a reused record; caches the last date-time text (nfdump repeats it). */
export class FlowParser {
  private lastTimeText = '';
  private lastTimeValue = NaN;
  private readonly words = new Uint32Array(4);
  constructor(
    readonly format: FlowFormat,
    readonly cols: FlowColumns | undefined,
    readonly defaultSampling = 1,
  ) {}

  time(s: string): number {
    if (s === this.lastTimeText) return this.lastTimeValue;
    const v = parseFlowTime(s);
    this.lastTimeText = s;
    this.lastTimeValue = v;
    return v;
  }

  parse(line: string, rec: FlowRecord): FlowProblem | undefined {
    return this.format === 'goflow2' ? parseGoflow2Line(line, rec, this.defaultSampling, this) : parseFlowCsvLine(line, this.cols!, rec, this.defaultSampling, this);
  }

  setAddress(rec: FlowRecord, s: string): boolean {
    return setAddress(rec, s, this.words);
  }
}

function setAddress(rec: FlowRecord, s: string, words: Uint32Array): boolean {
  if (s.indexOf(':') < 0) {
    const a = parseIPv4(s);
    if (a < 0) return false;
    rec.family = 4;
    rec.a0 = a;
    return true;
  }
  if (!parseIPv6(s, words)) return false;
  rec.family = 6;
  rec.a0 = words[0];
  rec.a1 = words[1];
  rec.a2 = words[2];
  rec.a3 = words[3];
  return true;
}

export interface FlowProblem {
  column: string;
  expected: string;
  received: string;
}

/**
 * Parse one CSV flow line into `rec`. Returns undefined on success, a problem
 * otherwise. The caller splits nothing: this is the hot path.
 */
export function parseFlowCsvLine(line: string, cols: FlowColumns, rec: FlowRecord, defaultSampling = 1, parser?: FlowParser): FlowProblem | undefined {
  const f = line.indexOf('"') < 0 ? line.split(',') : splitQuoted(line);
  if (f.length < cols.count && (f.length <= cols.dst || f.length <= cols.bytes || f.length <= cols.time)) {
    return { column: 'line', expected: `must have ${cols.count} fields`, received: line };
  }
  const time = parser ? parser.time(f[cols.time]) : parseFlowTime(f[cols.time]);
  if (!isPlausibleTime(time)) {
    const column = cols.style === 'csv' ? 'time' : cols.style === 'nfdump-1.7.4' ? 'ts' : 'firstSeen';
    return { column, expected: Number.isNaN(time) ? 'must be Unix seconds or a date-time' : `must be a time ${TIME_RANGE}`, received: f[cols.time] };
  }
  if (!(parser ? parser.setAddress(rec, f[cols.dst]) : setAddress(rec, f[cols.dst], new Uint32Array(4)))) {
    return { column: cols.style === 'csv' ? 'dst_addr' : cols.style === 'nfdump-1.7.4' ? 'da' : 'dstAddr', expected: 'must be an IPv4 or IPv6 address', received: f[cols.dst] };
  }
  const bytes = +f[cols.bytes];
  if (!(bytes >= 0 && bytes <= MAX_BYTES) || f[cols.bytes] === '') {
    return { column: cols.style === 'nfdump-1.7.4' ? 'ibyt' : 'bytes', expected: BYTES_EXPECTED, received: f[cols.bytes] };
  }
  let sampling = defaultSampling;
  if (cols.sampling >= 0) {
    const raw = f[cols.sampling];
    if (raw !== undefined && raw !== '') {
      const s = +raw;
      if (!(s >= 0 && s <= MAX_SAMPLING)) return { column: 'sampling_rate', expected: SAMPLING_EXPECTED, received: raw };
      if (s > 0) sampling = s;
    }
  }
  rec.time = time;
  rec.bytes = bytes * sampling;
  return undefined;
}

/** RFC 4180 split of one line with quoted fields (rare in flow exports). */
function splitQuoted(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (line[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

/** goflow2 time fields in order of preference (`TimeReceived` in seconds, the others in nanoseconds). */
const GOFLOW2_TIME = ['time_received_ns', 'TimeReceived', 'time_flow_start_ns'];

/** Parse one goflow2 JSON line into `rec`. */
export function parseGoflow2Line(line: string, rec: FlowRecord, defaultSampling = 1, parser?: FlowParser): FlowProblem | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { column: 'line', expected: 'must be one JSON object (goflow2 -format json)', received: line };
  }
  if (o === null || typeof o !== 'object') return { column: 'line', expected: 'must be one JSON object (goflow2 -format json)', received: line };
  const timeKey = GOFLOW2_TIME.find((k) => o[k] !== undefined) ?? 'time_received_ns';
  const time = timeKey === 'TimeReceived' ? Number(o.TimeReceived) : Number(o[timeKey]) / 1e9;
  if (!isPlausibleTime(time)) {
    const expected = !(time >= 0) ? `must be a number of ${timeKey === 'TimeReceived' ? 'seconds' : 'nanoseconds'} since 1970` : `must be a time ${TIME_RANGE}`;
    return { column: timeKey, expected, received: String(o[timeKey] ?? '') };
  }
  const dst = o.dst_addr ?? o.DstAddr;
  if (typeof dst !== 'string' || !(parser ? parser.setAddress(rec, dst) : setAddress(rec, dst, new Uint32Array(4)))) return { column: 'dst_addr', expected: 'must be an IPv4 or IPv6 address', received: String(dst ?? '') };
  // A number or a numeric string (goflow2 writes 64-bit counters as either); true is no byte count.
  const rawBytes = o.bytes ?? o.Bytes;
  const bytes = typeof rawBytes === 'number' || (typeof rawBytes === 'string' && rawBytes.trim() !== '') ? Number(rawBytes) : NaN;
  if (!(bytes >= 0 && bytes <= MAX_BYTES)) return { column: 'bytes', expected: BYTES_EXPECTED, received: String(o.bytes ?? o.Bytes ?? '') };
  const rawRate = o.sampling_rate ?? o.SamplingRate ?? 0;
  const s = typeof rawRate === 'number' || (typeof rawRate === 'string' && rawRate.trim() !== '') ? Number(rawRate) : NaN;
  if (!(s >= 0 && s <= MAX_SAMPLING)) return { column: 'sampling_rate', expected: SAMPLING_EXPECTED, received: String(o.sampling_rate ?? o.SamplingRate) };
  rec.time = time;
  rec.bytes = bytes * (s > 0 ? s : defaultSampling);
  return undefined;
}

/** Parse a plain decimal number (digits with an optional fraction) in s[start, end); NaN otherwise. */
export function parseDecimal(s: string, start: number, end: number): number {
  if (start >= end) return NaN;
  let v = 0;
  let i = start;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
    else break;
  }
  if (i === start) return NaN;
  if (i === end) return v;
  if (s.charCodeAt(i) !== 46) return NaN;
  let scale = 0.1;
  const dot = i++;
  if (i === end) return NaN;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
    v += (c - 48) * scale;
    scale *= 0.1;
  }
  // Long fractions accumulate error; let the engine parse those exactly.
  return end - dot > 7 ? Number(s.slice(start, end)) : v;
}

/**
 * The allocation-free path for CSV flow lines: fields are located and parsed
 * in place in the chunk text (no split, no substrings for IPv4, Unix times and
 * plain numbers). Lines with quotes, IPv6 destinations or date-time text take
 * the general path for the fields concerned. Returns a problem like
 * `parseFlowCsvLine` does.
 */
export class CsvFlowScanner {
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly need: number;
  private readonly words = new Uint32Array(4);
  constructor(
    private readonly parser: FlowParser,
    private readonly cols: FlowColumns,
  ) {
    this.need = Math.max(cols.time, cols.dst, cols.bytes, cols.sampling) + 1;
    this.starts = new Int32Array(this.need);
    this.ends = new Int32Array(this.need);
  }

  parseRange(text: string, start: number, end: number, rec: FlowRecord): FlowProblem | undefined {
    const { starts, ends, need, cols } = this;
    let f = 0;
    let s = start;
    while (f < need) {
      if (text.charCodeAt(s) === 34) return this.parser.parse(text.slice(start, end), rec); // quoted: general path
      const comma = text.indexOf(',', s);
      if (comma < 0 || comma >= end) break;
      starts[f] = s;
      ends[f++] = comma;
      s = comma + 1;
    }
    if (f < need) {
      starts[f] = s;
      ends[f++] = end;
    }
    if (f <= cols.time || f <= cols.dst || f <= cols.bytes) return this.parser.parse(text.slice(start, end), rec);
    let time = parseDecimal(text, starts[cols.time], ends[cols.time]);
    if (Number.isNaN(time)) time = this.parser.time(text.slice(starts[cols.time], ends[cols.time]));
    if (!isPlausibleTime(time)) return this.parser.parse(text.slice(start, end), rec);
    const ds = starts[cols.dst];
    const de = ends[cols.dst];
    const a = parseIPv4(text, ds, de);
    if (a >= 0) {
      rec.family = 4;
      rec.a0 = a;
    } else if (parseIPv6(text, this.words, ds, de)) {
      rec.family = 6;
      rec.a0 = this.words[0];
      rec.a1 = this.words[1];
      rec.a2 = this.words[2];
      rec.a3 = this.words[3];
    } else return this.parser.parse(text.slice(start, end), rec);
    const bytes = parseDecimal(text, starts[cols.bytes], ends[cols.bytes]);
    if (!(bytes <= MAX_BYTES)) return this.parser.parse(text.slice(start, end), rec); // NaN or out of range: the general path says which
    let sampling = this.parser.defaultSampling;
    if (cols.sampling >= 0 && cols.sampling < f && starts[cols.sampling] < ends[cols.sampling]) {
      const v = parseDecimal(text, starts[cols.sampling], ends[cols.sampling]);
      if (!(v <= MAX_SAMPLING)) return this.parser.parse(text.slice(start, end), rec);
      if (v > 0) sampling = v;
    }
    rec.time = time;
    rec.bytes = bytes * sampling;
    return undefined;
  }
}
