/**
 * Fast line streaming for hot, fixed formats (observations, flows, RIB dumps):
 * splits chunks on `\n` without building one giant string, strips `\r`, and
 * reports 1-based line numbers. Transparently gunzips `.gz` files.
 */
import { openInput, wrapReadError } from './open.js';

export async function* readLines(path: string, label = path): AsyncGenerator<[line: string, lineNo: number]> {
  let rest = '';
  let lineNo = 0;
  try {
    const stream = openInput(path);
    (stream as NodeJS.ReadableStream & { setEncoding(e: string): void }).setEncoding('utf8');
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        lineNo++;
        let end = nl;
        if (end > start && text.charCodeAt(end - 1) === 13) end--;
        yield [text.slice(start, end), lineNo];
        start = nl + 1;
      }
      rest = text.slice(start);
    }
  } catch (err) {
    throw wrapReadError(err, label);
  }
  if (rest.length > 0) {
    lineNo++;
    yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest, lineNo];
  }
}

/**
 * Split one CSV line. Fast path for lines without quotes; RFC 4180 quoting
 * otherwise (no embedded newlines: every format here is one record a line).
 */
export function splitCsvLine(line: string): string[] {
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
  out.push(field);
  return out;
}
