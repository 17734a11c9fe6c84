import { writeFileSync, appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTwin, computeCatchment, generateScenario } from '../../src/sim/index.js';
import { writeScenario } from '../../src/io/scenario.js';
import { OBSERVATIONS_HEADER, formatObservationRows } from '../../src/io/observations.js';
import { runInProcess as run, tempDir } from '../helpers.js';

describe('anyopt evaluate', () => {
  it('scores orders from a pairwise campaign against a small twin', async () => {
    const dir = tempDir();
    const scenario = generateScenario({ seed: 3, sites: 5, providers: 3, targets: 500, ases: 250 });
    await writeScenario(join(dir, 'scenario'), scenario);
    const twin = buildTwin(scenario);
    const S = twin.siteIds;
    const exps: string[][] = S.map((s) => [s]);
    for (let a = 0; a < S.length; a++) for (let b = a + 1; b < S.length; b++) exps.push([S[a], S[b]]);
    const obs = join(dir, 'obs.csv');
    writeFileSync(obs, OBSERVATIONS_HEADER);
    exps.forEach((sites, e) => {
      const c = computeCatchment(twin, { sites });
      appendFileSync(obs, formatObservationRows(`e${e}`, sites, twin.targetIds, twin.siteIds, c.site, c.rttMs));
    });
    expect((await run(['orders', '--observations', 'obs.csv', '--out', 'orders.csv', '--rtt-out', 'rtt.csv'], { cwd: dir })).code).toBe(0);
    const r = await run(
      ['evaluate', '--scenario', 'scenario', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--subsets', '8', '--seed', '2', '--out', 'scores.csv', '--json', '--min-accuracy', '0.9'],
      { cwd: dir },
    );
    expect(r.stderr).toContain('catchment accuracy:');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.subsets).toBe(8);
    expect(j.coverage).toBe(1);
    expect(j.accuracy).toBeGreaterThanOrEqual(0.95);
    const scores = readFileSync(join(dir, 'scores.csv'), 'utf8').trim().split('\n');
    expect(scores[0]).toBe('subset,sites,accuracy,mean_abs_error_ms,true_mean_rtt_ms,predicted_mean_rtt_ms');
    expect(scores).toHaveLength(9);

    // Reversed orders predict badly: the gate fails with exit 1.
    const reversed = readFileSync(join(dir, 'orders.csv'), 'utf8')
      .split('\n')
      .map((l) => {
        const f = l.split(',');
        return f.length >= 4 && f[1].includes('>') ? [f[0], f[1].split('>').reverse().join('>'), ...f.slice(2)].join(',') : l;
      })
      .join('\n');
    writeFileSync(join(dir, 'reversed.csv'), reversed);
    const bad = await run(['evaluate', '--scenario', 'scenario', '--orders', 'reversed.csv', '--subsets', '4', '--min-accuracy', '0.9', '--out', 's2.csv'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/accuracy .* is below --min-accuracy 90\.00%/);

    // A limit just above the accuracy: both are printed with the decimals that tell them apart.
    const rev = JSON.parse((await run(['evaluate', '--scenario', 'scenario', '--orders', 'reversed.csv', '--subsets', '4', '--json', '--out', 's3.csv'], { cwd: dir })).stdout);
    const near = await run(['evaluate', '--scenario', 'scenario', '--orders', 'reversed.csv', '--subsets', '4', '--min-accuracy', String(rev.accuracy + 1e-6), '--out', 's3.csv'], { cwd: dir });
    expect(near.code).toBe(1);
    const m = /accuracy ([\d.]+)% is below --min-accuracy ([\d.]+)%/.exec(near.stderr);
    expect(m).not.toBeNull();
    expect(m![1]).not.toBe(m![2]);

    // Targets orders.csv leaves out count as not predicted (coverage was 100% of the half listed),
    // and without --rtt nothing prints NaN.
    const lines = readFileSync(join(dir, 'orders.csv'), 'utf8').split('\n');
    writeFileSync(join(dir, 'half.csv'), lines.filter((l, i) => l.startsWith('#') || i < 2 || i % 2 === 0).join('\n'));
    const half = await run(['evaluate', '--scenario', 'scenario', '--orders', 'half.csv', '--subsets', '4', '--json', '--out', 's4.csv'], { cwd: dir });
    expect(half.code).toBe(0);
    const hj = JSON.parse(half.stdout);
    expect(hj.coverage).toBeGreaterThan(0.4);
    expect(hj.coverage).toBeLessThan(0.6);
    expect(half.stderr).toContain('(the twin has 500: the ones orders.csv leaves out count as not predicted)');
    expect(half.stderr).not.toContain('NaN');

    // Sizes past the model's sites are refused, not clamped into repeats of the all-sites subset.
    const big = await run(['evaluate', '--scenario', 'scenario', '--orders', 'orders.csv', '--min-size', '4', '--max-size', '9'], { cwd: dir });
    expect(big.code).toBe(2);
    expect(big.stderr).toContain('Expected `--max-size` to be at most 5 (the sites of orders.csv), got `9`');
  });

  it('exits 2 for a missing scenario folder', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'orders.csv'), 'target,order,status,confidence\nt,ams,total,1\n');
    const r = await run(['evaluate', '--scenario', 'nope', '--orders', 'orders.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope');
  });
});
