/**
 * Line reading for every text input: a synchronous callback per line over a
 * streamed file (no async step and no giant string per line), `\r` and a
 * leading UTF-8 byte order mark stripped (so a first line `#...` is still a
 * comment), 1-based line numbers, `.gz` gunzipped; CSV field splitting; and
 * the row -> line map of a reader that skips lines.
 */
import { createReadStream } from 'node:fs';
import { openInput, wrapReadError } from './open.js';

/**
 * Split one CSV line. Fast path for lines without quotes; RFC 4180 quoting
 * otherwise (no embedded newlines: every format here is one record a line).
 * Returns undefined when a quoted field is still open at the end of the line:
 * guessing where it should have ended would silently merge fields.
 */
export function readCsvFields(line: string): string[] | undefined {
  if (line.indexOf('"') < 0) return line.split(',');
  const out: string[] = [];
  let i = 0;
  let field = '';
  let quoted = false;
  while (i < line.length) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
    i++;
  }
  if (quoted) return undefined;
  out.push(field);
  return out;
}

/** Lenient `readCsvFields`: an unclosed quoted field runs to the end of the line. */
export function splitCsvLine(line: string): string[] {
  return readCsvFields(line) ?? readCsvFields(line + '"')!;
}

/** The issue for a line `readCsvFields` rejects. */
export const UNCLOSED_QUOTE = 'must close every quoted field on its line (a closing " is missing)';

/**
 * The line of each row a reader kept, without an array per row: rows follow lines one to one
 * except where lines were skipped (comments, bad or repeated rows), and only those breaks are kept.
 */
export class RowLines {
  private readonly rows: number[] = [0];
  private readonly lines: number[] = [0];

  /** Row `row` (0-based, in order) came from line `line`. */
  note(row: number, line: number): void {
    const k = this.rows.length - 1;
    if (line - row !== this.lines[k] - this.rows[k]) {
      this.rows.push(row);
      this.lines.push(line);
    }
  }

  lineOf(row: number): number {
    let lo = 0;
    let hi = this.rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.rows[mid] <= row) lo = mid;
      else hi = mid - 1;
    }
    return this.lines[lo] + (row - this.rows[lo]);
  }
}

/** Per-line callback with the line as a string (UTF-8); returning `false` stops reading. */
export function forEachLine(path: string, label: string, onLine: (line: string, lineNo: number) => boolean | void): Promise<number> {
  return forEachLineRange(path, label, (text, start, end, lineNo) => onLine(text.slice(start, end), lineNo), 'utf8');
}

/**
 * Hands the callback the chunk text and the line's range instead of a
 * substring (no allocation per line). Reads as latin1 by default: for ASCII
 * formats (flows) it is byte-exact and cheaper than UTF-8 decoding.
 */
export async function forEachLineRange(
  path: string,
  label: string,
  onLine: (text: string, start: number, end: number, lineNo: number) => boolean | void,
  encoding: 'latin1' | 'utf8' = 'latin1',
): Promise<number> {
  // The byte order mark as decoded: one character in UTF-8, its three bytes in latin1.
  const bom = encoding === 'utf8' ? '\ufeff' : '\u00ef\u00bb\u00bf';
  let rest = '';
  let lineNo = 0;
  let stopped = false;
  let inCallback = false;
  try {
    // Large reads: fewer chunks, fewer round trips to the file-system thread pool.
    const stream = path.endsWith('.gz') ? openInput(path) : createReadStream(path, { highWaterMark: 1 << 20 });
    (stream as NodeJS.ReadableStream & { setEncoding(e: string): void }).setEncoding(encoding);
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest.length > 0 ? rest + chunk : chunk;
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        lineNo++;
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        const from = lineNo === 1 && text.startsWith(bom, start) ? start + bom.length : start;
        inCallback = true;
        const go = onLine(text, from, end, lineNo);
        inCallback = false;
        if (go === false) {
          stopped = true;
          break;
        }
        start = nl + 1;
      }
      if (stopped) {
        (stream as NodeJS.ReadableStream & { destroy?(): void }).destroy?.();
        break;
      }
      rest = text.slice(start);
    }
  } catch (err) {
    // What the callback throws (its verdict on a line, or a bug) passes as it is; only reading fails as a read error.
    if (inCallback) throw err;
    throw wrapReadError(err, label);
  }
  if (!stopped && rest.length > 0) {
    lineNo++;
    const end = rest.endsWith('\r') ? rest.length - 1 : rest.length;
    onLine(rest, lineNo === 1 && rest.startsWith(bom) ? bom.length : 0, end, lineNo);
  }
  return lineNo;
}
