/**
 * Small hand-built worlds for simulator tests (bgpy style): a few ASes with
 * named metros, the expected outcome written next to each test.
 */
import { DEFAULT_KNOBS, type AsRelation, type Scenario, type TwinKnobs } from '../../src/sim/scenario.js';

/** Metros used by the hand-built worlds (real coordinates). */
export const METRO: Record<string, [number, number]> = {
  Amsterdam: [52.373, 4.894],
  London: [51.507, -0.128],
  Paris: [48.857, 2.352],
  Frankfurt: [50.111, 8.682],
  Berlin: [52.52, 13.405],
  Warsaw: [52.23, 21.012],
  Madrid: [40.417, -3.704],
  Sydney: [-33.868, 151.21],
  Tokyo: [35.69, 139.692],
};

export const OPERATOR = 64500;

export interface WorldSpec {
  /** asn -> metros where it has a PoP */
  pops: Record<number, string[]>;
  /** `P>C` provider of customer, `A=B` peers */
  links: string[];
  /** site id -> [metro, provider asn, peers?] */
  sites: Record<string, [string, number, number[]?]>;
  /** target id -> [asn, metro] */
  targets: Record<string, [number, string]>;
  knobs?: Partial<TwinKnobs>;
  seed?: number;
}

export function world(spec: WorldSpec): Scenario {
  const relations: AsRelation[] = spec.links.map((l) => {
    const m = /^(\d+)([>=])(\d+)$/.exec(l);
    if (!m) throw new Error(`bad link ${l}`);
    return { a: Number(m[1]), b: Number(m[3]), rel: m[2] === '>' ? -1 : 0 };
  });
  const pops = Object.entries(spec.pops).flatMap(([asn, metros]) => metros.map((city) => ({ asn: Number(asn), city, lat: METRO[city][0], lon: METRO[city][1] })));
  const sites = Object.entries(spec.sites).map(([site, [city, providerAsn, peers]]) => ({
    site,
    city,
    lat: METRO[city][0],
    lon: METRO[city][1],
    provider: `AS${providerAsn}`,
    providerAsn,
    peers: peers ?? [],
  }));
  const targets = Object.entries(spec.targets).map(([target, [asn, city]], i) => ({
    target,
    prefix: `192.0.${i}.0/24`,
    asn,
    city,
    lat: METRO[city][0],
    lon: METRO[city][1],
    weight: 1,
  }));
  return {
    config: {
      format: 'anyopt-scenario',
      version: 1,
      seed: spec.seed ?? 7,
      sites: sites.length,
      providers: new Set(sites.map((s) => s.providerAsn)).size,
      targets: targets.length,
      ases: Object.keys(spec.pops).length,
      operatorAsn: OPERATOR,
      // Deterministic worlds: every target answers, no primary-provider policy unless a test asks.
      knobs: { ...DEFAULT_KNOBS, unresponsiveShare: 0, primaryProviderShare: 0, preferOldestShare: 0, ...spec.knobs },
    },
    sites,
    targets,
    relations,
    pops,
  };
}
