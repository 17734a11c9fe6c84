/**
 * Policy checks for an announcement plan: the CI gate behind `anyopt validate`.
 * Predicts the plan's catchment with the shared rule of
 * `src/optimize/evaluate.ts` (first announcing site of each target's order),
 * then checks every rule of the policy and, for each violated one, names the
 * targets behind it: the slowest targets for RTT rules, the heaviest
 * unpredicted targets for coverage, the heaviest targets of an overloaded
 * site, and the targets that lost most against the baseline plan for
 * regression rules. Pure: no solver, no file system.
 */
import type { PreferenceModel } from '../orders/model.js';
import { assignSubset, summarize, type Assignment, type PlanSummary } from '../optimize/evaluate.js';
import type { Policy } from '../io/policy.js';
import { roundMs } from '../util/ms.js';

export interface WorstTarget {
  target: string;
  /** Site the target reaches under the plan, or null. */
  site: string | null;
  /** RTT (ms), RTT increase (ms) or weight, depending on the rule; null when unknown. */
  value: number | null;
  weight: number;
}

export interface RuleResult {
  rule: keyof Policy;
  /** `mean RTT <= 60 ms` */
  title: string;
  status: 'pass' | 'fail' | 'skip';
  measured: number | string | null;
  limit: number | string;
  /** One line a human reads in a CI log. */
  message: string;
  worst: WorstTarget[];
}

export interface ValidateResult {
  results: RuleResult[];
  summary: PlanSummary;
  baseline?: PlanSummary;
  failed: number;
}

export interface ValidateInput {
  model: PreferenceModel;
  weight: Float64Array;
  /** Plan sites as indices into model.siteIds. */
  plan: number[];
  baseline?: number[];
  policy: Policy;
  /** Worst targets listed per violated rule (default 5). */
  worst?: number;
}

function subsetOf(S: number, sites: number[]): Uint8Array {
  const a = new Uint8Array(S);
  for (const s of sites) a[s] = 1;
  return a;
}

function top(n: number, count: number, score: (i: number) => number, keep: (i: number) => boolean): number[] {
  // Partial selection of the n best indices by score (descending), O(count x n).
  const best: number[] = [];
  for (let i = 0; i < count; i++) {
    if (!keep(i)) continue;
    const v = score(i);
    if (best.length < n) {
      best.push(i);
      best.sort((a, b) => score(b) - score(a));
    } else if (v > score(best[n - 1])) {
      best[n - 1] = i;
      best.sort((a, b) => score(b) - score(a));
    }
  }
  return best;
}

const f1 = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(1));

export function validatePlan(input: ValidateInput): ValidateResult {
  const { model, weight, policy } = input;
  const S = model.siteIds.length;
  const T = model.targetIds.length;
  const n = input.worst ?? 5;
  const subset = subsetOf(S, input.plan);
  const a = assignSubset(model, subset);
  const summary = summarize(model, subset, a, weight);
  const results: RuleResult[] = [];
  // RTTs (and so a p95) to 0.001 ms (roundMs); a mean keeps its digits.
  const targetRow = (t: number, value: number | null, asg: Assignment = a): WorstTarget => ({
    target: model.targetIds[t],
    site: asg.site[t] >= 0 ? model.siteIds[asg.site[t]] : null,
    value: value === null ? null : roundMs(value),
    weight: weight[t],
  });
  const slowest = () => top(n, T, (t) => a.rttMs[t], (t) => !Number.isNaN(a.rttMs[t]) && weight[t] > 0).map((t) => targetRow(t, a.rttMs[t]));
  // null: the value does not exist (no target with a predicted RTT): say so, not "null".
  const shown = (m: RuleResult['measured']) => (typeof m === 'number' ? f1(m) : m === null ? 'undefined (no target with a predicted RTT)' : m);
  const push = (r: Omit<RuleResult, 'message'> & { message?: string }) => {
    const message = r.message ?? (r.status === 'pass' ? `${r.title}: ok (${shown(r.measured)})` : `${r.title}: violated, measured ${shown(r.measured)}`);
    results.push({ ...r, message });
  };

  if (policy.maxMeanMs !== undefined) {
    const v = summary.meanMs;
    const ok = Number.isFinite(v) && v <= policy.maxMeanMs;
    push({ rule: 'maxMeanMs', title: `mean RTT <= ${policy.maxMeanMs} ms`, status: ok ? 'pass' : 'fail', measured: Number.isFinite(v) ? v : null, limit: policy.maxMeanMs, worst: ok ? [] : slowest() });
  }
  if (policy.maxP95Ms !== undefined) {
    const v = summary.p95Ms;
    const ok = Number.isFinite(v) && v <= policy.maxP95Ms;
    push({ rule: 'maxP95Ms', title: `p95 RTT <= ${policy.maxP95Ms} ms`, status: ok ? 'pass' : 'fail', measured: Number.isFinite(v) ? roundMs(v) : null, limit: policy.maxP95Ms, worst: ok ? [] : slowest() });
  }
  if (policy.minCoverage !== undefined) {
    const v = summary.coverage;
    const ok = v >= policy.minCoverage - 1e-12;
    const worst = ok ? [] : top(n, T, (t) => weight[t], (t) => Number.isNaN(a.rttMs[t]) && weight[t] > 0).map((t) => targetRow(t, null));
    push({ rule: 'minCoverage', title: `coverage >= ${(policy.minCoverage * 100).toFixed(1)}%`, status: ok ? 'pass' : 'fail', measured: v, limit: policy.minCoverage, worst, message: `coverage >= ${(policy.minCoverage * 100).toFixed(1)}%: ${ok ? 'ok' : 'violated, measured'} ${(v * 100).toFixed(1)}%` });
  }
  const heaviest = (site: number) => top(n, T, (t) => weight[t], (t) => a.site[t] === site).map((t) => targetRow(t, weight[t]));
  const loadRule = (rule: 'maxSiteLoad' | 'maxSiteLoadShare', limit: number, value: (l: PlanSummary['load'][number]) => number, unit: (x: number) => string) => {
    let worst = summary.load[0];
    for (const l of summary.load) if (value(l) > value(worst)) worst = l;
    const measured = worst ? value(worst) : 0;
    const ok = measured <= limit * (1 + 1e-12);
    const title = rule === 'maxSiteLoad' ? `load per site <= ${limit}` : `load share per site <= ${(limit * 100).toFixed(1)}%`;
    push({
      rule,
      title,
      status: ok ? 'pass' : 'fail',
      measured,
      limit,
      worst: ok || !worst ? [] : heaviest(model.siteIds.indexOf(worst.site)),
      message: `${title}: ${ok ? 'ok, highest' : 'violated at'} ${worst ? worst.site : '-'} with ${unit(measured)}`,
    });
  };
  if (policy.maxSiteLoad !== undefined) loadRule('maxSiteLoad', policy.maxSiteLoad, (l) => l.load, (x) => String(Math.round(x * 1000) / 1000));
  if (policy.maxSiteLoadShare !== undefined) loadRule('maxSiteLoadShare', policy.maxSiteLoadShare, (l) => l.share, (x) => `${(x * 100).toFixed(1)}%`);
  const announced = new Set(summary.sites);
  if (policy.mustAnnounce !== undefined) {
    const missing = policy.mustAnnounce.filter((s) => !announced.has(s));
    push({
      rule: 'mustAnnounce',
      title: `announces ${policy.mustAnnounce.join(', ')}`,
      status: missing.length === 0 ? 'pass' : 'fail',
      measured: missing.length === 0 ? 'all announced' : `missing ${missing.join(', ')}`,
      limit: policy.mustAnnounce.join(','),
      worst: [],
      message: `must announce ${policy.mustAnnounce.join(', ')}: ${missing.length === 0 ? 'ok' : `violated, missing ${missing.join(', ')}`}`,
    });
  }
  if (policy.mustNotAnnounce !== undefined) {
    const present = policy.mustNotAnnounce.filter((s) => announced.has(s));
    push({
      rule: 'mustNotAnnounce',
      title: `does not announce ${policy.mustNotAnnounce.join(', ')}`,
      status: present.length === 0 ? 'pass' : 'fail',
      measured: present.length === 0 ? 'none announced' : `announces ${present.join(', ')}`,
      limit: policy.mustNotAnnounce.join(','),
      worst: [],
      message: `must not announce ${policy.mustNotAnnounce.join(', ')}: ${present.length === 0 ? 'ok' : `violated, announces ${present.join(', ')}`}`,
    });
  }
  if (policy.maxSites !== undefined) {
    const v = input.plan.length;
    push({ rule: 'maxSites', title: `at most ${policy.maxSites} sites`, status: v <= policy.maxSites ? 'pass' : 'fail', measured: v, limit: policy.maxSites, worst: [], message: `at most ${policy.maxSites} sites: ${v <= policy.maxSites ? 'ok' : 'violated'}, plan announces ${v}` });
  }

  let baseline: PlanSummary | undefined;
  if (policy.maxMeanRegressionPct !== undefined || policy.maxP95RegressionPct !== undefined) {
    let b: Assignment | undefined;
    if (input.baseline) {
      const bs = subsetOf(S, input.baseline);
      b = assignSubset(model, bs);
      baseline = summarize(model, bs, b, weight);
    }
    const losers = () =>
      top(n, T, (t) => a.rttMs[t] - b!.rttMs[t], (t) => weight[t] > 0 && !Number.isNaN(a.rttMs[t]) && !Number.isNaN(b!.rttMs[t]) && a.rttMs[t] > b!.rttMs[t]).map((t) =>
        targetRow(t, a.rttMs[t] - b!.rttMs[t]),
      );
    const regression = (rule: 'maxMeanRegressionPct' | 'maxP95RegressionPct', limit: number, key: 'meanMs' | 'p95Ms', label: string) => {
      const title = `${label} regression vs baseline <= ${limit}%`;
      if (!baseline) {
        push({ rule, title, status: 'skip', measured: null, limit, worst: [], message: `${title}: skipped (no --baseline plan given)` });
        return;
      }
      const now = summary[key];
      const before = baseline[key];
      const pctUp = Number.isFinite(now) && Number.isFinite(before) && before > 0 ? ((now - before) / before) * 100 : Number.NaN;
      const ok = Number.isFinite(pctUp) && pctUp <= limit + 1e-9;
      push({
        rule,
        title,
        status: ok ? 'pass' : 'fail',
        measured: Number.isFinite(pctUp) ? pctUp : null,
        limit,
        worst: ok ? [] : losers(),
        message: `${title}: ${ok ? 'ok' : 'violated'}, ${f1(before)} ms -> ${f1(now)} ms (${Number.isFinite(pctUp) ? `${pctUp >= 0 ? '+' : ''}${pctUp.toFixed(1)}%` : 'n/a'})`,
      });
    };
    if (policy.maxMeanRegressionPct !== undefined) regression('maxMeanRegressionPct', policy.maxMeanRegressionPct, 'meanMs', 'mean RTT');
    if (policy.maxP95RegressionPct !== undefined) regression('maxP95RegressionPct', policy.maxP95RegressionPct, 'p95Ms', 'p95 RTT');
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  return { results, summary, baseline, failed };
}
