import { cpSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInProcess, tempDir } from '../helpers.js';

const fixtures = join(import.meta.dirname, '../../fixtures/sim');

describe('anyopt sim (in-process)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    const r = await runInProcess(['sim', 'init', '--out', 'scen', '--seed', '5', '--sites', '5', '--providers', '3', '--targets', '400', '--ases', '300'], { cwd: dir });
    expect(r.code).toBe(0);
  });

  it('init writes the five scenario files and says what it wrote', async () => {
    for (const f of ['sites.csv', 'targets.csv', 'topology.as-rel.txt', 'pops.csv', 'scenario.json']) expect(existsSync(join(dir, 'scen', f)), f).toBe(true);
    const sites = readFileSync(join(dir, 'scen', 'sites.csv'), 'utf8').trim().split('\n');
    expect(sites[0]).toBe('site,city,lat,lon,provider,provider_asn,capacity,peers');
    expect(sites.map((l) => l.split(',')[0]).slice(1)).toEqual(['ams', 'iad', 'lax', 'nrt', 'lhr']);
    const cfg = JSON.parse(readFileSync(join(dir, 'scen', 'scenario.json'), 'utf8'));
    expect(cfg).toMatchObject({ format: 'anyopt-scenario', seed: 5, sites: 5, providers: 3, targets: 400 });
  });

  it('a scenario whose site provider or targets are not in the topology is an input error (exit 2), not empty catchments', async () => {
    const copy = (name: string, file: string, edit: (text: string) => string) => {
      for (const f of ['sites.csv', 'targets.csv', 'topology.as-rel.txt', 'pops.csv', 'scenario.json']) {
        const text = readFileSync(join(dir, 'scen', f), 'utf8');
        mkdirSync(join(dir, name), { recursive: true });
        writeFileSync(join(dir, name, f), f === file ? edit(text) : text);
      }
    };
    // ams's provider AS replaced by one the topology lacks.
    copy('dead-site', 'sites.csv', (t) => t.replace(/^(ams,[^,]*,[^,]*,[^,]*,[^,]*,)\d+,/m, '$1999999,'));
    const r = await runInProcess(['sim', 'catchment', '--scenario', 'dead-site', '--announce', 'ams,nrt'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('scenario dead-site: site ams cannot announce: its provider AS is not in the topology');
    // A dead site nobody announces is only a note.
    const other = await runInProcess(['sim', 'catchment', '--scenario', 'dead-site', '--announce', 'lax,nrt'], { cwd: dir });
    expect(other.code).toBe(0);
    expect(other.stderr).toContain('note: scenario dead-site: site ams could not announce (provider AS not in the topology); not used here');
    // sim stats still describes it, with the problem as a note.
    const st = await runInProcess(['sim', 'stats', '--scenario', 'dead-site'], { cwd: dir });
    expect(st.code).toBe(0);
    expect(st.stderr).toContain('note: site ams: provider AS999999 is not in the topology');
    // Every target in an AS the topology lacks.
    copy('no-targets', 'targets.csv', (t) => t.split('\n').map((l, i) => (i === 0 || l === '' ? l : l.replace(/^([^,]*,[^,]*,)\d+,/, '$1999999,'))).join('\n'));
    const n = await runInProcess(['sim', 'catchment', '--scenario', 'no-targets', '--announce', 'ams,nrt'], { cwd: dir });
    expect(n.code).toBe(2);
    expect(n.stderr).toContain('none of the 400 targets is in an AS with a PoP in the topology');
    // A file given as the scenario folder.
    const f = await runInProcess(['sim', 'catchment', '--scenario', 'scen/sites.csv', '--announce', 'ams'], { cwd: dir });
    expect(f.code).toBe(2);
    expect(f.stderr).toBe('error: scen/sites.csv: must be a scenario folder (`anyopt sim init --out FOLDER`), not a file\n');
    // scenario.json: a mistyped knob, a knobs that is not an object, an unknown version.
    // scenario.json edited as JSON, or as text where JSON cannot say it (1e999 parses to Infinity,
    // which must be shown as such, not as JSON's "null").
    const json = (edit: (c: Record<string, unknown>) => unknown) => (t: string) => JSON.stringify(edit(JSON.parse(t)));
    for (const [name, edit, msgs] of [
      ['typo-knob', json((c) => ({ ...c, knobs: { ...(c.knobs as object), probeLos: 0.5 } })), ['column "knobs.probeLos" must be one of the knobs (']],
      ['knobs-array', json((c) => ({ ...c, knobs: [] })), ['column "knobs" must be an object of knob values']],
      ['version-9', json((c) => ({ ...c, version: 9 })), ['column "version" must be 1']],
      ['version-huge', (t: string) => t.replace(/"version":\s*1\b/, '"version": 1e999'), ['column "version" must be 1', 'Infinity (a number out of range)']],
    ] as const) {
      copy(name, 'scenario.json', edit);
      const c = await runInProcess(['sim', 'catchment', '--scenario', name, '--announce', 'ams,nrt'], { cwd: dir });
      expect(c.code, name).toBe(2);
      for (const msg of msgs) expect(c.stderr).toContain(msg);
    }
  });

  it('catchment prints target,site,rtt_ms for every target, in the order of targets.csv', async () => {
    const r = await runInProcess(['sim', 'catchment', '--scenario', 'scen', '--announce', 'ams,nrt'], { cwd: dir });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('target,site,rtt_ms');
    expect(lines).toHaveLength(401);
    const targets = readFileSync(join(dir, 'scen', 'targets.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(targets);
    for (const l of lines.slice(1)) expect(l).toMatch(/^[\d.]+,((ams|nrt),\d+(\.\d+)?|,)$/);
    expect(r.stderr).toContain('catchment:');
  });

  it('catchment --explain prints the path and the deciding step at each router', async () => {
    const r = await runInProcess(['sim', 'catchment', '--scenario', 'scen', '--announce', 'ams,lax', '--explain', '1.0.0.1'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^target 1\.0\.0\.1 -> (ams|lax|unreachable)/);
    expect(r.stdout).toMatch(/1\. AS\d+ router [\d.]+ at /);
    expect(r.stdout).not.toContain('target,site,rtt_ms');
    // With --json, stdout is one JSON document and the explanation is inside it.
    const j = await runInProcess(['sim', 'catchment', '--scenario', 'scen', '--announce', 'ams,lax', '--explain', '1.0.0.1', '--json'], { cwd: dir });
    expect(j.code).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc.explain[0].target).toBe('1.0.0.1');
    expect(doc.explain[0].text).toBe(r.stdout.trimEnd());
  });

  it('catchment --out writes the file only on success', async () => {
    const ok = await runInProcess(['sim', 'catchment', '--scenario', 'scen', '--announce', 'ams', '--out', 'truth.csv'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(readFileSync(join(dir, 'truth.csv'), 'utf8').split('\n')[0]).toBe('target,site,rtt_ms');
    const bad = await runInProcess(['sim', 'catchment', '--scenario', 'scen', '--announce', 'ams,xyz', '--out', 'never.csv'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Expected `--announce` to name sites of the scenario (ams, iad, lax, nrt, lhr), got `xyz`');
    expect(existsSync(join(dir, 'never.csv'))).toBe(false);
  });

  it('takes 32-bit seeds only, in every command that has --seed (a larger one silently repeated a smaller one)', async () => {
    expect((await runInProcess(['measure', 'plan', '--sites', 'scen/sites.csv', '--out', 'seed-campaign.json'], { cwd: dir })).code).toBe(0);
    for (const args of [
      ['measure', 'run', '--campaign', 'seed-campaign.json', '--scenario', 'scen', '--out', 'x.csv'],
      ['evaluate', '--scenario', 'scen', '--orders', 'none.csv'],
      ['sim', 'init', '--out', 'never'],
      ['routes', 'sim', '--out', 'never'],
    ]) {
      const r = await runInProcess([...args, '--seed', '4294967296'], { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('Expected `--seed` to be an integer in [0, 4294967295], got `4294967296`');
    }
  });

  it('takes the same site ids as every other file (":" allowed, at most 64 characters)', async () => {
    const ids = tempDir();
    cpSync(join(dir, 'scen'), join(ids, 'scen'), { recursive: true });
    const sites = readFileSync(join(ids, 'scen', 'sites.csv'), 'utf8');
    writeFileSync(join(ids, 'scen', 'sites.csv'), sites.replace(/^ams,/m, 'ams:1,'));
    const ok = await runInProcess(['sim', 'catchment', '--scenario', 'scen', '--announce', 'ams:1,lax'], { cwd: ids });
    expect(ok.code).toBe(0);
    const long = 'a'.repeat(65);
    writeFileSync(join(ids, 'scen', 'sites.csv'), sites.replace(/^ams,/m, `${long},`));
    const bad = await runInProcess(['sim', 'catchment', '--scenario', 'scen', '--announce', 'lax'], { cwd: ids });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('column "site" must be a site id (letters, digits, ".", "_", ":" or "-", at most 64 characters)');
    writeFileSync(join(ids, 'plan-sites.csv'), `site,provider\n${long},P1\n`);
    const plan = await runInProcess(['measure', 'plan', '--sites', 'plan-sites.csv', '--out', 'c.json'], { cwd: ids });
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain('column "site" must be a site id (letters, digits, ".", "_", ":" or "-", at most 64 characters)');
  });

  it('prints n/a, never NaN, when no target weighs anything', async () => {
    const empty = tempDir();
    cpSync(join(dir, 'scen'), join(empty, 'scen'), { recursive: true });
    const targets = readFileSync(join(empty, 'scen', 'targets.csv'), 'utf8').split('\n');
    writeFileSync(join(empty, 'scen', 'targets.csv'), `${targets[0]}\n`);
    const st = await runInProcess(['sim', 'stats', '--scenario', 'scen'], { cwd: empty });
    expect(st.code).toBe(0);
    expect(st.stderr).toContain('path inflation: median anycast RTT n/a vs median best-unicast n/a (n/a)');
    expect(st.stderr).toContain('no answering target has a positive weight');
    expect(st.stderr).not.toContain('NaN');
    const c = await runInProcess(['sim', 'catchment', '--scenario', 'scen', '--announce', 'ams'], { cwd: empty });
    expect(c.code).toBe(0);
    expect(c.stderr).toContain('median RTT n/a, weighted mean n/a');
  });

  it('rejects bad prepends and unknown explain targets with exit 2', async () => {
    const p = await runInProcess(['sim', 'catchment', '--scenario', 'scen', '--announce', 'ams', '--prepend', 'lax=2'], { cwd: dir });
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('Expected `--prepend` sites among the announced ones (ams), got `lax`');
    for (const [value, message] of [
      ['ams=2,ams=3', 'Expected `--prepend` to name each site once, got `ams` twice'],
      ['ams=-1', 'Expected `--prepend` counts to be integers in [0, 10], got `ams=-1`'],
      ['ams=11', 'Expected `--prepend` counts to be integers in [0, 10], got `ams=11`'],
    ]) {
      const q = await runInProcess(['sim', 'catchment', '--scenario', 'scen', '--announce', 'ams', '--prepend', value], { cwd: dir });
      expect(q.code).toBe(2);
      expect(q.stderr).toContain(message);
    }
    const x = await runInProcess(['sim', 'catchment', '--scenario', 'scen', '--announce', 'ams', '--explain', '9.9.9.9'], { cwd: dir });
    expect(x.code).toBe(2);
    expect(x.stderr).toContain('Expected `--explain` to name a target of scen/targets.csv, got `9.9.9.9`');
  });

  it('reports every bad row of a hand-edited scenario with file, line, column and value', async () => {
    const broken = tempDir();
    const src = join(dir, 'scen');
    for (const f of ['targets.csv', 'topology.as-rel.txt', 'pops.csv', 'scenario.json']) writeFileSync(join(broken, f), readFileSync(join(src, f)));
    const sites = readFileSync(join(src, 'sites.csv'), 'utf8').split('\n');
    sites[2] = sites[2].replace(/^iad,([^,]+),[^,]+,/, 'iad,$1,N/A,');
    sites[3] = sites[3].replace(/^lax,/, 'ams,');
    writeFileSync(join(broken, 'sites.csv'), sites.join('\n'));
    const r = await runInProcess(['sim', 'catchment', '--scenario', broken, '--announce', 'ams']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${broken}/sites.csv:3: column "lat" must be a number in [-90, 90], got "N/A"`);
    expect(r.stderr).toContain(`${broken}/sites.csv:4: column "site" must be unique (also on line 2), got "ams"`);
    expect(r.stderr).not.toContain('    at ');
  });

  it('says how to make a scenario when the folder is not one', async () => {
    const r = await runInProcess(['sim', 'stats', '--scenario', 'nowhere'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nowhere: must be a scenario folder with scenario.json (create one with `anyopt sim init --out nowhere`)');
  });

  it('init --as-rel refuses a malformed CAIDA file, naming the lines', async () => {
    const r = await runInProcess(['sim', 'init', '--out', 'caida', '--as-rel', join(fixtures, 'broken.as-rel.txt'), '--sites', '2', '--providers', '1', '--targets', '10'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('broken.as-rel.txt:3: must be "AS1|AS2|REL"');
    expect(r.stderr).toContain('broken.as-rel.txt:5: column "3" must be -1 (provider|customer) or 0 (peer|peer), got "1"');
    expect(existsSync(join(dir, 'caida'))).toBe(false);
  });

  it('init --as-rel builds a scenario on a real-format file', async () => {
    const r = await runInProcess(['sim', 'init', '--out', 'caida-ok', '--as-rel', join(fixtures, 'tiny.as-rel.txt'), '--sites', '3', '--providers', '2', '--targets', '50', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ases: 12, relations: 13, sites: 3, targets: 50 });
  });

  it('validates numeric flags execa-style', async () => {
    const r = await runInProcess(['sim', 'init', '--out', 'x', '--sites', '0'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Expected `--sites` to be an integer in [1, 1000], got `0`');
  });
});
