import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, tempDir } from '../helpers.js';

const FIX = resolve(__dirname, '../../fixtures/optimize/small');
const model = ['--orders', join(FIX, 'orders.csv'), '--rtt', join(FIX, 'rtt.csv')];

function policyFile(rules: Record<string, unknown>): string {
  const dir = tempDir();
  const p = join(dir, 'policy.json');
  writeFileSync(p, JSON.stringify(rules));
  return p;
}

async function validate(plan: string, policy: string, extra: string[] = []) {
  return runInProcess(['validate', '--plan', join(FIX, plan), ...model, '--policy', policy, ...extra]);
}

describe('anyopt validate', () => {
  it('passes a plan that meets every rule (exit 0) and reports each rule in JUnit', async () => {
    const dir = tempDir();
    const junit = join(dir, 'report.xml');
    const r = await validate('plan-good.json', join(FIX, 'policy.json'), ['--baseline', join(FIX, 'plan-all.json'), '--junit', junit]);
    expect(r.stderr).toContain('10 passed, 0 failed');
    expect(r.code).toBe(0);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuites name="anyopt validate" tests="10" failures="0" errors="0" skipped="0">');
    expect(xml.match(/<testcase /g)).toHaveLength(10);
    expect(xml).toContain('<testcase classname="anyopt.validate.maxMeanMs" name="mean RTT &lt;= 20 ms"/>');
    // CSV on stdout: one line per rule.
    expect(r.stdout.split('\n')[0]).toBe('rule,status,measured,limit,message,worst_targets');
    expect(r.stdout).toContain('maxMeanMs,pass,12.571,20,');
  });

  it('names a number too large for JSON as such, not as null', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.json'), '{"maxMeanMs":1e999}');
    const r = await validate('plan-good.json', join(dir, 'p.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('column "maxMeanMs" must be a number >= 0, got "Infinity (a number out of range)"');
  });

  it('refuses mustNotAnnounce or mustAnnounce naming a site the model does not have (a typo would turn the rule off, or fail it as if a real site were missing)', async () => {
    for (const rule of ['mustNotAnnounce', 'mustAnnounce']) {
      const r = await validate('plan-good.json', policyFile({ [rule]: ['xyz'] }));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`policy\\.json: "${rule}" names "xyz", not a site of .*orders\\.csv \\(its sites: `));
    }
  });

  it('refuses a plan whose announce.order switches on other sites than its "sites" (exit 2)', async () => {
    const dir = tempDir();
    const cases: Array<[unknown, string]> = [
      [['lhr', 'ams', 'fra', 'mia'], 'it announces mia, not in "sites"'],
      [['ams', 'ams', 'lhr', 'fra'], 'it lists ams twice'],
      [['lhr', 'ams'], 'it leaves out fra of "sites"'],
    ];
    for (const [order, why] of cases) {
      const plan = join(dir, 'plan.json');
      writeFileSync(plan, JSON.stringify({ format: 'anyopt-plan', version: 1, sites: ['lhr', 'ams', 'fra'], announce: { order } }));
      const r = await runInProcess(['validate', '--plan', plan, ...model, '--policy', policyFile({ mustNotAnnounce: ['mia'] })]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`column "announce.order" must list each site of "sites" once, and no other (${why})`);
    }
  });

  it('refuses --weights that leave every target at weight 0 instead of passing load rules on nothing', async () => {
    const dir = tempDir();
    const none = join(dir, 'w-none.csv');
    writeFileSync(none, 'target,weight\n10.0.0.0/24,5\n10.0.1.0/24,5\n');
    const zero = join(dir, 'w-zero.csv');
    writeFileSync(zero, 'target,weight\nt1,0\nt2,0\n');
    for (const [file, why] of [
      [none, 'must name targets of'],
      [zero, 'must give a positive weight to at least one target of'],
    ]) {
      const r = await validate('plan-good.json', policyFile({ maxSiteLoadShare: 0.3 }), ['--weights', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`column "target" ${why}`);
    }
  });

  it('--json with --out: JSON on stdout and the CSV in the file', async () => {
    const dir = tempDir();
    const out = join(dir, 'v.csv');
    const r = await validate('plan-good.json', join(FIX, 'policy.json'), ['--json', '--out', out]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).failed).toBe(0);
    const csv = readFileSync(out, 'utf8');
    expect(csv.split('\n')[0]).toBe('rule,status,measured,limit,message,worst_targets');
    expect(csv).toContain('maxMeanMs,pass,12.571,20,');
    // --json alone: only JSON on stdout.
    const j = await validate('plan-good.json', join(FIX, 'policy.json'), ['--json']);
    expect(JSON.parse(j.stdout).passed).toBeGreaterThan(0);
  });

  const breaking: Array<[string, Record<string, unknown>, string, string, string?]> = [
    // [rule, policy, expected message, a worst target that must be named, the plan (default plan-all.json)]
    ['maxMeanMs', { maxMeanMs: 30 }, 'mean RTT <= 30 ms: violated, measured 40.9', 't1'],
    ['maxP95Ms', { maxP95Ms: 100 }, 'p95 RTT <= 100 ms: violated, measured 120.0', 't1'],
    ['minCoverage', { minCoverage: 0.9 }, 'coverage >= 90.0%: violated, measured 87.5%', 't8'],
    ['maxSiteLoad', { maxSiteLoad: 2 }, 'load per site <= 2: violated at mia with 3', 't7'],
    ['maxSiteLoadShare', { maxSiteLoadShare: 0.3 }, 'load share per site <= 30.0%: violated at mia with 37.5%', 't1'],
    ['mustAnnounce', { mustAnnounce: ['ams', 'mia'] }, 'must announce ams, mia: violated, missing mia', '', 'plan-good.json'],
    ['mustNotAnnounce', { mustNotAnnounce: ['mia'] }, 'must not announce mia: violated, announces mia', ''],
    ['maxSites', { maxSites: 3 }, 'at most 3 sites: violated, plan announces 4', ''],
    ['maxMeanRegressionPct', { maxMeanRegressionPct: 10 }, 'mean RTT regression vs baseline <= 10%: violated, 12.6 ms -> 40.9 ms (+225.0%)', 't1'],
    ['maxP95RegressionPct', { maxP95RegressionPct: 10 }, 'p95 RTT regression vs baseline <= 10%: violated, 40.0 ms -> 120.0 ms (+200.0%)', 't2'],
  ];
  for (const [rule, policy, message, target, plan = 'plan-all.json'] of breaking) {
    it(`fails ${rule} with the measured value and the worst targets (exit 1)`, async () => {
      const dir = tempDir();
      const junit = join(dir, 'report.xml');
      const r = await validate(plan, policyFile(policy), ['--baseline', join(FIX, 'plan-good.json'), '--junit', junit]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`FAIL  ${message}`);
      expect(r.stderr).toContain('0 passed, 1 failed');
      const xml = readFileSync(junit, 'utf8');
      expect(xml).toContain('failures="1"');
      expect(xml).toContain(`<testcase classname="anyopt.validate.${rule}"`);
      expect(xml).toMatch(/<failure message="[^"]+" type="policy">/);
      if (target) {
        expect(r.stderr).toMatch(new RegExp(`\\n\\s+${target} -> `));
        expect(xml).toContain(`${target} -&gt; `);
      }
    });
  }

  it('says a measured value that does not exist is undefined, not null', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'o.csv'), 'target,order,status,confidence\nt1,a>b,total,1\n');
    writeFileSync(join(dir, 'r.csv'), 'target,site,rtt_ms,source\nt1,b,20,unicast\n');
    writeFileSync(join(dir, 'p.json'), '{"format":"anyopt-plan","version":1,"sites":["a"]}');
    const r = await runInProcess(['validate', '--plan', join(dir, 'p.json'), '--orders', join(dir, 'o.csv'), '--rtt', join(dir, 'r.csv'), '--policy', policyFile({ maxMeanMs: 100 })]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('mean RTT <= 100 ms: violated, measured undefined (no target with a predicted RTT)');
    expect(r.stdout).toContain('maxMeanMs,fail,,100,');
  });

  it('skips regression rules without a baseline', async () => {
    const r = await validate('plan-good.json', policyFile({ maxMeanRegressionPct: 5 }));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('skip  mean RTT regression vs baseline <= 5%: skipped (no --baseline plan given)');
  });

  it('exits 2 on a policy with an unknown rule, a bad value or a plan naming unknown sites', async () => {
    const typo = await validate('plan-good.json', policyFile({ maxMeanMS: 30 }));
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('column "maxMeanMS" is not a known rule (known: maxMeanMs,');
    const bad = await validate('plan-good.json', policyFile({ minCoverage: 95 }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('column "minCoverage" must be a number in [0, 1], got "95"');
    const dir = tempDir();
    const plan = join(dir, 'plan.json');
    writeFileSync(plan, JSON.stringify({ format: 'anyopt-plan', version: 1, sites: ['ams', 'syd'] }));
    const r = await runInProcess(['validate', '--plan', plan, ...model, '--policy', join(FIX, 'policy.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('column "sites" must name sites of the preference model (mia, ams, lhr, fra), got "syd"');
    writeFileSync(plan, '{"format": "anyopt-plan", ');
    const broken = await runInProcess(['validate', '--plan', plan, ...model, '--policy', join(FIX, 'policy.json')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`${plan}: must be valid JSON`);
  });

  it('validates a plan written by optimize', async () => {
    const dir = tempDir();
    const out = join(dir, 'plan.json');
    expect((await runInProcess(['optimize', ...model, '--out', out])).code).toBe(0);
    const r = await runInProcess(['validate', '--plan', out, ...model, '--policy', join(FIX, 'policy.json'), '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.failed).toBe(0);
    expect(json.skipped).toBe(2);
  });
});
