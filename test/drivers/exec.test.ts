import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createExecDriver, fillTemplate, type ExecDriverOptions } from '../../src/drivers/exec.js';
import { realClock, VirtualClock } from '../../src/drivers/clock.js';
import { runCampaign } from '../../src/measure/runner.js';
import { planCampaign } from '../../src/measure/plan.js';
import { formatCampaign } from '../../src/io/campaign.js';
import { readObservations } from '../../src/io/observations.js';
import { runInProcess, tempDir } from '../helpers.js';

const bed = resolve(import.meta.dirname, '../../fixtures/measure/testbed');
const fixtures = resolve(import.meta.dirname, '../../fixtures/measure');
const targets = Array.from({ length: 10 }, (_, k) => `10.0.${k}.1`);
const sites = [
  { site: 'ams', provider: 'P1' },
  { site: 'lhr', provider: 'P2' },
  { site: 'fra', provider: 'P1' },
];

function options(dir: string, over: Partial<ExecDriverOptions> = {}): ExecDriverOptions {
  return {
    announceCmd: `${bed}/bgp.sh announce {site}`,
    withdrawCmd: `${bed}/bgp.sh withdraw {site}`,
    probeCmd: `${bed}/probe.sh {experiment} {sites}`,
    timeoutMs: 5000,
    retries: 0,
    retryDelayMs: 10,
    cwd: dir,
    env: { PATH: process.env.PATH, TESTBED_DIR: dir },
    clock: new VirtualClock(),
    ...over,
  };
}

async function run(dir: string, over: Partial<ExecDriverOptions> = {}) {
  const campaign = planCampaign(sites, { strategy: 'pairwise', spacingS: 0, settleS: 0 });
  const results: Array<{ id: string; site: number[]; rtt: number[] }> = [];
  const clock = new VirtualClock();
  const summary = await runCampaign(campaign, createExecDriver(options(dir, over)), {
    clock,
    targetIds: targets,
    onExperiment: (r) => void results.push({ id: r.experiment.id, site: Array.from(r.result.site), rtt: Array.from(r.result.rttMs) }),
  });
  return { summary, results };
}

describe('exec driver', () => {
  it('drives a testbed through shell commands and reads the catchment the probe prints', async () => {
    const dir = tempDir();
    const { results } = await run(dir);
    expect(results.map((r) => r.id)).toEqual(['e001', 'e002', 'e003', 'e004', 'e005', 'e006']);
    // e004 = ams|lhr: target k reaches announced site k mod 2; 10.0.9.1 never answers
    expect(results[3].site).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, -1]);
    expect(results[3].rtt.slice(0, 3)).toEqual([10.5, 11.5, 12.5]);
    expect(Number.isNaN(results[3].rtt[9])).toBe(true);
    // Every site ends withdrawn.
    expect(readFileSync(join(dir, 'announced'), 'utf8')).toBe('');
    expect(readFileSync(join(dir, 'log'), 'utf8').split('\n').slice(0, 6)).toEqual(['announce ams', 'withdraw ams', 'announce lhr', 'withdraw lhr', 'announce fra', 'withdraw fra']);
  });

  it('reads Verfploeter output through a site map', async () => {
    const dir = tempDir();
    const siteMap = new Map([['node-ams', 'ams'], ['node-lhr', 'lhr'], ['node-fra', 'fra']]);
    const { results } = await run(dir, { probeCmd: `${bed}/verfploeter-probe.sh`, siteMap, targetPrefixes: targets.map((t) => t.replace(/\.1$/, '.0/24')) });
    expect(results[5].site).toEqual([1, 2, 1, 2, 1, 2, 1, 2, 1, -1]); // e006 = lhr|fra
    expect(results[5].rtt.slice(0, 2)).toEqual([10, 11]);
  });

  it('names the command, its exit code and the last stderr lines when it fails, and withdraws every site', async () => {
    const dir = tempDir();
    const probeCmd = `${bed}/fail.sh {experiment}`;
    await expect(run(dir, { probeCmd, retries: 2 })).rejects.toThrow(
      `exec driver: probe command failed with exit code 3 (3 attempts)\n  command: ${bed}/fail.sh e001\n  last lines of its stderr:\n` +
        '    connecting to bird control socket\n    bird: Unable to connect to server control socket (/run/bird/bird.ctl): No such file or directory',
    );
    expect(readFileSync(join(dir, 'announced'), 'utf8')).toBe('');
  });

  it('kills a command that hangs past its timeout', async () => {
    const dir = tempDir();
    const t0 = Date.now();
    await expect(run(dir, { announceCmd: `${bed}/hang.sh {site}`, timeoutMs: 300, retries: 1 })).rejects.toThrow(
      `exec driver: announce command timed out after 0.3 s (2 attempts)\n  command: ${bed}/hang.sh ams\n  last lines of its stderr:\n    waiting for the router`,
    );
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('on an interrupt kills the command running, does not retry it, and still withdraws', async () => {
    const dir = tempDir();
    const abort = new AbortController();
    const campaign = planCampaign(sites, { strategy: 'pairwise', spacingS: 0, settleS: 0 });
    const driver = createExecDriver(options(dir, { probeCmd: `echo probe >> ${dir}/probes; sleep 20`, retries: 3, timeoutMs: 60_000, signal: abort.signal }));
    const t0 = Date.now();
    setTimeout(() => abort.abort(new Error('interrupted')), 300);
    await expect(runCampaign(campaign, driver, { clock: new VirtualClock(), targetIds: targets, signal: abort.signal })).rejects.toThrow('interrupted');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(readFileSync(join(dir, 'probes'), 'utf8')).toBe('probe\n');
    // The cleanup withdrawal ran after the interrupt.
    expect(readFileSync(join(dir, 'announced'), 'utf8')).toBe('');
    expect(readFileSync(join(dir, 'log'), 'utf8')).toContain('withdraw ams');
  });

  it('after an interrupt still retries a failed cleanup withdrawal (one attempt left the prefix announced)', async () => {
    const dir = tempDir();
    const abort = new AbortController();
    const campaign = planCampaign(sites, { strategy: 'pairwise', spacingS: 0, settleS: 0 });
    // The first withdrawal after the interrupt fails, the retry succeeds.
    const withdrawCmd = `if [ -f ${dir}/interrupted ] && [ ! -f ${dir}/failed-once ]; then touch ${dir}/failed-once; exit 1; fi; ${bed}/bgp.sh withdraw {site}`;
    const probeCmd = `touch ${dir}/interrupted; sleep 20`;
    // The real clock: its sleep rejects at once for an aborted signal (the retry wait did that).
    const driver = createExecDriver(options(dir, { withdrawCmd, probeCmd, retries: 2, timeoutMs: 60_000, signal: abort.signal, clock: realClock }));
    setTimeout(() => abort.abort(new Error('interrupted')), 300);
    const err = await runCampaign(campaign, driver, { clock: new VirtualClock(), targetIds: targets, signal: abort.signal }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('interrupted');
    expect(existsSync(join(dir, 'failed-once'))).toBe(true);
    expect((err as { cleanupErrors?: unknown[] }).cleanupErrors).toBeUndefined();
    expect(readFileSync(join(dir, 'announced'), 'utf8')).toBe('');
  });

  it('treats unreadable probe output as a failure and says why', async () => {
    const dir = tempDir();
    await expect(run(dir, { probeCmd: `${bed}/garbage.sh` })).rejects.toThrow(
      `exec driver: probe command exited with code 0 (1 attempt) but its output is not catchment CSV: output of ${bed}/garbage.sh:1: must start with a verfploeter (task_id,client_id,...), manycastr (rx,addr,ttl,rtt) or target,site,rtt_ms header, got "Hello from the probe host"`,
    );
  });

  it('retries a command that fails once', async () => {
    const dir = tempDir();
    const { summary } = await run(dir, { announceCmd: `${bed}/flaky.sh && ${bed}/bgp.sh announce {site}`, retries: 1 });
    expect(summary.ran).toBe(6);
  });

  it('quotes placeholder values for the shell', () => {
    expect(fillTemplate('x {site} {prefix} {other}', { site: "it's", prefix: '192.0.2.0/24' })).toBe(`x 'it'\\''s' 192.0.2.0/24 {other}`);
  });
});

describe('anyopt measure run --driver exec (CLI)', () => {
  it('writes observations.csv and a summary; the journal is gone afterwards', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'campaign.json'), formatCampaign(planCampaign(sites, { strategy: 'pairwise', spacingS: 0, settleS: 0, prefix: '192.0.2.0/24' })));
    const r = await runInProcess(
      ['measure', 'run', '--campaign', 'campaign.json', '--targets', join(fixtures, 'targets.csv'), '--driver', 'exec',
        '--announce-cmd', `${bed}/bgp.sh announce {site} {prefix}`, '--withdraw-cmd', `${bed}/bgp.sh withdraw {site}`,
        '--probe-cmd', `${bed}/probe.sh {experiment} {sites}`, '--out', 'obs.csv', '--json'],
      { cwd: dir, env: { PATH: process.env.PATH!, TESTBED_DIR: dir } },
    );
    expect(r.stderr).toContain('6 experiments, 10 targets; answered per experiment: min 9 (90.0%), median 9, max 9');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ experiments: 6, resumed: 0, targets: 10, rows: 60 });
    const lines = readFileSync(join(dir, 'obs.csv'), 'utf8').split('\n');
    expect(lines.slice(0, 2)).toEqual(['experiment,announced,target,site,rtt_ms', 'e001,ams,10.0.0.1,ams,10.25']);
    expect(lines.slice(41, 44)).toEqual(['e005,ams|fra,10.0.0.1,ams,10.5', 'e005,ams|fra,10.0.1.1,fra,11.5', 'e005,ams|fra,10.0.2.1,ams,12.5']);
    expect(lines[50]).toBe('e005,ams|fra,10.0.9.1,,');
    expect(existsSync(join(dir, 'obs.csv.journal'))).toBe(false);
  });

  it('exits 1 naming the failed command, keeps the journal, and --resume finishes the campaign', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'campaign.json'), formatCampaign(planCampaign(sites, { strategy: 'pairwise', spacingS: 0, settleS: 0 })));
    const common = ['measure', 'run', '--campaign', 'campaign.json', '--targets', join(fixtures, 'targets.csv'), '--driver', 'exec', '--retries', '0',
      '--announce-cmd', `${bed}/bgp.sh announce {site}`, '--withdraw-cmd', `${bed}/bgp.sh withdraw {site}`, '--out', 'obs.csv'];
    const env = { PATH: process.env.PATH!, TESTBED_DIR: dir };
    // The probe host is unreachable during the third experiment.
    const flaky = `test {experiment} != e003 || { echo 'probe host unreachable' >&2; exit 4; }; ${bed}/probe.sh {experiment} {sites}`;
    const r = await runInProcess([...common, '--probe-cmd', flaky], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: exec driver: probe command failed with exit code 4 (1 attempt)\n  command: test e003 != e003 || `);
    expect(r.stderr).toContain('  last lines of its stderr:\n    probe host unreachable\njournal kept: run again with --resume to continue from experiment 3 of 6\n');
    expect(existsSync(join(dir, 'obs.csv'))).toBe(false);
    expect(readFileSync(join(dir, 'announced'), 'utf8')).toBe('');

    const resumed = await runInProcess([...common, '--probe-cmd', `${bed}/probe.sh {experiment} {sites}`, '--resume'], { cwd: dir, env });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('resuming: 2 of 6 experiments already done');
    const { table } = await readObservations(join(dir, 'obs.csv'));
    expect(table.experiments.map((e) => e.id)).toEqual(['e001', 'e002', 'e003', 'e004', 'e005', 'e006']);
    expect(table.rows).toBe(60);
  });

  it('leaves no journal when no experiment finished', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'campaign.json'), formatCampaign(planCampaign(sites, { strategy: 'pairwise', spacingS: 0, settleS: 0 })));
    const r = await runInProcess(
      ['measure', 'run', '--campaign', 'campaign.json', '--targets', join(fixtures, 'targets.csv'), '--driver', 'exec', '--retries', '0',
        '--announce-cmd', `${bed}/bgp.sh announce {site}`, '--withdraw-cmd', `${bed}/bgp.sh withdraw {site}`, '--probe-cmd', `${bed}/fail.sh`, '--out', 'obs.csv'],
      { cwd: dir, env: { PATH: process.env.PATH!, TESTBED_DIR: dir } },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no experiment finished; nothing to resume');
    expect(existsSync(join(dir, 'obs.csv.journal'))).toBe(false);
    expect(existsSync(join(dir, 'obs.csv.partial'))).toBe(false);
  });

  it('refuses {prefix} without a prefix', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'campaign.json'), formatCampaign(planCampaign(sites, { strategy: 'pairwise', spacingS: 0, settleS: 0 })));
    const r = await runInProcess(
      ['measure', 'run', '--campaign', 'campaign.json', '--targets', join(fixtures, 'targets.csv'), '--driver', 'exec',
        '--announce-cmd', 'true {prefix}', '--withdraw-cmd', 'true', '--probe-cmd', 'true', '--out', 'obs.csv'],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: `--announce-cmd` uses {prefix}: give `--prefix` or plan the campaign with `--prefix`\n');
  });
});
