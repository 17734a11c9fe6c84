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
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { lstat, realpath, rename, stat, unlink, writeFile, mkdir } from 'node:fs/promises';
import { dirname, basename, join, resolve } from 'node:path';

/** Where `path` writes (symlinks resolved) and whether it must be written in place (not a regular file). */
export async function resolveOutput(path: string): Promise<{ path: string; inPlace: boolean }> {
  let real = path;
  try {
    real = await realpath(path);
  } catch {
    // Not there yet, or a link that does not resolve to a path: /dev/stdout is /proc/self/fd/1,
    // which names "pipe:[...]" when stdout is a pipe. What the link reaches (stat follows it) is
    // written in place; only a path that reaches nothing gets a new file.
    const reached = await stat(path).catch(() => undefined);
    const link = reached ? undefined : await lstat(path).catch(() => undefined);
    return { path, inPlace: reached !== undefined || link?.isSymbolicLink() === true };
  }
  // /dev/stdout, /dev/fd/N, /proc/self/fd/N reach a descriptor the caller opened (a shell's
  // `>> log`): a rename onto the file behind it would replace that file, so write through it.
  if (/^\/dev\/(stdout|stderr|fd\/\d+)$|^\/proc\/(self|thread-self|\d+)\/fd\/\d+$/.test(resolve(path))) return { path, inPlace: true };
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

/** Write a whole file atomically. */
export async function writeFileAtomic(given: string, data: string | Uint8Array): Promise<void> {
  const { path, inPlace } = await resolveOutput(given);
  if (inPlace) return writeFile(path, data, { flag: 'a' });
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
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

  async commit(): Promise<void> {
    await this.flush();
    this.closed = true;
    const finished = this.settle('finish');
    this.stream.end();
    await finished;
    if (this.failure) throw this.failure;
    if (!this.inPlace) await rename(this.tmp, this.path);
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
    if (!this.inPlace) await unlink(this.tmp).catch(() => undefined);
  }
}
