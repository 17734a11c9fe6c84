import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AtomicWriter, moveInto, OutputGroup, resolveOutput, writeFileAtomic } from '../../src/io/write.js';
import { tempDir } from '../helpers.js';
import { systemErrorText } from '../../src/cli/main.js';

/** Reads a named pipe to its end (the writer must open it for the read to finish). */
function drain(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    createReadStream(path, 'utf8')
      .on('data', (c) => (text += c))
      .on('end', () => resolve(text))
      .on('error', reject);
  });
}

describe('output files', () => {
  it('writes through a symlink: the file it points to changes, the link stays', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'real.csv'), 'old\n');
    symlinkSync('real.csv', join(dir, 'link.csv'));
    await writeFileAtomic(join(dir, 'link.csv'), 'new\n');
    expect(lstatSync(join(dir, 'link.csv')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.csv'))).toBe('real.csv');
    expect(readFileSync(join(dir, 'real.csv'), 'utf8')).toBe('new\n');
  });

  it('writes a dangling symlink\'s target atomically: nothing there after an abort, the link kept after a commit', async () => {
    const dir = tempDir();
    symlinkSync('sub/target.csv', join(dir, 'dangling.csv'));
    const w = await AtomicWriter.open(join(dir, 'dangling.csv'));
    await w.write('partial');
    await w.flush();
    await w.abort();
    expect(existsSync(join(dir, 'sub', 'target.csv'))).toBe(false);
    await writeFileAtomic(join(dir, 'dangling.csv'), 'done\n');
    expect(readFileSync(join(dir, 'sub', 'target.csv'), 'utf8')).toBe('done\n');
    expect(lstatSync(join(dir, 'dangling.csv')).isSymbolicLink()).toBe(true);
  });

  it('writes into a named pipe instead of replacing it with a regular file (ExaBGP reads routes from one)', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'exabgp.in');
    execFileSync('mkfifo', [fifo]);
    const got = drain(fifo);
    await writeFileAtomic(fifo, 'announce route 192.0.2.0/24 next-hop 198.51.100.1\n');
    expect(await got).toBe('announce route 192.0.2.0/24 next-hop 198.51.100.1\n');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    // The streaming writer and the journal's final move behave the same.
    const got2 = drain(fifo);
    const w = await AtomicWriter.open(fifo);
    await w.write('a\n');
    await w.commit();
    expect(await got2).toBe('a\n');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const rows = join(dir, 'rows.tmp');
    writeFileSync(rows, 'b\n');
    const got3 = drain(fifo);
    await moveInto(rows, fifo);
    expect(await got3).toBe('b\n');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('rejects commit and flush when the stream fails, instead of waiting forever (Node exited 13 without a word)', async () => {
    const dir = tempDir();
    const w = await AtomicWriter.open(join(dir, 'out.csv'));
    (w as unknown as { stream: NodeJS.WritableStream & { destroy(e: Error): void } }).stream.destroy(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    await expect(w.commit()).rejects.toMatchObject({ code: 'ENOSPC', path: join(dir, 'out.csv') });
    await w.abort();
    const w2 = await AtomicWriter.open(join(dir, 'out2.csv'));
    (w2 as unknown as { stream: { destroy(e: Error): void } }).stream.destroy(Object.assign(new Error('EIO'), { code: 'EIO' }));
    await expect(w2.write('x'.repeat(1 << 21))).rejects.toMatchObject({ code: 'EIO' });
    await w2.abort();
  });

  it('turns file-system errors into a message with the path (exit 2), not an internal error', () => {
    const e = Object.assign(new Error('x'), { code: 'ENOSPC', syscall: 'write', path: '/data/obs.csv' });
    expect(systemErrorText(e)).toBe('/data/obs.csv: no space left on the device (ENOSPC in write)');
    expect(systemErrorText(new Error('plain'))).toBeUndefined();
  });

  it('commits a group of outputs together, and an abort leaves every old file and no temporary one', async () => {
    const dir = tempDir();
    for (const f of ['a.csv', 'b.csv']) writeFileSync(join(dir, f), 'KEEP\n');
    const g = new OutputGroup();
    await g.file(join(dir, 'a.csv'), 'new a\n');
    const w = await g.open(join(dir, 'b.csv'));
    await w.write('new b\n');
    // Nothing is in place before the commit.
    expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe('KEEP\n');
    await g.commit();
    expect([readFileSync(join(dir, 'a.csv'), 'utf8'), readFileSync(join(dir, 'b.csv'), 'utf8')]).toEqual(['new a\n', 'new b\n']);
    const h = new OutputGroup();
    await h.file(join(dir, 'a.csv'), 'newer a\n');
    await h.abort();
    expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe('new a\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('on SIGINT while outputs are being written removes their temporary files, keeps the old outputs and exits 130', () => {
    const dir = tempDir();
    for (const f of ['a.csv', 'b.csv']) writeFileSync(join(dir, f), 'KEEP\n');
    const script = `
      import { OutputGroup } from ${JSON.stringify(pathToFileURL(resolve(import.meta.dirname, '../../dist/io/write.js')).href)};
      const g = new OutputGroup();
      await g.file(${JSON.stringify(join(dir, 'a.csv'))}, 'new a\\n');
      await g.file(${JSON.stringify(join(dir, 'b.csv'))}, 'new b\\n');
      process.kill(process.pid, 'SIGINT');
      await new Promise((r) => setTimeout(r, 2000));
      await g.commit();
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(130);
    expect([readFileSync(join(dir, 'a.csv'), 'utf8'), readFileSync(join(dir, 'b.csv'), 'utf8')]).toEqual(['KEEP\n', 'KEEP\n']);
    expect(readdirSync(dir).sort()).toEqual(['a.csv', 'b.csv']);
  });

  it('treats device nodes and /dev, /proc paths as written in place (never renamed over), appending', async () => {
    // Only asked, not written: a regression here would replace /dev/null on the machine.
    for (const p of ['/dev/null', '/dev/stdout', '/proc/self/fd/1']) expect((await resolveOutput(p)).inPlace).toBe(true);
    // A regular file under /dev (a tmpfs such as /dev/shm) is an ordinary output: renamed, not appended to.
    expect(await resolveOutput('/dev/shm-not-there/x.csv')).toEqual({ path: '/dev/shm-not-there/x.csv', inPlace: false });
    const dir = tempDir();
    expect(await resolveOutput(join(dir, 'new.csv'))).toEqual({ path: join(dir, 'new.csv'), inPlace: false });
    writeFileSync(join(dir, 'old.csv'), 'x');
    expect((await resolveOutput(join(dir, 'old.csv'))).inPlace).toBe(false);
  });
});
