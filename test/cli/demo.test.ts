import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, tempDir } from '../helpers.js';

describe('anyopt demo', () => {
  it('runs the whole pipeline on the default twin and its findings hold', async () => {
    const dir = tempDir();
    const r = await runInProcess(['demo', '--json', '--out', 'files'], { cwd: dir });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    // The twin and its path inflation.
    expect(report.scenario).toMatchObject({ sites: 15, providers: 6, targets: 15000 });
    expect(report.allSites.medianRttMs).toBeGreaterThan(report.bestUnicast.medianRttMs * 1.3);
    // The campaign: 15 singles + 105 pairs.
    expect(report.campaign.experiments).toBe(120);
    expect(report.campaign.providerStrategyExperiments).toBeLessThan(0.4 * 120);
    // Predictions against the twin (issue target: at least 97%, mean RTT error at most 3%).
    expect(report.prediction.evaluation.accuracy).toBeGreaterThan(0.97);
    expect(report.prediction.evaluation.rtt.meanAbsErrorPct).toBeLessThan(3);
    // The optimized subset beats all sites and greedy-by-unicast when announced in the twin.
    const [optimized, all, greedy] = report.optimize.measured;
    expect(optimized.name).toBe('optimized');
    expect(optimized.meanMs).toBeLessThan(all.meanMs);
    expect(optimized.meanMs).toBeLessThan(greedy.meanMs);
    expect(greedy.sites.length).toBe(optimized.sites.length);
    for (const f of ['scenario/sites.csv', 'observations.csv', 'campaign.json', 'orders.csv', 'rtt.csv', 'plan.json']) expect(existsSync(join(dir, 'files', f)), f).toBe(true);
    expect(r.stderr).toContain('5. The best subset of sites');
    // The files are the pipeline's: orders on the written observations gives the written orders
    // and rtt.csv byte for byte, and validate reads the written plan.
    const again = await runInProcess(['orders', '--observations', 'files/observations.csv', '--out', 'o2.csv', '--rtt-out', 'r2.csv'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(readFileSync(join(dir, 'o2.csv'), 'utf8')).toBe(readFileSync(join(dir, 'files', 'orders.csv'), 'utf8'));
    expect(readFileSync(join(dir, 'r2.csv'), 'utf8')).toBe(readFileSync(join(dir, 'files', 'rtt.csv'), 'utf8'));
    const plan = JSON.parse(readFileSync(join(dir, 'files', 'plan.json'), 'utf8'));
    expect(plan.sites).toEqual(optimized.sites);
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ maxSites: optimized.sites.length }));
    const v = await runInProcess(['validate', '--plan', 'files/plan.json', '--orders', 'files/orders.csv', '--rtt', 'files/rtt.csv', '--policy', 'policy.json'], { cwd: dir });
    expect(v.code).toBe(0);
  });
});
