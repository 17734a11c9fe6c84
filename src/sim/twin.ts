/**
 * Compiles a scenario (plain rows) into the router-level twin the routing
 * engine runs on: typed arrays for ASes, PoPs (one border router per AS and
 * metro area), directed eBGP sessions, intra-AS distances, site attachments
 * and target attachments.
 *
 * What is modelled: every pair of related ASes interconnects at every metro
 * where both have a PoP; when they share none, at the closest pair of PoPs
 * (a remote interconnect). The operator's sites are PoPs of the operator AS,
 * each with one session to its transit provider's PoP in (or nearest to) the
 * site's city, plus optional peering sessions. Each session has a propagation
 * delay (great-circle km at 200 km/ms) plus a seeded processing delay
 * (0 to 500 ms, standing in for update pacing), which decides which of two
 * equally good routes arrives first. Not modelled: route reflectors and
 * confederations (iBGP is a full mesh), MED, ORIGIN, route flap damping.
 */
import { greatCircleKm } from '../geo/cities.js';
import { hash32, hashUnit } from '../util/random.js';
import type { Scenario, TwinKnobs } from './scenario.js';
import { LOCAL_PREF } from './decision.js';

/** Class of a route as seen by the receiving router (Gao-Rexford local-pref order). */
export const ROUTE_CLASS = { fromProvider: 1, fromPeer: 2, fromCustomer: 3, own: 4 } as const;

export interface Twin {
  seed: number;
  knobs: TwinKnobs;
  operatorAsn: number;
  siteIds: string[];
  targetIds: string[];
  targetWeight: Float64Array;

  asCount: number;
  asAsn: Int32Array;
  asPreferOldest: Uint8Array;
  /** CSR: PoPs of AS a are asPops[asPopStart[a] .. asPopStart[a+1]). */
  asPopStart: Int32Array;
  asPops: Int32Array;
  /** CSR: directed sessions whose receiving router belongs to AS a. */
  asInStart: Int32Array;
  asIn: Int32Array;
  /** Intra-AS distances: km between local PoPs i, j of AS a at asDist[asDistStart[a] + i * n + j]. */
  asDistStart: Int32Array;
  asDist: Float32Array;
  operatorAs: number;

  popCount: number;
  popAs: Int32Array;
  /** Index of the PoP among its AS's PoPs. */
  popLocal: Int32Array;
  popLat: Float64Array;
  popLon: Float64Array;
  popCity: string[];
  popRouterId: Uint32Array;
  /** CSR: directed sessions sent by PoP p. */
  popOutStart: Int32Array;
  popOut: Int32Array;

  edgeCount: number;
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  /** ROUTE_CLASS of routes received over the session (drives export rules). */
  edgeClass: Uint8Array;
  /** LOCAL_PREF the receiver assigns to routes from the session (class, plus primary-provider preference). */
  edgeLocalPref: Uint8Array;
  edgeKm: Float32Array;
  edgeDelayMs: Float64Array;

  /** The operator PoP of each site. */
  sitePop: Int32Array;
  /** Site index of each PoP (-1 for every PoP that is not a site). */
  popSite: Int16Array;

  /** PoP each target sits behind, -1 when its AS is not in the topology. */
  targetPop: Int32Array;
  /** Round-trip access (last-mile) delay of each target, ms. */
  targetAccessMs: Float32Array;
  /** 0 for targets that never answer probes. */
  targetResponsive: Uint8Array;
  /** Things the compiler had to guess or drop (for `sim stats`). */
  warnings: string[];
  /** Sites whose provider AS is not in the topology (they can never announce). */
  deadSites: string[];
  /** Targets in ASes without a PoP in the topology (never reachable). */
  homelessTargets: number;
}

const REL_PROVIDER_OF = -1;

export function buildTwin(scenario: Scenario): Twin {
  const { config, sites, targets, relations, pops } = scenario;
  const seed = config.seed >>> 0;
  const warnings: string[] = [];
  const deadSites: string[] = [];

  // --- ASes and PoPs -------------------------------------------------------
  const asIndex = new Map<number, number>();
  const asAsnList: number[] = [];
  const addAs = (asn: number) => {
    let a = asIndex.get(asn);
    if (a === undefined) {
      a = asAsnList.length;
      asIndex.set(asn, a);
      asAsnList.push(asn);
    }
    return a;
  };
  for (const r of relations) {
    addAs(r.a);
    addAs(r.b);
  }
  for (const p of pops) addAs(p.asn);
  const operatorAs = addAs(config.operatorAsn);

  const popAsList: number[] = [];
  const popLatList: number[] = [];
  const popLonList: number[] = [];
  const popCity: string[] = [];
  const popsByAs: number[][] = asAsnList.map(() => []);
  const popByAsCity: Array<Map<string, number>> = asAsnList.map(() => new Map());
  const addPop = (a: number, city: string, lat: number, lon: number) => {
    const existing = popByAsCity[a].get(city);
    if (existing !== undefined) return existing;
    const p = popAsList.length;
    popAsList.push(a);
    popLatList.push(lat);
    popLonList.push(lon);
    popCity.push(city);
    popsByAs[a].push(p);
    popByAsCity[a].set(city, p);
    return p;
  };
  for (const p of pops) addPop(asIndex.get(p.asn)!, p.city, p.lat, p.lon);
  // ASes without a PoP (possible with hand-written scenarios) get none and are unreachable.
  const sitePopList = sites.map((s) => addPop(operatorAs, `site:${s.site}`, s.lat, s.lon));

  // --- sessions ---------------------------------------------------------------
  const from: number[] = [];
  const to: number[] = [];
  const cls: number[] = [];
  const addSession = (u: number, v: number, classAtV: number, classAtU: number) => {
    from.push(u, v);
    to.push(v, u);
    cls.push(classAtV, classAtU);
  };
  const nearestPop = (a: number, lat: number, lon: number) => {
    let best = -1;
    let bestKm = Infinity;
    for (const p of popsByAs[a]) {
      const km = greatCircleKm(lat, lon, popLatList[p], popLonList[p]);
      if (km < bestKm) {
        bestKm = km;
        best = p;
      }
    }
    return best;
  };
  let remoteLinks = 0;
  for (const r of relations) {
    const a = asIndex.get(r.a)!;
    const b = asIndex.get(r.b)!;
    if (a === b || popsByAs[a].length === 0 || popsByAs[b].length === 0) continue;
    // classAtB: class of routes B receives from A.
    const classAtB = r.rel === REL_PROVIDER_OF ? ROUTE_CLASS.fromProvider : ROUTE_CLASS.fromPeer;
    const classAtA = r.rel === REL_PROVIDER_OF ? ROUTE_CLASS.fromCustomer : ROUTE_CLASS.fromPeer;
    const [small, large] = popsByAs[a].length <= popsByAs[b].length ? [a, b] : [b, a];
    let linked = false;
    for (const p of popsByAs[small]) {
      const q = popByAsCity[large].get(popCity[p]);
      if (q === undefined) continue;
      linked = true;
      const pa = small === a ? p : q;
      const pb = small === a ? q : p;
      addSession(pa, pb, classAtB, classAtA);
    }
    if (!linked) {
      let bestKm = Infinity;
      let pa = -1;
      let pb = -1;
      for (const p of popsByAs[a]) {
        for (const q of popsByAs[b]) {
          const km = greatCircleKm(popLatList[p], popLonList[p], popLatList[q], popLonList[q]);
          if (km < bestKm) {
            bestKm = km;
            pa = p;
            pb = q;
          }
        }
      }
      remoteLinks++;
      addSession(pa, pb, classAtB, classAtA);
    }
  }
  sites.forEach((s, i) => {
    const prov = asIndex.get(s.providerAsn);
    if (prov === undefined || popsByAs[prov].length === 0) {
      warnings.push(`site ${s.site}: provider AS${s.providerAsn} is not in the topology; the site cannot announce`);
      deadSites.push(s.site);
    } else {
      const q = popByAsCity[prov].get(s.city) ?? nearestPop(prov, s.lat, s.lon);
      // The provider hears a customer route; the site hears provider routes (and drops them: loop).
      addSession(sitePopList[i], q, ROUTE_CLASS.fromCustomer, ROUTE_CLASS.fromProvider);
    }
    for (const peerAsn of s.peers) {
      const pa = asIndex.get(peerAsn);
      if (pa === undefined || popsByAs[pa].length === 0) {
        warnings.push(`site ${s.site}: peer AS${peerAsn} is not in the topology; peering ignored`);
        continue;
      }
      const q = popByAsCity[pa].get(s.city) ?? nearestPop(pa, s.lat, s.lon);
      addSession(sitePopList[i], q, ROUTE_CLASS.fromPeer, ROUTE_CLASS.fromPeer);
    }
  });
  if (remoteLinks > 0) warnings.push(`${remoteLinks} AS relationship(s) without a shared metro were connected at the closest pair of PoPs`);

  // --- typed arrays --------------------------------------------------------
  const asCount = asAsnList.length;
  const popCount = popAsList.length;
  const edgeCount = from.length;
  const edgeFrom = Int32Array.from(from);
  const edgeTo = Int32Array.from(to);
  const edgeClass = Uint8Array.from(cls);
  const popAs = Int32Array.from(popAsList);
  const popLat = Float64Array.from(popLatList);
  const popLon = Float64Array.from(popLonList);
  const edgeKm = new Float32Array(edgeCount);
  const edgeDelayMs = new Float64Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) {
    const u = edgeFrom[e];
    const v = edgeTo[e];
    const km = greatCircleKm(popLat[u], popLon[u], popLat[v], popLon[v]);
    edgeKm[e] = km;
    edgeDelayMs[e] = (km * config.knobs.fiberInflation) / 200 + 500 * hashUnit(seed, 0xde1a, asAsnList[popAs[u]], asAsnList[popAs[v]], e);
  }

  const csr = (n: number, keyOf: (i: number) => number, count: number) => {
    const start = new Int32Array(n + 1);
    for (let i = 0; i < count; i++) start[keyOf(i) + 1]++;
    for (let i = 0; i < n; i++) start[i + 1] += start[i];
    const fill = start.slice(0, n);
    const items = new Int32Array(count);
    for (let i = 0; i < count; i++) items[fill[keyOf(i)]++] = i;
    return { start, items };
  };
  const asPopsCsr = csr(asCount, (p) => popAs[p], popCount);
  const asInCsr = csr(asCount, (e) => popAs[edgeTo[e]], edgeCount);
  const popOutCsr = csr(popCount, (e) => edgeFrom[e], edgeCount);

  const popLocal = new Int32Array(popCount);
  const asDistStart = new Int32Array(asCount + 1);
  for (let a = 0; a < asCount; a++) {
    const n = asPopsCsr.start[a + 1] - asPopsCsr.start[a];
    asDistStart[a + 1] = asDistStart[a] + n * n;
  }
  const asDist = new Float32Array(asDistStart[asCount]);
  for (let a = 0; a < asCount; a++) {
    const s = asPopsCsr.start[a];
    const n = asPopsCsr.start[a + 1] - s;
    for (let i = 0; i < n; i++) {
      const p = asPopsCsr.items[s + i];
      popLocal[p] = i;
      for (let j = i + 1; j < n; j++) {
        const q = asPopsCsr.items[s + j];
        const km = greatCircleKm(popLat[p], popLon[p], popLat[q], popLon[q]);
        asDist[asDistStart[a] + i * n + j] = km;
        asDist[asDistStart[a] + j * n + i] = km;
      }
    }
  }

  const popSite = new Int16Array(popCount).fill(-1);
  sitePopList.forEach((p, i) => (popSite[p] = i));
  const asAsn = Int32Array.from(asAsnList);
  // Primary/backup: a share of multihomed ASes prefer one provider over the others.
  const providersOf: number[][] = asAsnList.map(() => []);
  for (const r of relations) if (r.rel === REL_PROVIDER_OF) providersOf[asIndex.get(r.b)!].push(r.a);
  const primary = new Int32Array(asCount).fill(-1);
  for (let a = 0; a < asCount; a++) {
    const provs = providersOf[a];
    if (provs.length < 2 || hashUnit(seed, 0x9819, asAsn[a]) >= config.knobs.primaryProviderShare) continue;
    let best = provs[0];
    for (const q of provs) if (hash32(seed, asAsn[a], q) < hash32(seed, asAsn[a], best)) best = q;
    primary[a] = best;
  }
  const edgeLocalPref = new Uint8Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) {
    const c = edgeClass[e];
    const receiver = popAs[edgeTo[e]];
    edgeLocalPref[e] =
      c === ROUTE_CLASS.fromCustomer
        ? LOCAL_PREF.customer
        : c === ROUTE_CLASS.fromPeer
          ? LOCAL_PREF.peer
          : asAsnList[popAs[edgeFrom[e]]] === primary[receiver]
            ? LOCAL_PREF.primaryProvider
            : LOCAL_PREF.provider;
  }
  const asPreferOldest = new Uint8Array(asCount);
  for (let a = 0; a < asCount; a++) asPreferOldest[a] = hashUnit(seed, 0x01de, asAsn[a]) < config.knobs.preferOldestShare ? 1 : 0;
  const popRouterId = new Uint32Array(popCount);
  for (let p = 0; p < popCount; p++) popRouterId[p] = hash32(seed, 0x1d, asAsn[popAs[p]], popLocal[p]);

  // --- targets ---------------------------------------------------------------
  const T = targets.length;
  const targetPop = new Int32Array(T);
  const targetAccessMs = new Float32Array(T);
  const targetResponsive = new Uint8Array(T);
  let homeless = 0;
  for (let t = 0; t < T; t++) {
    const row = targets[t];
    const a = asIndex.get(row.asn);
    const p = a === undefined ? -1 : (popByAsCity[a].get(row.city) ?? nearestPop(a, row.lat, row.lon));
    targetPop[t] = p;
    if (p < 0) homeless++;
    // Log-normal access delay around the median, from two stateless uniforms (Box-Muller).
    const u1 = Math.max(1e-12, hashUnit(seed, 0xacc, t));
    const u2 = hashUnit(seed, 0xacd, t);
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    targetAccessMs[t] = config.knobs.accessMedianMs * Math.exp(0.5 * z);
    targetResponsive[t] = hashUnit(seed, 0x5e5, t) < config.knobs.unresponsiveShare ? 0 : 1;
  }
  if (homeless > 0) warnings.push(`${homeless} target(s) belong to ASes without a PoP in the topology and are unreachable`);

  return {
    seed,
    knobs: config.knobs,
    operatorAsn: config.operatorAsn,
    siteIds: sites.map((s) => s.site),
    targetIds: targets.map((t) => t.target),
    targetWeight: Float64Array.from(targets, (t) => t.weight),
    asCount,
    asAsn,
    asPreferOldest,
    asPopStart: asPopsCsr.start,
    asPops: asPopsCsr.items,
    asInStart: asInCsr.start,
    asIn: asInCsr.items,
    asDistStart,
    asDist,
    operatorAs,
    popCount,
    popAs,
    popLocal,
    popLat,
    popLon,
    popCity,
    popRouterId,
    popOutStart: popOutCsr.start,
    popOut: popOutCsr.items,
    edgeCount,
    edgeFrom,
    edgeTo,
    edgeClass,
    edgeLocalPref,
    edgeKm,
    edgeDelayMs,
    sitePop: Int32Array.from(sitePopList),
    popSite,
    targetPop,
    targetAccessMs,
    targetResponsive,
    warnings,
    deadSites,
    homelessTargets: homeless,
  };
}

/** Intra-AS distance in km between two PoPs of the same AS. */
export function igpKm(twin: Twin, p: number, q: number): number {
  if (p === q) return 0;
  const a = twin.popAs[p];
  const n = twin.asPopStart[a + 1] - twin.asPopStart[a];
  return twin.asDist[twin.asDistStart[a] + twin.popLocal[p] * n + twin.popLocal[q]];
}
