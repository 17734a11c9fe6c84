/**
 * plan.json: what `anyopt optimize` writes and `anyopt validate` reads (see
 * docs/formats.md, section optimize). JSON with a format tag and version;
 * numbers that do not exist (a mean with no covered target) are `null`.
 * The reader checks only what a consumer needs (format, version, the site
 * list and the announcement order) and names the file, the JSON path, what
 * was expected and what was received.
 */
import { InputError, type InputIssue } from './issues.js';
import { col, failOnIssues, readTable, readTableFast } from './csv.js';
import { readJsonFile } from './open.js';
import { roundMs } from '../util/ms.js';

export interface PlanSiteLoad {
  site: string;
  load: number;
  share: number;
  capacity?: number;
}

export interface PlanSummaryJson {
  sites: string[];
  meanMs: number | null;
  medianMs: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  /** Share of target weight with a predicted RTT. */
  coverage: number;
  /** Share of target weight reached by some announcing site. */
  reached: number;
  load: PlanSiteLoad[];
  /** Sites whose load exceeds their capacity (only with --capacity). */
  overCapacity?: string[];
}

export interface PlanFile {
  format: 'anyopt-plan';
  version: 1;
  objective: 'mean' | 'p95';
  method: 'exact' | 'heuristic' | 'milp';
  /** `optimal` = proven best under the model; `feasible` = a plan with a gap to a proven lower bound. */
  status: 'optimal' | 'feasible';
  /** The optimised figure (mean counting unpredicted targets at uncoveredMs, or p95), ms. */
  objectiveMs: number | null;
  lowerBoundMs: number | null;
  /** Where the bound comes from: `search` (exact search or MILP), `lp` (LP relaxation), `lagrangian`, `trie`. */
  lowerBoundBy?: 'search' | 'lp' | 'lagrangian' | 'trie';
  /** (objective - lower bound) / objective. */
  gap: number;
  constraints: {
    k: number | null;
    maxSites: number | null;
    require: string[];
    exclude: string[];
    capacity: string | null;
    uncoveredMs: number;
  };
  /** The chosen sites, in announcement order. */
  sites: string[];
  announce: {
    /** Switch the sites on in this order (the order the campaign measured under). */
    order: string[];
    /** Seconds between switching on consecutive sites. */
    spacingS: number;
  };
  predicted: PlanSummaryJson;
  comparisons: {
    allSites: PlanSummaryJson;
    greedyUnicast: PlanSummaryJson;
    greedyAdd: PlanSummaryJson;
    greedyDrop: PlanSummaryJson;
  };
  inputs: { targets: number; sites: number; classes: number; weights: string | null };
  search: { nodes: number };
}

/** `null` for NaN / infinite numbers, so the JSON stays valid. */
export function jsonNumber(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Milliseconds for JSON (roundMs), null when they do not exist. */
export function jsonMs(x: number, round: (v: number) => number = Math.round): number | null {
  return Number.isFinite(x) ? roundMs(x, round) : null;
}

export function planToJson(plan: PlanFile): string {
  return JSON.stringify(plan, null, 2) + '\n';
}

export interface PlanRef {
  sites: string[];
  announceOrder: string[];
  raw: Partial<PlanFile>;
}

/** Read a plan; only `format`, `version`, `sites` and `announce.order` are required. */
export async function readPlan(path: string, label = path): Promise<PlanRef> {
  const data = await readJsonFile(path, label);
  return parsePlan(data, label);
}

export function parsePlan(data: unknown, label: string): PlanRef {
  const issues: InputIssue[] = [];
  const bad = (path: string, expected: string, got: unknown) =>
    issues.push({ file: label, column: path, expected, received: got === undefined ? 'nothing' : JSON.stringify(got) });
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw InputError.single({ file: label, expected: 'must be a JSON object (an anyopt plan)', received: JSON.stringify(data)?.slice(0, 40) });
  }
  const d = data as Record<string, unknown>;
  if (d.format !== 'anyopt-plan') bad('format', 'must be "anyopt-plan"', d.format);
  if (d.version !== 1) bad('version', 'must be 1', d.version);
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '');
  if (!strings(d.sites) || (d.sites as string[]).length === 0) bad('sites', 'must be a non-empty array of site ids', d.sites);
  const announce = d.announce as Record<string, unknown> | undefined;
  const order = announce?.order;
  if (order !== undefined && !strings(order)) bad('announce.order', 'must be an array of site ids', order);
  if (issues.length > 0) throw new InputError(issues);
  const sites = d.sites as string[];
  const dup = sites.find((s, i) => sites.indexOf(s) !== i);
  if (dup) throw InputError.single({ file: label, column: 'sites', expected: 'must not list a site twice', received: dup });
  // The order is what gets deployed: it must switch on exactly the plan's sites, each once, or a
  // gate that checks `sites` would pass a plan that announces something else.
  if (order !== undefined) {
    const o = order as string[];
    const again = o.find((s, i) => o.indexOf(s) !== i);
    const extra = o.filter((s) => !sites.includes(s));
    const absent = sites.filter((s) => !o.includes(s));
    if (again !== undefined || extra.length > 0 || absent.length > 0) {
      const what = [
        again !== undefined ? `lists ${again} twice` : '',
        extra.length > 0 ? `announces ${extra.join(',')}, not in "sites"` : '',
        absent.length > 0 ? `leaves out ${absent.join(',')} of "sites"` : '',
      ].filter(Boolean);
      throw InputError.single({ file: label, column: 'announce.order', expected: `must list each site of "sites" once, and no other (it ${what.join('; ')})`, received: o.join(',') });
    }
  }
  return { sites, announceOrder: (order as string[] | undefined) ?? sites, raw: d as Partial<PlanFile> };
}

/**
 * Target weights for predict, optimize and validate: `targets.csv` with columns
 * `target` and `weight` (others ignored). Model targets the file does not list
 * get weight 0; listed targets the model does not know are counted and ignored.
 * A file that leaves every model target at weight 0 (none matches, or all the
 * matched weigh 0) is refused: nothing would be left to measure.
 */
export async function readTargetWeights(
  path: string,
  targetIds: readonly string[],
  label = path,
  /** How to name the model's file in an issue (its orders.csv). */
  modelLabel?: string,
): Promise<{ weight: Float64Array; missing: number; unknown: number }> {
  const { rows, lines, issues, records } = await readTableFast(path, { target: col.text(), weight: col.number({ min: 0 }) }, { label });
  failOnIssues(issues, { records });
  // Finite weights can still sum to Infinity (1e308 + 1e308): every share and
  // mean would then be NaN, so refuse the file rather than print NaN%.
  let total = 0;
  for (const r of rows) total += r.weight;
  if (!Number.isFinite(total)) throw InputError.single({ file: label, column: 'weight', expected: `must sum to a finite number (the sum of ${rows.length} weights overflows; scale them down)` });
  const index = new Map<string, number>();
  targetIds.forEach((t, i) => index.set(t, i));
  const weight = new Float64Array(targetIds.length);
  const seen = new Uint8Array(targetIds.length);
  let unknown = 0;
  rows.forEach((r, i) => {
    const t = index.get(r.target);
    if (t === undefined) {
      unknown++;
      return;
    }
    if (seen[t]) throw InputError.single({ file: label, line: lines[i], column: 'target', expected: 'must list each target once', received: r.target });
    seen[t] = 1;
    weight[t] = r.weight;
  });
  let missing = 0;
  let matched = 0;
  for (let t = 0; t < seen.length; t++) {
    missing += seen[t] ? 0 : 1;
    matched += weight[t];
  }
  // Every target weighing 0 would make every mean undefined and every load 0 (a CI gate would pass
  // load rules on nothing): refuse it, naming why (no target matched, or the matched weigh 0).
  if (!(matched > 0)) {
    const of = modelLabel ?? 'the preference model';
    const sample = targetIds.slice(0, 3).join(', ');
    throw InputError.single({
      file: label,
      column: 'target',
      expected:
        unknown === rows.length
          ? `must name targets of ${of} (such as ${sample}); none of its ${rows.length} target(s) does`
          : `must give a positive weight to at least one target of ${of}; the ${rows.length - unknown} it shares with it all weigh 0`,
      received: rows.length > 0 ? rows[0].target : 'no rows',
    });
  }
  return { weight, missing, unknown };
}

/**
 * Site capacities: `sites.csv` with columns `site` and `capacity` (empty =
 * unlimited; others ignored), in the same unit as the target weights.
 * Returns one value per model site (Infinity when unlimited or not listed).
 */
export async function readSiteCapacities(path: string, siteIds: readonly string[], label = path): Promise<{ capacity: Float64Array; unknown: string[] }> {
  const { rows, lines, issues, records, header } = await readTable(
    path,
    { site: col.text(), capacity: col.optional(col.number({ min: 0 }), Infinity) },
    { label },
  );
  if (!header.includes('capacity')) throw InputError.single({ file: label, line: 1, expected: 'header must name the column "capacity"', received: header.join(',') });
  failOnIssues(issues, { records });
  const capacity = new Float64Array(siteIds.length).fill(Infinity);
  const unknown: string[] = [];
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (seen.has(r.site)) throw InputError.single({ file: label, line: lines[i], column: 'site', expected: 'must list each site once', received: r.site });
    seen.add(r.site);
    const s = siteIds.indexOf(r.site);
    if (s < 0) unknown.push(r.site);
    else capacity[s] = r.capacity;
  });
  return { capacity, unknown };
}
