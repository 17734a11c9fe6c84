/**
 * The BGP decision process as an ordered chain of named comparators (RFC 4271
 * section 9.1 as vendors implement it), written once. Each step only looks at
 * routes that tied on every earlier step; the first step that separates two
 * routes is recorded as the reason, for `--explain`.
 *
 * Modelled steps: local-pref by Gao-Rexford relationship (customer > peer >
 * provider; a share of multihomed ASes also prefer a primary provider), AS-path length (prepends count), eBGP over iBGP, IGP cost to the
 * exit (hot potato: great-circle distance inside the AS), oldest external
 * route (only in ASes configured to prefer it, like Cisco's default; the rest
 * skip it, like FRR with compare-router-id or BIRD without `prefer older`),
 * lowest router id. Not modelled: ORIGIN (every route here is IGP) and MED
 * (no AS in the twin sets one); documented deviations.
 *
 * The routing engine (`bgp.ts`) implements the same order with a faster staged
 * selection; a test checks it against this chain router by router.
 */

/** Local-pref by relationship; `primaryProvider` is the preferred upstream of a multihomed AS with a primary/backup policy. */
export const LOCAL_PREF = { provider: 80, primaryProvider: 85, peer: 90, customer: 100, own: 200 } as const;

/** What a router knows about one candidate route. */
export interface CandidateRoute {
  localPref: number;
  asPathLength: number;
  /** Learned over iBGP from another border router of the same AS. */
  ibgp: boolean;
  /** Distance in km from this router to the exit router (0 for eBGP routes). */
  igpCost: number;
  /** Time the exit router received the route, ms. */
  receivedAt: number;
  /** Router id compared in the last step (the eBGP neighbour, or the iBGP exit router). */
  routerId: number;
}

export type DecisionStep = 'local-pref' | 'as-path-length' | 'ebgp-over-ibgp' | 'igp-cost' | 'oldest' | 'router-id' | 'only-route';

export interface Comparator {
  step: DecisionStep;
  /** Negative when `a` is better. */
  compare(a: CandidateRoute, b: CandidateRoute, preferOldest: boolean): number;
}

export const DECISION_PROCESS: readonly Comparator[] = [
  { step: 'local-pref', compare: (a, b) => b.localPref - a.localPref },
  { step: 'as-path-length', compare: (a, b) => a.asPathLength - b.asPathLength },
  { step: 'ebgp-over-ibgp', compare: (a, b) => Number(a.ibgp) - Number(b.ibgp) },
  { step: 'igp-cost', compare: (a, b) => a.igpCost - b.igpCost },
  // Oldest applies to external routes only, and only where the router is configured for it.
  { step: 'oldest', compare: (a, b, preferOldest) => (preferOldest && !a.ibgp && !b.ibgp ? a.receivedAt - b.receivedAt : 0) },
  { step: 'router-id', compare: (a, b) => a.routerId - b.routerId },
];

/** Compare two routes; returns the sign and the deciding step. */
export function compareRoutes(a: CandidateRoute, b: CandidateRoute, preferOldest: boolean): { order: number; step: DecisionStep } {
  for (const c of DECISION_PROCESS) {
    const d = c.compare(a, b, preferOldest);
    if (d !== 0) return { order: d, step: c.step };
  }
  return { order: 0, step: 'router-id' };
}

/**
 * Pick the best of several candidates and say which step beat the strongest
 * runner-up (the one that survived the most steps).
 */
export function selectBest<T extends CandidateRoute>(candidates: readonly T[], preferOldest: boolean): { best: T; step: DecisionStep; runnerUp?: T } | undefined {
  if (candidates.length === 0) return undefined;
  let best = candidates[0];
  for (let i = 1; i < candidates.length; i++) {
    if (compareRoutes(candidates[i], best, preferOldest).order < 0) best = candidates[i];
  }
  if (candidates.length === 1) return { best, step: 'only-route' };
  let runnerUp: T | undefined;
  let deepest = -1;
  let step: DecisionStep = 'router-id';
  for (const c of candidates) {
    if (c === best) continue;
    const r = compareRoutes(best, c, preferOldest);
    const depth = DECISION_PROCESS.findIndex((x) => x.step === r.step);
    if (depth > deepest) {
      deepest = depth;
      step = r.step;
      runnerUp = c;
    }
  }
  return { best, step, runnerUp };
}
