/**
 * `--explain`: the forward path of one target, router by router, with the
 * route each router chose and the decision step that beat its strongest
 * alternative. Runs the reference decision chain of `decision.ts` on the
 * converged state, so it also serves as a cross-check of the engine.
 */
import { selectBest, type CandidateRoute, type DecisionStep } from './decision.js';
import { ORIGIN_EDGE, type RoutingState } from './bgp.js';
import { igpKm, type Twin } from './twin.js';

export interface RouteView extends CandidateRoute {
  /** The session the route arrived on (at the exit router). */
  edge: number;
  /** AS numbers, nearest first. */
  asPath: number[];
  exitCity: string;
  neighborAsn: number;
}

export interface ExplainHop {
  asn: number;
  city: string;
  routerId: string;
  chosen: RouteView;
  decidedBy: DecisionStep;
  runnerUp?: RouteView;
  candidates: number;
  preferOldest: boolean;
}

export interface Explanation {
  target: string;
  site: string | undefined;
  hops: ExplainHop[];
  /** Why the walk stopped without a site (no route, unresponsive, no PoP). */
  note?: string;
}

function ipv4(id: number): string {
  return `${id >>> 24}.${(id >>> 16) & 255}.${(id >>> 8) & 255}.${id & 255}`;
}

function viewOf(state: RoutingState, e: number, atPop: number, ibgp: boolean): RouteView {
  const { twin, ribIn, ribTime, routes } = state;
  const r = ribIn[e];
  const exit = twin.edgeTo[e];
  return {
    edge: e,
    localPref: twin.edgeLocalPref[e],
    asPathLength: routes.len[r],
    ibgp,
    igpCost: ibgp ? igpKm(twin, atPop, exit) : 0,
    receivedAt: ribTime[e],
    routerId: ibgp ? twin.popRouterId[exit] : twin.popRouterId[twin.edgeFrom[e]],
    asPath: routes.path(r).map((a) => twin.asAsn[a]),
    exitCity: twin.popCity[exit],
    neighborAsn: twin.asAsn[twin.popAs[twin.edgeFrom[e]]],
  };
}

/** The candidates router `p` chooses among, as the decision process sees them. */
export function candidatesAt(state: RoutingState, p: number): RouteView[] {
  const { twin, ribIn } = state;
  const a = twin.popAs[p];
  const preferOldest = twin.asPreferOldest[a] === 1;
  const own = (q: number) => {
    const out: RouteView[] = [];
    for (let k = twin.asInStart[a]; k < twin.asInStart[a + 1]; k++) {
      const e = twin.asIn[k];
      if (twin.edgeTo[e] === q && ribIn[e] >= 0) out.push(viewOf(state, e, p, false));
    }
    return out;
  };
  const cands = own(p);
  for (let k = twin.asPopStart[a]; k < twin.asPopStart[a + 1]; k++) {
    const q = twin.asPops[k];
    if (q === p) continue;
    // Another border router offers its best external route over iBGP.
    const ext = selectBest(own(q), preferOldest);
    if (ext) cands.push(viewOf(state, ext.best.edge, p, true));
  }
  return cands;
}

/** The decision at router p: chosen route, deciding step and runner-up. */
export function decideAt(state: RoutingState, p: number) {
  const a = state.twin.popAs[p];
  return selectBest(candidatesAt(state, p), state.twin.asPreferOldest[a] === 1);
}

export function explainTarget(state: RoutingState, t: number): Explanation {
  const { twin, bestEdge } = state;
  const target = twin.targetIds[t];
  let p = twin.targetPop[t];
  if (p < 0) return { target, site: undefined, hops: [], note: 'the target\'s AS has no PoP in the topology' };
  const hops: ExplainHop[] = [];
  for (let guard = 0; guard < 64; guard++) {
    const e = bestEdge[p];
    if (e === ORIGIN_EDGE) {
      const s = twin.popSite[p];
      return {
        target,
        site: twin.siteIds[s],
        hops,
        ...(twin.targetResponsive[t] ? {} : { note: 'this target never answers probes: measurements see it as unreachable' }),
      };
    }
    if (e < 0) return { target, site: undefined, hops, note: `AS${twin.asAsn[twin.popAs[p]]} at ${twin.popCity[p]} has no route to the anycast prefix` };
    const d = decideAt(state, p);
    const a = twin.popAs[p];
    const chosen = d?.best ?? viewOf(state, e, p, twin.edgeTo[e] !== p);
    hops.push({
      asn: twin.asAsn[a],
      city: twin.popCity[p],
      routerId: ipv4(twin.popRouterId[p]),
      chosen,
      decidedBy: d?.step ?? 'only-route',
      ...(d?.runnerUp ? { runnerUp: d.runnerUp } : {}),
      candidates: candidatesAt(state, p).length,
      preferOldest: twin.asPreferOldest[a] === 1,
    });
    p = twin.edgeFrom[e];
  }
  return { target, site: undefined, hops, note: 'forwarding loop (a bug: please report it)' };
}

/** Short human label of a decision step. */
export const STEP_LABEL: Record<DecisionStep, string> = {
  'local-pref': 'highest local-pref',
  'as-path-length': 'shortest AS path',
  'ebgp-over-ibgp': 'eBGP over iBGP',
  'igp-cost': 'lowest IGP cost (hot potato)',
  oldest: 'oldest route',
  'router-id': 'lowest router id',
  'only-route': 'only route',
};

export function formatExplanation(x: Explanation): string {
  const lines: string[] = [];
  lines.push(`target ${x.target} -> ${x.site ?? 'unreachable'}`);
  x.hops.forEach((h, i) => {
    const c = h.chosen;
    const via = c.ibgp ? `iBGP via exit ${c.exitCity} (${Math.round(c.igpCost)} km)` : `eBGP from AS${c.neighborAsn} at ${c.exitCity}`;
    lines.push(`${i + 1}. AS${h.asn} router ${h.routerId} at ${h.city}: path ${c.asPath.join(' ')} local-pref ${c.localPref}, ${via}`);
    const why = STEP_LABEL[h.decidedBy];
    if (h.runnerUp) {
      const r = h.runnerUp;
      const detail: Record<DecisionStep, string> = {
        'local-pref': `${c.localPref} vs ${r.localPref}`,
        'as-path-length': `${c.asPathLength} vs ${r.asPathLength}`,
        'ebgp-over-ibgp': 'eBGP vs iBGP',
        'igp-cost': `${Math.round(c.igpCost)} km vs ${Math.round(r.igpCost)} km`,
        oldest: `received ${Math.round((r.receivedAt - c.receivedAt) / 100) / 10} s earlier`,
        'router-id': `${ipv4(c.routerId)} vs ${ipv4(r.routerId)}`,
        'only-route': '',
      };
      lines.push(`   decided by ${why} (${detail[h.decidedBy]}) over path ${r.asPath.join(' ')} ${r.ibgp ? `via ${r.exitCity}` : `from AS${r.neighborAsn}`}; ${h.candidates} candidates`);
    } else {
      lines.push(`   ${why}`);
    }
  });
  if (x.note) lines.push(`note: ${x.note}`);
  return lines.join('\n');
}
