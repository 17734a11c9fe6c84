/**
 * One line of `bgpdump -m` output (MRT RIB dumps and BGP4MP updates) parsed
 * into what the route table needs. Field layout (pipe-separated):
 *
 *   TABLE_DUMP2|time|B|peer_ip|peer_as|prefix|as_path|origin|next_hop|local_pref|med|communities|atomic_agg|aggregator
 *   BGP4MP|time|A|peer_ip|peer_as|prefix|as_path|origin|next_hop|local_pref|med|communities|atomic_agg|aggregator
 *   BGP4MP|time|W|peer_ip|peer_as|prefix
 *   BGP4MP|time|STATE|peer_ip|peer_as|old_state|new_state      (skipped)
 *
 * `TABLE_DUMP` (MRT v1) and `BGP4MP_ET` lines are read the same way. The AS
 * path length counts an AS_SET (`{1,2}`) as one, as RFC 4271 does; prepends
 * count each time.
 */
import { parsePrefix, type Prefix } from './addr.js';

export type BgpdumpRecord =
  | { kind: 'announce'; peerIp: string; peerAs: string; prefix: Prefix; asPathLength: number }
  | { kind: 'withdraw'; peerIp: string; peerAs: string; prefix: Prefix }
  | { kind: 'skip' };

export interface BgpdumpProblem {
  kind: 'bad';
  column?: string;
  expected: string;
  received: string;
}

const SKIP = { kind: 'skip' } as const;

export function asPathLength(path: string): number {
  let n = 0;
  let inSet = false;
  let inToken = false;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 123 /* { */) {
      inSet = true;
      n++;
      inToken = false;
    } else if (c === 125 /* } */) inSet = false;
    else if (c === 32) inToken = false;
    else if (!inSet && !inToken) {
      inToken = true;
      n++;
    }
  }
  return n;
}

export function parseBgpdumpLine(line: string): BgpdumpRecord | BgpdumpProblem {
  const f = line.split('|');
  const type = f[0];
  if (type !== 'TABLE_DUMP2' && type !== 'TABLE_DUMP' && type !== 'BGP4MP' && type !== 'BGP4MP_ET') {
    return { kind: 'bad', column: 'type', expected: 'must start with TABLE_DUMP2, TABLE_DUMP or BGP4MP (bgpdump -m output)', received: line };
  }
  if (f.length < 3) return { kind: 'bad', expected: 'must have at least 6 fields separated by "|"', received: line };
  const sub = f[2];
  if (sub === 'STATE') return SKIP;
  if (sub !== 'B' && sub !== 'A' && sub !== 'W') return { kind: 'bad', column: 'subtype', expected: 'must be B, A, W or STATE', received: sub };
  if (f.length < 6) return { kind: 'bad', expected: 'must have at least 6 fields separated by "|"', received: line };
  const prefix = parsePrefix(f[5], { allowHostBits: false });
  if (typeof prefix === 'string') return { kind: 'bad', column: 'prefix', expected: prefix, received: f[5] };
  if (sub === 'W') return { kind: 'withdraw', peerIp: f[3], peerAs: f[4], prefix };
  if (f.length < 7) return { kind: 'bad', column: 'as_path', expected: 'must have an AS path (field 7)', received: line };
  const path = f[6];
  if (!/^[\d {},]*$/.test(path)) return { kind: 'bad', column: 'as_path', expected: 'must be AS numbers separated by spaces', received: path };
  return { kind: 'announce', peerIp: f[3], peerAs: f[4], prefix, asPathLength: asPathLength(path) };
}
