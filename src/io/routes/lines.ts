/**
 * Synchronous per-line callback over a streamed file, for the hot readers
 * (flows, bgpdump, probes): no async step per line, no giant string. Strips
 * `\r` and a UTF-8 byte order mark (Windows tools write one; the table readers
 * skip it too), counts 1-based line numbers, gunzips `.gz`. Returning `false`
 * from the callback stops reading.
 */
import { createReadStream } from 'node:fs';
import { openInput, wrapReadError } from '../open.js';

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
        if (onLine(text, from, end, lineNo) === false) {
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
    throw wrapReadError(err, label);
  }
  if (!stopped && rest.length > 0) {
    lineNo++;
    const end = rest.endsWith('\r') ? rest.length - 1 : rest.length;
    onLine(rest, lineNo === 1 && rest.startsWith(bom) ? bom.length : 0, end, lineNo);
  }
  return lineNo;
}
