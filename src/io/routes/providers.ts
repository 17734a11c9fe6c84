/**
 * Readers for the small routes tables: providers, current assignment, traffic
 * (as written by `routes traffic`) and the policy file. Bad cells become
 * issues with file, line, column, value and expectation.
 */
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../routes/addr.js';
import { DEFAULT_POLICY, type Policy, type ProviderSpec } from '../../routes/model.js';
import { col, failOnIssues, INVALID, readTable, type Column } from '../csv.js';
import { readJsonFile } from '../open.js';
import { InputError, IssueList, jsonValueText } from '../issues.js';

/** An address in canonical text (IPv6 per RFC 5952), so that it compares equal to any other spelling of it. */
export function canonicalAddress(s: string): string | undefined {
  if (s.indexOf(':') >= 0) {
    const w = new Uint32Array(4);
    return parseIPv6(s, w) ? formatIPv6(w) : undefined;
  }
  const a = parseIPv4(s);
  return a >= 0 ? formatIPv4(a) : undefined;
}

function addressColumn(family?: 4 | 6): Column<string> {
  return {
    expected: family === 4 ? 'must be an IPv4 address (IPv4 routes are injected with it)' : family === 6 ? 'must be an IPv6 address (IPv6 routes are injected with it)' : 'must be an IPv4 or IPv6 address',
    parse(raw) {
      const s = raw.trim();
      if (family !== undefined && (s.indexOf(':') >= 0) !== (family === 6)) return INVALID;
      return canonicalAddress(s) ?? INVALID;
    },
  };
}

export async function readProviders(path: string, label: string): Promise<ProviderSpec[]> {
  const t = await readTable(
    path,
    {
      provider: col.text({ pattern: /^[A-Za-z0-9_.-]+$/, expected: 'must be a name of letters, digits, "_", "." or "-"', maxLength: 64 }),
      asn: col.integer({ min: 0, max: 4294967295 }),
      peer_ip: col.optional(addressColumn(), ''),
      next_hop: addressColumn(4),
      next_hop_v6: col.optional(addressColumn(6), ''),
      capacity_mbps: col.number({ min: 0, minExclusive: true }),
      commit_mbps: col.optional(col.number({ min: 0 }), 0),
      price_per_mbps: col.optional(col.number({ min: 0 }), 0),
      overage_price_per_mbps: col.optional(col.number({ min: 0 }), -1),
    },
    { label },
  );
  failOnIssues(t.issues);
  const seen = new Map<string, number>();
  const issues = new IssueList();
  t.rows.forEach((r, k) => {
    if (seen.has(r.provider)) issues.add({ file: label, line: t.lines[k], column: 'provider', expected: `must be unique (also on line ${seen.get(r.provider)})`, received: r.provider });
    seen.set(r.provider, t.lines[k]);
  });
  failOnIssues(issues);
  if (t.rows.length === 0) throw InputError.single({ file: label, expected: 'must list at least one provider' });
  if (t.rows.length > 64) throw InputError.single({ file: label, expected: 'must list at most 64 providers', received: String(t.rows.length) });
  return t.rows.map((r) => ({
    name: r.provider,
    asn: r.asn,
    peerIp: r.peer_ip,
    nextHop: r.next_hop,
    nextHopV6: r.next_hop_v6 !== '' ? r.next_hop_v6 : r.next_hop.includes(':') ? r.next_hop : '',
    capacityMbps: r.capacity_mbps,
    commitMbps: r.commit_mbps,
    pricePerMbps: r.price_per_mbps,
    overagePricePerMbps: r.overage_price_per_mbps < 0 ? r.price_per_mbps : r.overage_price_per_mbps,
  }));
}

export interface TrafficRow {
  prefix: string;
  mean_mbps: number;
  p95_mbps: number;
  flow_records: number;
  peak_mbps: number;
}

export async function readTrafficTable(path: string, label: string) {
  return readTable<TrafficRow>(
    path,
    {
      prefix: col.text({ pattern: /^[0-9a-fA-F.:]+\/\d{1,3}$/, expected: 'must be a prefix such as 192.0.2.0/24' }),
      mean_mbps: col.number({ min: 0 }),
      p95_mbps: col.number({ min: 0 }),
      flow_records: col.optional(col.number({ min: 0 }), 0),
      peak_mbps: col.optional(col.number({ min: 0 }), -1),
    },
    { label },
  );
}

export async function readCurrentTable(path: string, label: string) {
  return readTable<{ prefix: string; provider: string }>(
    path,
    {
      prefix: col.text({ pattern: /^[0-9a-fA-F.:]+\/\d{1,3}$/, expected: 'must be a prefix such as 192.0.2.0/24' }),
      provider: col.text(),
    },
    { label },
  );
}

/** Policy JSON: every key optional, unknown keys rejected (typos would silently do nothing). */
export async function readPolicy(path: string, label: string): Promise<Policy> {
  const raw = await readJsonFile(path, label);
  return parsePolicy(raw, label);
}

export function parsePolicy(raw: unknown, label: string): Policy {
  const policy: Policy = { ...DEFAULT_POLICY, weights: { ...DEFAULT_POLICY.weights } };
  const issues = new IssueList();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw InputError.single({ file: label, expected: 'must be a JSON object', received: JSON.stringify(raw) });
  const num = (key: string, v: unknown, min: number, max = Infinity): number | undefined => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      issues.add({ file: label, column: key, expected: `must be a number${max === Infinity ? ` >= ${min}` : ` in [${min}, ${max}]`}`, received: jsonValueText(v) });
      return undefined;
    }
    return v;
  };
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    if (key === 'weights') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        issues.add({ file: label, column: 'weights', expected: 'must be an object with rtt_ms, loss_pct, jitter_ms, usd', received: jsonValueText(v) });
        continue;
      }
      for (const [wk, wv] of Object.entries(v as Record<string, unknown>)) {
        if (!(wk in policy.weights)) {
          issues.add({ file: label, column: `weights.${wk}`, expected: 'must be one of rtt_ms, loss_pct, jitter_ms, usd' });
          continue;
        }
        const x = num(`weights.${wk}`, wv, 0);
        if (x !== undefined) policy.weights[wk as keyof Policy['weights']] = x;
      }
    } else if (key === 'headroom') {
      const x = num(key, v, 0.01, 1);
      if (x !== undefined) policy.headroom = x;
    } else if (key === 'max_changes' || key === 'local_pref') {
      const x = num(key, v, 0, key === 'local_pref' ? 4294967295 : Infinity);
      if (x !== undefined && !Number.isInteger(x)) issues.add({ file: label, column: key, expected: 'must be an integer', received: String(x) });
      else if (x !== undefined) policy[key] = x;
    } else if (key === 'move_penalty' || key === 'min_improvement_ms' || key === 'missing_rtt_penalty_ms') {
      const x = num(key, v, 0);
      if (x !== undefined) policy[key] = x;
    } else {
      issues.add({ file: label, column: key, expected: 'is not a policy key (weights, headroom, move_penalty, min_improvement_ms, max_changes, local_pref, missing_rtt_penalty_ms)' });
    }
  }
  failOnIssues(issues);
  return policy;
}
