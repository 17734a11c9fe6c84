/** Opening input files (gunzip for `.gz`) and turning read failures into input issues. */
import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { InputError, type InputIssue } from './issues.js';

/** Open a file as a byte stream, gunzipping `.gz` files. A read error (missing file) reaches the returned stream. */
export function openInput(path: string): NodeJS.ReadableStream {
  const raw = createReadStream(path);
  if (!path.endsWith('.gz')) return raw;
  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

/** Bytes of a plain file, for sizing what is read from it; 0 for gzip (its size says little) or when it cannot be read. */
export function fileSizeOf(path: string): number {
  if (path.endsWith('.gz')) return 0;
  try {
    return statSync(path).size;
  } catch {
    return 0; // opening the file reports why it cannot be read
  }
}

/** Pipe a source into a transform so that a failure of the source fails the transform too (`.pipe` does not). */
export function pipeInto<T extends NodeJS.ReadWriteStream & { destroy(err?: Error): unknown }>(source: NodeJS.ReadableStream, into: T): T {
  source.on('error', (err: Error) => into.destroy(err));
  return source.pipe(into) as T;
}

/** Turn a file-system or parser failure into an input issue with the file named. */
export function wrapReadError(err: unknown, label: string): InputError {
  if (err instanceof InputError) return err;
  const e = err as NodeJS.ErrnoException & { lines?: number };
  let issue: InputIssue;
  if (e?.code === 'ENOENT') issue = { file: label, expected: 'file not found' };
  else if (e?.code === 'EISDIR') issue = { file: label, expected: 'must be a file, not a directory' };
  else if (e?.code === 'EACCES') issue = { file: label, expected: 'cannot be read (permission denied)' };
  else if (e?.code?.startsWith?.('CSV_')) issue = { file: label, line: e.lines, expected: `must be valid CSV (${e.message})` };
  else if (e?.code === 'Z_DATA_ERROR') issue = { file: label, expected: 'must be valid gzip data' };
  else issue = { file: label, expected: `could not be read: ${e?.message ?? String(err)}` };
  return new InputError([issue], 1, { cause: err });
}


/** JSON.parse rejects a leading byte order mark, which some Windows editors write: drop it first. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Read and parse a JSON file (a leading UTF-8 BOM is skipped); a missing file or bad JSON becomes an input issue naming the file. */
export async function readJsonFile(path: string, label = path): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw wrapReadError(err, label);
  }
  try {
    return JSON.parse(stripBom(text)) as unknown;
  } catch (err) {
    throw new InputError([{ file: label, expected: `must be valid JSON (${(err as Error).message})` }], 1, { cause: err });
  }
}
