import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAsRel, parseAsRelLine } from '../../src/io/scenario.js';
import { formatIssue } from '../../src/io/issues.js';
import { buildTwin, computeCatchment, scenarioFromAsRel } from '../../src/sim/index.js';
import { runInProcess, tempDir } from '../helpers.js';

const fixtures = join(import.meta.dirname, '../../fixtures/sim');

describe('CAIDA as-rel files', () => {
  it('reads serial-1 and serial-2, skipping comments', async () => {
    const s1 = await readAsRel(join(fixtures, 'tiny.as-rel.txt'));
    expect(s1.issues.total).toBe(0);
    expect(s1.serial).toBe(1);
    expect(s1.relations).toHaveLength(13);
    expect(s1.relations[0]).toEqual({ a: 174, b: 3356, rel: 0 });
    expect(s1.relations[3]).toEqual({ a: 174, b: 6939, rel: -1 });
    const s2 = await readAsRel(join(fixtures, 'tiny.as-rel2.txt'));
    expect(s2.serial).toBe(2);
    expect(s2.relations).toHaveLength(7);
  });

  it('reports each malformed line with its number and what was expected', async () => {
    const r = await readAsRel(join(fixtures, 'broken.as-rel.txt'), 'broken.as-rel.txt');
    expect(r.relations).toEqual([{ a: 174, b: 3356, rel: 0 }]);
    expect(r.issues.items.map(formatIssue)).toEqual([
      'broken.as-rel.txt:3: must be "AS1|AS2|REL" (serial-1) or "AS1|AS2|REL|SOURCE" (serial-2), got "174|3356"',
      'broken.as-rel.txt:4: column "1" must be an AS number, got "AS174"',
      'broken.as-rel.txt:5: column "3" must be -1 (provider|customer) or 0 (peer|peer), got "1"',
      'broken.as-rel.txt:6: must relate two different ASes, got "1299|1299|-1"',
      'broken.as-rel.txt:7: must not repeat an AS pair, got "3356|174|-1"',
    ]);
  });

  it('parses single lines', () => {
    expect(parseAsRelLine('# comment', 'f', 1)).toBeUndefined();
    expect(parseAsRelLine('', 'f', 2)).toBeUndefined();
    expect(parseAsRelLine('1|2|-1', 'f', 3)).toEqual({ a: 1, b: 2, rel: -1 });
    expect(parseAsRelLine('1|2|0|bgp', 'f', 4)).toEqual({ a: 1, b: 2, rel: 0 });
  });

  it('builds a routable twin on a real-format graph with placed PoPs', async () => {
    const { relations } = await readAsRel(join(fixtures, 'tiny.as-rel.txt'));
    const scenario = scenarioFromAsRel(relations, { seed: 3, sites: 3, providers: 2, targets: 200, ases: 0, asRelSource: 'tiny.as-rel.txt' });
    expect(scenario.config.asRelSource).toBe('tiny.as-rel.txt');
    expect(scenario.relations).toHaveLength(13);
    expect(new Set(scenario.pops.map((p) => p.asn)).size).toBe(12);
    // Tier-1s (provider-free, with customers) get PoPs on several continents.
    const tier1Pops = scenario.pops.filter((p) => p.asn === 174);
    expect(tier1Pops.length).toBeGreaterThan(5);
    const twin = buildTwin(scenario);
    const c = computeCatchment(twin, { sites: twin.siteIds });
    const reached = Array.from(c.site).filter((s) => s >= 0).length;
    expect(reached).toBeGreaterThan(150);
  });

  it('records the providers the graph allowed, and sim init says when that is fewer than asked', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'two.as-rel.txt'), '1|2|-1\n1|3|-1\n');
    const r = await runInProcess(['sim', 'init', '--out', 'sc', '--as-rel', 'two.as-rel.txt', '--sites', '4', '--providers', '3', '--targets', '30'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: two.as-rel.txt offers 1 transit AS(es) to buy from, not the 3 asked: the scenario has 1 provider(s)');
    expect(JSON.parse(readFileSync(join(dir, 'sc', 'scenario.json'), 'utf8')).providers).toBe(1);
  });
});
