/**
 * Output files are written only on success: everything goes to a temporary
 * file beside the target, which is renamed over the target on `commit()`.
 * `abort()` (or a crash) leaves the target untouched.
 *
 * A symlinked output is written through: the file it points to is replaced,
 * the link stays. An output that exists and is not a regular file (a named
 * pipe feeding ExaBGP, /dev/null, /dev/stdout) is written in place: a rename
 * would replace the pipe or the device node with a regular file (and as root
 * that replaces /dev/null for the whole machine). So is a descriptor path
 * (/dev/stdout, /dev/fd/N, /proc/self/fd/N: the caller's open file), appending,
 * so a shell's `>> log` keeps its lines. In place there is no all-or-nothing: a reader of
 * the pipe sees what was written before a failure.
 */
import { createReadStream, createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { lstat, readlink, realpath, rename, stat, unlink, mkdir } from 'node:fs/promises';
import { dirname, basename, join, resolve } from 'node:path';

const DESCRIPTOR_PATH = /^\/dev\/(stdout|stderr|fd\/\d+)$|^\/proc\/(self|thread-self|\d+)\/fd\/\d+$/;

/** The links a path goes through (at most 16 hops), itself first, each as an absolute path. */
async function linkChain(path: string): Promise<string[]> {
  const chain = [resolve(path)];
  for (let hop = 0; hop < 16; hop++) {
    const at = chain[chain.length - 1];
    const st = await lstat(at).catch(() => undefined);
    if (!st?.isSymbolicLink()) break;
    chain.push(resolve(dirname(at), await readlink(at)));
  }
  return chain;
}

/** Where `path` writes (symlinks resolved) and whether it must be written in place (not a regular file). */
export async function resolveOutput(path: string): Promise<{ path: string; inPlace: boolean }> {
  // /dev/stdout, /dev/fd/N, /proc/self/fd/N, or a link to one, reach a descriptor the caller opened
  // (a shell's `>> log`): a rename onto the file behind it would replace that file, so write through it.
  const chain = await linkChain(path);
  if (chain.some((p) => DESCRIPTOR_PATH.test(p))) return { path, inPlace: true };
  let real = path;
  try {
    real = await realpath(path);
  } catch {
    // Not there yet, a dangling link (its target gets a new file, atomically), or a link that
    // reaches something without a path (a pipe): that is written in place.
    const reached = await stat(path).catch(() => undefined);
    if (reached) return { path, inPlace: true };
    return { path: chain[chain.length - 1], inPlace: false };
  }
  const st = await stat(real).catch(() => undefined);
  return { path: real, inPlace: st !== undefined && !st.isFile() };
}

/**
 * Move a finished file (written beside the output) into the output `given`: renamed over a regular
 * file (through a symlink), copied into a pipe or a device, copied then removed across file systems.
 */
export async function moveInto(src: string, given: string): Promise<void> {
  const { path, inPlace } = await resolveOutput(given);
  if (!inPlace) {
    try {
      await rename(src, path);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    }
  }
  await pipeline(createReadStream(src), createWriteStream(path, inPlace ? { flags: 'a' } : undefined));
  await unlink(src);
}

let counter = 0;
function tempPathFor(target: string): string {
  counter++;
  return join(dirname(target), `.${basename(target)}.${process.pid}.${counter}.tmp`);
}

/** Temporary files (and folders) not yet renamed into place or removed: what an interrupt leaves. */
const pending = new Set<string>();
const pendingDirs = new Set<string>();

/**
 * While temporary files exist, SIGINT and SIGTERM remove them and end the process as the signal
 * would (130, 143), so an interrupt leaves every output as it was and nothing beside it. Only then:
 * the long computations before any output is written keep the default (an immediate stop), which
 * a handler would delay until the computation yields. A command with its own handler (measure run
 * stops between experiments and withdraws its sites) takes the signal instead.
 */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  removePendingOutputsSync();
  process.exit(SIGNAL_EXIT[signal]);
}
let listening = false;
function syncSignalHandlers(): void {
  const want = pending.size + pendingDirs.size > 0;
  if (want === listening) return;
  listening = want;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    if (want) process.on(signal, onSignal);
    else process.off(signal, onSignal);
  }
}
function track(set: Set<string>, path: string, on: boolean): void {
  if (on) set.add(path);
  else set.delete(path);
  syncSignalHandlers();
}

/** A temporary folder to remove if the process is interrupted (the routes demo's). */
export function trackTempDir(dir: string, on: boolean): void {
  track(pendingDirs, dir, on);
}

/**
 * Remove every temporary file and folder this process has not committed: called on SIGINT and
 * SIGTERM (onSignal above), so an interrupt leaves the outputs as they were and nothing beside them.
 */
export function removePendingOutputsSync(): void {
  for (const p of pending) rmSync(p, { force: true });
  for (const d of pendingDirs) rmSync(d, { recursive: true, force: true });
  pending.clear();
  pendingDirs.clear();
  syncSignalHandlers();
}

/** Write a whole file atomically (a group of one). */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const g = new OutputGroup();
  try {
    await g.file(path, data);
    await g.commit();
  } catch (err) {
    await g.abort();
    throw err;
  }
}

/**
 * Finish every writer, then rename them all back to back, synchronously: neither another task nor a
 * signal handler runs between two renames, so an interrupt leaves every old file or every new one.
 */
export async function commitTogether(writers: readonly AtomicWriter[]): Promise<void> {
  for (const w of writers) await w.finish();
  for (const w of writers) w.renameNow();
}

/**
 * Outputs that must appear together (a scenario's files, the routes twin's, the demo's): each is
 * written to its temporary file, then `commit()` renames them all together (commitTogether).
 */
export class OutputGroup {
  private readonly writers: AtomicWriter[] = [];

  /** A streaming output of the group (written by the caller; finished and renamed by commit). */
  async open(path: string): Promise<AtomicWriter> {
    const w = await AtomicWriter.open(path);
    this.writers.push(w);
    return w;
  }

  /** A whole-file output of the group. */
  async file(path: string, data: string): Promise<void> {
    const w = await this.open(path);
    await w.write(data);
    await w.finish();
  }

  commit(): Promise<void> {
    return commitTogether(this.writers);
  }

  async abort(): Promise<void> {
    for (const w of this.writers) await w.abort();
  }
}

/**
 * A buffered streaming writer for large outputs. Chunks are collected and
 * flushed in large writes; `commit()` closes and renames, `abort()` removes the
 * temporary file.
 */
export class AtomicWriter {
  private readonly stream: WriteStream;
  private readonly tmp: string;
  private buf: string[] = [];
  private bufLen = 0;
  private closed = false;
  private failure: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly inPlace: boolean,
  ) {
    this.tmp = inPlace ? path : tempPathFor(path);
    if (!inPlace) track(pending, this.tmp, true);
    // In place: append (O_APPEND), so reopening /dev/stdout does not truncate the file a shell's `>>` opened.
    this.stream = createWriteStream(this.tmp, inPlace ? { flags: 'a' } : undefined);
    this.stream.on('error', (err: NodeJS.ErrnoException) => {
      // A write error (ENOSPC) carries no path: name the output.
      if (err.path === undefined) err.path = this.path;
      this.failure = err;
    });
  }

  static async open(given: string): Promise<AtomicWriter> {
    const { path, inPlace } = await resolveOutput(given);
    if (!inPlace) await mkdir(dirname(path), { recursive: true });
    return new AtomicWriter(path, inPlace);
  }

  /** Queue text; returns a promise only when the buffer was flushed (await it to apply back-pressure). */
  write(text: string): Promise<void> | undefined {
    this.buf.push(text);
    this.bufLen += text.length;
    if (this.bufLen >= 1 << 20) return this.flush();
    return undefined;
  }

  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.bufLen === 0) return;
    const chunk = this.buf.join('');
    this.buf = [];
    this.bufLen = 0;
    if (!this.stream.write(chunk)) await this.settle('drain');
    if (this.failure) throw this.failure;
  }

  /**
   * Until the stream emits `event`, or fails: a failed stream (ENOSPC, EISDIR) emits neither
   * 'drain' nor 'finish', and a promise waiting for those alone never settled (Node then exited
   * with code 13 and no message).
   */
  private settle(event: 'drain' | 'finish' | 'close'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      if ((event === 'finish' && this.stream.writableFinished) || (event === 'close' && this.stream.closed)) return resolve();
      const done = () => {
        this.stream.off('error', failed);
        resolve();
      };
      const failed = (err: Error) => {
        this.stream.off(event, done);
        reject(err);
      };
      this.stream.once(event, done);
      this.stream.once('error', failed);
    });
  }

  /** Write out and close (nothing is renamed yet); a second call does nothing. */
  async finish(): Promise<void> {
    if (this.closed) {
      if (this.failure) throw this.failure;
      return;
    }
    await this.flush();
    this.closed = true;
    const finished = this.settle('finish');
    this.stream.end();
    await finished;
    if (this.failure) throw this.failure;
  }

  /** Rename the finished file into place, synchronously (see OutputGroup). */
  renameNow(): void {
    if (this.inPlace) return;
    renameSync(this.tmp, this.path);
    track(pending, this.tmp, false);
  }

  async commit(): Promise<void> {
    await this.finish();
    this.renameNow();
  }

  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      const closed = this.settle('close').catch(() => undefined);
      if (this.stream.closed) await closed;
      else {
        this.stream.end();
        // A failed stream is destroyed (closed) rather than finished.
        await Promise.race([closed, this.settle('finish').catch(() => undefined)]);
      }
    }
    if (!this.inPlace) {
      await unlink(this.tmp).catch(() => undefined);
      track(pending, this.tmp, false);
    }
  }
}
