import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTwin, computeCatchment, generateScenario, type Catchment, type Twin } from '../../src/sim/index.js';
import { createSimDriver, experimentSeed } from '../../src/drivers/sim.js';
import { VirtualClock } from '../../src/drivers/clock.js';
import { runCampaign } from '../../src/measure/runner.js';
import { planCampaign } from '../../src/measure/plan.js';

const twin = buildTwin(generateScenario({ seed: 3, sites: 4, providers: 2, targets: 300, ases: 300 }));
const sites = twin.siteIds.map((site, i) => ({ site, provider: `P${i % 2}` }));

/** Stand-in for the twin's probe noise: drops targets by seed, so tests can see which seed was used. */
function dropBySeed(_t: Twin, truth: Catchment, seed: number): Catchment {
  const site = truth.site.slice();
  const rttMs = truth.rttMs.slice();
  for (let i = seed % 7; i < site.length; i += 7) {
    site[i] = -1;
    rttMs[i] = Number.NaN;
  }
  return { site, rttMs };
}

async function collect(done: Set<string> = new Set()) {
  const driver = createSimDriver({ twin, computeCatchment, probeCatchment: dropBySeed }, { seed: 42 });
  const campaign = planCampaign(sites, { strategy: 'pairwise', spacingS: 30, settleS: 300 });
  const out = new Map<string, Catchment>();
  await runCampaign(campaign, driver, { clock: new VirtualClock(), targetIds: twin.targetIds, done, onExperiment: (r) => void out.set(r.experiment.id, r.result) });
  return { campaign, out };
}

describe('sim driver', () => {
  it('reports the twin catchment of the announced sites, in announcement order, through the probe noise', async () => {
    const { campaign, out } = await collect();
    expect(out.size).toBe(4 + 6);
    for (const e of campaign.experiments) {
      const truth = computeCatchment(twin, { sites: e.sites, spacingS: e.spacingS });
      const expected = dropBySeed(twin, truth, experimentSeed(42, e.id));
      const got = out.get(e.id)!;
      // Campaign sites are in twin order here, so indices coincide.
      expect(Array.from(got.site)).toEqual(Array.from(expected.site));
      expect(Array.from(got.rttMs)).toEqual(Array.from(expected.rttMs));
      expect(new Set(Array.from(got.site).filter((s) => s >= 0).map((s) => twin.siteIds[s]))).toSatisfy((s: Set<string>) => [...s].every((x) => e.sites.includes(x)));
    }
  });

  it('gives an experiment the same noise whether or not earlier experiments ran (resume)', async () => {
    const { out: all } = await collect();
    const { out: resumed } = await collect(new Set(['e001', 'e002', 'e003', 'e004', 'e005']));
    expect([...resumed.keys()]).toEqual(['e006', 'e007', 'e008', 'e009', 'e010']);
    for (const [id, c] of resumed) expect(Array.from(c.site)).toEqual(Array.from(all.get(id)!.site));
  });

  it('refuses a campaign site the scenario does not have', async () => {
    const driver = createSimDriver({ twin, computeCatchment, probeCatchment: dropBySeed }, { seed: 1 });
    const campaign = planCampaign([{ site: 'xyz', provider: 'P' }], { strategy: 'pairwise', spacingS: 0, settleS: 0 });
    await expect(runCampaign(campaign, driver, { clock: new VirtualClock(), targetIds: twin.targetIds })).rejects.toThrow(
      `the scenario has no site "xyz" (scenario sites: ${twin.siteIds.join(', ')})`,
    );
  });
});

describe('anyopt measure run --driver sim (CLI)', () => {
  it('plans and runs a campaign on a scenario folder; rows are the twin\'s noisy catchments', async () => {
    const { runInProcess, tempDir } = await import('../helpers.js');
    const { readObservations } = await import('../../src/io/observations.js');
    const { readScenario } = await import('../../src/io/scenario.js');
    const { probeCatchment } = await import('../../src/sim/index.js');
    const dir = tempDir();
    expect((await runInProcess(['sim', 'init', '--out', 'sc', '--sites', '4', '--providers', '2', '--targets', '300', '--ases', '300', '--seed', '5'], { cwd: dir })).code).toBe(0);
    expect((await runInProcess(['measure', 'plan', '--sites', 'sc/sites.csv', '--strategy', 'provider', '--out', 'c.json'], { cwd: dir })).code).toBe(0);
    const r = await runInProcess(['measure', 'run', '--campaign', 'c.json', '--driver', 'sim', '--scenario', 'sc', '--seed', '9', '--out', 'obs.csv', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    const n = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')).experiments.length;
    expect(n).toBeLessThan(4 + 6); // provider strategy: fewer than pairwise
    expect(summary).toMatchObject({ experiments: n, targets: 300, rows: n * 300 });
    expect(r.stderr).toContain('simulated testbed time');

    const tw = buildTwin(await readScenario(join(dir, 'sc')));
    const { table } = await readObservations(join(dir, 'obs.csv'));
    const campaign = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'));
    const last = campaign.experiments.at(-1);
    const expected = probeCatchment(tw, computeCatchment(tw, { sites: last.sites, spacingS: last.spacingS }), experimentSeed(9, last.id));
    const e = table.experiments.findIndex((x) => x.id === last.id);
    const got: string[] = [];
    for (let i = 0; i < table.rows; i++) if (table.experiment[i] === e) got.push(table.site[i] < 0 ? '' : table.siteIds[table.site[i]]);
    expect(got).toEqual(Array.from(expected.site).map((s) => (s < 0 ? '' : tw.siteIds[s])));

    // A campaign or target list that does not fit the scenario: exit 2 before any experiment, files named.
    const other = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'));
    other.sites[0].site = 'syd';
    for (const e of other.experiments) e.sites = e.sites.map((x: string) => (x === campaign.sites[0].site ? 'syd' : x));
    writeFileSync(join(dir, 'c2.json'), JSON.stringify(other));
    const bad = await runInProcess(['measure', 'run', '--campaign', 'c2.json', '--driver', 'sim', '--scenario', 'sc', '--out', 'obs2.csv'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('c2.json names site(s) "syd" that scenario sc does not have');
    writeFileSync(join(dir, 'targets.csv'), 'target\n9.9.9.9\n');
    const badT = await runInProcess(['measure', 'run', '--campaign', 'c.json', '--driver', 'sim', '--scenario', 'sc', '--targets', 'targets.csv', '--out', 'obs2.csv'], { cwd: dir });
    expect(badT.code).toBe(2);
    expect(badT.stderr).toContain('1 target(s) of targets.csv are not in scenario sc, e.g. 9.9.9.9');
    expect(existsSync(join(dir, 'obs2.csv'))).toBe(false);
  });
});
