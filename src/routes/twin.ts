/**
 * The routes twin: a multihomed network with 4 to 8 transit providers built on
 * the simulated Internet of src/sim/, its providers' tables (bgpdump -m
 * lines), a day of sampled flows with a diurnal curve, probe results per
 * prefix and provider, and scripted events: one provider's latency rising by
 * 60 ms (as in Internap's 120 -> 180 ms story) and one provider's link failing
 * (all its routes withdrawn, probes lost).
 *
 * Derived from the anycast twin (a scenario from `generateScenario` with the
 * same seed, sized to the requested prefix count):
 * - the network sits in the metro of the scenario's first site; its providers
 *   are the m transit ASes of the twin ranked by (a PoP within 2,000 km,
 *   tier-1 i.e. no provider, number of customers), with their real ASNs;
 * - the IPv4 destination prefixes are the twin's client /24s aggregated per
 *   origin AS (each AS's contiguous run covered by the fewest CIDR blocks),
 *   the biggest blocks split in halves (down to /24s) when more prefixes are
 *   asked for, the heaviest kept when fewer; origin = that AS; weight = the
 *   summed target weights; origins no provider reaches are dropped;
 * - AS paths: each provider's best Gao-Rexford route to the origin on the
 *   twin's AS graph (customer > peer > provider, then shortest;
 *   `gaoRexfordRoutes`), with the real intermediate ASNs;
 * - RTTs: great-circle km from the network's metro to the provider's nearest
 *   PoP plus from there to the prefix's client centre (weighted centre of its
 *   /24s), x 1.6 fibre inflation x (1 + 0.1 (len - 2)) detour, at 200 km/ms,
 *   both ways, plus 1.5 ms per AS, times a per-provider (0.92-1.12) and
 *   per-(origin, provider) (0.95-1.10) backbone factor;
 * - events: the provider that wins the most traffic weight by RTT is the one
 *   whose latency rises; the failing one is another, drawn from the seed.
 * Still synthetic: 15% IPv6 prefixes (random addresses in 2001:0400::/22 to
 * 2001:2fff::/32 space, the sim twin has no IPv6) whose origins, paths and RTTs
 * are borrowed from a weighted IPv4 prefix; provider names, peer IPs and next
 * hops (documentation addresses), capacities and prices; flows, probe noise and
 * the event times. Not modelled:
 * MED/local-pref policies inside a provider, prepending, hot-potato exits.
 * Everything is a pure function of the parameters; lines are produced lazily
 * so large twins stream to disk.
 */
import { formatIPv4, formatIPv6 } from './addr.js';
import type { ProviderSpec } from './model.js';
import { createRng, hash32, hashUnit } from '../util/random.js';
import { greatCircleKm } from '../geo/cities.js';
import { generateScenario } from '../sim/generate.js';
import type { AsRelation, Scenario } from '../sim/scenario.js';

export interface TwinParams {
  providers: number;
  prefixes: number;
  flows: number;
  seed: number;
}

export const TWIN_DAY_START = 1767225600; // 2026-01-01T00:00:00Z
export const TWIN_EVENT_TIME = TWIN_DAY_START + 14 * 3600;
export const TWIN_SAMPLING = 1000;
export const TWIN_LATENCY_RISE_MS = 60;

export interface TwinPrefix {
  text: string;
  family: 4 | 6;
  words: Uint32Array;
  length: number;
  origin: number;
}

export interface TwinEvent {
  kind: 'latency' | 'link-failure';
  provider: string;
  time: number;
  description: string;
}

export interface Twin {
  params: TwinParams;
  providers: ProviderSpec[];
  prefixes: TwinPrefix[];
  /** AS-path length per (prefix, provider); 0 = no route. */
  pathLen: Uint8Array;
  /** Base RTT in ms per (prefix, provider). */
  rtt: Float32Array;
  /** Relative traffic weight per prefix (sums to 1). */
  weight: Float64Array;
  /** Index of the provider whose latency rises, and of the one whose link fails. */
  degraded: number;
  failed: number;
  events: TwinEvent[];
  /** The AS path provider j announces for prefix i, at i*m+j (real ASNs of the twin). */
  paths?: string[];
}


// ---- the AS graph and Gao-Rexford routes --------------------------------------

/** The twin's AS graph in adjacency lists (indices into `asns`). */
export interface AsGraph {
  asns: number[];
  index: Map<number, number>;
  providers: number[][];
  customers: number[][];
  peers: number[][];
}

export function buildAsGraph(relations: readonly AsRelation[]): AsGraph {
  const asns: number[] = [];
  const index = new Map<number, number>();
  const providers: number[][] = [];
  const customers: number[][] = [];
  const peers: number[][] = [];
  const id = (asn: number): number => {
    let k = index.get(asn);
    if (k === undefined) {
      k = asns.length;
      index.set(asn, k);
      asns.push(asn);
      providers.push([]);
      customers.push([]);
      peers.push([]);
    }
    return k;
  };
  for (const r of relations) {
    const a = id(r.a);
    const b = id(r.b);
    if (a === b) continue;
    if (r.rel === -1) {
      customers[a].push(b);
      providers[b].push(a);
    } else {
      peers[a].push(b);
      peers[b].push(a);
    }
  }
  return { asns, index, providers, customers, peers };
}

export const ROUTE_NONE = 0;
export const ROUTE_CUSTOMER = 1;
export const ROUTE_PEER = 2;
export const ROUTE_PROVIDER = 3;

/**
 * Every AS's best route to `origin` under Gao-Rexford export rules (customer
 * routes go to everyone, peer and provider routes only to customers) and
 * preferences (customer > peer > provider, then the shortest AS path, then the
 * lowest neighbour index). `len[k]` is the AS-path length AS k would announce
 * (ASes on the path including k and the origin; 1 at the origin; 0 = no
 * route), `cls[k]` the route class (ROUTE_*), `next[k]` the neighbour it was
 * learnt from (-1 at the origin or without a route).
 */
export function gaoRexfordRoutes(g: AsGraph, origin: number): { len: Uint8Array; cls: Uint8Array; next: Int32Array } {
  const n = g.asns.length;
  const len = new Uint8Array(n);
  const cls = new Uint8Array(n);
  const next = new Int32Array(n).fill(-1);
  const o = g.index.get(origin);
  if (o === undefined) return { len, cls, next };
  // Phase 1: customer routes climb provider edges (plain BFS from the origin).
  len[o] = 1;
  cls[o] = ROUTE_CUSTOMER;
  const up: number[] = [o];
  for (let h = 0; h < up.length; h++) {
    const x = up[h];
    for (const p of g.providers[x]) {
      if (cls[p] !== ROUTE_NONE) continue;
      cls[p] = ROUTE_CUSTOMER;
      len[p] = len[x] + 1;
      next[p] = x;
      up.push(p);
    }
  }
  // Phase 2: one peer hop from any AS holding a customer route (the shortest wins).
  for (const x of up) {
    for (const q of g.peers[x]) {
      if (cls[q] === ROUTE_CUSTOMER) continue;
      if (cls[q] === ROUTE_NONE || len[x] + 1 < len[q] || (len[x] + 1 === len[q] && x < next[q])) {
        cls[q] = ROUTE_PEER;
        len[q] = len[x] + 1;
        next[q] = x;
      }
    }
  }
  // Phase 3: provider routes descend customer edges; a BFS seeded by length buckets.
  const buckets: number[][] = [];
  for (let k = 0; k < n; k++) {
    if (cls[k] === ROUTE_NONE) continue;
    (buckets[len[k]] ??= []).push(k);
  }
  for (let l = 1; l < buckets.length; l++) {
    const b = buckets[l];
    if (!b) continue;
    for (let h = 0; h < b.length; h++) {
      const x = b[h];
      for (const c of g.customers[x]) {
        if (cls[c] !== ROUTE_NONE) continue;
        if (l + 1 > 255) continue;
        cls[c] = ROUTE_PROVIDER;
        len[c] = l + 1;
        next[c] = x;
        (buckets[l + 1] ??= []).push(c);
      }
    }
  }
  return { len, cls, next };
}

// ---- the multihomed network on the twin ----------------------------------------

const NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
const FIBRE_INFLATION = 1.6;
const KM_PER_MS = 200;
const MS_PER_AS = 1.5;
const NEAR_KM = 2000;

/** Scenario size for a requested prefix count (small twins stay fast). */
export function twinScenarioSize(prefixes: number): { targets: number; ases: number } {
  // Aggregation leaves about 0.36 blocks per /24 at 5 targets per AS; aim 10% above the IPv4 count.
  const targets = Math.max(600, Math.ceil(prefixes * 2.6));
  return { targets, ases: Math.max(300, Math.min(6000, Math.round(targets / 5))) };
}

interface Cover {
  start: number; // first /24 (address >>> 8)
  size: number; // number of /24s (a power of two)
  t0: number; // index of its first target in the sorted list
  asn: number;
}

function log2(x: number): number {
  return 31 - Math.clz32(x);
}

/** The fewest CIDR blocks covering the /24s [start, end). */
function cidrCover(start: number, end: number, t0: number, asn: number, out: Cover[]): void {
  let s = start;
  while (s < end) {
    let size = s === 0 ? 1 << 24 : s & -s;
    while (s + size > end) size >>>= 1;
    out.push({ start: s, size, t0: t0 + (s - start), asn });
    s += size;
  }
}

export function generateTwin(params: TwinParams, scenario?: Scenario): Twin {
  const rng = createRng(params.seed);
  const m = params.providers;
  const nV6 = Math.round(params.prefixes * 0.15);
  const nV4 = params.prefixes - nV6;
  const sc = scenario ?? generateScenario({ seed: params.seed, sites: 1, providers: 1, ...twinScenarioSize(params.prefixes) });
  const g = buildAsGraph(sc.relations);
  const home = sc.sites[0] ?? { lat: 52.37, lon: 4.89 };

  // Providers: big transit near the network first.
  const popsOf = new Map<number, Array<{ lat: number; lon: number }>>();
  for (const p of sc.pops) {
    let l = popsOf.get(p.asn);
    if (!l) popsOf.set(p.asn, (l = []));
    l.push(p);
  }
  const nearestPop = (asn: number) => {
    let best = { lat: home.lat, lon: home.lon, km: Infinity };
    for (const p of popsOf.get(asn) ?? []) {
      const km = greatCircleKm(home.lat, home.lon, p.lat, p.lon);
      if (km < best.km) best = { lat: p.lat, lon: p.lon, km };
    }
    return best;
  };
  const candidates = g.asns
    .map((asn, k) => ({ asn, k, near: nearestPop(asn).km <= NEAR_KM ? 1 : 0, tier1: g.providers[k].length === 0 ? 1 : 0, customers: g.customers[k].length, pops: popsOf.get(asn)?.length ?? 0 }))
    .filter((c) => c.customers > 0 && c.asn !== sc.config.operatorAsn)
    .sort((a, b) => b.near - a.near || b.tier1 - a.tier1 || b.customers - a.customers || b.pops - a.pops || a.asn - b.asn);
  if (candidates.length < m) throw new Error(`the twin has only ${candidates.length} transit ASes, fewer than ${m} providers`);
  const chosen = candidates.slice(0, m);
  const providers: ProviderSpec[] = [];
  for (let j = 0; j < m; j++) {
    const capacity = [10000, 10000, 10000, 20000, 10000, 10000, 20000, 10000][j];
    providers.push({
      name: `transit-${NAMES[j]}`,
      asn: chosen[j].asn,
      peerIp: `192.0.2.${j + 1}`,
      nextHop: `192.0.2.${j + 1}`,
      nextHopV6: `2001:db8:ffff::${j + 1}`,
      capacityMbps: capacity,
      commitMbps: capacity / 5,
      pricePerMbps: Number((0.25 + 0.1 * ((j * 7) % 5)).toFixed(2)),
      overagePricePerMbps: Number((0.4 + 0.15 * ((j * 3) % 4)).toFixed(2)),
    });
  }
  const entry = chosen.map((c) => nearestPop(c.asn));

  // IPv4 prefixes: each origin AS's contiguous /24s, aggregated.
  const targets = sc.targets
    .map((t) => {
      const [a, b, c] = t.prefix.split('/')[0].split('.').map(Number);
      return { block: ((a << 16) | (b << 8) | c) >>> 0, t };
    })
    .sort((x, y) => x.block - y.block);
  let covers: Cover[] = [];
  for (let k = 0; k < targets.length; ) {
    let e = k + 1;
    while (e < targets.length && targets[e].t.asn === targets[k].t.asn && targets[e].block === targets[e - 1].block + 1) e++;
    cidrCover(targets[k].block, targets[k].block + (e - k), k, targets[k].t.asn, covers);
    k = e;
  }
  // More prefixes asked for than aggregates: split the biggest blocks in halves.
  if (covers.length < nV4) {
    const byLog: Cover[][] = Array.from({ length: 25 }, () => []);
    for (const c of covers) byLog[log2(c.size)].push(c);
    let count = covers.length;
    for (let l = 24; l >= 1 && count < nV4; l--) {
      while (byLog[l].length > 0 && count < nV4) {
        const c = byLog[l].pop()!;
        const half = c.size >>> 1;
        byLog[l - 1].push({ ...c, size: half }, { start: c.start + half, size: half, t0: c.t0 + half, asn: c.asn });
        count++;
      }
    }
    covers = byLog.flat();
  }
  const coverWeight = (c: Cover) => {
    let w = 0;
    for (let k = c.t0; k < c.t0 + c.size; k++) w += targets[k].t.weight;
    return w;
  };
  const weighed = covers.map((c) => ({ c, w: coverWeight(c) }));
  // Fewer asked for: keep the heaviest.
  if (weighed.length > nV4) weighed.sort((a, b) => b.w - a.w || a.c.start - b.c.start).length = nV4;
  weighed.sort((a, b) => a.c.start - b.c.start);

  // Routes per origin AS (cached): length and path string per provider.
  const routeCache = new Map<number, { len: number[]; path: string[] }>();
  const routesTo = (origin: number) => {
    let r = routeCache.get(origin);
    if (r) return r;
    const gr = gaoRexfordRoutes(g, origin);
    r = { len: [], path: [] };
    for (const c of chosen) {
      const l = gr.len[c.k];
      r.len.push(l);
      const hops: number[] = [];
      if (l > 0) for (let x = c.k; x >= 0; x = gr.next[x]) hops.push(g.asns[x]);
      r.path.push(hops.join(' '));
    }
    routeCache.set(origin, r);
    return r;
  };

  const prefixes: TwinPrefix[] = [];
  const rows: Array<{ w: number; origin: number; lat: number; lon: number; len: number[]; path: string[] }> = [];
  for (const { c, w } of weighed) {
    const r = routesTo(c.asn);
    if (!r.len.some((l) => l > 0)) continue; // unreachable from every provider
    // Client centre: the weighted mean of its /24s on the unit sphere.
    let x = 0;
    let y = 0;
    let z = 0;
    for (let k = c.t0; k < c.t0 + c.size; k++) {
      const t = targets[k].t;
      const la = (t.lat * Math.PI) / 180;
      const lo = (t.lon * Math.PI) / 180;
      x += t.weight * Math.cos(la) * Math.cos(lo);
      y += t.weight * Math.cos(la) * Math.sin(lo);
      z += t.weight * Math.sin(la);
    }
    const lat = (Math.atan2(z, Math.hypot(x, y)) * 180) / Math.PI;
    const lon = (Math.atan2(y, x) * 180) / Math.PI;
    const words = new Uint32Array(4);
    words[0] = (c.start << 8) >>> 0;
    const length = 24 - log2(c.size);
    prefixes.push({ text: `${formatIPv4(words[0])}/${length}`, family: 4, words, length, origin: c.asn });
    rows.push({ w, origin: c.asn, lat, lon, len: r.len, path: r.path });
  }
  // IPv6 (synthetic addresses): each borrows a weighted IPv4 prefix's origin, routes and centre.
  const v4count = rows.length;
  if (v4count > 0 && nV6 > 0) {
    const prng = rng.fork('v6');
    const cum = new Float64Array(v4count);
    let acc = 0;
    for (let i = 0; i < v4count; i++) cum[i] = acc += rows[i].w;
    const seen = new Set<string>();
    const v6Lengths: Array<[number, number]> = [[0.45, 48], [0.7, 32], [0.8, 40], [0.9, 44], [0.95, 36], [1, 29]];
    while (prefixes.length < v4count + nV6) {
      const u = prng.next();
      const length = v6Lengths.find(([p]) => u < p)![1];
      const words = new Uint32Array(4);
      words[0] = (0x20010000 | (0x0400 + prng.int(0x2c00))) >>> 0;
      words[1] = prng.int(4294967296) >>> 0;
      words[2] = prng.int(4294967296) >>> 0;
      for (let k = 0; k < 4; k++) {
        const keep = Math.max(0, Math.min(32, length - 32 * k));
        words[k] = keep === 0 ? 0 : keep === 32 ? words[k] : (words[k] & ~(0xffffffff >>> keep)) >>> 0;
      }
      const text = `${formatIPv6(words)}/${length}`;
      if (seen.has(text)) continue;
      seen.add(text);
      const x = prng.next() * acc;
      let lo = 0;
      let hi = v4count - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid] <= x) lo = mid + 1;
        else hi = mid;
      }
      const b = rows[lo];
      prefixes.push({ text, family: 6, words, length, origin: b.origin });
      rows.push({ ...b, w: b.w * 0.3 });
    }
  }

  const n = prefixes.length;
  const pathLen = new Uint8Array(n * m);
  const rtt = new Float32Array(n * m);
  const paths: string[] = new Array(n * m).fill('');
  const rrng = rng.fork('routes');
  const quality = Array.from({ length: m }, () => 0.92 + 0.2 * rrng.next());
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    for (let j = 0; j < m; j++) {
      const l = r.len[j];
      if (l === 0) continue;
      pathLen[i * m + j] = l;
      paths[i * m + j] = r.path[j];
      const km = entry[j].km + greatCircleKm(entry[j].lat, entry[j].lon, r.lat, r.lon);
      const detour = 1 + 0.1 * Math.max(0, l - 2);
      const backbone = 0.95 + 0.15 * hashUnit(r.origin, providers[j].asn, params.seed);
      rtt[i * m + j] = ((2 * km * FIBRE_INFLATION * detour) / KM_PER_MS + MS_PER_AS * l) * quality[j] * backbone;
    }
  }
  const weight = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += rows[i].w;
  for (let i = 0; i < n; i++) weight[i] = rows[i].w / sum;

  // The degraded provider wins the most traffic by RTT before the event; the failed one is another.
  const won = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    let best = -1;
    for (let j = 0; j < m; j++) if (pathLen[i * m + j] > 0 && (best < 0 || rtt[i * m + j] < rtt[i * m + best])) best = j;
    if (best >= 0) won[best] += weight[i];
  }
  let degraded = 0;
  for (let j = 1; j < m; j++) if (won[j] > won[degraded]) degraded = j;
  const failed = (degraded + 1 + rrng.int(m - 1)) % m;
  const events: TwinEvent[] = [
    {
      kind: 'latency',
      provider: providers[degraded].name,
      time: TWIN_EVENT_TIME,
      description: `14:00 UTC: latency through ${providers[degraded].name} rises by ${TWIN_LATENCY_RISE_MS} ms on every prefix`,
    },
    {
      kind: 'link-failure',
      provider: providers[failed].name,
      time: TWIN_EVENT_TIME + 3600,
      description: `15:00 UTC: the link to ${providers[failed].name} fails (all its routes withdrawn, probes lost)`,
    },
  ];
  return { params, providers, prefixes, pathLen, rtt, weight, degraded, failed, events, paths };
}

/** The AS path provider j announces for prefix i. */
function asPath(twin: Twin, i: number, j: number): string {
  const m = twin.providers.length;
  const known = twin.paths?.[i * m + j];
  if (known) return known;
  const len = twin.pathLen[i * m + j];
  const hops: number[] = [twin.providers[j].asn];
  for (let k = 1; k < len - 1; k++) hops.push(1000 + (hash32(i, j, k, twin.params.seed) % 60000));
  if (len > 1) hops.push(twin.prefixes[i].origin);
  return hops.join(' ');
}

export function* ribLines(twin: Twin, j: number): Generator<string> {
  const p = twin.providers[j];
  const m = twin.providers.length;
  for (let i = 0; i < twin.prefixes.length; i++) {
    if (twin.pathLen[i * m + j] === 0) continue;
    yield `TABLE_DUMP2|${TWIN_DAY_START}|B|${p.peerIp}|${p.asn}|${twin.prefixes[i].text}|${asPath(twin, i, j)}|IGP|${p.peerIp}|0|0||NAG||`;
  }
}

/** BGP4MP withdrawals of every route of the failed provider. */
export function* failureUpdateLines(twin: Twin): Generator<string> {
  const j = twin.failed;
  const p = twin.providers[j];
  const m = twin.providers.length;
  const t = twin.events[1].time;
  for (let i = 0; i < twin.prefixes.length; i++) {
    if (twin.pathLen[i * m + j] === 0) continue;
    yield `BGP4MP|${t}|W|${p.peerIp}|${p.asn}|${twin.prefixes[i].text}`;
  }
}

function diurnal(tOfDay: number): number {
  // Peak around 20:00 UTC, trough around 08:00; between 0.4 and 1.6.
  return 1 + 0.6 * Math.sin((2 * Math.PI * (tOfDay - 14 * 3600)) / 86400);
}

/** Mean total rate of the twin's traffic in Mbps (before sampling). */
export const TWIN_TOTAL_MBPS = 16000;

/** Plain-CSV flow lines `time,dst_addr,bytes,packets,sampling_rate` over the day, time-ordered. */
export function* flowLines(twin: Twin): Generator<string> {
  const rng = createRng(hash32(twin.params.seed, 0xf10));
  const n = twin.prefixes.length;
  const cum = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) cum[i] = s += twin.weight[i];
  const F = twin.params.flows;
  const bytesPerFlow = (TWIN_TOTAL_MBPS * 1e6 * 86400) / 8 / F / TWIN_SAMPLING;
  const step = 86400 / F;
  for (let f = 0; f < F; f++) {
    const t = TWIN_DAY_START + f * step;
    const x = rng.next() * s;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    const p = twin.prefixes[lo];
    let addr: string;
    if (rng.next() < 0.003) addr = `10.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}`; // unrouted
    else if (p.family === 4) {
      const host = p.length >= 32 ? 0 : rng.int(2 ** (32 - p.length));
      addr = formatIPv4((p.words[0] + host) >>> 0);
    } else {
      const w = p.words.slice();
      w[3] = rng.int(4294967296) >>> 0;
      if (p.length < 64) w[2] = (w[2] | (rng.int(4294967296) & (0xffffffff >>> Math.max(0, p.length - 64)))) >>> 0;
      addr = formatIPv6(w);
    }
    const bytes = Math.max(64, Math.round(bytesPerFlow * diurnal(t - TWIN_DAY_START) * Math.exp(0.5 * rng.normal() - 0.125)));
    yield `${t.toFixed(3)},${addr},${bytes},${Math.max(1, Math.round(bytes / 900))},${TWIN_SAMPLING}`;
  }
}

export type ProbeWindow = 'before' | 'after-latency' | 'after-failure';

/** Probe results `time,prefix,provider,rtt_ms,loss_pct,jitter_ms` for a window of the day. */
export function* perfLines(twin: Twin, window: ProbeWindow): Generator<string> {
  const m = twin.providers.length;
  const start = window === 'before' ? TWIN_EVENT_TIME - 3600 : window === 'after-latency' ? TWIN_EVENT_TIME : TWIN_EVENT_TIME + 3600;
  const rounds = window === 'before' ? 4 : 2;
  for (let i = 0; i < twin.prefixes.length; i++) {
    for (let j = 0; j < m; j++) {
      if (twin.pathLen[i * m + j] === 0) continue;
      for (let r = 0; r < rounds; r++) {
        const t = start + r * 300 + (hash32(i, j, r) % 240);
        const u = hashUnit(i, j, r, twin.params.seed);
        const v = hashUnit(j, i, r, twin.params.seed + 1);
        let rtt = twin.rtt[i * m + j] * (0.97 + 0.06 * u);
        if (window !== 'before' && j === twin.degraded) rtt += TWIN_LATENCY_RISE_MS;
        const loss = v < 0.9 ? 0 : v < 0.98 ? 0.5 : 2;
        if (window === 'after-failure' && j === twin.failed) {
          yield `${t},${twin.prefixes[i].text},${twin.providers[j].name},,100,`;
          continue;
        }
        const jitter = rtt * 0.02 * (0.5 + v);
        yield `${t},${twin.prefixes[i].text},${twin.providers[j].name},${rtt.toFixed(2)},${loss},${jitter.toFixed(2)}`;
      }
    }
  }
}
