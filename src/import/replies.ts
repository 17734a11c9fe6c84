/**
 * Parsers for catchment mappers' output, one line at a time (pure: the caller
 * streams lines from a file or a command's stdout):
 *
 * - Verfploeter CSV: header `task_id,client_id,transmit_time,receive_time,
 *   send_receive_time_diff,source_address,destination_address,...`.
 *   `client_id` is the site that received the reply, `source_address` the
 *   replying target; the RTT is `send_receive_time_diff` (ms) when present,
 *   else `receive_time - transmit_time` (nanoseconds).
 * - MAnycastR CSV: `#` metadata lines, then header `rx,addr,ttl[,rtt]`; `rx`
 *   is the receiving site (worker hostname), `addr` the replying target,
 *   `rtt` in ms. Extra columns (chaos, origin id) are ignored.
 * - plain CSV: header `target,site,rtt_ms` (the exec driver's simplest
 *   probe output); `target` is a target id or an address.
 *
 * Columns are found by header name, so column order and extra columns do not
 * matter. Every file must give an RTT: observations.csv has one for every
 * answer. Addresses are reduced to their /24 (IPv4) or /48 (IPv6) prefix,
 * which is how AnyOpt and Verfploeter identify a client.
 */
import type { InputIssue } from '../io/issues.js';
import { canonicalPrefix, formatIPv4, formatPrefix, parseIPv6 } from '../routes/addr.js';
import { decimalNumber, fitsFloat32 } from '../io/csv.js';
import { readCsvFields } from '../io/lines.js';

export const REPLY_FORMATS = ['verfploeter', 'manycastr', 'csv'] as const;
export type ReplyFormat = (typeof REPLY_FORMATS)[number];

export interface Reply {
  /** Target id (plain CSV) or the replying address. */
  target: string;
  /** The site label as the mapper wrote it. */
  site: string;
  rttMs: number;
  line: number;
}

/** Guess the format from the first non-empty line. */
export function detectFormat(line: string): ReplyFormat | undefined {
  if (line.startsWith('#')) return 'manycastr';
  const h = line.split(',').map((s) => s.trim().toLowerCase());
  if (h.includes('client_id') && h.includes('source_address')) return 'verfploeter';
  if (h.includes('rx') && h.includes('addr')) return 'manycastr';
  if (h.includes('target') && h.includes('site')) return 'csv';
  return undefined;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The /24 of an IPv4 address or the /48 of an IPv6 address; undefined when not an address. */
export function clientPrefix(addr: string): string | undefined {
  const m = V4.exec(addr);
  if (m) {
    const o = [m[1], m[2], m[3], m[4]].map(Number);
    if (o.some((x) => x > 255)) return undefined;
    return `${o[0]}.${o[1]}.${o[2]}.0/24`;
  }
  if (addr.includes(':')) {
    const w = new Uint32Array(4);
    if (!parseIPv6(addr, w)) return undefined;
    // An IPv4-mapped address (::ffff:192.0.2.1, from a dual-stack socket) is the IPv4 client.
    if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return `${formatIPv4(w[3] & 0xffffff00)}/24`;
    // The /48 in RFC 5952 text, as canonicalPrefix() writes a targets.csv prefix.
    return formatPrefix({ family: 6, words: Uint32Array.of(w[0], w[1] & 0xffff0000, 0, 0), length: 48 });
  }
  return undefined;
}

interface Layout {
  target: number;
  site: number;
  rtt: number;
  tx: number;
  rx: number;
  width: number;
}

/**
 * Stateful line parser: feed every line with its number; header and comment
 * lines return undefined; bad lines are recorded in `issues` and return
 * undefined. A missing or unknown header throws `HeaderError`.
 */
export class ReplyParser {
  readonly issues: InputIssue[] = [];
  badLines = 0;
  records = 0;
  /**
   * The format of the header line read: undefined until there was one, so an
   * empty file (or `#` lines only) is told apart from one without replies.
   */
  format: ReplyFormat | undefined;
  private layout: Layout | undefined;
  private sawComment = false;

  constructor(
    readonly file: string,
    private readonly requested?: ReplyFormat,
  ) {}

  private bad(line: number, column: string | undefined, expected: string, received: string): undefined {
    this.badLines++;
    if (this.issues.length < 1000) this.issues.push({ file: this.file, line, ...(column ? { column } : {}), expected, received });
    return undefined;
  }

  push(raw: string, lineNo: number): Reply | undefined {
    const line = raw.trim();
    if (line === '') return undefined;
    if (!this.layout) {
      if (line.startsWith('#')) {
        this.sawComment = true;
        return undefined;
      }
      // `#` metadata before the header: MAnycastR.
      this.format = this.requested ?? (this.sawComment ? 'manycastr' : detectFormat(line));
      if (!this.format) throw new HeaderError({ file: this.file, line: lineNo, expected: 'must start with a verfploeter (task_id,client_id,...), manycastr (rx,addr,ttl,rtt) or target,site,rtt_ms header', received: line });
      this.layout = this.header(line, lineNo);
      return undefined;
    }
    if (line.startsWith('#')) return undefined;
    this.records++;
    // RFC 4180 quotes when the line has any (mappers do not quote, but a spreadsheet may).
    const f = line.indexOf('"') >= 0 ? readCsvFields(line) : line.split(',');
    const L = this.layout;
    if (f === undefined) return this.bad(lineNo, undefined, 'must close every quote it opens', raw);
    if (f.length < L.width) return this.bad(lineNo, undefined, `must have at least ${L.width} fields`, raw);
    const target = f[L.target].trim();
    const site = f[L.site].trim();
    if (target === '') return this.bad(lineNo, this.names().target, 'must be a non-empty address', target);
    // target,site,rtt_ms (what `sim catchment` writes and a probe command may print): an empty site
    // with an empty RTT is a target that did not answer, a valid row that adds no reply.
    if (site === '' && this.format === 'csv' && (L.rtt < 0 || f[L.rtt].trim() === '')) return undefined;
    if (site === '') return this.bad(lineNo, this.names().site, 'must be a non-empty site label', site);
    let rtt: number;
    const diff = L.rtt >= 0 ? f[L.rtt].trim() : '';
    if (L.rtt >= 0 && (diff !== '' || L.tx < 0)) {
      rtt = decimalNumber(diff);
      if (diff === '' || !fitsFloat32(rtt) || rtt < 0) return this.bad(lineNo, this.names().rtt, 'must be a number >= 0 (ms)', diff);
    } else {
      const tx = f[L.tx].trim();
      const rx = f[L.rx].trim();
      if (!/^\d+$/.test(tx) || !/^\d+$/.test(rx)) return this.bad(lineNo, 'receive_time', 'must be integer nanoseconds >= transmit_time', `${tx} -> ${rx}`);
      // Epoch nanoseconds exceed 2^53: subtract exactly.
      const d = BigInt(rx) - BigInt(tx);
      if (d < 0n) return this.bad(lineNo, 'receive_time', 'must be integer nanoseconds >= transmit_time', `${tx} -> ${rx}`);
      rtt = Number(d) / 1e6;
    }
    return { target, site, rttMs: rtt, line: lineNo };
  }

  private names(): { target: string; site: string; rtt: string } {
    if (this.format === 'verfploeter') return { target: 'source_address', site: 'client_id', rtt: 'send_receive_time_diff' };
    if (this.format === 'manycastr') return { target: 'addr', site: 'rx', rtt: 'rtt' };
    return { target: 'target', site: 'site', rtt: 'rtt_ms' };
  }

  private header(line: string, lineNo: number): Layout {
    const h = line.split(',').map((s) => s.trim().toLowerCase());
    const n = this.names();
    const need = (name: string) => {
      const i = h.indexOf(name);
      if (i < 0) throw new HeaderError({ file: this.file, line: lineNo, expected: `${this.format} header must name the column "${name}"`, received: line });
      return i;
    };
    const target = need(n.target);
    const site = need(n.site);
    let rtt = h.indexOf(n.rtt);
    let tx = -1;
    let rx = -1;
    if (this.format === 'verfploeter') {
      // send_receive_time_diff when present and filled, else receive_time - transmit_time.
      tx = h.indexOf('transmit_time');
      rx = h.indexOf('receive_time');
      if (tx < 0 || rx < 0) {
        tx = rx = -1;
        if (rtt < 0) rtt = need(n.rtt);
      }
    } else if (rtt < 0) {
      rtt = need(n.rtt);
    }
    return { target, site, rtt, tx, rx, width: Math.max(target, site, rtt, tx, rx) + 1 };
  }
}

export class HeaderError extends Error {
  constructor(readonly issue: InputIssue) {
    super(`${issue.file}:${issue.line}: ${issue.expected}`);
    this.name = 'HeaderError';
  }
}

/** Maps a reply's target field to an index in a target list: by exact id first, then by client prefix. */
export class TargetResolver {
  private readonly byId = new Map<string, number>();
  private readonly byPrefix = new Map<string, number>();
  constructor(targetIds: readonly string[], prefixes: readonly string[] = []) {
    targetIds.forEach((t, i) => {
      this.byId.set(t, i);
      // Prefixes compare in canonical text (2001:DB8:0::/48 is 2001:db8::/48).
      const p = (prefixes[i] && (canonicalPrefix(prefixes[i]) ?? prefixes[i])) || clientPrefix(t);
      if (p !== undefined && !this.byPrefix.has(p)) this.byPrefix.set(p, i);
    });
  }
  /** Index, -1 when the reply is for no listed target, -2 when the field is neither an id nor an address. */
  resolve(target: string): number {
    const i = this.byId.get(target);
    if (i !== undefined) return i;
    const p = clientPrefix(target);
    if (p === undefined) return -2;
    return this.byPrefix.get(p) ?? -1;
  }
}
