/**
 * The campaign runner: executes a campaign's experiments in order against a
 * measurement driver, with the waits the plan asks for on an injected clock.
 *
 * Per experiment: announce each site in announcement order, `spacingS` apart;
 * wait `settleS`; probe; withdraw the sites (last announced first); hand the
 * result to `onExperiment`, which the caller makes durable (the journal)
 * before the next experiment starts. Experiments listed in `done` (a resumed
 * run) are skipped. Whatever happens, every site still announced is withdrawn
 * before the runner returns or throws, and the driver is closed.
 *
 * Not modelled here: retries (the driver's business, per command) and BGP
 * convergence detection (a fixed settle time, as in AnyOpt). Pure: no clock,
 * file or process access except through the arguments.
 */
import type { Campaign, Experiment } from './campaign.js';
import { DriverError, type Clock, type MeasurementDriver, type ProbeResult } from '../drivers/driver.js';

export interface ExperimentResult {
  experiment: Experiment;
  /** Position in the campaign (0-based). */
  index: number;
  result: ProbeResult;
  /** Targets that answered. */
  answered: number;
  /** Clock time (ms) when the first announcement started and when probing ended. */
  startedAt: number;
  finishedAt: number;
}

export interface RunCampaignOptions {
  clock: Clock;
  targetIds: readonly string[];
  /** Experiments already finished (from a journal): skipped. */
  done?: ReadonlySet<string>;
  /** Withdraw every site before the first experiment (a resumed run after a kill). */
  cleanStart?: boolean;
  /** Called after each experiment; awaited before the next one starts. */
  onExperiment?: (r: ExperimentResult) => Promise<void> | void;
  signal?: AbortSignal;
}

export interface CampaignSummary {
  experiments: number;
  /** Experiments run now (not skipped as already done). */
  ran: number;
  skipped: number;
  /** Answered targets per experiment run now, in campaign order. */
  answered: number[];
  /** Replies the driver could not match (sum). */
  ignored: number;
  /** Clock time spent (ms): virtual for the sim driver. */
  clockMs: number;
}

/** Run a campaign. Returns when every experiment is done; throws on the first driver failure. */
export async function runCampaign(campaign: Campaign, driver: MeasurementDriver, opts: RunCampaignOptions): Promise<CampaignSummary> {
  const { clock, signal } = opts;
  const siteIds = campaign.sites.map((s) => s.site);
  const siteIndex = new Map(siteIds.map((s, i) => [s, i]));
  const nTargets = opts.targetIds.length;
  const done = opts.done ?? new Set<string>();
  const announced: string[] = [];
  const summary: CampaignSummary = { experiments: campaign.experiments.length, ran: 0, skipped: 0, answered: [], ignored: 0, clockMs: 0 };
  const t0 = clock.now();
  const prefix = campaign.prefix;
  let failure: unknown;
  await driver.open({ siteIds, targetIds: opts.targetIds, ...(prefix !== undefined ? { prefix } : {}) });
  try {
    if (opts.cleanStart) for (const s of siteIds) await driver.withdraw(s, undefined);
    for (let i = 0; i < campaign.experiments.length; i++) {
      const e = campaign.experiments[i];
      if (done.has(e.id)) {
        summary.skipped++;
        continue;
      }
      signal?.throwIfAborted();
      const step = { experiment: e, ...(prefix !== undefined ? { prefix } : {}) };
      const startedAt = clock.now();
      for (let k = 0; k < e.sites.length; k++) {
        if (k > 0) await clock.sleep(e.spacingS * 1000, signal);
        announced.push(e.sites[k]);
        await driver.announce(e.sites[k], step);
      }
      await clock.sleep(e.settleS * 1000, signal);
      const result = await driver.probe(step);
      const answered = checkProbe(result, e, nTargets, siteIndex, driver.name);
      while (announced.length > 0) await driver.withdraw(announced[announced.length - 1], step).then(() => announced.pop());
      const finishedAt = clock.now();
      summary.ran++;
      summary.answered.push(answered);
      summary.ignored += result.ignored ?? 0;
      await opts.onExperiment?.({ experiment: e, index: i, result, answered, startedAt, finishedAt });
    }
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    // Leave nothing announced, whatever happened; a cleanup failure must not hide the original one.
    const cleanupErrors: unknown[] = [];
    for (let k = announced.length - 1; k >= 0; k--) {
      try {
        await driver.withdraw(announced[k], undefined);
      } catch (err) {
        cleanupErrors.push(err);
      }
    }
    try {
      await driver.close();
    } catch (err) {
      cleanupErrors.push(err);
    }
    summary.clockMs = clock.now() - t0;
    if (failure === undefined && cleanupErrors.length > 0) throw cleanupErrors[0];
    // After a failure or an interrupt the original error stands, but a site left announced must be
    // said: the caller reports these instead of "every site withdrawn".
    if (failure !== undefined && cleanupErrors.length > 0 && typeof failure === 'object' && failure !== null) {
      (failure as { cleanupErrors?: unknown[] }).cleanupErrors = cleanupErrors;
    }
  }
  return summary;
}

/** Check a driver's result has one entry per target and only announced sites; returns the answered count. */
function checkProbe(r: ProbeResult, e: Experiment, nTargets: number, siteIndex: Map<string, number>, driver: string): number {
  if (r.site.length !== nTargets || r.rttMs.length !== nTargets) {
    throw new DriverError(`driver ${driver} returned ${r.site.length} results for ${nTargets} targets in experiment ${e.id}`);
  }
  const allowed = new Set(e.sites.map((s) => siteIndex.get(s)!));
  let answered = 0;
  for (let t = 0; t < nTargets; t++) {
    const s = r.site[t];
    if (s < 0) continue;
    if (!allowed.has(s)) throw new DriverError(`driver ${driver} reported site index ${s} for target ${t} in experiment ${e.id}, which announced only ${e.sites.join('|')}`);
    answered++;
  }
  return answered;
}
