import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObservations } from '../../src/io/observations.js';
import { inferOrders } from '../../src/orders/infer.js';
import { announcementSequence, catchmentSite, predictSubset, summarizeSubset, announcedMask } from '../../src/predict/predict.js';
import { createRng } from '../../src/util/random.js';
import { campaignFromOrders } from '../orders/synthetic.js';
import { assignSubset, summarize } from '../../src/optimize/evaluate.js';
import { runInProcess as run, tempDir } from '../helpers.js';

const FIXTURE = new URL('../../fixtures/orders/campaign.csv', import.meta.url).pathname;

describe('predictSubset on the hand-written campaign', async () => {
  const { table } = await readObservations(FIXTURE);
  const { model } = inferOrders(table);
  const sites = (subset: string[]) => {
    const p = predictSubset(model, subset);
    return Object.fromEntries(model.targetIds.map((t, i) => [t, p.site[i] < 0 ? null : model.siteIds[p.site[i]]]));
  };

  it('predicts exact catchments', () => {
    expect(sites(['ams', 'lhr', 'syd'])).toEqual({ total: 'ams', reverse: 'syd', cycle: 'ams', missing: 'ams', sensitive: 'ams', silent: null });
    expect(sites(['lhr', 'syd'])).toEqual({ total: 'lhr', reverse: 'syd', cycle: 'lhr', missing: 'syd', sensitive: 'lhr', silent: null });
    expect(sites(['syd'])).toEqual({ total: 'syd', reverse: 'syd', cycle: 'syd', missing: 'syd', sensitive: 'syd', silent: null });
    // The cycle's min-violation order contradicts its measured syd > ams: a known, reported loss (confidence 0.48).
    expect(sites(['ams', 'syd'])).toEqual({ total: 'ams', reverse: 'syd', cycle: 'ams', missing: 'ams', sensitive: 'ams', silent: null });
  });

  it('takes the RTT at the predicted site and the target confidence', () => {
    const p = predictSubset(model, ['lhr', 'syd']);
    const t = (id: string) => model.targetIds.indexOf(id);
    expect(p.rttMs[t('total')]).toBe(20.25);
    expect(p.rttMs[t('missing')]).toBe(31);
    expect(p.confidence[t('cycle')]).toBeCloseTo(0.48, 6);
    expect(Number.isNaN(p.rttMs[t('silent')])).toBe(true);
  });

  it('summarizes weighted RTT, shares and coverage', () => {
    const s = summarizeSubset(model, announcedMask(model, ['lhr', 'syd']));
    // RTTs: 20.25, 5, 20, 31, 20.
    expect(s.meanRttMs).toBeCloseTo((20.25 + 5 + 20 + 31 + 20) / 5, 5);
    expect(s.medianRttMs).toBeCloseTo(20, 5);
    expect(s.p95RttMs).toBeCloseTo(31, 5);
    // Shares of all weight (as the plan's), so they sum to the reached share.
    expect(s.siteShare).toEqual({ lhr: 3 / 6, syd: 2 / 6 });
    expect(s.reached).toBeCloseTo(5 / 6, 6);
    expect(s.coverage).toBeCloseTo(5 / 6, 6);
    expect(s.coverageReachable).toBe(1);
    const weights = Float64Array.from([0, 3, 0, 0, 0, 1]); // reverse weighs 3, silent 1
    const w = summarizeSubset(model, announcedMask(model, ['lhr', 'syd']), { weights });
    expect(w.meanRttMs).toBeCloseTo(5, 5);
    expect(w.coverage).toBeCloseTo(0.75, 6);
  });

  it('counts a reached target without a known RTT in reached, not in coverage (as optimize and validate do)', () => {
    const m = { ...model, rttMs: model.rttMs.slice() };
    const S = m.siteIds.length;
    const t = m.targetIds.indexOf('total');
    const site = predictSubset(m, ['lhr', 'syd']).site[t];
    m.rttMs[t * S + site] = Number.NaN;
    const s = summarizeSubset(m, announcedMask(m, ['lhr', 'syd']));
    expect(s.reached).toBeCloseTo(5 / 6, 6);
    expect(s.coverage).toBeCloseTo(4 / 6, 6);
    expect(s.unknownRtt).toBe(1);
    const weight = new Float64Array(m.targetIds.length).fill(1);
    const plan = summarize(m, announcedMask(m, ['lhr', 'syd']), assignSubset(m, announcedMask(m, ['lhr', 'syd'])), weight);
    expect(plan.coverage).toBeCloseTo(s.coverage, 12);
    expect(plan.reached).toBeCloseTo(s.reached, 12);
    for (const l of plan.load) expect(l.share).toBeCloseTo(s.siteShare[l.site], 12);
  });

  it('announces a subset in the campaign order', () => {
    expect(announcementSequence(model, ['syd', 'ams'])).toEqual(['ams', 'syd']);
  });
});

describe('property: for total orders the prediction is the first announced site in the order', () => {
  it('holds for random orders and random subsets', () => {
    const rng = createRng(42);
    const S = 8;
    const siteIds = Array.from({ length: S }, (_, i) => `s${i}`);
    const truth = Array.from({ length: 200 }, () => rng.shuffle(Array.from({ length: S }, (_, i) => i)));
    const { model } = inferOrders(campaignFromOrders(siteIds, truth));
    for (let trial = 0; trial < 50; trial++) {
      const subset = siteIds.filter(() => rng.next() < 0.5);
      if (subset.length === 0) continue;
      const p = predictSubset(model, subset);
      truth.forEach((order, t) => {
        expect(model.status[t]).toBe(0);
        const first = order.find((s) => subset.includes(siteIds[s]))!;
        expect(p.site[t]).toBe(first);
      });
    }
  });

  it('catchmentSite returns -1 when nothing in the order is announced', () => {
    expect(catchmentSite(Uint16Array.from([2, 0, 1]), 0, 3, Uint8Array.from([0, 0, 0]))).toBe(-1);
    expect(catchmentSite(Uint16Array.from([2, 0, 1]), 0, 3, Uint8Array.from([1, 1, 0]))).toBe(0);
  });
});

describe('anyopt predict', () => {
  async function setup() {
    const dir = tempDir();
    const r = await run(['orders', '--observations', FIXTURE, '--out', 'orders.csv', '--rtt-out', 'rtt.csv'], { cwd: dir });
    expect(r.code).toBe(0);
    return dir;
  }

  it('writes per-target predictions for --sites', async () => {
    const dir = await setup();
    const r = await run(['predict', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--sites', 'lhr,syd'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'target,site,rtt_ms,confidence\ntotal,lhr,20.25,1\nreverse,syd,5,1\ncycle,lhr,20,0.48\nmissing,syd,31,0.8\nsensitive,lhr,20,0.95\nsilent,,,0\n',
    );
    expect(r.stderr).toContain('announce in this order (as the campaign did): lhr, syd');
  });

  it('writes a what-if table for --subsets and a JSON summary', async () => {
    const dir = await setup();
    writeFileSync(join(dir, 'subsets.txt'), '# what if\nams,lhr,syd\nlhr syd\n\nsyd\n');
    const r = await run(['predict', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--subsets', 'subsets.txt', '--out', 'w.csv', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.map((x: { sites: string[] }) => x.sites)).toEqual([['ams', 'lhr', 'syd'], ['lhr', 'syd'], ['syd']]);
    expect(j[2].meanRttMs).toBeCloseTo((30 + 5 + 30 + 31 + 30) / 5, 5);
  });

  it('names the bad line of a subsets file', async () => {
    const dir = await setup();
    writeFileSync(join(dir, 'subsets.txt'), 'ams\nams,fra\n ,| \n');
    const r = await run(['predict', '--orders', 'orders.csv', '--subsets', 'subsets.txt'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('subsets.txt:2: must list sites of the model (ams, lhr, syd), got "fra"');
    expect(r.stderr).toContain('subsets.txt:3: must name at least one site (a line of separators only), got ",|"');
  });

  it('says which order it announces in when orders.csv records no campaign order, and prints RTTs to 0.001 ms in JSON', async () => {
    const dir = await setup();
    const bare = readFileSync(join(dir, 'orders.csv'), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n');
    writeFileSync(join(dir, 'bare.csv'), bare);
    const r = await run(['predict', '--orders', 'bare.csv', '--rtt', 'rtt.csv', '--sites', 'lhr,syd', '--out', 'p.csv', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('announce in this order (bare.csv has no "# announce-order" line: the model\'s site order)');
    const j = JSON.parse(r.stdout);
    for (const k of ['meanRttMs', 'medianRttMs', 'p90RttMs', 'p95RttMs']) expect(Math.round(j[k] * 1000) / 1000).toBe(j[k]);
  });

  it('names the lowest mean among the subsets that have one, even when the first has none', async () => {
    const dir = await setup();
    // No RTT at all for ams: the subset {ams} has no mean.
    const rtt = readFileSync(join(dir, 'rtt.csv'), 'utf8').split('\n').filter((l) => !/^[^,]*,ams,/.test(l)).join('\n');
    writeFileSync(join(dir, 'rtt-noams.csv'), rtt);
    writeFileSync(join(dir, 'subsets.txt'), 'ams\nlhr,syd\nsyd\n');
    const r = await run(['predict', '--orders', 'orders.csv', '--rtt', 'rtt-noams.csv', '--subsets', 'subsets.txt', '--out', 'w.csv'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/lowest mean RTT: subset [23] \(/);
    expect(readFileSync(join(dir, 'w.csv'), 'utf8').split('\n')[0]).toBe('subset,sites,predicted,reached,coverage,mean_rtt_ms,median_rtt_ms,p90_rtt_ms,p95_rtt_ms,low_confidence,unknown_rtt');
  });

  it('reports a bad orders.csv row once, without false "not listed" errors for its rtt.csv rows', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'oc.csv'), 'target,order,status,confidence,order_sensitive\nt1,ams,total,abc,0\nt2,ams,total,1,0\n');
    writeFileSync(join(dir, 'rtt.csv'), 'target,site,rtt_ms,source\nt1,ams,3,anycast\nt2,ams,4,anycast\n');
    const r = await run(['predict', '--orders', 'oc.csv', '--rtt', 'rtt.csv', '--sites', 'ams'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: oc.csv:2: column "confidence" must be a number in [0, 1], got "abc"\n');
  });

  it('refuses --weights that sum to Infinity instead of printing NaN%', async () => {
    const dir = await setup();
    writeFileSync(join(dir, 'w.csv'), 'target,weight\ntotal,1e308\nreverse,1e308\n');
    const r = await run(['predict', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--sites', 'lhr', '--weights', 'w.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: w.csv: column "weight" must sum to a finite number (the sum of 2 weights overflows; scale them down)\n');
  });

  it('rejects an unknown site in --sites', async () => {
    const dir = await setup();
    const r = await run(['predict', '--orders', 'orders.csv', '--sites', 'lhr,xyz'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Expected `--sites` to name sites of orders.csv (ams, lhr, syd), got `xyz`');
  });
});
