/**
 * The campaign file model (campaign.json, see docs/formats.md): the list of
 * announcement experiments a measurement run executes, in order, and the
 * checks that a file read from disk really is one. Pure: the caller reads the
 * bytes (src/io/campaign.ts) and renders the issues.
 */
import { createHash } from 'node:crypto';
import type { InputIssue } from '../io/issues.js';
import { SITE_ID } from '../util/ids.js';

export const CAMPAIGN_FORMAT = 'anyopt-campaign';
export const CAMPAIGN_VERSION = 1;

export interface CampaignSite {
  site: string;
  provider: string;
}

export interface Experiment {
  /** Unique id, written to the `experiment` column of observations.csv. */
  id: string;
  /** `single`: one site alone (unicast RTT); `pair`: two sites; `set`: any other announcement. */
  kind: 'single' | 'pair' | 'set';
  /** Site ids in announcement order. */
  sites: string[];
  /** Seconds between switching on consecutive sites. */
  spacingS: number;
  /** Seconds to wait after the last announcement before probing. */
  settleS: number;
}

export interface Campaign {
  format: typeof CAMPAIGN_FORMAT;
  version: typeof CAMPAIGN_VERSION;
  strategy: string;
  bothOrders: boolean;
  /** The anycast prefix under test, if the plan named it. */
  prefix?: string;
  sites: CampaignSite[];
  experiments: Experiment[];
  /** Sum over experiments of (sites - 1) * spacing + settle, in seconds. */
  expectedWallS: number;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/**
 * Check a parsed JSON value; returns the campaign or the issues found
 * (`column` carries the JSON path, e.g. `experiments[3].sites`).
 */
export function validateCampaign(value: unknown, file: string): { campaign?: Campaign; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const bad = (path: string, expected: string, received: unknown) =>
    issues.push({ file, column: path, expected, received: received === undefined ? 'nothing' : typeof received === 'string' ? received : JSON.stringify(received) });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    bad('(top level)', 'must be a JSON object', value);
    return { issues };
  }
  const v = value as Record<string, unknown>;
  if (v.format !== CAMPAIGN_FORMAT) bad('format', `must be "${CAMPAIGN_FORMAT}"`, v.format);
  if (v.version !== CAMPAIGN_VERSION) bad('version', `must be ${CAMPAIGN_VERSION}`, v.version);
  if (v.prefix !== undefined && (typeof v.prefix !== 'string' || v.prefix.trim() === '')) bad('prefix', 'must be a non-empty string when present', v.prefix);
  const siteIds = new Set<string>();
  const sites: CampaignSite[] = [];
  if (!Array.isArray(v.sites) || v.sites.length === 0) bad('sites', 'must be a non-empty array of {site, provider}', v.sites);
  else {
    v.sites.forEach((s: unknown, i) => {
      const o = s as Record<string, unknown>;
      if (typeof o !== 'object' || o === null || typeof o.site !== 'string' || !SITE_ID.test(o.site) || typeof o.provider !== 'string' || o.provider === '') {
        bad(`sites[${i}]`, 'must be {"site": id, "provider": name} with a site id of letters, digits, ".", "_", ":" or "-"', s);
      } else if (siteIds.has(o.site)) bad(`sites[${i}].site`, 'must be unique', o.site);
      else {
        siteIds.add(o.site);
        sites.push({ site: o.site, provider: o.provider });
      }
    });
  }
  const experiments: Experiment[] = [];
  const expIds = new Set<string>();
  if (!Array.isArray(v.experiments) || v.experiments.length === 0) bad('experiments', 'must be a non-empty array', v.experiments);
  else {
    v.experiments.forEach((e: unknown, i) => {
      const o = e as Record<string, unknown>;
      const at = `experiments[${i}]`;
      if (typeof o !== 'object' || o === null) return void bad(at, 'must be an object', e);
      const before = issues.length;
      if (typeof o.id !== 'string' || !ID.test(o.id)) bad(`${at}.id`, 'must be an id of letters, digits, ".", "_", ":" or "-"', o.id);
      else if (expIds.has(o.id)) bad(`${at}.id`, 'must be unique', o.id);
      if (o.kind !== 'single' && o.kind !== 'pair' && o.kind !== 'set') bad(`${at}.kind`, 'must be "single", "pair" or "set"', o.kind);
      if (!Array.isArray(o.sites) || o.sites.length === 0) bad(`${at}.sites`, 'must be a non-empty array of site ids', o.sites);
      else {
        const seen = new Set<string>();
        for (const s of o.sites) {
          if (typeof s !== 'string' || !siteIds.has(s)) bad(`${at}.sites`, 'must name sites listed in "sites"', s);
          else if (seen.has(s)) bad(`${at}.sites`, 'must not repeat a site', s);
          else seen.add(s);
        }
      }
      // single announces one site, pair two, set more: a kind that says otherwise is a hand edit gone wrong.
      const want = o.kind === 'single' ? 1 : o.kind === 'pair' ? 2 : undefined;
      if (want !== undefined && Array.isArray(o.sites) && o.sites.length !== want) bad(`${at}.sites`, `must hold ${want} site${want === 1 ? '' : 's'} for kind "${o.kind as string}"`, o.sites);
      for (const k of ['spacingS', 'settleS'] as const) {
        if (typeof o[k] !== 'number' || !Number.isFinite(o[k]) || (o[k] as number) < 0) bad(`${at}.${k}`, 'must be a number >= 0', o[k]);
      }
      if (issues.length === before) {
        expIds.add(o.id as string);
        experiments.push({ id: o.id as string, kind: o.kind as Experiment['kind'], sites: [...(o.sites as string[])], spacingS: o.spacingS as number, settleS: o.settleS as number });
      }
    });
  }
  if (issues.length > 0) return { issues };
  let wall = 0;
  for (const e of experiments) wall += Math.max(0, e.sites.length - 1) * e.spacingS + e.settleS;
  return {
    issues,
    campaign: {
      format: CAMPAIGN_FORMAT,
      version: CAMPAIGN_VERSION,
      strategy: typeof v.strategy === 'string' ? v.strategy : 'custom',
      bothOrders: v.bothOrders === true,
      ...(typeof v.prefix === 'string' ? { prefix: v.prefix } : {}),
      sites,
      experiments,
      expectedWallS: wall,
    },
  };
}

/**
 * A digest of everything that changes what a run measures (sites, experiments,
 * their order, timing, prefix); formatting and `expectedWallS` do not count.
 * The journal records it so a resumed run refuses a changed campaign.
 */
export function campaignDigest(c: Campaign): string {
  const canonical = JSON.stringify({
    prefix: c.prefix ?? null,
    sites: c.sites.map((s) => [s.site, s.provider]),
    experiments: c.experiments.map((e) => [e.id, e.kind, e.sites, e.spacingS, e.settleS]),
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** Digest of an ordered list of ids (the targets of a run). */
export function listDigest(ids: readonly string[]): string {
  const h = createHash('sha256');
  for (const id of ids) h.update(id).update('\n');
  return h.digest('hex').slice(0, 32);
}
