import { describe, expect, it } from 'vitest';
import { inferOrders } from '../../src/orders/infer.js';
import { campaignFromOrders } from './synthetic.js';

describe('estimated RTTs', () => {
  it('fills a never-measured (target, site) from targets with the same two most preferred sites', () => {
    const siteIds = ['a', 'b', 'c'];
    // t0..t2 prefer a > b > c, t3 prefers c > b > a. RTT at c: 40, 50, 60 for t0..t2 (alone), 5 for t3.
    const truth = [[0, 1, 2], [0, 1, 2], [0, 1, 2], [2, 1, 0]];
    const rtt = (t: number, s: number) => (s === 2 ? [40, 50, 60, 5][t] : 10);
    const table = campaignFromOrders(siteIds, truth, { rtt });
    // Lose t0's only measurement at c (the site-alone experiment c is experiment 2).
    for (let r = 0; r < table.rows; r++) {
      if (table.target[r] === 0 && table.experiment[r] === 2) {
        table.site[r] = -1;
        table.rttMs[r] = Number.NaN;
      }
    }
    const { model, stats } = inferOrders(table);
    const S = 3;
    expect(model.rttMs[0 * S + 2]).toBe(55); // median of 50 and 60, not t3's 5
    expect(model.rttSource[0 * S + 2]).toBe(2); // estimated
    expect(stats.rttSources.estimated).toBe(1);
    // Its order is still total: c loses every pair it was in.
    expect(Array.from(model.orders.subarray(0, 3))).toEqual([0, 1, 2]);
  });
});
