/**
 * The `sim` driver: measurement campaigns against the twin (the simulated
 * Internet). Announcements are only recorded; at probe time the ground-truth
 * catchment of the announced sites, in announcement order with the
 * experiment's spacing, is computed and then passed through the scenario's
 * probe loss and jitter (`probeCatchment`), so observations are as noisy as
 * real ones. The noise seed of an experiment is derived from the run seed and
 * the experiment id only, so a resumed run reproduces an uninterrupted one.
 *
 * The twin functions are passed in (the CLI passes src/sim's), which keeps
 * this adapter testable with a tiny fake twin.
 */
import { hash32, hashString } from '../util/random.js';
import type { AnnouncementSpec, Catchment } from '../sim/twin-api.js';
import { DriverError, type DriverSession, type ExperimentStep, type MeasurementDriver, type ProbeResult } from './driver.js';

export interface TwinLike {
  siteIds: readonly string[];
  targetIds: readonly string[];
}

export interface SimTwinApi<T extends TwinLike> {
  twin: T;
  computeCatchment(twin: T, spec: AnnouncementSpec): Catchment;
  probeCatchment(twin: T, truth: Catchment, seed: number): Catchment;
}

/** Seed of the probe noise of one experiment. */
export function experimentSeed(runSeed: number, experimentId: string): number {
  return hash32(runSeed, hashString(experimentId));
}

export function createSimDriver<T extends TwinLike>(api: SimTwinApi<T>, opts: { seed: number }): MeasurementDriver {
  const { twin } = api;
  const twinSite = new Map(twin.siteIds.map((s, i) => [s, i]));
  let toSession = new Int16Array(0); // twin site index -> session site index
  let targetMap: Int32Array | undefined; // session target -> twin target (undefined: identical lists)
  let nTargets = 0;
  const on: string[] = [];
  return {
    name: 'sim',
    async open(session: DriverSession) {
      const missing = session.siteIds.filter((s) => !twinSite.has(s));
      if (missing.length > 0) throw new DriverError(`the scenario has no site ${missing.map((m) => `"${m}"`).join(', ')} (scenario sites: ${twin.siteIds.join(', ')})`);
      toSession = new Int16Array(twin.siteIds.length).fill(-1);
      session.siteIds.forEach((s, i) => (toSession[twinSite.get(s)!] = i));
      nTargets = session.targetIds.length;
      const same = session.targetIds.length === twin.targetIds.length && session.targetIds.every((t, i) => t === twin.targetIds[i]);
      if (!same) {
        const idx = new Map(twin.targetIds.map((t, i) => [t, i]));
        targetMap = new Int32Array(nTargets);
        const unknown: string[] = [];
        session.targetIds.forEach((t, i) => {
          const j = idx.get(t);
          if (j === undefined) unknown.push(t);
          targetMap![i] = j ?? -1;
        });
        if (unknown.length > 0) {
          throw new DriverError(`${unknown.length} target(s) are not in the scenario, e.g. ${unknown.slice(0, 3).join(', ')}: use the scenario's targets.csv or a subset of it`);
        }
      }
    },
    async announce(site) {
      if (!on.includes(site)) on.push(site);
    },
    async withdraw(site) {
      const i = on.indexOf(site);
      if (i >= 0) on.splice(i, 1);
    },
    async probe(step: ExperimentStep): Promise<ProbeResult> {
      const spec: AnnouncementSpec = { sites: [...on], spacingS: step.experiment.spacingS };
      const truth = api.computeCatchment(twin, spec);
      const seen = api.probeCatchment(twin, truth, experimentSeed(opts.seed, step.experiment.id));
      const site = new Int16Array(nTargets);
      const rttMs = new Float32Array(nTargets);
      for (let t = 0; t < nTargets; t++) {
        const j = targetMap ? targetMap[t] : t;
        const s = seen.site[j];
        if (s < 0) {
          site[t] = -1;
          rttMs[t] = Number.NaN;
        } else {
          site[t] = toSession[s];
          rttMs[t] = seen.rttMs[j];
        }
      }
      return { site, rttMs };
    },
    async close() {
      on.length = 0;
    },
  };
}
