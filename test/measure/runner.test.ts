import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { planCampaign } from '../../src/measure/plan.js';
import { runCampaign, type ExperimentResult } from '../../src/measure/runner.js';
import { campaignDigest, listDigest, type Campaign } from '../../src/measure/campaign.js';
import { RunJournal, journalPaths, type JournalMeta } from '../../src/io/campaign.js';
import { formatObservationRows, readObservations } from '../../src/io/observations.js';
import { VirtualClock } from '../../src/drivers/clock.js';
import { DriverError, type DriverSession, type MeasurementDriver, type ProbeResult } from '../../src/drivers/driver.js';
import { tempDir } from '../helpers.js';
import { scenarioDigest, writeScenario } from '../../src/io/scenario.js';
import { generateScenario } from '../../src/sim/index.js';

const sites = [
  { site: 'a', provider: 'P1' },
  { site: 'b', provider: 'P1' },
  { site: 'c', provider: 'P2' },
];
const targets = ['t0', 't1', 't2', 't3'];

/**
 * A fake testbed: each target prefers sites in a fixed order; target t3 never
 * answers. Logs every action with the clock time.
 */
function fakeDriver(clock: VirtualClock, opts: { failProbeAt?: string } = {}): MeasurementDriver & { log: string[] } {
  const prefs: Record<string, string[]> = { t0: ['a', 'b', 'c'], t1: ['c', 'b', 'a'], t2: ['b', 'c', 'a'] };
  let session: DriverSession;
  const on: string[] = [];
  const log: string[] = [];
  return {
    name: 'fake',
    log,
    async open(s) {
      session = s;
      log.push('open');
    },
    async announce(site) {
      log.push(`${clock.now() / 1000}s announce ${site}`);
      on.push(site);
    },
    async withdraw(site) {
      log.push(`withdraw ${site}`);
      const i = on.indexOf(site);
      if (i >= 0) on.splice(i, 1);
    },
    async probe(step): Promise<ProbeResult> {
      log.push(`${clock.now() / 1000}s probe ${step.experiment.id}`);
      if (step.experiment.id === opts.failProbeAt) throw new DriverError(`probe failed in ${step.experiment.id}`);
      const site = new Int16Array(session.targetIds.length).fill(-1);
      const rttMs = new Float32Array(session.targetIds.length).fill(Number.NaN);
      session.targetIds.forEach((t, i) => {
        const best = prefs[t]?.find((s) => on.includes(s));
        if (best) {
          site[i] = session.siteIds.indexOf(best);
          rttMs[i] = 10 + i + session.siteIds.indexOf(best) / 4;
        }
      });
      return { site, rttMs };
    },
    async close() {
      log.push('close');
    },
  };
}

describe('runCampaign', () => {
  it('announces in order with spacing, settles, probes, withdraws, and reports catchments', async () => {
    const campaign = planCampaign(sites, { strategy: 'pairwise', spacingS: 60, settleS: 300 });
    const clock = new VirtualClock();
    const driver = fakeDriver(clock);
    const results: ExperimentResult[] = [];
    const summary = await runCampaign(campaign, driver, { clock, targetIds: targets, onExperiment: (r) => void results.push(r) });
    expect(driver.log.slice(0, 8)).toEqual(['open', '0s announce a', '300s probe e001', 'withdraw a', '300s announce b', '600s probe e002', 'withdraw b', '600s announce c']);
    // e004 = a|b: b is switched on 60 s after a, probing 300 s later; withdrawn last-announced first
    const e4 = driver.log.indexOf('900s announce a');
    expect(driver.log.slice(e4, e4 + 5)).toEqual(['900s announce a', '960s announce b', '1260s probe e004', 'withdraw b', 'withdraw a']);
    expect(driver.log.at(-1)).toBe('close');
    expect(summary.clockMs / 1000).toBe(campaign.expectedWallS);
    expect(summary.answered).toEqual([3, 3, 3, 3, 3, 3]);
    // e005 = a|c: t0 -> a, t1 -> c, t2 -> c (prefers b, which is off), t3 silent
    expect(Array.from(results[4].result.site)).toEqual([0, 2, 2, -1]);
  });

  it('withdraws every announced site and closes the driver when an experiment fails', async () => {
    const campaign = planCampaign(sites, { strategy: 'pairwise', spacingS: 1, settleS: 1 });
    const clock = new VirtualClock();
    const driver = fakeDriver(clock, { failProbeAt: 'e005' });
    const seen: string[] = [];
    await expect(runCampaign(campaign, driver, { clock, targetIds: targets, onExperiment: (r) => void seen.push(r.experiment.id) })).rejects.toThrow('probe failed in e005');
    expect(seen).toEqual(['e001', 'e002', 'e003', 'e004']);
    expect(driver.log.slice(-3)).toEqual(['withdraw c', 'withdraw a', 'close']);
  });

  it('skips finished experiments and withdraws everything first on a clean start', async () => {
    const campaign = planCampaign(sites, { strategy: 'pairwise', spacingS: 1, settleS: 1 });
    const clock = new VirtualClock();
    const driver = fakeDriver(clock);
    const seen: string[] = [];
    const s = await runCampaign(campaign, driver, { clock, targetIds: targets, done: new Set(['e001', 'e002', 'e003', 'e004']), cleanStart: true, onExperiment: (r) => void seen.push(r.experiment.id) });
    expect(seen).toEqual(['e005', 'e006']);
    expect(s.skipped).toBe(4);
    expect(driver.log.slice(0, 5)).toEqual(['open', 'withdraw a', 'withdraw b', 'withdraw c', '0s announce a']);
  });

  it('refuses a driver result for a site that was not announced', async () => {
    const campaign = planCampaign(sites, { strategy: 'pairwise', spacingS: 1, settleS: 1 });
    const clock = new VirtualClock();
    const driver = fakeDriver(clock);
    driver.probe = async () => ({ site: Int16Array.from([2, -1, -1, -1]), rttMs: new Float32Array(4) });
    await expect(runCampaign(campaign, driver, { clock, targetIds: targets })).rejects.toThrow('driver fake reported site index 2 for target 0 in experiment e001, which announced only a');
  });
});

describe('run journal', () => {
  const campaign: Campaign = planCampaign(sites, { strategy: 'pairwise', spacingS: 1, settleS: 1 });
  const meta: JournalMeta = { format: 'anyopt-journal', version: 1, campaign: campaignDigest(campaign), targets: listDigest(targets), driver: 'fake', settings: {} };

  async function runTo(out: string, opts: { resume: boolean; stopAfter?: number; m?: JournalMeta; onNote?: (n: string) => void }): Promise<void> {
    const journal = await RunJournal.open(out, opts.m ?? meta, { resume: opts.resume, onNote: opts.onNote });
    const clock = new VirtualClock();
    const siteIds = campaign.sites.map((s) => s.site);
    try {
      await runCampaign(campaign, fakeDriver(clock), {
        clock,
        targetIds: targets,
        done: journal.done,
        onExperiment: async (r) => {
          if (opts.stopAfter !== undefined && journal.entries.length >= opts.stopAfter) throw new Error('stop');
          await journal.append(r.experiment.id, formatObservationRows(r.experiment.id, r.experiment.sites, targets, siteIds, r.result.site, r.result.rttMs), r.answered, targets.length);
        },
      });
      await journal.finish();
    } catch (err) {
      await journal.close();
      if ((err as Error).message !== 'stop') throw err;
    }
  }

  it('resumes after a torn write and produces the same file as an uninterrupted run', async () => {
    const dir = tempDir();
    await runTo(join(dir, 'full.csv'), { resume: false });
    const full = readFileSync(join(dir, 'full.csv'), 'utf8');
    expect(existsSync(journalPaths(join(dir, 'full.csv')).index)).toBe(false);

    const out = join(dir, 'obs.csv');
    await runTo(out, { resume: false, stopAfter: 3 });
    expect(existsSync(out)).toBe(false);
    // Simulate a kill in the middle of experiment 4: half its rows written, half a journal line.
    const p = journalPaths(out);
    appendFileSync(p.rows, 'e004,a|b,t0,a,10\ne004,a|b,t1,');
    appendFileSync(p.index, '{"experiment":"e004","en');
    await runTo(out, { resume: true });
    expect(readFileSync(out, 'utf8')).toBe(full);
    const { table } = await readObservations(out);
    expect(table.rows).toBe(campaign.experiments.length * targets.length);
  });

  it('says so when a damaged journal makes experiments run again (a torn last line is silent)', async () => {
    const dir = tempDir();
    await runTo(join(dir, 'full.csv'), { resume: false });
    const out = join(dir, 'obs.csv');
    await runTo(out, { resume: false, stopAfter: 4 });
    const p = journalPaths(out);
    const lines = readFileSync(p.index, 'utf8').split('\n');
    lines[2] = '{"experiment":"e002","end":'; // line 3 damaged, lines 4 and 5 intact
    writeFileSync(p.index, lines.join('\n'));
    const notes: string[] = [];
    await runTo(out, { resume: true, onNote: (n) => notes.push(n) });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('journal line 3 of');
    expect(notes[0]).toContain('3 journal entries from there on are dropped and those experiments run again');
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(dir, 'full.csv'), 'utf8'));
    // A torn last line (a kill mid-write) is expected: no note.
    const out2 = join(dir, 'obs2.csv');
    await runTo(out2, { resume: false, stopAfter: 2 });
    appendFileSync(journalPaths(out2).index, '{"experiment":"e003","en');
    const quiet: string[] = [];
    await runTo(out2, { resume: true, onNote: (n) => quiet.push(n) });
    expect(quiet).toEqual([]);
  });

  it('refuses to overwrite an unfinished journal without --resume, and a changed campaign with it', async () => {
    const dir = tempDir();
    const out = join(dir, 'obs.csv');
    await runTo(out, { resume: false, stopAfter: 2 });
    await expect(RunJournal.open(out, meta, { resume: false })).rejects.toThrow(`An unfinished run's journal exists (${out}.journal): pass \`--resume\` to continue it`);
    const changed = { ...meta, campaign: 'f'.repeat(32) };
    await expect(RunJournal.open(out, changed, { resume: true })).rejects.toThrow(`The campaign file changed since this run began (journal ${out}.journal was started with campaign ${meta.campaign}, the file is now ${'f'.repeat(32)})`);
  });

  it("locks the output: a second run on it is refused while the first lives; a dead run's lock is taken over", async () => {
    const dir = tempDir();
    const out = join(dir, 'obs.csv');
    const first = await RunJournal.open(out, meta, { resume: false });
    expect(readFileSync(journalPaths(out).lock, 'utf8')).toBe(`${process.pid}\n`);
    // The same process stands for "alive" only through another pid: the parent of this one runs.
    writeFileSync(journalPaths(out).lock, `${process.ppid}\n`);
    await expect(RunJournal.open(out, meta, { resume: true })).rejects.toThrow(`Another run (process ${process.ppid}) is writing this output (lock ${out}.lock)`);
    await first.close();
    expect(existsSync(journalPaths(out).lock)).toBe(false);
    // A lock naming a process that has ended (kill -9 leaves one) does not block a resume.
    const gone = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(journalPaths(out).lock, `${gone}\n`);
    const again = await RunJournal.open(out, meta, { resume: true });
    expect(readFileSync(journalPaths(out).lock, 'utf8')).toBe(`${process.pid}\n`);
    await again.close();
  });

  it('refuses to resume on another scenario: one file must not mix two twins', async () => {
    const dir = tempDir();
    const out = join(dir, 'obs.csv');
    const onA = { ...meta, settings: { seed: 1, scenario: 'a'.repeat(32) } };
    await runTo(out, { resume: false, stopAfter: 2, m: onA });
    const onB = { ...meta, settings: { seed: 1, scenario: 'b'.repeat(32) } };
    await expect(RunJournal.open(out, onB, { resume: true })).rejects.toThrow(`This run began on another scenario (its files had digest ${'a'.repeat(32)}, the scenario given now has ${'b'.repeat(32)}`);
    await runTo(out, { resume: true, m: onA });
  });

  it('gives a scenario folder a digest that changes with any of its files', async () => {
    const dir = tempDir();
    await writeScenario(join(dir, 'a'), generateScenario({ seed: 1, sites: 3, providers: 2, targets: 40, ases: 60 }));
    await writeScenario(join(dir, 'b'), generateScenario({ seed: 1, sites: 3, providers: 2, targets: 40, ases: 60 }));
    const a = await scenarioDigest(join(dir, 'a'));
    expect(await scenarioDigest(join(dir, 'b'))).toBe(a);
    const cfg = join(dir, 'b', 'scenario.json');
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('"probeLoss": 0.01', '"probeLoss": 0.5'));
    expect(readFileSync(cfg, 'utf8')).toContain('"probeLoss": 0.5');
    expect(await scenarioDigest(join(dir, 'b'))).not.toBe(a);
  });
});
