/**
 * The scenario: the simulated Internet as it is stored in a scenario folder
 * (see docs/formats.md), in memory. Plain rows; `buildTwin` compiles them into
 * the typed arrays the routing engine runs on.
 */

/** Knobs of the twin, all recorded in scenario.json so a folder reproduces byte for byte. */
export interface TwinKnobs {
  /** Share of ASes whose routers prefer the oldest of equally good external routes (Cisco default); the rest go straight to router id. */
  preferOldestShare: number;
  /** Fibre path length over great-circle distance. */
  fiberInflation: number;
  /** One-way delay added per AS hop, ms. */
  perHopMs: number;
  /** Median access (last-mile) round-trip delay of a target, ms (log-normal). */
  accessMedianMs: number;
  /** Standard deviation of the stable per-(target, site) jitter, ms. */
  stableJitterMs: number;
  /** Share of targets that never answer probes. */
  unresponsiveShare: number;
  /** Probability a probe is lost in one experiment (measurement driver). */
  probeLoss: number;
  /** Standard deviation of per-probe RTT noise, ms (measurement driver). */
  probeJitterMs: number;
  /** Seconds between switching on consecutive sites in one announcement. */
  announceSpacingS: number;
  /** Share of sites that also peer with a regional network at their city. */
  sitePeerShare: number;
  /** Share of multihomed ASes that prefer one provider (primary/backup local-pref) instead of treating all alike. */
  primaryProviderShare: number;
}

export const DEFAULT_KNOBS: TwinKnobs = {
  preferOldestShare: 0.1,
  fiberInflation: 1.6,
  perHopMs: 0.5,
  accessMedianMs: 6,
  stableJitterMs: 1.5,
  unresponsiveShare: 0.02,
  probeLoss: 0.01,
  probeJitterMs: 1,
  announceSpacingS: 300,
  sitePeerShare: 0.2,
  primaryProviderShare: 0.5,
};

export interface ScenarioConfig {
  format: 'anyopt-scenario';
  version: 1;
  seed: number;
  sites: number;
  providers: number;
  targets: number;
  ases: number;
  /** Set when the AS graph came from a CAIDA file (`--as-rel`): its original name. */
  asRelSource?: string;
  /** The operator's (anycast origin) ASN. */
  operatorAsn: number;
  knobs: TwinKnobs;
}

export interface SiteRow {
  site: string;
  city: string;
  lat: number;
  lon: number;
  provider: string;
  providerAsn: number;
  capacity?: number;
  /** ASNs the site also peers with at its city (optional `peers` column, space-separated). */
  peers: number[];
}

export interface TargetRow {
  target: string;
  prefix: string;
  asn: number;
  city: string;
  lat: number;
  lon: number;
  weight: number;
}

/** One line of a CAIDA as-rel file: `rel` -1 means `a` is a provider of `b`; 0 means peers. */
export interface AsRelation {
  a: number;
  b: number;
  rel: -1 | 0;
}

/** A point of presence: an AS present in a metro area (one border router in the twin). */
export interface PopRow {
  asn: number;
  city: string;
  lat: number;
  lon: number;
}

export interface Scenario {
  config: ScenarioConfig;
  sites: SiteRow[];
  targets: TargetRow[];
  relations: AsRelation[];
  pops: PopRow[];
}
