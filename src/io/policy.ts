/**
 * policy.json: the rules `anyopt validate` checks an announcement plan
 * against (see docs/formats.md, section optimize). Every rule is optional;
 * unknown keys are an error so a typo never silently disables a rule.
 */
import { InputError, jsonValueText, type InputIssue } from './issues.js';
import { readJsonFile } from './open.js';

export interface Policy {
  /** Highest allowed predicted mean RTT, ms. */
  maxMeanMs?: number;
  /** Highest allowed predicted weighted p95 RTT, ms. */
  maxP95Ms?: number;
  /** Lowest allowed share of target weight with a predicted RTT, in [0, 1]. */
  minCoverage?: number;
  /** Highest allowed load (sum of target weights) on any one site. */
  maxSiteLoad?: number;
  /** Highest allowed share of all target weight on any one site, in (0, 1]. */
  maxSiteLoadShare?: number;
  /** Sites that must announce. */
  mustAnnounce?: string[];
  /** Sites that must not announce. */
  mustNotAnnounce?: string[];
  /** Most sites the plan may announce from. */
  maxSites?: number;
  /** Highest allowed increase of the mean RTT over the baseline plan, percent. */
  maxMeanRegressionPct?: number;
  /** Highest allowed increase of the p95 RTT over the baseline plan, percent. */
  maxP95RegressionPct?: number;
}

type Check = (v: unknown) => string | undefined;

const nonNegative: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'must be a number >= 0');
const share: Check = (v) => (typeof v === 'number' && v >= 0 && v <= 1 ? undefined : 'must be a number in [0, 1]');
const positiveInt: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? undefined : 'must be a positive integer');
const siteList: Check = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string' && x.trim() !== '') ? undefined : 'must be an array of site ids';

export const POLICY_RULES: Record<keyof Policy, Check> = {
  maxMeanMs: nonNegative,
  maxP95Ms: nonNegative,
  minCoverage: share,
  maxSiteLoad: nonNegative,
  maxSiteLoadShare: share,
  mustAnnounce: siteList,
  mustNotAnnounce: siteList,
  maxSites: positiveInt,
  maxMeanRegressionPct: nonNegative,
  maxP95RegressionPct: nonNegative,
};

export async function readPolicy(path: string, label = path): Promise<Policy> {
  const data = await readJsonFile(path, label);
  return parsePolicy(data, label);
}

export function parsePolicy(data: unknown, label: string): Policy {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw InputError.single({ file: label, expected: 'must be a JSON object of rules', received: JSON.stringify(data)?.slice(0, 40) });
  }
  const issues: InputIssue[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (key === '$schema' || key === 'description') continue;
    const check = POLICY_RULES[key as keyof Policy];
    if (!check) {
      issues.push({ file: label, column: key, expected: `is not a known rule (known: ${Object.keys(POLICY_RULES).join(', ')})` });
      continue;
    }
    const problem = check(value);
    if (problem) issues.push({ file: label, column: key, expected: problem, received: jsonValueText(value) });
    else out[key] = value;
  }
  if (issues.length > 0) throw new InputError(issues);
  return out as Policy;
}
