/**
 * The routing engine: event-driven BGP for one anycast prefix over the
 * router-level twin. Sites are switched on one after another (announcement
 * order, `spacingS` apart); updates travel over sessions with their delays and
 * are processed in time order, so "who heard what first" is real and the
 * oldest-route step can make catchments depend on announcement order.
 *
 * Each border router (PoP) selects its own best route with the decision
 * process of `decision.ts`, implemented in stages for speed:
 *  1. local-pref (per session) and AS-path length are AS-wide: every router of an AS sees the
 *     routes its AS learned over eBGP (full iBGP mesh), so the AS keeps the best
 *     (class, length) key and the set of eBGP routes that reach it;
 *  2. a router holding such a route over its own eBGP session takes it (eBGP
 *     over iBGP), choosing among several by age (in ASes that prefer the oldest)
 *     then by the neighbour's router id: this is its "external best";
 *  3. every other router takes the external best of the nearest exit router
 *     (hot potato: lowest IGP cost), then the lowest exit router id.
 * Routers export their best route under Gao-Rexford rules (customer routes to
 * everyone, others only to customers), with sender-side loop prevention;
 * updates whose AS path did not change are suppressed (a neighbour that has the route keeps it),
 * while a change of the route's class still reaches the neighbours it now may go to.
 *
 * Deviations: iBGP propagation is instantaneous; there is no MRAI timer (the
 * seeded per-session processing delay stands in for it); remote routers see
 * each exit's external best (as with best-external), not only routes that are
 * some router's overall best.
 */
import { igpKm, ROUTE_CLASS, type Twin } from './twin.js';
import { hashUnit } from '../util/random.js';
import type { AnnouncementSpec, Catchment } from './twin-api.js';

const NONE = -1;
/** Own (originated) route marker in bestEdge. */
export const ORIGIN_EDGE = -2;

/** Growable parallel arrays of route records (one per exported path). */
class RoutePool {
  len = new Uint16Array(1 << 14);
  parent = new Int32Array(1 << 14);
  as = new Int32Array(1 << 14);
  count = 0;
  add(len: number, parent: number, as: number): number {
    if (this.count === this.len.length) {
      const n = this.count * 2;
      const l = new Uint16Array(n);
      l.set(this.len);
      const p = new Int32Array(n);
      p.set(this.parent);
      const a = new Int32Array(n);
      a.set(this.as);
      this.len = l;
      this.parent = p;
      this.as = a;
    }
    const id = this.count++;
    this.len[id] = len;
    this.parent[id] = parent;
    this.as[id] = as;
    return id;
  }
  hasAs(r: number, a: number): boolean {
    for (let x = r; x >= 0; x = this.parent[x]) if (this.as[x] === a) return true;
    return false;
  }
  samePath(r1: number, r2: number): boolean {
    let x = r1;
    let y = r2;
    while (x >= 0 && y >= 0) {
      if (this.as[x] !== this.as[y] || this.len[x] !== this.len[y]) return false;
      x = this.parent[x];
      y = this.parent[y];
    }
    return x === y;
  }
  /** AS path as AS indexes, nearest first (prepends expanded). */
  path(r: number): number[] {
    const out: number[] = [];
    for (let x = r; x >= 0; x = this.parent[x]) {
      const own = this.len[x] - (this.parent[x] >= 0 ? this.len[this.parent[x]] : 0);
      for (let i = 0; i < own; i++) out.push(this.as[x]);
    }
    return out;
  }
}

/** Binary min-heap of update messages keyed by (time, sequence). */
class MessageQueue {
  time = new Float64Array(1 << 12);
  seq = new Float64Array(1 << 12);
  edge = new Int32Array(1 << 12);
  route = new Int32Array(1 << 12);
  size = 0;
  private counter = 0;
  private grow(): void {
    const n = this.time.length * 2;
    const t = new Float64Array(n);
    t.set(this.time);
    const s = new Float64Array(n);
    s.set(this.seq);
    const e = new Int32Array(n);
    e.set(this.edge);
    const r = new Int32Array(n);
    r.set(this.route);
    this.time = t;
    this.seq = s;
    this.edge = e;
    this.route = r;
  }
  private less(i: number, j: number): boolean {
    return this.time[i] < this.time[j] || (this.time[i] === this.time[j] && this.seq[i] < this.seq[j]);
  }
  private swap(i: number, j: number): void {
    const t = this.time[i];
    this.time[i] = this.time[j];
    this.time[j] = t;
    const s = this.seq[i];
    this.seq[i] = this.seq[j];
    this.seq[j] = s;
    const e = this.edge[i];
    this.edge[i] = this.edge[j];
    this.edge[j] = e;
    const r = this.route[i];
    this.route[i] = this.route[j];
    this.route[j] = r;
  }
  push(time: number, edge: number, route: number): void {
    if (this.size === this.time.length) this.grow();
    let i = this.size++;
    this.time[i] = time;
    this.seq[i] = this.counter++;
    this.edge[i] = edge;
    this.route[i] = route;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  /** Remove the head; its fields are left at index `size` for the caller to read. */
  pop(): number {
    const last = --this.size;
    this.swap(0, last);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.less(r, l) ? r : l;
      if (!this.less(c, i)) break;
      this.swap(c, i);
      i = c;
    }
    return last;
  }
}

/** The converged routing state after one announcement. */
export interface RoutingState {
  twin: Twin;
  /** Route record received over each session (-1: none). */
  ribIn: Int32Array;
  /** Time each session's current route was received, ms. */
  ribTime: Float64Array;
  /** Per PoP: the session whose route it uses (-1 none, ORIGIN_EDGE for an announcing site). */
  bestEdge: Int32Array;
  /** Per AS: best (class, length) key, -1 when it has no route. */
  bestKey: Int32Array;
  routes: RoutePool;
  /** Updates processed until convergence. */
  messages: number;
}

/** AS-wide preference of a route: local-pref first, then shorter AS path. */
export function routeKey(localPref: number, asPathLength: number): number {
  return localPref * 4096 - asPathLength;
}

/** Resolve site ids and validate an announcement against the twin. */
export function announcementSites(twin: Twin, spec: AnnouncementSpec): number[] {
  return spec.sites.map((id) => {
    const i = twin.siteIds.indexOf(id);
    if (i < 0) throw new RangeError(`unknown site "${id}" (the scenario has ${twin.siteIds.join(', ')})`);
    return i;
  });
}

/** Run BGP to convergence for one announcement. */
export function runAnnouncement(twin: Twin, spec: AnnouncementSpec): RoutingState {
  const siteOrder = announcementSites(twin, spec);
  const spacingMs = (spec.spacingS ?? twin.knobs.announceSpacingS) * 1000;
  const { edgeTo, edgeFrom, edgeClass, edgeLocalPref, edgeDelayMs, popAs, asInStart, asIn, asPopStart, asPops, popOutStart, popOut, popRouterId, asPreferOldest } = twin;
  const E = twin.edgeCount;
  const P = twin.popCount;
  const A = twin.asCount;
  const ribIn = new Int32Array(E).fill(NONE);
  const ribTime = new Float64Array(E);
  const sent = new Int32Array(E).fill(NONE);
  const bestEdge = new Int32Array(P).fill(NONE);
  const bestRoute = new Int32Array(P).fill(NONE);
  const exported = new Int32Array(P).fill(NONE);
  const bestKey = new Int32Array(A).fill(NONE);
  const extBest = new Int32Array(P).fill(NONE);
  const routes = new RoutePool();
  const queue = new MessageQueue();
  let messages = 0;

  const keyOf = (e: number, r: number) => (r < 0 ? NONE : routeKey(edgeLocalPref[e], routes.len[r]));

  /** Export p's current best to its eBGP neighbours. */
  const announceFrom = (p: number, t: number) => {
    const r = bestRoute[p];
    const be = bestEdge[p];
    let rec = NONE;
    let cls = 0;
    if (r >= 0) {
      cls = be === ORIGIN_EDGE ? ROUTE_CLASS.own : edgeClass[be];
      if (be === ORIGIN_EDGE) rec = r;
      else if (exported[p] >= 0 && routes.len[exported[p]] === routes.len[r] + 1 && routes.samePath(routes.parent[exported[p]], r)) {
        // Same AS path as before: the neighbours that have it keep it (its age downstream is not
        // reset), but the route's class may have changed (a peer route now also learned from a
        // customer), which changes who may receive it: the loop below sends only to those.
        rec = exported[p];
      } else rec = routes.add(routes.len[r] + 1, r, popAs[p]);
    }
    exported[p] = rec;
    for (let k = popOutStart[p]; k < popOutStart[p + 1]; k++) {
      const e = popOut[k];
      let send = NONE;
      if (rec >= 0 && (cls >= ROUTE_CLASS.fromCustomer || edgeClass[e] === ROUTE_CLASS.fromProvider) && !routes.hasAs(rec, popAs[edgeTo[e]])) send = rec;
      if (send === sent[e]) continue;
      sent[e] = send;
      queue.push(t + edgeDelayMs[e], e, send);
    }
  };

  const betterExternal = (a: number, e1: number, e2: number) => {
    if (asPreferOldest[a] && ribTime[e1] !== ribTime[e2]) return ribTime[e1] < ribTime[e2];
    const r1 = popRouterId[edgeFrom[e1]];
    const r2 = popRouterId[edgeFrom[e2]];
    if (r1 !== r2) return r1 < r2;
    return e1 < e2;
  };

  /** Re-run router-level selection in AS a after its set of best routes changed. */
  const reselect = (a: number, t: number) => {
    const K = bestKey[a];
    const ps = asPopStart[a];
    const pe = asPopStart[a + 1];
    for (let k = ps; k < pe; k++) extBest[asPops[k]] = NONE;
    if (K !== NONE) {
      for (let k = asInStart[a]; k < asInStart[a + 1]; k++) {
        const e = asIn[k];
        const r = ribIn[e];
        if (r < 0 || keyOf(e, r) !== K) continue;
        const v = edgeTo[e];
        if (extBest[v] === NONE || betterExternal(a, e, extBest[v])) extBest[v] = e;
      }
    }
    for (let k = ps; k < pe; k++) {
      const p = asPops[k];
      let choice = extBest[p];
      if (choice === NONE && K !== NONE) {
        let bestKm = Infinity;
        let bestId = 0;
        let bestQ = -1;
        for (let j = ps; j < pe; j++) {
          const q = asPops[j];
          if (extBest[q] === NONE) continue;
          const km = igpKm(twin, p, q);
          const id = popRouterId[q];
          if (km < bestKm || (km === bestKm && (id < bestId || (id === bestId && q < bestQ)))) {
            bestKm = km;
            bestId = id;
            bestQ = q;
          }
        }
        if (bestQ >= 0) choice = extBest[bestQ];
      }
      const r = choice === NONE ? NONE : ribIn[choice];
      bestEdge[p] = choice;
      if (r !== bestRoute[p]) {
        bestRoute[p] = r;
        announceFrom(p, t);
      }
    }
  };

  const receive = (e: number, r: number, t: number) => {
    const v = edgeTo[e];
    const a = popAs[v];
    if (a === twin.operatorAs) return; // the origin never uses routes to its own prefix
    if (r >= 0 && routes.hasAs(r, a)) r = NONE;
    const old = ribIn[e];
    if (old === r) return;
    const oldKey = keyOf(e, old);
    const newKey = keyOf(e, r);
    ribIn[e] = r;
    ribTime[e] = t;
    if (newKey > bestKey[a]) {
      bestKey[a] = newKey;
      reselect(a, t);
    } else if (newKey !== NONE && newKey === bestKey[a]) {
      reselect(a, t);
    } else if (oldKey !== NONE && oldKey === bestKey[a]) {
      let m = NONE;
      for (let k = asInStart[a]; k < asInStart[a + 1]; k++) {
        const x = asIn[k];
        const kk = keyOf(x, ribIn[x]);
        if (kk > m) m = kk;
      }
      bestKey[a] = m;
      reselect(a, t);
    }
  };

  // Switch the sites on in order, draining updates in time order in between.
  for (let i = 0; i < siteOrder.length; i++) {
    const t0 = i * spacingMs;
    while (queue.size > 0 && queue.time[0] <= t0) {
      const at = queue.pop();
      messages++;
      receive(queue.edge[at], queue.route[at], queue.time[at]);
    }
    const s = siteOrder[i];
    const p = twin.sitePop[s];
    const prepend = spec.prepend?.[twin.siteIds[s]] ?? 0;
    const rec = routes.add(1 + prepend, NONE, twin.operatorAs);
    bestEdge[p] = ORIGIN_EDGE;
    bestRoute[p] = rec;
    announceFrom(p, t0);
  }
  while (queue.size > 0) {
    const at = queue.pop();
    messages++;
    receive(queue.edge[at], queue.route[at], queue.time[at]);
  }
  return { twin, ribIn, ribTime, bestEdge, bestKey, routes, messages };
}

/** Per PoP: the site its traffic reaches, km travelled and AS hops (data plane, hop by hop). */
export interface Forwarding {
  site: Int16Array;
  km: Float32Array;
  hops: Uint8Array;
}

export function forwarding(state: RoutingState): Forwarding {
  const { twin, bestEdge } = state;
  const P = twin.popCount;
  const site = new Int16Array(P).fill(-2); // -2: not yet resolved
  const km = new Float32Array(P);
  const hops = new Uint8Array(P);
  const stack: number[] = [];
  for (let p0 = 0; p0 < P; p0++) {
    if (site[p0] !== -2) continue;
    let p = p0;
    // Walk forward until a resolved PoP, a site, or a dead end.
    while (site[p] === -2) {
      const e = bestEdge[p];
      if (e === ORIGIN_EDGE) {
        site[p] = twin.popSite[p];
        km[p] = 0;
        hops[p] = 0;
        break;
      }
      if (e < 0 || stack.length > 255) {
        site[p] = -1;
        break;
      }
      stack.push(p);
      p = twin.edgeFrom[e];
    }
    while (stack.length > 0) {
      const q = stack.pop()!;
      const e = bestEdge[q];
      const u = twin.edgeFrom[e];
      site[q] = site[u];
      km[q] = km[u] + twin.edgeKm[e] + igpKm(twin, q, twin.edgeTo[e]);
      hops[q] = Math.min(255, hops[u] + 1);
    }
  }
  return { site, km, hops };
}

/** Stable per-(target, site) jitter, ms: |N(0, sd)| from a stateless hash. */
export function stableJitterMs(twin: Twin, target: number, site: number): number {
  const u1 = Math.max(1e-12, hashUnit(twin.seed, 0x717, target, site));
  const u2 = hashUnit(twin.seed, 0x718, target, site);
  return Math.abs(Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)) * twin.knobs.stableJitterMs;
}

/** RTT of a path: propagation both ways plus per-hop delay, access delay and stable jitter. */
export function pathRttMs(twin: Twin, target: number, site: number, km: number, hops: number): number {
  const oneWay = (km * twin.knobs.fiberInflation) / 200 + hops * twin.knobs.perHopMs;
  return 2 * oneWay + twin.targetAccessMs[target] + stableJitterMs(twin, target, site);
}

/** Ground truth catchment and RTT of every target for one announcement. */
/** The catching site per target (-1: unreachable or not answering) under a forwarding state. */
function catchingSites(twin: Twin, fw: Forwarding): Int16Array {
  const T = twin.targetIds.length;
  const site = new Int16Array(T);
  for (let t = 0; t < T; t++) {
    const p = twin.targetPop[t];
    site[t] = p < 0 || !twin.targetResponsive[t] ? -1 : fw.site[p];
  }
  return site;
}
export function catchmentFromState(state: RoutingState): Catchment {
  const { twin } = state;
  const fw = forwarding(state);
  const site = catchingSites(twin, fw);
  const rttMs = new Float32Array(site.length);
  for (let t = 0; t < site.length; t++) {
    const s = site[t];
    const p = twin.targetPop[t];
    rttMs[t] = s < 0 ? Number.NaN : pathRttMs(twin, t, s, fw.km[p], fw.hops[p]);
  }
  return { site, rttMs };
}

export function computeCatchment(twin: Twin, spec: AnnouncementSpec): Catchment {
  return catchmentFromState(runAnnouncement(twin, spec));
}

/** The catching site per target alone (-1: none), without the RTTs, for callers that only compare sites (sim stats' pairs). */
export function computeCatchmentSites(twin: Twin, spec: AnnouncementSpec): Int16Array {
  return catchingSites(twin, forwarding(runAnnouncement(twin, spec)));
}
