import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, tempDir } from '../helpers.js';
import { syntheticModel } from '../../src/optimize/synthetic.js';
import { optimizeSites } from '../../src/optimize/optimize.js';
import { writeOrders, writeRtt } from '../../src/io/orders.js';

const FIX = resolve(__dirname, '../../fixtures/optimize/small');
const base = ['optimize', '--orders', join(FIX, 'orders.csv'), '--rtt', join(FIX, 'rtt.csv')];

describe('anyopt optimize', () => {
  it('writes a plan that skips the site BGP misuses, with comparisons and the announcement order', async () => {
    const dir = tempDir();
    const out = join(dir, 'plan.json');
    const r = await runInProcess([...base, '--out', out]);
    expect(r.stderr).toContain('optimal');
    expect(r.code).toBe(0);
    const plan = JSON.parse(readFileSync(out, 'utf8'));
    expect(plan.format).toBe('anyopt-plan');
    expect(plan.status).toBe('optimal');
    expect(plan.gap).toBe(0);
    // Deployed in the campaign's announcement order (lhr, ams, fra, mia).
    expect(plan.sites).toEqual(['lhr', 'ams', 'fra']);
    expect(plan.announce).toEqual({ order: ['lhr', 'ams', 'fra'], spacingS: 300 });
    expect(plan.predicted.meanMs).toBeCloseTo(88 / 7, 9);
    expect(plan.predicted.coverage).toBeCloseTo(7 / 8, 9);
    expect(plan.comparisons.allSites.meanMs).toBeCloseTo(286 / 7, 9);
    expect(plan.comparisons.greedyUnicast.sites).toHaveLength(3);
    expect(plan.predicted.load).toEqual([
      { site: 'ams', load: 3, share: 3 / 8 },
      { site: 'lhr', load: 1, share: 1 / 8 },
      { site: 'fra', load: 3, share: 3 / 8 },
    ]);
    expect(r.stderr).toMatch(/all sites\s+4\s+40\.9/);
    // The search's time and the reading's, apart (--time-limit counts the search only).
    expect(r.stderr).toMatch(/mean 12\.6 ms: optimal \(exact, proven\) in [\d.]+ s \(inputs read in [\d.]+ s\)/);
  });

  it('--k picks the best pair', async () => {
    const r = await runInProcess([...base, '--k', '2']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.sites).toEqual(['ams', 'fra']);
    expect(plan.predicted.meanMs).toBeCloseTo(93 / 7, 9);
  });

  it('--objective p95 and --method heuristic produce plans', async () => {
    const p = await runInProcess([...base, '--objective', 'p95']);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).objective).toBe('p95');
    const h = await runInProcess([...base, '--method', 'heuristic']);
    expect(h.code).toBe(0);
    const plan = JSON.parse(h.stdout);
    expect(plan.method).toBe('heuristic');
    expect(plan.lowerBoundMs).toBeLessThanOrEqual(plan.objectiveMs);
    // The heuristic path loads HiGHS for the LP bound: a proven plan says `search`, otherwise the bound that won.
    expect(plan.status === 'optimal' ? plan.lowerBoundBy === 'search' : ['lp', 'lagrangian', 'trie'].includes(plan.lowerBoundBy)).toBe(true);
  });

  it('keeps every site within its capacity', async () => {
    const r = await runInProcess([...base, '--capacity', join(FIX, 'sites-ams2.csv')]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    const ams = plan.predicted.load.find((l: { site: string }) => l.site === 'ams');
    expect(ams === undefined || ams.load <= 2).toBe(true);
    expect(plan.predicted.overCapacity).toEqual([]);
    expect(plan.predicted.meanMs).toBeGreaterThan(88 / 7);
    // Greedy add ignores capacities ({ams, lhr, fra} puts t1..t3 on ams); the table flags it.
    expect(plan.comparisons.greedyAdd.overCapacity).toEqual(['ams']);
    expect(r.stderr).toMatch(/greedy add\s+3 .* ams\n/);
    const lhr = plan.predicted.load.find((l: { site: string }) => l.site === 'lhr');
    expect(lhr).not.toHaveProperty('capacity');
  });

  it('exits 1 on infeasible capacities and names the tightest site, writing nothing', async () => {
    const dir = tempDir();
    const out = join(dir, 'plan.json');
    const r = await runInProcess([...base, '--capacity', join(FIX, 'sites-tight.csv'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('infeasible: no subset of sites keeps every site within its capacity; tightest site: ams would carry 3 against its capacity 1');
    expect(existsSync(out)).toBe(false);
  });

  it('with --objective p95, names the tightest site of the best p95 plan without capacities (not of the bisection\'s last try)', async () => {
    const dir = tempDir();
    const free = await runInProcess([...base, '--objective', 'p95', '--out', join(dir, 'free.json')]);
    expect(free.code).toBe(0);
    const freePlan = JSON.parse(readFileSync(join(dir, 'free.json'), 'utf8'));
    // RTT quantiles are rtt.csv values, printed as such (not as 32-bit float noise).
    for (const v of [freePlan.objectiveMs, freePlan.predicted.medianMs, freePlan.predicted.p95Ms]) expect(Math.round(v * 1000) / 1000).toBe(v);
    const load = freePlan.predicted.load as Array<{ site: string; load: number }>;
    const tight = load.reduce((a, b) => (b.load > a.load ? b : a));
    const r = await runInProcess([...base, '--objective', 'p95', '--capacity', join(FIX, 'sites-tight.csv'), '--out', join(dir, 'plan.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`tightest site: ${tight.site} would carry ${tight.load} against its capacity 1 in the best plan without capacities`);
  });

  it('names the constraints besides capacities when no subset satisfies them all', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'sites.csv'), 'site,capacity\nmia,2\n');
    const r = await runInProcess([...base, '--capacity', join(dir, 'sites.csv'), '--require', 'mia', '--out', join(dir, 'plan.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('infeasible: no subset of sites with mia required keeps every site within its capacity; tightest site: mia would carry 3 against its capacity 2');
  });

  it('refuses an rtt.csv with no RTT at all (every plan would cost the same) and warns of sites no order ranks', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rtt.csv'), 'target,site,rtt_ms,source\n');
    const r = await runInProcess(['optimize', '--orders', join(FIX, 'orders.csv'), '--rtt', join(dir, 'rtt.csv'), '--out', join(dir, 'plan.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rtt.csv gives no RTT for any target of');
    expect(existsSync(join(dir, 'plan.json'))).toBe(false);
    // A site named only in the announce order serves nobody under the model: say so.
    const orders = readFileSync(join(FIX, 'orders.csv'), 'utf8').replace(/^# announce-order: (.*)$/m, '# announce-order: $1,zzz');
    writeFileSync(join(dir, 'orders.csv'), orders);
    const z = await runInProcess(['optimize', '--orders', join(dir, 'orders.csv'), '--rtt', join(FIX, 'rtt.csv'), '--k', '4', '--exclude', 'mia', '--out', join(dir, 'plan.json')]);
    expect(z.code).toBe(0);
    expect(z.stderr).toContain(`no target's order in ${join(dir, 'orders.csv')} ranks zzz (named only in rtt.csv or the announce order): the model predicts it serves nobody`);
  });

  it('exits 2 on bad flags and bad input with the value and what was expected', async () => {
    const k = await runInProcess([...base, '--k', '0']);
    expect(k.code).toBe(2);
    expect(k.stderr).toContain('Expected `--k` to be a positive integer, got `0`');
    const big = await runInProcess([...base, '--k', '9']);
    expect(big.code).toBe(2);
    expect(big.stderr).toContain('Expected `--k` to be at most 4 (sites not excluded), got `9`');
    const req = await runInProcess([...base, '--require', 'syd']);
    expect(req.code).toBe(2);
    expect(req.stderr).toContain('Expected `--require` to be site ids from the model (mia, ams, lhr, fra), got `syd`');
    const dir = tempDir();
    writeFileSync(join(dir, 'sites.csv'), 'site,capacity\nams,lots\n');
    const cap = await runInProcess([...base, '--capacity', join(dir, 'sites.csv')]);
    expect(cap.code).toBe(2);
    expect(cap.stderr).toContain(`${join(dir, 'sites.csv')}:2: column "capacity" must be a number >= 0, got "lots"`);
  });

  it('--objective p95 past 30 sites takes its lower bound from the LP (the CLI loads the solver for p95 too)', async () => {
    // 34 sites: past the exact search. Before the fix the CLI loaded HiGHS for the mean only, so p95
    // plans there carried the order-trie bound (33.6 against a 64.8 ms plan on this instance).
    const model = syntheticModel({ sites: 34, targets: 600, seed: 3, kind: 'clustered', networks: 60 });
    const dir = tempDir();
    let orders = '';
    let rtt = '';
    await writeOrders(model, { write: async (x: string) => void (orders += x) });
    await writeRtt(model, { write: async (x: string) => void (rtt += x) });
    writeFileSync(join(dir, 'orders.csv'), orders);
    writeFileSync(join(dir, 'rtt.csv'), rtt);
    const r = await runInProcess(['optimize', '--orders', join(dir, 'orders.csv'), '--rtt', join(dir, 'rtt.csv'), '--objective', 'p95', '--time-limit', '5']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.method).toBe('heuristic');
    expect(plan.lowerBoundBy).toBe('lp');
    expect(plan.lowerBoundMs).toBeLessThanOrEqual(plan.objectiveMs);
    // The same search without the solver: its trie bound is far weaker than the LP's.
    const noLp = optimizeSites(model, new Float64Array(600).fill(1), { objective: 'p95', shouldStop: () => false, timeLeftS: () => 5 });
    if (noLp.kind !== 'plan') throw new Error('expected a plan');
    expect(noLp.boundBy).toBe('trie');
    expect(plan.lowerBoundMs).toBeGreaterThan(noLp.lowerBound * 1.5);
  }, 30_000);

  it('--exclude of every site is a usage error (exit 2), not an infeasible plan', async () => {
    const r = await runInProcess([...base, '--exclude', 'lhr,ams,fra,mia']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`--exclude` leaves no site to announce (the model has 4: ');
  });

  it('--json needs --out (stdout carries the summary, so the plan needs a file)', async () => {
    const r = await runInProcess([...base, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`--json` prints a summary on stdout, so the plan needs `--out FILE`');
    expect(r.stdout).toBe('');
  });

  it('weights targets from targets.csv', async () => {
    const dir = tempDir();
    // t7 becomes heavy: keeping mia (30 ms for t7 instead of 40) is not worth 200 ms on t1+t2, still excluded.
    writeFileSync(join(dir, 'targets.csv'), 'target,weight\nt1,1\nt2,1\nt3,1\nt4,1\nt5,1\nt6,1\nt7,100\nt8,1\n');
    const r = await runInProcess([...base, '--weights', join(dir, 'targets.csv')]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    // With t7 at weight 100, mia (t7 at 30 ms, saves 1000 ms of weight) beats its cost on t1 and t2 (+208 ms).
    expect(plan.sites).toContain('mia');
  });
});
