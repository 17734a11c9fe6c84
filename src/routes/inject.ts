/**
 * Route injection text for the plan, for GoBGP (CLI commands), ExaBGP (API
 * commands on its stdin) and BIRD 2 (a static protocol snippet to include).
 *
 * Safety by default, checked here and not only assumed: every route carries
 * NO_EXPORT (65535:65281) so it never leaves the AS; every prefix is exactly
 * one that the chosen provider announced (never a more specific invented by
 * the optimizer, the cause of the 2019 leak); the next hop is the provider's
 * from the providers file. Withdrawals cover prefixes of the previous
 * assignment that are no longer in the plan.
 */
import type { ProviderSpec } from './model.js';

export type InjectTarget = 'gobgp' | 'exabgp' | 'bird';

export interface InjectRoute {
  prefix: string;
  provider: number;
}

export interface InjectInput {
  routes: InjectRoute[];
  withdraw: string[];
  providers: ProviderSpec[];
  localPref: number;
  /** Must return true when `provider` announced exactly `prefix`. */
  announced(prefix: string, provider: number): boolean;
}

export class UnsafeInjectionError extends Error {
  /** True when the input (providers file) is at fault rather than the plan. */
  constructor(
    message: string,
    readonly inputProblem = false,
  ) {
    super(message);
  }
}

function check(input: InjectInput): void {
  for (const r of input.routes) {
    const p = input.providers[r.provider];
    if (isV6(r.prefix) && p.nextHopV6 === '') throw new UnsafeInjectionError(`cannot inject ${r.prefix} via ${p.name}: the providers file gives it no IPv6 next hop (column next_hop_v6)`, true);
    if (!input.announced(r.prefix, r.provider)) {
      throw new UnsafeInjectionError(`refusing to inject ${r.prefix} via ${input.providers[r.provider]?.name}: that provider did not announce exactly this prefix`);
    }
  }
}

const isV6 = (prefix: string) => prefix.includes(':');

export function injectionText(target: InjectTarget, input: InjectInput): string {
  check(input);
  const lp = input.localPref;
  const out: string[] = [];
  const nh = (r: InjectRoute) => (isV6(r.prefix) ? input.providers[r.provider].nextHopV6 : input.providers[r.provider].nextHop);
  if (target === 'gobgp') {
    out.push(`# anyopt routes: ${input.routes.length} routes, ${input.withdraw.length} withdrawals; every route NO_EXPORT`);
    for (const p of input.withdraw) out.push(`gobgp global rib${isV6(p) ? ' -a ipv6' : ''} del ${p}`);
    for (const r of input.routes) out.push(`gobgp global rib${isV6(r.prefix) ? ' -a ipv6' : ''} add ${r.prefix} nexthop ${nh(r)} local-pref ${lp} community no-export`);
  } else if (target === 'exabgp') {
    for (const p of input.withdraw) out.push(`withdraw route ${p}`);
    for (const r of input.routes) out.push(`announce route ${r.prefix} next-hop ${nh(r)} local-preference ${lp} community [no-export]`);
  } else {
    out.push(`# anyopt routes: include from bird.conf; ${input.routes.length} routes, every one NO_EXPORT (65535, 65281)`);
    for (const fam of [4, 6] as const) {
      const rs = input.routes.filter((r) => isV6(r.prefix) === (fam === 6));
      if (rs.length === 0) continue;
      out.push(`protocol static anyopt_routes_v${fam} {`);
      out.push(`  ipv${fam};`);
      for (const r of rs) out.push(`  route ${r.prefix} via ${nh(r)} { bgp_local_pref = ${lp}; bgp_community.add((65535, 65281)); };`);
      out.push('}');
    }
  }
  return out.join('\n') + '\n';
}
