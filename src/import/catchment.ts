/**
 * Turns a catchment mapper's replies (src/import/replies.ts) into the rows of
 * one experiment of observations.csv.
 *
 * - Sites: the mapper's site label (Verfploeter `client_id`, MAnycastR `rx`)
 *   goes through the site map when one is given, else is the site id itself.
 *   A reply at a site outside the experiment's announced sites is a bad row.
 * - Targets: each reply address is reduced to its /24 (IPv4) or /48 (IPv6).
 *   With a target list, the prefix is mapped to that list's target id, every
 *   listed target gets a row (empty site and rtt_ms when it did not answer),
 *   and replies from prefixes outside the list are counted, not written.
 *   Without one, the target id is the prefix string and only answering
 *   prefixes get rows, in order of first reply.
 * - A target that replied more than once (at several sites, or twice) keeps
 *   its first reply; the others are counted as duplicates.
 *
 * Pure: the caller streams lines in and writes the rows out.
 */
import type { InputIssue } from '../io/issues.js';
import { formatObservationRows } from '../io/observations.js';
import { clientPrefix, TargetResolver, type Reply } from './replies.js';

const SITE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export interface CatchmentImportOptions {
  file: string;
  experiment: string;
  /** Announced sites in announcement order; default: sites in order of first reply. */
  announced?: readonly string[];
  siteMap?: ReadonlyMap<string, string>;
  targets?: { targetIds: readonly string[]; prefixes: readonly string[] };
}

export interface CatchmentImportStats {
  replies: number;
  bad: number;
  duplicates: number;
  outsideTargets: number;
  targets: number;
  answered: number;
}

export class CatchmentImport {
  readonly issues: InputIssue[] = [];
  bad = 0;
  private replies = 0;
  private duplicates = 0;
  private outside = 0;
  private readonly announced: string[];
  private readonly fixedAnnounced: boolean;
  private readonly resolver: TargetResolver | undefined;
  // With a target list: per target, site id index and RTT. Without: grown on first reply.
  private readonly targetIds: string[];
  private readonly targetIndex = new Map<string, number>();
  private site: Int16Array;
  private rtt: Float32Array;

  constructor(private readonly opts: CatchmentImportOptions) {
    this.announced = opts.announced ? [...opts.announced] : [];
    this.fixedAnnounced = opts.announced !== undefined;
    if (opts.targets) {
      this.resolver = new TargetResolver(opts.targets.targetIds, opts.targets.prefixes);
      this.targetIds = [...opts.targets.targetIds];
    } else this.targetIds = [];
    const n = Math.max(16, this.targetIds.length);
    this.site = new Int16Array(n).fill(-1);
    this.rtt = new Float32Array(n).fill(Number.NaN);
  }

  private issue(line: number, column: string, expected: string, received: string): void {
    this.bad++;
    if (this.issues.length < 1000) this.issues.push({ file: this.opts.file, line, column, expected, received });
  }

  add(r: Reply, columns: { target: string; site: string }): void {
    this.replies++;
    const label = r.site;
    const siteId = this.opts.siteMap ? this.opts.siteMap.get(label) : label;
    if (siteId === undefined) return this.issue(r.line, columns.site, 'must be a label listed in the site map', label);
    if (!SITE_ID.test(siteId)) return this.issue(r.line, columns.site, 'must be a site id (letters, digits, ".", "_", ":" or "-"); map labels with --site-map', label);
    let s = this.announced.indexOf(siteId);
    if (s < 0) {
      if (this.fixedAnnounced) return this.issue(r.line, columns.site, `must be one of the announced sites ${this.announced.join('|')}`, siteId);
      s = this.announced.length;
      this.announced.push(siteId);
    }
    let t: number;
    if (this.resolver) {
      t = this.resolver.resolve(r.target);
      if (t === -2) return this.issue(r.line, columns.target, 'must be an IPv4 or IPv6 address', r.target);
      if (t === -1) {
        this.outside++;
        return;
      }
    } else {
      const p = clientPrefix(r.target);
      if (p === undefined) return this.issue(r.line, columns.target, 'must be an IPv4 or IPv6 address', r.target);
      const known = this.targetIndex.get(p);
      if (known === undefined) {
        t = this.targetIds.length;
        this.targetIds.push(p);
        this.targetIndex.set(p, t);
        if (t >= this.site.length) this.grow();
      } else t = known;
    }
    if (this.site[t] >= 0) {
      this.duplicates++;
      return;
    }
    this.site[t] = s;
    this.rtt[t] = r.rttMs;
  }

  private grow(): void {
    const site = new Int16Array(this.site.length * 2).fill(-1);
    const rtt = new Float32Array(this.site.length * 2).fill(Number.NaN);
    site.set(this.site);
    rtt.set(this.rtt);
    this.site = site;
    this.rtt = rtt;
  }

  get announcedSites(): readonly string[] {
    return this.announced;
  }

  stats(): CatchmentImportStats {
    let answered = 0;
    for (let t = 0; t < this.targetIds.length; t++) if (this.site[t] >= 0) answered++;
    return { replies: this.replies - this.bad, bad: this.bad, duplicates: this.duplicates, outsideTargets: this.outside, targets: this.targetIds.length, answered };
  }

  /** Observation rows (no header), `chunk` targets per string. */
  *rows(chunk = 50_000): Generator<string> {
    for (let from = 0; from < this.targetIds.length; from += chunk) {
      yield formatObservationRows(this.opts.experiment, this.announced, this.targetIds, this.announced, this.site, this.rtt, from, Math.min(this.targetIds.length, from + chunk));
    }
  }
}
