import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSolver } from '../../src/solver/solver.js';
import { runDemo } from '../../src/io/routes/twin-files.js';
import { buildAsGraph, flowLines, gaoRexfordRoutes, generateTwin, perfLines, ribLines, ROUTE_CUSTOMER, ROUTE_PEER, ROUTE_PROVIDER, twinScenarioSize } from '../../src/routes/twin.js';
import { generateScenario } from '../../src/sim/generate.js';
import type { AsRelation, Scenario } from '../../src/sim/scenario.js';
import { runInProcess, tempDir } from '../helpers.js';

describe('routes twin', () => {
  it('is a pure function of its seed', () => {
    const a = generateTwin({ providers: 5, prefixes: 300, flows: 2000, seed: 3 });
    const b = generateTwin({ providers: 5, prefixes: 300, flows: 2000, seed: 3 });
    const c = generateTwin({ providers: 5, prefixes: 300, flows: 2000, seed: 4 });
    const lines = (t: typeof a) => [...ribLines(t, 0), ...flowLines(t), ...perfLines(t, 'before')].join('\n');
    expect(lines(a)).toBe(lines(b));
    expect(lines(a)).not.toBe(lines(c));
  });

  it('aggregates the sim twin\'s client /24s per origin AS, weights them by target weight, routes every prefix', () => {
    const params = { providers: 8, prefixes: 3000, flows: 1000, seed: 1 };
    const sc = generateScenario({ seed: 1, sites: 1, providers: 1, ...twinScenarioSize(params.prefixes) });
    const t = generateTwin(params, sc);
    expect(t.prefixes).toHaveLength(3000);
    const asOf = new Map<number, { asn: number; weight: number }>();
    for (const x of sc.targets) {
      const [a, b, c] = x.prefix.split('/')[0].split('.').map(Number);
      asOf.set(((a << 16) | (b << 8) | c) >>> 0, x);
    }
    const v4 = t.prefixes.map((p, i) => ({ p, i })).filter(({ p }) => p.family === 4);
    let ratio = NaN;
    for (const { p, i } of v4) {
      // Every /24 inside the block is a client /24 of the origin AS.
      let w = 0;
      for (let k = 0; k < 2 ** (24 - p.length); k++) {
        const x = asOf.get((p.words[0] >>> 8) + k);
        expect(x?.asn).toBe(p.origin);
        w += x!.weight;
      }
      if (Number.isNaN(ratio)) ratio = t.weight[i] / w;
      expect(t.weight[i] / w).toBeCloseTo(ratio, 9);
    }
    const counts = new Map<number, number>();
    for (const { p } of v4) counts.set(p.length, (counts.get(p.length) ?? 0) + 1);
    expect(counts.size).toBeGreaterThanOrEqual(5);
    expect(Math.max(...counts.values())).toBe(counts.get(24));
    expect(t.prefixes.filter((p) => p.family === 6).length / t.prefixes.length).toBeGreaterThan(0.1);
    // Providers are real transit ASes of the twin, and every prefix has a route.
    const transit = new Set(sc.relations.filter((r) => r.rel === -1).map((r) => r.a));
    for (const p of t.providers) expect(transit.has(p.asn)).toBe(true);
    for (let i = 0; i < t.prefixes.length; i++) expect(Array.from(t.pathLen.subarray(i * 8, i * 8 + 8)).some((x) => x > 0)).toBe(true);
  });

  it('AS paths are each provider\'s best Gao-Rexford route on the twin (hand-checked 5-AS graph)', () => {
    // 1 and 2 are tier-1 peers; 1 sells transit to 3, 2 to 4; 3 and 4 peer and both sell to 5.
    const relations: AsRelation[] = [
      { a: 1, b: 2, rel: 0 },
      { a: 1, b: 3, rel: -1 },
      { a: 2, b: 4, rel: -1 },
      { a: 3, b: 4, rel: 0 },
      { a: 3, b: 5, rel: -1 },
      { a: 4, b: 5, rel: -1 },
    ];
    const g = buildAsGraph(relations);
    const route = (origin: number, asn: number) => {
      const r = gaoRexfordRoutes(g, origin);
      const k = g.index.get(asn)!;
      const hops: number[] = [];
      for (let x = k; x >= 0 && r.len[k] > 0; x = r.next[x]) hops.push(g.asns[x]);
      return { len: r.len[k], cls: r.cls[k], path: hops.join(' ') };
    };
    // Origin 3: 4 learns it over the peering; 2 only through its peer 1 (4's peer route is not exported up); 5 from provider 3.
    expect(route(3, 4)).toEqual({ len: 2, cls: ROUTE_PEER, path: '4 3' });
    expect(route(3, 2)).toEqual({ len: 3, cls: ROUTE_PEER, path: '2 1 3' });
    expect(route(3, 5)).toEqual({ len: 2, cls: ROUTE_PROVIDER, path: '5 3' });
    // Origin 1: 4 goes up through its provider 2, not through its peer 3 (a provider route is not exported to peers).
    expect(route(1, 4)).toEqual({ len: 3, cls: ROUTE_PROVIDER, path: '4 2 1' });
    expect(route(1, 5)).toEqual({ len: 3, cls: ROUTE_PROVIDER, path: '5 3 1' });
    expect(route(5, 2)).toEqual({ len: 3, cls: ROUTE_CUSTOMER, path: '2 4 5' });
    expect(gaoRexfordRoutes(g, 99).len.every((x) => x === 0)).toBe(true); // an unknown origin: no route anywhere

    // The routes twin on this graph: a network in Amsterdam on all four transit ASes.
    const at = (asn: number, block: number, weight: number) => ({ target: `203.0.${block}.1`, prefix: `203.0.${block}.0/24`, asn, city: 'Amsterdam', lat: 52.37, lon: 4.89, weight });
    const sc = {
      config: { operatorAsn: 64500 },
      sites: [{ site: 'ams', city: 'Amsterdam', lat: 52.37, lon: 4.89, provider: 'as1', providerAsn: 1, peers: [] }],
      targets: [at(5, 112, 1), at(5, 113, 1), at(5, 114, 1), at(5, 115, 1), at(3, 116, 2), at(4, 117, 1), at(4, 118, 1)],
      relations,
      pops: [1, 2, 3, 4, 5].map((asn) => ({ asn, city: 'Amsterdam', lat: 52.37, lon: 4.89 })),
    } as unknown as Scenario;
    const t = generateTwin({ providers: 4, prefixes: 5, flows: 10, seed: 1 }, sc);
    expect(t.providers.map((p) => p.asn)).toEqual([1, 2, 3, 4]);
    const v4 = t.prefixes.filter((p) => p.family === 4).map((p) => `${p.text} ${p.origin}`);
    expect(v4).toEqual(['203.0.112.0/22 5', '203.0.116.0/24 3', '203.0.117.0/24 4', '203.0.118.0/24 4']);
    expect(Array.from(t.pathLen.subarray(0, 16))).toEqual([3, 3, 2, 2, 2, 3, 1, 2, 3, 2, 2, 1, 3, 2, 2, 1]);
    expect([...ribLines(t, 1)].slice(0, 4).map((l) => l.split('|')[6])).toEqual(['2 4 5', '2 1 3', '2 4', '2 4']);
    expect(Array.from(t.weight.subarray(0, 4)).map((w) => w / t.weight[1])).toEqual([2, 1, 0.5, 0.5]);
  });

  it('event scenario: traffic leaves the degraded provider in the first run after the event, within capacity', async () => {
    const lines: string[] = [];
    const r = await runDemo({ dir: tempDir(), seed: 5, params: { prefixes: 1200, flows: 40_000 }, solver: loadSolver, log: (l) => lines.push(l) });
    expect(r.withinCapacity).toBe(true);
    expect(r.degradedLoadAfter).toBeLessThan(0.5 * r.degradedLoadBefore);
    expect(r.degradedLoadBefore).toBeGreaterThan(1000);
    expect(r.failedLoadAfter).toBe(0);
    expect(r.passed).toBe(true);
    // The run after the event costs less RTT than staying put would.
    expect(r.steps[1].meanRttAfter).toBeLessThan(r.steps[1].meanRttBefore);
    expect(lines.at(-1)).toMatch(/PASS$/);
  });

  it('`routes sim` writes the twin files', async () => {
    const dir = tempDir();
    const r = await runInProcess(['routes', 'sim', '--out', dir, '--providers', '4', '--prefixes', '200', '--flows', '5000']);
    expect(r.code).toBe(0);
    const files = readdirSync(dir);
    expect(files.filter((f) => !f.startsWith('updates-')).sort()).toEqual(
      ['events.json', 'flows.csv', 'perf-after-failure.csv', 'perf-after-latency.csv', 'perf-before.csv', 'providers.csv', 'rib-transit-alpha.txt', 'rib-transit-bravo.txt', 'rib-transit-charlie.txt', 'rib-transit-delta.txt'],
    );
    expect(files.filter((f) => /^updates-transit-\w+-failure\.txt$/.test(f))).toHaveLength(1);
  });
});
