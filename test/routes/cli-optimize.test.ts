import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { injectionText, UnsafeInjectionError } from '../../src/routes/inject.js';
import { runInProcess, tempDir } from '../helpers.js';

const FIX = join(import.meta.dirname, '../../fixtures/routes');
const BASE = ['routes', 'optimize', '--routes', 'rib-alpha.txt', 'rib-beta.txt', '--providers', 'providers.csv', '--traffic', 'traffic.csv', '--performance', 'perf.csv'];

describe('anyopt routes optimize', () => {
  it('writes the plan: moves for performance, keeps what is fine, empty from without a current provider', async () => {
    const dir = tempDir();
    const r = await runInProcess([...BASE, '--current', 'current.csv', '--out', join(dir, 'plan.csv'), '--providers-out', join(dir, 'prov.csv'), '--json'], { cwd: FIX });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'plan.csv'), 'utf8')).toBe(
      'prefix,from,to,reason,traffic_mbps,rtt_ms_before,rtt_ms_after\n' +
        '203.0.113.0/24,alpha,beta,performance,300,120,60\n' +
        '192.0.2.0/24,alpha,alpha,unchanged,200,40,40\n' +
        '10.1.0.0/16,beta,alpha,performance,100,80,30\n' +
        '2001:db8::/32,alpha,beta,performance,80,90,70\n' +
        '10.0.0.0/8,,alpha,performance,50,25,25\n',
    );
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ prefixes: 5, method: 'milp', status: 'optimal', moves: 3 });
    expect(json.gap).toBeLessThan(1e-6);
    // Loads use the busy-hour column: alpha keeps 192.0.2.0/24 (220) + 10.1.0.0/16 (120) + 10.0.0.0/8 (55).
    expect(readFileSync(join(dir, 'prov.csv'), 'utf8').split('\n')[1]).toBe('alpha,4,3,715,395,800,542,286,83.254,35');
    // --json's providers_table has the --providers-out columns as keys (and the capacity).
    const header = readFileSync(join(dir, 'prov.csv'), 'utf8').split('\n')[0].split(',');
    expect(Object.keys(json.providers_table[0])).toEqual([...header.slice(0, 6), 'capacity_mbps', ...header.slice(6)]);
    expect(json.providers_table[0]).toMatchObject({ provider: 'alpha', prefixes_before: 4, prefixes_after: 3, usable_mbps: 800 });
  });

  for (const target of ['gobgp', 'exabgp', 'bird']) {
    it(`writes ${target} injection text matching the golden file`, async () => {
      const dir = tempDir();
      const out = join(dir, 'inject.txt');
      const r = await runInProcess([...BASE, '--current', 'current.csv', '--inject', target, '--inject-out', out, '--out', join(dir, 'plan.csv')], { cwd: FIX });
      expect(r.code).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(FIX, 'golden', `inject.${target}.txt`), 'utf8'));
    });
  }

  it('holds a prefix in place when a move gains less than the hysteresis threshold', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ min_improvement_ms: 70 }));
    const r = await runInProcess([...BASE, '--current', 'current.csv', '--policy', join(dir, 'policy.json'), '--out', join(dir, 'plan.csv')], { cwd: FIX });
    expect(r.code).toBe(0);
    const plan = readFileSync(join(dir, 'plan.csv'), 'utf8');
    expect(plan).toContain('203.0.113.0/24,alpha,alpha,hysteresis,300,120,120\n'); // 60 ms < 70 ms
    expect(plan).toContain('2001:db8::/32,alpha,alpha,hysteresis,80,90,90\n');
  });

  it('refuses an unknown policy key and a bad value, naming them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ headroom: 1.5, max_chnages: 3 }));
    const r = await runInProcess([...BASE, '--policy', join(dir, 'policy.json'), '--out', join(dir, 'plan.csv')], { cwd: FIX });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('column "headroom" must be a number in [0.01, 1], got "1.5"');
    expect(r.stderr).toContain('column "max_chnages" is not a policy key');
    expect(existsSync(join(dir, 'plan.csv'))).toBe(false);
  });

  it('checks the default --inject-out path like a given output (it must not overwrite --providers-out)', async () => {
    const dir = tempDir();
    const r = await runInProcess([...BASE, '--current', 'current.csv', '--inject', 'exabgp', '--out', join(dir, 'plan.csv'), '--providers-out', join(dir, 'plan.csv.exabgp')], { cwd: FIX });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is the default `--inject-out` path: one would overwrite the other');
    expect(existsSync(join(dir, 'plan.csv'))).toBe(false);
  });

  it('exits 1 without a plan when the traffic cannot fit the capacity', async () => {
    const dir = tempDir();
    const r = await runInProcess([...BASE, '--headroom', '0.2', '--out', join(dir, 'plan.csv')], { cwd: FIX });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no plan:');
    expect(existsSync(join(dir, 'plan.csv'))).toBe(false);
  });

  it('exits 2 without a plan when the performance file is empty', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'perf.csv'), '');
    const r = await runInProcess([...BASE.slice(0, -1), join(dir, 'perf.csv'), '--out', join(dir, 'plan.csv')], { cwd: FIX });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('perf.csv: must have a header line (time,prefix,provider,rtt_ms,loss_pct,jitter_ms), got ""');
    expect(existsSync(join(dir, 'plan.csv'))).toBe(false);
  });

  it('asks for --inject-out when the plan goes to stdout', async () => {
    const r = await runInProcess([...BASE, '--inject', 'gobgp'], { cwd: FIX });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`--inject` needs `--inject-out FILE`');
  });
});

describe('injection safety', () => {
  const providers = [{ name: 'alpha', asn: 1, peerIp: '', nextHop: '198.51.100.1', nextHopV6: '', capacityMbps: 1, commitMbps: 0, pricePerMbps: 0, overagePricePerMbps: 0 }];
  it('refuses a prefix the provider did not announce exactly (no invented more-specifics)', () => {
    const announced = (p: string) => p === '203.0.113.0/24';
    expect(() => injectionText('gobgp', { routes: [{ prefix: '203.0.113.0/25', provider: 0 }], withdraw: [], providers, localPref: 200, announced })).toThrow(UnsafeInjectionError);
    expect(injectionText('exabgp', { routes: [{ prefix: '203.0.113.0/24', provider: 0 }], withdraw: [], providers, localPref: 200, announced })).toBe(
      'announce route 203.0.113.0/24 next-hop 198.51.100.1 local-preference 200 community [no-export]\n',
    );
  });
  it('refuses an IPv6 route without an IPv6 next hop', () => {
    expect(() => injectionText('bird', { routes: [{ prefix: '2001:db8::/32', provider: 0 }], withdraw: [], providers, localPref: 200, announced: () => true })).toThrow(/no IPv6 next hop/);
  });
});

describe('current assignment file', () => {
  it('reports a current prefix with host bits set instead of withdrawing it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'current.csv'), 'prefix,provider\n203.0.113.0/24,alpha\n10.0.0.1/8,alpha\n');
    const r = await runInProcess([...BASE, '--current', join(dir, 'current.csv'), '--max-bad-share', '0', '--out', join(dir, 'plan.csv')], { cwd: FIX });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('current.csv:3: column "prefix" must have no host bits set after the prefix length, got "10.0.0.1/8"');
  });
});
