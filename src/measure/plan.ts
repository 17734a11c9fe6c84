/**
 * Campaign planning: which announcement experiments to run, in which order.
 *
 * Models AnyOpt's (SIGCOMM 2021) measurement design. An experiment announces
 * the anycast prefix from a few sites, switched on one after another
 * `spacingS` apart, waits `settleS` for BGP to converge, and maps every
 * target's catchment site and RTT.
 *
 * Strategies:
 * - `pairwise`: AnyOpt's full design: every site alone (unicast RTT), then
 *   every unordered pair (n + n(n-1)/2 experiments).
 * - `provider`: uses AnyOpt's two-level model (a client's choice between two
 *   transit providers does not depend on which of their sites announce;
 *   inside one provider, the provider's own routing picks the site): every
 *   site alone, one representative pair per pair of providers (the first site
 *   of each provider in sites.csv order), and every pair of sites on the same
 *   provider. Sites with several providers are not modelled: each site has
 *   exactly one provider, as in the paper's testbed.
 *
 * Deviation from the paper: singles are part of every strategy (they give the
 * unicast RTT of every site, which prediction needs for RTTs), and with
 * `bothOrders` every pair is also run in the reverse announcement order so
 * that clients whose routers keep the oldest route show up as order-sensitive.
 *
 * Pure: no I/O. The campaign file model is in `campaign.ts`.
 */
import type { Campaign, CampaignSite, Experiment } from './campaign.js';
import { CAMPAIGN_FORMAT, CAMPAIGN_VERSION } from './campaign.js';

export const STRATEGIES = ['pairwise', 'provider'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface PlanOptions {
  strategy: Strategy;
  /** Run each pair in both announcement orders. */
  bothOrders?: boolean;
  /** Seconds between switching on consecutive sites of one experiment. */
  spacingS: number;
  /** Seconds to wait after the last announcement before probing. */
  settleS: number;
  /** The anycast prefix under test (exec driver's `{prefix}`), if known. */
  prefix?: string;
}

/** Site pairs in announcement order (first announced first) for a strategy. */
export function planPairs(sites: readonly CampaignSite[], strategy: Strategy): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (strategy === 'pairwise') {
    for (let i = 0; i < sites.length; i++) for (let j = i + 1; j < sites.length; j++) pairs.push([sites[i].site, sites[j].site]);
    return pairs;
  }
  // provider: group sites by provider, in order of first appearance.
  const groups = new Map<string, string[]>();
  for (const s of sites) {
    const g = groups.get(s.provider);
    if (g) g.push(s.site);
    else groups.set(s.provider, [s.site]);
  }
  const list = [...groups.values()];
  // Inter-provider: one representative pair per provider pair.
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) pairs.push([list[i][0], list[j][0]]);
  // Intra-provider: every pair of sites on the same provider.
  for (const g of list) for (let i = 0; i < g.length; i++) for (let j = i + 1; j < g.length; j++) pairs.push([g[i], g[j]]);
  return pairs;
}

/** Number of experiments a strategy needs, without building them. */
export function experimentCount(sites: readonly CampaignSite[], strategy: Strategy, bothOrders = false): number {
  return sites.length + planPairs(sites, strategy).length * (bothOrders ? 2 : 1);
}

/** Expected wall time of one experiment: staggered announcements plus the settle wait. */
export function experimentWallS(e: Pick<Experiment, 'sites' | 'spacingS' | 'settleS'>): number {
  return Math.max(0, e.sites.length - 1) * e.spacingS + e.settleS;
}

export function expectedWallS(experiments: readonly Experiment[]): number {
  let s = 0;
  for (const e of experiments) s += experimentWallS(e);
  return s;
}

/** Build a campaign. Sites must be distinct (checked by the reader). */
export function planCampaign(sites: readonly CampaignSite[], opts: PlanOptions): Campaign {
  if (sites.length === 0) throw new Error('planCampaign: no sites');
  const raw: Array<{ kind: Experiment['kind']; sites: string[] }> = [];
  for (const s of sites) raw.push({ kind: 'single', sites: [s.site] });
  for (const [a, b] of planPairs(sites, opts.strategy)) {
    raw.push({ kind: 'pair', sites: [a, b] });
    if (opts.bothOrders) raw.push({ kind: 'pair', sites: [b, a] });
  }
  const width = Math.max(3, String(raw.length).length);
  const experiments: Experiment[] = raw.map((r, i) => ({
    id: `e${String(i + 1).padStart(width, '0')}`,
    kind: r.kind,
    sites: r.sites,
    spacingS: opts.spacingS,
    settleS: opts.settleS,
  }));
  return {
    format: CAMPAIGN_FORMAT,
    version: CAMPAIGN_VERSION,
    strategy: opts.strategy,
    bothOrders: Boolean(opts.bothOrders),
    ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}),
    sites: sites.map((s) => ({ site: s.site, provider: s.provider })),
    experiments,
    expectedWallS: expectedWallS(experiments),
  };
}
