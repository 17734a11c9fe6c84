/**
 * Where command output goes: CSV to `--out FILE` (atomically, only on success)
 * or to stdout; JSON summaries to stdout with `--json`; human summaries to
 * stderr.
 */
import { AtomicWriter, commitTogether, writeFileAtomic } from '../io/write.js';
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
 * Run `produce`, which opens its outputs with `open` (a file, or stdout for undefined / `-`);
 * on success they are committed together (commitTogether: all old or all new after an
 * interrupt), on failure every one is aborted.
 */
export async function withCsvSinks<T>(ctx: CliContext, produce: (open: (out: string | undefined) => Promise<CsvSink>) => Promise<T>): Promise<T> {
  const sinks: CsvSink[] = [];
  const open = async (out: string | undefined) => {
    const sink = await openCsvSink(ctx, out);
    sinks.push(sink);
    return sink;
  };
  try {
    const r = await produce(open);
    await commitTogether(sinks.filter((s): s is AtomicWriter => s instanceof AtomicWriter));
    return r;
  } catch (err) {
    for (const s of sinks) await s.abort();
    throw err;
  }
}

/** Run `produce` against a sink; commit on success, abort on failure. */
export function withCsvSink<T>(ctx: CliContext, out: string | undefined, produce: (sink: CsvSink) => Promise<T>): Promise<T> {
  return withCsvSinks(ctx, async (open) => produce(await open(out)));
}

export async function writeTextOutput(ctx: CliContext, out: string | undefined, text: string): Promise<void> {
  if (out === undefined || out === '-') ctx.stdout.write(text);
  else await writeFileAtomic(pathOption(ctx.cwd, out), text);
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
