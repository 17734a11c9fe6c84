/**
 * Output files are written only on success: everything goes to a temporary
 * file beside the target, which is renamed over the target on `commit()`.
 * `abort()` (or a crash) leaves the target untouched.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, unlink, writeFile, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

let counter = 0;
function tempPathFor(target: string): string {
  counter++;
  return join(dirname(target), `.${basename(target)}.${process.pid}.${counter}.tmp`);
}

/** Write a whole file atomically. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
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

  private constructor(readonly path: string) {
    this.tmp = tempPathFor(path);
    this.stream = createWriteStream(this.tmp);
    this.stream.on('error', (err) => {
      this.failure = err;
    });
  }

  static async open(path: string): Promise<AtomicWriter> {
    await mkdir(dirname(path), { recursive: true });
    return new AtomicWriter(path);
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
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => this.stream.once('drain', resolve));
    }
    if (this.failure) throw this.failure;
  }

  async commit(): Promise<void> {
    await this.flush();
    this.closed = true;
    await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (this.failure) throw this.failure;
    await rename(this.tmp, this.path);
  }

  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await new Promise<void>((resolve) => this.stream.end(() => resolve()));
    }
    await unlink(this.tmp).catch(() => undefined);
  }
}
