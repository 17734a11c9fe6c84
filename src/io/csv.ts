/**
 * Typed CSV tables. A `TableSpec` names each column and how to parse it; the
 * reader streams the file through csv-parse, checks the header, parses every
 * cell, and collects one `InputIssue` per bad cell instead of throwing. Rows
 * with any bad cell are dropped; the caller decides whether issues are fatal.
 *
 * Lines whose first character is `#` are comments. Extra columns are ignored.
 */
import { parse } from 'csv-parse';
import { IssueList, InputError, type InputIssue } from './issues.js';
import { forEachLine, readCsvFields, UNCLOSED_QUOTE } from './lines.js';
import { openInput, pipeInto, wrapReadError } from './open.js';

export { openInput, wrapReadError };

export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

export interface Column<T> {
  /** `must be a number in [-90, 90]` */
  expected: string;
  parse(raw: string): T | Invalid;
  /** When set, the column may be absent or empty and this value is used. */
  optional?: { value: T };
}

export type Columns<R> = { [K in keyof R]: Column<R[K]> };

/**
 * A decimal number from trimmed text, NaN for anything else. Number() alone also reads hex,
 * binary and octal ("0x10" is 16), which no file of ours means; this costs two character tests.
 */
export function decimalNumber(s: string): number {
  if (s.length > 1 && s.charCodeAt(0) === 48) {
    const c = s.charCodeAt(1) | 32;
    if (c === 120 || c === 98 || c === 111) return Number.NaN; // 0x, 0b, 0o
  }
  return Number(s);
}

/** True when v survives storage as a 32-bit float (RTTs are stored so): 1e39 would turn into Infinity. */
export function fitsFloat32(v: number): boolean {
  return Number.isFinite(Math.fround(v));
}

export const col = {
  text(opts: { pattern?: RegExp; expected?: string; maxLength?: number } = {}): Column<string> {
    const max = opts.maxLength ?? 200;
    return {
      expected: opts.expected ?? (opts.pattern ? `must match ${opts.pattern}` : 'must be a non-empty text'),
      parse(raw) {
        const s = raw.trim();
        if (s === '' || s.length > max) return INVALID;
        if (opts.pattern && !opts.pattern.test(s)) return INVALID;
        return s;
      },
    };
  },
  number(opts: { min?: number; max?: number; minExclusive?: boolean } = {}): Column<number> {
    const { min = -Infinity, max = Infinity, minExclusive = false } = opts;
    const range =
      min === -Infinity && max === Infinity
        ? ''
        : max === Infinity
          ? minExclusive ? ` > ${min}` : ` >= ${min}`
          : ` in ${minExclusive ? '(' : '['}${min}, ${max}]`;
    return {
      expected: `must be a number${range}`,
      parse(raw) {
        const s = raw.trim();
        if (s === '') return INVALID;
        const v = decimalNumber(s);
        if (!Number.isFinite(v) || v < min || v > max || (minExclusive && v === min)) return INVALID;
        return v;
      },
    };
  },
  integer(opts: { min?: number; max?: number } = {}): Column<number> {
    const { min = -Infinity, max = Infinity } = opts;
    const range = min === -Infinity && max === Infinity ? '' : max === Infinity ? ` >= ${min}` : ` in [${min}, ${max}]`;
    return {
      expected: `must be an integer${range}`,
      parse(raw) {
        const s = raw.trim();
        if (!/^-?\d+$/.test(s)) return INVALID;
        const v = Number(s);
        if (v < min || v > max) return INVALID;
        return v;
      },
    };
  },
  oneOf<T extends string>(values: readonly T[]): Column<T> {
    return {
      expected: `must be one of ${values.join(', ')}`,
      parse(raw) {
        const s = raw.trim() as T;
        return values.includes(s) ? s : INVALID;
      },
    };
  },
  optional<T>(column: Column<T>, value: T): Column<T> {
    return { ...column, optional: { value } };
  },
};

export interface ReadTableResult<R> {
  rows: R[];
  /** 1-based line number of each row, parallel to `rows`. */
  lines: number[];
  issues: IssueList;
  /** Data records seen (good and bad). */
  records: number;
  /** Columns present in the header. */
  header: string[];
}

/**
 * Turns raw records (header first) into typed rows; shared by both readers so
 * they check headers and cells the same way.
 */
class TableBuilder<R> {
  readonly issues = new IssueList();
  readonly rows: R[] = [];
  readonly lines: number[] = [];
  records = 0;
  header: string[] | undefined;
  private index: Array<[keyof R, number, Column<unknown>]> = [];
  private readonly names: Array<keyof R & string>;

  constructor(
    private readonly columns: Columns<R>,
    private readonly label: string,
  ) {
    this.names = Object.keys(columns) as Array<keyof R & string>;
  }

  add(record: string[] | undefined, lineNo: number, raw = ''): void {
    if (record === undefined) {
      const issue = { file: this.label, line: lineNo, expected: UNCLOSED_QUOTE, received: raw };
      if (!this.header) throw InputError.single(issue);
      this.records++;
      this.issues.add(issue);
      return;
    }
    if (!this.header) {
      const header = record.map((h) => h.trim());
      this.header = header;
      const missing = this.names.filter((n) => !header.includes(n) && !(this.columns[n] as Column<unknown>).optional);
      if (missing.length > 0) {
        throw InputError.single({
          file: this.label,
          line: lineNo,
          expected: `header must name the column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} (expected ${this.names.join(',')})`,
          received: record.join(','),
        });
      }
      this.index = this.names.map((n) => [n, header.indexOf(n), this.columns[n] as Column<unknown>]);
      return;
    }
    this.records++;
    const row = {} as Record<keyof R, unknown>;
    let ok = true;
    for (const [name, at, column] of this.index) {
      const raw = at >= 0 ? record[at] : undefined;
      if ((raw === undefined || raw.trim() === '') && column.optional) {
        row[name] = column.optional.value;
        continue;
      }
      const v = raw === undefined ? INVALID : column.parse(raw);
      if (v === INVALID) {
        ok = false;
        this.issues.add({ file: this.label, line: lineNo, column: String(name), expected: column.expected, received: raw ?? '' });
      } else row[name] = v;
    }
    if (ok) {
      this.rows.push(row as R);
      this.lines.push(lineNo);
    }
  }

  result(): ReadTableResult<R> {
    if (!this.header) throw InputError.single({ file: this.label, expected: `must have a header line (${this.names.join(',')})`, received: '' });
    return { rows: this.rows, lines: this.lines, issues: this.issues, records: this.records, header: this.header };
  }
}

/**
 * Read and parse a CSV table through csv-parse (RFC 4180, quoted fields may
 * span lines). File-level problems (missing file, missing columns) throw
 * `InputError`; cell problems are collected in `issues`.
 */
export async function readTable<R>(path: string, columns: Columns<R>, opts: { label?: string } = {}): Promise<ReadTableResult<R>> {
  const label = opts.label ?? path;
  const table = new TableBuilder(columns, label);
  const parser = pipeInto(
    openInput(path),
    parse({ comment: '#', comment_no_infix: true, skip_empty_lines: true, relax_column_count: true, trim: false, info: true, bom: true }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) table.add(record, info.lines);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw wrapReadError(err, label);
  }
  return table.result();
}

/** Throw when a table had bad rows (default: any). */
export function failOnIssues(issues: IssueList, opts: { records?: number; maxBadShare?: number } = {}): void {
  if (issues.empty) return;
  if (opts.maxBadShare !== undefined && opts.records !== undefined && issues.total <= opts.maxBadShare * opts.records) return;
  throw new InputError(issues.items, issues.total);
}

/**
 * Quote a CSV field when needed (RFC 4180), and when it starts with `#`: as
 * the first field of a line it would otherwise read back as a comment.
 */
export function csvField(v: string | number | undefined | null): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]|^#/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: ReadonlyArray<string | number | undefined | null>): string {
  return fields.map(csvField).join(',') + '\n';
}

/**
 * Same contract as `readTable`, for large tables whose fields never contain
 * line breaks (targets.csv with a million rows): splits lines by hand, about
 * four times faster than csv-parse with line info. Quoted fields are handled;
 * one left open at the end of its line is an issue.
 */
export async function readTableFast<R>(path: string, columns: Columns<R>, opts: { label?: string } = {}): Promise<ReadTableResult<R>> {
  const table = new TableBuilder(columns, opts.label ?? path);
  await forEachLine(path, opts.label ?? path, (line, lineNo) => {
    if (line === '' || line.startsWith('#')) return;
    table.add(readCsvFields(line), lineNo, line);
  });
  return table.result();
}

/** Issues for rows whose `column` value repeats an earlier row's (`must be unique (also on line N)`). */
export function duplicateIssues<R>(table: Pick<ReadTableResult<R>, 'rows' | 'lines'>, key: (row: R) => string, file: string, column: string): InputIssue[] {
  const seen = new Map<string, number>();
  const out: InputIssue[] = [];
  table.rows.forEach((row, i) => {
    const k = key(row);
    const first = seen.get(k);
    if (first !== undefined) out.push({ file, line: table.lines[i], column, expected: `must be unique (also on line ${first})`, received: k });
    else seen.set(k, table.lines[i]);
  });
  return out;
}
