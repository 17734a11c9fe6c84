/**
 * The `routes traffic` and `routes optimize` input pipelines: read every file
 * through the streaming readers, enforce the bad-input rules (share of
 * unreadable lines per file, providers without routes, a prefix listed twice
 * in traffic.csv or with two providers in current.csv), and hand typed data
 * to the core. Shared by the CLI commands and `routes demo`.
 */
import { formatPrefix, parsePrefix } from '../../routes/addr.js';
import { assembleInstance, type Assembled } from '../../routes/assemble.js';
import type { FlowFormat } from '../../routes/flows.js';
import { moneyCost, type Instance, type Policy, type ProviderSpec } from '../../routes/model.js';
import type { RouteTable } from '../../routes/table.js';
import { DEFAULT_BIN_SECONDS, TrafficEstimator, TrafficSpanError, type TrafficEstimate } from '../../routes/traffic.js';
import { InputError, IssueList, type InputIssue } from '../issues.js';
import { readFlows } from './flows.js';
import { readPerformance } from './performance.js';
import { readCurrentTable, readProviders, readTrafficTable } from './providers.js';
import { checkBadShare, newReport, type FileReport } from './report.js';
import { readRibFiles, type RibReadResult } from './rib.js';

export interface FileArg {
  path: string;
  label: string;
}

export interface RoutesLoaded {
  providers: ProviderSpec[];
  table: RouteTable;
  rib: RibReadResult;
}

/** Providers and their tables; refuses a provider without routes. */
export async function loadRoutes(providersFile: FileArg, routes: FileArg[], maxBadShare: number, onLines?: (n: number) => void): Promise<RoutesLoaded & { warnings: InputIssue[] }> {
  const providers = await readProviders(providersFile.path, providersFile.label);
  const rib = await readRibFiles(routes, providers, onLines);
  const warnings = checkBadShare(rib.files, maxBadShare);
  const empty = providers.filter((_, j) => rib.table.announcedPerProvider[j] === 0);
  if (empty.length > 0) {
    throw new InputError(
      empty.map((p) => ({
        file: routes.map((r) => r.label).join(', '),
        expected: `must hold routes for provider "${p.name}" (peer_ip ${p.peerIp || '-'}, AS${p.asn}); a provider without routes cannot be planned`,
      })),
    );
  }
  providers.forEach((p, j) => {
    if (rib.table.routesPerProvider[j] === 0) warnings.push({ file: p.name, expected: 'has no routes left: every route it announced was withdrawn (link down?); nothing will be sent to it' });
  });
  return { providers, table: rib.table, rib, warnings };
}

export interface TrafficRun extends RoutesLoaded {
  estimate: TrafficEstimate;
  flowStyle: string;
  flowReport: FileReport;
  warnings: InputIssue[];
}

export async function runTrafficPipeline(args: {
  providers: FileArg;
  routes: FileArg[];
  flows: FileArg;
  format?: FlowFormat;
  defaultSampling?: number;
  maxBadShare: number;
  binSeconds?: number;
  onProgress?: (what: string, n: number) => void;
}): Promise<TrafficRun> {
  const loaded = await loadRoutes(args.providers, args.routes, args.maxBadShare, (n) => args.onProgress?.('routes', n));
  const estimator = new TrafficEstimator(loaded.table.routedTrie(), loaded.table.size, args.binSeconds ?? DEFAULT_BIN_SECONDS);
  const flows = await readFlows(args.flows.path, args.flows.label, estimator, {
    format: args.format,
    defaultSampling: args.defaultSampling,
    onRecords: (n) => args.onProgress?.('flows', n),
  });
  const warnings = [...loaded.warnings, ...checkBadShare([flows.report], args.maxBadShare)];
  let estimate: TrafficEstimate;
  try {
    estimate = estimator.finish();
  } catch (err) {
    if (!(err instanceof TrafficSpanError)) throw err;
    throw new InputError([{ file: args.flows.label, expected: err.expected, received: err.received }], 1, { cause: err });
  }
  return { ...loaded, estimate, flowStyle: flows.style, flowReport: flows.report, warnings };
}

export interface OptimizeInputs extends RoutesLoaded, Assembled {
  policy: Policy;
  warnings: InputIssue[];
  /** Traffic rows whose prefix is in no provider table. */
  unknownTrafficPrefixes: number;
  unknownPerfPrefixes: number;
  /** Prefixes of the current assignment (table ids or text), for withdrawals. */
  currentPrefixes: string[];
}

export async function loadOptimizeInputs(args: {
  providers: FileArg;
  routes: FileArg[];
  traffic: FileArg;
  performance?: FileArg;
  current?: FileArg;
  policy: Policy;
  maxBadShare: number;
  onProgress?: (what: string, n: number) => void;
}): Promise<OptimizeInputs> {
  const loaded = await loadRoutes(args.providers, args.routes, args.maxBadShare, (n) => args.onProgress?.('routes', n));
  const { table, providers } = loaded;
  const warnings = [...loaded.warnings];
  const providerIndex = new Map(providers.map((p, j) => [p.name, j] as const));

  const t = await readTrafficTable(args.traffic.path, args.traffic.label);
  const tReport = newReport(args.traffic.label);
  tReport.records = t.records;
  for (const it of t.issues.items) tReport.issues.add(it);
  tReport.issues.total = t.issues.total;
  tReport.bad = t.records - t.rows.length; // a row with several bad cells is one bad record
  const ids: number[] = [];
  const mean: number[] = [];
  const p95: number[] = [];
  const peak: number[] = [];
  let unknownTrafficPrefixes = 0;
  // A repeated prefix would count its load twice, and which row is right cannot be told: fatal whatever the bad share.
  const trafficLine = new Map<string, number>();
  const duplicates = new IssueList();
  t.rows.forEach((r, k) => {
    const prefix = parsePrefix(r.prefix);
    if (typeof prefix === 'string') {
      tReport.issues.add({ file: args.traffic.label, line: t.lines[k], column: 'prefix', expected: prefix, received: r.prefix });
      return;
    }
    const canon = formatPrefix(prefix);
    const first = trafficLine.get(canon);
    if (first !== undefined) {
      duplicates.add({ file: args.traffic.label, line: t.lines[k], column: 'prefix', expected: `must be unique (also on line ${first})`, received: r.prefix });
      return;
    }
    trafficLine.set(canon, t.lines[k]);
    const id = table.find(r.prefix);
    if (id < 0) {
      unknownTrafficPrefixes++;
      return;
    }
    ids.push(id);
    mean.push(r.mean_mbps);
    p95.push(r.p95_mbps);
    peak.push(r.peak_mbps);
  });
  warnings.push(...checkBadShare([tReport], args.maxBadShare));
  if (!duplicates.empty) throw new InputError(duplicates.items, duplicates.total);

  let perf;
  let unknownPerfPrefixes = 0;
  if (args.performance) {
    const pr = await readPerformance(args.performance.path, args.performance.label, table, providerIndex);
    warnings.push(...checkBadShare([pr.report], args.maxBadShare));
    perf = pr.perf;
    unknownPerfPrefixes = pr.unknownPrefixes;
  }

  let current: Int32Array | undefined;
  const currentPrefixes: string[] = [];
  if (args.current) {
    const c = await readCurrentTable(args.current.path, args.current.label);
    const issues = new IssueList();
    for (const it of c.issues.items) issues.add(it);
    current = new Int32Array(table.size).fill(-1);
    // A prefix repeated with the same provider is harmless (read once); with two
    // providers we cannot tell which is current: fatal whatever the bad share.
    const seen = new Map<string, { line: number; provider: string }>();
    const conflicts = new IssueList();
    c.rows.forEach((r, k) => {
      const j = providerIndex.get(r.provider);
      if (j === undefined) {
        issues.add({ file: args.current!.label, line: c.lines[k], column: 'provider', expected: `must be one of the providers (${[...providerIndex.keys()].join(', ')})`, received: r.provider });
        return;
      }
      const prefix = parsePrefix(r.prefix);
      if (typeof prefix === 'string') {
        issues.add({ file: args.current!.label, line: c.lines[k], column: 'prefix', expected: prefix, received: r.prefix });
        return;
      }
      const canon = formatPrefix(prefix);
      const first = seen.get(canon);
      if (first !== undefined) {
        if (first.provider !== r.provider) {
          conflicts.add({ file: args.current!.label, line: c.lines[k], column: 'provider', expected: `must agree with line ${first.line} for ${canon} ("${first.provider}"): a prefix has one current provider`, received: r.provider });
        }
        return;
      }
      seen.set(canon, { line: c.lines[k], provider: r.provider });
      currentPrefixes.push(canon);
      const id = table.find(r.prefix);
      if (id >= 0) current![id] = j;
    });
    const report = newReport(args.current.label);
    report.records = c.records;
    for (const it of issues.items) report.issues.add(it);
    report.issues.total = issues.total + (c.issues.total - c.issues.items.length);
    // Rows the reader refused (however many bad cells each), plus readable rows refused above.
    report.bad = c.records - c.rows.length + (issues.total - c.issues.items.length);
    warnings.push(...checkBadShare([report], args.maxBadShare));
    if (!conflicts.empty) throw new InputError(conflicts.items, conflicts.total);
  }

  const assembled = assembleInstance({
    table,
    providers,
    traffic: { ids: Int32Array.from(ids), meanMbps: Float64Array.from(mean), p95Mbps: Float64Array.from(p95), peakMbps: Float64Array.from(peak) },
    perf,
    current,
    policy: args.policy,
  });
  checkScoreRange(assembled.inst, args);
  return { ...loaded, ...assembled, policy: args.policy, warnings, unknownTrafficPrefixes, unknownPerfPrefixes, currentPrefixes };
}

/**
 * Scores past this lose the precision the solver needs (HiGHS takes 1e20 as infinite, and sums of
 * such costs overflow): each field has its own sane range, but their product can still get there.
 */
export const MAX_SCORE = 1e15;

/** Refuse inputs whose scores (traffic x weights x RTT, or money x the usd weight) leave the solvable range. */
function checkScoreRange(inst: Instance, args: { policy: Policy; traffic: { label: string }; providers: { label: string } }): void {
  const { n, m } = inst;
  let worst = 0;
  let where = '';
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      if (!inst.allowed[i * m + j]) continue;
      const c = inst.cost[i * m + j];
      if (!(Math.abs(c) <= worst)) {
        worst = Math.abs(c);
        where = `${inst.prefixes[i]} via ${inst.providers[j].name} (traffic ${inst.meanMbps[i]} Mbps from ${args.traffic.label} x the policy's weights x RTT, loss, jitter)`;
      }
    }
  }
  for (let j = 0; j < m; j++) {
    const p = inst.providers[j];
    const money = inst.weightUsd * moneyCost(p, p.capacityMbps);
    if (!(money <= worst)) {
      worst = money;
      where = `the money of ${p.name} at capacity (prices and capacity from ${args.providers.label} x the usd weight ${args.policy.weights.usd})`;
    }
  }
  if (!(worst <= MAX_SCORE)) {
    throw InputError.single({
      file: args.providers.label,
      expected: `must give scores below ${MAX_SCORE.toExponential(0)} together with the traffic and the policy (the solver loses precision past it); the largest is ${worst.toExponential(2)}, for ${where}: use smaller weights or units`,
    });
  }
}
