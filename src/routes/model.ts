/**
 * The prefix-to-provider assignment model (MIRO-style outbound route
 * optimization). Each prefix that carries traffic goes to exactly one provider
 * that has a route for it. The objective, all in one unit ("score"):
 *
 *   sum_i mean_i * (w_rtt * rtt_ij + w_loss * loss_ij + w_jitter * jitter_ij)   performance
 * + sum_i hold_i * [i moves away from its current provider]                    stability
 * + w_usd * sum_j (price_j * commit_j + overage_j * max(0, L_j - commit_j))       money, per month
 *
 * with L_j = sum of the 95th-percentile Mbps of the prefixes on j, and
 * L_j <= headroom * capacity_j. hold_i = move_penalty + mean_i * w_rtt *
 * min_improvement_ms: a move must gain at least that much (hysteresis).
 *
 * Approximations, stated: a provider's billed 95th percentile is taken as the
 * sum of its prefixes' 95th percentiles (an upper bound; peaks rarely align);
 * commit is billed in full even when unused; prefixes without probes through a
 * provider get the prefix's worst measured RTT plus a penalty.
 */

export interface ProviderSpec {
  name: string;
  asn: number;
  peerIp: string;
  nextHop: string;
  /** Next hop for IPv6 routes ('' when the provider has none). */
  nextHopV6: string;
  capacityMbps: number;
  commitMbps: number;
  pricePerMbps: number;
  overagePricePerMbps: number;
}

export interface Policy {
  weights: { rtt_ms: number; loss_pct: number; jitter_ms: number; usd: number };
  /** Usable share of each provider's capacity. */
  headroom: number;
  /** Fixed score for moving one prefix away from its current provider. */
  move_penalty: number;
  /** A move must improve the prefix by at least this many ms (or the equivalent in loss, jitter, money). */
  min_improvement_ms: number;
  /** Upper bound on optional moves per run (moves forced by a lost route do not count). */
  max_changes: number;
  /** LOCAL_PREF on injected routes. */
  local_pref: number;
  /** Added to a prefix's worst measured RTT for providers without probes. */
  missing_rtt_penalty_ms: number;
}

export const DEFAULT_POLICY: Policy = {
  weights: { rtt_ms: 1, loss_pct: 20, jitter_ms: 0.5, usd: 10 },
  headroom: 0.8,
  move_penalty: 0,
  min_improvement_ms: 5,
  max_changes: 1000,
  local_pref: 200,
  missing_rtt_penalty_ms: 50,
};

/** Aggregated probe results per (prefix, provider): sums and counts. */
export class PerfMatrix {
  readonly rttSum: Float64Array;
  readonly rttCount: Float64Array;
  readonly lossSum: Float64Array;
  readonly jitterSum: Float64Array;
  readonly count: Float64Array;
  constructor(
    readonly prefixCount: number,
    readonly providerCount: number,
  ) {
    const k = prefixCount * providerCount;
    this.rttSum = new Float64Array(k);
    this.rttCount = new Float64Array(k);
    this.lossSum = new Float64Array(k);
    this.jitterSum = new Float64Array(k);
    this.count = new Float64Array(k);
  }
  /** One probe result; `rtt` NaN when every probe was lost. */
  add(prefixId: number, provider: number, rtt: number, lossPct: number, jitter: number): void {
    const at = prefixId * this.providerCount + provider;
    if (!Number.isNaN(rtt)) {
      this.rttSum[at] += rtt;
      this.rttCount[at]++;
    }
    this.lossSum[at] += lossPct;
    this.jitterSum[at] += Number.isNaN(jitter) ? 0 : jitter;
    this.count[at]++;
  }
}

export interface Instance {
  n: number;
  m: number;
  providers: ProviderSpec[];
  /** Prefix text per row. */
  prefixes: string[];
  meanMbps: Float64Array;
  /** 95th-percentile Mbps: what counts against capacity and commit. */
  loadMbps: Float64Array;
  /** 1 where provider j has a route for prefix i (row-major n x m). */
  allowed: Uint8Array;
  /** Measured means, NaN where not measured. */
  rtt: Float64Array;
  loss: Float64Array;
  jitter: Float64Array;
  /** Performance score per unit of traffic-weighted cost, imputed where not measured; Infinity where no route. */
  perf: Float64Array;
  /** perf + hold penalty for leaving the current provider; Infinity where no route. */
  cost: Float64Array;
  /** Current provider or -1 (none given, or the current provider lost its route). */
  current: Int32Array;
  /** Current provider as given, even without a route (-1 when none given). */
  currentGiven: Int32Array;
  /** BGP's own choice (shortest AS path). */
  bgp: Int32Array;
  /** headroom * capacity. */
  usable: Float64Array;
  weightUsd: number;
  maxChanges: number;
}

export function moneyCost(p: ProviderSpec, load: number): number {
  return p.pricePerMbps * p.commitMbps + p.overagePricePerMbps * Math.max(0, load - p.commitMbps);
}

/** What `buildInstance` starts from: the instance's measured fields, and the policy that prices them. */
export type InstanceInput = Pick<Instance, 'providers' | 'prefixes' | 'meanMbps' | 'loadMbps' | 'allowed' | 'rtt' | 'loss' | 'jitter' | 'currentGiven' | 'bgp'> & { policy: Policy };

/** Build the cost matrix from measurements and policy. Pure. */
export function buildInstance(input: InstanceInput): Instance {
  const { providers, policy } = input;
  const n = input.prefixes.length;
  const m = providers.length;
  const w = policy.weights;
  const perf = new Float64Array(n * m);
  const cost = new Float64Array(n * m);
  const current = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let worst = NaN;
    let worstLoss = NaN;
    for (let j = 0; j < m; j++) {
      const r = input.rtt[i * m + j];
      if (input.allowed[i * m + j] && !Number.isNaN(r) && !(r <= worst)) worst = r;
      const l = input.loss[i * m + j];
      if (input.allowed[i * m + j] && !Number.isNaN(l) && !(l <= worstLoss)) worstLoss = l;
    }
    const cur = input.currentGiven[i];
    current[i] = cur >= 0 && input.allowed[i * m + cur] ? cur : -1;
    const hold = policy.move_penalty + input.meanMbps[i] * w.rtt_ms * policy.min_improvement_ms;
    for (let j = 0; j < m; j++) {
      const at = i * m + j;
      if (!input.allowed[at]) {
        perf[at] = Infinity;
        cost[at] = Infinity;
        continue;
      }
      // Without any measurement for the prefix, all providers look the same.
      const rtt = Number.isNaN(input.rtt[at]) ? (Number.isNaN(worst) ? 0 : worst + policy.missing_rtt_penalty_ms) : input.rtt[at];
      const loss = Number.isNaN(input.loss[at]) ? (Number.isNaN(worstLoss) ? 0 : worstLoss) : input.loss[at];
      const jit = Number.isNaN(input.jitter[at]) ? 0 : input.jitter[at];
      perf[at] = input.meanMbps[i] * (w.rtt_ms * rtt + w.loss_pct * loss + w.jitter_ms * jit);
      cost[at] = perf[at] + (current[i] >= 0 && j !== current[i] ? hold : 0);
    }
  }
  const usable = new Float64Array(m);
  for (let j = 0; j < m; j++) usable[j] = policy.headroom * providers[j].capacityMbps;
  return {
    n,
    m,
    providers,
    prefixes: input.prefixes,
    meanMbps: input.meanMbps,
    loadMbps: input.loadMbps,
    allowed: input.allowed,
    rtt: input.rtt,
    loss: input.loss,
    jitter: input.jitter,
    perf,
    cost,
    current,
    currentGiven: input.currentGiven,
    bgp: input.bgp,
    usable,
    weightUsd: policy.weights.usd,
    maxChanges: policy.max_changes,
  };
}

/** Whether assigning prefix i to j counts as an optional move. */
export function isMove(inst: Instance, i: number, j: number): boolean {
  const c = inst.current[i];
  return c >= 0 && c !== j;
}

export interface Evaluation {
  objective: number;
  loads: Float64Array;
  moves: number;
  /** Providers whose usable capacity is exceeded. */
  overloaded: number[];
  /** Prefixes assigned to a provider without a route (must be 0). */
  noRoute: number;
}

export function evaluate(inst: Instance, assign: Int32Array): Evaluation {
  const { n, m } = inst;
  const loads = new Float64Array(m);
  let objective = 0;
  let moves = 0;
  let noRoute = 0;
  for (let i = 0; i < n; i++) {
    const j = assign[i];
    if (j < 0 || j >= m || !inst.allowed[i * m + j]) {
      noRoute++;
      continue;
    }
    objective += inst.cost[i * m + j];
    loads[j] += inst.loadMbps[i];
    if (isMove(inst, i, j)) moves++;
  }
  const overloaded: number[] = [];
  for (let j = 0; j < m; j++) {
    objective += inst.weightUsd * moneyCost(inst.providers[j], loads[j]);
    if (loads[j] > inst.usable[j] * (1 + 1e-9) + 1e-9) overloaded.push(j);
  }
  return { objective, loads, moves, overloaded, noRoute };
}
