import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, tempDir } from '../helpers.js';

const SMALL = resolve(__dirname, '../../fixtures/optimize/small');
const IMPORT = resolve(__dirname, '../../fixtures/import');
const SIM = resolve(__dirname, '../../fixtures/sim');

/** A scratch folder holding copies of the small optimize fixture. */
function scratch(): string {
  const dir = tempDir();
  for (const f of ['orders.csv', 'rtt.csv', 'plan-good.json', 'policy.json']) copyFileSync(join(SMALL, f), join(dir, f));
  return dir;
}

describe('output paths are checked before a command runs', () => {
  it('refuses an output that is one of the inputs (exit 2) and leaves the input as it was', async () => {
    const dir = scratch();
    const before = readFileSync(join(dir, 'orders.csv'), 'utf8');
    const r = await runInProcess(['optimize', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--out', 'orders.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`--out` orders.csv is also the input of `--orders`: writing it would replace the input');
    expect(readFileSync(join(dir, 'orders.csv'), 'utf8')).toBe(before);
    // The same file under another spelling, and a positional input.
    const v = await runInProcess(['validate', '--plan', 'plan-good.json', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--policy', 'policy.json', '--junit', './sub/../policy.json'], { cwd: dir });
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('is also the input of `--policy`');
    copyFileSync(join(IMPORT, 'verfploeter.csv'), join(dir, 'v.csv'));
    const i = await runInProcess(['import', 'verfploeter', 'v.csv', '--targets', join(IMPORT, 'targets.csv'), '--announced', 'sea|ams', '--out', 'v.csv'], { cwd: dir });
    expect(i.code).toBe(2);
    expect(i.stderr).toContain('is also an input file');
    expect(readFileSync(join(dir, 'v.csv'))).toEqual(readFileSync(join(IMPORT, 'verfploeter.csv')));
  });

  it('refuses two outputs on one path, and writes neither', async () => {
    const dir = scratch();
    const r = await runInProcess(['validate', '--plan', 'plan-good.json', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--policy', 'policy.json', '--junit', 'r.xml', '--out', 'r.xml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`--junit` and `--out` are the same path (r.xml)');
    expect(existsSync(join(dir, 'r.xml'))).toBe(false);
  });

  it('refuses a folder where a file goes and a file where a folder goes, before any work (exit 2, not an internal error)', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'dd'));
    const r = await runInProcess(['optimize', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--out', 'dd'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`--out` dd is a folder; expected a file path');
    writeFileSync(join(dir, 'file'), 'keep\n');
    const s = await runInProcess(['sim', 'init', '--out', 'file'], { cwd: dir });
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('`--out` file exists and is not a folder');
    expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('keep\n');
  });

  it('refuses an output folder that holds an input it would write over, and allows other files there', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'y'));
    writeFileSync(join(dir, 'y', 'topology.as-rel.txt'), '1|2|-1\n');
    const r = await runInProcess(['sim', 'init', '--out', 'y', '--as-rel', 'y/topology.as-rel.txt'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`--out` y holds the input y/topology.as-rel.txt (`--as-rel`)');
    expect(readFileSync(join(dir, 'y', 'topology.as-rel.txt'), 'utf8')).toBe('1|2|-1\n');
    // sim init writes its five files only: an as-rel file of another name in the folder is safe.
    copyFileSync(join(SIM, 'tiny.as-rel.txt'), join(dir, 'y', 'tiny.as-rel.txt'));
    const ok = await runInProcess(['sim', 'init', '--out', 'y', '--as-rel', 'y/tiny.as-rel.txt', '--sites', '3', '--providers', '2', '--targets', '50'], { cwd: dir });
    expect(ok.code).toBe(0);
  });

  it('refuses an output that would replace a file of an input folder', async () => {
    const dir = tempDir();
    expect((await runInProcess(['sim', 'init', '--out', 'sc', '--sites', '3', '--providers', '2', '--targets', '50', '--ases', '100'], { cwd: dir })).code).toBe(0);
    const before = readFileSync(join(dir, 'sc', 'targets.csv'), 'utf8');
    const r = await runInProcess(['sim', 'catchment', '--scenario', 'sc', '--announce', 'ams', '--out', 'sc/targets.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`--out` sc/targets.csv would replace a file of the input folder sc (`--scenario`)');
    expect(readFileSync(join(dir, 'sc', 'targets.csv'), 'utf8')).toBe(before);
    // A new file in that folder is fine.
    expect((await runInProcess(['sim', 'catchment', '--scenario', 'sc', '--announce', 'ams', '--out', 'sc/catchment.csv'], { cwd: dir })).code).toBe(0);
  });

  it('looks only at path options given on the command line, and a symlinked output is the file it points to (written through, so pointing at an input is refused)', async () => {
    const dir = scratch();
    // Folders named like option values or defaults (--time-limit 60, --k 2) are not paths.
    mkdirSync(join(dir, '60'));
    mkdirSync(join(dir, '2'));
    expect((await runInProcess(['optimize', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--k', '2', '--out', 'plan.json'], { cwd: dir })).code).toBe(0);
    const before = readFileSync(join(dir, 'orders.csv'), 'utf8');
    symlinkSync(join(dir, 'orders.csv'), join(dir, 'link.json'));
    const r = await runInProcess(['optimize', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--out', 'link.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`--out` link.json is also the input of `--orders`');
    expect(readFileSync(join(dir, 'orders.csv'), 'utf8')).toBe(before);
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    // A link to another file: the plan lands in that file and the link stays.
    writeFileSync(join(dir, 'deployed.json'), '{}\n');
    symlinkSync(join(dir, 'deployed.json'), join(dir, 'current.json'));
    expect((await runInProcess(['optimize', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--out', 'current.json'], { cwd: dir })).code).toBe(0);
    expect(lstatSync(join(dir, 'current.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'deployed.json'), 'utf8')).format).toBe('anyopt-plan');
  });

  it('refuses an output folder holding a folder where the command writes a file, before writing any of its files', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sc', 'scenario.json'), { recursive: true });
    const r = await runInProcess(['sim', 'init', '--out', 'sc', '--sites', '3', '--providers', '2', '--targets', '50', '--ases', '100'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`\`--out\` sc: ${join(dir, 'sc', 'scenario.json')} is a folder where the command writes a file`);
    expect(existsSync(join(dir, 'sc', 'sites.csv'))).toBe(false);
  });

  it('refuses an empty output path (it named the current folder and reported "/")', async () => {
    const dir = tempDir();
    const r = await runInProcess(['routes', 'sim', '--out', ''], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`--out` is empty; expected a folder path');
    const o = await runInProcess(['optimize', '--orders', join(SMALL, 'orders.csv'), '--rtt', join(SMALL, 'rtt.csv'), '--out', ''], { cwd: dir });
    expect(o.code).toBe(2);
    expect(o.stderr).toContain('`--out` is empty; expected a file path');
  });

  it('refuses an output under a path whose folder is a file, before any work and writing nothing', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'afile'), 'keep\n');
    const r = await runInProcess(['validate', '--plan', 'plan-good.json', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--policy', 'policy.json', '--out', 'v.csv', '--junit', 'afile/r.xml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`\`--junit\` afile/r.xml cannot be written: ${join(dir, 'afile')} is a file, not a folder`);
    expect(existsSync(join(dir, 'v.csv'))).toBe(false);
    expect(readFileSync(join(dir, 'afile'), 'utf8')).toBe('keep\n');
  });

  it('validate: --json with --out - is refused (stdout cannot carry both)', async () => {
    const dir = scratch();
    const r = await runInProcess(['validate', '--plan', 'plan-good.json', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--policy', 'policy.json', '--json', '--out', '-'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`--json` prints the results on stdout, so the CSV needs `--out FILE` (not `-`)');
  });
});
