import { describe, expect, it } from 'vitest';
import { readObservations } from '../../src/io/observations.js';
import { inferOrders } from '../../src/orders/infer.js';
import { ORDER_STATUSES, RTT_SOURCES, type PreferenceModel } from '../../src/orders/model.js';
import { rankMinViolations } from '../../src/orders/ranking.js';
import { createRng } from '../../src/util/random.js';
import { campaignFromOrders } from './synthetic.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';

const FIXTURE = new URL('../../fixtures/orders/campaign.csv', import.meta.url).pathname;

function orderOf(model: PreferenceModel, target: string): string {
  const t = model.targetIds.indexOf(target);
  const S = model.siteIds.length;
  return Array.from(model.orders.subarray(t * S, t * S + model.orderLength[t]), (s) => model.siteIds[s]).join('>');
}
function row(model: PreferenceModel, target: string) {
  const t = model.targetIds.indexOf(target);
  return { order: orderOf(model, target), status: ORDER_STATUSES[model.status[t]], confidence: Math.round(model.confidence[t] * 1000) / 1000, sensitive: model.orderSensitive[t] };
}
function rtt(model: PreferenceModel, target: string, site: string) {
  const t = model.targetIds.indexOf(target);
  const s = model.siteIds.indexOf(site);
  const S = model.siteIds.length;
  return [Math.round(model.rttMs[t * S + s] * 100) / 100, RTT_SOURCES[model.rttSource[t * S + s]]];
}

describe('inferOrders on a hand-written campaign', async () => {
  const { table, issues } = await readObservations(FIXTURE);
  const { model, stats } = inferOrders(table);

  it('reads the fixture cleanly and keeps the campaign announcement order', () => {
    expect(issues.total).toBe(0);
    expect(model.announceOrder).toEqual(['ams', 'lhr', 'syd']);
    expect(stats.experiments).toEqual({ siteAlone: 3, pairwise: 4, larger: 1 });
  });

  it('gives total orders with full confidence where every pair agrees', () => {
    expect(row(model, 'total')).toEqual({ order: 'ams>lhr>syd', status: 'total', confidence: 1, sensitive: 0 });
    expect(row(model, 'reverse')).toEqual({ order: 'syd>lhr>ams', status: 'total', confidence: 1, sensitive: 0 });
  });

  it('ranks a cycle by fewest contradicted pairs and lowers its confidence', () => {
    // ams>lhr, lhr>syd, syd>ams: every rotation contradicts one pair; the tie-break (RTT) keeps ams first.
    // Confidence: pairs weigh 2^-(i+2) by the position i of their better site: (ams,lhr) 1/4 kept x0.8
    // (in a cycle), (ams,syd) 1/4 contradicted, (lhr,syd) 1/8 kept x0.8: (0.2 + 0 + 0.1) / 0.625.
    expect(row(model, 'cycle')).toEqual({ order: 'ams>lhr>syd', status: 'cyclic', confidence: 0.48, sensitive: 0 });
  });

  it('orders a target with a missing pair by transitivity and tie-break, marked partial', () => {
    // ams>lhr and syd>lhr measured, ams vs syd lost: ams first by lower RTT (10 vs 31 ms).
    // Confidence: (ams,syd) 1/4 open (0.5), (ams,lhr) 1/4 and (syd,lhr) 1/8 measured: (0.125 + 0.25 + 0.125) / 0.625.
    expect(row(model, 'missing')).toEqual({ order: 'ams>syd>lhr', status: 'partial', confidence: 0.8, sensitive: 0 });
  });

  it('marks an order-sensitive target and orients its pair by the campaign order', () => {
    // ams|lhr -> ams but lhr|ams -> lhr: the first announced wins; the campaign announces ams first.
    const r = row(model, 'sensitive');
    expect(r.order).toBe('ams>lhr>syd');
    expect(r.status).toBe('total');
    expect(r.sensitive).toBe(1);
    expect(r.confidence).toBe(0.95);
  });

  it('leaves a pair tied in the campaign order open: reversed runs decide only a pair measured solely that way', async () => {
    const dir = tempDir();
    const rows = ['experiment,announced,target,site,rtt_ms'];
    // a|b four times: a, a, b, b (a tie); b|a twice: b, b. And c only alone, to keep three sites.
    ['a', 'a', 'b', 'b'].forEach((w, i) => rows.push(`f${i},a|b,t1,${w},10`, `f${i},a|b,t2,${w},10`));
    ['b', 'b'].forEach((w, i) => rows.push(`r${i},b|a,t1,${w},10`));
    rows.push('s0,a,t1,a,10', 's0,a,t2,a,10', 's1,b,t1,b,12', 's1,b,t2,b,12');
    writeFileSync(join(dir, 'obs.csv'), rows.join('\n') + '\n');
    const { table } = await readObservations(join(dir, 'obs.csv'));
    const { model: m } = inferOrders(table, { announceOrder: ['a', 'b'] });
    // t1 gets the same answer as t2, which has no reversed runs: open, tie-break by RTT.
    expect(row(m, 't1')).toEqual({ order: 'a>b', status: 'partial', confidence: row(m, 't2').confidence, sensitive: 0 });
    expect(row(m, 't2').status).toBe('partial');
  });

  it('marks a target that never answered unreachable', () => {
    expect(row(model, 'silent')).toEqual({ order: '', status: 'unreachable', confidence: 0, sensitive: 0 });
    expect(stats.status).toEqual({ total: 3, cyclic: 1, partial: 1, unreachable: 1 });
  });

  it('builds the RTT table: anycast medians, unicast from the site alone, estimates for gaps', () => {
    expect(rtt(model, 'total', 'ams')).toEqual([10.2, 'anycast']);
    expect(rtt(model, 'total', 'lhr')).toEqual([20.25, 'anycast']);
    expect(rtt(model, 'total', 'syd')).toEqual([30, 'unicast']);
    expect(rtt(model, 'reverse', 'ams')).toEqual([50, 'unicast']);
    expect(rtt(model, 'missing', 'syd')).toEqual([31, 'anycast']);
    // cycle never reached syd in a multi-site experiment... but did alone and in p2 (anycast).
    expect(rtt(model, 'cycle', 'syd')).toEqual([30, 'anycast']);
  });
});

describe('provider composition', () => {
  // a1, a2 on provider A; b1, b2 on provider B. Measured: a1|a2, b1|b2 and one representative pair a1|b1.
  const siteIds = ['a1', 'a2', 'b1', 'b2'];
  const truth = [[2, 3, 1, 0]]; // b1 > b2 > a2 > a1
  const table = campaignFromOrders(siteIds, truth, { pairs: [[0, 1], [2, 3], [0, 2]] });

  it('applies the provider-level preference to every cross-provider pair', () => {
    const providers = new Map([['a1', 'A'], ['a2', 'A'], ['b1', 'B'], ['b2', 'B']]);
    const { model, stats } = inferOrders(table, { siteProvider: providers });
    expect(row(model, 't0').order).toBe('b1>b2>a2>a1');
    expect(row(model, 't0').status).toBe('total');
    expect(stats.pairsInferred).toBe(3);
  });

  it('without providers the same campaign leaves the order open (partial)', () => {
    const { model } = inferOrders(table);
    expect(row(model, 't0').status).toBe('partial');
  });
});

describe('property: full pairwise campaigns are inverted exactly', () => {
  it('recovers every random ground-truth order as a total order with confidence 1', () => {
    const rng = createRng(7);
    const S = 9;
    const siteIds = Array.from({ length: S }, (_, i) => `s${i}`);
    const truth = Array.from({ length: 300 }, () => rng.shuffle(Array.from({ length: S }, (_, i) => i)));
    const { model } = inferOrders(campaignFromOrders(siteIds, truth));
    truth.forEach((o, t) => {
      expect(Array.from(model.orders.subarray(t * S, t * S + S))).toEqual(o);
      expect(model.status[t]).toBe(0);
      expect(model.confidence[t]).toBe(1);
    });
  });
});

describe('minimum-violation ranking', () => {
  function violated(order: number[], S: number, w: Float32Array): number {
    let v = 0;
    for (let i = 0; i < order.length; i++) for (let j = i + 1; j < order.length; j++) v += w[order[j] * S + order[i]];
    return v;
  }
  function permutations(n: number): number[][] {
    if (n === 0) return [[]];
    return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
  }

  it('is optimal on random weighted tournaments with missing pairs (checked by brute force)', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 60; trial++) {
      const S = 3 + (trial % 5); // 3..7 sites
      const w = new Float32Array(S * S);
      for (let a = 0; a < S; a++)
        for (let b = a + 1; b < S; b++) {
          const u = rng.next();
          if (u < 0.15) continue; // missing pair
          const weight = 1 + rng.int(2);
          if (u < 0.575) w[a * S + b] = weight;
          else w[b * S + a] = weight;
        }
      const out = new Uint16Array(S);
      const res = rankMinViolations(S, w, (a, b) => a - b, out, 0);
      const order = Array.from(out);
      expect(new Set(order).size).toBe(S);
      const best = Math.min(...permutations(S).map((p) => violated(p, S, w)));
      expect(violated(order, S, w)).toBe(best);
      expect(res.violatedWeight).toBe(best);
    }
  });

  it('ranks large cycles heuristically into a valid order, close to the optimum', () => {
    const rng = createRng(5);
    const S = 8;
    const w = new Float32Array(S * S);
    for (let a = 0; a < S; a++) for (let b = a + 1; b < S; b++) (rng.next() < 0.5 ? (w[a * S + b] = 1) : (w[b * S + a] = 1));
    const out = new Uint16Array(S);
    const res = rankMinViolations(S, w, (a, b) => a - b, out, 0, 3);
    expect(new Set(out).size).toBe(S);
    const best = Math.min(...permutations(S).map((p) => violated(p, S, w)));
    expect(res.violatedWeight).toBeLessThanOrEqual(best + 2);
  });
});
