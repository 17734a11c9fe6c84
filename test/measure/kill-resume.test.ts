/**
 * End to end: the built CLI, killed with SIGKILL in the middle of a campaign,
 * resumed with --resume, must write the same bytes as an uninterrupted run.
 * The exec driver against the shell-script testbed, with a probe that sleeps,
 * makes the campaign slow enough to kill (about 0.15 s per experiment).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { planCampaign } from '../../src/measure/plan.js';
import { formatCampaign } from '../../src/io/campaign.js';
import { tempDir } from '../helpers.js';

const root = resolve(import.meta.dirname, '../..');
const bed = join(root, 'fixtures/measure/testbed');
const sites = ['ams', 'lhr', 'fra', 'nyc', 'sfo'].map((site, i) => ({ site, provider: `P${i % 2}` }));

function args(dir: string, extra: string[] = []): string[] {
  return [
    join(root, 'bin/anyopt.js'), 'measure', 'run', '--campaign', join(dir, 'campaign.json'), '--targets', join(root, 'fixtures/measure/targets.csv'),
    '--driver', 'exec', '--announce-cmd', `${bed}/bgp.sh announce {site}`, '--withdraw-cmd', `${bed}/bgp.sh withdraw {site}`,
    '--probe-cmd', `${bed}/probe.sh {experiment} {sites}`, '--out', join(dir, 'obs.csv'), ...extra,
  ];
}

function run(dir: string, extra: string[] = [], killWhen?: () => boolean, signal: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args(dir, extra), { cwd: dir, env: { PATH: process.env.PATH, TESTBED_DIR: dir, PROBE_SLEEP: '0.1', NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    if (killWhen) {
      timer = setInterval(() => {
        if (killWhen()) {
          clearInterval(timer);
          child.kill(signal);
        }
      }, 20);
    }
    child.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      done({ code, signal, stderr });
    });
  });
}

function journalEntries(dir: string): number {
  const p = join(dir, 'obs.csv.journal');
  if (!existsSync(p)) return 0;
  return readFileSync(p, 'utf8').split('\n').filter((l) => l.startsWith('{"experiment"')).length;
}

describe('measure run: kill -9 and --resume', () => {
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore' });
  });

  it('resumes from the first unfinished experiment and writes the same file as an uninterrupted run', async () => {
    const campaign = formatCampaign(planCampaign(sites, { strategy: 'pairwise', spacingS: 0, settleS: 0 }));
    const a = tempDir();
    const b = tempDir();
    writeFileSync(join(a, 'campaign.json'), campaign);
    writeFileSync(join(b, 'campaign.json'), campaign);

    const full = await run(a);
    expect(full.code).toBe(0);

    // Kill once 4 of 15 experiments are journaled: mid-campaign, possibly mid-command.
    const killed = await run(b, [], () => journalEntries(b) >= 4);
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(b, 'obs.csv'))).toBe(false);
    const doneBefore = journalEntries(b);
    expect(doneBefore).toBeGreaterThanOrEqual(4);
    expect(doneBefore).toBeLessThan(15);

    // Without --resume the journal is not overwritten.
    const refused = await run(b);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass `--resume` to continue it');

    const resumed = await run(b, ['--resume']);
    expect(resumed.stderr).toContain(`resuming: ${doneBefore} of 15 experiments already done`);
    expect(resumed.code).toBe(0);
    expect(readFileSync(join(b, 'obs.csv'), 'utf8')).toBe(readFileSync(join(a, 'obs.csv'), 'utf8'));
    // The resumed run withdrew what the killed one left announced, and ended with nothing announced.
    expect(readFileSync(join(b, 'announced'), 'utf8')).toBe('');
  });

  it('on SIGINT stops after the command in flight, withdraws every site and keeps the journal', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'campaign.json'), formatCampaign(planCampaign(sites, { strategy: 'pairwise', spacingS: 0, settleS: 0 })));
    const r = await run(dir, [], () => journalEntries(dir) >= 2, 'SIGINT');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/interrupted: every site withdrawn; journal kept: run again with --resume to continue from experiment \d+ of 15/);
    expect(readFileSync(join(dir, 'announced'), 'utf8')).toBe('');
    expect(existsSync(join(dir, 'obs.csv'))).toBe(false);
  });

  it('refuses a campaign file changed since the journal began', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'campaign.json'), formatCampaign(planCampaign(sites, { strategy: 'pairwise', spacingS: 0, settleS: 0 })));
    await run(dir, [], () => journalEntries(dir) >= 1);
    writeFileSync(join(dir, 'campaign.json'), formatCampaign(planCampaign(sites, { strategy: 'provider', spacingS: 0, settleS: 0 })));
    const r = await run(dir, ['--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: The campaign file changed since this run began \(journal .*obs\.csv\.journal was started with campaign [0-9a-f]{32}, the file is now [0-9a-f]{32}\); restore the original campaign to resume/);
  });
});
