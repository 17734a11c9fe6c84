import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { experimentCount, planCampaign } from '../../src/measure/plan.js';
import { campaignDigest, validateCampaign } from '../../src/measure/campaign.js';
import { formatCampaign, readCampaign } from '../../src/io/campaign.js';
import { runInProcess, tempDir } from '../helpers.js';

const sites = [
  { site: 'ams', provider: 'P1' },
  { site: 'lhr', provider: 'P2' },
  { site: 'fra', provider: 'P1' },
  { site: 'nyc', provider: 'P3' },
  { site: 'sfo', provider: 'P3' },
];
const listOf = (c: ReturnType<typeof planCampaign>) => c.experiments.map((e) => `${e.id}:${e.sites.join('|')}`);

describe('measure plan strategies', () => {
  it('pairwise: every site alone, then every pair in sites.csv order', () => {
    const c = planCampaign(sites, { strategy: 'pairwise', spacingS: 60, settleS: 300 });
    expect(listOf(c)).toEqual([
      'e001:ams', 'e002:lhr', 'e003:fra', 'e004:nyc', 'e005:sfo',
      'e006:ams|lhr', 'e007:ams|fra', 'e008:ams|nyc', 'e009:ams|sfo', 'e010:lhr|fra',
      'e011:lhr|nyc', 'e012:lhr|sfo', 'e013:fra|nyc', 'e014:fra|sfo', 'e015:nyc|sfo',
    ]);
    expect(c.experiments.slice(0, 5).every((e) => e.kind === 'single')).toBe(true);
    // 5 singles * 300 s + 10 pairs * (60 + 300) s
    expect(c.expectedWallS).toBe(5 * 300 + 10 * 360);
  });

  it('provider: one representative pair per provider pair plus the pairs inside each provider', () => {
    const c = planCampaign(sites, { strategy: 'provider', spacingS: 0, settleS: 10 });
    expect(listOf(c)).toEqual([
      'e001:ams', 'e002:lhr', 'e003:fra', 'e004:nyc', 'e005:sfo',
      'e006:ams|lhr', 'e007:ams|nyc', 'e008:lhr|nyc', // P1-P2, P1-P3, P2-P3 through the first site of each
      'e009:ams|fra', 'e010:nyc|sfo', // inside P1, inside P3
    ]);
  });

  it('--both-orders runs each pair both ways, reversed right after', () => {
    const c = planCampaign(sites, { strategy: 'provider', bothOrders: true, spacingS: 0, settleS: 10 });
    expect(listOf(c).slice(5)).toEqual([
      'e006:ams|lhr', 'e007:lhr|ams', 'e008:ams|nyc', 'e009:nyc|ams', 'e010:lhr|nyc', 'e011:nyc|lhr',
      'e012:ams|fra', 'e013:fra|ams', 'e014:nyc|sfo', 'e015:sfo|nyc',
    ]);
  });

  it('counts 15 sites on 6 providers (3,3,3,2,2,2 sites)', () => {
    const big = Array.from({ length: 15 }, (_, i) => ({ site: `s${i}`, provider: `p${i % 6}` }));
    expect(experimentCount(big, 'pairwise')).toBe(15 + 105);
    // 6 providers with 3,3,3,2,2,2 sites: 15 + C(6,2) + 3*3 + 3*1 = 15 + 15 + 12
    expect(experimentCount(big, 'provider')).toBe(42);
    expect(experimentCount(big, 'provider', true)).toBe(15 + 54);
  });
});

describe('campaign.json', () => {
  it('round-trips through the file and keeps its digest', async () => {
    const dir = tempDir();
    const c = planCampaign(sites, { strategy: 'pairwise', spacingS: 1, settleS: 2, prefix: '192.0.2.0/24' });
    writeFileSync(join(dir, 'c.json'), formatCampaign(c));
    const back = await readCampaign(join(dir, 'c.json'), 'c.json');
    expect(back).toEqual(c);
    expect(campaignDigest(back)).toBe(campaignDigest(c));
  });

  it('names the JSON path, the value and the expectation of a bad field', () => {
    const c = planCampaign(sites, { strategy: 'pairwise', spacingS: 1, settleS: 2 });
    const broken = JSON.parse(JSON.stringify(c));
    broken.experiments[6].sites = ['ams', 'xyz'];
    broken.experiments[2].settleS = -1;
    broken.experiments[7].kind = 'single'; // a pair's two sites
    const { campaign, issues } = validateCampaign(broken, 'c.json');
    expect(campaign).toBeUndefined();
    expect(issues).toEqual([
      { file: 'c.json', column: 'experiments[2].settleS', expected: 'must be a number >= 0', received: '-1' },
      { file: 'c.json', column: 'experiments[6].sites', expected: 'must name sites listed in "sites"', received: 'xyz' },
      { file: 'c.json', column: 'experiments[7].sites', expected: 'must hold 1 site for kind "single"', received: JSON.stringify(broken.experiments[7].sites) },
    ]);
  });
});

describe('anyopt measure plan (CLI)', () => {
  const fixture = join(import.meta.dirname, '../../fixtures/measure/sites.csv');

  it('writes the campaign and prints the count of every strategy', async () => {
    const dir = tempDir();
    const r = await runInProcess(['measure', 'plan', '--sites', fixture, '--strategy', 'provider', '--settle', '300', '--spacing', '60', '--out', 'c.json'], { cwd: dir });
    expect(r.code).toBe(0);
    const c = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'));
    expect(c.experiments).toHaveLength(10);
    // 5 singles * 300 s + 5 pairs * (60 + 300) s = 3,300 s
    expect(r.stderr).toContain('5 sites on 3 providers; strategy provider: 10 experiments, expected wall time 55 min 0 s');
    expect(r.stderr).toMatch(/pairwise\s+15\s+25/);
    expect(r.stderr).toMatch(/provider \*\s+10\s+15/);
  });

  it('rejects a duplicate site with file, line and value', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 's.csv'), 'site,provider\nams,P1\nlhr,P2\nams,P3\n');
    const r = await runInProcess(['measure', 'plan', '--sites', 's.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: s.csv:4: column "site" must be unique (also on line 2), got "ams"\n');
  });

  it('rejects a --prefix that is not a prefix (it goes into the announce commands)', async () => {
    for (const bad of ['foo', '1.2.3.4/33', '192.0.2.1/24']) {
      const r = await runInProcess(['measure', 'plan', '--sites', fixture, '--prefix', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain(`Expected \`--prefix\` to be an IPv4 or IPv6 prefix such as 192.0.2.0/24 (`);
      expect(r.stderr).toContain(`got \`${bad}\``);
    }
    expect((await runInProcess(['measure', 'plan', '--sites', fixture, '--prefix', '2001:db8::/32'])).code).toBe(0);
  });

  it('rejects an unknown strategy', async () => {
    const r = await runInProcess(['measure', 'plan', '--sites', fixture, '--strategy', 'greedy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Expected `--strategy` to be one of pairwise, provider, got `greedy`');
  });
});
