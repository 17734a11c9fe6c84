/**
 * Where command output goes: CSV to `--out FILE` (atomically, only on success)
 * or to stdout; JSON summaries to stdout with `--json`; human summaries to
 * stderr.
 */
import { AtomicWriter, writeFileAtomic } from '../io/write.js';
import type { CliContext } from './context.js';
import { pathOption } from './options.js';

export interface CsvSink {
  write(text: string): Promise<void> | undefined;
  /** Finish: rename into place (file) or nothing (stdout). */
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export async function openCsvSink(ctx: CliContext, out: string | undefined): Promise<CsvSink> {
  if (out === undefined || out === '-') {
    return {
      write(text) {
        ctx.stdout.write(text);
        return undefined;
      },
      async commit() {},
      async abort() {},
    };
  }
  const w = await AtomicWriter.open(pathOption(ctx.cwd, out));
  return w;
}

/**
 * Commit several outputs together: write every one out first, then rename them back to back
 * without an await between (see OutputGroup): an interrupt leaves all old or all new.
 */
export async function commitSinks(sinks: readonly CsvSink[]): Promise<void> {
  for (const s of sinks) if (s instanceof AtomicWriter) await s.finish();
  for (const s of sinks) {
    if (s instanceof AtomicWriter) s.renameNow();
    else await s.commit();
  }
}

/** Run `produce` against a sink; commit on success, abort on failure. */
export async function withCsvSink<T>(ctx: CliContext, out: string | undefined, produce: (sink: CsvSink) => Promise<T>): Promise<T> {
  const sink = await openCsvSink(ctx, out);
  try {
    const r = await produce(sink);
    await sink.commit();
    return r;
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

export async function writeTextOutput(ctx: CliContext, out: string | undefined, text: string): Promise<void> {
  if (out === undefined || out === '-') ctx.stdout.write(text);
  else await writeFileAtomic(pathOption(ctx.cwd, out), text);
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
