import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSolver } from '../../src/solver/solver.js';
import { runDemo } from '../../src/io/routes/twin-files.js';
import { flowLines, generateTwin, perfLines, ribLines } from '../../src/routes/twin.js';
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

  it('has a realistic prefix-length mix and every prefix routed by at least one provider', () => {
    const t = generateTwin({ providers: 8, prefixes: 5000, flows: 1000, seed: 1 });
    const v4 = t.prefixes.filter((p) => p.family === 4);
    const share24 = v4.filter((p) => p.length === 24).length / v4.length;
    expect(share24).toBeGreaterThan(0.45);
    expect(share24).toBeLessThan(0.65);
    expect(t.prefixes.filter((p) => p.family === 6).length / t.prefixes.length).toBeGreaterThan(0.1);
    for (let i = 0; i < t.prefixes.length; i++) expect(Array.from(t.pathLen.subarray(i * 8, i * 8 + 8)).some((x) => x > 0)).toBe(true);
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
