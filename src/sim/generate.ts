/**
 * The seeded generator of synthetic scenarios: an AS graph in tiers with
 * geography, the operator's sites and their transit providers, and targets.
 *
 * Model: a clique of tier-1 ASes with PoPs in major metros on several
 * continents; regional transit ASes with PoPs in one continent (a few span
 * two), buying transit from tier-1s or bigger regional transit and peering with
 * other transit where they meet; stub ASes in one or two metros, single- or
 * multihomed to nearby transit. Metros and their populations come from the
 * embedded city list. The anycast operator's sites sit in major metros, each on
 * one transit provider (AnyOpt's testbed had 15 sites on 6 providers), some
 * with an extra peering session at the local exchange. Targets are client /24s
 * in stub and transit ASes, placed by population, with log-normal traffic
 * weights. Everything is a pure function of the options and the seed.
 */
import { greatCircleKm, worldCities, type City, type Continent } from '../geo/cities.js';
import { createRng, type Rng } from '../util/random.js';
import { DEFAULT_KNOBS, type AsRelation, type PopRow, type Scenario, type SiteRow, type TargetRow, type TwinKnobs } from './scenario.js';

export interface GenerateOptions {
  seed: number;
  sites: number;
  providers: number;
  targets: number;
  ases: number;
  knobs?: Partial<TwinKnobs>;
}

export const DEFAULT_GENERATE: GenerateOptions = { seed: 1, sites: 15, providers: 6, targets: 15_000, ases: 3_000 };

export const OPERATOR_ASN = 64500;

/** Share of Internet presence per continent (where ASes and clients are). */
const CONTINENT_SHARE: Record<Continent, number> = { NA: 0.24, EU: 0.28, AS: 0.28, SA: 0.09, AF: 0.05, OC: 0.06, AN: 0 };

/** Preferred site metros (IATA-style codes), in the order sites are added. */
export const SITE_METROS: ReadonlyArray<[code: string, city: string, country: string]> = [
  ['ams', 'Amsterdam', 'NL'], ['iad', 'Washington', 'US'], ['lax', 'Los Angeles', 'US'], ['nrt', 'Tokyo', 'JP'], ['lhr', 'London', 'GB'],
  ['sin', 'Singapore', 'SG'], ['gru', 'Sao Paulo', 'BR'], ['syd', 'Sydney', 'AU'], ['fra', 'Frankfurt', 'DE'], ['mia', 'Miami', 'US'],
  ['sea', 'Seattle', 'US'], ['jnb', 'Johannesburg', 'ZA'], ['bom', 'Mumbai', 'IN'], ['ord', 'Chicago', 'US'], ['hkg', 'Hong Kong', 'HK'],
  ['cdg', 'Paris', 'FR'], ['dfw', 'Dallas', 'US'], ['mad', 'Madrid', 'ES'], ['icn', 'Seoul', 'KR'], ['yyz', 'Toronto', 'CA'],
  ['waw', 'Warsaw', 'PL'], ['scl', 'Santiago', 'CL'], ['dxb', 'Dubai', 'AE'], ['del', 'Delhi', 'IN'], ['mxp', 'Milan', 'IT'],
  ['arn', 'Stockholm', 'SE'], ['bog', 'Bogota', 'CO'], ['nbo', 'Nairobi', 'KE'], ['kul', 'Kuala Lumpur', 'MY'], ['atl', 'Atlanta', 'US'],
  ['eze', 'Buenos Aires', 'AR'], ['lim', 'Lima', 'PE'], ['cai', 'Cairo', 'EG'], ['los', 'Lagos', 'NG'], ['cgk', 'Jakarta', 'ID'],
  ['mnl', 'Manila', 'PH'], ['bkk', 'Bangkok', 'TH'], ['akl', 'Auckland', 'NZ'], ['per', 'Perth', 'AU'], ['mel', 'Melbourne', 'AU'],
  ['den', 'Denver', 'US'], ['phx', 'Phoenix', 'US'], ['mex', 'Mexico City', 'MX'], ['ist', 'Istanbul', 'TR'], ['vie', 'Vienna', 'AT'],
];

/** Index of a metro in the embedded list by name and country. */
export function findCity(cities: readonly City[], name: string, country: string): number {
  return cities.findIndex((c) => c.country === country && (c.name === name || c.name === `${name} ${country}`));
}

interface AsPlan {
  asn: number;
  tier: 1 | 2 | 3;
  home: number;
  cities: number[];
  /** Relative size: drives PoP count, provider choice and eyeballs. */
  size: number;
}

/** Phases reported through `onPhase` (for a progress bar): the AS graph, then sites, PoPs and targets. */
export const GENERATE_PHASES = ['AS graph', 'sites and PoPs', 'targets'] as const;
export type GeneratePhase = (typeof GENERATE_PHASES)[number];

export function generateScenario(opts: GenerateOptions, onPhase: (done: GeneratePhase) => void = () => {}): Scenario {
  const rng = createRng(opts.seed);
  const world = worldFor();
  const graph = syntheticGraph(opts.ases, rng, world);
  onPhase('AS graph');
  return populate(graph, opts, rng, world, onPhase);
}

interface World {
  cities: readonly City[];
  cityWeight: number[];
  hubs: number[];
}

function worldFor(): World {
  const cities = worldCities();
  const cityWeight = cities.map((c) => Math.pow(c.population, 0.6) * CONTINENT_SHARE[c.continent] * continentNorm(cities, c.continent));
  const hubs = cities
    .map((c, i) => ({ i, w: cityWeight[i] }))
    .sort((a, b) => b.w - a.w)
    .slice(0, 160)
    .map((x) => x.i);
  // Make sure the site metros are hubs.
  for (const [, name, cc] of SITE_METROS) {
    const i = findCity(cities, name, cc);
    if (i >= 0 && !hubs.includes(i)) hubs.push(i);
  }
  return { cities, cityWeight, hubs };
}

interface AsGraph {
  plans: AsPlan[];
  relations: AsRelation[];
}

/** A synthetic tiered AS graph with geography. */
function syntheticGraph(ases: number, rng: Rng, world: World): AsGraph {
  const { cities, cityWeight, hubs } = world;
  const nAses = Math.max(ases, 20);
  const nTier1 = nAses < 500 ? Math.max(3, Math.round(nAses * 0.02)) : 12;
  const nTransit = Math.max(4, Math.round(nAses * 0.12));
  const asnPool = shuffledAsns(rng.fork('asn'), nAses);
  const plans: AsPlan[] = [];
  const r1 = rng.fork('tier1');
  for (let i = 0; i < nTier1; i++) {
    const homeContinent: Continent = r1.weighted([0.5, 0.35, 0.15]) === 0 ? 'NA' : r1.next() < 0.7 ? 'EU' : 'AS';
    const n = 18 + r1.int(24);
    const weights = hubs.map((h) => cityWeight[h] * (cities[h].continent === homeContinent ? 3 : 1));
    const chosen = sampleWithoutReplacement(r1, hubs, weights, Math.min(n, hubs.length));
    plans.push({ asn: asnPool[i], tier: 1, home: chosen[0], cities: chosen, size: 50 + r1.next() * 50 });
  }

  const r2 = rng.fork('transit');
  for (let i = 0; i < nTransit; i++) {
    const home = r2.weighted(cityWeight);
    const big = r2.next() < 0.12;
    const n = big ? 6 + r2.int(10) : 1 + r2.int(6);
    const near = nearbyCities(cities, home, big ? 4000 : 1500);
    const weights = near.map((c) => cityWeight[c]);
    const chosen = [home, ...sampleWithoutReplacement(r2, near.filter((c) => c !== home), weights.filter((_, k) => near[k] !== home), Math.min(n - 1, near.length - 1))];
    if (big && r2.next() < 0.4) {
      // A second continent.
      const other = r2.weighted(hubs.map((h) => (cities[h].continent === cities[home].continent ? 0 : cityWeight[h])));
      chosen.push(hubs[other]);
    }
    plans.push({ asn: asnPool[nTier1 + i], tier: 2, home, cities: unique(chosen), size: (big ? 10 : 2) * (0.5 + r2.next()) * chosen.length });
  }
  // Bigger transit first, so a transit AS buys from bigger ones created before it.
  const transit = plans.filter((p) => p.tier === 2).sort((a, b) => b.size - a.size || a.asn - b.asn);
  const tier1 = plans.filter((p) => p.tier === 1);

  const r3 = rng.fork('stubs');
  const nStubs = nAses - nTier1 - nTransit;
  for (let i = 0; i < nStubs; i++) {
    const home = r3.weighted(cityWeight);
    const chosen = [home];
    if (r3.next() < 0.2) {
      const near = nearbyCities(cities, home, 800).filter((c) => c !== home);
      if (near.length > 0) chosen.push(r3.pick(near));
    }
    plans.push({ asn: asnPool[nTier1 + nTransit + i], tier: 3, home, cities: chosen, size: Math.exp(r3.normal() * 1.2) });
  }

  // --- relationships ------------------------------------------------------------
  const relations: AsRelation[] = [];
  const relKey = new Set<string>();
  const relate = (a: number, b: number, rel: -1 | 0) => {
    const k = a < b ? `${a}|${b}` : `${b}|${a}`;
    if (a === b || relKey.has(k)) return false;
    relKey.add(k);
    relations.push({ a, b, rel });
    return true;
  };
  for (let i = 0; i < tier1.length; i++) for (let j = i + 1; j < tier1.length; j++) relate(tier1[i].asn, tier1[j].asn, 0);

  const rRel = rng.fork('relations');
  const distToPlan = (p: AsPlan, city: number) => {
    let best = Infinity;
    for (const c of p.cities) best = Math.min(best, km(cities, c, city));
    return best;
  };
  transit.forEach((t, idx) => {
    const bigger = transit.slice(0, idx).filter((u) => u.size > t.size * 1.5);
    const nProviders = 1 + rRel.weighted([0.45, 0.4, 0.15]);
    const candidates = [...tier1, ...bigger];
    const weights = candidates.map((c) => (c.tier === 1 ? 1.5 : 1) * c.size / Math.pow(distToPlan(c, t.home) + 300, 1.5));
    for (const p of sampleWithoutReplacement(rRel, candidates, weights, Math.min(nProviders, candidates.length))) relate(p.asn, t.asn, -1);
  });
  // Transit peering where they meet: more likely when they share metros.
  const byCity = new Map<number, AsPlan[]>();
  for (const t of transit) for (const c of t.cities) byCity.set(c, [...(byCity.get(c) ?? []), t]);
  for (const list of byCity.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        if (rRel.next() < 0.25) relate(list[i].asn, list[j].asn, 0);
      }
    }
  }
  const stubs = plans.filter((p) => p.tier === 3);
  const providerPool = [...tier1, ...transit];
  // Provider weights depend only on the stub's home metro: computed once per metro.
  const weightsByHome = new Map<number, number[]>();
  for (const s of stubs) {
    const n = 1 + rRel.weighted([0.45, 0.4, 0.15]);
    let weights = weightsByHome.get(s.home);
    if (!weights) {
      weights = providerPool.map((c) => ((c.tier === 1 ? 0.15 : 1) * Math.sqrt(c.size)) / Math.pow(distToPlan(c, s.home) + 100, 2));
      weightsByHome.set(s.home, weights);
    }
    for (const p of sampleWithoutReplacement(rRel, providerPool, weights, n)) relate(p.asn, s.asn, -1);
  }

  relations.sort((x, y) => x.a - y.a || x.b - y.b);
  return { plans, relations };
}

/** Sites, PoPs and targets on top of an AS graph. */
function populate(graph: AsGraph, opts: GenerateOptions & { asRelSource?: string }, rng: Rng, world: World, onPhase: (done: GeneratePhase) => void = () => {}): Scenario {
  const knobs: TwinKnobs = { ...DEFAULT_KNOBS, ...opts.knobs };
  const { cities, cityWeight } = world;
  const { plans, relations } = graph;
  const tier1 = plans.filter((p) => p.tier === 1);
  const transit = plans.filter((p) => p.tier === 2).sort((a, b) => b.size - a.size || a.asn - b.asn);
  const distToPlan = (p: AsPlan, city: number) => {
    let best = Infinity;
    for (const c of p.cities) best = Math.min(best, km(cities, c, city));
    return best;
  };
  // --- sites ---------------------------------------------------------------------
  const rSites = rng.fork('sites');
  const siteCities = pickSiteMetros(cities, opts.sites, cityWeight);
  const nProviders = Math.max(1, Math.min(opts.providers, opts.sites));
  const providerPlans = pickProviders(tier1, transit, nProviders, siteCities, cities);
  // Sites per provider decrease like a real deployment's (15 on 6: 4, 3, 3, 2, 2, 1); the carrier with
  // the widest reach hosts a single site, as when one global transit carries one remote site.
  const quotas = siteQuotas(siteCities.length, providerPlans.length);
  const hostOrder = [...providerPlans].sort((a, b) => b.cities.length - a.cities.length || a.asn - b.asn);
  const single = hostOrder[0];
  const others = providerPlans.filter((p) => p !== single);
  const quota = new Map<number, number>([[single.asn, quotas[quotas.length - 1]]]);
  others.forEach((p, i) => quota.set(p.asn, quotas[i]));
  const assigned: AsPlan[] = new Array(siteCities.length);
  // The single-site carrier takes the site farthest from its home (a remote site bought from a global
  // carrier); every other provider first takes the free site nearest to it; then sites go to the nearest
  // provider with room.
  for (const p of [single, ...others]) {
    let best = -1;
    const far = p === single && others.length > 0;
    for (let i = 0; i < siteCities.length; i++) {
      if (assigned[i]) continue;
      const d = far ? -km(cities, p.home, siteCities[i][1]) : distToPlan(p, siteCities[i][1]);
      const b = best < 0 ? Infinity : far ? -km(cities, p.home, siteCities[best][1]) : distToPlan(p, siteCities[best][1]);
      if (d < b) best = i;
    }
    if (best >= 0) {
      assigned[best] = p;
      quota.set(p.asn, quota.get(p.asn)! - 1);
    }
  }
  siteCities.forEach(([, city], i) => {
    if (assigned[i]) return;
    const open = providerPlans.filter((p) => quota.get(p.asn)! > 0);
    const pool = open.length > 0 ? open : others.length > 0 ? others : providerPlans;
    const prov = [...pool].sort((a, b) => distToPlan(a, city) - distToPlan(b, city) || a.asn - b.asn)[0];
    assigned[i] = prov;
    quota.set(prov.asn, quota.get(prov.asn)! - 1);
  });
  const sites: SiteRow[] = [];
  siteCities.forEach(([code, city], i) => {
    const prov = assigned[i];
    if (!prov.cities.includes(city)) prov.cities.push(city); // the provider extends a PoP to the site's metro
    const peers: number[] = [];
    if (rSites.next() < knobs.sitePeerShare) {
      // Peers are local networks that are not also a transit provider of the operator (one relationship per AS pair).
      const local = transit.filter((t) => t.cities.includes(city) && !assigned.includes(t));
      for (const p of sampleWithoutReplacement(rSites, local, local.map(() => 1), Math.min(local.length, 1 + rSites.int(2)))) {
        peers.push(p.asn);
      }
    }
    const c = cities[city];
    sites.push({ site: code, city: c.name, lat: c.lat, lon: c.lon, provider: providerName(prov), providerAsn: prov.asn, peers: peers.sort((a, b) => a - b) });
  });

  // --- PoPs ---------------------------------------------------------------------
  const pops: PopRow[] = [];
  for (const p of plans) {
    for (const c of unique(p.cities)) pops.push({ asn: p.asn, city: cities[c].name, lat: cities[c].lat, lon: cities[c].lon });
  }

  onPhase('sites and PoPs');

  // --- targets ------------------------------------------------------------------
  const rT = rng.fork('targets');
  const eyeball = plans.map((p) => (p.tier === 3 ? p.size : p.tier === 2 ? p.size * 0.05 : 0));
  const cumulative = new Float64Array(eyeball.length);
  let acc = 0;
  eyeball.forEach((w, i) => (cumulative[i] = acc += w));
  const chosenAs = new Int32Array(opts.targets);
  for (let t = 0; t < opts.targets; t++) chosenAs[t] = lowerBound(cumulative, rT.next() * acc);
  // Group targets by AS so each AS's /24s are contiguous.
  const order = Array.from(chosenAs.keys()).sort((x, y) => chosenAs[x] - chosenAs[y] || x - y);
  const targets: TargetRow[] = new Array(opts.targets);
  let block = 0;
  for (let k = 0; k < order.length; k++) {
    const p = plans[chosenAs[order[k]]];
    const cityIdx = p.cities.length === 1 ? p.cities[0] : p.cities[rT.int(p.cities.length)];
    const c = cities[cityIdx];
    const [o1, o2, o3] = nextBlock(block++);
    targets[k] = {
      target: `${o1}.${o2}.${o3}.1`,
      prefix: `${o1}.${o2}.${o3}.0/24`,
      asn: p.asn,
      city: c.name,
      lat: c.lat,
      lon: c.lon,
      weight: Math.round(Math.exp(rT.normal()) * 1000) / 1000 || 0.001,
    };
  }

  onPhase('targets');
  // Capacities (in target-weight units) that a popular site can exceed: 2.5 times an even share.
  let totalWeight = 0;
  for (const t of targets) totalWeight += t.weight;
  for (const site of sites) site.capacity = Math.ceil((2.5 * totalWeight) / Math.max(1, sites.length));

  return {
    config: {
      format: 'anyopt-scenario',
      version: 1,
      seed: opts.seed,
      sites: opts.sites,
      // What the AS graph allowed (a small --as-rel graph may offer fewer transit ASes than asked).
      providers: providerPlans.length,
      targets: opts.targets,
      ases: plans.length,
      ...(opts.asRelSource !== undefined ? { asRelSource: opts.asRelSource } : {}),
      operatorAsn: OPERATOR_ASN,
      knobs,
    },
    sites,
    targets,
    relations,
    pops,
  };
}

function continentNorm(cities: readonly City[], continent: Continent): number {
  // Normalise so each continent's share does not depend on how many cities the list has there.
  let sum = 0;
  for (const c of cities) if (c.continent === continent) sum += Math.pow(c.population, 0.6);
  return sum > 0 ? 1 / sum : 0;
}

function km(cities: readonly City[], a: number, b: number): number {
  return greatCircleKm(cities[a].lat, cities[a].lon, cities[b].lat, cities[b].lon);
}

function nearbyCities(cities: readonly City[], home: number, radiusKm: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < cities.length; i++) if (km(cities, home, i) <= radiusKm) out.push(i);
  return out;
}

function unique(xs: number[]): number[] {
  return [...new Set(xs)];
}

function sampleWithoutReplacement<T>(rng: Rng, items: readonly T[], weights: readonly number[], n: number): T[] {
  const w = weights.slice();
  const out: T[] = [];
  for (let k = 0; k < n; k++) {
    let total = 0;
    for (const x of w) total += x;
    if (total <= 0) break;
    const i = rng.weighted(w, total);
    out.push(items[i]);
    w[i] = 0;
  }
  return out;
}

function shuffledAsns(rng: Rng, n: number): number[] {
  // Plausible public ASNs, unique, avoiding the documentation and private ranges.
  const out = new Set<number>();
  while (out.size < n) {
    const asn = 1 + rng.int(Math.max(60000, n * 3));
    if (asn >= 64496 && asn <= 65535) continue;
    out.add(asn);
  }
  return [...out];
}

function pickSiteMetros(cities: readonly City[], n: number, cityWeight: readonly number[]): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const used = new Set<string>();
  for (const [code, name, cc] of SITE_METROS) {
    if (out.length >= n) break;
    const i = findCity(cities, name, cc);
    if (i < 0) continue;
    out.push([code, i]);
    used.add(code);
  }
  if (out.length < n) {
    const rest = cities
      .map((c, i) => ({ i, w: cityWeight[i] }))
      .sort((a, b) => b.w - a.w)
      .map((x) => x.i)
      .filter((i) => !out.some(([, j]) => j === i));
    for (const i of rest) {
      if (out.length >= n) break;
      const base = cities[i].name.toLowerCase().replace(/[^a-z]/g, '').slice(0, 3).padEnd(3, 'x');
      let code = base;
      for (let k = 2; used.has(code); k++) code = `${base}${k}`;
      used.add(code);
      out.push([code, i]);
    }
  }
  return out;
}

function pickProviders(tier1: AsPlan[], transit: AsPlan[], n: number, siteCities: Array<[string, number]>, cities: readonly City[]): AsPlan[] {
  // Half tier-1 carriers, half large regional transit near the sites (as on a research testbed).
  const nT1 = Math.min(tier1.length, Math.ceil(n / 2));
  const t1 = [...tier1].sort((a, b) => b.cities.length - a.cities.length || a.asn - b.asn).slice(0, nT1);
  const siteSet = new Set(siteCities.map(([, c]) => c));
  const regional = [...transit]
    .map((t) => ({ t, score: t.cities.filter((c) => siteSet.has(c)).length * 10 + t.size }))
    .sort((a, b) => b.score - a.score || a.t.asn - b.t.asn)
    .map((x) => x.t);
  const picked: AsPlan[] = [];
  const continents = new Set<Continent>();
  for (const t of regional) {
    if (picked.length >= n - t1.length) break;
    const cont = cities[t.home].continent;
    if (continents.has(cont) && regional.length > n) continue;
    continents.add(cont);
    picked.push(t);
  }
  for (const t of regional) if (picked.length < n - t1.length && !picked.includes(t)) picked.push(t);
  // Interleave so round-robin assignment spreads sites over both kinds.
  const out: AsPlan[] = [];
  for (let i = 0; out.length < t1.length + picked.length; i++) {
    if (i < t1.length) out.push(t1[i]);
    if (i < picked.length) out.push(picked[i]);
  }
  return out;
}

/** Split n sites over k providers with decreasing counts, each at least 1 (15 over 6: 4, 3, 3, 2, 2, 1). */
export function siteQuotas(n: number, k: number): number[] {
  const weights = Array.from({ length: k }, (_, i) => k - i + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const q = weights.map((w) => Math.max(1, Math.floor((w / total) * n)));
  q[k - 1] = 1;
  let sum = q.reduce((a, b) => a + b, 0);
  for (let i = 0; sum < n; i = (i + 1) % Math.max(1, k - 1)) {
    q[i]++;
    sum++;
  }
  for (let i = k - 2; sum > n && i >= 0; i--) {
    while (q[i] > 1 && sum > n) {
      q[i]--;
      sum--;
    }
  }
  return q;
}

function providerName(p: AsPlan): string {
  return p.tier === 1 ? `carrier${p.asn}` : `transit${p.asn}`;
}

function lowerBound(cum: Float64Array, x: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The k-th client /24, skipping 0/8, 10/8, 127/8 and everything from 224/8 up. */
function nextBlock(k: number): [number, number, number] {
  let o1 = 1 + Math.floor(k / 65536);
  if (o1 >= 10) o1++;
  if (o1 >= 127) o1++;
  if (o1 >= 224) throw new RangeError('too many targets for the IPv4 unicast space');
  return [o1, Math.floor(k / 256) % 256, k % 256];
}

/**
 * A scenario on a real AS graph (CAIDA as-rel): tiers are read off the graph
 * (the provider-free clique on top, ASes with customers as transit, the rest
 * stubs) and PoPs are placed by a seeded geography heuristic, top down: tier-1s
 * in major metros worldwide; every other AS near a PoP of one of its providers,
 * with more PoPs the more customers it has. Sites and targets as in the
 * synthetic generator.
 */
export function scenarioFromAsRel(relations: readonly AsRelation[], opts: GenerateOptions & { asRelSource: string }, onPhase: (done: GeneratePhase) => void = () => {}): Scenario {
  const rng = createRng(opts.seed);
  const world = worldFor();
  const graph = placeAsGraph(relations, rng, world);
  onPhase('AS graph');
  return populate(graph, opts, rng, world, onPhase);
}

function placeAsGraph(relations: readonly AsRelation[], rng: Rng, world: World): AsGraph {
  const { cities, cityWeight, hubs } = world;
  const providers = new Map<number, number[]>();
  const customers = new Map<number, number[]>();
  const asns = new Set<number>();
  for (const r of relations) {
    asns.add(r.a);
    asns.add(r.b);
    if (r.rel === -1) {
      (providers.get(r.b) ?? providers.set(r.b, []).get(r.b)!).push(r.a);
      (customers.get(r.a) ?? customers.set(r.a, []).get(r.a)!).push(r.b);
    }
  }
  const sorted = [...asns].sort((a, b) => a - b);
  const nCust = (a: number) => customers.get(a)?.length ?? 0;
  // Tier-1: provider-free ASes with the most customers (at most 20).
  const tier1Set = new Set(
    sorted
      .filter((a) => !providers.has(a) && nCust(a) > 0)
      .sort((a, b) => nCust(b) - nCust(a) || a - b)
      .slice(0, 20),
  );
  // Neighbour lists of metros, once (placement picks metros near a point).
  const nearCache = new Map<string, number[]>();
  const near = (home: number, radius: number) => {
    const k = `${home}|${radius}`;
    let v = nearCache.get(k);
    if (!v) nearCache.set(k, (v = nearbyCities(cities, home, radius)));
    return v;
  };
  const plans = new Map<number, AsPlan>();
  const rT = rng.fork('caida-tier1');
  for (const a of [...tier1Set].sort((x, y) => x - y)) {
    const n = 15 + rT.int(20);
    const chosen = sampleWithoutReplacement(rT, hubs, hubs.map((h) => cityWeight[h]), Math.min(n, hubs.length));
    plans.set(a, { asn: a, tier: 1, home: chosen[0], cities: chosen, size: 50 + nCust(a) });
  }
  // Top down (Kahn's order over provider -> customer edges); ASes left in cycles are placed last.
  const pending = new Map<number, number>();
  for (const a of sorted) pending.set(a, (providers.get(a) ?? []).filter((p) => !tier1Set.has(p)).length);
  const queue = sorted.filter((a) => !tier1Set.has(a) && pending.get(a) === 0);
  const order: number[] = [];
  const placedInOrder = new Set<number>();
  for (let i = 0; i < queue.length; i++) {
    const a = queue[i];
    order.push(a);
    placedInOrder.add(a);
    for (const c of customers.get(a) ?? []) {
      if (tier1Set.has(a)) continue;
      const left = pending.get(c)! - 1;
      pending.set(c, left);
      if (left === 0 && !tier1Set.has(c)) queue.push(c);
    }
  }
  for (const a of sorted) if (!tier1Set.has(a) && !placedInOrder.has(a)) order.push(a);
  const rP = rng.fork('caida-place');
  for (const a of order) {
    const provs = (providers.get(a) ?? []).map((p) => plans.get(p)).filter((p): p is AsPlan => p !== undefined);
    let home: number;
    if (provs.length > 0) {
      const prov = provs[rP.int(provs.length)];
      const anchor = prov.cities[rP.int(prov.cities.length)];
      const around = near(anchor, 1000);
      home = around.length > 0 ? around[rP.weighted(around.map((c) => cityWeight[c]))] : anchor;
    } else {
      home = rP.weighted(cityWeight);
    }
    const cust = nCust(a);
    if (cust > 0) {
      const n = Math.min(16, 1 + Math.floor(Math.log2(1 + cust) * 1.5));
      const region = near(home, cust > 50 ? 4000 : 1500).filter((c) => c !== home);
      const extra = sampleWithoutReplacement(rP, region, region.map((c) => cityWeight[c]), Math.min(n - 1, region.length));
      plans.set(a, { asn: a, tier: 2, home, cities: [home, ...extra], size: 2 + cust });
    } else {
      plans.set(a, { asn: a, tier: 3, home, cities: [home], size: Math.exp(rP.normal() * 1.2) });
    }
  }
  return { plans: sorted.map((a) => plans.get(a)!), relations: [...relations].sort((x, y) => x.a - y.a || x.b - y.b) };
}
