/**
 * The measurement driver interface: the one boundary between a campaign
 * runner and whatever announces the anycast prefix and maps catchments.
 *
 * A driver only acts; the runner decides the order and the waits. For each
 * experiment the runner calls `announce` for each site in announcement order
 * (sleeping the experiment's spacing between them), sleeps the settle time,
 * calls `probe` once, then `withdraw` for each announced site. Implementations:
 * - `sim`  (src/drivers/sim.ts): the twin; announcements are recorded and the
 *   catchment is computed at probe time, with the scenario's probe noise.
 * - `exec` (src/drivers/exec.ts): shell command templates for a real testbed.
 * - a BGP speaker driver (BIRD/GoBGP, later): `announce`/`withdraw` change
 *   the daemon's export of the prefix at a site (birdc / gobgp API), `probe`
 *   runs a catchment mapper. Nothing in the runner needs to change for it.
 *
 * `withdraw` must be idempotent (withdrawing a site that is not announced is
 * not an error): the runner withdraws every site before a resumed run and
 * after a failure.
 */
import type { Experiment } from '../measure/campaign.js';

export interface DriverSession {
  /** All sites of the campaign; `ProbeResult.site` indexes this list. */
  siteIds: readonly string[];
  /** The targets to map; `ProbeResult` arrays are parallel to this list. */
  targetIds: readonly string[];
  /** The anycast prefix under test, when known. */
  prefix?: string;
}

/** What an action belongs to. */
export interface ExperimentStep {
  experiment: Experiment;
  prefix?: string;
}

/** Catchment of every target in one experiment. */
export interface ProbeResult {
  /** Per target: index into `DriverSession.siteIds`, -1 when it did not answer. */
  site: Int16Array;
  /** Per target: RTT in ms, NaN when it did not answer. */
  rttMs: Float32Array;
  /** Replies that matched no target or no announced site (reported, not fatal). */
  ignored?: number;
}

export interface MeasurementDriver {
  readonly name: string;
  /** Called once before the first action. */
  open(session: DriverSession): Promise<void>;
  announce(site: string, step: ExperimentStep): Promise<void>;
  withdraw(site: string, step: ExperimentStep | undefined): Promise<void>;
  probe(step: ExperimentStep): Promise<ProbeResult>;
  /** Release resources; called once, also after a failure. */
  close(): Promise<void>;
}

/** Time as the runner sees it: real for a testbed, virtual for the twin and tests. */
export interface Clock {
  /** Milliseconds. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A failure of the measurement backend (not of the input): exit code 1 at the CLI. */
export class DriverError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DriverError';
  }
}
