/**
 * The scenario folder on disk (see docs/formats.md):
 *   sites.csv            site,city,lat,lon,provider,provider_asn,capacity,peers
 *   targets.csv          target,prefix,asn,city,lat,lon,weight
 *   topology.as-rel.txt  CAIDA serial-1 AS relationships (the operator's AS is not in it)
 *   pops.csv             asn,city,lat,lon   (where each AS has a PoP)
 *   scenario.json        every knob and the seed
 * Writing is deterministic (same scenario, same bytes); reading checks every
 * row and reports all bad rows together.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { col, csvField, duplicateIssues, INVALID, readTable, readTableFast, wrapReadError, type Column } from './csv.js';
import { SITE_ID, SITE_ID_EXPECTED } from '../util/ids.js';
import { IssueList, InputError, jsonValueText, type InputIssue } from './issues.js';
import { forEachLine } from './lines.js';
import { stripBom } from './open.js';
import { OutputGroup } from './write.js';
import { DEFAULT_KNOBS, type AsRelation, type Scenario, type ScenarioConfig, type SiteRow, type TwinKnobs } from '../sim/scenario.js';

export const SCENARIO_FILES = {
  sites: 'sites.csv',
  targets: 'targets.csv',
  topology: 'topology.as-rel.txt',
  pops: 'pops.csv',
  config: 'scenario.json',
} as const;


/**
 * A digest of a scenario folder's five files (their bytes): two runs on the same digest simulate
 * the same Internet. `measure run --resume` compares it, so one observations file never mixes twins.
 */
export async function scenarioDigest(dir: string): Promise<string> {
  const h = createHash('sha256');
  for (const name of Object.values(SCENARIO_FILES)) {
    h.update(`${name}\0`);
    h.update(await readFile(join(dir, name)));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 32);
}

const asnColumn = col.integer({ min: 1, max: 4294967295 });
const latColumn = col.number({ min: -90, max: 90 });
const lonColumn = col.number({ min: -180, max: 180 });

const peersColumn: Column<number[]> = {
  expected: 'must be AS numbers separated by spaces',
  parse(raw) {
    const s = raw.trim();
    if (s === '') return [];
    const parts = s.split(/\s+/);
    const out: number[] = [];
    for (const p of parts) {
      if (!/^\d+$/.test(p)) return INVALID;
      out.push(Number(p));
    }
    return out;
  },
  optional: { value: [] },
};

export const SITE_COLUMNS = {
  site: col.text({ pattern: SITE_ID, expected: SITE_ID_EXPECTED }),
  city: col.text(),
  lat: latColumn,
  lon: lonColumn,
  provider: col.text(),
  provider_asn: asnColumn,
  capacity: col.optional(col.number({ min: 0, minExclusive: true }), Number.NaN),
  peers: peersColumn,
};

export const TARGET_COLUMNS = {
  target: col.text(),
  prefix: col.text({ pattern: /^[0-9a-fA-F:.]+\/\d{1,3}$/, expected: 'must be a prefix like 192.0.2.0/24' }),
  asn: asnColumn,
  city: col.text(),
  lat: latColumn,
  lon: lonColumn,
  weight: col.number({ min: 0 }),
};

const POP_COLUMNS = { asn: asnColumn, city: col.text(), lat: latColumn, lon: lonColumn };

/** Read sites.csv into rows (duplicate ids reported). */
export async function readSites(path: string, label = path): Promise<{ sites: SiteRow[]; issues: IssueList }> {
  const t = await readTable(path, SITE_COLUMNS, { label });
  const dups = duplicateIssues(t, (r) => r.site, label, 'site');
  for (const d of dups) t.issues.add(d);
  const dupLines = new Set(dups.map((d) => d.line));
  const sites: SiteRow[] = t.rows
    .filter((_, i) => !dupLines.has(t.lines[i]))
    .map((r) => ({
      site: r.site,
      city: r.city,
      lat: r.lat,
      lon: r.lon,
      provider: r.provider,
      providerAsn: r.provider_asn,
      ...(Number.isNaN(r.capacity) ? {} : { capacity: r.capacity }),
      peers: r.peers,
    }));
  return { sites, issues: t.issues };
}

export interface ParsedAsRel {
  relations: AsRelation[];
  issues: IssueList;
  lines: number;
  /** 1 or 2 (serial-2 has a fourth `source` field). */
  serial: 1 | 2;
}

/**
 * Parse one CAIDA as-rel line: `a|b|-1` (a is a provider of b) or `a|b|0`
 * (peers), serial-2 adds `|source`. Returns undefined for comments and blank
 * lines, or an issue.
 */
export function parseAsRelLine(line: string, file: string, lineNo: number): AsRelation | InputIssue | undefined {
  const s = line.trim();
  if (s === '' || s.startsWith('#')) return undefined;
  const f = s.split('|');
  if (f.length !== 3 && f.length !== 4) {
    return { file, line: lineNo, expected: 'must be "AS1|AS2|REL" (serial-1) or "AS1|AS2|REL|SOURCE" (serial-2)', received: s };
  }
  const [a, b, rel] = f;
  if (!/^\d+$/.test(a) || Number(a) < 1 || Number(a) > 4294967295) return { file, line: lineNo, column: '1', expected: 'must be an AS number', received: a };
  if (!/^\d+$/.test(b) || Number(b) < 1 || Number(b) > 4294967295) return { file, line: lineNo, column: '2', expected: 'must be an AS number', received: b };
  if (rel !== '-1' && rel !== '0') return { file, line: lineNo, column: '3', expected: 'must be -1 (provider|customer) or 0 (peer|peer)', received: rel };
  if (a === b) return { file, line: lineNo, expected: 'must relate two different ASes', received: s };
  return { a: Number(a), b: Number(b), rel: rel === '-1' ? -1 : 0 };
}

/** Stream a CAIDA serial-1 or serial-2 file (plain or .gz). Duplicate pairs keep the first line. */
export async function readAsRel(path: string, label = path): Promise<ParsedAsRel> {
  const issues = new IssueList();
  const relations: AsRelation[] = [];
  const seen = new Set<string>();
  let lines = 0;
  let serial: 1 | 2 = 1;
  await forEachLine(path, label, (line, lineNo) => {
    lines = lineNo;
    const r = parseAsRelLine(line, label, lineNo);
    if (r === undefined) return;
    if ('expected' in r) {
      issues.add(r);
      return;
    }
    if (line.split('|').length === 4) serial = 2;
    const key = r.a < r.b ? `${r.a}|${r.b}` : `${r.b}|${r.a}`;
    if (seen.has(key)) {
      issues.add({ file: label, line: lineNo, expected: 'must not repeat an AS pair', received: line.trim() });
      return;
    }
    seen.add(key);
    relations.push(r);
  });
  return { relations, issues, lines, serial };
}

const KNOB_KEYS = Object.keys(DEFAULT_KNOBS) as Array<keyof TwinKnobs>;

function parseConfig(text: string, label: string): ScenarioConfig {
  let json: unknown;
  try {
    json = JSON.parse(stripBom(text));
  } catch (err) {
    throw new InputError([{ file: label, expected: `must be valid JSON (${(err as Error).message})` }], 1, { cause: err });
  }
  const issues: InputIssue[] = [];
  const o = json as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || o.format !== 'anyopt-scenario') {
    throw InputError.single({ file: label, column: 'format', expected: 'must be "anyopt-scenario"', received: String((o as { format?: unknown })?.format) });
  }
  const int = (k: string, min: number) => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) issues.push({ file: label, column: k, expected: `must be an integer >= ${min}`, received: jsonValueText(v) });
    return v as number;
  };
  if (o.version !== 1) issues.push({ file: label, column: 'version', expected: 'must be 1 (this version of anyopt reads scenario format 1)', received: jsonValueText(o.version) });
  int('seed', 0);
  int('operatorAsn', 1);
  const knobs = { ...DEFAULT_KNOBS } as TwinKnobs;
  // Knobs left out take their defaults; an unknown one is an error (a typo must not leave a knob at its default unnoticed).
  if (o.knobs !== undefined && (typeof o.knobs !== 'object' || o.knobs === null || Array.isArray(o.knobs))) {
    issues.push({ file: label, column: 'knobs', expected: 'must be an object of knob values', received: jsonValueText(o.knobs) });
  }
  const k = (typeof o.knobs === 'object' && o.knobs !== null ? o.knobs : {}) as Record<string, unknown>;
  for (const key of Object.keys(k)) {
    if (!(KNOB_KEYS as string[]).includes(key)) issues.push({ file: label, column: `knobs.${key}`, expected: `must be one of the knobs (${KNOB_KEYS.join(', ')})`, received: key });
  }
  for (const key of KNOB_KEYS) {
    if (k[key] === undefined) continue;
    const v = k[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) issues.push({ file: label, column: `knobs.${key}`, expected: 'must be a number >= 0', received: jsonValueText(v) });
    else knobs[key] = v;
  }
  for (const share of ['preferOldestShare', 'unresponsiveShare', 'probeLoss', 'sitePeerShare', 'primaryProviderShare'] as const) {
    if (knobs[share] > 1) issues.push({ file: label, column: `knobs.${share}`, expected: 'must be in [0, 1]', received: String(knobs[share]) });
  }
  if (issues.length > 0) throw new InputError(issues);
  return { ...(o as unknown as ScenarioConfig), knobs };
}

/** Read and check a scenario folder; every bad row of every file is reported together. */
export async function readScenario(dir: string, labelDir = dir): Promise<Scenario> {
  const p = (f: string) => join(dir, f);
  const l = (f: string) => join(labelDir, f);
  let configText: string;
  try {
    configText = await readFile(p(SCENARIO_FILES.config), 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') {
      throw InputError.single({ file: labelDir, expected: `must be a scenario folder with ${SCENARIO_FILES.config} (create one with \`anyopt sim init --out ${labelDir}\`)` });
    }
    if (e.code === 'ENOTDIR') throw InputError.single({ file: labelDir, expected: 'must be a scenario folder (`anyopt sim init --out FOLDER`), not a file' });
    throw wrapReadError(err, l(SCENARIO_FILES.config));
  }
  const config = parseConfig(configText, l(SCENARIO_FILES.config));
  const [sitesR, targetsR, popsR, relR] = await Promise.all([
    readSites(p(SCENARIO_FILES.sites), l(SCENARIO_FILES.sites)),
    readTableFast(p(SCENARIO_FILES.targets), TARGET_COLUMNS, { label: l(SCENARIO_FILES.targets) }),
    readTableFast(p(SCENARIO_FILES.pops), POP_COLUMNS, { label: l(SCENARIO_FILES.pops) }),
    readAsRel(p(SCENARIO_FILES.topology), l(SCENARIO_FILES.topology)),
  ]);
  const issues: InputIssue[] = [...sitesR.issues.items, ...targetsR.issues.items, ...popsR.issues.items, ...relR.issues.items];
  const total = sitesR.issues.total + targetsR.issues.total + popsR.issues.total + relR.issues.total;
  issues.push(...duplicateIssues(targetsR, (r) => r.target, l(SCENARIO_FILES.targets), 'target'));
  if (sitesR.sites.length === 0 && sitesR.issues.total === 0) issues.push({ file: l(SCENARIO_FILES.sites), expected: 'must list at least one site' });
  if (issues.length > 0) throw new InputError(issues.slice(0, 1000), Math.max(total, issues.length));
  return {
    config,
    sites: sitesR.sites,
    targets: targetsR.rows.map((r) => ({ target: r.target, prefix: r.prefix, asn: r.asn, city: r.city, lat: r.lat, lon: r.lon, weight: r.weight })),
    relations: relR.relations,
    pops: popsR.rows,
  };
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
}

export function formatSites(sites: readonly SiteRow[]): string {
  let out = 'site,city,lat,lon,provider,provider_asn,capacity,peers\n';
  for (const s of sites) {
    out += `${s.site},${csvField(s.city)},${num(s.lat)},${num(s.lon)},${csvField(s.provider)},${s.providerAsn},${s.capacity === undefined ? '' : num(s.capacity)},${s.peers.join(' ')}\n`;
  }
  return out;
}

/** Write a whole scenario folder. Each file is written atomically. */
/**
 * Write a scenario's five files, together (all old or all new after an interrupt: a folder mixing
 * two scenarios reads without complaint). With `group`, they join the caller's outputs instead.
 */
export async function writeScenario(dir: string, scenario: Scenario, group?: OutputGroup): Promise<void> {
  const { config, sites, targets, relations, pops } = scenario;
  const targetLines: string[] = ['target,prefix,asn,city,lat,lon,weight\n'];
  for (const t of targets) targetLines.push(`${csvField(t.target)},${t.prefix},${t.asn},${csvField(t.city)},${num(t.lat)},${num(t.lon)},${num(t.weight)}\n`);
  const relLines: string[] = [
    '# AS relationships of an anyopt twin, CAIDA serial-1 format.\n',
    '# <provider-as>|<customer-as>|-1\n',
    '# <peer-as>|<peer-as>|0\n',
  ];
  for (const r of relations) relLines.push(`${r.a}|${r.b}|${r.rel}\n`);
  const popLines: string[] = ['asn,city,lat,lon\n'];
  for (const p of pops) popLines.push(`${p.asn},${csvField(p.city)},${num(p.lat)},${num(p.lon)}\n`);
  const g = group ?? new OutputGroup();
  try {
    await g.file(join(dir, SCENARIO_FILES.sites), formatSites(sites));
    await g.file(join(dir, SCENARIO_FILES.targets), targetLines.join(''));
    await g.file(join(dir, SCENARIO_FILES.topology), relLines.join(''));
    await g.file(join(dir, SCENARIO_FILES.pops), popLines.join(''));
    await g.file(join(dir, SCENARIO_FILES.config), JSON.stringify(config, null, 2) + '\n');
    if (!group) await g.commit();
  } catch (err) {
    if (!group) await g.abort();
    throw err;
  }
}
