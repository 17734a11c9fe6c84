/**
 * Streams `bgpdump -m` files (RIB dumps and updates, optionally gzipped) into
 * a `RouteTable`, mapping each line's peer to a provider by `peer_ip` first,
 * then by `peer_as`. Lines from peers that match no provider are counted, not
 * treated as errors (a collector's dump holds many peers).
 */
import { parseBgpdumpLine } from '../../routes/bgpdump.js';
import type { ProviderSpec } from '../../routes/model.js';
import { RouteTable } from '../../routes/table.js';
import { forEachLine } from '../lines.js';
import { newReport, type FileReport } from './report.js';
import { canonicalAddress } from './providers.js';

export interface RibReadResult {
  table: RouteTable;
  files: FileReport[];
  announcements: number;
  withdrawals: number;
  /** Lines whose peer matched no provider, by `peer_ip AS peer_as`. */
  unmatchedPeers: Map<string, number>;
}

export async function readRibFiles(
  inputs: Array<{ path: string; label: string }>,
  providers: ProviderSpec[],
  onLines?: (lines: number) => void,
): Promise<RibReadResult> {
  const table = new RouteTable(providers.length);
  const byIp = new Map<string, number>();
  const byAs = new Map<string, number>();
  providers.forEach((p, j) => {
    if (p.peerIp !== '') byIp.set(p.peerIp, j);
    if (!byAs.has(String(p.asn))) byAs.set(String(p.asn), j);
  });
  const cache = new Map<string, number>();
  const provider = (ip: string, as: string): number => {
    const key = `${ip}|${as}`;
    let j = cache.get(key);
    if (j === undefined) {
      // Peer addresses compare in canonical text (2001:db8:0:0::2 is 2001:db8::2); once per peer.
      j = byIp.get(canonicalAddress(ip) ?? ip) ?? byAs.get(as) ?? -1;
      cache.set(key, j);
    }
    return j;
  };
  const files: FileReport[] = [];
  let announcements = 0;
  let withdrawals = 0;
  let total = 0;
  const unmatchedPeers = new Map<string, number>();
  for (const input of inputs) {
    const report = newReport(input.label);
    files.push(report);
    await forEachLine(input.path, input.label, (line, lineNo) => {
      if (line.length === 0 || line.charCodeAt(0) === 35) return;
      report.records++;
      if ((++total & 0xffff) === 0) onLines?.(total);
      const r = parseBgpdumpLine(line);
      if (r.kind === 'bad') {
        report.issues.add({ file: input.label, line: lineNo, column: r.column, expected: r.expected, received: r.received });
        return;
      }
      if (r.kind === 'skip') return;
      const j = provider(r.peerIp, r.peerAs);
      if (j < 0) {
        const k = `${r.peerIp} AS${r.peerAs}`;
        unmatchedPeers.set(k, (unmatchedPeers.get(k) ?? 0) + 1);
        return;
      }
      if (r.kind === 'announce') {
        table.announce(table.intern(r.prefix), j, r.asPathLength);
        announcements++;
      } else {
        // A withdrawal of a prefix never announced changes nothing (and must not add a prefix
        // that would take traffic from the route covering it).
        const id = table.idOf(r.prefix);
        if (id >= 0) table.withdraw(id, j);
        withdrawals++;
      }
    });
  }
  return { table, files, announcements, withdrawals, unmatchedPeers };
}
